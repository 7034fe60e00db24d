package ops

import (
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// windowTVF labels rows with their windows (TUMBLE, HOP, CUMULATE).
type windowTVF struct {
	assign   assigner
	zone     zone
	timeCol  int
	timeKind types.Kind
	inWidth  int
	metrics  *core.Metrics
	spans    []span
}

// NewWindowTVF builds the window table function for spec over input
// schema `in`: one output row per (input row, window it falls in), laid
// out as input columns..., window_start, window_end, window_time, emitted
// at once. Late rows are kept; rows with a NULL time are skipped and
// counted. SESSION is not supported (the planner rejects it).
func NewWindowTVF(spec *planner.WindowTVFOp, in planner.Schema, ctx *core.Context) (core.Operator, error) {
	if spec == nil {
		return nil, fmt.Errorf("window table function: nil spec")
	}
	timeKind, err := checkTimeCol(in, spec.Window.TimeCol)
	if err != nil {
		return nil, fmt.Errorf("window table function: %w", err)
	}
	a, err := newAssigner(spec.Window, false)
	if err != nil {
		return nil, fmt.Errorf("window table function: %w", err)
	}
	m, loc := metricsOf(ctx)
	return &windowTVF{assign: a, zone: newZone(timeKind, loc), timeCol: spec.Window.TimeCol,
		timeKind: timeKind, inWidth: len(in), metrics: m}, nil
}

func (o *windowTVF) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	n := 0
	var skipped int64
	for _, row := range b.Rows {
		if len(row) != o.inWidth {
			return fmt.Errorf("window table function: input row has %d columns, want %d", len(row), o.inWidth)
		}
		tv := row[o.timeCol]
		if tv.K == types.Null || !timeInRange(tv.I) {
			skipped++
			continue
		}
		o.spans = o.assign.assign(o.zone.toLocal(tv.I), o.spans[:0])
		n += len(o.spans)
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	if n == 0 {
		return nil
	}
	w := o.inWidth
	ob := core.NewBatch(n, w+3)
	if b.Watermarks != nil {
		ob.Watermarks = make([]int64, n)
	}
	r := 0
	for ri, row := range b.Rows {
		tv := row[o.timeCol]
		if tv.K == types.Null || !timeInRange(tv.I) {
			continue
		}
		o.spans = o.assign.assign(o.zone.toLocal(tv.I), o.spans[:0])
		for _, sp := range o.spans {
			if ob.Watermarks != nil {
				ob.Watermarks[r] = b.Watermarks[ri]
			}
			dst := ob.Rows[r]
			r++
			copy(dst, row)
			dst[w] = types.TimestampValue(sp.Start)
			dst[w+1] = types.TimestampValue(sp.End)
			dst[w+2] = o.zone.windowTime(sp.End, o.timeKind)
		}
	}
	return out.Emit(ob)
}

func (o *windowTVF) ProcessWatermark(wm int64, _ core.Output) error {
	o.metrics.CurrentWatermark.Store(wm)
	return nil
}

func (o *windowTVF) Finish(core.Output) error { return nil }

// BorrowsBatches: rows are read during ProcessBatch only; kept values are copied.
func (o *windowTVF) BorrowsBatches() {}
