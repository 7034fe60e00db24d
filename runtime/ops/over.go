package ops

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// overAgg is an OVER aggregation ordered by the rowtime (planner.OverAggOp),
// Flink's RowTime{Rows,Range}{Bounded,Unbounded}PrecedingFunction. Rows are
// kept per partition until the watermark passes their rowtime (an event
// time timer at the row's rowtime), then processed in rowtime order, rows
// of one rowtime in arrival order; each is emitted once, as an insert,
// with the aggregates over its frame:
//
//   - ROWS BETWEEN n PRECEDING: the row and the n rows processed before it;
//   - RANGE BETWEEN INTERVAL PRECEDING: every row of the partition whose
//     rowtime is in [ts - interval, ts]; rows of one rowtime share their
//     result (they are all accumulated before any is emitted);
//   - UNBOUNDED PRECEDING: every row processed so far (RANGE: rows of one
//     rowtime share their result, ROWS: each row adds itself in turn).
//
// Late rows are dropped and counted (and handed to the late-rows side
// output) as Flink drops them: with a bounded frame a row is late when
// its rowtime is not after the last timer the partition fired (0 before
// the first, so rowtimes <= 0 are late too); with an unbounded frame
// when it is not after the operator's watermark. As in Flink's
// RowTimeRangeBoundedPrecedingFunction, a RANGE partition registers a
// cleanup timer at ts + 1.5 x interval + 1 and forgets everything,
// including its last fired timer, when it fires with no newer row.
//
// State is one entry per partition (core.KeyedState), so it is split by
// key group at parallelism > 1 and on restore. With a state TTL a
// partition that received no row for the TTL is dropped, its waiting rows
// with it (Flink's processing-time cleanup of OVER state).
type overAgg struct {
	keys      []int
	timeCol   int
	rows      bool
	unbounded bool
	preceding int64
	width     int // input columns
	fold      *groupAgg
	parts     map[string]*overPart
	timers    keyTimers
	wm        int64
	metrics   *core.Metrics
	late      lateOut
	buf       []byte
	ob        core.Batch // output of one advance
	ttl       *StateTTL
}

// overPart is one partition's state.
type overPart struct {
	key       []types.Value
	acc       *aggGroup            // the accumulators over the current frame
	kept      []overRow            // processed rows still in the frame (bounded), in processing order
	pending   map[int64][]core.Row // rows waiting for the watermark, by rowtime
	timers    map[int64]bool       // event-time timers registered
	lastTs    int64                // the last timer fired (bounded; 0 = none)
	cleanupTs int64                // RANGE bounded: the cleanup timer (0 = none)
	count     int64                // ROWS bounded: rows in the frame before the current one, up to n
}

type overRow struct {
	ts  int64
	row core.Row
}

// NewOverAgg builds the operator for spec over input schema in.
func NewOverAgg(spec *planner.OverAggOp, in planner.Schema, ctx *core.Context) (core.Operator, error) {
	fns, err := newAggFns(spec.Aggs, in)
	if err != nil {
		return nil, err
	}
	for _, k := range append(slices.Clone(spec.PartitionKeys), spec.OrderKey) {
		if k < 0 || k >= len(in) {
			return nil, fmt.Errorf("OVER column %d out of range (input has %d columns)", k, len(in))
		}
	}
	m, _ := metricsOf(ctx)
	return &overAgg{keys: spec.PartitionKeys, timeCol: spec.OrderKey, rows: spec.Rows, unbounded: spec.Unbounded,
		preceding: spec.Preceding, width: len(in), fold: &groupAgg{fns: fns}, parts: map[string]*overPart{},
		wm: core.MinWatermark, metrics: m, ttl: NewStateTTL(spec.StateTTL, ctx, tableTTL, 0, spec.PartitionKeys)}, nil
}

// dropPart removes an expired partition (StateTTL); its timers find it
// gone.
func (o *overAgg) dropPart(key string) { delete(o.parts, key) }

func (o *overAgg) SetLateOutput(out core.Output) { o.late.out = out }

func (o *overAgg) newPart(row core.Row) *overPart {
	p := &overPart{key: make([]types.Value, len(o.keys)), pending: map[int64][]core.Row{}, timers: map[int64]bool{}}
	for i, k := range o.keys {
		p.key[i] = row[k]
	}
	p.acc = o.fold.newGroup(nil)
	return p
}

func (o *overAgg) register(key string, p *overPart, ts int64) {
	if !p.timers[ts] {
		p.timers[ts] = true
		heap.Push(&o.timers, keyTimer{ts: ts, key: key})
	}
}

