package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
)

// Options configure a run.
type Options struct {
	// Stdout receives the print connector's output (os.Stdout by default).
	Stdout io.Writer
	// Stderr receives warnings (os.Stderr by default).
	Stderr io.Writer
	// Clock is processing time in epoch milliseconds (nil: the wall
	// clock): state TTL, mini-batch latency and PROCTIME() read it.
	// Tests inject a fake one; it must be safe for concurrent use at
	// parallelism > 1.
	Clock func() int64
	// BatchSize is the most records a source hands on at once.
	BatchSize int
	// Connectors replaces the declared connector of the named tables (the
	// golden test runner feeds recorded streams and captures results
	// this way, leaving the user's SQL unchanged). Options of a replaced
	// table are not validated.
	Connectors map[string]*connector.Spec

	// Checkpoints (checkpoint.go, docs/checkpoints.md). They are on when
	// SET 'execution.checkpointing.interval' is given or
	// CheckpointEveryRecords > 0; the state lives in StateDir.
	StateDir string
	// FromCheckpoint names a checkpoint manifest (STATE_DIR/checkpoints/chk-N)
	// to restore instead of the latest.
	FromCheckpoint string
	// AllowNonRestoredState starts operators whose checkpointed state
	// does not match the plan empty instead of refusing to run.
	AllowNonRestoredState bool
	// JobName is recorded in checkpoints (pipeline.name or the file name).
	JobName string
	// CheckpointEveryRecords takes a checkpoint as soon as this many
	// records were handled since the last one (tests; 0 = off).
	CheckpointEveryRecords int64
	// CrashAfterRecords stops Run abruptly with ErrSimulatedCrash once
	// this many records were handled in this run: no final checkpoint, no
	// Finish, no final flush (tests; 0 = off).
	CrashAfterRecords int64
}

// connectorFor returns the connector spec for a table: an override from
// Options.Connectors, or the declared one, validated.
func (j *Job) connectorFor(t *planner.TableDesc) (*connector.Spec, error) {
	if s, ok := j.opts.Connectors[t.Name]; ok {
		return s, nil
	}
	spec, err := connector.Lookup(t.Connector)
	if err != nil {
		return nil, tableErr(t, err)
	}
	if err := connector.Validate(spec, t); err != nil {
		return nil, err
	}
	return spec, nil
}

// transactional reports whether t is written by a transactional sink
// (connector.Spec.Transactional).
func (j *Job) transactional(t *planner.TableDesc) bool {
	spec, err := j.connectorFor(t)
	return err == nil && spec.Transactional != nil && spec.Transactional(t)
}

// Job is a built, runnable graph.
type Job struct {
	graph   *planner.Graph
	opts    Options
	nodes   []*node // same order as graph.Nodes (topological)
	sources []*sourceNode
	sinks   []*sinkNode // every sink subtask (the job's own nodes first)
	// rp is each plan node's parallelism at runtime (runtimeParallelism)
	rp map[*planner.Node]int
	// sinkOut and sinkErr are Options.Stdout and Stderr as the sinks'
	// subtasks share them
	sinkOut, sinkErr *lockedWriter
	tz               *time.Location
	// watermarkInterval is pipeline.auto-watermark-interval for live sources.
	watermarkInterval time.Duration
	progress          progressState // checkpoint and state figures for Progress (progress.go)
	ckpt              *checkpointer // checkpoint coordinator (checkpoint.go)
	par               *parallel     // subtasks and channels (parallel.go); nil at parallelism 1
}

// node is one running operator with its wiring.
type node struct {
	plan      *planner.Node
	op        core.Operator // nil for sources
	metrics   *core.Metrics
	consumers []edge
	// input watermarks, one per input; wm is their minimum as last delivered.
	inWM []int64
	wm   int64
	out  nodeOutput
}

type edge struct {
	to    *node
	input int
}

// nodeOutput delivers a node's emitted batches to its consumers.
type nodeOutput struct{ n *node }

func (o nodeOutput) Emit(b *core.Batch) error {
	if len(b.Rows) == 0 {
		return nil
	}
	n := o.n
	n.metrics.RecordsOut.Add(int64(len(b.Rows)))
	for _, e := range n.consumers {
		e.to.metrics.RecordsIn.Add(int64(len(b.Rows)))
		in := b
		if b.Watermarks != nil && len(e.to.inWM) > 1 {
			in = e.to.inputView(e.input, b)
		}
		if err := e.to.op.ProcessBatch(e.input, in, e.to.out); err != nil {
			return e.to.wrap(err)
		}
	}
	return nil
}

