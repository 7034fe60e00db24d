package runtime

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
	"github.com/streamsql/streamsql/sql/types"
)

// Parallel execution (docs/architecture.md, "Parallel execution").
//
// When the plan gives an operator more than one subtask, the graph is cut
// into chains: nodes joined by forward edges at equal parallelism, which
// run push-style in one goroutine per subtask (a task), exactly as the
// whole graph runs at parallelism 1. Every source, and what is chained to
// it, runs in the source task: Run's own goroutine, the executor of
// exec.go unchanged, so each source keeps one reader that fixes the order
// records are read in. Between chains, an exchange node at the end of
// the producing chain routes each batch to the consumer's subtasks
// (hash by key group, single, rebalance) over bounded channels that carry
// batches and, in band and in order, watermarks, progress markers and
// end of input.
//
// Determinism (bounded replays). Every message carries a position: the
// number of the source task's poll it descends from. After each poll the
// source task sends a marker of that position on every channel, and a
// task forwards a marker once it has processed the position on all its
// inputs. A task with several input channels processes a position only
// once every channel has delivered its marker, and then takes that
// position's rows and watermarks from all channels in the order of the
// watermark each carries (a row carries the watermark in force before it,
// core.Batch.Watermarks; a watermark message sorts before the rows that
// carry its value), so each row meets the watermark it met at
// parallelism 1: late rows, fired windows and counters do not depend on
// the parallelism or on timing. Within one position, the watermark of a
// logical input is the largest any of its channels delivered: all
// subtasks of the producer see the same watermarks at the same positions,
// only some of them earlier.
//
// Live jobs take rows as they come, and a logical input's watermark is the
// minimum over its channels (Flink's StatusWatermarkValve); which rows are
// late may then depend on timing, as in Flink.

// message kinds
const (
	msgBatch uint8 = iota
	msgWatermark
	msgMarker // position pos is complete on this channel
	msgEnd    // no more messages on this channel
	msgBarrier
	msgIdle // live: the producer (a source subtask) is idle until it sends again
)

type message struct {
	ch   int // the consumer's channel index
	kind uint8
	pos  uint64
	b    *core.Batch // msgBatch: rows with their carried watermarks (always set)
	ref  *pollRef    // msgBatch: the source poll whose rows it holds, released once processed (recycle.go)
	wm   int64       // msgWatermark
	id   int64       // msgBarrier: the checkpoint
}

// channelCapacity is the number of messages a task's inbox holds per
// producer before a sender waits (backpressure).
const channelCapacity = 64

// parallel is a job's parallel execution: its chains and tasks.
type parallel struct {
	j      *Job
	replay bool
	src    *task   // the source task (Run's goroutine)
	tasks  []*task // every other task
	// rp is each plan node's parallelism at runtime (runtimeParallelism).
	rp map[*planner.Node]int

	// instances[i] are plan node i's subtasks (0 is the job's own node)
	instances [][]*node
	taskOf    map[*node]*task
	// running is true while the tasks run (the coordinator's view)
	running bool
	// checkpoint in progress: acknowledgements, and the signal that lets
	// a task holding the transactional sink go on
	acks     chan taskAck
	resumeCh chan struct{}
	// delta tells, per operator, whether this checkpoint writes only its
	// changes (set by the coordinator before the barrier)
	delta map[*planner.Node]bool

	abort     chan struct{}
	abortOnce sync.Once
	errMu     sync.Mutex
	err       error
}

// task is one subtask of a chain: instances of the chain's nodes.
type task struct {
	par   *parallel
	name  string
	index int
	nodes []*node // instances, topological order
	inbox chan message
	in    []inChan
	// groups: channels feeding the same (node, input)
	groups []*inGroup
	outs   []*exchange
	pos    uint64 // position of what is processed now (stamped on output)
	fwd    uint64 // last marker forwarded
	fwdAny bool
	// backpressured: nanoseconds this task waited to send to a full inbox
	// (Flink's backPressuredTimeMsPerSecond, cumulated)
	backpressured atomic.Int64
	// source: the task is a subtask of a parallel source, which it reads
	// (parallel_source.go); nil otherwise
	source *sourceNode
	// ref: the poll whose rows the task's source is handing on (recycle.go)
	ref *pollRef
}

