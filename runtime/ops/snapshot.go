package ops

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Snapshots (core.Snapshotter) of the stateful operators. Each writes
// table 0, one entry with key "" holding scalars (watermark, counters),
// and table 1 with one entry per piece of window state, keyed by
// (window end, window start, ...) so that restore reads windows back in
// firing order:
//
//	windowAgg   1: end|start|ordinal(4)      -> group key values, accumulators
//	sessionAgg  1: end|start|seq             -> group key values, accumulators
//	windowJoin  1: end|start|side(1)|ordinal(4) -> row
//
// Integers in keys use core.AppendOrderedInt64 (byte order = numeric
// order). Restore rebuilds the maps, heaps and first-seen orders exactly,
// so a restored operator emits what the original would have.

const (
	tableMeta   uint8 = 0
	tableWindow uint8 = 1
)

var (
	_ core.Snapshotter = (*windowAgg)(nil)
	_ core.Snapshotter = (*sessionAgg)(nil)
	_ core.Snapshotter = (*windowJoin)(nil)
)

// sortedKeys is a keyed state map's keys in order, so that a snapshot
// writes its entries in the same order every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// putEntries writes one entry per key of a keyed state map, in key
// order, in table tableWindow: the key, and enc's encoding of its state.
func putEntries[V any](w core.StateWriter, m map[string]V, enc func([]byte, V) []byte) error {
	var b []byte
	for _, k := range sortedKeys(m) {
		b = enc(b[:0], m[k])
		if err := w.Put(tableWindow, []byte(k), b); err != nil {
			return err
		}
	}
	return nil
}

// putChanges writes an incremental snapshot (core.IncrementalState) of
// a keyed state map: for every key in dirty, its entry when live still
// has it, else a Delete carrying its last state (dirty's), whose key
// values name its key group.
func putChanges[V any](w core.DeltaWriter, dirty, live map[string]V, enc func([]byte, V) []byte) error {
	var b []byte
	for _, k := range sortedKeys(dirty) {
		if v, ok := live[k]; ok {
			b = enc(b[:0], v)
			if err := w.Put(tableWindow, []byte(k), b); err != nil {
				return err
			}
			continue
		}
		b = enc(b[:0], dirty[k])
		if err := w.Delete(tableWindow, []byte(k), b); err != nil {
			return err
		}
	}
	return nil
}

func appendSpanKey(b []byte, sp span) []byte {
	b = core.AppendOrderedInt64(b, sp.End)
	return core.AppendOrderedInt64(b, sp.Start)
}

func readSpanKey(k []byte) (span, []byte, error) {
	if len(k) < 16 {
		return span{}, nil, fmt.Errorf("%w: window key of %d bytes", core.ErrBadState, len(k))
	}
	return span{Start: core.OrderedInt64(k[8:16]), End: core.OrderedInt64(k[:8])}, k[16:], nil
}

// appendAccs encodes one group's accumulators.
func appendAccs(b []byte, accs []acc) []byte {
	for i := range accs {
		a := &accs[i]
		b = binary.AppendVarint(b, a.n)
		b = binary.AppendVarint(b, a.i)
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(a.f))
		if a.b == nil {
			b = append(b, 0)
		} else {
			b = append(b, byte(a.b.Sign()+2)) // 1, 2, 3
			b = core.AppendBytes(b, a.b.Bytes())
		}
		b = core.AppendValue(b, a.v)
		keys := make([]string, 0, len(a.seen))
		for k := range a.seen {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = binary.AppendUvarint(b, uint64(len(keys)))
		for _, k := range keys {
			b = core.AppendBytes(b, []byte(k))
			b = core.AppendValue(b, a.seen[k])
		}
	}
	return b
}

func readAccs(d *core.StateDecoder, n int) []acc {
	accs := make([]acc, n)
	for i := range accs {
		a := &accs[i]
		a.n = d.Varint()
		a.i = d.Varint()
		a.f = math.Float64frombits(d.Fixed64())
		switch sign := d.Byte(); sign {
		case 0:
		case 1, 2, 3:
			a.b = new(big.Int).SetBytes(d.Bytes())
			if sign == 1 {
				a.b.Neg(a.b)
			}
		default:
			d.Fail("decimal sum")
		}
		a.v = d.Value()
		if m := d.Uvarint(); m > 0 {
			a.seen = make(map[string]types.Value, min(m, 1<<16))
			for j := uint64(0); j < m && !d.Failed(); j++ {
				k := string(d.Bytes())
				a.seen[k] = d.Value()
			}
		}
	}
	return accs
}

func readKeyValues(d *core.StateDecoder, n int) []types.Value {
	k := make([]types.Value, n)
	for i := range k {
		k[i] = d.Value()
	}
	return k
}

func putMeta(w core.StateWriter, vals ...int64) error {
	var b []byte
	for _, v := range vals {
		b = binary.AppendVarint(b, v)
	}
	return w.Put(tableMeta, nil, b)
}