// inputView rewrites a batch's per-row watermarks (those of input i) into
// the node's own, the minimum over its inputs (see core.Batch). The other
// inputs' watermarks do not move during the batch.
func (n *node) inputView(i int, b *core.Batch) *core.Batch {
	others := core.MaxWatermark
	for j, w := range n.inWM {
		if j != i && w < others {
			others = w
		}
	}
	if others <= n.wm {
		// held back by another input throughout: no movement in the batch
		return &core.Batch{Rows: b.Rows, Kinds: b.Kinds}
	}
	w := make([]int64, len(b.Watermarks))
	for k, x := range b.Watermarks {
		w[k] = min(x, others)
	}
	return &core.Batch{Rows: b.Rows, Watermarks: w, Kinds: b.Kinds}
}

func (n *node) wrap(err error) error {
	var located *LocatedError
	if errors.As(err, &located) {
		return err
	}
	return &LocatedError{Node: fmt.Sprintf("%s #%d", n.plan.Name(), n.plan.ID), Err: err}
}

// LocatedError names the operator an error came from.
type LocatedError struct {
	Node string
	Err  error
}

func (e *LocatedError) Error() string { return e.Node + ": " + e.Err.Error() }
func (e *LocatedError) Unwrap() error { return e.Err }

// forwardWatermark passes a node's output watermark to its consumers.
func (n *node) forwardWatermark(wm int64) error {
	for _, e := range n.consumers {
		if err := e.to.onWatermark(e.input, wm); err != nil {
			return err
		}
	}
	return nil
}

// onWatermark records input i's watermark; when the minimum over the
// inputs advances, the operator handles it and it is passed on.
func (n *node) onWatermark(i int, wm int64) error {
	if wm <= n.inWM[i] {
		return nil
	}
	n.inWM[i] = wm
	min := n.inWM[0]
	for _, w := range n.inWM[1:] {
		if w < min {
			min = w
		}
	}
	if min <= n.wm {
		return nil
	}
	n.wm = min
	n.metrics.CurrentWatermark.Store(min)
	if err := n.op.ProcessWatermark(min, n.out); err != nil {
		return n.wrap(err)
	}
	if h, ok := n.op.(core.WatermarkHolder); ok {
		min = h.HoldWatermark(min)
	}
	return n.forwardWatermark(min)
}