type inChan struct {
	g     *inGroup
	queue []message
	done  uint64 // last marker
	has   bool   // a marker arrived
	ended bool
	// barrier: the channel delivered the pending checkpoint's barrier (live:
	// its later messages wait in queue until the task aligned)
	barrier bool
	wm      int64
	idle    bool // live: left out of the watermark minimum (msgIdle)
}

type inGroup struct {
	to    *node
	input int
	chans []int
}

// exchange is the operator of the node that ends a chain on an edge to
// another chain: it routes batches to the consumer's subtasks.
type exchange struct {
	from    *task
	dist    planner.DistKind
	keys    []int
	conv    func(int, types.Value) types.Value
	maxP    int
	targets []*task
	chans   []int // per target: the channel index in it
	rr      int
	cur     int64 // the watermark delivered to the exchange so far
	buf     []byte
	keyRow  core.Row
	keyIdx  []int // 0..len(keys)-1: the columns of keyRow
}

func (p *parallel) fail(err error) {
	p.errMu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.errMu.Unlock()
	p.abortOnce.Do(func() { close(p.abort) })
}

func (p *parallel) firstErr() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

var errAborted = errors.New("aborted: another subtask failed")

// send puts m into t's inbox; when it is full, the sender waits and
// counts the wait as backpressure.
func (t *task) send(m message, from *task) error {
	select {
	case t.inbox <- m:
		return nil
	default:
	}
	start := time.Now()
	select {
	case t.inbox <- m:
		from.backpressured.Add(int64(time.Since(start)))
		return nil
	case <-t.par.abort:
		return errAborted
	}
}

// ---------------------------------------------------------------- exchange

func (x *exchange) ProcessBatch(_ int, b *core.Batch, _ core.Output) error {
	wms := b.Watermarks
	if wms == nil && x.from.par.replay {
		wms = make([]int64, len(b.Rows))
		for i := range wms {
			wms[i] = x.cur
		}
	}
	n := len(x.targets)
	switch {
	case n == 1 || x.dist == planner.DistSingle:
		return x.emit(0, b.Rows, wms, b.Kinds)
	case x.dist == planner.DistBroadcast:
		for i := range x.targets {
			if err := x.emit(i, b.Rows, wms, b.Kinds); err != nil {
				return err
			}
		}
		return nil
	case x.dist == planner.DistHash:
		return x.hash(b.Rows, wms, b.Kinds)
	}
	// rebalance: whole batches round-robin
	x.rr = (x.rr + 1) % n
	return x.emit(x.rr, b.Rows, wms, b.Kinds)
}

// hash splits rows by the subtask owning their key group; rows are not
// copied, each keeps its carried watermark and its row kind.
func (x *exchange) hash(rows []core.Row, wms []int64, kinds []core.RowKind) error {
	n := len(x.targets)
	parts := make([][]core.Row, n)
	pw := make([][]int64, n)
	for t := range parts {
		parts[t] = make([]core.Row, 0, len(rows)/n+len(rows)/(4*n)+1)
		if wms != nil {
			pw[t] = make([]int64, 0, cap(parts[t]))
		}
	}
	var pk [][]core.RowKind
	if kinds != nil {
		pk = make([][]core.RowKind, n)
	}
	for i, r := range rows {
		var h int32
		if x.conv != nil {
			for k, c := range x.keys {
				x.keyRow[k] = x.conv(k, r[c])
			}
			h, x.buf = core.RowKeyHash(x.keyRow, x.keyIdx, x.buf)
		} else {
			h, x.buf = core.RowKeyHash(r, x.keys, x.buf)
		}
		t := core.OperatorIndexForKeyGroup(x.maxP, n, core.KeyGroupForHash(h, x.maxP))
		parts[t] = append(parts[t], r)
		if wms != nil {
			pw[t] = append(pw[t], wms[i])
		}
		if kinds != nil {
			pk[t] = append(pk[t], kinds[i])
		}
	}
	for t := range parts {
		if len(parts[t]) > 0 {
			var k []core.RowKind
			if kinds != nil {
				k = pk[t]
			}
			if err := x.emit(t, parts[t], pw[t], k); err != nil {
				return err
			}
		}
	}
	return nil
}

