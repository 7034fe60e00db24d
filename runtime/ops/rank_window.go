package ops

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// windowRank is a window Top-N or window deduplication (planner.RankOp
// with Window), Flink's WindowRankOperator / WindowDeduplicateOperator:
// rows are buffered per window, in arrival order, until the watermark
// reaches window_end - 1 ms; then, for each partition (in the order its
// first row arrived), the rows ranked RankStart..RankEnd are emitted once
// as inserts, with their row number when selected. Ranking sorts by the
// order keys, ties in arrival order; a deduplication keeps the row with
// the earliest rowtime (the first of equal ones) or the latest (the last
// of equal ones). A row of a window that has already fired is late:
// dropped and counted. State: the buffered rows with their window.
type windowRank struct {
	spec     *planner.RankOp
	ws, we   int
	width    int
	wm       int64
	windows  map[span]*joinWindow // reuses the window join's buffer: left holds the rows
	pending  joinHeap
	metrics  *core.Metrics
	keyBuf   []byte
	outWidth int
}

func newWindowRank(spec *planner.RankOp, in planner.Schema, ctx *core.Context) (core.Operator, error) {
	w := spec.Window
	if w.Start < 0 || w.Start >= len(in) || w.End < 0 || w.End >= len(in) {
		return nil, fmt.Errorf("window rank: window columns %d, %d out of range (input has %d columns)", w.Start, w.End, len(in))
	}
	m, _ := metricsOf(ctx)
	out := len(in)
	if spec.OutputRankNumber {
		out++
	}
	return &windowRank{spec: spec, ws: w.Start, we: w.End, width: len(in), wm: core.MinWatermark,
		windows: map[span]*joinWindow{}, metrics: m, outWidth: out}, nil
}

func (o *windowRank) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	var late, skipped int64
	for ri, row := range b.Rows {
		if b.Watermarks != nil && b.Watermarks[ri] > o.wm {
			if err := o.advance(b.Watermarks[ri], out); err != nil {
				return err
			}
		}
		if b.KindAt(ri).IsRetract() {
			return fmt.Errorf("%s: its input must be insert-only, got a %s row", o.name(), b.KindAt(ri))
		}
		if len(row) != o.width {
			return fmt.Errorf("%s: row has %d columns, want %d", o.name(), len(row), o.width)
		}
		s, e := row[o.ws], row[o.we]
		if s.K == types.Null || e.K == types.Null || !timeInRange(s.I) || !timeInRange(e.I) {
			skipped++
			continue
		}
		sp := span{Start: s.I, End: e.I}
		w := o.windows[sp]
		if w == nil {
			if sp.End-1 <= o.wm {
				late++
				continue
			}
			w = &joinWindow{span: sp, fire: sp.End - 1}
			o.windows[sp] = w
			heap.Push(&o.pending, w)
		}
		w.left = append(w.left, slices.Clone(row))
	}
	if late > 0 {
		o.metrics.LateRecordsDropped.Add(late)
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	return nil
}

func (o *windowRank) name() string {
	if o.spec.Dedup != planner.NoDedup {
		return "window deduplication"
	}
	return "window rank"
}

func (o *windowRank) ProcessWatermark(wm int64, out core.Output) error { return o.advance(wm, out) }

func (o *windowRank) advance(wm int64, out core.Output) error {
	if wm <= o.wm {
		return nil
	}
	prev := o.wm
	o.wm = wm
	o.metrics.CurrentWatermark.Store(wm)
	var rows []core.Row
	for o.pending.Len() > 0 && o.pending[0].fire <= wm {
		w := heap.Pop(&o.pending).(*joinWindow)
		delete(o.windows, w.span)
		rows = o.fire(w.left, rows)
	}
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	if len(rows) == 0 {
		return nil
	}
	return out.Emit(&core.Batch{Rows: rows, Watermarks: constWatermarks(len(rows), prev)})
}

// fire ranks one window's rows, partition by partition.
func (o *windowRank) fire(buf []core.Row, rows []core.Row) []core.Row {
	var order []string
	parts := map[string][]core.Row{}
	for _, r := range buf {
		o.keyBuf = partKey(o.keyBuf, o.spec.PartitionKeys, r)
		if _, ok := parts[string(o.keyBuf)]; !ok {
			order = append(order, string(o.keyBuf))
		}
		parts[string(o.keyBuf)] = append(parts[string(o.keyBuf)], r)
	}
	emit := func(r core.Row, rn int64) {
		row := make(core.Row, o.outWidth)
		copy(row, r)
		if o.spec.OutputRankNumber {
			row[o.width] = types.Value{K: types.BigInt, I: rn}
		}
		rows = append(rows, row)
	}
	for _, k := range order {
		ps := parts[k]
		if o.spec.Dedup != planner.NoDedup {
			t := o.spec.OrderKeys[0].Col
			keep := ps[0]
			for _, r := range ps[1:] {
				c := types.Compare(r[t], keep[t])
				if o.spec.Dedup == planner.KeepFirst && c < 0 || o.spec.Dedup == planner.KeepLast && c >= 0 {
					keep = r
				}
			}
			emit(keep, 1)
			continue
		}
		slices.SortStableFunc(ps, func(a, b core.Row) int { return compareRows(o.spec.OrderKeys, a, b) })
		for i := o.spec.RankStart - 1; i < o.spec.RankEnd && i < int64(len(ps)); i++ {
			emit(ps[i], i+1)
		}
	}
	return rows
}

func (o *windowRank) Finish(core.Output) error { return nil }

// BorrowsBatches: windowRank copies the rows it keeps.
func (o *windowRank) BorrowsBatches() {}

// Snapshot: the watermark, then every buffered row keyed by its window
// and its place in the window's arrival order.
func (o *windowRank) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm); err != nil {
		return err
	}
	var k, v []byte
	for _, win := range o.pending {
		for i, row := range win.left {
			k = appendSpanKey(k[:0], win.span)
			k = binary.BigEndian.AppendUint32(k, uint32(i))
			v = core.AppendRow(v[:0], row)
			if err := w.Put(tableWindow, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Restore reads back what Snapshot wrote. After rescaling, one window's
// rows may come from several subtasks: each partition's rows keep their
// arrival order (a partition lived on one subtask).
func (o *windowRank) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm); err != nil {
		return err
	}
	o.windows = map[span]*joinWindow{}
	o.pending = o.pending[:0]
	return r.Scan(tableWindow, func(k, v []byte) error {
		sp, rest, err := readSpanKey(k)
		if err != nil {
			return err
		}
		if len(rest) != 4 {
			return fmt.Errorf("%w: window rank key of %d bytes", core.ErrBadState, len(k))
		}
		d := core.NewStateDecoder(v)
		row := d.Row()
		if err := d.Err(); err != nil {
			return err
		}
		w := o.windows[sp]
		if w == nil {
			w = &joinWindow{span: sp, fire: sp.End - 1}
			o.windows[sp] = w
			heap.Push(&o.pending, w)
		}
		w.left = append(w.left, row)
		return nil
	})
}

// EntryKey implements core.KeyedState: a buffered row belongs to its
// partition key, read from the row.
func (o *windowRank) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	if table != tableWindow {
		return 0, nil, nil, false, nil
	}
	d := core.NewStateDecoder(value)
	row := d.Row()
	if err := d.Err(); err != nil {
		return 0, nil, nil, false, err
	}
	return 0, nil, row, true, nil
}

var _ core.KeyedState = (*windowRank)(nil)
