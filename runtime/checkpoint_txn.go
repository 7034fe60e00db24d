package runtime

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/state"
)

// Exactly-once checkpoints (docs/checkpoints.md, "Exactly-once to Kafka").
//
// With a transactional sink the Kafka transaction is the commit point, as
// in Kafka Streams: a checkpoint's state and manifest are written and
// synced first, marked *prepared*; then the sink commits one transaction
// holding the rows written since the previous checkpoint, the sources'
// offsets and a marker naming the checkpoint; then the manifest is
// marked complete. On restart the sink is opened first (which fences the
// crashed instance and aborts its open transaction), and the checkpoint
// its last committed transaction names is restored, prepared or
// complete. A prepared checkpoint whose transaction never committed is
// ignored.

// sourceOffsets lists every source's current positions (for the
// transaction that commits a checkpoint).
func (c *checkpointer) sourceOffsets() []connector.SourceOffsets {
	out := make([]connector.SourceOffsets, 0, len(c.j.sources))
	for _, s := range c.j.sources {
		out = append(out, connector.SourceOffsets{Table: s.op.Table, Positions: sortedPositions(c.positions[s])})
	}
	return out
}

func sortedPositions(m map[int]connector.Position) []connector.Position {
	pos := make([]connector.Position, 0, len(m))
	for _, p := range m {
		pos = append(pos, p)
	}
	sort.Slice(pos, func(a, b int) bool { return pos[a].Split < pos[b].Split })
	return pos
}

// commitTransaction commits checkpoint id's transaction, then marks the
// prepared checkpoint complete.
func (c *checkpointer) commitTransaction(ctx context.Context, id int64) error {
	tx, ok := c.txn.writer.(connector.TransactionalSink)
	if !ok {
		return fmt.Errorf("table %s: connector '%s' is not transactional", c.txn.op.Table.Name, c.txn.spec.Name)
	}
	c.crash.hit("commit")
	if err := tx.CommitCheckpoint(ctx, id, c.sourceOffsets()); err != nil {
		return fmt.Errorf("table %s: committing the transaction: %w", c.txn.op.Table.Name, err)
	}
	c.crash.hit("complete")
	return c.store.MarkComplete(id)
}

// notifySources tells the sources a checkpoint completed (a Kafka source
// commits its positions to its consumer group).
func (c *checkpointer) notifySources() {
	for _, s := range c.j.sources {
		pos := sortedPositions(c.positions[s])
		for _, x := range s.instances() {
			// (a subtask's reader commits the positions of its splits)
			if l, ok := x.reader.(connector.CheckpointListener); ok {
				l.CheckpointComplete(pos)
			}
		}
	}
}

// openTransactional opens the transactional sink (fencing an earlier
// instance) and returns the checkpoint its last committed transaction
// names, or nil to start from the beginning.
func (c *checkpointer) openTransactional(ctx context.Context) (cp *state.Checkpoint, err error) {
	sk := c.txn
	if err := sk.open(ctx); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			sk.close()
		}
	}()
	tx, ok := sk.writer.(connector.TransactionalSink)
	if !ok {
		return nil, fmt.Errorf("table %s: connector '%s' is not transactional", sk.op.Table.Name, sk.spec.Name)
	}
	ids, err := c.store.IDs()
	if err != nil {
		return nil, err
	}
	// The partitions to ask about: those of the newest readable manifest.
	var ask []connector.SourceOffsets
	for i := len(ids) - 1; i >= 0 && ask == nil; i-- {
		m, err := state.ReadManifest(filepath(c.store, ids[i]))
		if err != nil {
			continue
		}
		ask = c.recordedOffsets(m)
	}
	if ask == nil {
		ask = c.sourceOffsets()
	}
	id, committed, err := tx.Committed(ctx, ask)
	if err != nil {
		return nil, fmt.Errorf("table %s: reading what the last transaction committed: %w", sk.op.Table.Name, err)
	}
	warn := func(format string, args ...any) {
		fmt.Fprintf(c.j.opts.Stderr, "warning: "+format+"\n", args...)
	}
	for _, x := range ids {
		if x > id {
			warn("checkpoint %d was prepared but its transaction did not commit (aborted when the sink fenced the previous run); not restored", x)
		}
	}
	if id == 0 {
		if len(ids) == 0 {
			return nil, nil
		}
		// No transaction ever committed: either every checkpoint so far
		// was only prepared, or the job ran without exactly-once before.
		latest, err := c.store.Latest()
		if err != nil {
			fmt.Fprintf(c.j.opts.Stderr, "streamsql: table %s: no exactly-once transaction has committed yet; starting from the beginning\n", sk.op.Table.Name)
			return nil, nil
		}
		warn("table %s: no exactly-once transaction has committed yet, but checkpoint %d is complete (the job ran without exactly-once?): restoring it; rows written after it before the switch may appear twice",
			sk.op.Table.Name, latest.Manifest.ID)
		return latest, nil
	}
	cp, err = c.store.LoadID(id)
	if err != nil {
		return nil, fmt.Errorf("table %s: the last committed transaction belongs to checkpoint %d, which cannot be restored: %w\n"+
			"(restoring an older checkpoint would write the rows committed since then a second time, so the job stops; "+
			"to start afresh, remove the state directory and write to a new topic: rows already committed would be written again)", sk.op.Table.Name, id, err)
	}
	c.crossCheck(cp.Manifest, committed, warn)
	if cp.Manifest.Prepared {
		if err := c.store.MarkComplete(id); err != nil {
			return nil, err
		}
		fmt.Fprintf(c.j.opts.Stderr, "streamsql: checkpoint %d was prepared and its transaction committed: it is complete\n", id)
	}
	return cp, nil
}