// readMeta reads what putMeta wrote. When a rescaled restore hands one
// subtask the state of several (one entry each), the first value (the
// watermark) is their minimum and the others (counters that number
// state) their maximum.
func readMeta(r core.StateReader, vals ...*int64) error {
	found := false
	err := r.Scan(tableMeta, func(_, v []byte) error {
		d := core.NewStateDecoder(v)
		for i, p := range vals {
			x := d.Varint()
			if !found || i == 0 && x < *p || i > 0 && x > *p {
				*p = x
			}
		}
		found = true
		return d.Err()
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: operator metadata entry missing", core.ErrBadState)
	}
	return err
}

// ---------------------------------------------------------------- windowAgg

func (o *windowAgg) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm); err != nil {
		return err
	}
	var k, v []byte
	for _, win := range o.pending {
		if win.spill != nil {
			if err := o.snapshotSpilled(w, win); err != nil {
				return err
			}
			continue
		}
		for _, g := range win.order {
			k = appendSpanKey(k[:0], win.span)
			k = binary.BigEndian.AppendUint32(k, g.ord)
			v = appendGroup(v[:0], g)
			if err := w.Put(tableWindow, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *windowAgg) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm); err != nil {
		return err
	}
	o.windows = make(map[span]*aggWindow)
	o.pending = o.pending[:0]
	o.last = nil
	err := r.Scan(tableWindow, func(k, v []byte) error {
		sp, rest, err := readSpanKey(k)
		if err != nil {
			return err
		}
		if len(rest) != 4 {
			return fmt.Errorf("%w: window group key of %d bytes", core.ErrBadState, len(k))
		}
		win := o.windows[sp]
		if win == nil {
			win = &aggWindow{span: sp, fire: o.zone.fireTime(sp.End), groups: make(map[string]*group)}
			o.windows[sp] = win
			o.pending = append(o.pending, win)
		}
		d := core.NewStateDecoder(v)
		g := &group{key: readKeyValues(d, len(o.keys)), accs: readAccs(d, len(o.agg.fns)), ord: binary.BigEndian.Uint32(rest)}
		if err := d.Err(); err != nil {
			return err
		}
		win.next = max(win.next, g.ord+1)
		o.keyBuf = o.keyBuf[:0]
		for _, kv := range g.key {
			o.keyBuf = types.AppendKey(o.keyBuf, kv)
		}
		win.groups[string(o.keyBuf)] = g
		win.order = append(win.order, g)
		if o.spill != nil {
			o.noteGroup(win, len(o.keyBuf))
			return o.maybeEvict()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("window aggregate: restoring: %w", err)
	}
	heap.Init(&o.pending)
	o.metrics.CurrentWatermark.Store(o.wm)
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	return nil
}

// ---------------------------------------------------------------- sessionAgg

func (o *sessionAgg) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm, o.seq); err != nil {
		return err
	}
	var k, v []byte
	for _, sk := range o.byKey {
		for _, s := range sk.sessions {
			k = appendSpanKey(k[:0], s.span)
			k = core.AppendOrderedInt64(k, s.seq)
			v = v[:0]
			for _, kv := range sk.key {
				v = core.AppendValue(v, kv)
			}
			v = appendAccs(v, s.accs)
			if err := w.Put(tableWindow, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *sessionAgg) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm, &o.seq); err != nil {
		return err
	}
	o.byKey = make(map[string]*sessionKey)
	o.pending = o.pending[:0]
	o.open = 0
	err := r.Scan(tableWindow, func(k, v []byte) error {
		sp, rest, err := readSpanKey(k)
		if err != nil {
			return err
		}
		if len(rest) != 8 {
			return fmt.Errorf("%w: session key of %d bytes", core.ErrBadState, len(k))
		}
		d := core.NewStateDecoder(v)
		key := readKeyValues(d, len(o.keys))
		accs := readAccs(d, len(o.agg.fns))
		if err := d.Err(); err != nil {
			return err
		}
		o.keyBuf = o.keyBuf[:0]
		for _, kv := range key {
			o.keyBuf = types.AppendKey(o.keyBuf, kv)
		}
		sk := o.byKey[string(o.keyBuf)]
		if sk == nil {
			sk = &sessionKey{enc: string(o.keyBuf), key: key}
			o.byKey[sk.enc] = sk
		}
		s := &session{span: sp, fire: o.zone.fireTime(sp.End), seq: core.OrderedInt64(rest), accs: accs, owner: sk}
		pos := len(sk.sessions)
		for pos > 0 && sk.sessions[pos-1].Start > s.Start {
			pos--
		}
		sk.sessions = slices.Insert(sk.sessions, pos, s)
		o.pending = append(o.pending, sessionRef{span: s.span, seq: s.seq, s: s})
		o.open++
		return nil
	})
	if err != nil {
		return fmt.Errorf("session window aggregate: restoring: %w", err)
	}
	heap.Init(&o.pending)
	o.metrics.CurrentWatermark.Store(o.wm)
	o.metrics.OpenWindows.Store(o.open)
	return nil
}

// ---------------------------------------------------------------- windowJoin

func (o *windowJoin) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm); err != nil {
		return err
	}
	var k, v []byte
	for _, win := range o.pending {
		for side, rows := range [2][]core.Row{win.left, win.right} {
			for i, row := range rows {
				k = appendSpanKey(k[:0], win.span)
				k = append(k, byte(side))
				k = binary.BigEndian.AppendUint32(k, uint32(i))
				v = core.AppendRow(v[:0], row)
				if err := w.Put(tableWindow, k, v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (o *windowJoin) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm); err != nil {
		return err
	}
	o.ectx.Watermark = o.wm
	o.windows = make(map[span]*joinWindow)
	o.pending = o.pending[:0]
	err := r.Scan(tableWindow, func(k, v []byte) error {
		sp, rest, err := readSpanKey(k)
		if err != nil {
			return err
		}
		if len(rest) != 5 || rest[0] > 1 {
			return fmt.Errorf("%w: window join key of %d bytes", core.ErrBadState, len(k))
		}
		d := core.NewStateDecoder(v)
		row := d.Row()
		if err := d.Err(); err != nil {
			return err
		}
		width := o.lWidth
		if rest[0] == 1 {
			width = o.rWidth
		}
		if len(row) != width {
			return fmt.Errorf("%w: %s row has %d columns, want %d", core.ErrBadState, sideName(int(rest[0])), len(row), width)
		}
		win := o.windows[sp]
		if win == nil {
			win = &joinWindow{span: sp, fire: sp.End - 1}
			o.windows[sp] = win
			o.pending = append(o.pending, win)
		}
		if rest[0] == 0 {
			win.left = append(win.left, row)
		} else {
			win.right = append(win.right, row)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("window join: restoring: %w", err)
	}
	heap.Init(&o.pending)
	o.metrics.CurrentWatermark.Store(o.wm)
	o.metrics.OpenWindows.Store(int64(len(o.windows)))
	return nil
}

// ---------------------------------------------------------------- keys of entries

var (
	_ core.KeyedState = (*windowAgg)(nil)
	_ core.KeyedState = (*sessionAgg)(nil)
	_ core.KeyedState = (*windowJoin)(nil)
)

// EntryKey implements core.KeyedState: a window's group holds its group
// key values first.
func (o *windowAgg) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return groupEntryKey(table, value, o.keys)
}

// EntryKey implements core.KeyedState, as windowAgg's.
func (o *sessionAgg) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return groupEntryKey(table, value, o.keys)
}

func groupEntryKey(table uint8, value []byte, keys []int) (int, []int, []types.Value, bool, error) {
	if table != tableWindow {
		return 0, nil, nil, false, nil
	}
	d := core.NewStateDecoder(value)
	vals := readKeyValues(d, len(keys))
	if d.Failed() {
		return 0, nil, nil, false, d.Err()
	}
	return 0, keys, vals, true, nil
}

// EntryKey implements core.KeyedState: a buffered row of either side.
func (o *windowJoin) EntryKey(table uint8, key, value []byte) (int, []int, []types.Value, bool, error) {
	if table != tableWindow {
		return 0, nil, nil, false, nil
	}
	_, rest, err := readSpanKey(key)
	if err != nil {
		return 0, nil, nil, false, err
	}
	if len(rest) != 5 || rest[0] > 1 {
		return 0, nil, nil, false, fmt.Errorf("%w: window join key of %d bytes", core.ErrBadState, len(key))
	}
	d := core.NewStateDecoder(value)
	row := d.Row()
	if err := d.Err(); err != nil {
		return 0, nil, nil, false, err
	}
	return int(rest[0]), nil, row, true, nil
}

// appendSideKey starts the checkpoint entry of a two-input operator's
// join key: the input whose key values follow, then the values
// (EntryKey hashes them as that input's key).
func appendSideKey(b []byte, side int, vals []types.Value) []byte {
	b = append(b, byte(side))
	for _, v := range vals {
		b = core.AppendValue(b, v)
	}
	return b
}

// readSideKey reads what appendSideKey wrote (n key values).
func readSideKey(d *core.StateDecoder, n int) (int, []types.Value) {
	s := int(d.Byte())
	if s > 1 {
		d.Fail("input number")
	}
	return s, readKeyValues(d, n)
}

// sideKeyEntry implements core.KeyedState.EntryKey for an operator whose
// table-1 entries start with appendSideKey: the key's values as a row of
// the input named.
func sideKeyEntry(table uint8, value []byte, sides *[2]joinSide, what string) (int, []int, []types.Value, bool, error) {
	if table != tableWindow {
		return 0, nil, nil, false, nil
	}
	d := core.NewStateDecoder(value)
	s, vals := readSideKey(d, len(sides[0].keys))
	if d.Failed() {
		return 0, nil, nil, false, fmt.Errorf("%s state: %w", what, d.Err())
	}
	return s, sides[s].keys, vals, true, nil
}
