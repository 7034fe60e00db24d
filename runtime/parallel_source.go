package runtime

import (
	"context"
	"encoding/binary"
	"sort"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/state"
)

// Sources as subtasks (docs/architecture.md, "Parallel execution").
//
// A live job reads an unbounded table whose connector can split its
// reading (connector.Spec.SplitReaders: Kafka) as 'scan.parallelism'
// subtasks (default 'parallelism.default'). Each subtask is a task of
// its own: one reader, opened with connector.Env.Subtask, reads the
// splits assigned to it (Kafka: Flink's KafkaSourceEnumerator
// assignment), keeps one watermark per split and emits the minimum over
// its active splits every pipeline.auto-watermark-interval; downstream
// tasks take the minimum over their channels (Flink's
// StatusWatermarkValve). A subtask whose splits are all idle, or which
// has none, tells its consumers so (msgIdle): they leave its channels
// out of the minimum until it sends again.
//
// A bounded job (a replay) keeps one reader per source, in the source
// task: its deterministic merge of the splits is what makes the same
// rows late at every parallelism (docs/semantics.md, "Parallelism"). So
// do connectors without SplitReaders.
//
// Checkpoints: the coordinator (Run's goroutine) injects the barrier
// into each source subtask's inbox; the subtask snapshots its splits'
// watermarks and positions and forwards the barrier. The manifest holds
// every split's position; a restore at another parallelism gives each
// new subtask the positions and watermarks of the splits it now owns
// (connector.SplitOwner).

// allSources lists every source subtask: the job's own nodes and the
// other subtasks of parallel sources.
func (j *Job) allSources() []*sourceNode {
	out := make([]*sourceNode, 0, len(j.sources))
	for _, s := range j.sources {
		out = append(out, s)
		out = append(out, s.subtasks...)
	}
	return out
}

// sourceOf is the source subtask whose node is n, or nil.
func (j *Job) sourceOf(n *node) *sourceNode {
	for _, s := range j.sources {
		if s.node == n {
			return s
		}
		for _, x := range s.subtasks {
			if x.node == n {
				return x
			}
		}
	}
	return nil
}

// splitReaders reports whether t runs as several readers: an unbounded
// table of a connector whose readers share its splits.
func (j *Job) splitReaders(t *planner.TableDesc) bool {
	spec, err := j.connectorFor(t)
	if err != nil || spec.SplitReaders == nil || !spec.SplitReaders(t) {
		return false
	}
	return spec.Bounded == nil || !spec.Bounded(t)
}

// instances is s with its other subtasks (s: the job's own node).
func (s *sourceNode) instances() []*sourceNode {
	return append([]*sourceNode{s}, s.subtasks...)
}

// notePositions records where a poll left this subtask's splits.
func (s *sourceNode) notePositions(p *connector.Poll) {
	if len(p.Positions) == 0 {
		return
	}
	if s.positions == nil {
		s.positions = map[int]connector.Position{}
	}
	for _, pos := range p.Positions {
		s.positions[pos.Split] = pos
	}
}

// idleNow reports whether the subtask has no active split: all idle,
// ended, or none assigned.
func (s *sourceNode) idleNow() bool {
	_, ok := s.combined()
	return !ok
}

// runSource is the loop of a parallel source's subtask: it handles the
// reader's polls, emits the watermark on the interval, and takes
// barriers and the end of the job from the coordinator.
func (t *task) runSource(ctx context.Context) error {
	s := t.source
	j := t.par.j
	tick := time.NewTicker(j.watermarkInterval)
	defer tick.Stop()
	polls := s.polls
	polled := false // the first poll (which activates the splits) is handled
	idle := false   // consumers were told the subtask is idle
	for {
		select {
		case r, ok := <-polls:
			if !ok {
				polls = nil // stopped: wait for the coordinator's end
				continue
			}
			done, err := s.handle(r, false)
			if err != nil {
				if stopped(ctx, err) {
					polls = nil
					continue
				}
				return err
			}
			s.notePositions(&r.p)
			polled = true
			if len(r.p.Records) > 0 {
				idle = false // the rows reactivated its channels
			}
			if done {
				polls = nil
			}
		case now := <-tick.C:
			if err := s.periodic(now); err != nil {
				return err
			}
			if polled && !idle && s.idleNow() {
				idle = true
				for _, x := range t.outs {
					if err := x.control(msgIdle, 0); err != nil {
						return err
					}
				}
			} else if idle && !s.idleNow() {
				idle = false // its watermark reactivates its channels
			}
		case m := <-t.inbox:
			switch m.kind {
			case msgBarrier:
				if err := t.onBarrier(m.id); err != nil {
					return err
				}
			case msgEnd:
				return t.finish()
			}
		case <-t.par.abort:
			return errAborted
		}
	}
}

