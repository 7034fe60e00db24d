package runtime

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
	"github.com/streamsql/streamsql/sql/types"
)

// Side outputs (planner.SideOutputOp): a window operator's late rows and a
// source's dead letters reach the SideOutput node through an Output the
// producer is handed once here, not through the producer's consumers, so
// its regular output and watermarks are untouched.

// sideOutput delivers a producer's side rows to a SideOutput node.
type sideOutput struct{ to *node }

func (o sideOutput) Emit(b *core.Batch) error {
	if len(b.Rows) == 0 {
		return nil
	}
	o.to.metrics.RecordsIn.Add(int64(len(b.Rows)))
	if err := o.to.op.ProcessBatch(0, b, o.to.out); err != nil {
		return o.to.wrap(err)
	}
	return nil
}

// wireSide connects SideOutput node n to its producer up.
func (j *Job) wireSide(up, n *node) error {
	out := sideOutput{n}
	if up.op == nil {
		for _, s := range j.sources {
			if s.node == up {
				s.deadLetter = out
				return nil
			}
		}
	} else if le, ok := up.op.(ops.LateEmitter); ok {
		le.SetLateOutput(out)
		return nil
	}
	return fmt.Errorf("%s #%d: %s #%d has no side output", n.plan.Name(), n.plan.ID, up.plan.Name(), up.plan.ID)
}

// addDeadLetter queues a record that failed to decode (ops.Dead* layout).
func (s *sourceNode) addDeadLetter(rec *connector.Record, err error) {
	msg := err.Error()
	if errors.Is(err, connector.ErrSkipRecord) {
		msg = strings.TrimPrefix(msg, connector.ErrSkipRecord.Error()+": ")
	}
	row := make(core.Row, ops.DeadWidth)
	row[ops.DeadRaw] = types.BytesValue(rec.Value)
	row[ops.DeadError] = types.StringValue(msg)
	row[ops.DeadLocation] = types.StringValue(rec.Location())
	row[ops.DeadTopic], row[ops.DeadPartition], row[ops.DeadOffset], row[ops.DeadLine] = types.NullValue, types.NullValue, types.NullValue, types.NullValue
	if rec.Topic != "" {
		row[ops.DeadTopic] = types.StringValue(rec.Topic)
		row[ops.DeadPartition] = types.IntValue(int64(rec.Partition))
		row[ops.DeadOffset] = types.BigIntValue(rec.Offset)
	}
	if rec.File != "" {
		row[ops.DeadLine] = types.BigIntValue(rec.Line)
	} else if i := strings.LastIndexByte(rec.Where, ':'); i >= 0 {
		if n, err := strconv.ParseInt(rec.Where[i+1:], 10, 64); err == nil && !strings.Contains(rec.Where, " offset ") {
			row[ops.DeadLine] = types.BigIntValue(n)
		}
	}
	s.deadRows = append(s.deadRows, row)
}

// flushDeadLetters emits the poll's dead letters.
func (s *sourceNode) flushDeadLetters() error {
	if len(s.deadRows) == 0 {
		return nil
	}
	b := &core.Batch{Rows: s.deadRows}
	s.deadRows = nil
	return s.deadLetter.Emit(b)
}