func (o *overAgg) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	o.ttl.Sweep(o.dropPart)
	var late, skipped int64
	for ri, row := range b.Rows {
		if b.Watermarks != nil && b.Watermarks[ri] > o.wm {
			if err := o.advance(b.Watermarks[ri], out); err != nil {
				return err
			}
		}
		tv := row[o.timeCol]
		if tv.K == types.Null {
			skipped++
			continue
		}
		ts := tv.I
		o.buf = o.buf[:0]
		for _, k := range o.keys {
			o.buf = types.AppendKey(o.buf, row[k])
		}
		p := o.parts[string(o.buf)]
		var last int64
		switch {
		case o.unbounded:
			last = o.wm
		case p != nil:
			last = p.lastTs
		}
		if ts <= last {
			late++
			o.late.add(0, span{Start: ts, End: ts}, o.wm, row)
			continue
		}
		key := string(o.buf)
		if p == nil {
			p = o.newPart(row)
			o.parts[key] = p
		}
		p.pending[ts] = append(p.pending[ts], row)
		o.ttl.Touch(key, row)
		o.register(key, p, ts)
		if !o.unbounded && !o.rows {
			// RowTimeRangeBoundedPrecedingFunction.registerCleanupTimer
			lo, hi := ts+o.preceding+1, ts+int64(float64(o.preceding)*1.5)+1
			if p.cleanupTs == 0 || p.cleanupTs < lo {
				o.register(key, p, hi)
				p.cleanupTs = hi
			}
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
	o.metrics.OpenWindows.Store(int64(len(o.parts)))
	return nil
}

func (o *overAgg) ProcessWatermark(wm int64, out core.Output) error {
	o.ttl.Sweep(o.dropPart)
	return o.advance(wm, out)
}

// advance moves the watermark to wm and fires the timers it passes, in
// rowtime order (partitions in key order within one rowtime).
func (o *overAgg) advance(wm int64, out core.Output) error {
	if wm <= o.wm {
		return nil
	}
	prev := o.wm
	o.wm = wm
	o.metrics.CurrentWatermark.Store(wm)
	o.ob = core.Batch{}
	for o.timers.Len() > 0 && o.timers[0].ts <= wm {
		t := heap.Pop(&o.timers).(keyTimer)
		p := o.parts[t.key]
		if p == nil || !p.timers[t.ts] {
			continue
		}
		delete(p.timers, t.ts)
		o.fire(t.key, p, t.ts)
	}
	o.metrics.OpenWindows.Store(int64(len(o.parts)))
	if len(o.ob.Rows) == 0 {
		return nil
	}
	o.ob.Watermarks = constWatermarks(len(o.ob.Rows), prev)
	b := o.ob
	o.ob = core.Batch{}
	return out.Emit(&b)
}

// fire is the partition's timer at ts (Flink's onTimer).
func (o *overAgg) fire(key string, p *overPart, ts int64) {
	if !o.unbounded && !o.rows && p.cleanupTs != 0 && p.cleanupTs <= ts {
		delete(o.parts, key) // nothing newer arrived: forget the partition
		o.ttl.Forget(key)
		return
	}
	rows := p.pending[ts]
	delete(p.pending, ts)
	if len(rows) > 0 {
		switch {
		case o.unbounded && o.rows:
			for _, r := range rows {
				o.fold.fold(p.acc, r, false)
				o.emit(r, p.acc)
			}
		case o.unbounded:
			for _, r := range rows {
				o.fold.fold(p.acc, r, false)
			}
			for _, r := range rows {
				o.emit(r, p.acc)
			}
		case o.rows:
			for _, r := range rows {
				// Flink's precedingOffset for ROWS is n + 1: the frame
				// holds n rows before the current one
				if p.count >= o.preceding+1 && len(p.kept) > 0 {
					o.fold.fold(p.acc, p.kept[0].row, true)
					p.kept[0] = overRow{}
					p.kept = p.kept[1:]
				} else {
					p.count++
				}
				o.fold.fold(p.acc, r, false)
				p.kept = append(p.kept, overRow{ts: ts, row: r})
				o.emit(r, p.acc)
			}
		default:
			n := 0
			for n < len(p.kept) && ts-p.kept[n].ts > o.preceding {
				o.fold.fold(p.acc, p.kept[n].row, true)
				n++
			}
			clear(p.kept[:n])
			p.kept = p.kept[n:]
			for _, r := range rows {
				o.fold.fold(p.acc, r, false)
				p.kept = append(p.kept, overRow{ts: ts, row: r})
			}
			for _, r := range rows {
				o.emit(r, p.acc)
			}
		}
	}
	if !o.unbounded {
		p.lastTs = ts
	}
}

// emit appends row with the current results to the output batch.
func (o *overAgg) emit(row core.Row, g *aggGroup) {
	r := make(core.Row, o.width+len(o.fold.fns))
	copy(r, row)
	for i := range o.fold.fns {
		r[o.width+i] = o.fold.fns[i].result(&g.accs[i])
	}
	o.ob.Rows = append(o.ob.Rows, r)
}

// Finish: the final ProcessWatermark(MaxWatermark) fired every row.
func (o *overAgg) Finish(core.Output) error { return nil }

// BorrowsBatches: overAgg keeps rows of its input batches, which are
// immutable once emitted (core.Batch), so it needs no copies; it does not
// implement Borrower.

// ---------------------------------------------------------------- state

// Snapshot writes the watermark (table 0) and one entry per partition
// (table 1, keyed by its encoded key): key values, last fired timer,
// cleanup timer, row count, accumulators and value counts, the rows in
// the frame, the waiting rows and the timers.
func (o *overAgg) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm); err != nil {
		return err
	}
	var b []byte
	for _, k := range slices.Sorted(maps.Keys(o.parts)) {
		p := o.parts[k]
		b = b[:0]
		for _, v := range p.key {
			b = core.AppendValue(b, v)
		}
		b = binary.AppendVarint(b, p.lastTs)
		b = binary.AppendVarint(b, p.cleanupTs)
		b = binary.AppendVarint(b, p.count)
		b = appendAccs(b, p.acc.accs)
		b = appendValCounts(b, p.acc.vals)
		b = binary.AppendUvarint(b, uint64(len(p.kept)))
		for _, r := range p.kept {
			b = binary.AppendVarint(b, r.ts)
			b = core.AppendRow(b, r.row)
		}
		ts := slices.Sorted(maps.Keys(p.pending))
		b = binary.AppendUvarint(b, uint64(len(ts)))
		for _, t := range ts {
			b = binary.AppendVarint(b, t)
			b = binary.AppendUvarint(b, uint64(len(p.pending[t])))
			for _, r := range p.pending[t] {
				b = core.AppendRow(b, r)
			}
		}
		ts = slices.Sorted(maps.Keys(p.timers))
		b = binary.AppendUvarint(b, uint64(len(ts)))
		for _, t := range ts {
			b = binary.AppendVarint(b, t)
		}
		if err := w.Put(tableWindow, []byte(k), b); err != nil {
			return err
		}
	}
	return o.ttl.Snapshot(w)
}

