package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// progressJob builds a job over a directory of two JSON-lines files (two
// splits). Worked out by hand, with a 1 s watermark delay and 10 s
// tumbling windows:
//
//	a.jsonl (split 0): t=1000, 2000, 12000, 13000 (split watermark 12000)
//	b.jsonl (split 1): a malformed line (skipped), t=25000, then 3000,
//	                   26000 (split watermark 25000)
//
// Whether split 1 starts before split 0 ends or after, the source
// watermark is at least 12000 when the row at 3000 arrives, so window
// [0 s, 10 s) has fired and that row is late. So: 8 records read, 7 rows
// out of the source, 1 late, 1 skipped and 3 result rows (c1 in [0,10)
// and [10,20), c2 in [20,30)).
func progressJob(t *testing.T) *runtime.Job {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.jsonl", `{"event_type":"view","event_time":1000,"campaign_id":"c1"}
{"event_type":"click","event_time":2000,"campaign_id":"c1"}
{"event_type":"view","event_time":12000,"campaign_id":"c1"}
{"event_type":"view","event_time":13000,"campaign_id":"c1"}
`)
	write("b.jsonl", `not json
{"event_type":"view","event_time":25000,"campaign_id":"c2"}
{"event_type":"click","event_time":3000,"campaign_id":"c2"}
{"event_type":"click","event_time":26000,"campaign_id":"c2"}
`)
	src := `CREATE TABLE ev (
  event_type STRING, event_time BIGINT, campaign_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '` + dir + `', 'format' = 'json', 'json.ignore-parse-errors' = 'true');
CREATE TABLE out_t (window_start TIMESTAMP(3), campaign_id STRING, n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out_t
SELECT window_start, campaign_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;
`
	j, err := runtest.Build("progress.sql", src, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestProgressDuringAndAfterRun takes snapshots from another goroutine
// while the job runs (go test -race checks the mirrors), then checks the
// final figures against the hand-worked counts above.
func TestProgressDuringAndAfterRun(t *testing.T) {
	j := progressJob(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var prev *runtime.Snapshot
		for {
			s := j.Progress()
			s.SetRates(prev)
			for _, src := range s.Sources {
				if src.RecordsRead < 0 || src.RecordsRead > 8 {
					t.Errorf("records read out of range: %d", src.RecordsRead)
				}
			}
			prev = s
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	err := j.Run(context.Background())
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	s := j.Progress()
	if len(s.Sources) != 1 || len(s.Sinks) != 1 {
		t.Fatalf("sources %d sinks %d, want 1 and 1", len(s.Sources), len(s.Sinks))
	}
	src := s.Sources[0]
	if src.Table != "ev" || src.RecordsRead != 8 || src.RowsOut != 7 || src.Skipped != 1 {
		t.Errorf("source: table %s read %d out %d skipped %d; want ev 8 7 1", src.Table, src.RecordsRead, src.RowsOut, src.Skipped)
	}
	if !src.HasWatermark || src.Watermark != core.MaxWatermark {
		t.Errorf("source watermark %d (has %v), want MaxWatermark at the end", src.Watermark, src.HasWatermark)
	}
	if len(src.Splits) != 2 {
		t.Fatalf("splits: %+v, want 2", src.Splits)
	}
	for i, want := range []int64{12000, 25000} {
		sp := src.Splits[i]
		if sp.Split != i || sp.Watermark != want || !sp.Ended || sp.Idle {
			t.Errorf("split %d: %+v, want watermark %d, ended", i, sp, want)
		}
		if _, ok := sp.Lag(s.Taken); ok {
			t.Errorf("split %d has ended: no lag expected", i)
		}
	}
	if src.AllIdle() {
		t.Error("ended splits are not idle")
	}
	if sk := s.Sinks[0]; sk.Table != "out_t" || sk.RowsOut != 3 {
		t.Errorf("sink: %+v, want out_t with 3 rows", sk)
	}
	if s.LateRecordsDropped != 1 || s.RecordsSkipped != 1 || s.OpenWindows != 0 {
		t.Errorf("late %d skipped %d open %d, want 1 1 0", s.LateRecordsDropped, s.RecordsSkipped, s.OpenWindows)
	}
	// Operators: the source's records in are its records read, the sink's
	// records out the rows it wrote.
	var sawSource, sawSink bool
	for _, op := range s.Operators {
		switch op.Table {
		case "ev":
			sawSource = op.RecordsIn == 8 && op.RecordsOut == 7
		case "out_t":
			sawSink = op.RecordsIn == 3 && op.RecordsOut == 3
		}
	}
	if !sawSource || !sawSink {
		t.Errorf("operator figures wrong: %+v", s.Operators)
	}
	if s.LastCheckpoint != nil || s.CheckpointsDone != 0 {
		t.Errorf("no checkpoint was reported, got %+v", s.LastCheckpoint)
	}
	// Summary and snapshot agree.
	sum := j.Summary()
	if sum.RecordsRead != 8 || sum.RowsWritten != 3 || sum.LateRecordsDropped != 1 || sum.RecordsSkipped != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func TestReportCheckpoint(t *testing.T) {
	j := progressJob(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	j.ReportCheckpoint(runtime.CheckpointInfo{ID: 1, Completed: at, Duration: 40 * time.Millisecond, Size: 1000})
	j.ReportCheckpoint(runtime.CheckpointInfo{ID: 2, Completed: at.Add(time.Second), Duration: 50 * time.Millisecond, Size: 2000})
	j.ReportCheckpointFailed()
	j.SetStateSize(4096)
	s := j.Progress()
	if s.LastCheckpoint == nil || s.LastCheckpoint.ID != 2 || s.LastCheckpoint.Size != 2000 {
		t.Errorf("last checkpoint %+v, want #2", s.LastCheckpoint)
	}
	if s.CheckpointsDone != 2 || s.CheckpointsFailed != 1 || s.StateSize != 4096 {
		t.Errorf("done %d failed %d state %d", s.CheckpointsDone, s.CheckpointsFailed, s.StateSize)
	}
}

func TestSplitLagAndIdle(t *testing.T) {
	now := time.UnixMilli(100_000)
	sp := runtime.SplitProgress{Watermark: 97_500, Active: true}
	if lag, ok := sp.Lag(now); !ok || lag != 2500*time.Millisecond {
		t.Errorf("lag %v %v, want 2.5s", lag, ok)
	}
	if _, ok := (&runtime.SplitProgress{Watermark: core.MinWatermark}).Lag(now); ok {
		t.Error("no watermark yet: no lag")
	}
	src := runtime.SourceProgress{Splits: []runtime.SplitProgress{{Idle: true}, {Ended: true}}}
	if !src.AllIdle() {
		t.Error("one idle split and one ended: all idle")
	}
	src.Splits = append(src.Splits, runtime.SplitProgress{Active: true})
	if src.AllIdle() {
		t.Error("an active split: not all idle")
	}
	if (&runtime.SourceProgress{}).AllIdle() {
		t.Error("no splits: not all idle")
	}
	cur := &runtime.Snapshot{Taken: now, Sources: []runtime.SourceProgress{{ID: 1, RecordsRead: 3000}}, Sinks: []runtime.SinkProgress{{ID: 5, RowsOut: 40}}}
	prev := &runtime.Snapshot{Taken: now.Add(-2 * time.Second), Sources: []runtime.SourceProgress{{ID: 1, RecordsRead: 1000}}, Sinks: []runtime.SinkProgress{{ID: 5, RowsOut: 30}}}
	cur.SetRates(prev)
	if cur.Sources[0].RowsPerSec != 1000 || cur.Sinks[0].RowsPerSec != 5 {
		t.Errorf("rates %v %v, want 1000 and 5", cur.Sources[0].RowsPerSec, cur.Sinks[0].RowsPerSec)
	}
}
