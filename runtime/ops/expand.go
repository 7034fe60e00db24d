package ops

import (
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// expand emits every input row once per grouping set (ExpandOp): the
// set's columns nulled and its expand id appended, the row's kind and
// watermark kept, the sets in order for each row.
type expand struct {
	nulls [][]int
	ids   []types.Value
}

// NewExpand builds the Expand of GROUPING SETS, ROLLUP and CUBE.
func NewExpand(spec *planner.ExpandOp) core.Operator {
	o := &expand{nulls: spec.Nulls}
	for _, id := range spec.IDs {
		o.ids = append(o.ids, types.Value{K: types.BigInt, I: id})
	}
	return o
}

func (o *expand) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	if b == nil || len(b.Rows) == 0 {
		return nil
	}
	sets := len(o.ids)
	n := len(b.Rows) * sets
	width := len(b.Rows[0]) + 1
	ob := core.NewBatch(n, width)
	if b.Watermarks != nil {
		ob.Watermarks = make([]int64, 0, n)
	}
	if b.Kinds != nil {
		ob.Kinds = make([]core.RowKind, 0, n)
	}
	i := 0
	for ri, row := range b.Rows {
		for s, nulls := range o.nulls {
			dst := ob.Rows[i]
			copy(dst, row)
			for _, c := range nulls {
				dst[c] = types.NullValue
			}
			dst[width-1] = o.ids[s]
			if b.Watermarks != nil {
				ob.Watermarks = append(ob.Watermarks, b.Watermarks[ri])
			}
			if b.Kinds != nil {
				ob.Kinds = append(ob.Kinds, b.Kinds[ri])
			}
			i++
		}
	}
	return out.Emit(ob)
}

func (o *expand) ProcessWatermark(int64, core.Output) error { return nil }
func (o *expand) Finish(core.Output) error                  { return nil }
