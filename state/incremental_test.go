package state

import (
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// model is an operator's state as a test tracks it: table 1, key -> value.
type model map[string]string

// incWrite writes checkpoint id of operators "a" and "b": as changes
// when the store allows it (changed lists the keys touched since the
// previous checkpoint), in full otherwise. It reports whether "a" was
// written as changes.
func incWrite(t *testing.T, s *Store, id int64, state map[string]model, changed map[string]map[string]bool) bool {
	t.Helper()
	w, err := s.NewCheckpoint(id)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Time: time.Unix(1700000000, 0).UTC(), Job: "test"}
	delta := false
	for _, uid := range []string{"a", "b"} {
		ow := w.Operator(uid)
		st := state[uid]
		if ow.CanDelta() {
			if err := ow.StartDelta(); err != nil {
				t.Fatal(err)
			}
			delta = delta || uid == "a"
			for _, k := range slices.Sorted(maps.Keys(changed[uid])) {
				if v, ok := st[k]; ok {
					err = ow.Put(1, []byte(k), []byte(v))
				} else {
					err = ow.Delete(1, []byte(k), nil)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		} else {
			for _, k := range slices.Sorted(maps.Keys(st)) {
				if err := ow.Put(1, []byte(k), []byte(st[k])); err != nil {
					t.Fatal(err)
				}
			}
		}
		m.Operators = append(m.Operators, OperatorState{UID: uid, Name: "op " + uid})
	}
	if err := w.Commit(m); err != nil {
		t.Fatal(err)
	}
	return delta
}

func readModel(t *testing.T, c *Checkpoint, uid string) model {
	t.Helper()
	got := model{}
	prev := ""
	first := true
	err := c.Operator(uid).Scan(1, func(k, v []byte) error {
		if !first && string(k) <= prev {
			t.Errorf("checkpoint %d: keys out of order: %q after %q", c.Manifest.ID, k, prev)
		}
		first, prev = false, string(k)
		got[string(k)] = string(v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// mutate changes about frac of the keys of st (updates, deletions, new
// keys) and records them in changed.
func mutate(r *rand.Rand, st model, changed map[string]bool, n int, round int) {
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("k%03d", r.Intn(200))
		switch r.Intn(3) {
		case 0:
			delete(st, k)
		default:
			st[k] = fmt.Sprintf("v%d-%d", round, i)
		}
		changed[k] = true
	}
}

// TestIncrementalChainRestore writes a chain of incremental checkpoints
// (with restarts between some, which start a new full one) and restores
// every retained one: each must give exactly the state the model had at
// that checkpoint (an independent map, not read back from the store).
func TestIncrementalChainRestore(t *testing.T) {
	dir := t.TempDir()
	open := func() *Store {
		s, err := Open(dir, Options{NumRetained: 3, Incremental: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	r := rand.New(rand.NewSource(7))
	state := map[string]model{"a": {}, "b": {}}
	want := map[int64]map[string]model{}
	deltas := 0
	for id := int64(1); id <= 20; id++ {
		changed := map[string]map[string]bool{"a": {}, "b": {}}
		for _, uid := range []string{"a", "b"} {
			mutate(r, state[uid], changed[uid], 15, int(id))
		}
		if incWrite(t, s, id, state, changed) {
			deltas++
		}
		want[id] = map[string]model{"a": maps.Clone(state["a"]), "b": maps.Clone(state["b"])}
		if id%7 == 0 { // a restart: the next checkpoint is full
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = open()
		}
		checkRetained(t, s, want, id)
	}
	if deltas < 12 {
		t.Fatalf("only %d of 20 checkpoints were incremental", deltas)
	}
	defer s.Close()
	// retention: every segment left is listed by a retained manifest, and
	// every segment a retained manifest lists is there (Load verified it)
	ids, _ := s.IDs()
	if len(ids) != 3 {
		t.Fatalf("retained %v, want 3", ids)
	}
	refs := map[segKey]bool{}
	for _, id := range ids {
		m, err := ReadManifest(s.manifestPath(id))
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.Operators {
			for _, seg := range m.Operators[i].Chain(id) {
				refs[segKey{seg.ID, m.Operators[i].UID, seg.Merged}] = true
			}
		}
	}
	segs, err := s.segments(1 << 62)
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, sk := range segs {
		if !refs[sk] {
			t.Errorf("segment of checkpoint %d, operator %s, is referenced by no retained checkpoint but was kept", sk.id, sk.uid)
		}
		if sk.id < ids[0] {
			shared++
		}
	}
	if shared == 0 {
		t.Errorf("no segment older than the oldest retained checkpoint %d is shared: %v", ids[0], segs)
	}
}

// TestIncrementalFailedCheckpoint: after a checkpoint that fails (its
// operators may have forgotten their changes) the next is full, and the
// failed attempt's entries are never read and are removed by retention.
func TestIncrementalFailedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{NumRetained: 1, Incremental: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := map[string]model{"a": {"x": "1", "y": "2"}, "b": {}}
	incWrite(t, s, 1, st, nil)
	w, err := s.NewCheckpoint(2)
	if err != nil {
		t.Fatal(err)
	}
	ow := w.Operator("a")
	if !ow.CanDelta() {
		t.Fatal("checkpoint 2 could not be incremental")
	}
	ow.StartDelta()
	ow.Put(1, []byte("x"), []byte("failed"))
	ow.Delete(1, []byte("y"), nil)
	w.Abort()
	w, err = s.NewCheckpoint(3)
	if err != nil {
		t.Fatal(err)
	}
	if w.Operator("a").CanDelta() {
		t.Fatal("after a failed checkpoint the next may be incremental: the operators' forgotten changes would be lost")
	}
	w.Abort()
	st["a"]["z"] = "3"
	if incWrite(t, s, 4, st, map[string]map[string]bool{"a": {"z": true}}) {
		t.Fatal("checkpoint 4 was incremental after a failure")
	}
	c, err := s.LoadID(4)
	if err != nil {
		t.Fatal(err)
	}
	if got := readModel(t, c, "a"); !maps.Equal(got, st["a"]) {
		t.Fatalf("got %v, want %v", got, st["a"])
	}
	segs, _ := s.segments(1 << 62)
	for _, sk := range segs {
		if sk.id != 4 {
			t.Errorf("segment of checkpoint %d (%s) kept with only checkpoint 4 retained", sk.id, sk.uid)
		}
	}
}

// TestManifestVersions: a v1 manifest (written before incremental
// checkpoints) restores; a version this build does not know is refused
// naming it.
func TestManifestVersions(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 2)
	defer s.Close()
	write(t, s, 1, map[string][]entry{"u": {{"k1", "v1"}, {"k2", "v2"}}})
	path := s.manifestPath(1)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v1 := strings.Replace(string(data), " v2 ", " v1 ", 1)
	// v1 knew neither Bytes nor the segment fields
	if err := os.WriteFile(path, []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := s.LoadID(1)
	if err != nil {
		t.Fatalf("a v1 checkpoint does not restore: %v", err)
	}
	if got := scan(t, c, "u", 1); len(got) != 2 || got[1].v != "v2" {
		t.Fatalf("v1 checkpoint restored %v", got)
	}
	v4 := strings.Replace(string(data), " v2 ", " v4 ", 1)
	os.WriteFile(path, []byte(v4), 0o600)
	_, err = s.LoadID(1)
	if err == nil || !strings.Contains(err.Error(), "manifest version v4 is not supported") || !strings.Contains(err.Error(), filepath.Base(path)) {
		t.Fatalf("v4 manifest: %v", err)
	}
}
