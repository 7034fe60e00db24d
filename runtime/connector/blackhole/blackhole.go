package blackhole

import (
	"context"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
)

// Spec is the blackhole connector.
var Spec = &connector.Spec{
	Name:    "blackhole",
	Doc:     "Discards every row (for benchmarks and tests).",
	Options: []connector.OptionSpec{},
	Borrows: true,
	NewSink: func(context.Context, *planner.TableDesc, *connector.Env) (connector.SinkWriter, error) {
		return &Sink{}, nil
	},
}

// Sink discards rows and counts them.
type Sink struct{ Rows int64 }

// Write counts and drops the batch.
func (s *Sink) Write(_ context.Context, b *core.Batch) error {
	s.Rows += int64(len(b.Rows))
	return nil
}

// Flush does nothing.
func (s *Sink) Flush(context.Context) error { return nil }

// Close does nothing.
func (s *Sink) Close() error { return nil }
