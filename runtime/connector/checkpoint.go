package connector

// Checkpoint support for connectors: optional interfaces, checked once
// when a job starts (see docs/checkpoints.md).

// Position is where one source split stands, as a checkpoint records it:
// a file's byte offset and line number after the last line read, a Kafka
// partition's next offset.
type Position struct {
	Split  int
	Name   string // file path, "topic/partition": checked on Seek
	Offset int64
	Line   int64
	Done   bool // the split is exhausted
}

// Seeker is a SourceReader that can resume from a checkpoint. Its polls
// fill Poll.Positions. Seek is called at most once, after the reader is
// opened and before its first Poll, with the last position of every
// split the checkpoint saw; the next Poll returns the first record after
// them. A split the positions do not name is read from its start. Seek
// fails when the input no longer matches (a file is missing or shorter).
type Seeker interface {
	Seek(pos []Position) error
}

// ProgressSink is a SinkWriter whose output survives a restart. After a
// Flush, Progress returns a token naming what is durable (a file's path
// and length), stored in the checkpoint. A sink opened with Env.Resume
// set to such a token continues after it and discards what was written
// later (a file is truncated to the recorded length), so a restored job
// writes each row once.
type ProgressSink interface {
	Progress() ([]byte, error)
}
