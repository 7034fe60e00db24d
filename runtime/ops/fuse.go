package ops

import (
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Fusing a Calc into the window aggregation that reads it.
//
// The planner puts a Calc in front of every window aggregation: it keeps
// the columns the aggregation reads and computes each FILTER predicate as
// a BOOLEAN column (`event_type = 'view' AS $f2`). Run as an operator it
// copies every kept value into a row of its own and evaluates the
// predicates through closures, only for the aggregation to read them
// back. When the Calc has no filter and every projection is a plain column
// reference or a column compared for equality with a non-NULL string
// constant, nothing it does can fail or depend on the watermark, and the
// aggregation can read the Calc's input directly: its time column, group
// keys and arguments through the column references, its FILTERs by
// comparing the string column with the constant itself. The Calc's node
// then forwards batches unchanged (FuseCalc's pass-through), so counters,
// watermarks and batch boundaries stay as they were.

// FuseCalc folds the Calc spec, whose only consumer is the operator agg,
// into agg when agg is a TUMBLE/HOP/CUMULATE window aggregation without a
// late-rows output and spec has the shape described above. It returns
// the operator to run in the Calc's place (a pass-through) and true, or
// nil and false with agg unchanged. Call it after the graph is wired
// (SetLateOutput) and before the job runs.
func FuseCalc(spec *planner.CalcOp, agg core.Operator) (core.Operator, bool) {
	o, ok := agg.(*windowAgg)
	if !ok || spec == nil || spec.Filter != nil || o.late.out != nil {
		return nil, false
	}
	type src struct {
		col int
		eq  string
		cmp bool // col = eq
	}
	srcs := make([]src, len(spec.Projections))
	for i, p := range spec.Projections {
		switch e := p.(type) {
		case *planner.ColRef:
			if e.Index < 0 {
				return nil, false
			}
			srcs[i] = src{col: e.Index}
		case *planner.Call:
			c, k, ok := stringEqConst(e)
			if !ok {
				return nil, false
			}
			srcs[i] = src{col: c, eq: k, cmp: true}
		default:
			return nil, false
		}
	}
	plain := func(i int) (int, bool) {
		if i < 0 || i >= len(srcs) || srcs[i].cmp {
			return 0, false
		}
		return srcs[i].col, true
	}
	timeCol, ok := plain(o.timeCol)
	if !ok {
		return nil, false
	}
	startCol := -1
	if o.startCol >= 0 {
		if startCol, ok = plain(o.startCol); !ok {
			return nil, false
		}
	}
	keys := make([]int, len(o.keys))
	for i, k := range o.keys {
		if keys[i], ok = plain(k); !ok {
			return nil, false
		}
	}
	fns := make([]aggFn, len(o.agg.fns))
	copy(fns, o.agg.fns)
	for i := range fns {
		f := &fns[i]
		if f.arg >= 0 {
			if f.arg, ok = plain(f.arg); !ok {
				return nil, false
			}
		}
		if f.filter >= 0 {
			if f.filter >= len(srcs) {
				return nil, false
			}
			s := srcs[f.filter]
			f.filter = s.col
			f.filterEq, f.eq = s.cmp, s.eq
		}
	}
	o.timeCol, o.startCol, o.keys, o.agg.fns = timeCol, startCol, keys, fns
	return passThrough{}, true
}

// stringEqConst recognises `col = 'text'` (either order) over STRING
// operands with a non-NULL constant.
func stringEqConst(e *planner.Call) (int, string, bool) {
	if e.Func != "=" || len(e.Args) != 2 {
		return 0, "", false
	}
	c, ok1 := e.Args[0].(*planner.ColRef)
	k, ok2 := e.Args[1].(*planner.Const)
	if !ok1 || !ok2 {
		c, ok1 = e.Args[1].(*planner.ColRef)
		k, ok2 = e.Args[0].(*planner.Const)
	}
	if !ok1 || !ok2 || c.Index < 0 || c.T.Kind != types.String || k.T.Kind != types.String || k.V.K != types.String {
		return 0, "", false
	}
	return c.Index, k.V.S, true
}

// passThrough forwards every batch unchanged: a fused Calc's node.
type passThrough struct{}

func (passThrough) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	if b == nil || len(b.Rows) == 0 {
		return nil
	}
	return out.Emit(b)
}
func (passThrough) ProcessWatermark(int64, core.Output) error { return nil }
func (passThrough) Finish(core.Output) error                  { return nil }

// BorrowsBatches: it only hands the batch to its consumer, a window
// aggregation, which borrows it.
func (passThrough) BorrowsBatches() {}
