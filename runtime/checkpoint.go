package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/config"
	"github.com/streamsql/streamsql/state"
)

// Checkpoints (docs/checkpoints.md).
//
// The executor is single-threaded: every poll is pushed through the whole
// operator graph (Emit delivers synchronously) before the next one is
// taken. Between two polls no row or watermark is in flight anywhere, so
// the state of all operators, the sources' read positions and every
// node's watermarks form a consistent cut without barriers: this is our
// equivalent of Flink's aligned checkpoint barriers. A checkpoint is
// taken there, on the executor goroutine:
//
//  1. every sink is flushed (its rows so far are durable: at-least-once),
//     and a sink that reports progress (connector.ProgressSink) records it;
//  2. every operator with state (core.Snapshotter) and every source
//     (split watermarks; positions go in the manifest) writes its state
//     to the state store;
//  3. the store syncs Badger, then writes the manifest last. Only then is
//     the checkpoint complete.
//
// Restore runs the other way before the first poll: the sinks reopen at
// their recorded progress, the readers seek to the recorded positions,
// operators reload their state, and node watermarks and counters are set.

// ErrSimulatedCrash is returned by Run when Options.CrashAfterRecords
// stopped it (tests).
var ErrSimulatedCrash = errors.New("simulated crash")

// checkpointer is the job's checkpoint coordinator.
type checkpointer struct {
	j        *Job
	store    *state.Store
	interval time.Duration // execution.checkpointing.interval; 0 when off
	every    int64         // Options.CheckpointEveryRecords
	enabled  bool
	nextID   int64

	uids      []string // per node, graph order
	layouts   []string
	defs      []map[string]string // what each node's state computes (stateDefinition)
	positions map[*sourceNode]map[int]connector.Position
	done      map[*sourceNode]bool
	cursor    int       // round-robin cursor: index into the active sources
	records   int64     // records handled in this run
	since     int64     // records since the last checkpoint
	last      time.Time // when the last checkpoint was taken (or the job started)

	restored *state.Checkpoint

	// tolerable is execution.checkpointing.tolerable-failed-checkpoints;
	// failed counts consecutive periodic checkpoints that failed.
	tolerable, failed int

	// txn is the job's transactional sink (Kafka exactly-once), nil when
	// none: its transaction is each checkpoint's commit point.
	txn *sinkNode
	// crash is the failpoint of the crash tests (STREAMSQL_CRASH_AT).
	crash failpoint
	// incremental: operators that track their changes write only those
	// (state.backend.incremental)
	incremental bool
}

// Checkpointing options (SET).
const (
	optCheckpointInterval = "execution.checkpointing.interval"
	optNumRetained        = "state.checkpoints.num-retained"
	optTolerableFailures  = "execution.checkpointing.tolerable-failed-checkpoints"
	// optIncremental is Flink's switch for incremental checkpoints of
	// the RocksDB backend; on by default here (docs/checkpoints.md).
	optIncremental = "state.backend.incremental"
)

// stateFreeSpace replaces the state directory's free-space probe (tests
// simulate a full disk with it); nil is statfs.
var stateFreeSpace state.FreeSpaceFunc

