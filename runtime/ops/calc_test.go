package ops

import (
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Calc with compiled expressions: filter, arithmetic, CURRENT_WATERMARK.
func TestCalcCompiled(t *testing.T) {
	a := &planner.ColRef{Index: 0, Name: "a", T: types.TBigInt}
	b := &planner.ColRef{Index: 1, Name: "b", T: types.TBigInt}
	rt := &planner.ColRef{Index: 2, Name: "rt", T: types.TTimestamp3}
	spec := &planner.CalcOp{
		Projections: []planner.Expr{
			&planner.Call{Func: "/", Args: []planner.Expr{a, b}, T: types.TBigInt},
			&planner.Call{Func: "CURRENT_WATERMARK", Args: []planner.Expr{rt}, T: types.TTimestamp3},
		},
		Filter: &planner.Call{Func: ">", Args: []planner.Expr{a, &planner.Const{V: bi(0), T: types.TBigInt}}, T: types.TBoolean},
	}
	op, err := NewCalc(spec, newCtx())
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{bi(7), bi(2), ts(1)}, core.Row{bi(-7), bi(2), ts(1)}), c))
	mustNoErr(t, op.ProcessWatermark(500, c))
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{bi(-7), bi(2), ts(1)}, core.Row{bi(9), null, ts(1)}), c))
	// 7/2 = 3 (integer division); NULL watermark before the first one;
	// -7 filtered out; 9/NULL = NULL; watermark 500 after it arrived.
	want := []core.Row{{bi(3), null}, {null, ts(500)}}
	sameRows(t, "calc", c.rows, want)

	// A runtime evaluation error fails the batch with that error.
	err = op.ProcessBatch(0, batch(core.Row{bi(1), bi(0), ts(1)}), c)
	if err == nil || !strings.Contains(err.Error(), "division by zero") {
		t.Errorf("division by zero: err = %v", err)
	}
}

// Window join residual condition over left columns then right columns.
func TestWindowJoinCondition(t *testing.T) {
	// right.v (column 4 + 1 = 5) <> 'R3'
	cond := &planner.Call{Func: "<>", Args: []planner.Expr{
		&planner.ColRef{Index: 5, Name: "v", T: types.TString},
		&planner.Const{V: str("R3"), T: types.TString}}, T: types.TBoolean}
	for _, tc := range []struct {
		typ  planner.JoinType
		want []core.Row
	}{
		{planner.JoinInner, []core.Row{{str("L1"), bi(1), ts(0), ts(10), bi(1), str("R1"), ts(0), ts(10)}}},
		{planner.JoinLeft, []core.Row{
			{str("L1"), bi(1), ts(0), ts(10), bi(1), str("R1"), ts(0), ts(10)},
			{str("L2"), bi(2), ts(0), ts(10), null, null, null, null}}},
		{planner.JoinAnti, []core.Row{{str("L2"), bi(2), ts(0), ts(10)}}},
	} {
		spec := &planner.WindowJoinOp{Type: tc.typ, LeftKeys: []int{1}, RightKeys: []int{0},
			LeftWindowStart: 2, LeftWindowEnd: 3, RightWindowStart: 2, RightWindowEnd: 3, Condition: cond}
		op, err := NewWindowJoin(spec, joinLeft, joinRight, newCtx())
		mustNoErr(t, err)
		c := &collector{}
		// L2 matches R3 by key only, and R3 fails the condition.
		mustNoErr(t, op.ProcessBatch(1, batch(rrow(bi(2), "R3", 0, 10)), c))
		mustNoErr(t, op.ProcessBatch(0, batch(lrow("L1", bi(1), 0, 10)), c))
		mustNoErr(t, op.ProcessBatch(1, batch(rrow(bi(1), "R1", 0, 10)), c))
		mustNoErr(t, op.ProcessBatch(0, batch(lrow("L2", bi(2), 0, 10)), c))
		mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
		sameRows(t, tc.typ.String(), c.rows, tc.want)
	}
}

// A filtering Calc keeps each row's change kind with it.
func TestCalcKeepsKinds(t *testing.T) {
	a := &planner.ColRef{Index: 0, Name: "a", T: types.TBigInt}
	spec := &planner.CalcOp{Projections: []planner.Expr{a},
		Filter: &planner.Call{Func: ">", Args: []planner.Expr{a, &planner.Const{V: bi(0), T: types.TBigInt}}, T: types.TBoolean}}
	for _, reuse := range []bool{false, true} {
		op, err := NewCalc(spec, newCtx())
		mustNoErr(t, err)
		if reuse {
			op.(core.OutputReuser).ReuseOutput()
		}
		var kinds []core.RowKind
		out := outputFunc(func(b *core.Batch) error {
			for i := range b.Rows {
				kinds = append(kinds, b.KindAt(i))
			}
			return nil
		})
		in := batch(core.Row{bi(1)}, core.Row{bi(-1)}, core.Row{bi(2)}, core.Row{bi(3)})
		in.Kinds = []core.RowKind{core.Insert, core.UpdateBefore, core.UpdateBefore, core.UpdateAfter}
		mustNoErr(t, op.ProcessBatch(0, in, out))
		mustNoErr(t, op.ProcessBatch(0, batch(core.Row{bi(4)}), out))
		want := []core.RowKind{core.Insert, core.UpdateBefore, core.UpdateAfter, core.Insert}
		if !slices.Equal(kinds, want) {
			t.Errorf("reuse=%v: kinds %v, want %v", reuse, kinds, want)
		}
	}
}

type outputFunc func(*core.Batch) error

func (f outputFunc) Emit(b *core.Batch) error { return f(b) }
