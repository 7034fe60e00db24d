package runtime

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// sinkNode writes its input rows to a table. Rows reach the writer laid
// out as the table's columns (computed columns left NULL); the encoder
// sees only the columns that go into the payload.
type sinkNode struct {
	node   *node
	op     *planner.SinkOp
	spec   *connector.Spec
	env    *connector.Env
	writer connector.SinkWriter
	// identity is true when input column i is table column i for all i
	// and the table has no other columns: rows pass through uncopied.
	identity bool
	width    int
	ctx      context.Context
	// sub is the subtask this node is (0-based) of the sink's subtasks
	sub int
}

// newSinkNode builds subtask sub of a sink.
func newSinkNode(n *node, op *planner.SinkOp, j *Job, sub int) (*sinkNode, error) {
	t := op.Table
	spec, err := j.connectorFor(t)
	if err != nil {
		return nil, err
	}
	if spec.NewSink == nil {
		return nil, tableErr(t, fmt.Errorf("connector '%s' cannot be written to (it is a source only)", spec.Name))
	}
	s := &sinkNode{node: n, op: op, spec: spec, width: len(t.Columns), sub: sub}
	s.identity = len(op.Columns) == len(t.Columns)
	for i, c := range op.Columns {
		if c != i {
			s.identity = false
		}
	}
	if j.sinkOut == nil {
		// sink subtasks write from goroutines of their own
		j.sinkOut, j.sinkErr = &lockedWriter{w: j.opts.Stdout}, &lockedWriter{w: j.opts.Stderr}
	}
	env := &connector.Env{Settings: j.graph.Settings, Metrics: n.metrics, Stdout: j.sinkOut, Stderr: j.sinkErr,
		Subtask: sub, Subtasks: max(1, j.rp[n.plan])}
	if needsFormat(spec) {
		var payload []int
		var cols planner.Schema
		for i, c := range t.Columns {
			if t.Kinds[i] == sql.PhysicalColumn {
				payload = append(payload, i)
				cols = append(cols, c)
			}
		}
		enc, err := newEncoder(t, cols)
		if err != nil {
			return nil, tableErr(t, err)
		}
		if len(payload) != len(t.Columns) {
			enc = connector.ProjectEncoder(enc, payload)
		}
		env.Encoder = enc
	}
	s.env = env
	return s, nil
}

// lockedWriter serialises writes of several sink subtasks to one writer
// (each Write of the print sink is whole lines).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// borrows reports whether op reads a batch only while it processes it
// (core.Borrower, or a sink whose connector says so).
func borrows(op core.Operator) bool {
	if s, ok := op.(*sinkNode); ok {
		return s.spec.Borrows
	}
	_, ok := op.(core.Borrower)
	return ok
}

func (s *sinkNode) open(ctx context.Context) error {
	if s.writer != nil {
		return nil // a transactional sink is opened early (checkpointer.open)
	}
	w, err := s.spec.NewSink(ctx, s.op.Table, s.env)
	if err != nil {
		return tableErr(s.op.Table, err)
	}
	s.writer = w
	s.ctx = ctx
	return nil
}

func (s *sinkNode) ProcessBatch(_ int, b *core.Batch, _ core.Output) error {
	if !s.identity {
		nb := core.NewBatch(len(b.Rows), s.width)
		for r, row := range b.Rows {
			out := nb.Rows[r]
			for i := range out {
				out[i] = types.NullValue
			}
			for i, c := range s.op.Columns {
				out[c] = row[i]
			}
		}
		nb.Kinds = b.Kinds
		b = nb
	}
	if err := s.writer.Write(s.ctx, b); err != nil {
		return fmt.Errorf("writing to table %s: %w", s.op.Table.Name, err)
	}
	return nil
}

func (s *sinkNode) ProcessWatermark(int64, core.Output) error { return nil }
func (s *sinkNode) Finish(core.Output) error                  { return nil }

func (s *sinkNode) flush(ctx context.Context) error {
	if s.writer == nil {
		return nil
	}
	if err := s.writer.Flush(ctx); err != nil {
		return fmt.Errorf("flushing table %s: %w", s.op.Table.Name, err)
	}
	return nil
}

func (s *sinkNode) close() error {
	if s.writer == nil {
		return nil
	}
	w := s.writer
	s.writer = nil
	if err := w.Close(); err != nil {
		return fmt.Errorf("closing table %s: %w", s.op.Table.Name, err)
	}
	return nil
}
