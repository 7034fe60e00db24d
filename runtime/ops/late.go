package ops

import (
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Late rows as a side output (SET 'table.exec.late-rows.table', a
// streamsql extension). A window operator given a late output hands it
// every (row, window) pair it drops as late, besides counting it, as a
// row laid out:
//
//	[LateSide] INT        0, or 1 for a window join's right input
//	[LateWindowStart]     TIMESTAMP(3): the missed window's start
//	[LateWindowEnd]       TIMESTAMP(3): its end
//	[LateWatermark]       BIGINT: the operator's watermark at arrival (ms)
//	[LateInput:]          the input row as the operator received it
//
// The SideOutput operator (sideoutput.go) turns these into the declared
// table's columns. Without a late output nothing is allocated.
const (
	LateSide = iota
	LateWindowStart
	LateWindowEnd
	LateWatermark
	LateInput
)

// LateEmitter is implemented by operators that can hand their late rows
// to a side output; the executor calls SetLateOutput once, when it wires
// the graph.
type LateEmitter interface {
	SetLateOutput(out core.Output)
}

// lateOut collects one ProcessBatch call's late rows.
type lateOut struct {
	out  core.Output
	rows []core.Row
}

// add records a late row; a no-op without a late output.
func (l *lateOut) add(side int, sp span, wm int64, row core.Row) {
	if l.out == nil {
		return
	}
	r := make(core.Row, LateInput+len(row))
	r[LateSide] = types.IntValue(int64(side))
	r[LateWindowStart] = types.TimestampValue(sp.Start)
	r[LateWindowEnd] = types.TimestampValue(sp.End)
	r[LateWatermark] = types.BigIntValue(wm)
	copy(r[LateInput:], row)
	l.rows = append(l.rows, r)
}

// flush emits the collected late rows.
func (l *lateOut) flush() error {
	if len(l.rows) == 0 {
		return nil
	}
	b := &core.Batch{Rows: l.rows}
	l.rows = nil
	return l.out.Emit(b)
}

func (o *windowAgg) SetLateOutput(out core.Output)  { o.late.out = out }
func (o *sessionAgg) SetLateOutput(out core.Output) { o.late.out = out }
func (o *windowJoin) SetLateOutput(out core.Output) { o.late.out = out }