// Restore reads back what Snapshot wrote (possibly the entries of several
// subtasks, after rescaling).
func (o *overAgg) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm); err != nil {
		return err
	}
	o.parts = map[string]*overPart{}
	o.timers = nil
	if err := o.ttl.Restore(r); err != nil {
		return fmt.Errorf("OVER aggregation state: %w", err)
	}
	err := r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		p := &overPart{key: readKeyValues(d, len(o.keys)), pending: map[int64][]core.Row{}, timers: map[int64]bool{}}
		p.lastTs = d.Varint()
		p.cleanupTs = d.Varint()
		p.count = d.Varint()
		p.acc = &aggGroup{accs: readAccs(d, len(o.fold.fns))}
		p.acc.vals = readValCounts(d, o.fold.fns)
		n := d.Uvarint()
		for i := uint64(0); i < n && !d.Failed(); i++ {
			ts := d.Varint()
			p.kept = append(p.kept, overRow{ts: ts, row: d.Row()})
		}
		n = d.Uvarint()
		for i := uint64(0); i < n && !d.Failed(); i++ {
			ts := d.Varint()
			m := d.Uvarint()
			for j := uint64(0); j < m && !d.Failed(); j++ {
				p.pending[ts] = append(p.pending[ts], d.Row())
			}
		}
		n = d.Uvarint()
		for i := uint64(0); i < n && !d.Failed(); i++ {
			ts := d.Varint()
			p.timers[ts] = true
			o.timers = append(o.timers, keyTimer{ts: ts, key: string(key)})
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("OVER aggregation state: %w", err)
		}
		o.parts[string(key)] = p
		o.ttl.Adopt(string(key), p.key)
		return nil
	})
	heap.Init(&o.timers)
	o.metrics.CurrentWatermark.Store(o.wm)
	o.metrics.OpenWindows.Store(int64(len(o.parts)))
	return err
}

// EntryKey implements core.KeyedState: a partition's entry starts with
// its key values.
func (o *overAgg) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return entryKey(table, value, func() (int, []int, []types.Value, bool, error) { return groupEntryKey(table, value, o.keys) })
}

var _ core.KeyedState = (*overAgg)(nil)
