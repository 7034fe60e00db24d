package ops

import (
	"container/heap"
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// group is one group key's state inside one window.
type group struct {
	key     []types.Value // the group key values, copied from the first row
	accs    []acc
	ord     uint32 // first-seen position in its window (emission order; spill.go)
	hot     bool   // updated since the last eviction sweep (spill.go)
	spilled bool   // has an entry in the spill table (spill.go)
}

// aggWindow is the state of one pending window.
type aggWindow struct {
	span
	fire   int64             // watermark at which it fires (end - 1 ms, as an instant)
	groups map[string]*group // encoded group key -> group
	order  []*group          // groups in first-seen order (emission order), by ord once spilled
	next   uint32            // ordinal of the next new group
	mem    int64             // estimated bytes of its groups in memory (with a memory limit)
	spill  *winSpill         // nil until one of its groups is spilled (spill.go)
}

// windowHeap orders pending windows by (end, start).
type windowHeap []*aggWindow

func (h windowHeap) Len() int { return len(h) }
func (h windowHeap) Less(i, j int) bool {
	if h[i].End != h[j].End {
		return h[i].End < h[j].End
	}
	return h[i].Start < h[j].Start
}
func (h windowHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *windowHeap) Push(x any)   { *h = append(*h, x.(*aggWindow)) }
func (h *windowHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}

// windowAgg is the TUMBLE / HOP / CUMULATE window aggregation.
type windowAgg struct {
	assign   assigner
	zone     zone
	timeCol  int
	startCol int // attached windows (planner.WindowSpec.Attached): the window_start column, timeCol its window_end; -1 otherwise
	timeKind types.Kind
	keys     []int
	agg      aggregator
	metrics  *core.Metrics
	width    int

	wm      int64               // current input watermark
	windows map[span]*aggWindow // pending windows
	pending windowHeap          // the same windows, by (end, start)
	last    *aggWindow          // window of the previous row (TUMBLE fast path)
	keyBuf  []byte              // reused group-key encoding
	spans   []span              // reused window assignment
	late    lateOut             // late rows side output (late.go)
	spill   *aggSpill           // nil without state.backend.memory-limit (spill.go)
	gcache  *groupCache         // single-STRING-key lookups by string pointer; nil when unused (groupcache.go)
}

// NewWindowAgg builds the window aggregation for spec: TUMBLE, HOP,
// CUMULATE or SESSION over input schema `in`. Output layout: group keys...,
// aggregates..., window_start, window_end, window_time; `out`, when not
// nil, is checked against it.
func NewWindowAgg(spec *planner.WindowAggOp, in planner.Schema, out planner.Schema, ctx *core.Context) (core.Operator, error) {
	if spec == nil {
		return nil, fmt.Errorf("window aggregate: nil spec")
	}
	timeKind, err := checkTimeCol(in, spec.Window.TimeCol)
	if err != nil {
		return nil, fmt.Errorf("window aggregate: %w", err)
	}
	for _, k := range spec.GroupKeys {
		if k < 0 || k >= len(in) {
			return nil, fmt.Errorf("window aggregate: group key column %d out of range (input has %d columns)", k, len(in))
		}
	}
	fns, err := newAggFns(spec.Aggs, in)
	if err != nil {
		return nil, fmt.Errorf("window aggregate: %w", err)
	}
	setZone(fns, ctx)
	width := len(spec.GroupKeys) + len(spec.Aggs) + 3
	if out != nil && len(out) != width {
		return nil, fmt.Errorf("window aggregate: output schema has %d columns, want %d (keys, aggregates, window_start, window_end, window_time)", len(out), width)
	}
	a, err := newAssigner(spec.Window, true)
	if err != nil {
		return nil, fmt.Errorf("window aggregate: %w", err)
	}
	m, loc := metricsOf(ctx)
	z := newZone(timeKind, loc)
	startCol := -1
	if spec.Window.Attached {
		if _, err := checkTimeCol(in, spec.Window.StartCol); err != nil {
			return nil, fmt.Errorf("window aggregate: attached window_start: %w", err)
		}
		startCol = spec.Window.StartCol
	} else if window.Of(spec.Window.Kind).Merging { // SESSION
		return newSessionAgg(spec, a.kind, fns, timeKind, z, m, width), nil
	}
	sp, err := newAggSpill(ctx, len(spec.GroupKeys), len(fns))
	if err != nil {
		return nil, err
	}
	return &windowAgg{
		assign: a, zone: z, timeCol: spec.Window.TimeCol, startCol: startCol, timeKind: timeKind,
		keys: spec.GroupKeys, agg: aggregator{fns: fns}, metrics: m, width: width,
		wm: core.MinWatermark, windows: make(map[span]*aggWindow), spill: sp,
		gcache: newGroupCache(spec.GroupKeys, in, sp),
	}, nil
}

func metricsOf(ctx *core.Context) (*core.Metrics, *time.Location) {
	if ctx == nil {
		return core.NewMetrics(), nil
	}
	m := ctx.Metrics
	if m == nil {
		m = core.NewMetrics()
	}
	return m, ctx.TimeZone
}

func (o *windowAgg) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	var late, skipped int64
	wms := b.Watermarks
	for ri, row := range b.Rows {
		if wms != nil && wms[ri] > o.wm {
			// the watermark moved before this row: fire what is due first
			if err := o.advance(wms[ri], out); err != nil {
				return err
			}
		}
		tv := row[o.timeCol]
		if tv.K == types.Null || !timeInRange(tv.I) {
			skipped++
			continue
		}
		if o.startCol >= 0 {
			// the row's own window (window propagation)
			sv := row[o.startCol]
			if sv.K == types.Null || !timeInRange(sv.I) {
				skipped++
				continue
			}
			o.spans = append(o.spans[:0], span{Start: sv.I, End: tv.I})
		} else {
			o.spans = o.assign.assign(o.zone.toLocal(tv.I), o.spans[:0])
		}
		keyed := false
		for _, sp := range o.spans {
			w := o.last
			if w == nil || w.span != sp {
				w = o.windows[sp]
			}
			if w == nil {
				fire := o.zone.fireTime(sp.End)
				if fire <= o.wm {
					late++
					o.late.add(0, sp, o.wm, row)
					continue
				}
				w = &aggWindow{span: sp, fire: fire, groups: make(map[string]*group)}
				o.windows[sp] = w
				heap.Push(&o.pending, w)
			}
			o.last = w
			var g *group
			if o.gcache != nil {
				g = o.gcache.get(w, row, o.keys[0]) // groupcache.go
			}
			if g == nil {
				if !keyed {
					o.keyBuf = o.keyBuf[:0]
					for _, k := range o.keys {
						o.keyBuf = types.AppendKey(o.keyBuf, row[k])
					}
					keyed = true
				}
				g = w.groups[string(o.keyBuf)]
				if g == nil && w.spill != nil {
					var err error
					if g, err = o.reload(w); err != nil {
						return err
					}
				}
				if g == nil {
					g = &group{key: make([]types.Value, len(o.keys)), accs: o.agg.newAccs(), ord: w.next}
					w.next++
					for i, k := range o.keys {
						g.key[i] = row[k]
					}
					w.groups[string(o.keyBuf)] = g
					w.order = append(w.order, g)
					if o.spill != nil {
						o.noteGroup(w, len(o.keyBuf))
					}
				}
				if o.gcache != nil {
					o.gcache.put(w, row, o.keys[0], g)
				}
			}
			g.hot = true
			o.agg.update(g.accs, row)
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
	return o.maybeEvict()
}

// A pending window always has fire > wm: it fires (and is removed) as
// soon as the watermark reaches it, so "no pending window and fire <= wm"
// is exactly "that window has already fired".

func (o *windowAgg) ProcessWatermark(wm int64, out core.Output) error {
	return o.advance(wm, out)
}

// advance moves the watermark to wm and emits the windows it fires.
func (o *windowAgg) advance(wm int64, out core.Output) error {
	if wm <= o.wm {
		return nil
	}
	prev := o.wm
	o.wm = wm
	o.metrics.CurrentWatermark.Store(wm)
	n := 0
	var fired []*aggWindow
	for o.pending.Len() > 0 && o.pending[0].fire <= wm {
		w := heap.Pop(&o.pending).(*aggWindow)
		delete(o.windows, w.span)
		if o.last == w {
			o.last = nil
		}
		fired = append(fired, w)
		n += len(w.order)
	}
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	if len(fired) > 0 {
		o.gcache.reset() // keep no fired window alive
	}
	if o.spill != nil {
		return o.fireWithSpill(fired, prev, out)
	}
	if n == 0 {
		return nil
	}
	b := core.NewBatch(n, o.width)
	b.Watermarks = constWatermarks(n, prev)
	r := 0
	nk := len(o.keys)
	for _, w := range fired {
		ws := types.TimestampValue(w.Start)
		we := types.TimestampValue(w.End)
		wt := o.zone.windowTime(w.End, o.timeKind)
		for _, g := range w.order {
			row := b.Rows[r]
			r++
			copy(row, g.key)
			o.agg.results(row[nk:], g.accs)
			row[o.width-3], row[o.width-2], row[o.width-1] = ws, we, wt
		}
	}
	return out.Emit(b)
}

func (o *windowAgg) Finish(core.Output) error { return o.closeSpill() }

// BorrowsBatches: rows are read during ProcessBatch only; kept values are copied.
func (o *windowAgg) BorrowsBatches() {}

// constWatermarks is the Watermarks of a batch an operator emits when its
// watermark moves from prev: every row is under prev downstream, as if
// prev had been forwarded before the batch (see core.Batch).
func constWatermarks(n int, prev int64) []int64 {
	w := make([]int64, n)
	for i := range w {
		w[i] = prev
	}
	return w
}
