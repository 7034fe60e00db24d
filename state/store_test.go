package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// orderedKey is the runtime's window-end encoding (sign bit flipped,
// big-endian), written out here independently.
func orderedKey(v int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(v)^(1<<63))
}

type entry struct{ k, v string }

func open(t *testing.T, dir string, retained int) (*Store, *bytes.Buffer) {
	t.Helper()
	var warn bytes.Buffer
	s, err := Open(dir, Options{NumRetained: retained, Warn: &warn})
	if err != nil {
		t.Fatal(err)
	}
	return s, &warn
}

// write commits checkpoint id with the given entries per uid and table 1.
func write(t *testing.T, s *Store, id int64, ops map[string][]entry) *Manifest {
	t.Helper()
	w, err := s.NewCheckpoint(id)
	if err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Time: time.Unix(1700000000, 0).UTC(), Job: "test", NextSource: 1}
	for uid, es := range ops {
		ow := w.Operator(uid)
		for _, e := range es {
			if err := ow.Put(1, []byte(e.k), []byte(e.v)); err != nil {
				t.Fatal(err)
			}
		}
		m.Operators = append(m.Operators, OperatorState{UID: uid, Name: "op " + uid, Layout: "L", Watermarks: []int64{5, 7}, Watermark: 5,
			Splits: []SplitPosition{{Split: 0, Name: "a.json", Offset: 120, Line: 4}}, Sink: []byte("tok")})
	}
	if err := w.Commit(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func scan(t *testing.T, c *Checkpoint, uid string, table uint8) []entry {
	t.Helper()
	var got []entry
	err := c.Operator(uid).Scan(table, func(k, v []byte) error {
		got = append(got, entry{string(k), string(v)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestTablesAndRangeScanOrder(t *testing.T) {
	s, _ := open(t, t.TempDir(), 2)
	defer s.Close()
	// Window ends written out of order, negative ones included: the scan
	// must return them in numeric order.
	ends := []int64{3000, -5000, 1000, 0, -1, 1 << 40}
	var es []entry
	for _, e := range ends {
		es = append(es, entry{string(orderedKey(e)), fmt.Sprint(e)})
	}
	write(t, s, 1, map[string][]entry{"aa": es, "ab": {{"x", "other operator"}}})
	c, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	got := scan(t, c, "aa", 1)
	want := []string{"-5000", "-1", "0", "1000", "3000", "1099511627776"}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].v != want[i] {
			t.Errorf("entry %d: got %s, want %s", i, got[i].v, want[i])
		}
	}
	// operators and tables are separate ranges
	if g := scan(t, c, "ab", 1); len(g) != 1 || g[0].v != "other operator" {
		t.Errorf("operator ab: %v", g)
	}
	if g := scan(t, c, "aa", 0); len(g) != 0 {
		t.Errorf("table 0 of aa should be empty, got %v", g)
	}
	if g := scan(t, c, "a", 1); len(g) != 0 {
		t.Errorf("uid a is a prefix of aa but a different operator, got %v", g)
	}
}

func TestManifestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 2)
	want := write(t, s, 7, map[string][]entry{"u1": {{"k", "v"}}})
	s.Close()
	s, _ = open(t, dir, 2)
	defer s.Close()
	c, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Manifest
	if m.ID != 7 || !m.Complete || m.Job != "test" || m.NextSource != 1 || !m.Time.Equal(want.Time) {
		t.Fatalf("manifest header: %+v", m)
	}
	op := m.Operator("u1")
	if op == nil || op.Entries != 1 || op.Layout != "L" || op.Watermark != 5 || len(op.Watermarks) != 2 || op.Watermarks[1] != 7 ||
		len(op.Splits) != 1 || op.Splits[0].Offset != 120 || op.Splits[0].Name != "a.json" || string(op.Sink) != "tok" {
		t.Fatalf("operator state: %+v", op)
	}
	if next, _ := s.NextID(); next != 8 {
		t.Errorf("NextID = %d, want 8", next)
	}
}

func TestRetention(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 2)
	defer s.Close()
	for id := int64(1); id <= 4; id++ {
		write(t, s, id, map[string][]entry{"u": {{"k", fmt.Sprint(id)}}})
	}
	ids, _ := s.IDs()
	if fmt.Sprint(ids) != "[3 4]" {
		t.Fatalf("retained %v, want [3 4]", ids)
	}
	// entries of dropped checkpoints are gone too
	n := 0
	for id := int64(1); id <= 2; id++ {
		c := &Checkpoint{s: s, Manifest: &Manifest{ID: id}}
		cnt, _, err := c.verify(Segment{ID: id}, "u")
		if err != nil {
			t.Fatal(err)
		}
		n += int(cnt)
	}
	if n != 0 {
		t.Errorf("%d entries of dropped checkpoints remain", n)
	}
}

func TestMissingManifestFallsBack(t *testing.T) {
	dir := t.TempDir()
	s, warn := open(t, dir, 3)
	defer s.Close()
	write(t, s, 1, map[string][]entry{"u": {{"k", "one"}}})
	write(t, s, 2, map[string][]entry{"u": {{"k", "two"}}})
	if err := os.Remove(filepath.Join(dir, "checkpoints", ManifestName(2))); err != nil {
		t.Fatal(err)
	}
	c, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if c.Manifest.ID != 1 || scan(t, c, "u", 1)[0].v != "one" {
		t.Fatalf("restored checkpoint %d", c.Manifest.ID)
	}
	// ids never repeat: entries of checkpoint 2 are still there
	if next, _ := s.NextID(); next != 3 {
		t.Errorf("NextID = %d, want 3", next)
	}
	_ = warn
}

func TestDamagedManifestFallsBack(t *testing.T) {
	for name, damage := range map[string]func([]byte) []byte{
		"flipped byte": func(b []byte) []byte { b[len(b)/2] ^= 0x20; return b },
		"truncated":    func(b []byte) []byte { return b[:len(b)/2] },
		"empty":        func([]byte) []byte { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s, warn := open(t, dir, 3)
			defer s.Close()
			write(t, s, 1, map[string][]entry{"u": {{"k", "one"}}})
			write(t, s, 2, map[string][]entry{"u": {{"k", "two"}}})
			p := filepath.Join(dir, "checkpoints", ManifestName(2))
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := s.Latest()
			if err != nil {
				t.Fatal(err)
			}
			if c.Manifest.ID != 1 {
				t.Fatalf("restored checkpoint %d, want 1", c.Manifest.ID)
			}
			if !strings.Contains(warn.String(), "falling back to checkpoint 1") || !strings.Contains(warn.String(), "chk-0000000002") {
				t.Errorf("warning does not say what happened: %q", warn.String())
			}
		})
	}
}

