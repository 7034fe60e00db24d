package runtime

// SetCutAtWatermarks makes replayed sources cut batches wherever the
// watermark advances (the delivery before per-row watermarks in batches)
// when on; it returns a function restoring the default.
func SetCutAtWatermarks(on bool) (restore func()) {
	old := cutAtWatermarks
	cutAtWatermarks = on
	return func() { cutAtWatermarks = old }
}

// SetStateFreeSpace replaces the state directory's free-space probe (a
// simulated full disk); it returns a function restoring the default.
func SetStateFreeSpace(f func(dir string) (int64, error)) (restore func()) {
	old := stateFreeSpace
	stateFreeSpace = f
	return func() { stateFreeSpace = old }
}