// newCheckpointer reads the checkpoint options. It opens nothing yet.
func newCheckpointer(j *Job) (*checkpointer, error) {
	c := &checkpointer{j: j, every: j.opts.CheckpointEveryRecords,
		positions: map[*sourceNode]map[int]connector.Position{}, done: map[*sourceNode]bool{}}
	if s, ok := j.graph.Settings[optCheckpointInterval]; ok && strings.TrimSpace(s) != "" {
		d, err := connector.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("SET '%s': %w", optCheckpointInterval, err)
		}
		if d < 0 {
			return nil, fmt.Errorf("SET '%s' = '%s': must not be negative", optCheckpointInterval, s)
		}
		c.interval = d
	}
	if s, ok := j.graph.Settings[optNumRetained]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("SET '%s' = '%s': want a positive integer", optNumRetained, s)
		}
	}
	c.incremental = true
	if s, ok := j.graph.Settings[optIncremental]; ok {
		b, err := config.Bool(s)
		if err != nil {
			return nil, fmt.Errorf("SET '%s' = '%s': %w", optIncremental, s, err)
		}
		c.incremental = b
	}
	if s, ok := j.graph.Settings[optTolerableFailures]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("SET '%s' = '%s': want a non-negative integer", optTolerableFailures, s)
		}
		c.tolerable = n
	}
	c.enabled = c.interval > 0 || c.every > 0
	c.uids, c.layouts, c.defs = planUIDs(j.graph)
	for _, sk := range j.sinks {
		if sk.spec.Transactional == nil || !sk.spec.Transactional(sk.op.Table) {
			continue
		}
		if c.txn != nil {
			return nil, fmt.Errorf("tables %s and %s both use exactly-once delivery: a job can commit one transactional sink per checkpoint; write one of them 'at-least-once'",
				c.txn.op.Table.Name, sk.op.Table.Name)
		}
		if !c.enabled {
			return nil, tableErr(sk.op.Table, fmt.Errorf("'sink.delivery-guarantee' = 'exactly-once' commits with checkpoints, which are off: SET '%s' (for example '10 s')", optCheckpointInterval))
		}
		c.txn = sk
	}
	for _, s := range j.sources {
		s.env.Checkpointing = c.enabled
	}
	var err error
	if c.crash, err = parseFailpoint(os.Getenv(envCrashAt)); err != nil {
		return nil, err
	}
	return c, nil
}

// active reports whether the job uses a state directory.
func (c *checkpointer) active() bool {
	return c.enabled || c.j.opts.FromCheckpoint != ""
}

