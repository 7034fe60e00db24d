package state

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A second opener of a state directory is told which process holds it,
// not advised to delete the directory (Badger's lock error did).
func TestSecondOpenNamesTheHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, _ := open(t, dir, 0)
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "PID "+strconv.Itoa(os.Getpid())) ||
		strings.Contains(err.Error(), "losing the state") || !strings.Contains(err.Error(), "--state-dir") {
		t.Fatalf("want an error naming this process as the holder, got %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, Options{}) // free again once closed
	if err != nil {
		t.Fatalf("reopening after Close: %v", err)
	}
	s2.Close()
}

// State may hold user data: directories 0700, files 0600, whatever the
// umask lets through.
func TestStateFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "parent", "state")
	s, _ := open(t, dir, 0)
	write(t, s, 1, map[string][]entry{"a": {{"k", "v"}}})
	check := func(when string) {
		t.Helper()
		n := 0
		filepath.WalkDir(filepath.Dir(dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			info, _ := d.Info()
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			}
			if info.Mode().Perm() != want {
				t.Errorf("%s: %s has mode %v, want %v", when, p, info.Mode().Perm(), want)
			}
			n++
			return nil
		})
		if n < 6 {
			t.Errorf("%s: only %d entries checked", when, n)
		}
	}
	check("open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}
