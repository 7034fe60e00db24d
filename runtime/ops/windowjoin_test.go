package ops

import (
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Left: id, k, ws, we. Right: k, v, ws, we.
var (
	joinLeft  = planner.Schema{col("id", types.TString), col("k", types.TBigInt), col("ws", types.TTimestamp3), col("we", types.TTimestamp3)}
	joinRight = planner.Schema{col("k", types.TBigInt), col("v", types.TString), col("ws", types.TTimestamp3), col("we", types.TTimestamp3)}
)

func lrow(id string, k types.Value, s, e int64) core.Row { return core.Row{str(id), k, ts(s), ts(e)} }
func rrow(k types.Value, v string, s, e int64) core.Row  { return core.Row{k, str(v), ts(s), ts(e)} }

func runJoin(t *testing.T, typ planner.JoinType, nullSafe bool) ([]core.Row, *core.Metrics) {
	t.Helper()
	spec := &planner.WindowJoinOp{Type: typ, LeftKeys: []int{1}, RightKeys: []int{0}, NullSafe: []bool{nullSafe},
		LeftWindowStart: 2, LeftWindowEnd: 3, RightWindowStart: 2, RightWindowEnd: 3}
	ctx := newCtx()
	op, err := NewWindowJoin(spec, joinLeft, joinRight, ctx)
	mustNoErr(t, err)
	c := &collector{}
	// window [0,10): left L1(k=1) L2(k=2) L3(k=NULL); right R1(k=1) R2(k=3) R3(k=1) R4(k=NULL)
	mustNoErr(t, op.ProcessBatch(0, batch(lrow("L1", bi(1), 0, 10), lrow("L2", bi(2), 0, 10)), c))
	mustNoErr(t, op.ProcessBatch(1, batch(rrow(bi(1), "R1", 0, 10), rrow(bi(3), "R2", 0, 10)), c))
	// window [10,20): L4(k=5) only
	mustNoErr(t, op.ProcessBatch(0, batch(lrow("L4", bi(5), 10, 20), lrow("L3", null, 0, 10)), c))
	mustNoErr(t, op.ProcessBatch(1, batch(rrow(bi(1), "R3", 0, 10), rrow(null, "R4", 0, 10)), c))
	mustNoErr(t, op.ProcessWatermark(8, c))
	if len(c.rows) != 0 {
		t.Fatalf("joined before the window ended: %v", fmtRows(c.rows))
	}
	mustNoErr(t, op.ProcessWatermark(9, c))
	// late on both sides, for the fired window
	mustNoErr(t, op.ProcessBatch(0, batch(lrow("Llate", bi(1), 0, 10)), c))
	mustNoErr(t, op.ProcessBatch(1, batch(rrow(bi(1), "Rlate", 0, 10), rrow(bi(5), "R5", 10, 20)), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	mustNoErr(t, op.Finish(c))
	return c.rows, ctx.Metrics
}

func TestWindowJoinTypes(t *testing.T) {
	L1, L2, L3, L4 := lrow("L1", bi(1), 0, 10), lrow("L2", bi(2), 0, 10), lrow("L3", null, 0, 10), lrow("L4", bi(5), 10, 20)
	R1, R2, R3, R4, R5 := rrow(bi(1), "R1", 0, 10), rrow(bi(3), "R2", 0, 10), rrow(bi(1), "R3", 0, 10), rrow(null, "R4", 0, 10), rrow(bi(5), "R5", 10, 20)
	nullL := core.Row{null, null, null, null}
	nullR := core.Row{null, null, null, null}
	cat := func(a, b core.Row) core.Row { return append(append(core.Row{}, a...), b...) }
	cases := []struct {
		name     string
		typ      planner.JoinType
		nullSafe bool
		want     []core.Row
	}{
		{"inner", planner.JoinInner, false, []core.Row{cat(L1, R1), cat(L1, R3), cat(L4, R5)}},
		{"inner null-safe", planner.JoinInner, true, []core.Row{cat(L1, R1), cat(L1, R3), cat(L3, R4), cat(L4, R5)}},
		{"left", planner.JoinLeft, false, []core.Row{cat(L1, R1), cat(L1, R3), cat(L2, nullR), cat(L3, nullR), cat(L4, R5)}},
		{"right", planner.JoinRight, false, []core.Row{cat(L1, R1), cat(L1, R3), cat(nullL, R2), cat(nullL, R4), cat(L4, R5)}},
		{"full", planner.JoinFull, false, []core.Row{cat(L1, R1), cat(L1, R3), cat(L2, nullR), cat(L3, nullR), cat(nullL, R2), cat(nullL, R4), cat(L4, R5)}},
		{"full null-safe", planner.JoinFull, true, []core.Row{cat(L1, R1), cat(L1, R3), cat(L2, nullR), cat(L3, R4), cat(nullL, R2), cat(L4, R5)}},
		{"semi", planner.JoinSemi, false, []core.Row{L1, L4}},
		{"anti", planner.JoinAnti, false, []core.Row{L2, L3}},
	}
	for _, tc := range cases {
		got, m := runJoin(t, tc.typ, tc.nullSafe)
		sameRows(t, tc.name, got, tc.want)
		if l := m.LateRecordsDropped.Load(); l != 2 {
			t.Errorf("%s: late = %d, want 2 (one per side)", tc.name, l)
		}
		if o := m.OpenWindows.Load(); o != 0 {
			t.Errorf("%s: open windows = %d", tc.name, o)
		}
	}
}

func TestWindowJoinErrors(t *testing.T) {
	bad := []*planner.WindowJoinOp{
		{LeftKeys: []int{1}, RightKeys: nil, LeftWindowStart: 2, LeftWindowEnd: 3, RightWindowStart: 2, RightWindowEnd: 3},
		{LeftKeys: []int{7}, RightKeys: []int{0}, LeftWindowStart: 2, LeftWindowEnd: 3, RightWindowStart: 2, RightWindowEnd: 3},
		{LeftKeys: []int{1}, RightKeys: []int{0}, LeftWindowStart: 2, LeftWindowEnd: 9, RightWindowStart: 2, RightWindowEnd: 3},
	}
	for i, s := range bad {
		if _, err := NewWindowJoin(s, joinLeft, joinRight, newCtx()); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
	op, err := NewWindowJoin(&planner.WindowJoinOp{LeftKeys: []int{1}, RightKeys: []int{0}, LeftWindowStart: 2, LeftWindowEnd: 3, RightWindowStart: 2, RightWindowEnd: 3}, joinLeft, joinRight, newCtx())
	mustNoErr(t, err)
	if err := op.ProcessBatch(2, batch(), &collector{}); err == nil {
		t.Errorf("input 2 accepted")
	}
}

func TestWindowTVF(t *testing.T) {
	schema := planner.Schema{col("v", types.TString), col("ts", types.TTimestampLTZ)}
	ctx := newCtx()
	op, err := NewWindowTVF(&planner.WindowTVFOp{Window: planner.WindowSpec{Kind: sql.Hop, Size: 10, Slide: 5, TimeCol: 1}}, schema, ctx)
	mustNoErr(t, err)
	c := &collector{}
	ltz := types.TimestampLTZValue
	mustNoErr(t, op.ProcessWatermark(100, c))
	// late rows are kept: the TVF only labels
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{str("a"), ltz(4)}, core.Row{str("n"), null}, core.Row{str("b"), ltz(5)}), c))
	want := []core.Row{
		{str("a"), ltz(4), ts(-5), ts(5), ltz(4)},
		{str("a"), ltz(4), ts(0), ts(10), ltz(9)},
		{str("b"), ltz(5), ts(0), ts(10), ltz(9)},
		{str("b"), ltz(5), ts(5), ts(15), ltz(14)},
	}
	sameRows(t, "tvf", c.rows, want)
	if s := ctx.Metrics.RecordsSkipped.Load(); s != 1 {
		t.Errorf("skipped = %d, want 1", s)
	}
	if l := ctx.Metrics.LateRecordsDropped.Load(); l != 0 {
		t.Errorf("late = %d, want 0", l)
	}
	if _, err := NewWindowTVF(&planner.WindowTVFOp{Window: planner.WindowSpec{Kind: sql.Session, Gap: 5, TimeCol: 1}}, schema, ctx); err == nil {
		t.Errorf("SESSION TVF accepted")
	}
}

func TestUnionAndColumnCalc(t *testing.T) {
	u := NewUnion()
	c := &collector{}
	mustNoErr(t, u.ProcessBatch(0, batch(core.Row{bi(1)}), c))
	mustNoErr(t, u.ProcessBatch(1, batch(core.Row{bi(2)}), c))
	sameRows(t, "union", c.rows, []core.Row{{bi(1)}, {bi(2)}})

	// Projections that are plain column references need no compiler.
	op, err := NewCalc(&planner.CalcOp{Projections: []planner.Expr{
		&planner.ColRef{Index: 1, T: types.TString}, &planner.ColRef{Index: 0, T: types.TBigInt},
	}}, newCtx())
	mustNoErr(t, err)
	c = &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{bi(1), str("x")}, core.Row{bi(2), str("y")}), c))
	sameRows(t, "calc", c.rows, []core.Row{{str("x"), bi(1)}, {str("y"), bi(2)}})
}

