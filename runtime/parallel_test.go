package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

const liveParallelSQL = `SET 'parallelism.default' = '2';
SET 'pipeline.auto-watermark-interval' = '10 ms';
CREATE TABLE ev (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'datagen', 'rows-per-second' = '0', 'streamsql.seed' = '1',
  'fields.k.min' = '0', 'fields.k.max' = '50', 'fields.ts.max-past' = '0');
CREATE TABLE out (k INT, n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' MILLISECOND))
GROUP BY window_start, window_end, k;`

// A live job at parallelism 2 runs as several subtasks, produces rows and
// stops cleanly when cancelled (no hang, no error).
func TestParallelLiveStops(t *testing.T) {
	rj, err := runtest.Build("live.sql", liveParallelSQL, runtime.Options{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if rj.Subtasks() < 3 {
		t.Fatalf("subtasks %d, want the source task and 2 aggregation subtasks at least", rj.Subtasks())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- rj.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return after the context was cancelled")
	}
	s := rj.Summary()
	if s.RecordsRead == 0 || s.RowsWritten == 0 {
		t.Errorf("summary %v: want records read and rows written", s)
	}
}

// A live parallel job takes checkpoints through barriers and a savepoint
// when stopped; the savepoint restores at parallelism 2 and at 1.
func TestParallelLiveSavepointRestores(t *testing.T) {
	dir := t.TempDir()
	src := "SET 'execution.checkpointing.interval' = '30 ms';\n" + liveParallelSQL
	for i, par := range []string{"2", "2", "1"} {
		var stderr strings.Builder
		text := strings.Replace(src, "'parallelism.default' = '2'", "'parallelism.default' = '"+par+"'", 1)
		rj, err := runtest.Build("ck.sql", text, runtime.Options{StateDir: dir, Stdout: &strings.Builder{}, Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
		err = rj.Run(ctx)
		cancel()
		if err != nil {
			t.Fatalf("run %d at parallelism %s: %v\n%s", i, par, err, stderr.String())
		}
		restored := strings.Contains(stderr.String(), "restored checkpoint")
		if restored != (i > 0) {
			t.Errorf("run %d at parallelism %s: restored=%v\n%s", i, par, restored, stderr.String())
		}
		if got := rj.Progress().CheckpointsDone; got == 0 {
			t.Errorf("run %d: no checkpoint completed", i)
		}
	}
}

// The progress view shows a parallel operator's subtasks; their counters
// add up to the operator's, and the job's summary counts every subtask.
func TestParallelProgressSubtasks(t *testing.T) {
	src := strings.Replace(liveParallelSQL, "'rows-per-second' = '0',", "'rows-per-second' = '0', 'number-of-rows' = '3000',", 1)
	rj, err := runtest.Build("p.sql", src, runtime.Options{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, op := range rj.Progress().Operators {
		if op.Name != "WindowAggregate" {
			continue
		}
		found = true
		if len(op.Subtasks) != 2 {
			t.Fatalf("WindowAggregate has %d subtasks, want 2", len(op.Subtasks))
		}
		var in int64
		for _, st := range op.Subtasks {
			if st.RecordsIn == 0 {
				t.Errorf("subtask %d received no rows (keys 0..50 spread over both)", st.Index)
			}
			in += st.RecordsIn
		}
		if in != 3000 || op.RecordsIn != 3000 {
			t.Errorf("subtasks received %d rows, operator %d, want 3000", in, op.RecordsIn)
		}
	}
	if !found {
		t.Fatal("no WindowAggregate in the progress view")
	}
	if s := rj.Summary(); s.RecordsRead != 3000 {
		t.Errorf("summary: %v", s)
	}
}
