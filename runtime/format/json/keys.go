package json

import "encoding/binary"

// keyTable finds a key's column on the fast path with a perfect hash of
// the decoder's column names: the key's first eight bytes (zero-padded)
// and its length pick one slot, and an 8-byte compare with the slot's
// name (two for names of 9-16 bytes, plus the middle for longer ones)
// tells whether the key is that column. Built once per decoder by trying
// multipliers until no two names share a slot. When names are alike in
// their first eight bytes and length ("metric_1", "metric_2" are not;
// "value_in_eur", "value_in_usd" are) the hash also takes the last eight
// bytes (wide; a load and a multiply more per key); when that fails too
// (names over 16 bytes differing only in the middle, or too many columns
// for the table) the decoder keeps using lookup.
type keyTable struct {
	ok    bool
	wide  bool // the hash takes the last eight bytes too
	mult  uint64
	slots [keyTableSlots]keySlot
}

type keySlot struct {
	first, last uint64 // the name's first and last eight bytes (zero-padded when shorter)
	n           int32  // the name's length; -1 for an empty slot
	col         int32
	mid         string // bytes 8..n-8 of a name longer than 16
}

const (
	keyTableBits  = 8
	keyTableSlots = 1 << keyTableBits
)

// firstWord is the first eight bytes of b[lo:hi] as a little-endian word,
// zero-padded when the key is shorter; it reads past hi (not past b) when
// b has room, which saves a byte loop.
func firstWord(b []byte, lo, hi int) uint64 {
	n := hi - lo
	if lo+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[lo:])
		if n < 8 {
			w &= 1<<(8*uint(n)) - 1
		}
		return w
	}
	var w uint64
	for i := hi - 1; i >= lo; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

// lastWord is the last eight bytes of a key longer than 8, else 0.
func lastWord(b []byte, hi, n int) uint64 {
	if n <= 8 {
		return 0
	}
	return binary.LittleEndian.Uint64(b[hi-8 : hi])
}

func (t *keyTable) slot(first, last uint64, n int) *keySlot {
	h := first ^ uint64(n)
	if t.wide {
		h ^= last * 0x9e3779b97f4a7c15
	}
	return &t.slots[uint8((h*t.mult)>>(64-keyTableBits))]
}

// build makes the table for names; t.ok reports whether it could.
func (t *keyTable) build(names []string) {
	if len(names) > keyTableSlots/4 {
		return
	}
	x := uint64(0x9e3779b97f4a7c15) // splitmix64: a fixed sequence of multipliers
	for try := 0; try < 2000; try++ {
		t.wide = try >= 1000
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		t.mult = (z ^ z>>31) | 1
		if t.fill(names) {
			t.ok = true
			return
		}
	}
}

func (t *keyTable) fill(names []string) bool {
	for i := range t.slots {
		t.slots[i] = keySlot{n: -1}
	}
	for c, name := range names {
		b := []byte(name)
		n := len(b)
		first, last := firstWord(b, 0, n), lastWord(b, n, n)
		s := t.slot(first, last, n)
		if s.n >= 0 {
			return false
		}
		*s = keySlot{first: first, last: last, n: int32(n), col: int32(c)}
		if n > 16 {
			s.mid = name[8 : n-8]
		}
	}
	return true
}

// find is the column named b[lo:hi], or -1. Only when t.ok.
func (t *keyTable) find(b []byte, lo, hi int) int {
	n := hi - lo
	first := firstWord(b, lo, hi)
	h := first ^ uint64(n)
	if t.wide {
		h ^= lastWord(b, hi, n) * 0x9e3779b97f4a7c15
	}
	s := &t.slots[uint8((h*t.mult)>>(64-keyTableBits))]
	if s.first != first || int(s.n) != n {
		return -1
	}
	if n > 8 && (binary.LittleEndian.Uint64(b[hi-8:hi]) != s.last || n > 16 && string(b[lo+8:hi-8]) != s.mid) {
		return -1
	}
	return int(s.col)
}
