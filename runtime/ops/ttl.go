package ops

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// StateTTL is the idle state retention of a keyed operator
// (table.exec.state.ttl, the STATE_TTL hint), shared by every keyed
// operator without a window: GroupAggregate, Join (one per side), Rank,
// Deduplicate and OverAggregate. It follows the StateTtlConfig Flink's SQL
// operators use: processing time, the time-to-live restarted when a key's
// state is created or written (not when it is only read), expired state
// never returned.
//
// It remembers, per key of the operator's state, when the key was last
// written (Touch), and keeps the keys in a queue in the order of those
// times. Sweep, called by the operator when a batch or a watermark
// arrives, reads the clock once and drops every key whose time-to-live
// has run out (the operator's drop function removes its state), so that
// nothing the operator reads afterwards is expired: a key seen again
// later starts anew. Dropped keys are counted in the operator's
// StateExpiredKeys metric.
//
// The times are part of the operator's snapshot (one entry per key in the
// operator's table StateTTL.table, addressed by the key's values, so they
// follow their keys through rescaling), so a restored key keeps the time
// it was last written rather than the time of the restore. A nil
// *StateTTL is "no TTL": every method is a no-op, so operators call it
// unconditionally.
type StateTTL struct {
	ttl   int64 // milliseconds, > 0
	clock func() int64
	now   int64 // the clock when last read (never decreases)
	table uint8 // the snapshot table of the times
	input int   // the input the keys come from (EntryKey)
	cols  []int // the key columns of that input

	keys  map[string]*ttlKey
	queue []ttlDue // keys in order of their queued time; queue[head:] is live
	head  int

	expired *atomic.Int64
	// dirty: keys touched or dropped since the last snapshot (the
	// operator's core.IncrementalState), tracked from the first snapshot.
	dirty    map[string]*ttlKey
	tracking bool
}

type ttlKey struct {
	last int64         // when last written (processing time, ms)
	vals []types.Value // the key's values, input columns cols
}

type ttlDue struct {
	at  int64 // the key's last write when queued
	key string
	k   *ttlKey // stale when the key was dropped and created again since
}

// tableTTL is the first snapshot table a StateTTL may use (a join's
// right side uses tableTTL+1); the operators' own tables are below it.
const tableTTL uint8 = 8

// NewStateTTL returns the retention of ttl milliseconds for keys of
// input's columns cols, snapshotted in table, or nil when ttl <= 0 (state
// kept until retracted, Flink's default).
func NewStateTTL(ttl int64, ctx *core.Context, table uint8, input int, cols []int) *StateTTL {
	if ttl <= 0 {
		return nil
	}
	m, _ := metricsOf(ctx)
	t := &StateTTL{ttl: ttl, clock: ctx.Now, table: table, input: input, cols: cols,
		keys: map[string]*ttlKey{}, expired: &m.StateExpiredKeys}
	t.now = t.clock()
	return t
}

// Sweep reads the clock and drops the keys not written for the TTL:
// drop(key) removes the operator's state of key. Operators call it before
// they read their state for a batch or a watermark.
func (t *StateTTL) Sweep(drop func(key string)) {
	if t == nil {
		return
	}
	if now := t.clock(); now > t.now {
		t.now = now
	}
	var n int64
	for t.head < len(t.queue) && t.queue[t.head].at+t.ttl <= t.now {
		d := t.queue[t.head]
		t.queue[t.head] = ttlDue{}
		t.head++
		if k := t.keys[d.key]; k != d.k {
			continue // dropped by the operator, perhaps created again (queued anew)
		} else if k.last+t.ttl > t.now {
			t.queue = append(t.queue, ttlDue{at: k.last, key: d.key, k: k}) // written since: wait again
			continue
		}
		delete(t.keys, d.key)
		t.mark(d.key, d.k)
		drop(d.key)
		n++
	}
	if t.head > 1024 && t.head*2 > len(t.queue) {
		t.queue = append(t.queue[:0], t.queue[t.head:]...)
		t.head = 0
	}
	if n > 0 {
		t.expired.Add(n)
	}
}

// Touch records that key's state was created or written now; row is an
// input row of the key (its columns cols hold the key's values).
func (t *StateTTL) Touch(key string, row core.Row) {
	if t == nil {
		return
	}
	k := t.keys[key]
	if k == nil {
		k = &ttlKey{vals: make([]types.Value, len(t.cols))}
		for i, c := range t.cols {
			k.vals[i] = row[c]
		}
		t.keys[key] = k
		t.queue = append(t.queue, ttlDue{at: t.now, key: key, k: k})
	}
	k.last = t.now
	t.mark(key, k)
}

// Forget tells that the operator dropped key's state itself (its last
// row retracted).
func (t *StateTTL) Forget(key string) {
	if t == nil {
		return
	}
	if k := t.keys[key]; k != nil {
		delete(t.keys, key)
		t.mark(key, k)
	}
}

func (t *StateTTL) mark(key string, k *ttlKey) {
	if t.tracking {
		t.dirty[key] = k
	}
}

