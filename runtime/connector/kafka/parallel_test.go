package kafka_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector/kafka"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Flink's assignment of partitions to source subtasks
// (KafkaSourceEnumerator.getSplitOwner): partition 0 to the subtask the
// topic name's Java hash picks, the next ones round robin. "t".hashCode()
// is 116, 116*31 = 3596.
func TestSplitOwner(t *testing.T) {
	for _, c := range []struct {
		topic string
		id    int32
		n     int
		want  int
	}{
		{"t", 0, 2, 0}, {"t", 1, 2, 1}, {"t", 0, 3, 3596 % 3}, {"t", 2, 3, (3596 + 2) % 3},
		{"t", 3, 4, (3596 + 3) % 4}, {"", 5, 4, 1},
		// "ad-events".hashCode() = -1050418685 (Java); *31 wraps to
		// 1796759133 after the sign bit is masked
		{"ad-events", 0, 5, 1796759133 % 5}, {"ad-events", 3, 4, (1796759133 + 3) % 4},
	} {
		if got := kafka.SplitOwner(c.topic, c.id, c.n); got != c.want {
			t.Errorf("SplitOwner(%q, %d, %d) = %d, want %d", c.topic, c.id, c.n, got, c.want)
		}
	}
}

// watched is a print sink's output that a test can wait on.
type watched struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *watched) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *watched) lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return lines(w.buf.String())
}

