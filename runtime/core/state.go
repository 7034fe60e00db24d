package core

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/streamsql/streamsql/sql/types"
)

// Checkpointing vocabulary. An operator with state implements Snapshotter
// (checked once when the graph is built); stateless operators do not.
// Its state is a set of keyed tables of byte entries: the state backend
// prefixes keys with the checkpoint and the operator's uid, so an
// operator only chooses table numbers and keys within them. Keys that
// start with a window's end (AppendOrderedInt64) make firing order a
// range scan.

// StateWriter receives an operator's snapshot.
type StateWriter interface {
	// Put stores one entry; keys are unique within a table. The writer
	// copies key and value.
	Put(table uint8, key, value []byte) error
}

// StateReader reads back what a StateWriter received.
type StateReader interface {
	// Scan calls fn for every entry of table in key order; key and value
	// are valid only during the call.
	Scan(table uint8, fn func(key, value []byte) error) error
}

// Snapshotter is an operator whose state survives a restart.
type Snapshotter interface {
	// Snapshot writes the operator's whole state. It is called on the
	// executor goroutine between two polls (no batch is in flight), and
	// must not change the state.
	Snapshot(w StateWriter) error
	// Restore replaces the operator's state (it is freshly built, before
	// any row) with a snapshot.
	Restore(r StateReader) error
}

// KeyedState is a Snapshotter whose state entries each belong to one key
// (checked once when the graph is built). Its entries are addressed by
// key group, so a checkpoint can be restored at another parallelism:
// each subtask takes the entries of the key groups it owns.
type KeyedState interface {
	Snapshotter
	// EntryKey tells which key an entry of table (as Snapshot wrote it)
	// belongs to: the input the key comes from and that input row's key
	// columns cols holding vals (cols nil: vals is the whole input row).
	// keyed is false for an entry of the whole operator (its metadata),
	// which every subtask restores.
	EntryKey(table uint8, key, value []byte) (input int, cols []int, vals []types.Value, keyed bool, err error)
}

// DeltaWriter receives an incremental snapshot (IncrementalState): the
// entries changed since the previous snapshot.
type DeltaWriter interface {
	StateWriter
	// Delete records that the entry of table with key, written by an
	// earlier snapshot, is gone. last is the value that entry had (or
	// any value EntryKey reads the same key from): the runtime finds the
	// entry's key group with it.
	Delete(table uint8, key, last []byte) error
}

// IncrementalState is a KeyedState that tracks which of its entries
// changed, so that a checkpoint writes only those and shares the rest
// with earlier checkpoints (state.backend.incremental; docs/checkpoints.md,
// "Incremental checkpoints"; Flink's RocksDB incremental checkpoints).
//
// How an operator marks state dirty: from its first Snapshot or
// SnapshotChanges on, it remembers the key of every entry it creates,
// changes or removes (a set of keys, e.g. map[string]struct{} or a
// pointer to the entry's state, set where it updates the entry; nothing
// before the first snapshot, so a job without checkpoints pays nothing).
// Both snapshot methods then forget the set: the next SnapshotChanges
// reports only what changed after this snapshot. The runtime calls
// Snapshot (a full one) for the first checkpoint of a run, after a
// checkpoint that failed (whose changes the operator has forgotten),
// and when the chain of changes grew long; SnapshotChanges otherwise.
// runtime/ops/groupagg.go is the model.
type IncrementalState interface {
	KeyedState
	// SnapshotChanges writes, for every entry created or changed since
	// the previous Snapshot or SnapshotChanges, its current value (Put),
	// and for every entry removed since, a Delete; unchanged entries are
	// not written. Entries of the whole operator (EntryKey's keyed false)
	// follow the same rule. Like Snapshot, it runs between two polls.
	SnapshotChanges(w DeltaWriter) error
}

// AppendOrderedInt64 appends v so that byte order is numeric order.
func AppendOrderedInt64(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(v)^(1<<63))
}

