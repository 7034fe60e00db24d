package ops

import (
	"container/heap"
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
	"github.com/streamsql/streamsql/sql/types"
)

// joinWindow buffers both sides' rows of one window, in arrival order.
type joinWindow struct {
	span
	fire        int64
	left, right []core.Row
}

type joinHeap []*joinWindow

func (h joinHeap) Len() int { return len(h) }
func (h joinHeap) Less(i, j int) bool {
	if h[i].End != h[j].End {
		return h[i].End < h[j].End
	}
	return h[i].Start < h[j].Start
}
func (h joinHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *joinHeap) Push(x any)   { *h = append(*h, x.(*joinWindow)) }
func (h *joinHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}

type windowJoin struct {
	typ            planner.JoinType
	lk, rk         []int
	nullSafe       []bool
	lconv, rconv   []keyConv // per key, to the pair's common type (nil: none needed)
	lws, lwe       int
	rws, rwe       int
	lWidth, rWidth int
	cond           *joinCond
	ectx           expr.Ctx
	metrics        *core.Metrics

	wm      int64
	windows map[span]*joinWindow
	pending joinHeap
	keyBuf  []byte
	late    lateOut // late rows side output (late.go)
}

// NewWindowJoin builds the window join of spec over the left and right
// input schemas. Output: left columns then right columns (SEMI/ANTI: left
// columns only).
func NewWindowJoin(spec *planner.WindowJoinOp, left, right planner.Schema, ctx *core.Context) (core.Operator, error) {
	if spec == nil {
		return nil, fmt.Errorf("window join: nil spec")
	}
	if spec.Type > planner.JoinAnti {
		return nil, fmt.Errorf("window join: unknown join type %d", spec.Type)
	}
	if len(spec.LeftKeys) != len(spec.RightKeys) {
		return nil, fmt.Errorf("window join: %d left keys but %d right keys", len(spec.LeftKeys), len(spec.RightKeys))
	}
	if spec.NullSafe != nil && len(spec.NullSafe) != len(spec.LeftKeys) {
		return nil, fmt.Errorf("window join: %d NullSafe flags for %d keys", len(spec.NullSafe), len(spec.LeftKeys))
	}
	check := func(side string, s planner.Schema, cols ...int) error {
		for _, c := range cols {
			if c < 0 || c >= len(s) {
				return fmt.Errorf("window join: %s column %d out of range (%s input has %d columns)", side, c, side, len(s))
			}
		}
		return nil
	}
	if err := check("left", left, append([]int{spec.LeftWindowStart, spec.LeftWindowEnd}, spec.LeftKeys...)...); err != nil {
		return nil, err
	}
	if err := check("right", right, append([]int{spec.RightWindowStart, spec.RightWindowEnd}, spec.RightKeys...)...); err != nil {
		return nil, err
	}
	m, loc := metricsOf(ctx)
	if loc == nil {
		loc = time.UTC
	}
	o := &windowJoin{
		typ: spec.Type, lk: spec.LeftKeys, rk: spec.RightKeys, nullSafe: spec.NullSafe,
		lws: spec.LeftWindowStart, lwe: spec.LeftWindowEnd, rws: spec.RightWindowStart, rwe: spec.RightWindowEnd,
		lWidth: len(left), rWidth: len(right), metrics: m, wm: core.MinWatermark,
		windows: make(map[span]*joinWindow), ectx: expr.Ctx{TimeZone: loc, Watermark: core.MinWatermark},
	}
	if o.nullSafe == nil {
		o.nullSafe = make([]bool, len(o.lk))
	}
	o.lconv, o.rconv = joinKeyConvs(left, right, o.lk, o.rk)
	var err error
	if o.cond, err = newJoinCond(spec.Condition, len(left), len(right), loc); err != nil {
		return nil, fmt.Errorf("window join: %w", err)
	}
	return o, nil
}

