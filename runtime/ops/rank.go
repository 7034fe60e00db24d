package ops

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// rank is a Top-N (planner.RankOp without window or deduplication),
// Flink's AppendOnlyTopNFunction (insert-only input) and
// RetractableTopNFunction (updating input). Each partition keeps its rows
// sorted by the order keys, ties in arrival order (a new row goes after
// the rows it ties with); an insert-only input keeps only the first
// RankEnd rows (the others can never come back), an updating one keeps
// them all (a retraction may lift them into the top).
//
// After every input row the partition's ranks RankStart..RankEnd before
// and after it are compared, as Flink's functions emit them:
//
//   - with the row number in the output (or RankStart > 1): for each rank,
//     in ascending order, whose row changed, -U (old row, rank) then +U
//     (new row, rank); +I for a rank newly filled, -D for one emptied;
//   - without it: -D for each row that left the range, then +I for each
//     row that entered it (only changed rows, Flink's "no ranking
//     number" optimization).
//
// A retraction removes the first row of the partition with the same
// values; a retraction of a row not in state is ignored (Flink logs it).
// State: one entry per partition, addressed by its key (core.KeyedState);
// with a state TTL a partition not written for the TTL is dropped.
type rank struct {
	spec     *planner.RankOp
	keepAll  bool
	parts    map[string]*rankPart
	seq      uint64
	metrics  *core.Metrics
	keyBuf   []byte
	aBuf     []byte
	bBuf     []byte
	old, cur []rankRow
	ttl      *StateTTL
}

type rankRow struct {
	row core.Row
	seq uint64 // arrival order: identifies a row and breaks ties
}

type rankPart struct {
	key  []types.Value
	rows []rankRow // sorted by the order keys, then seq
}

// NewRank builds the operator of a RankOp: Top-N, deduplication, or their
// window forms.
func NewRank(spec *planner.RankOp, in planner.Schema, ctx *core.Context) (core.Operator, error) {
	for _, c := range spec.PartitionKeys {
		if c < 0 || c >= len(in) {
			return nil, fmt.Errorf("rank: partition column %d out of range (input has %d columns)", c, len(in))
		}
	}
	if len(spec.OrderKeys) == 0 {
		return nil, fmt.Errorf("rank: no order keys")
	}
	for _, k := range spec.OrderKeys {
		if k.Col < 0 || k.Col >= len(in) {
			return nil, fmt.Errorf("rank: order column %d out of range (input has %d columns)", k.Col, len(in))
		}
	}
	if spec.RankStart < 1 || spec.RankEnd < spec.RankStart {
		return nil, fmt.Errorf("rank: bad rank range %d..%d", spec.RankStart, spec.RankEnd)
	}
	if spec.Window != nil {
		return newWindowRank(spec, in, ctx)
	}
	if spec.Dedup != planner.NoDedup {
		return newDedup(spec, in, ctx)
	}
	m, _ := metricsOf(ctx)
	return &rank{spec: spec, keepAll: spec.Retract, parts: map[string]*rankPart{}, metrics: m,
		ttl: NewStateTTL(spec.StateTTL, ctx, tableTTL, 0, spec.PartitionKeys)}, nil
}

