package ops

// bloom is a scalable Bloom filter over 64-bit hashes: a list of filters
// whose capacities double, each sized for about 1 % false positives at
// its capacity. A window's spilled group keys go in it, so a row whose
// group is in neither memory nor the filter is a new group without a
// look-up in the spill table (a point read costs about 10 µs).
type bloom struct {
	parts []bloomPart
}

type bloomPart struct {
	bits []uint64
	mask uint64 // number of bits - 1 (a power of two)
	n    int    // keys added
	cap  int    // keys it was sized for
}

const (
	bloomProbes   = 7
	bloomBitsPer  = 10 // bits per key: about 1 % false positives with 7 probes
	bloomFirstCap = 1 << 12
)

// add records h.
func (b *bloom) add(h uint64) (grew int64) {
	if len(b.parts) == 0 || b.parts[len(b.parts)-1].n >= b.parts[len(b.parts)-1].cap {
		c := bloomFirstCap
		if len(b.parts) > 0 {
			c = b.parts[len(b.parts)-1].cap * 2
		}
		nbits := 64
		for nbits < c*bloomBitsPer {
			nbits <<= 1
		}
		b.parts = append(b.parts, bloomPart{bits: make([]uint64, nbits/64), mask: uint64(nbits - 1), cap: c})
		grew = int64(nbits / 8)
	}
	p := &b.parts[len(b.parts)-1]
	h1, h2 := h, h>>32|h<<32|1
	for i := 0; i < bloomProbes; i++ {
		x := h1 & p.mask
		p.bits[x>>6] |= 1 << (x & 63)
		h1 += h2
	}
	p.n++
	return grew
}

// has reports whether h may have been added (false: certainly not).
func (b *bloom) has(h uint64) bool {
	for i := range b.parts {
		p := &b.parts[i]
		h1, h2 := h, h>>32|h<<32|1
		hit := true
		for j := 0; j < bloomProbes; j++ {
			x := h1 & p.mask
			if p.bits[x>>6]&(1<<(x&63)) == 0 {
				hit = false
				break
			}
			h1 += h2
		}
		if hit {
			return true
		}
	}
	return false
}
