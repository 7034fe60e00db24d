package connector

import (
	"context"

	"github.com/streamsql/streamsql/planner"
)

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

// CheckpointListener is a SourceReader told when a checkpoint is
// complete, with the positions it recorded for this source (Kafka
// commits them as its consumer group's offsets, as Flink's KafkaSource
// does when checkpointing is on). Called on the executor goroutine.
type CheckpointListener interface {
	CheckpointComplete(pos []Position)
}

// SourceOffsets is one source table's positions in a checkpoint.
type SourceOffsets struct {
	Table     *planner.TableDesc
	Positions []Position
}

// TransactionalSink is a SinkWriter whose output is invisible until a
// checkpoint commits it (Spec.Transactional; Kafka 'exactly-once'). The
// transaction is the checkpoint's commit point: it holds the rows written
// since the previous commit, the sources' positions (Kafka: the consumer
// groups' offsets) and a marker naming the checkpoint, so that after a
// crash the checkpoint to restore is the one the sink last committed.
//
// Opening the sink fences any earlier instance (Kafka: re-initialising
// the transactional id aborts its open transaction).
type TransactionalSink interface {
	// CommitCheckpoint commits, in one transaction, everything written
	// since the previous commit, the positions of the sources it can
	// commit (others are ignored) and the marker of checkpoint id.
	CommitCheckpoint(ctx context.Context, id int64, sources []SourceOffsets) error
	// Committed reports the last committed transaction: the checkpoint id
	// of its marker (0 when none) and, for each source given, the offsets
	// committed for the positions it names (Offset -1 when none; sources
	// the sink cannot commit are returned without positions).
	Committed(ctx context.Context, sources []SourceOffsets) (int64, []SourceOffsets, error)
}
