package runtime

// SetDecodeAhead sets the decoding-ahead test knobs (predecode.go) and
// returns a function restoring them.
func SetDecodeAhead(on bool, lanes int) func() {
	oldOff, oldLanes := decodeAheadOff, aheadLanes
	decodeAheadOff, aheadLanes = !on, lanes
	return func() { decodeAheadOff, aheadLanes = oldOff, oldLanes }
}
