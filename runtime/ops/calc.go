package ops

import (
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
)

// calc projects and filters (CalcOp).
type calc struct {
	proj   []expr.Func
	cols   []int // proj[i] is a plain column reference when cols[i] >= 0
	filter func(c *expr.Ctx, row core.Row) bool
	ectx   expr.Ctx
	wm     int64
	reuse  bool       // consumers are core.Borrowers: out is reused
	out    core.Batch // reused output (rows carved from one slab)
	wmBuf  []int64
	kBuf   []core.RowKind
}

// BorrowsBatches: calc copies values into its own rows.
func (o *calc) BorrowsBatches() {}

// ReuseOutput lets calc reuse its output batch across calls.
func (o *calc) ReuseOutput() { o.reuse = true }

// outBatch is an n-row batch for the output, reused when allowed.
func (o *calc) outBatch(n int, wms bool) *core.Batch {
	if !o.reuse {
		b := core.NewBatch(n, len(o.proj))
		if wms {
			b.Watermarks = make([]int64, n)
		}
		return b
	}
	b := &o.out
	if cap(b.Rows) < n {
		b.Rows = core.NewBatch(n, len(o.proj)).Rows
	}
	b.Rows = b.Rows[:n]
	b.Watermarks = nil
	if wms {
		if cap(o.wmBuf) < n {
			o.wmBuf = make([]int64, n)
		}
		b.Watermarks = o.wmBuf[:n]
	}
	return b
}

// NewCalc compiles spec's projections and filter once.
func NewCalc(spec *planner.CalcOp, ctx *core.Context) (core.Operator, error) {
	if spec == nil {
		return nil, fmt.Errorf("calc: nil spec")
	}
	var loc *time.Location
	if ctx != nil {
		loc = ctx.TimeZone
	}
	if loc == nil {
		loc = time.UTC
	}
	env := &expr.Env{TimeZone: loc}
	o := &calc{proj: make([]expr.Func, len(spec.Projections)), cols: make([]int, len(spec.Projections)),
		wm: core.MinWatermark, ectx: expr.Ctx{TimeZone: loc, Watermark: core.MinWatermark}}
	for i, p := range spec.Projections {
		o.cols[i] = -1
		if c, ok := p.(*planner.ColRef); ok {
			o.cols[i] = c.Index
			continue
		}
		f, err := expr.Compile(p, env)
		if err != nil {
			return nil, fmt.Errorf("calc: projection %d (%s): %w", i, p, err)
		}
		o.proj[i] = f
	}
	if spec.Filter != nil {
		f, err := expr.Compile(spec.Filter, env)
		if err != nil {
			return nil, fmt.Errorf("calc: filter (%s): %w", spec.Filter, err)
		}
		o.filter = expr.Predicate(f)
	}
	return o, nil
}

func (o *calc) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	c := &o.ectx
	c.Watermark = o.wm
	c.Err = nil
	wms := b.Watermarks
	ob := o.outBatch(len(b.Rows), wms != nil)
	kinds := b.Kinds
	if kinds != nil {
		if !o.reuse || cap(o.kBuf) < len(kinds) {
			o.kBuf = make([]core.RowKind, len(kinds))
		}
		ob.Kinds = o.kBuf[:len(kinds)]
	} else {
		ob.Kinds = nil
	}
	n := 0
	for ri, row := range b.Rows {
		if wms != nil {
			// the watermark in force before this row (CURRENT_WATERMARK)
			o.wm = max(o.wm, wms[ri])
			c.Watermark = o.wm
			ob.Watermarks[n] = wms[ri]
		}
		if kinds != nil {
			ob.Kinds[n] = kinds[ri]
		}
		if o.filter != nil {
			keep := o.filter(c, row)
			if c.Err != nil {
				return c.Err
			}
			if !keep {
				continue
			}
		}
		dst := ob.Rows[n]
		for i, f := range o.proj {
			if col := o.cols[i]; col >= 0 {
				if col >= len(row) {
					return fmt.Errorf("calc: projection %d reads column %d of a %d-column row", i, col, len(row))
				}
				dst[i] = row[col]
			} else {
				dst[i] = f(c, row)
			}
		}
		if c.Err != nil {
			return c.Err
		}
		n++
	}
	if n == 0 {
		return nil
	}
	ob.Rows = ob.Rows[:n]
	if wms != nil {
		ob.Watermarks = ob.Watermarks[:n]
	}
	if kinds != nil {
		ob.Kinds = ob.Kinds[:n]
	}
	return out.Emit(ob)
}

func (o *calc) ProcessWatermark(wm int64, _ core.Output) error {
	if wm > o.wm {
		o.wm = wm
	}
	return nil
}

func (o *calc) Finish(core.Output) error { return nil }

// union forwards every input batch unchanged (UNION ALL). Batches are
// immutable once emitted, so forwarding the same batch is safe.
type union struct{}

// NewUnion returns the UNION ALL operator.
func NewUnion() core.Operator { return union{} }

func (union) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	if b == nil || len(b.Rows) == 0 {
		return nil
	}
	return out.Emit(b)
}
func (union) ProcessWatermark(int64, core.Output) error { return nil }
func (union) Finish(core.Output) error                  { return nil }
