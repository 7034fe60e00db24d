package ops

import (
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func newTestTemporalJoin(t *testing.T, typ planner.JoinType) core.Operator {
	t.Helper()
	schema := planner.Schema{col("k", types.TBigInt), col("ts", types.Type{Kind: types.Timestamp})}
	spec := &planner.TemporalJoinOp{JoinOp: planner.JoinOp{Type: typ, LeftKeys: []int{0}, RightKeys: []int{0}, NullSafe: []bool{false}},
		LeftTimeCol: 1, RightTimeCol: 1}
	op, err := NewTemporalJoin(spec, schema, schema, newCtx())
	mustNoErr(t, err)
	return op
}

// tjStep is one input row of key 1: a left row (side 0) or a right
// version (side 1; del: a delete, ub: an update-before) at a watermark.
type tjStep struct {
	side    int
	wm, ts  int64
	del, ub bool
}

func runTemporalSteps(t *testing.T, op core.Operator, steps []tjStep, out *collector) {
	t.Helper()
	for _, s := range steps {
		kind := core.Insert
		switch {
		case s.del:
			kind = core.Delete
		case s.ub:
			kind = core.UpdateBefore
		case s.side == 1:
			kind = core.UpdateAfter
		}
		b := &core.Batch{Rows: []core.Row{{bi(1), ts(s.ts)}}, Watermarks: []int64{s.wm}, Kinds: []core.RowKind{kind}}
		mustNoErr(t, op.ProcessBatch(s.side, b, out))
	}
}

// Flink's timer rules: each key has one timer, at the smallest time
// since it last fired, so a late left row (its time at or before the
// watermark) fires at the next watermark even when the key's timer was at
// a later left row, and still finds the version valid at its time (22
// joins 10 at 46; waiting for the timer at 100 it would find 10 dropped);
// a firing past a newer version drops the older ones (10 at 46, 30 at
// 100), so a left row arriving late after that finds none (15). An
// update-before is ignored; a delete ends the version (60, 100, 200).
func TestTemporalJoinLateLeftRows(t *testing.T) {
	op := newTestTemporalJoin(t, planner.JoinLeft)
	var out collector
	runTemporalSteps(t, op, []tjStep{
		{side: 1, wm: 0, ts: 10}, {side: 1, wm: 0, ts: 30}, {side: 0, wm: 0, ts: 100},
		{side: 1, wm: 0, ts: 10, ub: true},
		{side: 0, wm: 25, ts: 20}, // the firing at 25 kept 10; late: fires at 26
		{side: 0, wm: 26, ts: 200},
		{side: 0, wm: 45, ts: 22}, // late: fires at 46, before 100
		{side: 1, wm: 46, ts: 50, del: true},
		{side: 0, wm: 100, ts: 60},
		{side: 0, wm: 101, ts: 15},
	}, &out)
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, &out))
	sameRows(t, "rows", out.rows, []core.Row{
		{bi(1), ts(20), bi(1), ts(10)},
		{bi(1), ts(22), bi(1), ts(10)},
		{bi(1), ts(100), null, null},
		{bi(1), ts(60), null, null},
		{bi(1), ts(200), null, null},
		{bi(1), ts(15), null, null},
	})
}

// A snapshot taken anywhere and restored into a new operator gives the
// rows of an uninterrupted run (waiting rows, versions and timer).
func TestTemporalJoinSnapshotRestore(t *testing.T) {
	steps := []tjStep{{side: 1, wm: 0, ts: 10}, {side: 0, wm: 0, ts: 100}, {side: 1, wm: 5, ts: 30}, {side: 0, wm: 40, ts: 20},
		{side: 0, wm: 41, ts: 200}, {side: 1, wm: 45, ts: 50, del: true}, {side: 0, wm: 60, ts: 55}, {side: 1, wm: 60, ts: 90},
		{side: 0, wm: 100, ts: 95}, {side: 0, wm: 150, ts: 35}, {side: 1, wm: 160, ts: 150}, {side: 0, wm: 170, ts: 180}}
	for _, typ := range []planner.JoinType{planner.JoinInner, planner.JoinLeft} {
		var want collector
		op := newTestTemporalJoin(t, typ)
		runTemporalSteps(t, op, steps, &want)
		mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, &want))
		if len(want.rows) < 4 {
			t.Fatalf("%s: only %d rows", typ, len(want.rows))
		}
		for cut := 1; cut < len(steps); cut++ {
			var got collector
			a := newTestTemporalJoin(t, typ)
			runTemporalSteps(t, a, steps[:cut], &got)
			st := memState{}
			mustNoErr(t, a.(core.Snapshotter).Snapshot(st))
			b := newTestTemporalJoin(t, typ)
			mustNoErr(t, b.(core.Snapshotter).Restore(st))
			runTemporalSteps(t, b, steps[cut:], &got)
			mustNoErr(t, b.ProcessWatermark(core.MaxWatermark, &got))
			sameRows(t, typ.String()+" restored", got.rows, want.rows)
		}
	}
}
