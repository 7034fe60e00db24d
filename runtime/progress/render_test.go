package progress

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/core"
)

// base is 2026-01-01 00:00:00 UTC in epoch milliseconds.
const base = int64(1767225600000)

var taken = time.UnixMilli(base + 20_000)

func busySnapshot() *runtime.Snapshot {
	return &runtime.Snapshot{
		Taken: taken,
		Sources: []runtime.SourceProgress{{
			ID: 0, Table: "ad_events", RecordsRead: 45678, RowsOut: 45675, Skipped: 3, RowsPerSec: 1234.4,
			Watermark: base + 10_500, HasWatermark: true,
			Splits: []runtime.SplitProgress{
				{Split: 0, Watermark: base + 17_700, Active: true, LastActive: taken},
				{Split: 1, Watermark: base + 10_500, Active: true, LastActive: taken},
				{Split: 2, Watermark: base + 5_000, Active: true, Idle: true, LastActive: taken.Add(-65 * time.Second)},
			},
		}},
		Sinks:              []runtime.SinkProgress{{ID: 4, Table: "results", RowsOut: 340, RowsPerSec: 12}},
		OpenWindows:        12,
		LateRecordsDropped: 2,
		RecordsSkipped:     3,
		LastCheckpoint:     &runtime.CheckpointInfo{ID: 4, Completed: taken.Add(-3 * time.Second), Duration: 40 * time.Millisecond, Size: 1536},
		CheckpointsDone:    4,
	}
}

