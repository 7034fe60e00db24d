package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/state"
)

// A checkpoint that cannot be written for lack of disk space fails as an
// error naming the checkpoint (Badger used to fault on its mapped log and
// kill the process with SIGBUS); execution.checkpointing.tolerable-failed-checkpoints
// decides whether the job goes on; a failed checkpoint never counts.

// lowSpace reports 2 MiB free (enough to open the store, far below what a
// checkpoint needs) for the probes numbered in low (1 = the open), and
// plenty otherwise.
func lowSpace(low ...int64) func(string) (int64, error) {
	var n atomic.Int64
	return func(string) (int64, error) {
		if slices.Contains(low, n.Add(1)) {
			return 2 << 20, nil
		}
		return 1 << 40, nil
	}
}

func withTolerance(t *testing.T, f *fileJob, n string, opts runtime.Options) *runtime.Job {
	t.Helper()
	if n == "" {
		return f.build(t, "10", opts)
	}
	return f.build(t, "10", opts, "SET 'execution.checkpointing.tolerable-failed-checkpoints' = '"+n+"';\n")
}

func TestCheckpointFullDiskFailsTheJob(t *testing.T) {
	defer runtime.SetStateFreeSpace(lowSpace(2, 3, 4, 5, 6, 7, 8, 9, 10))()
	f := newFileJob(t)
	rj := withTolerance(t, f, "", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 100, BatchSize: 16})
	err := rj.Run(context.Background())
	if err == nil || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "checkpoint 1 failed: no space left on device") ||
		!strings.Contains(err.Error(), "tolerable-failed-checkpoints") {
		t.Fatalf("want checkpoint 1 to fail for lack of space and stop the job, got %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(f.state, "checkpoints")); len(ents) != 0 {
		t.Errorf("a failed checkpoint left %d files in checkpoints/", len(ents))
	}
}

func TestCheckpointFailuresTolerated(t *testing.T) {
	ref := newFileJob(t)
	if err := withTolerance(t, ref, "", runtime.Options{BatchSize: 16}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := read(t, ref.out)

	// checkpoints 1 and 2 fail (probes 2 and 3), then there is room again
	defer runtime.SetStateFreeSpace(lowSpace(2, 3))()
	f := newFileJob(t)
	var stderr bytes.Buffer
	rj := withTolerance(t, f, "2", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 100, BatchSize: 16, Stderr: &stderr})
	if err := rj.Run(context.Background()); err != nil {
		t.Fatalf("two tolerated failures stopped the job: %v", err)
	}
	if got := strings.Count(stderr.String(), "no space left on device"); got != 2 || !strings.Contains(stderr.String(), "tolerated: 2 of 2") {
		t.Errorf("want two warnings about tolerated failures, stderr:\n%s", stderr.String())
	}
	got := read(t, f.out)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("output with failed checkpoints differs: %d rows, want %d", len(got), len(want))
	}
	ents, _ := os.ReadDir(filepath.Join(f.state, "checkpoints"))
	for _, e := range ents {
		if e.Name() == "chk-0000000001" || e.Name() == "chk-0000000002" {
			t.Errorf("failed checkpoint %s has a manifest", e.Name())
		}
	}
	if len(ents) == 0 {
		t.Error("no checkpoint completed after the disk had room again")
	}

	// one tolerated, two consecutive are not
	defer runtime.SetStateFreeSpace(lowSpace(2, 3))()
	f = newFileJob(t)
	err := withTolerance(t, f, "1", runtime.Options{StateDir: f.state, CheckpointEveryRecords: 100, BatchSize: 16}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "checkpoint 2 failed") || !strings.Contains(err.Error(), "2 consecutive checkpoint failures") {
		t.Fatalf("want the second consecutive failure to stop the job, got %v", err)
	}
}

// Spilling window state onto a full disk fails the job with an error
// naming the spill directory and what to change, and removes the spill
// table at once (it used to be left behind, keeping the disk full).
func TestSpillOnFullDiskFailsCleanly(t *testing.T) {
	state.SpillFreeSpace = func(string) (int64, error) { return 2 << 20, nil }
	defer func() { state.SpillFreeSpace = nil }()
	f := newFileJob(t)
	tmp := t.TempDir()
	rj := f.build(t, "10", runtime.Options{BatchSize: 16},
		"SET 'state.backend.memory-limit' = '1 kb';\n", "SET 'io.tmp.dirs' = '"+tmp+"';\n")
	err := rj.Run(context.Background())
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "spill: no space left on device in "+tmp) ||
		!strings.Contains(err.Error(), "io.tmp.dirs") {
		t.Fatalf("want the job to fail with a spill ENOSPC naming %s, got %v", tmp, err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("the spill table was left behind in %s: %v", tmp, ents)
	}
}
