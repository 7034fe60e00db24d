package golden

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
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
	// keys are the table columns that identify a row (rowKeys): each
	// captured row also keeps their values, for changelog and final
	// sections
	keys []int
	seq  int64 // rows captured so far (across the runs of a scenario)
}

type capturePart struct {
	committed, pending []captured
}

// captured is one row as printed, its key's values as printed, and
// when it was written (rows are listed in that order: after a rescale a
// key's earlier rows stay in the part of a subtask that no longer runs).
type captured struct {
	line, key string
	seq       int64
}

// rows is every row written, committed or not, in the order written,
// and each row's key.
func (c *capture) rows() ([]string, []string) { return c.collect(true) }

// committedRows is every committed row, in the order written, and each
// row's key.
func (c *capture) committedRows() ([]string, []string) { return c.collect(false) }

func (c *capture) collect(pending bool) (lines, keys []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []captured
	for _, s := range slices.Sorted(maps.Keys(c.parts)) {
		p := c.parts[s]
		out = append(out, p.committed...)
		if pending {
			out = append(out, p.pending...)
		}
	}
	slices.SortStableFunc(out, func(a, b captured) int { return cmp.Compare(a.seq, b.seq) })
	for _, r := range out {
		lines, keys = append(lines, r.line), append(keys, r.key)
	}
	return lines, keys
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
				cp = &capture{keys: rowKeys(n)}
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
		var key []byte
		if len(w.c.keys) > 0 {
			// the row with its other columns NULL: each key value is
			// formatted by its own column's type
			kr := make(core.Row, len(row))
			for _, c := range w.c.keys {
				kr[c] = row[c]
			}
			key = w.f.FormatKind(key, core.Insert, kr)
		}
		w.c.seq++
		w.p.pending = append(w.p.pending, captured{string(w.f.FormatKind(nil, b.KindAt(i), row)), string(key), w.c.seq})
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

// rowKeys are the columns of sink n's table that identify a row: its
// PRIMARY KEY, else the upsert key of the sink's input; nil when neither
// (the rows are then a multiset).
func rowKeys(n *planner.Node) []int {
	sk := n.Op.(*planner.SinkOp)
	t := sk.Table
	var keys []int
	for _, name := range t.PrimaryKey {
		for i, c := range t.Columns {
			if strings.EqualFold(c.Name, name) {
				keys = append(keys, i)
			}
		}
	}
	if len(keys) > 0 {
		return keys
	}
	if len(n.Inputs) == 1 {
		for _, u := range n.Inputs[0].UpsertKeys {
			if u < len(sk.Columns) {
				keys = append(keys, sk.Columns[u])
			}
		}
	}
	return keys
}
