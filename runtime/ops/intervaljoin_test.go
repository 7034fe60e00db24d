package ops

import (
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func newTestIntervalJoin(t *testing.T, typ planner.JoinType, lower, upper int64) core.Operator {
	t.Helper()
	schema := planner.Schema{col("k", types.TBigInt), col("ts", types.Type{Kind: types.Timestamp})}
	spec := &planner.IntervalJoinOp{JoinOp: planner.JoinOp{Type: typ, LeftKeys: []int{0}, RightKeys: []int{0}, NullSafe: []bool{false}},
		LeftTimeCol: 1, RightTimeCol: 1, LowerBound: lower, UpperBound: upper}
	op, err := NewIntervalJoin(spec, schema, schema, newCtx())
	mustNoErr(t, err)
	return op
}

// ivStep is one input: a row of a side at a watermark (the watermark in
// force before the row, as core.Batch.Watermarks carries it).
type ivStep struct {
	side   int
	wm, ts int64
}

func runIntervalSteps(t *testing.T, op core.Operator, steps []ivStep, out *collector) {
	t.Helper()
	for _, s := range steps {
		b := &core.Batch{Rows: []core.Row{{bi(1), ts(s.ts)}}, Watermarks: []int64{s.wm}}
		mustNoErr(t, op.ProcessBatch(s.side, b, out))
	}
}

// Flink's cleanup lags a row's expiry: a side's rows are removed by one
// timer per key, registered after the first row kept (or the earliest
// left at the last cleanup). Here left B (ts 50) arrives after A (100),
// so the left timer is A's (111); at watermark 62 B has expired (62 - 10 -
// 1 = 51 >= 50) but is still kept, and a right row at 55 that looks at
// the left rows (51 < 55 + 0) still joins it, as in Flink; it is removed
// on the way. A, never joined, is padded when the end of input expires
// it. The output watermark lags the input's by max(10, 0).
func TestIntervalJoinCleanupLagsExpiry(t *testing.T) {
	op := newTestIntervalJoin(t, planner.JoinLeft, -10, 0)
	var out collector
	runIntervalSteps(t, op, []ivStep{{0, 0, 100}, {0, 0, 50}, {1, 62, 55}}, &out)
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, &out))
	sameRows(t, "rows", out.rows, []core.Row{
		{bi(1), ts(50), bi(1), ts(55)},
		{bi(1), ts(100), null, null},
	})
	h := op.(core.WatermarkHolder)
	if got := h.HoldWatermark(100); got != 90 {
		t.Errorf("held watermark %d, want 90", got)
	}
	if h.HoldWatermark(core.MaxWatermark) != core.MaxWatermark || h.HoldWatermark(core.MinWatermark) != core.MinWatermark {
		t.Error("MinWatermark and MaxWatermark must pass unchanged")
	}
}

// A snapshot taken anywhere and restored into a new operator gives the
// rows of an uninterrupted run (timers and joined flags included).
func TestIntervalJoinSnapshotRestore(t *testing.T) {
	steps := []ivStep{{0, 0, 100}, {0, 0, 50}, {1, 20, 45}, {1, 40, 95}, {0, 60, 90}, {1, 62, 55},
		{1, 80, 130}, {0, 95, 99}, {0, 120, 140}, {1, 150, 141}, {0, 151, 60}, {1, 200, 210}}
	for _, typ := range []planner.JoinType{planner.JoinInner, planner.JoinLeft, planner.JoinRight, planner.JoinFull} {
		var want collector
		op := newTestIntervalJoin(t, typ, -10, 5)
		runIntervalSteps(t, op, steps, &want)
		mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, &want))
		for cut := 1; cut < len(steps); cut++ {
			var got collector
			a := newTestIntervalJoin(t, typ, -10, 5)
			runIntervalSteps(t, a, steps[:cut], &got)
			st := memState{}
			mustNoErr(t, a.(core.Snapshotter).Snapshot(st))
			b := newTestIntervalJoin(t, typ, -10, 5)
			mustNoErr(t, b.(core.Snapshotter).Restore(st))
			runIntervalSteps(t, b, steps[cut:], &got)
			mustNoErr(t, b.ProcessWatermark(core.MaxWatermark, &got))
			sameRows(t, typ.String()+" restored", got.rows, want.rows)
		}
	}
}