// OrderedInt64 reads what AppendOrderedInt64 wrote.
func OrderedInt64(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

// AppendValue appends an exact encoding of v (kind, scale and payload),
// read back by StateDecoder.Value.
func AppendValue(b []byte, v types.Value) []byte {
	b = append(b, byte(v.K))
	switch v.K {
	case types.Null:
		return b
	case types.Decimal:
		b = append(b, byte(v.Scale))
		if x, ok := v.X.(*big.Int); ok {
			b = append(b, byte(x.Sign()+1))
			return AppendBytes(b, x.Bytes())
		}
		b = append(b, 3)
		return binary.AppendVarint(b, v.I)
	case types.String, types.Bytes:
		return AppendBytes(b, []byte(v.S))
	case types.Array, types.Row:
		e := v.Elems()
		b = binary.AppendUvarint(b, uint64(len(e)))
		for _, x := range e {
			b = AppendValue(b, x)
		}
		return b
	case types.Map:
		m, _ := v.X.(*types.MapValue)
		if m == nil {
			return binary.AppendUvarint(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(len(m.Keys)))
		for i := range m.Keys {
			b = AppendValue(b, m.Keys[i])
			b = AppendValue(b, m.Values[i])
		}
		return b
	}
	return binary.AppendVarint(b, v.I)
}

// AppendRow appends a row's width and values.
func AppendRow(b []byte, r Row) []byte {
	b = binary.AppendUvarint(b, uint64(len(r)))
	for _, v := range r {
		b = AppendValue(b, v)
	}
	return b
}

// AppendBytes appends a length-prefixed byte string.
func AppendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// ErrBadState is wrapped by StateDecoder errors: an entry that does not
// decode (damaged, or written by an incompatible version).
var ErrBadState = errors.New("malformed state entry")

// StateDecoder reads values written by the Append functions. The first
// error sticks: check Err once after reading.
type StateDecoder struct {
	b   []byte
	err error
}

// NewStateDecoder reads b (which it does not copy: strings are copied out).
func NewStateDecoder(b []byte) *StateDecoder { return &StateDecoder{b: b} }

// Err is the first error, nil when everything decoded and nothing is left over.
func (d *StateDecoder) Err() error {
	if d.err == nil && len(d.b) != 0 {
		return fmt.Errorf("%w: %d bytes left over", ErrBadState, len(d.b))
	}
	return d.err
}

// Failed reports whether an error occurred so far.
func (d *StateDecoder) Failed() bool { return d.err != nil }

// Fail records a decoding error about what (an operator's own check).
func (d *StateDecoder) Fail(what string) { d.fail(what) }

func (d *StateDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: cannot read %s", ErrBadState, what)
	}
	d.b = nil
}

// Varint reads a signed varint.
func (d *StateDecoder) Varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("integer")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// Uvarint reads an unsigned varint.
func (d *StateDecoder) Uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("length")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// Fixed64 reads 8 big-endian bytes.
func (d *StateDecoder) Fixed64() uint64 {
	if len(d.b) < 8 {
		d.fail("fixed-width integer")
		return 0
	}
	v := binary.BigEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// Byte reads one byte.
func (d *StateDecoder) Byte() byte {
	if len(d.b) == 0 {
		d.fail("byte")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// Bytes reads a length-prefixed byte string (pointing into the input).
func (d *StateDecoder) Bytes() []byte {
	n := d.Uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.fail("bytes")
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

// count reads an element count, bounded by the bytes left (every element
// takes at least one byte), so damaged input cannot make a huge slice.
func (d *StateDecoder) count() int {
	n := d.Uvarint()
	if n > uint64(len(d.b)) {
		d.fail("count")
		return 0
	}
	return int(n)
}

// Value reads a value written by AppendValue.
func (d *StateDecoder) Value() types.Value {
	k := types.Kind(d.Byte())
	if d.err != nil {
		return types.NullValue
	}
	switch k {
	case types.Null:
		return types.NullValue
	case types.Decimal:
		scale := int8(d.Byte())
		form := d.Byte()
		if form == 3 {
			return types.Value{K: k, Scale: scale, I: d.Varint()}
		}
		if form > 2 {
			d.fail("decimal")
			return types.NullValue
		}
		x := new(big.Int).SetBytes(d.Bytes())
		if form == 0 {
			x.Neg(x)
		}
		return types.Value{K: k, Scale: scale, X: x}
	case types.String, types.Bytes:
		return types.Value{K: k, S: string(d.Bytes())}
	case types.Array, types.Row:
		n := d.count()
		e := make([]types.Value, n)
		for i := range e {
			e[i] = d.Value()
		}
		return types.Value{K: k, X: e}
	case types.Map:
		n := d.count()
		m := &types.MapValue{Keys: make([]types.Value, n), Values: make([]types.Value, n)}
		for i := 0; i < n; i++ {
			m.Keys[i] = d.Value()
			m.Values[i] = d.Value()
		}
		return types.Value{K: k, X: m}
	}
	return types.Value{K: k, I: d.Varint()}
}

// Row reads a row written by AppendRow.
func (d *StateDecoder) Row() Row {
	n := d.count()
	r := make(Row, n)
	for i := range r {
		r[i] = d.Value()
	}
	return r
}
