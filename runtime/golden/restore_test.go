package golden

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
)

// Golden restore equivalence: every golden case (error cases aside) runs
// again with a checkpoint every K records, is stopped abruptly after some
// record (a simulated crash: no final checkpoint, no flush, and the rows
// its sinks received after the last completed checkpoint are lost, as a
// real crash loses uncommitted output), is restored from its state
// directory and run on (crashing again in the chained scenarios), and
// must end with exactly the golden rows and counters.

// runWithCrashes runs c with a checkpoint every `every` records, crashing
// after crashes[i] records of run i, restoring each time, and finally
// running to the end.
//
// pars, when not empty, is the parallelism of each run (the last entry
// for runs beyond it): a restore at another parallelism than the crashed
// run's is a rescaling.
func (c *Case) runWithCrashes(ctx context.Context, dir string, batch int, every int64, crashes []int64, pars ...int) (*Result, int, error) {
	res := &Result{Outputs: map[string][]string{}, Keys: map[string][]string{}, Counters: map[string]int64{}}
	captures := map[string]*capture{}
	restores := 0
	for run := 0; run <= len(crashes); run++ {
		if len(pars) > 0 {
			c.parallelism = pars[min(run, len(pars)-1)]
		}
		job, err := c.plan()
		if err != nil {
			return nil, 0, err
		}
		overrides := c.inputOverrides()
		captureSinks(job, overrides, captures)
		var stderr bytes.Buffer
		opts := runtime.Options{Connectors: overrides, Stdout: &bytes.Buffer{}, Stderr: &stderr, BatchSize: batch,
			StateDir: dir, CheckpointEveryRecords: every}
		if run < len(crashes) {
			opts.CrashAfterRecords = crashes[run]
		}
		rj, err := runtime.Build(job.Graph, opts)
		if err != nil {
			return nil, 0, err
		}
		err = rj.Run(ctx)
		if bytes.Contains(stderr.Bytes(), []byte("restored checkpoint")) {
			restores++
		}
		if errors.Is(err, runtime.ErrSimulatedCrash) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("run %d: %w (stderr: %s)", run, err, stderr.String())
		}
		if bytes.Contains(stderr.Bytes(), []byte("falling back")) || bytes.Contains(stderr.Bytes(), []byte("not restored")) ||
			bytes.Contains(stderr.Bytes(), []byte("cannot resume")) {
			return nil, 0, fmt.Errorf("run %d: unexpected warning: %s", run, stderr.String())
		}
		s := rj.Summary()
		res.Counters["late_records_dropped"] = s.LateRecordsDropped
		res.Counters["records_skipped"] = s.RecordsSkipped
		break
	}
	for t, cp := range captures {
		res.Outputs[t], res.Keys[t] = cp.committedRows()
	}
	return res, restores, nil
}

// sortedResult sorts each output so that outputs compare as multisets (a
// restored run may emit the rows of one watermark in another order only
// if the engine changed; the multiset is what must hold). The tables of
// c's changelog and final sections keep their order (those sections
// compare per key).
func sortedResult(r *Result, c *Case) *Result {
	out := &Result{Outputs: map[string][]string{}, Keys: r.Keys, Counters: r.Counters, Error: r.Error}
	for t, l := range r.Outputs {
		s := slices.Clone(l)
		_, cl := c.Changelogs[t]
		_, fin := c.Finals[t]
		if !cl && !fin {
			slices.Sort(s)
		}
		out.Outputs[t] = s
	}
	return out
}

// expected is what c expects, its outputs sorted (sortedResult).
func (c *Case) expected() *Case {
	want := sortedResult(&Result{Outputs: c.Outputs}, c)
	return &Case{Outputs: want.Outputs, Changelogs: c.Changelogs, Finals: c.Finals, Counters: c.Counters, hasCounters: c.hasCounters, Error: c.Error, hasError: c.hasError}
}

// stateDir is a fresh directory, on tmpfs when the machine has one
// (Badger's open, sync and close cost ten times less there).
func stateDir(t *testing.T) string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "streamsql-restore-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