func TestMissingEntriesDetected(t *testing.T) {
	dir := t.TempDir()
	s, warn := open(t, dir, 3)
	defer s.Close()
	write(t, s, 1, map[string][]entry{"u": {{"k", "one"}}})
	write(t, s, 2, map[string][]entry{"u": {{"k1", "two"}, {"k2", "two"}}})
	// lose one entry of checkpoint 2, as a partly written WriteBatch would
	key := entryPrefix(nil, 2, "u", 1)
	from := append(append([]byte(nil), key...), "k2"...)
	to := append(append([]byte(nil), key...), "k3"...)
	if err := s.deleteRange(from, to); err != nil {
		t.Fatal(err)
	}
	c, err := s.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if c.Manifest.ID != 1 {
		t.Fatalf("restored checkpoint %d, want 1", c.Manifest.ID)
	}
	if !strings.Contains(warn.String(), "has 1 entries") {
		t.Errorf("warning: %q", warn.String())
	}
}

func TestNoUsableCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 3)
	defer s.Close()
	if _, err := s.Latest(); !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("empty directory: %v", err)
	}
	write(t, s, 1, map[string][]entry{"u": {{"k", "one"}}})
	p := filepath.Join(dir, "checkpoints", ManifestName(1))
	if err := os.WriteFile(p, []byte("garbage\n{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := s.Latest()
	if err == nil || errors.Is(err, ErrNoCheckpoint) || !strings.Contains(err.Error(), "no usable checkpoint") || !errors.Is(err, ErrDamaged) {
		t.Fatalf("want a clear error, got %v", err)
	}
}

// Damaging Badger's own files: whatever happens (open fails, a read
// fails its checksum, entries go missing) the result is an error or an
// older checkpoint whose entries verify, never different data.
func TestDamagedDatabaseFiles(t *testing.T) {
	for _, tc := range []struct {
		mode string
		at   float64
	}{{"flip", 0.05}, {"flip", 0.33}, {"flip", 0.5}, {"flip", 0.8}, {"flip", 0.97}, {"flip", 0.999}, {"truncate", 0.33}, {"truncate", 0.9}, {"truncate", 0.999}} {
		mode := tc.mode
		t.Run(fmt.Sprintf("%s@%.3f", mode, tc.at), func(t *testing.T) {
			dir := t.TempDir()
			s, _ := open(t, dir, 3)
			es := make([]entry, 200)
			for i := range es {
				es[i] = entry{fmt.Sprintf("key%04d", i), strings.Repeat("v", 50) + fmt.Sprint(i)}
			}
			write(t, s, 1, map[string][]entry{"u": es})
			s.Close()
			files, _ := filepath.Glob(filepath.Join(dir, "db", "*"))
			damaged := 0
			for _, f := range files {
				st, err := os.Stat(f)
				if err != nil || st.Size() < 64 || !(strings.HasSuffix(f, ".mem") || strings.HasSuffix(f, ".sst")) {
					continue
				}
				b, _ := os.ReadFile(f)
				// damage the middle of the file (blocks are compressed:
				// the values are not there in clear)
				i := int(float64(len(b)) * tc.at)
				if mode == "flip" {
					b[i] ^= 0x01
				} else {
					b = b[:i]
				}
				os.WriteFile(f, b, 0o644)
				damaged++
			}
			if damaged == 0 {
				var names []string
				for _, f := range files {
					st, _ := os.Stat(f)
					names = append(names, fmt.Sprintf("%s:%d", filepath.Base(f), st.Size()))
				}
				t.Fatalf("found no database file holding the entries: %v", names)
			}
			s2, err := Open(dir, Options{NumRetained: 3})
			if err != nil {
				return // a clear error at open
			}
			defer s2.Close()
			c, err := s2.Latest()
			if err != nil {
				if !strings.Contains(err.Error(), "checkpoint") {
					t.Fatalf("unclear error: %v", err)
				}
				return
			}
			// it verified: then every entry must be exactly as written
			got := scan(t, c, "u", 1)
			if len(got) != len(es) {
				t.Fatalf("verified checkpoint has %d entries, wrote %d", len(got), len(es))
			}
			for i := range es {
				if got[i] != es[i] {
					t.Fatalf("entry %d changed: %q", i, got[i].v)
				}
			}
		})
	}
}

// A process killed between Badger creating a memtable or value log and
// sizing it leaves an empty *.mem or *.vlog file; the store must still
// open, with its checkpoints.
func TestOpenAfterKillLeftEmptyLogs(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 2)
	w, err := s.NewCheckpoint(1)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Operator("op").Put(1, []byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(&Manifest{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"00099.mem", "000099.vlog"} {
		if err := os.WriteFile(filepath.Join(dir, "db", name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, _ = open(t, dir, 2)
	defer s.Close()
	ids, err := s.IDs()
	if err != nil || len(ids) != 1 || ids[0] != 1 {
		t.Fatalf("checkpoints after reopening: %v, %v; want [1]", ids, err)
	}
}
