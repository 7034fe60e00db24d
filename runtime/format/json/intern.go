package json

import "encoding/binary"

// interner shares the string of a repeated value (campaign ids, event
// types: a few distinct values over millions of records) instead of
// allocating one per record. It is a direct-mapped cache: a miss
// allocates and replaces the slot. A column whose values rarely repeat
// (ids) stops using it after a trial, so it costs them nothing.
type interner struct {
	slots [internSlots]string
	cols  []internStats
}

const (
	internBits  = 10
	internSlots = 1 << internBits
	internTrial = 4096 // lookups per column before judging its hit rate
)

type internStats struct {
	hits, lookups int
	off           bool
}

// slotOf hashes raw (at most 64 bytes) from its length and its first
// and last eight bytes: cheap, and a collision only costs a miss.
func slotOf(raw []byte) int {
	var x uint64
	if n := len(raw); n >= 8 {
		x = binary.LittleEndian.Uint64(raw) ^ binary.LittleEndian.Uint64(raw[n-8:])*0x9e3779b97f4a7c15
	} else {
		for _, c := range raw {
			x = x<<8 | uint64(c)
		}
	}
	x ^= uint64(len(raw))
	x *= 0xff51afd7ed558ccd
	return int(x >> (64 - internBits))
}

// get returns raw as a string, shared with earlier equal values when
// possible. raw is not retained.
func (in *interner) get(col int, raw []byte) string {
	if len(raw) > 64 {
		return string(raw)
	}
	for len(in.cols) <= col {
		in.cols = append(in.cols, internStats{})
	}
	st := &in.cols[col]
	if st.off {
		return string(raw)
	}
	st.lookups++
	slot := &in.slots[slotOf(raw)]
	if *slot == string(raw) {
		st.hits++
		return *slot
	}
	if st.lookups >= internTrial {
		if st.hits*2 < st.lookups {
			st.off = true // mostly distinct values
		}
		st.hits, st.lookups = 0, 0
	}
	v := string(raw)
	*slot = v
	return v
}
