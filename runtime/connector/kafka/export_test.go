package kafka

// SetTestLimits makes the source's buffers small until restore is called
// (tests in this package do not run in parallel).
func SetTestLimits(chunkRecs, chunkBytes int, pauseBytes, resumeBytes int64, fetchBytes int32, chanBuf int) (restore func()) {
	old := defaultLimits
	defaultLimits = limits{chunkRecs: chunkRecs, chunkBytes: chunkBytes, pauseBytes: pauseBytes, resumeBytes: resumeBytes, fetchBytes: fetchBytes, chanBuf: chanBuf}
	return func() { defaultLimits = old }
}

// QueuedBytes reports the key and value bytes a bounded source holds for
// its merge now, and the most it has held.
func QueuedBytes(s *Source) (now, peak int64) {
	return s.queued.Load(), s.peakQueued.Load()
}
