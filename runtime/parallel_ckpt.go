package runtime

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/state"
)

// Checkpoints of a parallel job (docs/checkpoints.md, "Parallel jobs:
// aligned barriers"). The source task is the coordinator: between two
// polls it writes its own nodes' state as at parallelism 1 and sends
// barrier n on every channel. A task with several input channels aligns
// them: a channel that delivered the barrier is held (its later messages
// wait) until every channel has; then the task snapshots its nodes (state
// entries addressed by key group), flushes its sinks and records their
// progress, acknowledges to the coordinator and forwards the barrier. The
// checkpoint is written once every task acknowledged; a task holding the
// transactional sink waits until the transaction committed, so the
// transaction holds exactly the rows before the barrier. The final
// checkpoint of a finished job is taken after every task ended, without
// barriers.

// nodeSnap is one node instance's part of a checkpoint.
type nodeSnap struct {
	wm       int64
	inWM     []int64
	counters state.Counters
	entries  []memEntry
	sink     []byte
	delta    bool // entries are changes (core.IncrementalState)
	// a parallel source's subtask (parallel_source.go): its splits'
	// positions and records read
	source bool
	splits []state.SplitPosition
	read   int64
}

type memEntry struct {
	table      uint8
	key, value []byte
	del        bool // a deletion (value: the entry's last value)
}

// taskAck is a task's acknowledgement of a barrier.
type taskAck struct {
	snaps map[*node]*nodeSnap
	err   error
}

// memWriter collects entries, prefixing keys with their key group when
// the node runs as several subtasks (see state.OperatorState.KeyGroups).
type memWriter struct {
	j     *Job
	n     *node
	sub   int
	split bool // prefix keys with key groups
	out   *[]memEntry
}

// metaGroup starts the key of an entry of a whole subtask.
const metaGroup = 0xFFFF

func (w *memWriter) Put(table uint8, key, value []byte) error {
	return w.add(table, key, value, false)
}

// Delete implements core.DeltaWriter.
func (w *memWriter) Delete(table uint8, key, last []byte) error {
	return w.add(table, key, last, true)
}

func (w *memWriter) add(table uint8, key, value []byte, del bool) error {
	k := make([]byte, 0, len(key)+4)
	if w.split {
		ks, ok := w.n.op.(core.KeyedState)
		if !ok {
			return fmt.Errorf("%s: state of %d subtasks is not keyed", w.n.plan.Name(), w.j.par.rp[w.n.plan])
		}
		input, cols, vals, keyed, err := ks.EntryKey(table, key, value)
		if err != nil {
			return err
		}
		if keyed {
			kg, err := w.j.keyGroupOf(w.n.plan, input, cols, vals)
			if err != nil {
				return err
			}
			k = binary.BigEndian.AppendUint16(k, uint16(kg))
		} else {
			k = binary.BigEndian.AppendUint16(k, metaGroup)
			k = binary.BigEndian.AppendUint16(k, uint16(w.sub))
		}
	}
	k = append(k, key...)
	*w.out = append(*w.out, memEntry{table: table, key: k, value: append([]byte(nil), value...), del: del})
	return nil
}

// keyGroupOf is the key group of a key of input `input` of node pn: the
// hash of its distribution's key columns, found among cols (the input
// row's columns holding vals; nil: vals is the row).
func (j *Job) keyGroupOf(pn *planner.Node, input int, cols []int, vals []types.Value) (int, error) {
	if input >= len(pn.InputDists) || pn.InputDists[input].Kind != planner.DistHash {
		return 0, nil // single: every key in key group 0's subtask
	}
	keys := pn.InputDists[input].Keys
	if agg, ok := pn.Op.(*planner.WindowAggOp); ok {
		// a group's key values, in GroupKeys order (whatever columns
		// the operator reads them from: a fused Calc changes those)
		cols = agg.GroupKeys
	}
	row := make(core.Row, len(keys))
	var conv func(int, types.Value) types.Value
	if lk, rk, ok := planner.EquiJoinKeys(pn.Op); ok {
		conv = ops.JoinKeyConverter(lk, rk, pn.Inputs[0].Schema, pn.Inputs[1].Schema, input, j.tz)
	}
	for i, c := range keys {
		found := false
		if cols == nil {
			if c < len(vals) {
				row[i], found = vals[c], true
			}
		} else {
			for k, x := range cols {
				if x == c && k < len(vals) {
					row[i], found = vals[k], true
				}
			}
		}
		if !found {
			return 0, fmt.Errorf("%w: %s #%d: state entry lacks key column %d", core.ErrBadState, pn.Name(), pn.ID, c)
		}
		if conv != nil {
			row[i] = conv(i, row[i])
		}
	}
	h, _ := core.RowKeyHash(row, identityCols(len(keys)), nil)
	return core.KeyGroupForHash(h, j.maxParallelism()), nil
}

func identityCols(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = i
	}
	return c
}

