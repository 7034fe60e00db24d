package golden

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	printconn "github.com/streamsql/streamsql/runtime/connector/print"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/recording"
)

// replaySpec serves a recorded input section as the table's source. It
// declares a 'format' option so the runtime decodes values with the
// table's own format.
func replaySpec(file string, in *Input) *connector.Spec {
	return &connector.Spec{
		Name:      "replay",
		HasFormat: true,
		Bounded:   func(*planner.TableDesc) bool { return true },
		NewSource: func(_ context.Context, t *planner.TableDesc, _ *connector.Env) (connector.SourceReader, error) {
			topic, _ := t.Option("topic")
			return replayReader(file, topic, in), nil
		},
	}
}

// replayReader replays an input section (it is a connector.Seeker: the
// restore tests resume it from checkpoints).
func replayReader(file, topic string, in *Input) *recording.Reader {
	recs := make([]recording.Located, len(in.Records))
	for i, rec := range in.Records {
		recs[i] = recording.Located{Record: rec.Record, Where: fmt.Sprintf("%s:%d", file, rec.Line)}
	}
	return recording.NewReader(recs, topic)
}

// capture collects a sink table's rows as the print connector prints
// them (without the subtask prefix). Rows become committed when the sink
// is flushed (at a checkpoint or the end); a crash loses the rest. Each
// sink subtask keeps its own part and reports progress (the number of
// its committed rows), so that a restored run (restore_test.go, which
// keeps one capture per table across the runs of a scenario) continues
// after exactly the rows of the restored checkpoint, at any parallelism.
type capture struct {
	mu    sync.Mutex
	parts map[int]*capturePart // by subtask
}

type capturePart struct {
	committed, pending []string
}

// rows is every row written, committed or not, subtask by subtask.
func (c *capture) rows() []string { return c.collect(true) }

// committedRows is every committed row, subtask by subtask.
func (c *capture) committedRows() []string { return c.collect(false) }

func (c *capture) collect(pending bool) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range slices.Sorted(maps.Keys(c.parts)) {
		p := c.parts[s]
		out = append(out, p.committed...)
		if pending {
			out = append(out, p.pending...)
		}
	}
	return out
}

func (c *capture) spec() *connector.Spec {
	return &connector.Spec{
		Name: "capture",
		NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
			e := *env
			e.Subtasks = 1 // the rows as one print subtask prints them
			f, err := printconn.NewFormatter(t, &e)
			if err != nil {
				return nil, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.parts == nil {
				c.parts = map[int]*capturePart{}
			}
			p := c.parts[env.Subtask]
			if p == nil {
				p = &capturePart{}
				c.parts[env.Subtask] = p
			}
			p.pending = nil
			if env.Resume == nil {
				p.committed = nil // a fresh start
			} else {
				n, err := strconv.Atoi(string(env.Resume))
				if err != nil || n > len(p.committed) {
					return nil, fmt.Errorf("capture: bad progress %q (have %d rows)", env.Resume, len(p.committed))
				}
				p.committed = p.committed[:n]
			}
			return &captureWriter{c: c, p: p, f: f}, nil
		},
	}
}

// captureSinks replaces the connector of every sink table of job with a
// capture in overrides, reusing the one captures holds for the table.
func captureSinks(job *planner.Job, overrides map[string]*connector.Spec, captures map[string]*capture) {
	for _, n := range job.Graph.Nodes {
		if sk, ok := n.Op.(*planner.SinkOp); ok {
			cp := captures[sk.Table.Name]
			if cp == nil {
				cp = &capture{}
				captures[sk.Table.Name] = cp
			}
			overrides[sk.Table.Name] = cp.spec()
		}
	}
}

type captureWriter struct {
	c *capture
	p *capturePart
	f *printconn.Formatter
}

func (w *captureWriter) Write(_ context.Context, b *core.Batch) error {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	for i, row := range b.Rows {
		w.p.pending = append(w.p.pending, string(w.f.FormatKind(nil, b.KindAt(i), row)))
	}
	return nil
}

func (w *captureWriter) Flush(context.Context) error {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	w.p.committed = append(w.p.committed, w.p.pending...)
	w.p.pending = nil
	return nil
}

func (w *captureWriter) Progress() ([]byte, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return []byte(strconv.Itoa(len(w.p.committed))), nil
}

func (w *captureWriter) Close() error { return nil }