func TestRenderBusy(t *testing.T) {
	want := "" +
		"source ad_events     1,234 rows/s  total 45,678  skipped 3  watermark 2026-01-01 00:00:10.500Z\n" +
		"  p0 watermark 2026-01-01 00:00:17.700Z  lag 2.3s\n" +
		"  p1 watermark 2026-01-01 00:00:10.500Z  lag 9.5s\n" +
		"  p2 watermark 2026-01-01 00:00:05.000Z  lag 15.0s  idle 1m05s\n" +
		"sink   results          12 rows/s  total 340\n" +
		"open windows 12 | late rows dropped 2 | malformed rows skipped 3 | last checkpoint #4 3.0s ago (1.5 KiB in 40ms)\n"
	if got := Render(busySnapshot()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestRenderAllIdleNoWatermarkNoCheckpoint(t *testing.T) {
	s := &runtime.Snapshot{
		Taken: taken,
		Sources: []runtime.SourceProgress{
			{ID: 0, Table: "clicks", RecordsRead: 7, RowsOut: 7, Watermark: base + 1_000, HasWatermark: true,
				Splits: []runtime.SplitProgress{
					{Split: 0, Watermark: base + 1_000, Active: true, Idle: true, LastActive: taken.Add(-2 * time.Hour)},
					{Split: 1, Watermark: core.MinWatermark, Active: true, Idle: true, LastActive: taken.Add(-500 * time.Millisecond)},
					{Split: 2, Watermark: base, Active: true, Ended: true},
				}},
			{ID: 1, Table: "gen", RecordsRead: 1000000, RowsOut: 1000000, RowsPerSec: 99999.5, Watermark: core.MinWatermark},
		},
		Sinks:             []runtime.SinkProgress{{ID: 3, Table: "out", RowsOut: 0}},
		CheckpointsFailed: 2,
	}
	want := "" +
		"source clicks         0 rows/s  total 7  watermark 2026-01-01 00:00:01.000Z\n" +
		"  p0 watermark 2026-01-01 00:00:01.000Z  lag 19.0s  idle 2h00m\n" +
		"  p1 no watermark yet  idle 500ms\n" +
		"  p2 ended\n" +
		"  all splits idle: watermark held\n" +
		"source gen      100,000 rows/s  total 1,000,000  no watermark\n" +
		"sink   out            0 rows/s  total 0\n" +
		"open windows 0 | late rows dropped 0 | malformed rows skipped 0 | no checkpoint completed (2 failed)\n"
	if got := Render(s); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// With more than MaxSplitLines splits only the slowest are listed, in
// split order.
func TestRenderManySplits(t *testing.T) {
	src := runtime.SourceProgress{Table: "t", HasWatermark: true, Watermark: base + 1_000}
	for k := 0; k < 10; k++ {
		// split k's watermark is base + (10-k) s: splits 9, 8, ... are slowest
		src.Splits = append(src.Splits, runtime.SplitProgress{Split: k, Active: true, Watermark: base + int64(10-k)*1000})
	}
	s := &runtime.Snapshot{Taken: taken, Sources: []runtime.SourceProgress{src}}
	var want strings.Builder
	want.WriteString("source t         0 rows/s  total 0  watermark 2026-01-01 00:00:01.000Z\n")
	for k := 3; k <= 9; k++ {
		fmt.Fprintf(&want, "  p%d watermark 2026-01-01 00:00:%02d.000Z  lag %d.0s\n", k, 10-k, 20-(10-k))
	}
	want.WriteString("  ... 3 more splits, all ahead of those above\n")
	want.WriteString("open windows 0 | late rows dropped 0 | malformed rows skipped 0 | no checkpoint yet\n")
	if got := Render(s); got != want.String() {
		t.Errorf("got:\n%s\nwant:\n%s", got, want.String())
	}
}

func TestFormatting(t *testing.T) {
	counts := map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1000: "-1,000", -12: "-12"}
	for n, want := range counts {
		if got := GroupDigits(n); got != want {
			t.Errorf("GroupDigits(%d) = %q, want %q", n, got, want)
		}
	}
	durations := map[time.Duration]string{
		0: "0ms", 850 * time.Millisecond: "850ms", 2300 * time.Millisecond: "2.3s",
		245 * time.Second: "4m05s", 3*time.Hour + 2*time.Minute: "3h02m", -1500 * time.Millisecond: "-1.5s",
	}
	for d, want := range durations {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
	sizes := map[int64]string{512: "512 B", 1536: "1.5 KiB", 3 << 20: "3.0 MiB", 5 << 30: "5.0 GiB"}
	for n, want := range sizes {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
	if watermark(core.MinWatermark) != "none" || watermark(core.MaxWatermark) != "end of input" {
		t.Error("watermark sentinels")
	}
}

func TestAttrs(t *testing.T) {
	var buf bytes.Buffer
	h := slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	slog.New(h).LogAttrs(context.Background(), slog.LevelInfo, "progress", Attrs(busySnapshot())...)
	want := `level=INFO msg=progress source.ad_events.rows_per_sec=1234 source.ad_events.records_read=45678 source.ad_events.skipped=3` +
		` source.ad_events.watermark="2026-01-01 00:00:10.500Z" source.ad_events.max_lag_ms=9500 source.ad_events.idle_splits=2` +
		` sink.results.rows_per_sec=12 sink.results.rows_out=340 open_windows=12 late_rows_dropped=2 malformed_rows_skipped=3` +
		` last_checkpoint.id=4 last_checkpoint.age_ms=3000 last_checkpoint.size_bytes=1536 last_checkpoint.duration_ms=40` + "\n"
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestDetails(t *testing.T) {
	s := busySnapshot()
	s.Operators = []runtime.OperatorProgress{
		{ID: 0, Name: "TableSourceScan", Table: "ad_events"},
		{ID: 2, Name: "WindowAggregate", LateRecordsDropped: 2},
		{ID: 4, Name: "Sink", Table: "results"},
	}
	want := "" +
		"  source ad_events 45,678 records read, 45,675 rows emitted, 3 skipped\n" +
		"  sink   results   340 rows written\n" +
		"  WindowAggregate #2 dropped 2 late rows\n"
	if got := Details(s); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// An operator of several subtasks gets one line per subtask: rows,
// late rows, watermark and backpressure (ms waited per second).
func TestRenderSubtasks(t *testing.T) {
	s := busySnapshot()
	s.Operators = []runtime.OperatorProgress{
		{ID: 0, Name: "TableSourceScan", Table: "ad_events"},
		{ID: 2, Name: "WindowAggregate", RecordsIn: 45675, RecordsOut: 340, Subtasks: []runtime.SubtaskProgress{
			{Index: 0, RecordsIn: 22000, RecordsOut: 170, LateRecordsDropped: 2, Watermark: base + 10_500, BackPressuredMsPerSec: 0.2},
			{Index: 1, RecordsIn: 23675, RecordsOut: 170, Watermark: base + 10_500, BackPressuredMsPerSec: 312.6},
		}},
	}
	want := "" +
		"WindowAggregate #2: 2 subtasks\n" +
		"  1> in 22,000  out 170  late 2  watermark 2026-01-01 00:00:10.500Z  backpressured 0 ms/s\n" +
		"  2> in 23,675  out 170  watermark 2026-01-01 00:00:10.500Z  backpressured 313 ms/s\n" +
		"sink   results"
	if got := Render(s); !strings.Contains(got, want) {
		t.Errorf("got:\n%s\nwant it to contain:\n%s", got, want)
	}
}