// compareRows orders two rows by the sort keys (NULL first ascending, as
// Flink's default null ordering puts it).
func compareRows(keys []planner.SortKey, a, b core.Row) int {
	for _, k := range keys {
		c := types.Compare(a[k.Col], b[k.Col])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// partKey encodes a row's partition key into buf.
func partKey(buf []byte, cols []int, row core.Row) []byte {
	buf = buf[:0]
	for _, c := range cols {
		buf = types.AppendKey(buf, row[c])
	}
	return buf
}

func (o *rank) dropPart(key string) { delete(o.parts, key) }

func (o *rank) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	o.ttl.Sweep(o.dropPart)
	var ob core.Batch
	for ri, row := range b.Rows {
		o.keyBuf = partKey(o.keyBuf, o.spec.PartitionKeys, row)
		p := o.parts[string(o.keyBuf)]
		retract := b.KindAt(ri).IsRetract()
		if p == nil {
			if retract {
				continue
			}
			p = &rankPart{key: make([]types.Value, len(o.spec.PartitionKeys))}
			for i, c := range o.spec.PartitionKeys {
				p.key[i] = row[c]
			}
			o.parts[string(o.keyBuf)] = p
		}
		o.old = append(o.old[:0], p.rows[:min(len(p.rows), int(o.spec.RankEnd))]...)
		if retract {
			if !o.remove(p, row) {
				continue
			}
		} else {
			o.insert(p, row)
		}
		o.ttl.Touch(string(o.keyBuf), row)
		o.cur = append(o.cur[:0], p.rows[:min(len(p.rows), int(o.spec.RankEnd))]...)
		wm := int64(0)
		if b.Watermarks != nil {
			wm = b.Watermarks[ri]
		}
		o.diff(&ob, b.Watermarks != nil, wm)
		if len(p.rows) == 0 {
			delete(o.parts, string(o.keyBuf))
			o.ttl.Forget(string(o.keyBuf))
		}
	}
	if len(ob.Rows) == 0 {
		return nil
	}
	return out.Emit(&ob)
}

// insert places row after the rows it ties with; an insert-only input
// keeps only the top RankEnd.
func (o *rank) insert(p *rankPart, row core.Row) {
	i, _ := slices.BinarySearchFunc(p.rows, row, func(r rankRow, x core.Row) int {
		if compareRows(o.spec.OrderKeys, r.row, x) <= 0 {
			return -1
		}
		return 1
	})
	if !o.keepAll && i >= int(o.spec.RankEnd) {
		return
	}
	o.seq++
	p.rows = slices.Insert(p.rows, i, rankRow{row: slices.Clone(row), seq: o.seq})
	if !o.keepAll && len(p.rows) > int(o.spec.RankEnd) {
		p.rows[len(p.rows)-1] = rankRow{}
		p.rows = p.rows[:o.spec.RankEnd]
	}
}

// remove takes out the first row equal to row; false when there is none.
func (o *rank) remove(p *rankPart, row core.Row) bool {
	i, _ := slices.BinarySearchFunc(p.rows, row, func(r rankRow, x core.Row) int {
		if compareRows(o.spec.OrderKeys, r.row, x) < 0 {
			return -1
		}
		return 1
	})
	o.aBuf = core.AppendRow(o.aBuf[:0], row)
	for ; i < len(p.rows) && compareRows(o.spec.OrderKeys, p.rows[i].row, row) == 0; i++ {
		o.bBuf = core.AppendRow(o.bBuf[:0], p.rows[i].row)
		if bytes.Equal(o.aBuf, o.bBuf) {
			p.rows = slices.Delete(p.rows, i, i+1)
			return true
		}
	}
	return false
}

// diff emits the change from o.old to o.cur (the partition's first
// RankEnd rows before and after).
func (o *rank) diff(ob *core.Batch, withWM bool, wm int64) {
	emit := func(k core.RowKind, r rankRow, rn int) {
		row := r.row
		if o.spec.OutputRankNumber {
			row = append(slices.Clip(slices.Clone(row)), types.Value{K: types.BigInt, I: int64(rn + 1)})
		}
		ob.Rows = append(ob.Rows, row)
		ob.Kinds = append(ob.Kinds, k)
		if withWM {
			ob.Watermarks = append(ob.Watermarks, wm)
		}
	}
	from := int(o.spec.RankStart) - 1
	if o.spec.OutputRankNumber || from > 0 {
		for i := from; i < int(o.spec.RankEnd); i++ {
			hasOld, hasCur := i < len(o.old), i < len(o.cur)
			switch {
			case hasOld && hasCur:
				if o.old[i].seq != o.cur[i].seq {
					emit(core.UpdateBefore, o.old[i], i)
					emit(core.UpdateAfter, o.cur[i], i)
				}
			case hasCur:
				emit(core.Insert, o.cur[i], i)
			case hasOld:
				emit(core.Delete, o.old[i], i)
			}
		}
		return
	}
	in := func(rs []rankRow, seq uint64) bool {
		return slices.ContainsFunc(rs, func(r rankRow) bool { return r.seq == seq })
	}
	for i, r := range o.old {
		if !in(o.cur, r.seq) {
			emit(core.Delete, r, i)
		}
	}
	for i, r := range o.cur {
		if !in(o.old, r.seq) {
			emit(core.Insert, r, i)
		}
	}
}

func (o *rank) ProcessWatermark(int64, core.Output) error {
	o.ttl.Sweep(o.dropPart)
	return nil
}

func (o *rank) Finish(core.Output) error { return nil }

// BorrowsBatches: rank copies the rows it keeps.
func (o *rank) BorrowsBatches() {}

// Snapshot writes one entry per partition: its key values, then its rows
// in order, each with its arrival number.
func (o *rank) Snapshot(w core.StateWriter) error {
	keys := sortedKeys(o.parts)
	var b []byte
	for _, k := range keys {
		p := o.parts[k]
		b = b[:0]
		for _, v := range p.key {
			b = core.AppendValue(b, v)
		}
		b = binary.AppendUvarint(b, uint64(len(p.rows)))
		for _, r := range p.rows {
			b = binary.AppendUvarint(b, r.seq)
			b = core.AppendRow(b, r.row)
		}
		if err := w.Put(tableWindow, []byte(k), b); err != nil {
			return err
		}
	}
	return o.ttl.Snapshot(w)
}

// Restore reads back what Snapshot wrote (the entries of several
// subtasks after rescaling); new rows are numbered after every restored
// one.
func (o *rank) Restore(r core.StateReader) error {
	o.parts = map[string]*rankPart{}
	o.seq = 0
	if err := o.ttl.Restore(r); err != nil {
		return fmt.Errorf("rank state: %w", err)
	}
	return r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		p := &rankPart{key: readKeyValues(d, len(o.spec.PartitionKeys))}
		n := d.Uvarint()
		for i := uint64(0); i < n && !d.Failed(); i++ {
			seq := d.Uvarint()
			p.rows = append(p.rows, rankRow{seq: seq, row: d.Row()})
			o.seq = max(o.seq, seq)
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("rank state: %w", err)
		}
		o.parts[string(key)] = p
		o.ttl.Adopt(string(key), p.key)
		return nil
	})
}

// EntryKey implements core.KeyedState: a partition's entry starts with
// its key values.
func (o *rank) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return entryKey(table, value, func() (int, []int, []types.Value, bool, error) {
		return groupEntryKey(table, value, o.spec.PartitionKeys)
	})
}

var _ core.KeyedState = (*rank)(nil)
