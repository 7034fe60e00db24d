package golden

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestGoldenParallel runs every golden case again at parallelism 2 and 4:
// the same rows (compared sorted: subtasks interleave their output), the
// same late and skipped counters and the same errors as the golden file,
// which the engine produces at parallelism 1 (TestGolden).
func TestGoldenParallel(t *testing.T) {
	files, err := Files(filepath.Join("..", "..", "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	// cases whose keyed operators ran as p subtasks (the others have no
	// keyed operator, or only keyless ones, which run as one subtask)
	parallel := map[int]int{}
	for _, p := range []int{2, 4} {
		for _, f := range files {
			c, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			c.parallelism = p
			t.Run(filepath.Base(f)+"/p="+string(rune('0'+p)), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				r := c.Run(ctx)
				if r.Subtasks > p {
					parallel[p]++
				}
				if d := c.expected().Diff(sortedResult(r, c)); d != "" {
					t.Errorf("%s at parallelism %d:\n%s", f, p, d)
				}
			})
		}
	}
	for _, p := range []int{2, 4} {
		if parallel[p] < 25 {
			t.Errorf("only %d golden cases ran in parallel at parallelism %d", parallel[p], p)
		}
	}
}

// TestParallelDeterminism runs every case with one record per poll (so
// watermarks, positions and barriers fall between any two records) at
// parallelism 1, 2 and 4: the rows (sorted), counters and errors must be
// the same at every parallelism.
func TestParallelDeterminism(t *testing.T) {
	files, err := Files(filepath.Join("..", "..", "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			var want *Result
			for _, p := range []int{1, 2, 4} {
				c, err := Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				c.parallelism, c.batch = p, 1
				got := sortedResult(c.Run(ctx), c)
				if want == nil {
					want = got
					continue
				}
				exp := &Case{Outputs: want.Outputs, Changelogs: map[string][]string{}, Finals: map[string][]string{},
					Counters: want.Counters, hasCounters: true, Error: want.Error, hasError: want.Error != ""}
				for t := range c.Changelogs {
					exp.Changelogs[t] = want.Outputs[t]
				}
				for t := range c.Finals {
					exp.Finals[t] = FinalTable(want.Outputs[t], want.Keys[t])
				}
				if d := exp.Diff(got); d != "" {
					t.Errorf("parallelism %d differs from parallelism 1 (batch size 1):\n%s", p, d)
				}
			}
		})
	}
}
