package ops

import (
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Fusing a Calc into the window or group aggregation that reads it.
//
// The planner puts a Calc in front of every aggregation: it keeps
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
// late-rows output, or a group aggregation without a state TTL (its TTL
// reads the key from the input row), and spec has the shape described
// above. It returns the operator to run in the Calc's place (a
// pass-through) and true, or nil and false with agg unchanged. Call it
// after the graph is wired (SetLateOutput) and before the job runs.
func FuseCalc(spec *planner.CalcOp, agg core.Operator) (core.Operator, bool) {
	if spec == nil || spec.Filter != nil {
		return nil, false
	}
	fz, ok := newFusion(spec)
	if !ok {
		return nil, false
	}
	switch o := agg.(type) {
	case *windowAgg:
		if o.late.out != nil {
			return nil, false
		}
		timeCol, ok := fz.plain(o.timeCol)
		if !ok {
			return nil, false
		}
		startCol := -1
		if o.startCol >= 0 {
			if startCol, ok = fz.plain(o.startCol); !ok {
				return nil, false
			}
		}
		keys, fns, ok := fz.remap(o.keys, o.agg.fns)
		if !ok {
			return nil, false
		}
		o.timeCol, o.startCol, o.keys, o.agg.fns = timeCol, startCol, keys, fns
		return passThrough{}, true
	case *groupAgg:
		if o.ttl != nil {
			return nil, false
		}
		keys, fns, ok := fz.remap(o.keys, o.fns)
		if !ok {
			return nil, false
		}
		o.keys, o.fns = keys, fns
		return passThrough{}, true
	}
	return nil, false
}

// fusion is what a fusable Calc's output columns are: an input column,
// or an input STRING column compared with a constant.
type fusion struct{ srcs []fusedCol }

type fusedCol struct {
	col int
	eq  string
	cmp bool // col = eq
}

func newFusion(spec *planner.CalcOp) (fusion, bool) {
	srcs := make([]fusedCol, len(spec.Projections))
	for i, p := range spec.Projections {
		switch e := p.(type) {
		case *planner.ColRef:
			if e.Index < 0 {
				return fusion{}, false
			}
			srcs[i] = fusedCol{col: e.Index}
		case *planner.Call:
			c, k, ok := stringEqConst(e)
			if !ok {
				return fusion{}, false
			}
			srcs[i] = fusedCol{col: c, eq: k, cmp: true}
		default:
			return fusion{}, false
		}
	}
	return fusion{srcs}, true
}

// plain is the input column of the Calc's output column i, when that is
// a plain column reference.
func (fz fusion) plain(i int) (int, bool) {
	if i < 0 || i >= len(fz.srcs) || fz.srcs[i].cmp {
		return 0, false
	}
	return fz.srcs[i].col, true
}

// remap gives the group keys and aggregates of an aggregation reading
// the Calc's output as they read the Calc's input (new slices: the
// operator keeps using the old ones when fusing fails).
func (fz fusion) remap(oldKeys []int, oldFns []aggFn) ([]int, []aggFn, bool) {
	keys := make([]int, len(oldKeys))
	for i, k := range oldKeys {
		var ok bool
		if keys[i], ok = fz.plain(k); !ok {
			return nil, nil, false
		}
	}
	fns := make([]aggFn, len(oldFns))
	copy(fns, oldFns)
	for i := range fns {
		f := &fns[i]
		if f.arg >= 0 {
			var ok bool
			if f.arg, ok = fz.plain(f.arg); !ok {
				return nil, nil, false
			}
		}
		if f.filter >= 0 {
			if f.filter >= len(fz.srcs) {
				return nil, nil, false
			}
			s := fz.srcs[f.filter]
			f.filter = s.col
			f.filterEq, f.eq = s.cmp, s.eq
		}
	}
	return keys, fns, true
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

// BorrowsBatches: it only hands the batch to its consumer, a window or
// group aggregation, which borrows it.
func (passThrough) BorrowsBatches() {}
