package state

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// A full disk must surface as an error wrapping ENOSPC, never as Badger
// faulting on a memory-mapped write (SIGBUS, the process dies), and a
// checkpoint that could not be written never counts.

// putMiB writes about n MiB of 1 KiB values as checkpoint id.
func putMiB(s *Store, id int64, n int) error {
	w, err := s.NewCheckpoint(id)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(uint64(id), 1)) // incompressible: Badger compresses tables
	val := make([]byte, 1024)
	ow := w.Operator("op")
	for i := 0; i < n*1024; i++ {
		for j := 0; j+8 <= len(val); j += 8 {
			binary.LittleEndian.PutUint64(val[j:], rnd.Uint64())
		}
		if err := ow.Put(1, []byte(fmt.Sprintf("k%08d", i)), val); err != nil {
			w.Abort()
			return err
		}
	}
	m := &Manifest{Time: time.Unix(1700000000, 0).UTC(), Operators: []OperatorState{{UID: "op", Name: "op"}}}
	return w.Commit(m)
}

func TestCheckpointRefusedWhenSpaceRunsOut(t *testing.T) {
	// plenty of room for 5 probes (open, NewCheckpoint, 3 MiB of puts), then 10 MiB
	var probes atomic.Int64
	free := func(string) (int64, error) {
		if probes.Add(1) > 5 {
			return 10 << 20, nil
		}
		return 1 << 40, nil
	}
	dir := t.TempDir()
	s, err := Open(dir, Options{FreeSpace: free})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := putMiB(s, 1, 2); err != nil {
		t.Fatalf("checkpoint 1 with room: %v", err)
	}
	err = putMiB(s, 2, 8) // the disk fills while it is written
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "10.0 MiB free, checkpoints need at least 64.0 MiB free") {
		t.Fatalf("want ENOSPC naming free and needed space, got %v", err)
	}
	ids, _ := s.IDs()
	if len(ids) != 1 || ids[0] != 1 {
		t.Errorf("checkpoints with a manifest: %v, want [1]", ids)
	}
	c, err := s.Latest()
	if err != nil || c.Manifest.ID != 1 {
		t.Fatalf("latest = %v, %v; want checkpoint 1", c, err)
	}
	// a new checkpoint is refused before it writes anything
	if err := putMiB(s, 3, 1); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("want ENOSPC, got %v", err)
	}
}

func TestOpenRefusedOnFullDisk(t *testing.T) {
	_, err := Open(t.TempDir(), Options{FreeSpace: func(string) (int64, error) { return 4096, nil }})
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "4.0 KiB free") {
		t.Fatalf("want ENOSPC, got %v", err)
	}
}

func TestSpillRefusedWhenSpaceRunsOut(t *testing.T) {
	s, err := OpenSpill(filepath.Join(t.TempDir(), "spill"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.guard.free = func(string) (int64, error) { return 100 << 20, nil }
	val := bytes.Repeat([]byte{'v'}, 1024)
	var perr error
	for i := 0; i < 2048 && perr == nil; i++ {
		perr = s.Put([]byte(fmt.Sprintf("k%08d", i)), val)
	}
	if !errors.Is(perr, syscall.ENOSPC) || !strings.Contains(perr.Error(), "spilling needs at least 128.0 MiB free") ||
		!strings.Contains(perr.Error(), "io.tmp.dirs") {
		t.Fatalf("want ENOSPC naming the spill reserve and io.tmp.dirs, got %v", perr)
	}
	if err := s.Flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Flush on a full disk: want ENOSPC, got %v", err)
	}
}

// mountTmpfs mounts a tmpfs of the given size on a new directory,
// unmounted when the test ends; it skips, saying why, when not root
// (CI runs as root) or when mounting is not allowed.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root (CI runs as root); the simulated full-disk tests cover the logic")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("root but cannot mount a tmpfs (a container without CAP_SYS_ADMIN?): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// The state directory on a real 160 MiB tmpfs: a small checkpoint, then
// one larger than the disk, refused while it is written (the space
// guard's look every megabyte), then the small one is still the latest
// after reopening. Before the guard, Badger faulted on its mapped log
// (SIGBUS) and killed the test binary.
func TestCheckpointFillsRealTmpfs(t *testing.T) {
	dir := filepath.Join(mountTmpfs(t, "160m"), "state")
	s, err := Open(dir, Options{NumRetained: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := putMiB(s, 1, 4); err != nil {
		s.Close()
		t.Fatal(err)
	}
	err = putMiB(s, 2, 150)
	if err == nil {
		s.Close()
	}
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "checkpoints need at least 64.0 MiB free") {
		t.Fatalf("want the checkpoint refused mid-write with ENOSPC, got %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, Options{NumRetained: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Latest()
	if err != nil || c.Manifest.ID != 1 {
		t.Fatalf("after reopening, latest = %v, %v; want checkpoint 1", c, err)
	}
}

func TestSpillOnRealTmpfs(t *testing.T) {
	s, err := OpenSpill(filepath.Join(mountTmpfs(t, "5m"), "spill"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	val := bytes.Repeat([]byte{'v'}, 1024)
	var perr error
	for i := 0; i < 8192 && perr == nil; i++ {
		perr = s.Put([]byte(fmt.Sprintf("k%08d", i)), val)
	}
	if perr == nil {
		perr = s.Flush()
	}
	if !errors.Is(perr, syscall.ENOSPC) {
		t.Fatalf("want ENOSPC, got %v", perr)
	}
}
