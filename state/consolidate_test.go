package state

import (
	"fmt"
	"io/fs"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// chainModel merges chain of operator uid (table 1) with mergeChain.
func chainModel(t *testing.T, s *Store, chain []Segment, uid string) model {
	t.Helper()
	got := model{}
	err := s.db.View(func(txn *badger.Txn) error {
		return mergeChain(txn, chain, uid, 1, func(k, v []byte) error {
			got[string(k)] = string(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// checkRetained restores every retained checkpoint and compares it with
// the model of its time.
func checkRetained(t *testing.T, s *Store, want map[int64]map[string]model, after int64) {
	t.Helper()
	ids, err := s.IDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, rid := range ids {
		c, err := s.LoadID(rid)
		if err != nil {
			t.Fatalf("after checkpoint %d: %v", after, err)
		}
		for _, uid := range []string{"a", "b"} {
			if got := readModel(t, c, uid); !maps.Equal(got, want[rid][uid]) {
				t.Fatalf("after checkpoint %d, restoring %d, operator %s:\n got %v\nwant %v", after, rid, uid, got, want[rid][uid])
			}
		}
	}
}

// consRun drives checkpoints of two operators with random changes.
type consRun struct {
	t      *testing.T
	s      *Store
	r      *rand.Rand
	state  map[string]model
	want   map[int64]map[string]model
	id     int64
	merged int // checkpoints whose chain of "a" starts with a merged segment
}

// newConsRun starts with 200 keys per operator, so a round's changes
// are a few percent of the state.
func newConsRun(t *testing.T, s *Store) *consRun {
	c := &consRun{t: t, s: s, r: rand.New(rand.NewSource(11)), state: map[string]model{"a": {}, "b": {}}, want: map[int64]map[string]model{}}
	for _, st := range c.state {
		for i := 0; i < 200; i++ {
			st[fmt.Sprintf("k%03d", i)] = "v0"
		}
	}
	return c
}

// step writes the next checkpoint and reports whether "a" was a delta.
func (c *consRun) step() bool {
	c.id++
	changed := map[string]map[string]bool{"a": {}, "b": {}}
	for _, uid := range []string{"a", "b"} {
		mutate(c.r, c.state[uid], changed[uid], 15, int(c.id))
	}
	delta := incWrite(c.t, c.s, c.id, c.state, changed)
	c.want[c.id] = map[string]model{"a": maps.Clone(c.state["a"]), "b": maps.Clone(c.state["b"])}
	m, err := ReadManifest(c.s.manifestPath(c.id))
	if err != nil {
		c.t.Fatal(err)
	}
	if ch := m.Operator("a").Chain(c.id); ch[0].Merged {
		c.merged++
	}
	return delta
}

// TestConsolidation: over 100 checkpoints of which only the first is
// full, chains are consolidated in the background and later checkpoints
// list the merged segments; every retained checkpoint restores its
// model; a merged segment holds exactly the merge of the chain it
// replaces; retention deletes the superseded segments; files stay
// private.
func TestConsolidation(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NumRetained: 2, Incremental: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	run := newConsRun(t, s)
	compared := 0
	for i := 0; i < 100; i++ {
		if !run.step() && run.id > 1 {
			t.Fatalf("checkpoint %d was full: consolidation should have kept the chain short", run.id)
		}
		s.WaitConsolidation()
		s.mu.Lock()
		c := s.cons["a"]
		s.mu.Unlock()
		if c != nil && c.result != nil {
			// the merged segment equals the merge of the chain it replaces,
			// and the model at the chain's last checkpoint
			x := c.covered[len(c.covered)-1].ID
			got := chainModel(t, s, []Segment{*c.result}, "a")
			if want := chainModel(t, s, c.covered, "a"); !maps.Equal(got, want) {
				t.Fatalf("merged segment of checkpoint %d:\n got %v\nwant %v", x, got, want)
			}
			if !maps.Equal(got, run.want[x]["a"]) {
				t.Fatalf("merged segment of checkpoint %d differs from the model", x)
			}
			compared++
		}
		checkRetained(t, s, run.want, run.id)
	}
	if compared < 3 || run.merged < 30 {
		t.Fatalf("%d consolidations compared, %d checkpoints listed a merged segment", compared, run.merged)
	}
	// retention: whatever is left is listed by a retained manifest (or is
	// the result of a consolidation not yet listed)
	ids, _ := s.IDs()
	refs, err := s.referenced(ids, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	segs, _ := s.segments(1 << 62)
	for _, sk := range segs {
		if !refs[sk] {
			t.Errorf("segment %+v is referenced by no retained checkpoint but was kept", sk)
		}
	}
	if len(segs) > 4*(MaxChain/2+2) {
		t.Errorf("%d segments kept for 2 retained checkpoints of 2 operators", len(segs))
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, _ := d.Info()
		if d.IsDir() && fi.Mode().Perm()&0o077 != 0 || !d.IsDir() && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", p, fi.Mode().Perm())
		}
		return nil
	})
}

// TestConsolidationConcurrent: checkpoints go on while a consolidation
// runs (it is held at its failpoint), stay incremental, and the first
// checkpoint after it ends lists its result; run with -race.
func TestConsolidationConcurrent(t *testing.T) {
	dir := t.TempDir()
	hold, release := make(chan struct{}, 1), make(chan struct{})
	first := true // only the hook's goroutine (one consolidation at a time) reads it
	s, err := Open(dir, Options{NumRetained: 2, Incremental: true, Hook: func(step string) {
		if step == "consolidate" && first {
			first = false
			hold <- struct{}{}
			<-release
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	run := newConsRun(t, s)
	for {
		run.step()
		s.mu.Lock()
		started := s.consolidating
		s.mu.Unlock()
		if started {
			break
		}
		if run.id > 40 {
			t.Fatal("no consolidation started")
		}
	}
	<-hold // written, not synced nor published
	for i := 0; i < 5; i++ {
		if !run.step() {
			t.Fatalf("checkpoint %d was full while a consolidation ran", run.id)
		}
		checkRetained(t, s, run.want, run.id)
	}
	if run.merged != 0 {
		t.Fatal("a checkpoint listed a consolidation that had not ended")
	}
	close(release)
	released = true
	s.WaitConsolidation()
	run.step()
	if run.merged != 1 {
		t.Fatal("the checkpoint after the consolidation did not list its result")
	}
	for i := 0; i < 20; i++ {
		run.step()
		checkRetained(t, s, run.want, run.id)
	}
}

// TestConsolidationCrash: a crash while a consolidation writes (the
// directory copied at its failpoint, as a killed process leaves it)
// restores the previous chain exactly; the partial merged segment is
// never read and retention deletes it.
func TestConsolidationCrash(t *testing.T) {
	dir := t.TempDir()
	crashed := filepath.Join(t.TempDir(), "state")
	var run *consRun
	copied := make(chan error, 1)
	done := false
	s, err := Open(dir, Options{NumRetained: 2, Incremental: true, Hook: func(step string) {
		if step == "consolidate" && len(copied) == 0 && !done {
			done = true
			copied <- os.CopyFS(crashed, os.DirFS(dir))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	run = newConsRun(t, s)
	for len(copied) == 0 {
		run.step()
		s.WaitConsolidation()
		if run.id > 40 {
			t.Fatal("no consolidation started")
		}
	}
	if err := <-copied; err != nil {
		t.Fatal(err)
	}
	crashID := run.id
	s.Close()
	os.Remove(filepath.Join(crashed, "lock")) // the dead process's lock file (no lock held)

	s, err = Open(crashed, Options{NumRetained: 2, Incremental: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	segs, _ := s.segments(1 << 62)
	partial := false
	for _, sk := range segs {
		partial = partial || sk.merged
	}
	if !partial {
		t.Fatal("the copy holds no partial merged segment: the failpoint is not mid-consolidation")
	}
	c, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if c.Manifest.ID != crashID {
		t.Fatalf("restored checkpoint %d, want %d", c.Manifest.ID, crashID)
	}
	checkRetained(t, s, run.want, crashID)
	// the job goes on from the restored state (a full checkpoint first)
	run.s = s
	for i := 0; i < 30; i++ {
		run.step()
		s.WaitConsolidation()
		checkRetained(t, s, run.want, run.id)
	}
	segs, _ = s.segments(1 << 62)
	for _, sk := range segs {
		if sk.merged && sk.id <= crashID {
			t.Errorf("the partial merged segment of checkpoint %d (%s) was kept", sk.id, sk.uid)
		}
	}
}
