package golden

import (
	"context"
	"fmt"
	"slices"
	"strconv"

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
// them. Rows become committed when the sink is flushed (at a checkpoint or
// the end); a crash loses the rest. It reports progress (the number of
// committed rows), so that a restored run (restore_test.go, which keeps
// one capture per table across the runs of a scenario) continues after
// exactly the rows of the restored checkpoint.
type capture struct {
	committed, pending []string
}

// rows is every row written, committed or not.
func (c *capture) rows() []string {
	return append(slices.Clone(c.committed), c.pending...)
}

func (c *capture) spec() *connector.Spec {
	return &connector.Spec{
		Name: "capture",
		NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
			f, err := printconn.NewFormatter(t, env)
			if err != nil {
				return nil, err
			}
			c.pending = nil
			if env.Resume == nil {
				c.committed = nil // a fresh start
			} else {
				n, err := strconv.Atoi(string(env.Resume))
				if err != nil || n > len(c.committed) {
					return nil, fmt.Errorf("capture: bad progress %q (have %d rows)", env.Resume, len(c.committed))
				}
				c.committed = c.committed[:n]
			}
			return &captureWriter{c: c, f: f}, nil
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
	f *printconn.Formatter
}

func (w *captureWriter) Write(_ context.Context, b *core.Batch) error {
	for i, row := range b.Rows {
		w.c.pending = append(w.c.pending, string(w.f.FormatKind(nil, b.KindAt(i), row)))
	}
	return nil
}

func (w *captureWriter) Flush(context.Context) error {
	w.c.committed = append(w.c.committed, w.c.pending...)
	w.c.pending = nil
	return nil
}

func (w *captureWriter) Progress() ([]byte, error) {
	return []byte(strconv.Itoa(len(w.c.committed))), nil
}

func (w *captureWriter) Close() error { return nil }
