package golden

import (
	"context"
	"fmt"
	"sort"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	printconn "github.com/streamsql/streamsql/runtime/connector/print"
	"github.com/streamsql/streamsql/runtime/core"
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
			return newReplay(file, topic, in), nil
		},
	}
}

type replay struct {
	recs    []connector.Record
	started []int
	pos     int
}

func newReplay(file, topic string, in *Input) *replay {
	r := &replay{}
	offsets := map[int]int64{}
	for _, rec := range in.Records {
		off := offsets[rec.Partition]
		offsets[rec.Partition] = off + 1
		r.recs = append(r.recs, connector.Record{
			Split: rec.Partition, Value: rec.Value, Timestamp: rec.Timestamp,
			Topic: topic, Partition: int32(rec.Partition), Offset: off, TimestampType: "CreateTime",
			Where: fmt.Sprintf("%s:%d", file, rec.Line),
		})
	}
	for p := range offsets {
		r.started = append(r.started, p)
	}
	sort.Ints(r.started)
	return r
}

func (r *replay) Poll(ctx context.Context, max int) (connector.Poll, error) {
	var p connector.Poll
	if r.started != nil {
		p.Started, r.started = r.started, nil
	}
	end := min(r.pos+max, len(r.recs))
	p.Records = r.recs[r.pos:end]
	r.pos = end
	p.Done = r.pos == len(r.recs)
	return p, nil
}

func (r *replay) Close() error { return nil }

// capture collects a sink table's rows as the print connector prints them.
type capture struct {
	lines []string
}

func (c *capture) spec() *connector.Spec {
	return &connector.Spec{
		Name: "capture",
		NewSink: func(_ context.Context, t *planner.TableDesc, env *connector.Env) (connector.SinkWriter, error) {
			f, err := printconn.NewFormatter(t, env)
			if err != nil {
				return nil, err
			}
			return &captureWriter{c: c, f: f}, nil
		},
	}
}

type captureWriter struct {
	c *capture
	f *printconn.Formatter
}

func (w *captureWriter) Write(_ context.Context, b *core.Batch) error {
	for _, row := range b.Rows {
		w.c.lines = append(w.c.lines, string(w.f.Format(nil, row)))
	}
	return nil
}

func (w *captureWriter) Flush(context.Context) error { return nil }
func (w *captureWriter) Close() error                { return nil }
