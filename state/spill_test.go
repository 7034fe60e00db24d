package state

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestSpillTable(t *testing.T) {
	base := t.TempDir()
	// a leftover of a process that cannot exist (pid above the kernel's maximum)
	dead := filepath.Join(base, spillPrefix+"999999999-x")
	if err := os.MkdirAll(dead, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSpillTemp(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("leftover of a dead process not removed: %v", err)
	}
	for w := 0; w < 3; w++ {
		for i := 0; i < 500; i++ {
			if err := s.Put([]byte(fmt.Sprintf("w%d/%04d", w, i)), []byte(fmt.Sprint(w*1000+i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, found, _ := s.Get([]byte("w1/0007"), nil); found {
		t.Error("a Put is visible before Flush")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	v, found, err := s.Get([]byte("w1/0007"), nil)
	if err != nil || !found || string(v) != "1007" {
		t.Errorf("Get = %q, %v, %v; want 1007", v, found, err)
	}
	if _, found, _ := s.Get([]byte("w1/0500"), nil); found {
		t.Error("Get found a key never put")
	}
	n, prev := 0, ""
	err = s.Scan([]byte("w1/"), func(k, v []byte) error {
		if string(k) <= prev {
			t.Errorf("scan out of order: %q after %q", k, prev)
		}
		prev = string(k)
		n++
		return nil
	})
	if err != nil || n != 500 {
		t.Errorf("scan of w1: %d entries, %v; want 500", n, err)
	}
	if err := s.DeletePrefix([]byte("w0/")); err != nil {
		t.Fatal(err)
	}
	if err := s.DropPrefix([]byte("w1/")); err != nil {
		t.Fatal(err)
	}
	count := func(p string) int {
		c := 0
		if err := s.Scan([]byte(p), func(_, _ []byte) error { c++; return nil }); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if a, b, c := count("w0/"), count("w1/"), count("w2/"); a != 0 || b != 0 || c != 500 {
		t.Errorf("after deleting w0 and dropping w1: %d, %d, %d entries; want 0, 0, 500", a, b, c)
	}
	dir := s.Dir()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("spill directory left after Close: %v", err)
	}
}
