package golden

import (
	"context"
	"fmt"

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
