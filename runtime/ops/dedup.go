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

// dedup is an event-time deduplication (planner.RankOp with Dedup, no
// window), ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime) = 1:
//
//   - keep the last row (ORDER BY rowtime DESC, Flink's
//     RowTimeDeduplicateFunction): at once, +I for a key's first row, then
//     -U (previous) and +U (new) for each row whose rowtime is not before
//     the kept one's; an earlier row is ignored. No watermark is used.
//   - keep the first row (ORDER BY rowtime ASC, Flink's
//     RowTimeDeduplicateKeepFirstRowFunction): the key's earliest row
//     (ties: the first to arrive) is held until the watermark reaches its
//     rowtime, then emitted once (+I, insert-only); later rows of the key
//     are ignored. A row whose rowtime is below the watermark when it
//     arrives is late: dropped and counted.
//
// State: one entry per key (core.KeyedState), and the watermark; with a
// state TTL a key not written for the TTL is dropped (a held keep-first
// row with it).
type dedup struct {
	spec    *planner.RankOp
	tcol    int
	last    bool
	keys    map[string]*dedupKey
	pending dedupHeap // keep-first keys waiting for the watermark
	wm      int64
	seq     uint64
	metrics *core.Metrics
	keyBuf  []byte
	ttl     *StateTTL
}

type dedupKey struct {
	key     string
	vals    []types.Value // the partition key's values
	row     core.Row      // the kept row; nil once a keep-first row is emitted
	ts      int64
	seq     uint64 // when the held row arrived (keep-first firing order)
	emitted bool
	index   int // in pending, -1 when not there
}

type dedupHeap []*dedupKey

func (h dedupHeap) Len() int { return len(h) }
func (h dedupHeap) Less(i, j int) bool {
	if h[i].ts != h[j].ts {
		return h[i].ts < h[j].ts
	}
	return h[i].seq < h[j].seq
}
func (h dedupHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *dedupHeap) Push(x any)   { k := x.(*dedupKey); k.index = len(*h); *h = append(*h, k) }
func (h *dedupHeap) Pop() any {
	old := *h
	k := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	k.index = -1
	return k
}

func newDedup(spec *planner.RankOp, _ planner.Schema, ctx *core.Context) (core.Operator, error) {
	m, _ := metricsOf(ctx)
	return &dedup{spec: spec, tcol: spec.OrderKeys[0].Col, last: spec.Dedup == planner.KeepLast,
		keys: map[string]*dedupKey{}, wm: core.MinWatermark, metrics: m,
		ttl: NewStateTTL(spec.StateTTL, ctx, tableTTL, 0, spec.PartitionKeys)}, nil
}

// dropKey removes an expired key (StateTTL).
func (o *dedup) dropKey(key string) {
	if k := o.keys[key]; k != nil && k.index >= 0 {
		heap.Remove(&o.pending, k.index)
	}
	delete(o.keys, key)
}

func (o *dedup) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	o.ttl.Sweep(o.dropKey)
	var ob core.Batch
	var late, skipped int64
	for ri, row := range b.Rows {
		if b.Watermarks != nil && b.Watermarks[ri] > o.wm {
			if err := o.advance(b.Watermarks[ri], out); err != nil {
				return err
			}
		}
		if b.KindAt(ri).IsRetract() {
			return fmt.Errorf("deduplication: its input must be insert-only, got a %s row", b.KindAt(ri))
		}
		t := row[o.tcol]
		if t.K == types.Null {
			skipped++
			continue
		}
		o.keyBuf = partKey(o.keyBuf, o.spec.PartitionKeys, row)
		k := o.keys[string(o.keyBuf)]
		if o.last {
			kind := core.Insert
			switch {
			case k == nil:
				k = o.newKey(row)
			case t.I < k.ts:
				continue
			default:
				appendKind(&ob, b, ri, core.UpdateBefore, k.row)
				kind = core.UpdateAfter
			}
			k.row, k.ts = slices.Clone(row), t.I
			o.ttl.Touch(k.key, row)
			appendKind(&ob, b, ri, kind, k.row)
			continue
		}
		if t.I < o.wm {
			late++
			continue
		}
		if k == nil {
			k = o.newKey(row)
		}
		if k.emitted || k.row != nil && t.I >= k.ts {
			continue
		}
		o.seq++
		k.row, k.ts, k.seq = slices.Clone(row), t.I, o.seq
		o.ttl.Touch(k.key, row)
		if k.index < 0 {
			heap.Push(&o.pending, k)
		} else {
			heap.Fix(&o.pending, k.index)
		}
	}
	if late > 0 {
		o.metrics.LateRecordsDropped.Add(late)
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	if len(ob.Rows) == 0 {
		return nil
	}
	return out.Emit(&ob)
}

