package state

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A table file Badger was writing when the process was killed is not in
// its MANIFEST; Badger deletes it on open. It must not make the state
// directory unusable (the crash harness hit this).
func TestOrphanTableFileIgnored(t *testing.T) {
	dir := t.TempDir()
	s, _ := open(t, dir, 2)
	write(t, s, 1, map[string][]entry{"u": {{"a", "1"}}})
	s.Close()
	orphan := filepath.Join(dir, "db", "999999.sst")
	if err := os.WriteFile(orphan, []byte("half a table"), 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("an orphan table file made the store unusable: %v", err)
	}
	defer s2.Close()
	c, err := s2.Latest()
	if err != nil {
		t.Fatal(err)
	}
	if got := scan(t, c, "u", 1); len(got) != 1 || got[0] != (entry{"a", "1"}) {
		t.Fatalf("entries %v", got)
	}
}

// A prepared checkpoint loads by id but is never Latest's choice; once
// marked complete it is, and retention then counts it.
func TestPreparedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	s, warn := open(t, dir, 1)
	defer s.Close()
	write(t, s, 1, map[string][]entry{"u": {{"a", "1"}}})
	w, err := s.NewCheckpoint(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Operator("u").Put(1, []byte("a"), []byte("2")); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(&Manifest{Prepared: true, Operators: []OperatorState{{UID: "u", Name: "op u"}}}); err != nil {
		t.Fatal(err)
	}
	// retention (1 kept) must not have dropped checkpoint 1 for a prepared one
	c, err := s.Latest()
	if err != nil || c.Manifest.ID != 1 {
		t.Fatalf("Latest = %v, %v; want checkpoint 1 (2 is only prepared)", c, err)
	}
	if !strings.Contains(warn.String(), "checkpoint 2 is prepared") {
		t.Errorf("no warning about the prepared checkpoint: %q", warn.String())
	}
	p, err := s.LoadID(2)
	if err != nil || !p.Manifest.Prepared || p.Manifest.Complete {
		t.Fatalf("LoadID(2) = %+v, %v", p, err)
	}
	if got := scan(t, p, "u", 1); len(got) != 1 || got[0].v != "2" {
		t.Fatalf("prepared entries %v", got)
	}
	if err := s.MarkComplete(2); err != nil {
		t.Fatal(err)
	}
	c, err = s.Latest()
	if err != nil || c.Manifest.ID != 2 || !c.Manifest.Complete || c.Manifest.Prepared {
		t.Fatalf("after MarkComplete: %+v, %v", c, err)
	}
	if _, err := s.LoadID(1); err == nil {
		t.Errorf("checkpoint 1 survived retention of 1")
	}
}