func TestGoldenRestoreEquivalence(t *testing.T) {
	testRestoreEquivalence(t, 1)
}

// TestGoldenRestoreEquivalenceParallel is the same at parallelism 2 and
// 4: checkpoints taken with aligned barriers, restored at the same
// parallelism.
func TestGoldenRestoreEquivalenceParallel(t *testing.T) {
	pars := []int{2, 4}
	if raceEnabled {
		pars = pars[:1]
	}
	for _, p := range pars {
		t.Run(fmt.Sprintf("p=%d", p), func(t *testing.T) { testRestoreEquivalence(t, p) })
	}
}

func testRestoreEquivalence(t *testing.T, par int) {
	files, err := Files(filepath.Join("..", "..", "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, f := range files {
		c, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if c.hasError {
			continue // error cases fail before or while running: nothing to restore
		}
		total := 0
		for _, in := range c.Inputs {
			total += len(in.Records)
		}
		if total < 2 {
			continue
		}
		ran++
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			// The golden run's own batch size keeps multi-source
			// interleavings (round-robin per poll) as recorded; batch 1
			// gives one poll per record, so checkpoints fall anywhere.
			batch := 1
			if len(c.Inputs) > 1 {
				batch = 0
			}
			n := int64(total)
			ks := []int64{1, 3, 7}
			if raceEnabled && par > 1 {
				ks = []int64{3}
			}
			for _, k := range ks {
				scenarios := [][]int64{{n / 2}, {n - 1}, {k + 1}, {n / 3, n / 3}}
				if n > 4 {
					scenarios = append(scenarios, []int64{1, 2, 1, n / 2})
				}
				for _, crashes := range scenarios {
					if slices.Contains(crashes, 0) {
						continue
					}
					dir := stateDir(t)
					got, restores, err := c.runWithCrashes(ctx, dir, batch, k, crashes, par)
					if err != nil {
						t.Fatalf("K=%d crashes=%v: %v", k, crashes, err)
					}
					if k < n && crashes[0] > k && restores == 0 && batch == 1 {
						t.Errorf("K=%d crashes=%v: no run restored a checkpoint", k, crashes)
					}
					exp := c.expected()
					exp.Error, exp.hasError = "", false
					if d := exp.Diff(sortedResult(got, c)); d != "" {
						t.Errorf("K=%d crashes=%v (restores %d):\n%s", k, crashes, restores, d)
					}
				}
			}
		})
	}
	if ran < 20 {
		t.Fatalf("only %d golden cases ran with restores", ran)
	}
}

// TestGoldenRescale crashes every case at parallelism 4 and restores it at
// 2, 1 and 8 (and crashes at 2, restores at 4): key groups are handed to
// the new subtasks by range, and the result is the golden one, that of a
// run that never stopped.
func TestGoldenRescale(t *testing.T) {
	files, err := Files(filepath.Join("..", "..", "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		c, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, in := range c.Inputs {
			total += len(in.Records)
		}
		if c.hasError || total < 4 || len(c.Inputs) > 1 {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			n := int64(total)
			scenarios := [][]int{{4, 2}, {4, 1}, {4, 8}, {2, 4}, {4, 2, 1}}
			if raceEnabled {
				scenarios = scenarios[:1]
			}
			for _, pars := range scenarios {
				crashes := []int64{n / 2}
				if len(pars) > 2 {
					crashes = []int64{n / 3, n / 3}
				}
				dir := stateDir(t)
				cc := *c
				got, restores, err := cc.runWithCrashes(ctx, dir, 1, 1, crashes, pars...)
				if err != nil {
					t.Fatalf("parallelism %v: %v", pars, err)
				}
				if restores == 0 {
					t.Errorf("parallelism %v: no run restored a checkpoint", pars)
				}
				exp := c.expected()
				exp.Error, exp.hasError = "", false
				if d := exp.Diff(sortedResult(got, c)); d != "" {
					t.Errorf("parallelism %v (restores %d):\n%s", pars, restores, d)
				}
			}
		})
	}
}