// Build turns a planned graph into a runnable job, opening no connection
// yet but validating every connector's options and compiling every
// expression, so that configuration errors surface before anything runs.
func Build(g *planner.Graph, opts Options) (*Job, error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1024
	}
	if err := checkTarget(g); err != nil {
		return nil, err
	}
	j := &Job{graph: g, opts: opts, tz: time.UTC, watermarkInterval: 200 * time.Millisecond}
	if tzName, ok := g.Settings["table.local-time-zone"]; ok && tzName != "" {
		loc, err := time.LoadLocation(tzName)
		if err != nil {
			return nil, fmt.Errorf("SET 'table.local-time-zone' = '%s': unknown time zone", tzName)
		}
		j.tz = loc
	}
	if s, ok := g.Settings["pipeline.auto-watermark-interval"]; ok {
		d, err := connector.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("SET 'pipeline.auto-watermark-interval': %w", err)
		}
		if d > 0 {
			j.watermarkInterval = d
		}
	}
	if s, ok := g.Settings["table.exec.source.idle-timeout"]; ok {
		if _, err := connector.ParseDuration(s); err != nil {
			return nil, fmt.Errorf("SET 'table.exec.source.idle-timeout': %w", err)
		}
	}
	j.rp = runtimeParallelism(g, j.transactional, j.splitReaders)
	for _, n := range g.Nodes {
		n.Subtasks = j.rp[n] // for EXPLAIN
	}
	byID := map[*planner.Node]*node{}
	for _, pn := range g.Nodes {
		n := &node{plan: pn, metrics: core.NewMetrics(), wm: core.MinWatermark}
		n.out = nodeOutput{n}
		n.inWM = make([]int64, len(pn.Inputs))
		for i := range n.inWM {
			n.inWM[i] = core.MinWatermark
		}
		ctx := &core.Context{TimeZone: j.tz, Metrics: n.metrics, Settings: g.Settings, Clock: j.opts.Clock}
		switch op := pn.Op.(type) {
		case *planner.SourceOp:
			s, err := newSourceNode(n, op, j, ctx, 0)
			if err != nil {
				return nil, err
			}
			j.sources = append(j.sources, s)
		case *planner.SinkOp:
			s, err := newSinkNode(n, op, j, 0)
			if err != nil {
				return nil, err
			}
			n.op = s
			j.sinks = append(j.sinks, s)
		default:
			o, err := newOperator(pn, ctx)
			if err != nil {
				return nil, fmt.Errorf("%s #%d: %w", pn.Name(), pn.ID, err)
			}
			n.op = o
		}
		for i, in := range pn.Inputs {
			up, ok := byID[in]
			if !ok {
				return nil, fmt.Errorf("plan is not in topological order: node %d reads node %d", pn.ID, in.ID)
			}
			if _, side := pn.Op.(*planner.SideOutputOp); side {
				if err := j.wireSide(up, n); err != nil {
					return nil, err
				}
				continue
			}
			up.consumers = append(up.consumers, edge{to: n, input: i})
		}
		byID[pn] = n
		j.nodes = append(j.nodes, n)
	}
	parallel := wantsParallel(j.rp)
	if fuseCalcs && !parallel {
		j.fuseCalcNodes()
	}
	ck, err := newCheckpointer(j)
	if err != nil {
		return nil, err
	}
	j.ckpt = ck
	if parallel {
		if err := j.buildParallel(); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// fuseCalcs lets a window or group aggregation read through the Calc in
// front of it when that Calc only projects columns and compares strings with
// constants (ops.FuseCalc); the Calc's node then forwards batches
// unchanged. Switched off by tests comparing both ways.
var fuseCalcs = true

// readsThroughCalc reports the operators ops.FuseCalc may fuse a Calc
// into.
func readsThroughCalc(op planner.Op) bool {
	switch op.(type) {
	case *planner.WindowAggOp, *planner.GroupAggOp:
		return true
	}
	return false
}

func (j *Job) fuseCalcNodes() {
	for _, n := range j.nodes {
		spec, ok := n.plan.Op.(*planner.CalcOp)
		if !ok || len(n.consumers) != 1 {
			continue
		}
		to := n.consumers[0].to
		if !readsThroughCalc(to.plan.Op) || len(to.plan.Inputs) != 1 {
			continue
		}
		if p, ok := ops.FuseCalc(spec, to.op); ok {
			n.op = p
		}
	}
}

// Summary reports a finished (or stopped) run.
type Summary struct {
	RecordsRead        int64
	RecordsSkipped     int64
	LateRecordsDropped int64
	RowsWritten        int64
}

func (s Summary) String() string {
	return "records read: " + strconv.FormatInt(s.RecordsRead, 10) +
		", rows written: " + strconv.FormatInt(s.RowsWritten, 10) +
		", late rows dropped: " + strconv.FormatInt(s.LateRecordsDropped, 10) +
		", malformed or skipped records: " + strconv.FormatInt(s.RecordsSkipped, 10)
}

// Summary adds up the job's counters.
func (j *Job) Summary() Summary {
	var s Summary
	nodes := j.nodes
	if j.par != nil {
		nodes = append(j.par.extraNodes(), nodes...)
	}
	for _, n := range nodes {
		s.LateRecordsDropped += n.metrics.LateRecordsDropped.Load()
		s.RecordsSkipped += n.metrics.RecordsSkipped.Load()
	}
	for _, src := range j.allSources() {
		s.RecordsRead += src.read
	}
	for _, sk := range j.sinks {
		s.RowsWritten += sk.node.metrics.RecordsIn.Load()
	}
	return s
}

// Bounded reports whether every source ends by itself.
func (j *Job) Bounded() bool {
	for _, s := range j.sources {
		if !s.bounded {
			return false
		}
	}
	return true
}

// Run executes the job until every source is exhausted (bounded) or ctx
// is cancelled. All operators run on the calling goroutine; each source's
// reader polls on a goroutine of its own and hands over whole polls.
func (j *Job) Run(ctx context.Context) (err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := j.ckpt.open(ctx); err != nil {
		j.ckpt.close()
		return err
	}
	defer func() {
		if cerr := j.ckpt.close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	for _, s := range j.allSources() {
		if err := s.open(ctx); err != nil {
			return err
		}
	}
	for _, sk := range j.sinks {
		if err := sk.open(ctx); err != nil {
			return err
		}
	}
	defer func() {
		// Stop the poll goroutines before closing their readers: Run can
		// return early (an error, a simulated crash) while a Poll runs.
		cancel()
		for _, s := range j.allSources() {
			s.waitStopped()
			s.close()
		}
		for _, sk := range j.sinks {
			if cerr := sk.close(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	if err := j.ckpt.restore(); err != nil {
		return err
	}
	for _, s := range j.allSources() {
		s.start(ctx, j.opts.BatchSize)
	}
	if j.par != nil {
		return j.runParallel(ctx)
	}
	if j.Bounded() {
		err = j.runRoundRobin(ctx)
	} else {
		err = j.runLive(ctx)
	}
	if err != nil {
		return err
	}
	// Stopped (Ctrl-C): a final checkpoint, a savepoint, before anything
	// else; its sinks are flushed with a context that is still live.
	stopped := ctx.Err() != nil
	if stopped {
		if err := j.ckpt.checkpoint(context.WithoutCancel(ctx), true, false); err != nil {
			return err
		}
	}
	for _, n := range j.nodes {
		if n.op == nil {
			continue
		}
		if err := n.op.Finish(n.out); err != nil {
			return n.wrap(err)
		}
	}
	for _, sk := range j.sinks {
		if err := sk.flush(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	if !stopped {
		// a bounded job that ran to its end
		return j.ckpt.checkpoint(ctx, false, true)
	}
	return nil
}

// runRoundRobin drives bounded sources in a fixed order, one poll each
// in turn, so that a replay is deterministic.
func (j *Job) runRoundRobin(ctx context.Context) error {
	// A cursor over the active sources (rather than a loop per round)
	// lets a checkpoint record whose turn is next, so a restored replay
	// continues the same interleaving.
	var active []*sourceNode
	for _, s := range j.sources {
		if !j.ckpt.done[s] {
			active = append(active, s)
		}
	}
	ck := j.ckpt
	for len(active) > 0 {
		if ck.cursor >= len(active) {
			ck.cursor = 0
		}
		s := active[ck.cursor]
		var r pollResult
		select {
		case r = <-s.polls:
		case <-ctx.Done():
			return nil
		}
		done, err := s.handle(r, true)
		if err != nil {
			if stopped(ctx, err) {
				return nil
			}
			return err
		}
		if done {
			active = append(active[:ck.cursor], active[ck.cursor+1:]...)
		} else {
			ck.cursor++
		}
		if ck.cursor >= len(active) {
			ck.cursor = 0
		}
		ck.notePoll(s, &r.p, done)
		if j.par != nil {
			if err := j.par.afterPoll(); err != nil {
				return err
			}
		}
		if err := ck.afterPoll(ctx); err != nil {
			return err
		}
	}
	return nil
}

// stopped reports whether err only says that the job was asked to stop: a
// reader's poll that was under way when ctx was cancelled fails with
// ctx's error, and that is a stop (then a savepoint), not a failure.
func stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// runLive drives sources as their polls arrive and emits watermarks
// periodically, until every source is done or ctx is cancelled.
func (j *Job) runLive(ctx context.Context) error {
	// The sources read here: those that run as one subtask (a source of
	// several runs in its subtasks' tasks, parallel_source.go).
	var own []*sourceNode
	for _, s := range j.sources {
		if j.rp[s.node.plan] <= 1 {
			own = append(own, s)
		}
	}
	merged := make(chan sourcePoll, len(own))
	for _, s := range own {
		go func(s *sourceNode) {
			for {
				select {
				case r, ok := <-s.polls:
					if !ok {
						return
					}
					select {
					case merged <- sourcePoll{s, r}:
					case <-ctx.Done():
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}(s)
	}
	ticker := time.NewTicker(j.watermarkInterval)
	defer ticker.Stop()
	ckptTick, stopCkpt := j.ckpt.ticker()
	defer stopCkpt()
	remaining := len(own) - len(j.ckpt.done)
	// tasks of parallel sources run until the job stops or fails
	var abort <-chan struct{}
	parSources := j.par != nil && len(own) < len(j.sources)
	if j.par != nil {
		abort = j.par.abort
	}
	for remaining > 0 || parSources {
		select {
		case <-ctx.Done():
			return nil
		case <-abort:
			return nil // the failure is the parallel run's to report
		case <-ckptTick:
			if err := j.ckpt.checkpoint(ctx, false, false); err != nil {
				return err
			}
		case sp := <-merged:
			if j.ckpt.done[sp.s] {
				continue // exhausted before the restored checkpoint
			}
			done, err := sp.s.handle(sp.r, false)
			if err != nil {
				if stopped(ctx, err) {
					return nil
				}
				return err
			}
			j.ckpt.notePoll(sp.s, &sp.r.p, done)
			if done {
				remaining--
			}
			if err := j.ckpt.afterPoll(ctx); err != nil {
				return err
			}
		case now := <-ticker.C:
			for _, s := range own {
				if err := s.periodic(now); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type sourcePoll struct {
	s *sourceNode
	r pollResult
}