func (o *dedup) newKey(row core.Row) *dedupKey {
	k := &dedupKey{key: string(o.keyBuf), index: -1, vals: make([]types.Value, len(o.spec.PartitionKeys))}
	for i, c := range o.spec.PartitionKeys {
		k.vals[i] = row[c]
	}
	o.keys[k.key] = k
	return k
}

// appendKind appends row with kind k, carrying input row ri's watermark.
func appendKind(ob *core.Batch, b *core.Batch, ri int, k core.RowKind, row core.Row) {
	ob.Rows = append(ob.Rows, row)
	ob.Kinds = append(ob.Kinds, k)
	if b.Watermarks != nil {
		ob.Watermarks = append(ob.Watermarks, b.Watermarks[ri])
	}
}

func (o *dedup) ProcessWatermark(wm int64, out core.Output) error {
	o.ttl.Sweep(o.dropKey)
	return o.advance(wm, out)
}

// advance emits the held first rows whose rowtime the watermark reached.
func (o *dedup) advance(wm int64, out core.Output) error {
	if wm <= o.wm {
		return nil
	}
	prev := o.wm
	o.wm = wm
	o.metrics.CurrentWatermark.Store(wm)
	var rows []core.Row
	for o.pending.Len() > 0 && o.pending[0].ts <= wm {
		k := heap.Pop(&o.pending).(*dedupKey)
		rows = append(rows, k.row)
		k.row, k.emitted = nil, true
	}
	if len(rows) == 0 {
		return nil
	}
	return out.Emit(&core.Batch{Rows: rows, Watermarks: constWatermarks(len(rows), prev)})
}

func (o *dedup) Finish(core.Output) error { return nil }

// BorrowsBatches: dedup copies the rows it keeps.
func (o *dedup) BorrowsBatches() {}

// Snapshot: the watermark and arrival counter, then one entry per key:
// its key values, whether its first row was emitted, the held row's
// rowtime, arrival number and values.
func (o *dedup) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm, int64(o.seq)); err != nil {
		return err
	}
	keys := sortedKeys(o.keys)
	var b []byte
	for _, k := range keys {
		d := o.keys[k]
		b = b[:0]
		for _, v := range d.vals {
			b = core.AppendValue(b, v)
		}
		b = append(b, boolByte(d.emitted))
		b = binary.AppendVarint(b, d.ts)
		b = binary.AppendUvarint(b, d.seq)
		b = core.AppendRow(b, d.row)
		if err := w.Put(tableWindow, []byte(k), b); err != nil {
			return err
		}
	}
	return o.ttl.Snapshot(w)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Restore reads back what Snapshot wrote (several subtasks' entries after
// rescaling) and rebuilds the keep-first queue.
func (o *dedup) Restore(r core.StateReader) error {
	var seq int64
	if err := readMeta(r, &o.wm, &seq); err != nil {
		return err
	}
	o.seq = uint64(seq)
	o.keys = map[string]*dedupKey{}
	o.pending = o.pending[:0]
	if err := o.ttl.Restore(r); err != nil {
		return fmt.Errorf("deduplication state: %w", err)
	}
	return r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		k := &dedupKey{key: string(key), index: -1, vals: readKeyValues(d, len(o.spec.PartitionKeys))}
		k.emitted = d.Byte() == 1
		k.ts = d.Varint()
		k.seq = d.Uvarint()
		k.row = d.Row()
		if len(k.row) == 0 {
			k.row = nil
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("deduplication state: %w", err)
		}
		o.keys[k.key] = k
		o.ttl.Adopt(k.key, k.vals)
		if !o.last && !k.emitted && k.row != nil {
			heap.Push(&o.pending, k)
		}
		return nil
	})
}

// EntryKey implements core.KeyedState: a key's entry starts with its
// key values.
func (o *dedup) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return entryKey(table, value, func() (int, []int, []types.Value, bool, error) {
		return groupEntryKey(table, value, o.spec.PartitionKeys)
	})
}

var _ core.KeyedState = (*dedup)(nil)
