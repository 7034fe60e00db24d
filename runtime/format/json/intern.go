package json

import "hash/maphash"

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
	internSlots = 1024
	internTrial = 4096 // lookups per column before judging its hit rate
)

type internStats struct {
	hits, lookups int
	off           bool
}

var internSeed = maphash.MakeSeed()

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
	slot := &in.slots[maphash.Bytes(internSeed, raw)&(internSlots-1)]
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