// open opens the state directory and picks the checkpoint to restore
// (none on a first run). Sinks learn their progress here, before they
// open (a file sink truncates on open unless told to resume). A
// transactional sink is opened here, first: that fences an earlier
// instance, and the checkpoint to restore is the one it committed last.
func (c *checkpointer) open(ctx context.Context) (err error) {
	if !c.active() {
		return nil
	}
	dir := c.j.opts.StateDir
	if c.j.opts.FromCheckpoint != "" && dir == "" {
		// chk file inside DIR/checkpoints
		dir = parentDir(parentDir(c.j.opts.FromCheckpoint))
	}
	if dir == "" {
		return errors.New("checkpointing is on but no state directory is set (--state-dir)")
	}
	retained := 0
	if s, ok := c.j.graph.Settings[optNumRetained]; ok {
		retained, _ = strconv.Atoi(strings.TrimSpace(s))
	}
	st, err := state.Open(dir, state.Options{NumRetained: retained, Warn: c.j.opts.Stderr, Hook: c.crash.hit, FreeSpace: stateFreeSpace,
		Incremental: c.incremental})
	if err != nil {
		return err
	}
	c.store = st
	if c.nextID, err = st.NextID(); err != nil {
		return err
	}
	var cp *state.Checkpoint
	if p := c.j.opts.FromCheckpoint; p != "" {
		cp, err = st.Load(p)
		if err != nil {
			return err
		}
	} else if c.txn != nil {
		if cp, err = c.openTransactional(ctx); err != nil || cp == nil {
			return err
		}
		if cp.Manifest.Finished {
			// Its output is committed: starting afresh would write it all
			// again. Restoring it leaves nothing to do.
			fmt.Fprintf(c.j.opts.Stderr, "streamsql: the run in state directory %s finished and its output is committed (checkpoint %d): nothing left to do (remove the directory to run the job again from the beginning)\n", dir, cp.Manifest.ID)
		}
	} else {
		cp, err = st.Latest()
		if errors.Is(err, state.ErrNoCheckpoint) {
			if st.Existed() {
				// manifests deleted, or an earlier run never completed a
				// checkpoint: starting afresh repeats its output
				fmt.Fprintf(c.j.opts.Stderr, "warning: state directory %s was used by an earlier run but holds no complete checkpoint (nothing in %s):\n"+
					"  the job starts from the beginning of its sources with empty state, so output the earlier run wrote will be written again.\n"+
					"  If the checkpoint manifests were deleted by mistake, stop now and restore them; remove the directory to make a fresh start explicit.\n",
					dir, dir+string(os.PathSeparator)+"checkpoints")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if cp.Manifest.Finished {
			fmt.Fprintf(c.j.opts.Stderr, "streamsql: state directory %s holds a finished run (checkpoint %d); starting from the beginning\n", dir, cp.Manifest.ID)
			return nil
		}
	}
	if err := c.checkPlan(cp.Manifest); err != nil {
		return err
	}
	c.restored = cp
	return c.resumeSinks(ctx, cp.Manifest)
}

// resumeSinks tells each sink subtask the progress its checkpoint
// recorded. A sink restored at a lower parallelism has tokens of subtasks
// that no longer run: their writers are opened at that progress and
// closed at once, so what they wrote after the checkpoint is discarded
// (a file truncated) and it is not written twice.
func (c *checkpointer) resumeSinks(ctx context.Context, m *state.Manifest) error {
	for _, sk := range c.j.sinks {
		i := c.planIndex(sk.node)
		op := m.Operator(c.uids[i])
		if op == nil || c.stateMismatch(i, op) != "" {
			continue
		}
		toks := op.SinkTokens()
		if sk.sub < len(toks) {
			sk.env.Resume = toks[sk.sub]
		}
		if sk.sub != 0 {
			continue
		}
		for s := max(1, c.j.rp[sk.node.plan]); s < len(toks); s++ {
			if toks[s] == nil {
				continue
			}
			env := *sk.env
			env.Resume, env.Subtask = toks[s], s
			w, err := sk.spec.NewSink(ctx, sk.op.Table, &env)
			if err == nil {
				err = w.Close()
			}
			if err != nil {
				return tableErr(sk.op.Table, fmt.Errorf("discarding the output of subtask %d after the checkpoint (it runs as %d subtasks now): %w", s+1, c.j.rp[sk.node.plan], err))
			}
		}
	}
	return nil
}

// planIndex is the index of the plan node n is a subtask of.
func (c *checkpointer) planIndex(n *node) int {
	for i, pn := range c.j.graph.Nodes {
		if pn == n.plan {
			return i
		}
	}
	return -1
}

func parentDir(p string) string {
	p = strings.TrimRight(p, string(os.PathSeparator))
	if i := strings.LastIndexByte(p, os.PathSeparator); i >= 0 {
		return p[:i]
	}
	return "."
}

func (c *checkpointer) index(n *node) int {
	for i, x := range c.j.nodes {
		if x == n {
			return i
		}
	}
	return -1
}

func (c *checkpointer) close() error {
	if c.store == nil {
		return nil
	}
	return c.store.Close()
}

// hasState reports whether a manifest entry carries state that restoring
// must not lose.
func hasState(op *state.OperatorState) bool {
	return op.HasEntries() || len(op.Splits) > 0 || len(op.Sink) > 0 || len(op.SinkSubtasks) > 0
}

// checkPlan refuses a checkpoint whose state the current plan would lose
// (no operator with its uid) or misread (same uid, another layout or
// another definition: stateMismatch).
func (c *checkpointer) checkPlan(m *state.Manifest) error {
	byUID := map[string]int{}
	for i, u := range c.uids {
		byUID[u] = i
	}
	var problems []string
	for i := range m.Operators {
		op := &m.Operators[i]
		if !hasState(op) {
			continue
		}
		k, ok := byUID[op.UID]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s (uid %s) has state but is not in the current plan", op.Name, op.UID))
		default:
			if why := c.stateMismatch(k, op); why != "" {
				problems = append(problems, fmt.Sprintf("%s (uid %s): %s", op.Name, op.UID, why))
			} else if op.Computes == nil && c.defs[k] != nil {
				fmt.Fprintf(c.j.opts.Stderr, "warning: checkpoint %d was written by an earlier streamsql that did not record what %s computes: restored on its types alone (a changed GROUP BY column, aggregate argument or filter of the same type cannot be detected)\n", m.ID, op.Name)
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	if c.j.opts.AllowNonRestoredState {
		for _, p := range problems {
			fmt.Fprintf(c.j.opts.Stderr, "warning: checkpoint %d: not restored: %s\n", m.ID, p)
		}
		return nil
	}
	return fmt.Errorf("checkpoint %d does not match the query: restoring it would lose or misread state:\n  %s\n(run with --allow-non-restored-state to start those operators empty)",
		m.ID, strings.Join(problems, "\n  "))
}

// restore applies the chosen checkpoint to the opened, not yet started job.
func (c *checkpointer) restore() error {
	cp := c.restored
	if cp == nil {
		return nil
	}
	m := cp.Manifest
	c.cursor = m.NextSource
	discard := discardOutput{}
	for i, n := range c.j.nodes {
		op := m.Operator(c.uids[i])
		if op == nil || (hasState(op) && c.stateMismatch(i, op) != "") {
			continue // new operator, or not restored (allowed above)
		}
		if len(op.Watermarks) == len(n.inWM) {
			copy(n.inWM, op.Watermarks)
		}
		n.wm = op.Watermark
		n.metrics.CurrentWatermark.Store(n.wm)
		n.metrics.RecordsIn.Store(op.Counters.In)
		n.metrics.RecordsOut.Store(op.Counters.Out)
		n.metrics.LateRecordsDropped.Store(op.Counters.Late)
		n.metrics.RecordsSkipped.Store(op.Counters.Skipped)
		r := cp.Operator(op.UID)
		if s := c.sourceOf(n); s != nil {
			for sub, x := range s.instances() {
				if err := c.restoreSource(x, sub, op, r); err != nil {
					return fmt.Errorf("restoring checkpoint %d: %w", m.ID, err)
				}
			}
			continue
		}
		q := 1 // subtasks of the node now
		if c.j.par != nil {
			q = c.j.par.rp[n.plan]
		}
		if op.KeyGroups && m.MaxParallelism != c.j.maxParallelism() {
			return fmt.Errorf("restoring checkpoint %d: it was taken with 'pipeline.max-parallelism' = '%d', the job now has %d: key groups cannot be redistributed (keep the max parallelism of the checkpoint)",
				m.ID, m.MaxParallelism, c.j.maxParallelism())
		}
		if c.j.par != nil {
			if err := c.j.par.restoreInstances(i, op, r); err != nil {
				return fmt.Errorf("restoring checkpoint %d: %w", m.ID, err)
			}
		}
		if sn, ok := n.op.(core.Snapshotter); ok {
			if err := sn.Restore(c.j.restoreReader(n, 0, q, op, r)); err != nil {
				return fmt.Errorf("restoring checkpoint %d: %s: %w", m.ID, op.Name, err)
			}
		} else if n.op != nil && n.wm > core.MinWatermark {
			// stateless operators only need their watermark back
			// (CURRENT_WATERMARK); firing anything here would be a bug.
			if err := n.op.ProcessWatermark(n.wm, discard); err != nil {
				return n.wrap(err)
			}
		}
	}
	fmt.Fprintf(c.j.opts.Stderr, "streamsql: restored checkpoint %d (%s) from %s\n", m.ID, m.Time.Format(time.RFC3339), cp.Path)
	return nil
}

// discardOutput refuses rows: restoring a watermark must not fire.
type discardOutput struct{}

func (discardOutput) Emit(b *core.Batch) error {
	if len(b.Rows) > 0 {
		return errors.New("restore: an operator emitted rows while its watermark was restored")
	}
	return nil
}

func (c *checkpointer) sourceOf(n *node) *sourceNode { return c.j.sourceOf(n) }

// notePoll records a handled poll: the sources' positions and the
// record count that drives "checkpoint every K records".
func (c *checkpointer) notePoll(s *sourceNode, p *connector.Poll, done bool) {
	if done {
		c.done[s] = true
	}
	c.records += int64(len(p.Records))
	c.since += int64(len(p.Records))
	if len(p.Positions) == 0 {
		return
	}
	m := c.positions[s]
	if m == nil {
		m = map[int]connector.Position{}
		c.positions[s] = m
	}
	for _, pos := range p.Positions {
		m[pos.Split] = pos
	}
}

// afterPoll runs between two polls: a checkpoint when K records have
// passed since the last one, and the simulated crash of tests.
func (c *checkpointer) afterPoll(ctx context.Context) error {
	if c.last.IsZero() {
		c.last = time.Now()
	}
	// A bounded replay has no ticker: the interval is checked here.
	if c.enabled && ((c.every > 0 && c.since >= c.every) || (c.interval > 0 && time.Since(c.last) >= c.interval)) {
		if err := c.checkpoint(ctx, false, false); err != nil {
			return err
		}
	}
	if n := c.j.opts.CrashAfterRecords; n > 0 && c.records >= n {
		return ErrSimulatedCrash
	}
	return nil
}

// ticker returns the channel of periodic checkpoints (nil when off).
func (c *checkpointer) ticker() (<-chan time.Time, func()) {
	if !c.enabled || c.interval <= 0 {
		return nil, func() {}
	}
	t := time.NewTicker(c.interval)
	return t.C, t.Stop
}

// errStateWrite marks a checkpoint that failed while its state was
// written (a full disk, an I/O error): nothing of it counts, and a
// periodic one may be tolerated. Other failures (a sink that cannot
// flush, a transaction that cannot commit) always stop the job, as
// failures of Flink's synchronous phase do.
type errStateWrite struct{ error }

func (e errStateWrite) Unwrap() error { return e.error }

// checkpoint takes one checkpoint (see the package comment above). A
// periodic checkpoint whose state cannot be written is tolerated up to
// execution.checkpointing.tolerable-failed-checkpoints consecutive
// times (Flink's option and default, 0): the job warns and goes on, and
// the next checkpoint tries again. A savepoint or a finished job's last
// checkpoint is never tolerated.
func (c *checkpointer) checkpoint(ctx context.Context, savepoint, finished bool) error {
	err := c.take(ctx, savepoint, finished)
	if err == nil {
		c.failed = 0
		return nil
	}
	var we errStateWrite
	if savepoint || finished || !errors.As(err, &we) {
		return err
	}
	c.failed++
	if c.failed > c.tolerable {
		return fmt.Errorf("%w\n(%d consecutive checkpoint failures, more than the %d tolerated by SET '%s': the job stops; its last complete checkpoint, if any, is kept)",
			err, c.failed, c.tolerable, optTolerableFailures)
	}
	fmt.Fprintf(c.j.opts.Stderr, "warning: %v\n(tolerated: %d of %d consecutive failures allowed by '%s'; the job goes on, the last complete checkpoint is kept)\n",
		err, c.failed, c.tolerable, optTolerableFailures)
	return nil
}

// snapshotOp writes an operator's state to ow: only its changes when it
// tracks them and the store can share the rest (incremental
// checkpoints), in full otherwise.
func snapshotOp(sn core.Snapshotter, ow *state.OperatorWriter) error {
	if inc, ok := sn.(core.IncrementalState); ok && ow.CanDelta() {
		if err := ow.StartDelta(); err != nil {
			return err
		}
		return inc.SnapshotChanges(ow)
	}
	return sn.Snapshot(ow)
}

// take takes one checkpoint.
func (c *checkpointer) take(ctx context.Context, savepoint, finished bool) error {
	if !c.enabled || c.store == nil {
		return nil
	}
	start := time.Now()
	c.since = 0
	c.last = start
	id := c.nextID
	c.nextID++
	// fail reports a failed checkpoint; stateWrite marks a failure to
	// write its state (tolerable, see checkpoint).
	fail := func(err error, stateWrite bool) error {
		c.j.ReportCheckpointFailed()
		err = fmt.Errorf("checkpoint %d failed: %w", id, err)
		if stateWrite {
			return errStateWrite{err}
		}
		return err
	}
	c.crash.hit("flush")
	par := c.j.par
	for _, sk := range c.j.sinks {
		if par != nil && par.running && !par.inSource(sk.node) {
			continue // its task flushes it at the barrier
		}
		if err := sk.flush(ctx); err != nil {
			return fail(err, false)
		}
	}
	w, err := c.store.NewCheckpoint(id)
	if err != nil {
		return fail(err, true)
	}
	c.crash.hit("snapshot")
	m := &state.Manifest{Time: time.Now().UTC(), Job: c.j.opts.JobName, Savepoint: savepoint, Finished: finished, NextSource: c.cursor,
		Prepared: c.txn != nil}
	var snaps map[*node]*nodeSnap
	if par != nil {
		// the other tasks' state: by barrier (parallel_ckpt.go)
		defer par.resume()
		m.MaxParallelism = c.j.maxParallelism()
		// every subtask of an operator writes changes, or all in full
		par.delta = map[*planner.Node]bool{}
		for i, n := range c.j.nodes {
			if _, ok := n.op.(core.IncrementalState); ok && !par.inSource(n) {
				par.delta[n.plan] = w.Operator(c.uids[i]).CanDelta()
			}
		}
		if snaps, err = par.collect(ctx, id); err != nil {
			w.Abort()
			return fail(err, false)
		}
		for _, s := range c.j.sources {
			if len(s.subtasks) > 0 {
				c.mergeSubtaskPositions(s, snaps)
			}
		}
	}
	for i, n := range c.j.nodes {
		op := state.OperatorState{
			UID: c.uids[i], Name: fmt.Sprintf("%s #%d", n.plan.Name(), n.plan.ID), Layout: c.layouts[i], Computes: c.defs[i],
			Watermarks: append([]int64(nil), n.inWM...), Watermark: n.wm,
			Counters: state.Counters{In: n.metrics.RecordsIn.Load(), Out: n.metrics.RecordsOut.Load(),
				Late: n.metrics.LateRecordsDropped.Load(), Skipped: n.metrics.RecordsSkipped.Load()},
		}
		ow := w.Operator(op.UID)
		if par != nil && !par.inSource(n) {
			if err := par.fill(i, &op, ow, snaps); err != nil {
				w.Abort()
				return fail(fmt.Errorf("%s: %w", op.Name, err), true)
			}
			m.Operators = append(m.Operators, op)
			continue
		}
		if s := c.sourceOf(n); s != nil {
			if err := c.snapshotSource(s, &op, ow); err != nil {
				w.Abort()
				return fail(fmt.Errorf("%s: %w", op.Name, err), true)
			}
		} else if sn, ok := n.op.(core.Snapshotter); ok {
			if err := snapshotOp(sn, ow); err != nil {
				w.Abort()
				return fail(fmt.Errorf("%s: %w", op.Name, err), true)
			}
		}
		if sk, ok := n.op.(*sinkNode); ok {
			tok, err := sk.progress()
			if err != nil {
				w.Abort()
				return fail(err, false)
			}
			op.Sink = tok
		}
		m.Operators = append(m.Operators, op)
	}
	size := w.Bytes()
	c.crash.hit("sync")
	if err := w.Commit(m); err != nil {
		return fail(err, true)
	}
	if c.txn != nil {
		if err := c.commitTransaction(ctx, id); err != nil {
			return fail(err, false)
		}
	}
	c.crash.hit("done")
	if c.txn == nil {
		// (with exactly-once the transaction committed the offsets; a
		// later plain commit could race with the next transaction's)
		c.notifySources()
	}
	c.j.ReportCheckpoint(CheckpointInfo{ID: id, Completed: time.Now(), Duration: time.Since(start), Size: size})
	c.j.SetStateSize(size)
	return nil
}