// Join keys of different but comparable types meet as in their common
// type: DECIMAL scales, integers with DECIMAL or DOUBLE, TIMESTAMP with
// TIMESTAMP_LTZ (the wall clock read in the session time zone).
func TestWindowJoinMixedKeyTypes(t *testing.T) {
	loc := time.FixedZone("UTC+2", 2*3600)
	const h = 3600_000
	cases := []struct {
		name         string
		lt, rt       types.Type
		l, r         types.Value // equal in SQL
		other        types.Value // a right value unequal to l
		wantMatchedL types.Value
	}{
		{"decimal scales", types.DecimalType(5, 1), types.DecimalType(6, 2), dec(15, 1), dec(150, 2), dec(151, 2), dec(15, 1)},
		{"bigint and decimal", types.TBigInt, types.DecimalType(10, 2), bi(3), dec(300, 2), dec(301, 2), bi(3)},
		{"int and double", types.TInt, types.TDouble, i32(3), types.DoubleValue(3), types.DoubleValue(3.5), i32(3)},
		{"decimal and double", types.DecimalType(5, 2), types.TDouble, dec(250, 2), types.DoubleValue(2.5), types.DoubleValue(2.25), dec(250, 2)},
		{"int and bigint", types.TInt, types.TBigInt, i32(7), bi(7), bi(8), i32(7)},
		// 12:00 local (UTC+2) is 10:00Z
		{"timestamp and ltz", types.TTimestamp3, types.TTimestampLTZ, ts(12 * h), types.TimestampLTZValue(10 * h), types.TimestampLTZValue(12 * h), ts(12 * h)},
	}
	for _, tc := range cases {
		left := planner.Schema{col("k", tc.lt), col("ws", types.TTimestamp3), col("we", types.TTimestamp3)}
		right := planner.Schema{col("k", tc.rt), col("ws", types.TTimestamp3), col("we", types.TTimestamp3)}
		spec := &planner.WindowJoinOp{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0},
			LeftWindowStart: 1, LeftWindowEnd: 2, RightWindowStart: 1, RightWindowEnd: 2}
		ctx := newCtx()
		ctx.TimeZone = loc
		op, err := NewWindowJoin(spec, left, right, ctx)
		mustNoErr(t, err)
		c := &collector{}
		mustNoErr(t, op.ProcessBatch(0, batch(core.Row{tc.l, ts(0), ts(10)}), c))
		mustNoErr(t, op.ProcessBatch(1, batch(core.Row{tc.other, ts(0), ts(10)}, core.Row{tc.r, ts(0), ts(10)}), c))
		mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
		sameRows(t, tc.name, c.rows, []core.Row{{tc.wantMatchedL, ts(0), ts(10), tc.r, ts(0), ts(10)}})
	}
}