// sourceTasks lists the tasks of parallel sources.
func (p *parallel) sourceTasks() []*task {
	var out []*task
	for _, t := range p.tasks {
		if t.source != nil {
			out = append(out, t)
		}
	}
	return out
}

// injectBarrier starts checkpoint id at every parallel source subtask.
func (p *parallel) injectBarrier(id int64) error {
	for _, t := range p.sourceTasks() {
		if err := t.send(message{kind: msgBarrier, id: id}, p.src); err != nil {
			return err
		}
	}
	return nil
}

// endSources ends every parallel source subtask (the job stops).
func (p *parallel) endSources() error {
	for _, t := range p.sourceTasks() {
		if err := t.send(message{kind: msgEnd}, p.src); err != nil {
			return err
		}
	}
	return nil
}

// snapshotSubtask adds source subtask s (index sub) to its node's
// snapshot: its splits' state as entries, its positions and its count.
func (j *Job) snapshotSubtask(s *sourceNode, sub int, ns *nodeSnap) error {
	w := &memWriter{j: j, n: s.node, sub: sub, out: &ns.entries}
	op := &state.OperatorState{}
	if err := writeSourceState(s, sub, false, s.positions, op, w); err != nil {
		return err
	}
	ns.splits, ns.read, ns.source = op.Splits, op.Counters.Read, true
	return nil
}

// mergeSubtaskPositions gives the coordinator every split position of
// parallel source s0 taken at this checkpoint's barrier (for the
// transaction and the consumer group commit).
func (c *checkpointer) mergeSubtaskPositions(s0 *sourceNode, snaps map[*node]*nodeSnap) {
	m := map[int]connector.Position{}
	for _, s := range s0.instances() {
		if sn := snaps[s.node]; sn != nil {
			for _, p := range sn.splits {
				m[p.Split] = connector.Position{Split: p.Split, Name: p.Name, Offset: p.Offset, Line: p.Line, Done: p.Done}
			}
		}
	}
	c.positions[s0] = m
}

// sourceMetaKey is the key of a source subtask's metadata entry: none
// for a source of one subtask (the layout of earlier checkpoints).
func sourceMetaKey(sub int, parallel bool) []byte {
	if !parallel {
		return nil
	}
	return binary.BigEndian.AppendUint32(nil, uint32(sub))
}

// sortSplits orders a manifest's split positions by split.
func sortSplits(sp []state.SplitPosition) {
	sort.Slice(sp, func(a, b int) bool { return sp[a].Split < sp[b].Split })
}

// ownsSplit reports whether source subtask s reads split i.
func (s *sourceNode) ownsSplit(i int) bool {
	if o, ok := s.reader.(connector.SplitOwner); ok {
		return o.OwnsSplit(i)
	}
	return true
}

// mergedMirror is a parallel source's records read and split states
// over its subtasks (for Progress): each split as its owner reports it.
func (s *sourceNode) mergedMirror() (int64, []SplitProgress) {
	var read int64
	var splits []SplitProgress
	for _, x := range s.instances() {
		m := &x.mirror
		m.mu.Lock()
		read += m.read
		for _, sp := range m.splits {
			for len(splits) <= sp.Split {
				splits = append(splits, SplitProgress{Split: len(splits), Watermark: core.MinWatermark})
			}
			if sp.Active || sp.Ended || sp.Idle {
				splits[sp.Split] = sp
			}
		}
		m.mu.Unlock()
	}
	return read, splits
}
