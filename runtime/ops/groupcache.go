package ops

import (
	"unsafe"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// groupCache finds a window's group for a single-STRING group key without
// encoding the key or hashing its bytes. Decoders share the string of a
// repeated value (the JSON decoder's interner), so rows of the same group
// usually carry the very same string: the cache is direct-mapped on the
// string's data pointer, length and window, and a hit is exact (Go strings
// are immutable and the cache keeps the memory alive). A miss falls back
// to the window's map of encoded keys, which stays the one authority
// (snapshots and spilling use it), and fills the slot.
//
// It is used only without a memory limit (a spilled group leaves the map
// while a slot could still point at it) and is emptied whenever windows
// fire (so it keeps no fired window alive). A key whose strings rarely
// repeat by pointer (distinct ids, undeduplicated decoders) switches it
// off after a trial, as the interner does.
type groupCache struct {
	slots         [groupCacheSlots]groupSlot
	hits, lookups int
	off           bool
}

type groupSlot struct {
	p *byte
	n int
	w *aggWindow
	g *group
}

const (
	groupCacheBits  = 8
	groupCacheSlots = 1 << groupCacheBits
	groupCacheTrial = 4096
)

// newGroupCache returns a cache for a single STRING key column without a
// memory limit, else nil.
func newGroupCache(keys []int, in planner.Schema, spill *aggSpill) *groupCache {
	if spill != nil || len(keys) != 1 || in[keys[0]].Type.Kind != types.String {
		return nil
	}
	return &groupCache{}
}

func (c *groupCache) slot(p *byte, w *aggWindow) *groupSlot {
	x := uint64(uintptr(unsafe.Pointer(p))) ^ uint64(uintptr(unsafe.Pointer(w)))>>4
	x *= 0x9e3779b97f4a7c15
	return &c.slots[x>>(64-groupCacheBits)]
}

// get returns the group of row's key (column k) in w, or nil.
func (c *groupCache) get(w *aggWindow, row core.Row, k int) *group {
	if c == nil || c.off {
		return nil
	}
	v := &row[k]
	if v.K != types.String || len(v.S) == 0 {
		return nil
	}
	c.lookups++
	p := unsafe.StringData(v.S)
	s := c.slot(p, w)
	if s.p == p && s.n == len(v.S) && s.w == w {
		c.hits++
		return s.g
	}
	if c.lookups >= groupCacheTrial {
		if c.hits*2 < c.lookups {
			c.off = true
			c.reset()
		}
		c.hits, c.lookups = 0, 0
	}
	return nil
}

// put remembers g as the group of row's key (column k) in w.
func (c *groupCache) put(w *aggWindow, row core.Row, k int, g *group) {
	if c == nil || c.off {
		return
	}
	v := &row[k]
	if v.K != types.String || len(v.S) == 0 {
		return
	}
	p := unsafe.StringData(v.S)
	*c.slot(p, w) = groupSlot{p: p, n: len(v.S), w: w, g: g}
}

// reset empties the cache (windows fired).
func (c *groupCache) reset() {
	if c != nil {
		clear(c.slots[:])
	}
}
