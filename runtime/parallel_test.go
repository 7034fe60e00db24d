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

func TestParallelRefusesCheckpoints(t *testing.T) {
	src := "SET 'execution.checkpointing.interval' = '1 s';\n" + liveParallelSQL
	_, err := runtest.Build("ck.sql", src, runtime.Options{StateDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "checkpoints are not supported yet at parallelism > 1") {
		t.Fatalf("error %v", err)
	}
}