// runLive runs a live job until its print sink wrote want lines (or 20 s
// passed), then stops it as Ctrl-C does (a savepoint when checkpoints are
// on); it returns the lines with their subtask prefixes cut, and how many
// subtasks the source ran as.
func runLive(t *testing.T, src string, opts runtime.Options, want int) ([]string, int) {
	t.Helper()
	out := &watched{}
	opts.Stdout = out
	var stderr bytes.Buffer
	opts.Stderr = &stderr
	j, err := runtest.Build("test.sql", src, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- j.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(out.lines()) < want && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("the job ended: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	time.Sleep(300 * time.Millisecond) // rows beyond want would show now
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	var got []string
	for _, l := range out.lines() {
		if i := strings.Index(l, "> "); i >= 0 && i < 4 {
			l = l[i+2:]
		}
		got = append(got, l)
	}
	if len(got) != want {
		t.Fatalf("%d rows, want %d:\n%s\n%s", len(got), want, strings.Join(got, "\n"), stderr.String())
	}
	subtasks := 1
	for _, op := range j.Progress().Operators {
		if op.Table == "src" && len(op.Subtasks) > 0 {
			subtasks = len(op.Subtasks)
		}
	}
	return got, subtasks
}

const parallelQuery = `SET 'parallelism.default' = '%d';
%s
CREATE TABLE src (k STRING, et BIGINT, ts AS TO_TIMESTAMP_LTZ(et, 3), WATERMARK FOR ts AS ts)
WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'%s);
CREATE TABLE out (k STRING, ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT k, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY k, window_start, window_end;`

// produceWindow writes, to each of 4 partitions, rows of keys a and b
// with event times from..to (step 1 s), then one row at `next` that
// moves the partition's watermark past the window.
func produceWindow(t *testing.T, addr string, from, to, next int64) {
	var recs []rec
	for p := int32(0); p < 4; p++ {
		for et := from; et <= to; et += 1000 {
			k := "a"
			if (et/1000+int64(p))%3 == 0 {
				k = "b"
			}
			recs = append(recs, rec{topic: "t", partition: p, value: fmt.Sprintf(`{"k": %q, "et": %d}`, k, et)})
		}
		recs = append(recs, rec{topic: "t", partition: p, value: fmt.Sprintf(`{"k": "c", "et": %d}`, next)})
	}
	produce(t, addr, recs...)
}

// A live job reads a topic of 4 partitions as 2 source subtasks
// ('scan.parallelism' = '2', each reading 2 partitions with a watermark
// per partition): the windows it closes hold exactly the rows of a run
// with one source subtask.
func TestParallelSourceSubtasks(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(4, "t"))
	produceWindow(t, addr, 0, 9000, 12000)
	want := []string{"+I[a, 1970-01-01 00:00:00.000, 26]", "+I[b, 1970-01-01 00:00:00.000, 14]"}
	for _, c := range []struct {
		p     int
		scan  string
		tasks int
		what  string
	}{
		{2, ", 'scan.parallelism' = '1'", 1, "one source subtask"},
		{2, ", 'scan.parallelism' = '2'", 2, "two source subtasks"},
		{3, "", 3, "three source subtasks (one reads 2 partitions)"},
		// two subtasks have no partition: idle, they do not hold the
		// watermark back
		{6, "", 6, "six source subtasks"},
		{4, "", 4, "four"},
	} {
		got, n := runLive(t, fmt.Sprintf(parallelQuery, c.p, "", addr, c.scan), runtime.Options{}, 2)
		sameSet(t, c.what, got, want)
		if n != c.tasks {
			t.Errorf("%s: the source ran as %d subtasks", c.what, n)
		}
	}
}

// Split positions are checkpointed per partition and reassigned when a
// job is restored at another parallelism: stopped (savepoint) at 4
// source subtasks, restored at 2, then at 1, the windows count every
// row once.
func TestParallelSourceRescale(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(4, "t"))
	dir := t.TempDir()
	ckpt := "SET 'execution.checkpointing.interval' = '1 h';"
	opts := runtime.Options{StateDir: dir}
	var all []string
	for _, c := range []struct {
		p, rows  int
		from, to int64
		next     int64
	}{{4, 2, 0, 9000, 15000}, {2, 3, 16000, 19000, 25000}, {1, 3, 26000, 29000, 40000}} {
		produceWindow(t, addr, c.from, c.to, c.next)
		got, n := runLive(t, fmt.Sprintf(parallelQuery, c.p, ckpt, addr, ""), opts, c.rows)
		if n != c.p {
			t.Errorf("parallelism %d: the source ran as %d subtasks", c.p, n)
		}
		all = append(all, got...)
	}
	// window [10 s, 20 s): the rows at 15 s (read at p=4, "c") and
	// 16..19 s (read at p=2); [20 s, 30 s): 25 s ("c", read at p=2) and
	// 26..29 s (at p=1)
	want := []string{
		"+I[a, 1970-01-01 00:00:00.000, 26]", "+I[b, 1970-01-01 00:00:00.000, 14]",
		"+I[c, 1970-01-01 00:00:10.000, 4]", "+I[a, 1970-01-01 00:00:10.000, 11]", "+I[b, 1970-01-01 00:00:10.000, 5]",
		"+I[c, 1970-01-01 00:00:20.000, 4]", "+I[a, 1970-01-01 00:00:20.000, 11]", "+I[b, 1970-01-01 00:00:20.000, 5]",
	}
	sameSet(t, "across restores at 4, 2 and 1 source subtasks", all, want)
}

// A live source emits its watermark as soon as it closes a window, not
// only on the interval: with an interval of an hour, the window's result
// still comes out, at one source subtask and at two.
func TestWatermarkClosesWindowAtOnce(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(4, "t"))
	produceWindow(t, addr, 0, 9000, 12000)
	want := []string{"+I[a, 1970-01-01 00:00:00.000, 26]", "+I[b, 1970-01-01 00:00:00.000, 14]"}
	slow := "SET 'pipeline.auto-watermark-interval' = '1 h';"
	for _, p := range []int{1, 2} {
		start := time.Now()
		got, _ := runLive(t, fmt.Sprintf(parallelQuery, p, slow, addr, ""), runtime.Options{}, 2)
		sameSet(t, fmt.Sprintf("parallelism %d", p), got, want)
		t.Logf("parallelism %d: result after %v", p, time.Since(start))
	}
}
