package runtime_test

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	srt "github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// blockingSink's writers block in their first Write until release is
// closed, then discard rows.
type blockingSink struct {
	release chan struct{}
	blocked chan struct{} // closed when a writer first blocks
	once    sync.Once
	rows    atomic.Int64
}

func (s *blockingSink) spec() *connector.Spec {
	return &connector.Spec{Name: "blocking", NewSink: func(context.Context, *planner.TableDesc, *connector.Env) (connector.SinkWriter, error) {
		return &blockingWriter{s: s}, nil
	}}
}

type blockingWriter struct{ s *blockingSink }

func (w *blockingWriter) Write(ctx context.Context, b *core.Batch) error {
	w.s.once.Do(func() { close(w.s.blocked) })
	select {
	case <-w.s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	w.s.rows.Add(int64(len(b.Rows)))
	return nil
}
func (w *blockingWriter) Flush(context.Context) error { return nil }
func (w *blockingWriter) Close() error                { return nil }

// Memory stays flat under backpressure (issue #10): while the sink
// blocks for seconds, a source that could produce hundreds of megabytes
// of rows in that time is held back by the bounded channels between the
// subtasks, so the heap grows by no more than what those buffers hold.
func TestBackpressureKeepsMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("blocks for 3 s")
	}
	rows := int64(1_000_000) // about 180 MB as rows of a 100-character string
	if raceEnabled {
		rows = 100_000 // the race detector's run checks the flow, not the bound
	}
	src := `SET 'parallelism.default' = '2';
CREATE TABLE gen (s STRING, n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'number-of-rows' = '` + strconv.FormatInt(rows, 10) + `', 'fields.s.length' = '100', 'streamsql.seed' = '1');
CREATE TABLE out (s STRING, n BIGINT) WITH ('connector' = 'blackhole', 'sink.parallelism' = '2');
INSERT INTO out SELECT s, n FROM gen WHERE n IS NOT NULL;`
	sink := &blockingSink{release: make(chan struct{}), blocked: make(chan struct{})}
	j, err := runtest.Build("bp.sql", src, srt.Options{Connectors: map[string]*connector.Spec{"out": sink.spec()}})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	done := make(chan error, 1)
	go func() { done <- j.Run(context.Background()) }()
	select {
	case <-sink.blocked:
	case err := <-done:
		t.Fatalf("the job ended before the sink blocked: %v", err)
	}
	time.Sleep(200 * time.Millisecond) // the channels fill
	base := heap()
	var peak uint64
	for range 10 { // 3 s blocked
		time.Sleep(280 * time.Millisecond)
		peak = max(peak, heap())
	}
	read := j.Progress().Sources[0].RecordsRead
	close(sink.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// What the channels can hold: 64 messages a producer, each a batch of
	// up to 1024 rows of about 180 bytes (a row of two values, the
	// string's 100 bytes), for each of the two sink subtasks' inboxes,
	// plus the decoded polls a source holds ahead. The bound is generous;
	// unbounded buffering would pass it many times over.
	const bound = 64 << 20
	t.Logf("heap %d MiB when the sink blocked, at most %d MiB during 3 s blocked; %d of %d rows read by then; %d written",
		base>>20, peak>>20, read, rows, sink.rows.Load())
	if peak > base+bound {
		t.Errorf("the heap grew by %d MiB while the sink blocked (bound %d MiB)", (peak-base)>>20, bound>>20)
	}
	if read >= rows {
		t.Errorf("the source read all %d rows while the sink blocked: no backpressure", read)
	}
	if got := sink.rows.Load(); got != rows {
		t.Errorf("%d rows written, want %d", got, rows)
	}
}
