package runtime

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
)

// Progress snapshots: a read-only view of a running job for the progress
// display and the Prometheus collector, safe to take from any goroutine
// while Run executes.
//
// Per-node counters are core.Metrics atomics. A source's per-split state
// (watermark, idleness) lives in plain fields owned by the executor
// goroutine; the executor copies it into a mutex-guarded mirror once per
// poll and once per periodic watermark tick (sourceNode.publish), never per
// row, and snapshots read only the mirror.

// Snapshot is a job's figures at one instant.
type Snapshot struct {
	Taken     time.Time
	Sources   []SourceProgress
	Sinks     []SinkProgress
	Operators []OperatorProgress // every node, sources and sinks included, in plan order
	// Totals over all operators.
	OpenWindows        int64
	LateRecordsDropped int64
	RecordsSkipped     int64
	StateExpiredKeys   int64
	// Checkpoints: the last completed checkpoint (nil before the first,
	// or when checkpointing is off) and counts.
	LastCheckpoint    *CheckpointInfo
	CheckpointsDone   int64
	CheckpointsFailed int64
	// StateSize is the bytes of operator state last reported (0: unknown).
	StateSize int64
}

// SourceProgress is one source table's figures.
type SourceProgress struct {
	ID          int    // plan node id
	Table       string // table name
	RecordsRead int64  // records polled, malformed ones included
	RowsOut     int64  // rows handed downstream
	Skipped     int64  // malformed rows and rows with a NULL rowtime
	// RowsPerSec is records read per second since the previous snapshot
	// (filled by SetRates; 0 for the first snapshot).
	RowsPerSec float64
	// Watermark is the source's emitted watermark (core.MinWatermark
	// before the first, core.MaxWatermark once exhausted).
	Watermark int64
	// HasWatermark is false when the table declares no WATERMARK.
	HasWatermark bool
	Splits       []SplitProgress
}

// AllIdle reports whether the source has splits and every live (not
// ended) one is idle: the watermark then holds, as in Flink.
func (s *SourceProgress) AllIdle() bool {
	live := 0
	for _, sp := range s.Splits {
		if sp.Ended {
			continue
		}
		live++
		if !sp.Idle {
			return false
		}
	}
	return live > 0
}

// SplitProgress is one split (file, Kafka partition) of a source.
type SplitProgress struct {
	Split      int
	Watermark  int64 // core.MinWatermark until its first row with a rowtime
	Active     bool
	Idle       bool
	Ended      bool
	LastActive time.Time // last record (or assignment); zero when never active
}

// Lag is how far the split's watermark is behind t (the wall clock when
// t is Snapshot.Taken); ok is false when the split has no watermark yet
// or has ended.
func (sp *SplitProgress) Lag(t time.Time) (time.Duration, bool) {
	if sp.Ended || sp.Watermark == core.MinWatermark || sp.Watermark == core.MaxWatermark {
		return 0, false
	}
	return time.Duration(t.UnixMilli()-sp.Watermark) * time.Millisecond, true
}

// SinkProgress is one sink table's figures.
type SinkProgress struct {
	ID         int
	Table      string
	RowsOut    int64   // rows handed to the sink's writer
	RowsPerSec float64 // since the previous snapshot (SetRates)
}

// OperatorProgress is one plan node's counters.
type OperatorProgress struct {
	ID                 int
	Name               string // operator name as EXPLAIN prints it (TableSourceScan, WindowAggregate, Sink...)
	Table              string // for sources and sinks
	RecordsIn          int64  // for a source: records read
	RecordsOut         int64  // for a sink: rows written
	LateRecordsDropped int64
	RecordsSkipped     int64
	OpenWindows        int64
	StateExpiredKeys   int64 // keys dropped by the state TTL (table.exec.state.ttl, STATE_TTL)
	Watermark          int64 // input watermark; core.MinWatermark before the first
	// Subtasks has one entry per subtask when the node runs as several
	// (the figures above are then their sums, the watermark their minimum).
	Subtasks []SubtaskProgress
}

// SubtaskProgress is one subtask's figures.
type SubtaskProgress struct {
	Index              int // 0-based; Flink prints Index+1
	RecordsIn          int64
	RecordsOut         int64
	LateRecordsDropped int64
	OpenWindows        int64
	Watermark          int64
	// BackPressured is how long the subtask's task waited to send to a
	// full channel, in all; BackPressuredMsPerSec that per second since
	// the previous snapshot (SetRates; Flink's backPressuredTimeMsPerSecond).
	BackPressured         time.Duration
	BackPressuredMsPerSec float64
}

// CheckpointInfo describes a completed checkpoint. The checkpoint
// coordinator reports each one with Job.ReportCheckpoint.
type CheckpointInfo struct {
	ID        int64
	Completed time.Time
	Duration  time.Duration
	Size      int64 // bytes written for this checkpoint
}

// progressState is the job-wide part filled from outside the executor.
type progressState struct {
	lastCheckpoint    atomic.Pointer[CheckpointInfo]
	checkpointsDone   atomic.Int64
	checkpointsFailed atomic.Int64
	stateSize         atomic.Int64
}

// ReportCheckpoint records a completed checkpoint (safe from any goroutine).
func (j *Job) ReportCheckpoint(ci CheckpointInfo) {
	c := ci
	j.progress.lastCheckpoint.Store(&c)
	j.progress.checkpointsDone.Add(1)
}