func filepath(s *state.Store, id int64) string {
	return s.Dir() + string(os.PathSeparator) + "checkpoints" + string(os.PathSeparator) + state.ManifestName(id)
}

// recordedOffsets returns the sources' positions recorded in m.
func (c *checkpointer) recordedOffsets(m *state.Manifest) []connector.SourceOffsets {
	out := make([]connector.SourceOffsets, 0, len(c.j.sources))
	for _, s := range c.j.sources {
		so := connector.SourceOffsets{Table: s.op.Table}
		if op := m.Operator(c.uids[c.index(s.node)]); op != nil {
			for _, p := range op.Splits {
				so.Positions = append(so.Positions, connector.Position{Split: p.Split, Name: p.Name, Offset: p.Offset, Line: p.Line, Done: p.Done})
			}
		}
		out = append(out, so)
	}
	return out
}

// crossCheck compares the offsets Kafka committed with those the chosen
// checkpoint recorded; they are equal unless another client commits to
// the same consumer group. The checkpoint's positions are used.
func (c *checkpointer) crossCheck(m *state.Manifest, committed []connector.SourceOffsets, warn func(string, ...any)) {
	rec := c.recordedOffsets(m)
	for _, k := range committed {
		for _, r := range rec {
			if r.Table != k.Table {
				continue
			}
			want := map[string]int64{}
			for _, p := range r.Positions {
				want[p.Name] = p.Offset
			}
			for _, p := range k.Positions {
				if w, ok := want[p.Name]; ok && w != p.Offset {
					warn("table %s: %s: the committed offset is %d but checkpoint %d recorded %d (does another client commit to the same consumer group?); resuming at the checkpoint's",
						k.Table.Name, p.Name, p.Offset, m.ID, w)
				}
			}
		}
	}
}

// ---------------------------------------------------------------- failpoints

// envCrashAt names the crash tests' failpoint: STREAMSQL_CRASH_AT=phase:N
// kills the process (SIGKILL) the N-th time this run reaches phase of a
// checkpoint (see checkpointPhases).
const envCrashAt = "STREAMSQL_CRASH_AT"

// checkpointPhases are the points of a checkpoint, in order: before the
// sinks flush; before the state is written; before the store commits;
// within it, after the entries are written and after the sync (before the
// manifest); before the sink's transaction commits; after it commits,
// before the manifest is marked complete; after the checkpoint.
// "align" is a parallel job's: a task received a barrier on one of its
// input channels and waits for the others (parallel_ckpt.go).
var checkpointPhases = []string{"flush", "snapshot", "sync", "flushed", "synced", "commit", "complete", "done", "align"}

type failpoint struct {
	phase string
	n     int
	seen  int
}

func parseFailpoint(v string) (failpoint, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return failpoint{}, nil
	}
	phase, ns, ok := strings.Cut(v, ":")
	n, err := strconv.Atoi(ns)
	known := false
	for _, p := range checkpointPhases {
		known = known || p == phase
	}
	if !ok || err != nil || n < 1 || !known {
		return failpoint{}, fmt.Errorf("%s=%q: want PHASE:N with N >= 1 and PHASE one of %s", envCrashAt, v, strings.Join(checkpointPhases, ", "))
	}
	return failpoint{phase: phase, n: n}, nil
}

// failpointMu guards failpoints: a parallel job's tasks reach "align"
// on their own goroutines.
var failpointMu sync.Mutex

// hit kills the process when the failpoint is reached.
func (f *failpoint) hit(phase string) {
	if f.phase != phase {
		return
	}
	failpointMu.Lock()
	defer failpointMu.Unlock()
	f.seen++
	if f.seen != f.n {
		return
	}
	fmt.Fprintf(os.Stderr, "streamsql: %s=%s:%d reached: killing the process\n", envCrashAt, f.phase, f.n)
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Kill()
	}
	select {} // the kill is asynchronous: do nothing more
}
