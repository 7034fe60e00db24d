package ops

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// miniBatch is a group aggregation's mini-batch (table.exec.mini-batch.*,
// Flink's MiniBatchGroupAggFunction): the changes of a batch of input rows
// are emitted together, at most one change per key (-U/+U, +I or -D from
// the result last emitted to the current one), when the batch is full
// (table.exec.mini-batch.size rows), when its first row has waited
// table.exec.mini-batch.allow-latency (checked as rows arrive), at a
// watermark and at the end of input.
//
// Flink buffers the rows of a batch per key and folds them into the
// accumulators read from its state backend once per key, to save state
// reads and writes. Our state is the operator's own memory, so rows are
// folded at once (in order, with the same rules as without mini-batch)
// and only the output waits: the keys changed since the last flush are
// remembered with the result they last emitted. The emitted changes are
// the ones Flink's function emits for the batch, and the final table the
// one without mini-batch. The keys waiting are part of the snapshot (with
// their last emitted result when their group is gone), so a checkpoint
// taken mid-batch restores them and the next flush emits their changes
// (Flink flushes before the barrier instead).
type miniBatch struct {
	size    int64
	latency int64 // milliseconds
	clock   func() int64
	start   int64 // when the batch's first row came
	n       int64 // rows in the batch
	order   []string
	keys    map[string]*mbKey
	// snapped: the entries the last snapshot wrote (incremental deletes)
	snapped map[string][]byte
}

// mbKey is a key changed since the last flush.
type mbKey struct {
	vals []types.Value // its key values
	gone bool          // its group was dropped (its last row retracted)
	prev core.Row      // when gone: the result it last emitted (nil: none)
}

// tableMiniBatch holds a group aggregation's keys waiting for a flush.
const tableMiniBatch uint8 = 2

func newMiniBatch(latency, size int64, ctx *core.Context) *miniBatch {
	if latency <= 0 || size <= 0 {
		return nil
	}
	return &miniBatch{size: size, latency: latency, clock: ctx.Now, keys: map[string]*mbKey{}}
}

// add counts a row of the key encoded as k (values vals) in the batch.
func (m *miniBatch) add(k []byte, vals []types.Value) {
	if m.n == 0 {
		m.start = m.clock()
	}
	m.n++
	if m.keys[string(k)] == nil {
		m.keep(string(k), vals)
	}
}

func (m *miniBatch) keep(k string, vals []types.Value) *mbKey {
	mk := &mbKey{vals: vals}
	m.keys[k] = mk
	m.order = append(m.order, k)
	return mk
}

// gone records that g's group was dropped (its last row retracted),
// keeping the result it last emitted for the flush's -D.
func (m *miniBatch) gone(g *aggGroup) {
	if m == nil {
		return
	}
	mk := m.keys[g.k]
	if mk == nil {
		mk = m.keep(g.k, g.key)
	}
	mk.gone, mk.prev = true, g.prev
}

// reborn returns, for a group created again in the batch after it was
// dropped, the result it last emitted (its flush compares with it).
func (m *miniBatch) reborn(k string) core.Row {
	if m == nil {
		return nil
	}
	mk := m.keys[k]
	if mk == nil || !mk.gone {
		return nil
	}
	mk.gone = false
	prev := mk.prev
	mk.prev = nil
	return prev
}

func (m *miniBatch) full() bool { return m.n >= m.size }
func (m *miniBatch) due() bool  { return m.n > 0 && m.clock()-m.start >= m.latency }

// forget drops key k from the batch (its state expired).
func (m *miniBatch) forget(k string) {
	if m != nil && m.keys[k] != nil {
		delete(m.keys, k)
		m.order = slices.DeleteFunc(m.order, func(x string) bool { return x == k })
	}
}

// flush appends the batch's changes to ob, keys in the order they first
// changed in the batch, and starts a new batch.
func (o *groupAgg) flush(ob *core.Batch, wm int64, withWM bool) {
	m := o.mb
	for _, k := range m.order {
		mk := m.keys[k]
		if g := o.groups[k]; g != nil {
			o.change(ob, wm, withWM, g.prev, g)
		} else if mk.gone {
			o.change(ob, wm, withWM, mk.prev, nil)
		}
	}
	m.order = m.order[:0]
	clear(m.keys)
	m.n = 0
}

// flushOut flushes the batch straight to out (at a watermark, at the end).
func (o *groupAgg) flushOut(out core.Output) error {
	if o.mb == nil || len(o.mb.order) == 0 {
		return nil
	}
	ob := o.outBatch(false)
	o.flush(ob, 0, false)
	if len(ob.Rows) == 0 {
		return nil
	}
	return out.Emit(ob)
}

// appendEntry encodes a waiting key: its key values, place in the batch,
// whether its group is gone and its last result then.
func (m *miniBatch) appendEntry(b []byte, seq int, mk *mbKey) []byte {
	for _, v := range mk.vals {
		b = core.AppendValue(b, v)
	}
	b = binary.AppendUvarint(b, uint64(seq))
	b = append(b, boolByte(mk.gone))
	return core.AppendRow(b, mk.prev)
}

// snapshot writes the waiting keys (all, or for a delta only those that
// changed, with deletes for those flushed since).
func (m *miniBatch) snapshot(w core.StateWriter, delta core.DeltaWriter) error {
	if m == nil {
		return nil
	}
	now := make(map[string][]byte, len(m.order))
	for i, k := range m.order {
		v := m.appendEntry(nil, i, m.keys[k])
		now[k] = v
		if delta != nil && string(m.snapped[k]) == string(v) {
			continue
		}
		if err := w.Put(tableMiniBatch, []byte(k), v); err != nil {
			return err
		}
	}
	if delta != nil {
		for _, k := range sortedKeys(m.snapped) {
			if _, ok := now[k]; !ok {
				if err := delta.Delete(tableMiniBatch, []byte(k), m.snapped[k]); err != nil {
					return err
				}
			}
		}
	}
	m.snapped = now
	return nil
}

// restore reads the waiting keys back, in their batch order.
func (m *miniBatch) restore(r core.StateReader, nkeys int) error {
	if m == nil {
		return nil
	}
	type entry struct {
		k   string
		seq uint64
		mk  *mbKey
	}
	var es []entry
	err := r.Scan(tableMiniBatch, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		mk := &mbKey{vals: readKeyValues(d, nkeys)}
		seq := d.Uvarint()
		mk.gone = d.Byte() == 1
		mk.prev = d.Row()
		if len(mk.prev) == 0 {
			mk.prev = nil
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("mini-batch state: %w", err)
		}
		es = append(es, entry{string(key), seq, mk})
		return nil
	})
	slices.SortStableFunc(es, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	m.order, m.keys, m.snapped = m.order[:0], map[string]*mbKey{}, nil
	for _, e := range es {
		m.order = append(m.order, e.k)
		m.keys[e.k] = e.mk
	}
	m.n = int64(len(m.order))
	m.start = m.clock()
	return err
}
