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