func (x *exchange) emit(t int, rows []core.Row, wms []int64, kinds []core.RowKind) error {
	ref := x.from.ref
	if ref != nil {
		ref.n.Add(1)
	}
	return x.targets[t].send(message{ch: x.chans[t], kind: msgBatch, pos: x.from.pos, ref: ref, b: &core.Batch{Rows: rows, Watermarks: wms, Kinds: kinds}}, x.from)
}

func (x *exchange) ProcessWatermark(wm int64, _ core.Output) error {
	x.cur = wm
	for i, t := range x.targets {
		if err := t.send(message{ch: x.chans[i], kind: msgWatermark, pos: x.from.pos, wm: wm}, x.from); err != nil {
			return err
		}
	}
	return nil
}

func (x *exchange) Finish(core.Output) error { return nil }

func (x *exchange) control(kind uint8, pos uint64) error {
	for i, t := range x.targets {
		if err := t.send(message{ch: x.chans[i], kind: kind, pos: pos}, x.from); err != nil {
			return err
		}
	}
	return nil
}

// marker tells every consumer that position pos is complete.
func (t *task) marker(pos uint64) error {
	for _, x := range t.outs {
		if err := x.control(msgMarker, pos); err != nil {
			return err
		}
	}
	return nil
}

// finish runs Finish on the task's nodes, then ends its output channels.
func (t *task) finish() error {
	t.pos = max(t.pos, t.fwd) + 1
	for _, n := range t.nodes {
		if n.op == nil {
			continue
		}
		if err := n.op.Finish(n.out); err != nil {
			return n.wrap(err)
		}
	}
	for _, x := range t.outs {
		if err := x.control(msgEnd, t.pos); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- building

// runtimeParallelism is the plan parallelism the executor honours: a
// source at its parallelism when split says its splits can be read by
// several readers (an unbounded Kafka table, parallel_source.go), else as
// one subtask; a keyed node at its parallelism, a
// stateless one at its inputs' (the largest when they differ). A sink
// runs at its input's (chained to it, as Flink chains a sink at the
// same parallelism), at its own under 'sink.parallelism', and as one
// subtask when txn says it is transactional (Kafka exactly-once: one
// transaction per checkpoint for the job).
func runtimeParallelism(g *planner.Graph, txn, split func(*planner.TableDesc) bool) map[*planner.Node]int {
	rp := map[*planner.Node]int{}
	for _, n := range g.Nodes {
		switch op := n.Op.(type) {
		case *planner.SourceOp:
			rp[n] = 1
			if split != nil && split(op.Table) {
				rp[n] = max(1, n.Parallelism)
			}
		case *planner.SinkOp:
			q := rp[n.Inputs[0]]
			if _, set := op.Table.Option(planner.OptionSinkParallelism); set {
				q = n.Parallelism
			}
			if txn != nil && txn(op.Table) {
				q = 1
			}
			rp[n] = max(1, q)
		case *planner.WindowAggOp, *planner.WindowJoinOp, *planner.GroupAggOp, *planner.RankOp, *planner.JoinOp, *planner.IntervalJoinOp, *planner.TemporalJoinOp, *planner.OverAggOp, *planner.ChangelogNormalizeOp:
			rp[n] = max(1, n.Parallelism)
		default:
			q := 1
			for _, in := range n.Inputs {
				q = max(q, rp[in])
			}
			rp[n] = q
		}
	}
	return rp
}

// wantsParallel reports whether some operator runs as several subtasks.
func wantsParallel(rp map[*planner.Node]int) bool {
	for _, q := range rp {
		if q > 1 {
			return true
		}
	}
	return false
}

// edgeDist is the runtime distribution of n's input i: the plan's hash,
// single or broadcast; forward when both ends have the same parallelism,
// else rebalance. Side outputs are always chained to their producer.
func edgeDist(n *planner.Node, i int, rp map[*planner.Node]int) planner.Distribution {
	if _, side := n.Op.(*planner.SideOutputOp); side {
		return planner.Distribution{Kind: planner.DistForward}
	}
	if i < len(n.InputDists) {
		switch d := n.InputDists[i]; d.Kind {
		case planner.DistHash, planner.DistSingle, planner.DistBroadcast:
			return d
		}
	} else if _, keyed := n.Op.(*planner.WindowAggOp); keyed {
		return planner.Distribution{Kind: planner.DistSingle}
	}
	if rp[n.Inputs[i]] == rp[n] {
		return planner.Distribution{Kind: planner.DistForward}
	}
	return planner.Distribution{Kind: planner.DistRebalance}
}

// buildParallel cuts the built job into chains and tasks (see above). The
// job's own nodes serve as subtask 0 of every chain.
func (j *Job) buildParallel() error {
	g := j.graph
	rp := j.rp
	idx := map[*planner.Node]int{}
	for i, n := range g.Nodes {
		idx[n] = i
	}
	// union-find over forward edges; all sources in one chain
	parent := make([]int, len(g.Nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) { parent[find(a)] = find(b) }
	firstSource := -1 // sources of one subtask share the source task
	for i, n := range g.Nodes {
		if _, ok := n.Op.(*planner.SourceOp); ok && rp[n] == 1 {
			if firstSource >= 0 {
				union(i, firstSource)
			}
			firstSource = i
		}
		for k, in := range n.Inputs {
			if edgeDist(n, k, rp).Kind == planner.DistForward {
				union(i, idx[in])
			}
		}
	}
	p := &parallel{j: j, replay: j.Bounded(), rp: rp, abort: make(chan struct{}), taskOf: map[*node]*task{}}
	chains := map[int][]*task{} // chain root -> subtasks
	var roots []int
	taskOf := func(i, sub int) *task { return chains[find(i)][sub] }
	for i, n := range g.Nodes {
		r := find(i)
		if _, ok := chains[r]; !ok {
			q := rp[n]
			ts := make([]*task, q)
			for s := range ts {
				ts[s] = &task{par: p, index: s, name: fmt.Sprintf("%s #%d (%d/%d)", n.Name(), n.ID, s+1, q)}
			}
			chains[r] = ts
			roots = append(roots, r)
		}
	}
	if firstSource >= 0 {
		p.src = chains[find(firstSource)][0]
		if len(chains[find(firstSource)]) != 1 {
			return errors.New("parallel: the sources' chain has more than one subtask")
		}
	} else {
		// every source runs as subtasks of its own: Run's goroutine only
		// coordinates (checkpoints, the end of the job)
		p.src = &task{par: p, name: "coordinator"}
	}
	// instances: subtask 0 is the job's node, others are built afresh
	inst := make([][]*node, len(g.Nodes))
	for i, pn := range g.Nodes {
		jn := j.nodes[i]
		jn.consumers = nil
		inst[i] = []*node{jn}
		for s := 1; s < rp[pn]; s++ {
			n := &node{plan: pn, metrics: core.NewMetrics(), wm: core.MinWatermark}
			n.out = nodeOutput{n}
			n.inWM = make([]int64, len(pn.Inputs))
			for k := range n.inWM {
				n.inWM[k] = core.MinWatermark
			}
			ctx := &core.Context{TimeZone: j.tz, Metrics: n.metrics, Settings: g.Settings, Clock: j.opts.Clock}
			if op, ok := pn.Op.(*planner.SourceOp); ok {
				src, err := newSourceNode(n, op, j, ctx, s)
				if err != nil {
					return err
				}
				s0 := j.sourceOf(jn)
				s0.subtasks = append(s0.subtasks, src)
				inst[i] = append(inst[i], n)
				continue
			}
			if op, ok := pn.Op.(*planner.SinkOp); ok {
				sk, err := newSinkNode(n, op, j, s)
				if err != nil {
					return err
				}
				n.op = sk
				j.sinks = append(j.sinks, sk)
				inst[i] = append(inst[i], n)
				continue
			}
			o, err := newOperator(pn, ctx)
			if err != nil {
				return fmt.Errorf("%s #%d: %w", pn.Name(), pn.ID, err)
			}
			n.op = o
			inst[i] = append(inst[i], n)
		}
		for s, n := range inst[i] {
			t := taskOf(i, s)
			t.nodes = append(t.nodes, n)
			p.taskOf[n] = t
			if _, ok := pn.Op.(*planner.SourceOp); ok {
				j.sourceOf(n).task = t
				if t != p.src {
					t.source = j.sourceOf(n)
				}
			}
		}
	}
	// side outputs of the other subtasks (the job's own are wired)
	for i, pn := range g.Nodes {
		if _, side := pn.Op.(*planner.SideOutputOp); side {
			for s := 1; s < len(inst[i]); s++ {
				if err := j.wireSideInstance(inst[idx[pn.Inputs[0]]][s], inst[i][s]); err != nil {
					return err
				}
			}
		}
	}
	fused, err := fuseAcross(g, inst, idx)
	if err != nil {
		return err
	}
	// edges
	for i, pn := range g.Nodes {
		for k, in := range pn.Inputs {
			u := idx[in]
			d := edgeDist(pn, k, rp)
			if _, side := pn.Op.(*planner.SideOutputOp); side {
				continue
			}
			if remap := fused[in]; remap != nil && d.Kind == planner.DistHash {
				// the fused Calc forwards its input rows: hash the
				// columns its projections read
				keys := make([]int, len(d.Keys))
				for i, c := range d.Keys {
					keys[i] = remap[c]
				}
				d.Keys = keys
			}
			if d.Kind == planner.DistForward {
				for s := range inst[i] {
					inst[u][s].consumers = append(inst[u][s].consumers, edge{to: inst[i][s], input: k})
				}
				continue
			}
			var conv func(int, types.Value) types.Value
			if lk, rk, ok := planner.EquiJoinKeys(pn.Op); ok && d.Kind == planner.DistHash {
				conv = ops.JoinKeyConverter(lk, rk, pn.Inputs[0].Schema, pn.Inputs[1].Schema, k, j.tz)
			}
			for s := range inst[u] {
				from := taskOf(u, s)
				x := &exchange{from: from, dist: d.Kind, keys: d.Keys, conv: conv, maxP: g.MaxParallelism,
					cur: core.MinWatermark, keyRow: make(core.Row, len(d.Keys)), rr: s}
				if x.maxP < 1 {
					x.maxP = planner.DefaultMaxParallelism
				}
				for c := range d.Keys {
					x.keyIdx = append(x.keyIdx, c)
				}
				for c := range inst[i] {
					to := taskOf(i, c)
					x.targets = append(x.targets, to)
					x.chans = append(x.chans, to.addChannel(inst[i][c], k))
				}
				xn := &node{plan: pn, op: x, metrics: core.NewMetrics(), inWM: []int64{core.MinWatermark}, wm: core.MinWatermark}
				xn.out = nodeOutput{xn}
				inst[u][s].consumers = append(inst[u][s].consumers, edge{to: xn, input: 0})
				from.outs = append(from.outs, x)
			}
		}
	}
	for _, r := range roots {
		for _, t := range chains[r] {
			t.inbox = make(chan message, channelCapacity*max(1, len(t.in)))
			if t != p.src {
				p.tasks = append(p.tasks, t)
			}
		}
	}
	p.instances = inst
	j.par = p
	return nil
}

// addChannel registers an input channel of t feeding n's input k.
func (t *task) addChannel(n *node, k int) int {
	var g *inGroup
	for _, x := range t.groups {
		if x.to == n && x.input == k {
			g = x
		}
	}
	if g == nil {
		g = &inGroup{to: n, input: k}
		t.groups = append(t.groups, g)
	}
	g.chans = append(g.chans, len(t.in))
	t.in = append(t.in, inChan{g: g, wm: core.MinWatermark})
	return len(t.in) - 1
}

// wireSideInstance connects a SideOutput instance to its producer's.
func (j *Job) wireSideInstance(up, n *node) error {
	if src := j.sourceOf(up); src != nil {
		src.deadLetter = sideOutput{n} // a parallel source's dead letters
		return nil
	}
	if le, ok := up.op.(ops.LateEmitter); ok {
		le.SetLateOutput(sideOutput{n})
		return nil
	}
	return fmt.Errorf("%s #%d: %s #%d has no side output", n.plan.Name(), n.plan.ID, up.plan.Name(), up.plan.ID)
}

// ---------------------------------------------------------------- running

// start runs every task but the source task on a goroutine of its own.
func (p *parallel) start(ctx context.Context, wg *sync.WaitGroup) {
	for _, t := range p.tasks {
		wg.Add(1)
		go func(t *task) {
			defer wg.Done()
			run := t.run
			if t.source != nil {
				run = func() error { return t.runSource(ctx) }
			}
			if err := run(); err != nil {
				p.fail(err)
			}
		}(t)
	}
}

// afterPoll ends the source task's current position.
func (p *parallel) afterPoll() error {
	if !p.replay {
		return nil
	}
	t := p.src
	if err := t.marker(t.pos); err != nil {
		return err
	}
	t.pos++
	return nil
}

// run is a task's loop: receive, order, deliver, until every input ended.
func (t *task) run() error {
	open := len(t.in)
	for open > 0 {
		var m message
		select {
		case m = <-t.inbox:
		case <-t.par.abort:
			return errAborted
		}
		c := &t.in[m.ch]
		switch m.kind {
		case msgMarker:
			c.done, c.has = m.pos, true
		case msgEnd:
			c.ended = true
			open--
		case msgBarrier:
			c.barrier = true
			if err := t.maybeAligned(m.id); err != nil {
				return err
			}
			continue
		default:
			if !t.par.replay && c.barrier {
				c.queue = append(c.queue, m) // held until aligned
				continue
			}
			if !t.par.replay {
				if err := t.deliver(m); err != nil {
					return err
				}
				continue
			}
			c.queue = append(c.queue, m)
		}
		if t.par.replay {
			if err := t.advance(); err != nil {
				return err
			}
		}
	}
	return t.finish()
}

// advance processes every position complete on all input channels.
func (t *task) advance() error {
	for {
		// the highest position every open channel has completed
		complete, all := uint64(0), true
		anyOpen := false
		for i := range t.in {
			c := &t.in[i]
			if c.ended {
				continue
			}
			if !c.has {
				all = false
				break
			}
			if !anyOpen || c.done < complete {
				complete = c.done
			}
			anyOpen = true
		}
		// the lowest queued position
		lowest, found := uint64(0), false
		for i := range t.in {
			if q := t.in[i].queue; len(q) > 0 && (!found || q[0].pos < lowest) {
				lowest, found = q[0].pos, true
			}
		}
		if found && all && (!anyOpen || lowest <= complete) {
			if err := t.process(lowest); err != nil {
				return err
			}
			continue
		}
		if all && anyOpen && (!t.fwdAny || complete > t.fwd) && (!found || lowest > complete) {
			t.fwd, t.fwdAny = complete, true
			t.pos = complete
			if err := t.marker(complete); err != nil {
				return err
			}
		}
		return nil
	}
}

// event is a run of rows carrying one watermark, or a watermark message.
type event struct {
	w    int64
	kind uint8 // 0 watermark, 1 rows
	c    int
	m    message
}

// process delivers position pos: with one channel holding messages, in
// their order; with several, by carried watermark (watermarks first),
// channel order breaking ties.
func (t *task) process(pos uint64) error {
	t.pos = pos
	holders := 0
	for i := range t.in {
		if q := t.in[i].queue; len(q) > 0 && q[0].pos == pos {
			holders++
		}
	}
	var evs []event
	var refs []*pollRef // of the messages split into evs
	for i := range t.in {
		c := &t.in[i]
		k := 0
		for k < len(c.queue) && c.queue[k].pos == pos {
			m := c.queue[k]
			k++
			if holders == 1 {
				if err := t.deliver(m); err != nil {
					return err
				}
				continue
			}
			if m.kind == msgWatermark {
				evs = append(evs, event{w: m.wm, kind: 0, c: i, m: m})
				continue
			}
			if m.ref != nil {
				refs = append(refs, m.ref)
			}
			rows, wms, kinds := m.b.Rows, m.b.Watermarks, m.b.Kinds
			for a := 0; a < len(rows); {
				b := a + 1
				for b < len(rows) && wms[b] == wms[a] {
					b++
				}
				var k []core.RowKind
				if kinds != nil {
					k = kinds[a:b:b]
				}
				evs = append(evs, event{w: wms[a], kind: 1, c: i, m: message{ch: i, kind: msgBatch, pos: pos,
					b: &core.Batch{Rows: rows[a:b:b], Watermarks: wms[a:b:b], Kinds: k}}})
				a = b
			}
		}
		c.queue = c.queue[k:]
	}
	sort.SliceStable(evs, func(a, b int) bool {
		if evs[a].w != evs[b].w {
			return evs[a].w < evs[b].w
		}
		return evs[a].kind < evs[b].kind
	})
	for _, e := range evs {
		if err := t.deliver(e.m); err != nil {
			return err
		}
	}
	for _, r := range refs {
		r.release()
	}
	return nil
}

// deliver hands one message to its node.
func (t *task) deliver(m message) error {
	c := &t.in[m.ch]
	g := c.g
	n := g.to
	c.idle = m.kind == msgIdle // anything else on the channel reactivates it
	if m.kind == msgWatermark || m.kind == msgIdle {
		if m.kind == msgWatermark && m.wm > c.wm {
			c.wm = m.wm
		}
		// the input's watermark over its channels: the largest in a
		// replay (see the top of this file), the smallest over the
		// active ones live (all idle: it holds)
		w, any := int64(0), false
		for _, k := range g.chans {
			x := &t.in[k]
			if x.idle {
				continue
			}
			if !any || t.par.replay && x.wm > w || !t.par.replay && x.wm < w {
				w, any = x.wm, true
			}
		}
		if !any {
			return nil
		}
		return n.onWatermark(g.input, w)
	}
	b := m.b
	if !t.par.replay {
		// live: rows meet the input's watermark over its channels
		b = &core.Batch{Rows: b.Rows, Kinds: b.Kinds}
	}
	n.metrics.RecordsIn.Add(int64(len(b.Rows)))
	if len(n.inWM) > 1 {
		b = n.inputView(g.input, b)
	}
	if err := n.op.ProcessBatch(g.input, b, n.out); err != nil {
		return n.wrap(err)
	}
	m.ref.release()
	return nil
}

// wait waits for the tasks and returns the first error.
func (p *parallel) wait(wg *sync.WaitGroup) error {
	wg.Wait()
	if err := p.firstErr(); err != nil && !errors.Is(err, errAborted) {
		return err
	}
	return p.firstErr()
}

// instances lists every subtask's node instances besides the job's own.
func (p *parallel) extraNodes() []*node {
	var out []*node
	for _, t := range p.tasks {
		if t.index == 0 {
			continue
		}
		out = append(out, t.nodes...)
	}
	return out
}

// runParallel is Run's loop for a parallel job: the source task runs on
// this goroutine, the other tasks on their own; then every task finishes
// in turn, as its inputs end, and the sinks are flushed.
func (j *Job) runParallel(ctx context.Context) error {
	p := j.par
	var wg sync.WaitGroup
	p.running = true
	p.start(ctx, &wg)
	var err error
	if j.Bounded() {
		err = j.runRoundRobin(ctx)
	} else {
		err = j.runLive(ctx)
	}
	// Stopped (Ctrl-C): a savepoint first, through barriers, as at
	// parallelism 1 before anything finishes.
	stopped := ctx.Err() != nil
	if err == nil && stopped {
		err = j.ckpt.checkpoint(context.WithoutCancel(ctx), true, false)
	}
	if err == nil {
		err = p.src.finish()
	}
	if err == nil {
		err = p.endSources()
	}
	if err != nil {
		p.fail(err)
	}
	wg.Wait()
	p.running = false
	if err := p.firstErr(); err != nil {
		return err
	}
	for _, sk := range j.sinks {
		if err := sk.flush(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	if !stopped {
		// a bounded job that ran to its end: every task has ended
		return j.ckpt.checkpoint(ctx, false, true)
	}
	return nil
}

// maybeAligned runs the barrier once every open channel delivered it.
func (t *task) maybeAligned(id int64) error {
	for i := range t.in {
		if c := &t.in[i]; !c.ended && !c.barrier {
			t.par.j.ckpt.crash.hit("align") // the crash tests' kill during alignment
			return nil
		}
	}
	if err := t.onBarrier(id); err != nil {
		return err
	}
	for i := range t.in {
		t.in[i].barrier = false
	}
	if t.par.replay {
		return t.advance()
	}
	for i := range t.in {
		c := &t.in[i]
		q := c.queue
		c.queue = nil
		for _, m := range q {
			if err := t.deliver(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// Subtasks reports how many subtasks the job runs as: 1 for a job that
// runs wholly on one goroutine (parallelism 1), else the source task plus
// every other subtask.
func (j *Job) Subtasks() int {
	if j.par == nil {
		return 1
	}
	return 1 + len(j.par.tasks)
}

// subtaskProgress fills op (plan node i) with its subtasks' figures.
func (p *parallel) subtaskProgress(i int, op *OperatorProgress) {
	op.RecordsIn, op.RecordsOut, op.LateRecordsDropped, op.RecordsSkipped, op.OpenWindows, op.StateExpiredKeys = 0, 0, 0, 0, 0, 0
	op.Watermark = core.MaxWatermark
	for s, n := range p.instances[i] {
		m := n.metrics
		st := SubtaskProgress{Index: s, RecordsIn: m.RecordsIn.Load(), RecordsOut: m.RecordsOut.Load(),
			LateRecordsDropped: m.LateRecordsDropped.Load(), OpenWindows: m.OpenWindows.Load(),
			Watermark: m.CurrentWatermark.Load()}
		if t := p.taskOf[n]; t != nil {
			st.BackPressured = time.Duration(t.backpressured.Load())
		}
		op.Subtasks = append(op.Subtasks, st)
		op.RecordsIn += st.RecordsIn
		op.RecordsOut += st.RecordsOut
		op.LateRecordsDropped += st.LateRecordsDropped
		op.RecordsSkipped += m.RecordsSkipped.Load()
		op.StateExpiredKeys += m.StateExpiredKeys.Load()
		op.OpenWindows += st.OpenWindows
		op.Watermark = min(op.Watermark, st.Watermark)
	}
}

// fuseAcross fuses a Calc into the window or group aggregation it feeds, as Build
// does at parallelism 1 (ops.FuseCalc), also across a hash exchange:
// every subtask of the aggregation reads through the Calc, the Calc's
// node forwards its input rows, and the exchange hashes the input columns
// the Calc projected as keys. It returns, per fused Calc, the input
// column of each of its output columns (-1 when not a plain column).
func fuseAcross(g *planner.Graph, inst [][]*node, idx map[*planner.Node]int) (map[*planner.Node][]int, error) {
	out := map[*planner.Node][]int{}
	if !fuseCalcs {
		return out, nil
	}
	consumers := map[*planner.Node][]*planner.Node{}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			consumers[in] = append(consumers[in], n)
		}
	}
	for _, n := range g.Nodes {
		spec, ok := n.Op.(*planner.CalcOp)
		if !ok || len(consumers[n]) != 1 || len(inst[idx[n]]) != 1 {
			continue
		}
		to := consumers[n][0]
		if !readsThroughCalc(to.Op) || len(to.Inputs) != 1 {
			continue
		}
		var pass core.Operator
		all := true
		for _, a := range inst[idx[to]] {
			p, ok := ops.FuseCalc(spec, a.op)
			if !ok {
				all = false
				break
			}
			pass = p
		}
		if !all {
			if pass != nil {
				return nil, fmt.Errorf("%s #%d: fused into some subtasks of %s #%d only", n.Name(), n.ID, to.Name(), to.ID)
			}
			continue
		}
		// (not a core.Borrower: the rows it forwards cross the exchange
		// and stay referenced, so its producer must not reuse them)
		inst[idx[n]][0].op = keeps{pass}
		remap := make([]int, len(spec.Projections))
		for i, e := range spec.Projections {
			remap[i] = -1
			if c, ok := e.(*planner.ColRef); ok {
				remap[i] = c.Index
			}
		}
		out[n] = remap
	}
	return out, nil
}

// keeps hides an operator's core.Borrower promise.
type keeps struct{ core.Operator }
