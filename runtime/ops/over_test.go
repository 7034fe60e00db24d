package ops

import (
	"slices"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// overHarness drives an OVER aggregation over rows (k, ts, v) with the
// watermark set before each row, as a bounded replay does, and records
// "k ts v -> sum" lines; a snapshot and restore happen between every two
// rows, so every piece of state goes through it.
type overHarness struct {
	t    *testing.T
	spec *planner.OverAggOp
	op   core.Operator
	c    collector
	ctx  *core.Context
}

var overIn = planner.Schema{{Name: "k", Type: types.TString}, {Name: "ts", Type: types.TTimestamp3}, {Name: "v", Type: types.TBigInt}}

func newOverHarness(t *testing.T, spec *planner.OverAggOp) *overHarness {
	spec.PartitionKeys, spec.OrderKey = []int{0}, 1
	spec.Aggs = []planner.AggCall{{Func: "SUM", Arg: 2, Filter: -1, T: types.TBigInt}}
	h := &overHarness{t: t, spec: spec, ctx: newCtx()}
	h.op = h.build()
	return h
}

func (h *overHarness) build() core.Operator {
	op, err := NewOverAgg(h.spec, overIn, h.ctx)
	mustNoErr(h.t, err)
	return op
}

func (h *overHarness) row(wm int64, k string, ts, v int64) {
	b := batch(core.Row{str(k), types.TimestampValue(ts), bi(v)})
	b.Watermarks = []int64{wm}
	mustNoErr(h.t, h.op.ProcessBatch(0, b, &h.c))
	st := memState{}
	mustNoErr(h.t, h.op.(core.Snapshotter).Snapshot(st))
	h.op = h.build()
	mustNoErr(h.t, h.op.(core.Snapshotter).Restore(st))
}

func (h *overHarness) sums() []int64 {
	mustNoErr(h.t, h.op.ProcessWatermark(core.MaxWatermark, &h.c))
	var out []int64
	for _, r := range h.c.rows {
		out = append(out, r[3].I)
	}
	return out
}

// RANGE BETWEEN 10 ms PRECEDING, Flink's RowTimeRangeBoundedPrecedingFunction
// worked by hand: the row at 1 registers a cleanup timer at 1 + 15 + 1 = 17;
// the row at 5 does not move it (5 + 10 + 1 = 16 < 17); the row at 8 moves
// it to 8 + 15 + 1 = 24. The watermark 17 fires the stale timer at 17,
// which only records 17 as the last fired timer: a row at 12 is then late
// although no row after 8 was processed. The watermark 24 fires the
// cleanup timer: the key is forgotten, so a row at 3 is accepted again (its
// frame is empty but for itself).
func TestOverRangeCleanupTimers(t *testing.T) {
	h := newOverHarness(t, &planner.OverAggOp{Preceding: 10})
	h.row(core.MinWatermark, "a", 1, 1)
	h.row(0, "a", 5, 10)
	h.row(0, "a", 8, 100)
	h.row(17, "a", 12, 1000) // late: the stale timer at 17 fired
	h.row(24, "a", 3, 5)     // the key was cleaned up at 24
	if got, want := h.sums(), []int64{1, 11, 111, 5}; !slices.Equal(got, want) {
		t.Errorf("sums %v, want %v", got, want)
	}
	if n := h.ctx.Metrics.LateRecordsDropped.Load(); n != 1 {
		t.Errorf("late rows %d, want 1", n)
	}
}

// ROWS BETWEEN CURRENT ROW AND CURRENT ROW: each row alone; ROWS BETWEEN 1
// PRECEDING with two rows of one rowtime: the second one's frame is the
// first one and itself (Flink treats rows of one rowtime in arrival order).
func TestOverRowsFrames(t *testing.T) {
	h := newOverHarness(t, &planner.OverAggOp{Rows: true})
	h.row(core.MinWatermark, "a", 1, 1)
	h.row(core.MinWatermark, "a", 2, 10)
	h.row(core.MinWatermark, "a", 2, 100)
	if got, want := h.sums(), []int64{1, 10, 100}; !slices.Equal(got, want) {
		t.Errorf("CURRENT ROW: sums %v, want %v", got, want)
	}
	h = newOverHarness(t, &planner.OverAggOp{Rows: true, Preceding: 1})
	h.row(core.MinWatermark, "a", 1, 1)
	h.row(core.MinWatermark, "a", 2, 10)
	h.row(core.MinWatermark, "b", 2, 7)
	h.row(core.MinWatermark, "a", 2, 100)
	h.row(core.MinWatermark, "a", 0, 1000) // rowtime 0: late, as in Flink (last fired timer starts at 0)
	if got, want := h.sums(), []int64{1, 11, 110, 7}; !slices.Equal(got, want) {
		t.Errorf("1 PRECEDING: sums %v, want %v", got, want)
	}
}