// Len is the number of keys with state.
func (t *StateTTL) Len() int {
	if t == nil {
		return 0
	}
	return len(t.keys)
}

// appendEntry encodes a key's entry: its last write, the input, the key
// columns and their values (so that ttlEntryKey needs no operator).
func (t *StateTTL) appendEntry(b []byte, k *ttlKey) []byte {
	b = binary.AppendVarint(b, k.last)
	b = binary.AppendUvarint(b, uint64(t.input))
	b = binary.AppendUvarint(b, uint64(len(t.cols)))
	for i, c := range t.cols {
		b = binary.AppendUvarint(b, uint64(c))
		b = core.AppendValue(b, k.vals[i])
	}
	return b
}

// Snapshot writes every key's entry; from now on changes are tracked.
func (t *StateTTL) Snapshot(w core.StateWriter) error {
	if t == nil {
		return nil
	}
	var b []byte
	for _, key := range sortedKeys(t.keys) {
		b = t.appendEntry(b[:0], t.keys[key])
		if err := w.Put(t.table, []byte(key), b); err != nil {
			return err
		}
	}
	t.tracking, t.dirty = true, map[string]*ttlKey{}
	return nil
}

// SnapshotChanges writes the entries of the keys touched since the last
// snapshot and deletes those of the keys dropped.
func (t *StateTTL) SnapshotChanges(w core.DeltaWriter) error {
	if t == nil {
		return nil
	}
	var b []byte
	for _, key := range sortedKeys(t.dirty) {
		if k := t.keys[key]; k != nil {
			b = t.appendEntry(b[:0], k)
			if err := w.Put(t.table, []byte(key), b); err != nil {
				return err
			}
			continue
		}
		b = t.appendEntry(b[:0], t.dirty[key])
		if err := w.Delete(t.table, []byte(key), b); err != nil {
			return err
		}
	}
	t.tracking, t.dirty = true, map[string]*ttlKey{}
	return nil
}

// Restore reads the times back. Keys of the operator's state without a
// time (a snapshot taken without a TTL) get one with Adopt.
func (t *StateTTL) Restore(r core.StateReader) error {
	if t == nil {
		return nil
	}
	t.keys, t.queue, t.head = map[string]*ttlKey{}, nil, 0
	err := r.Scan(t.table, func(key, value []byte) error {
		last, _, _, vals, err := readTTLEntry(value)
		if err != nil {
			return err
		}
		k := &ttlKey{last: last, vals: vals}
		t.keys[string(key)] = k
		t.queue = append(t.queue, ttlDue{at: last, key: string(key), k: k})
		return nil
	})
	slices.SortStableFunc(t.queue, func(a, b ttlDue) int { return cmp.Compare(a.at, b.at) })
	return err
}

// Adopt gives key (restored operator state with no time: a snapshot
// taken without a TTL) the current time, as if it had been written now;
// vals are its values of the key columns.
func (t *StateTTL) Adopt(key string, vals []types.Value) {
	if t == nil || t.keys[key] != nil {
		return
	}
	k := &ttlKey{last: t.now, vals: vals}
	t.keys[key] = k
	t.queue = append(t.queue, ttlDue{at: t.now, key: key, k: k})
}

// entryKey is EntryKey for the keyed operators with a StateTTL: a TTL
// entry names its own key, the others are read by entry.
func entryKey(table uint8, value []byte, entry func() (int, []int, []types.Value, bool, error)) (int, []int, []types.Value, bool, error) {
	if isTTLTable(table) {
		return ttlEntryKey(value)
	}
	return entry()
}

// keyValues is row's values of columns cols.
func keyValues(row core.Row, cols []int) []types.Value {
	v := make([]types.Value, len(cols))
	for i, c := range cols {
		v[i] = row[c]
	}
	return v
}

// readTTLEntry decodes an entry appendEntry wrote.
func readTTLEntry(value []byte) (last int64, input int, cols []int, vals []types.Value, err error) {
	d := core.NewStateDecoder(value)
	last = d.Varint()
	input = int(d.Uvarint())
	n := d.Uvarint()
	if n > uint64(len(value)) {
		return 0, 0, nil, nil, fmt.Errorf("state TTL entry: %w: %d key columns", core.ErrBadState, n)
	}
	cols = make([]int, n)
	vals = make([]types.Value, n)
	for i := range cols {
		cols[i] = int(d.Uvarint())
		vals[i] = d.Value()
	}
	if err := d.Err(); err != nil {
		return 0, 0, nil, nil, fmt.Errorf("state TTL entry: %w", err)
	}
	return last, input, cols, vals, nil
}

// ttlEntryKey implements core.KeyedState.EntryKey for an entry of a
// StateTTL table: the input and key columns it was written with.
func ttlEntryKey(value []byte) (int, []int, []types.Value, bool, error) {
	_, input, cols, vals, err := readTTLEntry(value)
	return input, cols, vals, err == nil, err
}

// isTTLTable reports whether table holds StateTTL entries.
func isTTLTable(table uint8) bool { return table == tableTTL || table == tableTTL+1 }
