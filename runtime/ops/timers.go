package ops

// Event-time timers of keyed operators (OVER aggregation, interval join):
// a min-heap of (time, key), ordered by time, then key, so that timers of
// one time fire in key order whatever the arrival order. An operator
// keeps, per key, which timers are live; a popped entry that is no
// longer live (re-registered, cleared) is skipped.

type keyTimer struct {
	ts  int64
	key string
}

type keyTimers []keyTimer

func (h keyTimers) Len() int { return len(h) }
func (h keyTimers) Less(i, j int) bool {
	return h[i].ts < h[j].ts || h[i].ts == h[j].ts && h[i].key < h[j].key
}
func (h keyTimers) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *keyTimers) Push(x any)   { *h = append(*h, x.(keyTimer)) }
func (h *keyTimers) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