func (j *Job) maxParallelism() int {
	if j.graph.MaxParallelism > 0 {
		return j.graph.MaxParallelism
	}
	return planner.DefaultMaxParallelism
}

// snapshotInstance snapshots one node instance (on the goroutine that
// runs it, or any once no task runs).
func (j *Job) snapshotInstance(ctx context.Context, n *node, sub int, flush bool) (*nodeSnap, error) {
	s := &nodeSnap{wm: n.wm, inWM: append([]int64(nil), n.inWM...),
		counters: state.Counters{In: n.metrics.RecordsIn.Load(), Out: n.metrics.RecordsOut.Load(),
			Late: n.metrics.LateRecordsDropped.Load(), Skipped: n.metrics.RecordsSkipped.Load()}}
	if sk, ok := n.op.(*sinkNode); ok {
		if flush {
			if err := sk.flush(ctx); err != nil {
				return nil, err
			}
		}
		tok, err := sk.progress()
		if err != nil {
			return nil, err
		}
		s.sink = tok
	}
	if sn, ok := n.op.(core.Snapshotter); ok {
		w := &memWriter{j: j, n: n, sub: sub, split: j.par.rp[n.plan] > 1, out: &s.entries}
		var err error
		if inc, ok := sn.(core.IncrementalState); ok && j.par.delta[n.plan] {
			s.delta = true
			err = inc.SnapshotChanges(w)
		} else {
			err = sn.Snapshot(w)
		}
		if err != nil {
			return nil, fmt.Errorf("%s #%d: %w", n.plan.Name(), n.plan.ID, err)
		}
	}
	return s, nil
}

// snapshotTask snapshots every node of t.
func (t *task) snapshot(ctx context.Context, flush bool) taskAck {
	ack := taskAck{snaps: map[*node]*nodeSnap{}}
	for _, n := range t.nodes {
		s, err := t.par.j.snapshotInstance(ctx, n, t.index, flush)
		if err == nil && t.source != nil && t.source.node == n {
			err = t.par.j.snapshotSubtask(t.source, t.index, s)
		}
		if err != nil {
			ack.err = err
			return ack
		}
		ack.snaps[n] = s
	}
	return ack
}

// inSource reports whether n runs in the source task (the coordinator
// snapshots it itself, as at parallelism 1).
func (p *parallel) inSource(n *node) bool {
	for _, x := range p.src.nodes {
		if x == n {
			return true
		}
	}
	return false
}

// collect gathers every other task's snapshot: by barrier while the tasks
// run, directly once they have ended.
func (p *parallel) collect(ctx context.Context, id int64) (map[*node]*nodeSnap, error) {
	snaps := map[*node]*nodeSnap{}
	if !p.running {
		for _, t := range p.tasks {
			ack := t.snapshot(ctx, false)
			if ack.err != nil {
				return nil, ack.err
			}
			for n, s := range ack.snaps {
				snaps[n] = s
			}
		}
		return snaps, nil
	}
	p.resumeCh = make(chan struct{})
	p.acks = make(chan taskAck, len(p.tasks))
	for _, x := range p.src.outs {
		for i, t := range x.targets {
			if err := t.send(message{ch: x.chans[i], kind: msgBarrier, pos: p.src.pos, id: id}, p.src); err != nil {
				return nil, err
			}
		}
	}
	if err := p.injectBarrier(id); err != nil {
		return nil, err
	}
	var first error
	for range p.tasks {
		select {
		case ack := <-p.acks:
			if ack.err != nil && first == nil {
				first = ack.err
			}
			for n, s := range ack.snaps {
				snaps[n] = s
			}
		case <-p.abort:
			return nil, errAborted
		}
	}
	return snaps, first
}

// resume lets a task waiting for the checkpoint's commit go on.
func (p *parallel) resume() {
	if p.resumeCh != nil {
		close(p.resumeCh)
		p.resumeCh = nil
	}
}

// fill completes node i's manifest entry and writes its state from the
// snapshots of its instances.
func (p *parallel) fill(i int, op *state.OperatorState, ow *state.OperatorWriter, snaps map[*node]*nodeSnap) error {
	pn := p.j.graph.Nodes[i]
	_, source := pn.Op.(*planner.SourceOp)
	op.KeyGroups = p.rp[pn] > 1 && !source // a source's state is per split
	op.Counters = state.Counters{}
	if _, sink := pn.Op.(*planner.SinkOp); sink && len(p.instances[i]) > 1 {
		op.SinkSubtasks = make([][]byte, len(p.instances[i]))
		for s, n := range p.instances[i] {
			if sn := snaps[n]; sn != nil {
				op.SinkSubtasks[s] = sn.sink
			}
		}
	}
	for s, n := range p.instances[i] {
		sn := snaps[n]
		if sn == nil {
			return fmt.Errorf("%s: subtask %d did not snapshot", op.Name, s)
		}
		if s == 0 {
			op.Watermarks, op.Watermark, op.Sink = sn.inWM, sn.wm, sn.sink
		}
		op.Counters.In += sn.counters.In
		op.Counters.Out += sn.counters.Out
		op.Counters.Late += sn.counters.Late
		op.Counters.Skipped += sn.counters.Skipped
		if sn.source {
			op.Splits = append(op.Splits, sn.splits...)
			op.Counters.Read += sn.read
		}
		if sn.delta && s == 0 {
			if err := ow.StartDelta(); err != nil {
				return err
			}
		}
		for _, e := range sn.entries {
			put := ow.Put
			if e.del {
				put = ow.Delete
			}
			if err := put(e.table, e.key, e.value); err != nil {
				return err
			}
		}
	}
	sortSplits(op.Splits)
	return nil
}