func (o *windowJoin) ProcessBatch(input int, b *core.Batch, out core.Output) error {
	if input != 0 && input != 1 {
		return fmt.Errorf("window join: input %d does not exist (0 is left, 1 is right)", input)
	}
	ws, we, width := o.lws, o.lwe, o.lWidth
	if input == 1 {
		ws, we, width = o.rws, o.rwe, o.rWidth
	}
	var late, skipped int64
	wms := b.Watermarks
	for ri, row := range b.Rows {
		if wms != nil && wms[ri] > o.wm {
			// the watermark moved before this row: join what is due first
			if err := o.advance(wms[ri], out); err != nil {
				return err
			}
		}
		if len(row) != width {
			return fmt.Errorf("window join: %s row has %d columns, want %d", sideName(input), len(row), width)
		}
		s, e := row[ws], row[we]
		if s.K == types.Null || e.K == types.Null || !timeInRange(s.I) || !timeInRange(e.I) {
			skipped++
			continue
		}
		sp := span{Start: s.I, End: e.I}
		w := o.windows[sp]
		if w == nil {
			fire := sp.End - 1
			if fire <= o.wm {
				late++
				o.late.add(input, sp, o.wm, row)
				continue
			}
			w = &joinWindow{span: sp, fire: fire}
			o.windows[sp] = w
			heap.Push(&o.pending, w)
		}
		if input == 0 {
			w.left = append(w.left, row)
		} else {
			w.right = append(w.right, row)
		}
	}
	if late > 0 {
		o.metrics.LateRecordsDropped.Add(late)
		if err := o.late.flush(); err != nil {
			return err
		}
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	return nil
}

func sideName(i int) string {
	if i == 0 {
		return "left"
	}
	return "right"
}

// key encodes a row's join key (types.AppendKey, after conv when the
// pair's types differ); ok is false when a non-null-safe key column is
// NULL (the row matches nothing). IS NOT DISTINCT FROM keys encode NULL
// as a value of its own, so NULL meets NULL.
func (o *windowJoin) key(row core.Row, cols []int, conv []keyConv) (ok bool) {
	o.keyBuf, ok = appendJoinKey(o.keyBuf[:0], row, cols, conv, o.nullSafe, o.ectx.TimeZone)
	return ok
}

// pair is one output row: l and/or r (nil = NULL-padded side).
type pair struct{ l, r core.Row }

func (o *windowJoin) ProcessWatermark(wm int64, out core.Output) error {
	return o.advance(wm, out)
}

// advance moves the watermark to wm and emits the windows it fires.
func (o *windowJoin) advance(wm int64, out core.Output) error {
	if wm <= o.wm {
		return nil
	}
	prev := o.wm
	o.wm = wm
	o.ectx.Watermark = wm
	o.metrics.CurrentWatermark.Store(wm)
	var outs []pair
	for o.pending.Len() > 0 && o.pending[0].fire <= wm {
		w := heap.Pop(&o.pending).(*joinWindow)
		delete(o.windows, w.span)
		var err error
		if outs, err = o.join(w, outs); err != nil {
			return err
		}
	}
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	if len(outs) == 0 {
		return nil
	}
	width := o.lWidth + o.rWidth
	if o.typ == planner.JoinSemi || o.typ == planner.JoinAnti {
		width = o.lWidth
	}
	b := core.NewBatch(len(outs), width)
	b.Watermarks = constWatermarks(len(outs), prev)
	for i, p := range outs {
		row := b.Rows[i]
		if p.l != nil {
			copy(row, p.l)
		}
		if p.r != nil {
			copy(row[o.lWidth:], p.r)
		}
	}
	return out.Emit(b)
}

func (o *windowJoin) join(w *joinWindow, outs []pair) ([]pair, error) {
	idx := make(map[string][]int, len(w.right))
	for j, r := range w.right {
		if o.key(r, o.rk, o.rconv) {
			idx[string(o.keyBuf)] = append(idx[string(o.keyBuf)], j)
		}
	}
	var rMatched []bool
	if o.typ == planner.JoinRight || o.typ == planner.JoinFull {
		rMatched = make([]bool, len(w.right))
	}
	for _, l := range w.left {
		var cands []int
		if o.key(l, o.lk, o.lconv) {
			cands = idx[string(o.keyBuf)]
		}
		matched := false
		for _, j := range cands {
			r := w.right[j]
			ok, err := o.cond.match(&o.ectx, l, r)
			if err != nil {
				return nil, fmt.Errorf("window %w", err)
			}
			if !ok {
				continue
			}
			matched = true
			switch o.typ {
			case planner.JoinSemi, planner.JoinAnti:
			default:
				outs = append(outs, pair{l, r})
				if rMatched != nil {
					rMatched[j] = true
				}
				continue
			}
			break // SEMI/ANTI: one match decides
		}
		switch o.typ {
		case planner.JoinLeft, planner.JoinFull:
			if !matched {
				outs = append(outs, pair{l: l})
			}
		case planner.JoinSemi:
			if matched {
				outs = append(outs, pair{l: l})
			}
		case planner.JoinAnti:
			if !matched {
				outs = append(outs, pair{l: l})
			}
		}
	}
	for j, m := range rMatched {
		if !m {
			outs = append(outs, pair{r: w.right[j]})
		}
	}
	return outs, nil
}

func (o *windowJoin) Finish(core.Output) error { return nil }