// ReportCheckpointFailed counts a checkpoint that did not complete.
func (j *Job) ReportCheckpointFailed() { j.progress.checkpointsFailed.Add(1) }

// SetStateSize records the current size of the job's state in bytes.
func (j *Job) SetStateSize(bytes int64) { j.progress.stateSize.Store(bytes) }

// sourceMirror is a source's per-split state as last published by the
// executor goroutine.
type sourceMirror struct {
	mu     sync.Mutex
	read   int64
	splits []SplitProgress
}

// publish copies the executor-owned split state into the mirror. It runs
// on the executor goroutine once per poll and per watermark tick.
func (s *sourceNode) publish() {
	m := &s.mirror
	m.mu.Lock()
	m.read = s.read
	m.splits = m.splits[:0]
	for i := range s.splits {
		sp := &s.splits[i]
		m.splits = append(m.splits, SplitProgress{
			Split: i, Watermark: sp.wm, Active: sp.active, Idle: sp.idle, Ended: sp.ended, LastActive: sp.lastActive,
		})
	}
	m.mu.Unlock()
}

// Progress takes a snapshot of the job's figures. It may be called from
// any goroutine, during or after Run.
func (j *Job) Progress() *Snapshot {
	s := &Snapshot{Taken: time.Now(), Operators: make([]OperatorProgress, 0, len(j.nodes))}
	for i, n := range j.nodes {
		m := n.metrics
		op := OperatorProgress{
			ID: n.plan.ID, Name: n.plan.Name(),
			RecordsIn: m.RecordsIn.Load(), RecordsOut: m.RecordsOut.Load(),
			LateRecordsDropped: m.LateRecordsDropped.Load(), RecordsSkipped: m.RecordsSkipped.Load(),
			OpenWindows: m.OpenWindows.Load(), Watermark: m.CurrentWatermark.Load(),
			StateExpiredKeys: m.StateExpiredKeys.Load(),
		}
		if j.par != nil && len(j.par.instances[i]) > 1 {
			j.par.subtaskProgress(i, &op)
		}
		switch o := n.plan.Op.(type) {
		case *planner.SourceOp:
			op.Table = o.Table.Name
		case *planner.SinkOp:
			op.Table = o.Table.Name
		}
		s.Operators = append(s.Operators, op)
		s.OpenWindows += op.OpenWindows
		s.LateRecordsDropped += op.LateRecordsDropped
		s.RecordsSkipped += op.RecordsSkipped
		s.StateExpiredKeys += op.StateExpiredKeys
	}
	for _, src := range j.sources {
		read, splits := src.mergedMirror()
		sp := SourceProgress{
			ID: src.node.plan.ID, Table: src.op.Table.Name,
			RecordsRead: read, RowsOut: src.node.metrics.RecordsOut.Load(),
			Skipped:   src.node.metrics.RecordsSkipped.Load(),
			Watermark: src.node.metrics.CurrentWatermark.Load(), HasWatermark: src.wmFunc != nil,
			Splits: splits,
		}
		s.Sources = append(s.Sources, sp)
		// A source's records in are the records it read.
		for i := range s.Operators {
			if s.Operators[i].ID == sp.ID {
				s.Operators[i].RecordsIn = read
			}
		}
	}
	for _, sk := range j.sinks {
		in := sk.node.metrics.RecordsIn.Load()
		s.Sinks = append(s.Sinks, SinkProgress{ID: sk.node.plan.ID, Table: sk.op.Table.Name, RowsOut: in})
		// A sink's records out are the rows it wrote.
		for i := range s.Operators {
			if s.Operators[i].ID == sk.node.plan.ID {
				s.Operators[i].RecordsOut = in
			}
		}
	}
	s.LastCheckpoint = j.progress.lastCheckpoint.Load()
	s.CheckpointsDone = j.progress.checkpointsDone.Load()
	s.CheckpointsFailed = j.progress.checkpointsFailed.Load()
	s.StateSize = j.progress.stateSize.Load()
	return s
}

// SetRates fills the per-second rates from the difference with an
// earlier snapshot of the same job (nil: rates stay 0).
func (s *Snapshot) SetRates(prev *Snapshot) {
	if prev == nil {
		return
	}
	dt := s.Taken.Sub(prev.Taken).Seconds()
	if dt <= 0 {
		return
	}
	for i := range s.Sources {
		for _, p := range prev.Sources {
			if p.ID == s.Sources[i].ID {
				s.Sources[i].RowsPerSec = float64(s.Sources[i].RecordsRead-p.RecordsRead) / dt
			}
		}
	}
	for i := range s.Operators {
		for _, p := range prev.Operators {
			if p.ID != s.Operators[i].ID || len(p.Subtasks) != len(s.Operators[i].Subtasks) {
				continue
			}
			for k := range p.Subtasks {
				st := &s.Operators[i].Subtasks[k]
				st.BackPressuredMsPerSec = float64((st.BackPressured - p.Subtasks[k].BackPressured).Milliseconds()) / dt
			}
		}
	}
	for i := range s.Sinks {
		for _, p := range prev.Sinks {
			if p.ID == s.Sinks[i].ID {
				s.Sinks[i].RowsPerSec = float64(s.Sinks[i].RowsOut-p.RowsOut) / dt
			}
		}
	}
}