// onBarrier runs when every input channel of t delivered barrier id.
func (t *task) onBarrier(id int64) error {
	p := t.par
	if p.replay {
		if err := t.advance(); err != nil {
			return err
		}
	}
	ack := t.snapshot(context.Background(), true)
	holdsTxn := false
	if c := p.j.ckpt.txn; c != nil {
		for _, n := range t.nodes {
			holdsTxn = holdsTxn || n == c.node
		}
	}
	resume := p.resumeCh
	select {
	case p.acks <- ack:
	case <-p.abort:
		return errAborted
	}
	if ack.err != nil {
		return nil // the coordinator fails the checkpoint
	}
	for _, x := range t.outs {
		for i, to := range x.targets {
			if err := to.send(message{ch: x.chans[i], kind: msgBarrier, pos: t.pos, id: id}, t); err != nil {
				return err
			}
		}
	}
	if holdsTxn {
		select {
		case <-resume:
		case <-p.abort:
			return errAborted
		}
	}
	return nil
}

// ---------------------------------------------------------------- restore

// keyGroupReader hands an operator instance the entries of its key
// groups, keys without the key-group prefix (state.OperatorState.KeyGroups).
type keyGroupReader struct {
	j     *Job
	n     *node
	r     core.StateReader
	split bool // keys carry key groups
	all   bool // the instance owns every key group
	own   core.KeyGroupRange
}

func (kr *keyGroupReader) Scan(table uint8, fn func(key, value []byte) error) error {
	return kr.r.Scan(table, func(k, v []byte) error {
		if kr.split {
			if len(k) < 2 {
				return fmt.Errorf("%w: entry key of %d bytes has no key group", core.ErrBadState, len(k))
			}
			kg := int(binary.BigEndian.Uint16(k))
			if kg == metaGroup {
				if len(k) < 4 {
					return fmt.Errorf("%w: subtask entry key of %d bytes", core.ErrBadState, len(k))
				}
				return fn(k[4:], v)
			}
			if kr.all || kr.own.Contains(kg) {
				return fn(k[2:], v)
			}
			return nil
		}
		if kr.all {
			return fn(k, v)
		}
		ks, ok := kr.n.op.(core.KeyedState)
		if !ok {
			return fn(k, v)
		}
		input, cols, vals, keyed, err := ks.EntryKey(table, k, v)
		if err != nil {
			return err
		}
		if !keyed {
			return fn(k, v)
		}
		kg, err := kr.j.keyGroupOf(kr.n.plan, input, cols, vals)
		if err != nil {
			return err
		}
		if kr.own.Contains(kg) {
			return fn(k, v)
		}
		return nil
	})
}

// restoreReader is what instance sub of node n (of q subtasks) restores.
func (j *Job) restoreReader(n *node, sub, q int, op *state.OperatorState, r core.StateReader) core.StateReader {
	if !op.KeyGroups && q == 1 {
		return r
	}
	maxP := j.maxParallelism()
	return &keyGroupReader{j: j, n: n, r: r, split: op.KeyGroups, all: q == 1, own: core.KeyGroupRangeFor(maxP, q, sub)}
}

// restoreInstances restores the subtasks of node i beyond the first (the
// job's own node, restored by checkpointer.restore).
func (p *parallel) restoreInstances(i int, op *state.OperatorState, r core.StateReader) error {
	for s, n := range p.instances[i] {
		if s == 0 {
			continue
		}
		if len(op.Watermarks) == len(n.inWM) {
			copy(n.inWM, op.Watermarks)
		}
		n.wm = op.Watermark
		n.metrics.CurrentWatermark.Store(n.wm)
		if sn, ok := n.op.(core.Snapshotter); ok {
			if err := sn.Restore(p.j.restoreReader(n, s, len(p.instances[i]), op, r)); err != nil {
				return fmt.Errorf("%s subtask %d: %w", op.Name, s+1, err)
			}
		} else if n.op != nil && n.wm > core.MinWatermark {
			if err := n.op.ProcessWatermark(n.wm, discardOutput{}); err != nil {
				return n.wrap(err)
			}
		}
	}
	return nil
}
