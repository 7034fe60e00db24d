package progress

import (
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/core"
)

// MaxSplitLines is how many splits a source lists one per line before the
// view shows only the slowest ones (a topic with 64 partitions would
// otherwise fill the screen).
const MaxSplitLines = 8

// Render draws the status block for a terminal: one line per source,
// per listed split and per sink, then a line of job-wide figures. It is a
// pure function of the snapshot (wall-clock lags are taken against
// s.Taken), so it can be tested on fixed inputs.
func Render(s *runtime.Snapshot) string {
	var b strings.Builder
	w := nameWidth(s)
	for i := range s.Sources {
		src := &s.Sources[i]
		fmt.Fprintf(&b, "source %-*s %s rows/s  total %s", w, src.Table, rate(src.RowsPerSec), GroupDigits(src.RecordsRead))
		if src.Skipped > 0 {
			b.WriteString("  skipped " + GroupDigits(src.Skipped))
		}
		if src.HasWatermark {
			b.WriteString("  watermark " + watermark(src.Watermark))
		} else {
			b.WriteString("  no watermark")
		}
		b.WriteByte('\n')
		if src.HasWatermark {
			renderSplits(&b, src, s.Taken)
		}
	}
	renderSubtasks(&b, s)
	for _, sk := range s.Sinks {
		fmt.Fprintf(&b, "sink   %-*s %s rows/s  total %s\n", w, sk.Table, rate(sk.RowsPerSec), GroupDigits(sk.RowsOut))
	}
	b.WriteString("open windows " + GroupDigits(s.OpenWindows) +
		" | late rows dropped " + GroupDigits(s.LateRecordsDropped) +
		" | malformed rows skipped " + GroupDigits(s.RecordsSkipped) +
		" | " + checkpointText(s) + "\n")
	return b.String()
}

// renderSubtasks lists, for every operator that runs as several
// subtasks, one line per subtask: rows in and out, late rows, its
// watermark and the share of the last interval it waited on a full
// channel (Flink's backPressuredTimeMsPerSecond, in ms/s).
func renderSubtasks(b *strings.Builder, s *runtime.Snapshot) {
	for i := range s.Operators {
		op := &s.Operators[i]
		if len(op.Subtasks) < 2 {
			continue
		}
		name := op.Name + " #" + strconv.Itoa(op.ID)
		if op.Table != "" {
			name += " (" + op.Table + ")"
		}
		fmt.Fprintf(b, "%s: %d subtasks\n", name, len(op.Subtasks))
		for _, st := range op.Subtasks {
			fmt.Fprintf(b, "  %d> in %s  out %s", st.Index+1, GroupDigits(st.RecordsIn), GroupDigits(st.RecordsOut))
			if st.LateRecordsDropped > 0 {
				b.WriteString("  late " + GroupDigits(st.LateRecordsDropped))
			}
			b.WriteString("  watermark " + watermark(st.Watermark))
			fmt.Fprintf(b, "  backpressured %d ms/s\n", int64(st.BackPressuredMsPerSec+0.5))
		}
	}
}

func renderSplits(b *strings.Builder, src *runtime.SourceProgress, now time.Time) {
	splits := src.Splits
	hidden := 0
	if len(splits) > MaxSplitLines {
		// Show the slowest live splits: they hold the watermark back.
		sorted := append([]runtime.SplitProgress(nil), splits...)
		sort.SliceStable(sorted, func(i, j int) bool { return splitRank(sorted[i]) < splitRank(sorted[j]) })
		hidden = len(sorted) - (MaxSplitLines - 1)
		splits = sorted[:MaxSplitLines-1]
		sort.SliceStable(splits, func(i, j int) bool { return splits[i].Split < splits[j].Split })
	}
	for i := range splits {
		sp := &splits[i]
		b.WriteString("  p" + strconv.Itoa(sp.Split) + " ")
		switch {
		case sp.Ended:
			b.WriteString("ended")
		case sp.Watermark == core.MinWatermark:
			b.WriteString("no watermark yet")
		default:
			b.WriteString("watermark " + watermark(sp.Watermark))
			if lag, ok := sp.Lag(now); ok {
				b.WriteString("  lag " + duration(lag))
			}
		}
		if sp.Idle {
			b.WriteString("  idle " + duration(now.Sub(sp.LastActive)))
		}
		b.WriteByte('\n')
	}
	if hidden > 0 {
		b.WriteString("  ... " + strconv.Itoa(hidden) + " more splits, all ahead of those above\n")
	}
	if src.AllIdle() {
		b.WriteString("  all splits idle: watermark held\n")
	}
}

// splitRank orders splits slowest first: live splits by watermark, then
// idle ones, then ended ones.
func splitRank(sp runtime.SplitProgress) float64 {
	switch {
	case sp.Ended:
		return 3e19
	case sp.Idle:
		return 2e19
	}
	return float64(sp.Watermark)
}

func nameWidth(s *runtime.Snapshot) int {
	w := 0
	for _, src := range s.Sources {
		w = max(w, len(src.Table))
	}
	for _, sk := range s.Sinks {
		w = max(w, len(sk.Table))
	}
	return w
}

// watermark prints an epoch-millisecond watermark in UTC.
func watermark(wm int64) string {
	switch wm {
	case core.MinWatermark:
		return "none"
	case core.MaxWatermark:
		return "end of input"
	}
	return time.UnixMilli(wm).UTC().Format("2006-01-02 15:04:05.000Z")
}

// duration prints a lag compactly: 850ms, 2.3s, 4m05s, 3h02m.
func duration(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	var s string
	switch {
	case d < time.Second:
		s = strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	case d < time.Minute:
		s = strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
	case d < time.Hour:
		s = fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		s = fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	if neg {
		return "-" + s
	}
	return s
}

// GroupDigits prints an integer with thousands separators: 1234567 -> 1,234,567.
func GroupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// rate prints rows per second right-aligned in 9 columns.
func rate(r float64) string {
	return fmt.Sprintf("%9s", GroupDigits(int64(r+0.5)))
}

// byteSize prints a size in B, KiB, MiB or GiB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	case n < 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
}

func checkpointText(s *runtime.Snapshot) string {
	c := s.LastCheckpoint
	if c == nil {
		if s.CheckpointsFailed > 0 {
			return "no checkpoint completed (" + GroupDigits(s.CheckpointsFailed) + " failed)"
		}
		return "no checkpoint yet"
	}
	t := "last checkpoint #" + strconv.FormatInt(c.ID, 10) + " " + duration(s.Taken.Sub(c.Completed)) + " ago (" +
		byteSize(c.Size) + " in " + duration(c.Duration) + ")"
	if s.CheckpointsFailed > 0 {
		t += ", " + GroupDigits(s.CheckpointsFailed) + " failed"
	}
	return t
}

// Attrs returns the snapshot's figures as structured log attributes, for
// periodic logging with log/slog when standard error is not a terminal:
// one group per source (by table name) and per sink, then job totals.
func Attrs(s *runtime.Snapshot) []slog.Attr {
	var attrs []slog.Attr
	for i := range s.Sources {
		src := &s.Sources[i]
		a := []any{
			slog.Int64("rows_per_sec", int64(src.RowsPerSec+0.5)),
			slog.Int64("records_read", src.RecordsRead),
			slog.Int64("skipped", src.Skipped),
		}
		if src.HasWatermark {
			a = append(a, slog.String("watermark", watermark(src.Watermark)))
			var idle []string
			maxLag, haveLag := time.Duration(0), false
			for _, sp := range src.Splits {
				if sp.Idle {
					idle = append(idle, strconv.Itoa(sp.Split))
				}
				if lag, ok := sp.Lag(s.Taken); ok && !sp.Idle && (!haveLag || lag > maxLag) {
					maxLag, haveLag = lag, true
				}
			}
			if haveLag {
				a = append(a, slog.Int64("max_lag_ms", maxLag.Milliseconds()))
			}
			if len(idle) > 0 {
				a = append(a, slog.String("idle_splits", strings.Join(idle, ",")))
			}
			if src.AllIdle() {
				a = append(a, slog.Bool("watermark_held", true))
			}
		}
		attrs = append(attrs, slog.Group("source."+src.Table, a...))
	}
	for _, sk := range s.Sinks {
		attrs = append(attrs, slog.Group("sink."+sk.Table,
			slog.Int64("rows_per_sec", int64(sk.RowsPerSec+0.5)),
			slog.Int64("rows_out", sk.RowsOut)))
	}
	attrs = append(attrs,
		slog.Int64("open_windows", s.OpenWindows),
		slog.Int64("late_rows_dropped", s.LateRecordsDropped),
		slog.Int64("malformed_rows_skipped", s.RecordsSkipped))
	if c := s.LastCheckpoint; c != nil {
		attrs = append(attrs, slog.Group("last_checkpoint",
			slog.Int64("id", c.ID),
			slog.Int64("age_ms", s.Taken.Sub(c.Completed).Milliseconds()),
			slog.Int64("size_bytes", c.Size),
			slog.Int64("duration_ms", c.Duration.Milliseconds())))
	}
	if s.CheckpointsFailed > 0 {
		attrs = append(attrs, slog.Int64("checkpoints_failed", s.CheckpointsFailed))
	}
	return attrs
}

// Details returns the per-source and per-sink lines printed after the
// run summary of a bounded run.
func Details(s *runtime.Snapshot) string {
	var b strings.Builder
	w := nameWidth(s)
	for _, src := range s.Sources {
		fmt.Fprintf(&b, "  source %-*s %s records read, %s rows emitted, %s skipped\n",
			w, src.Table, GroupDigits(src.RecordsRead), GroupDigits(src.RowsOut), GroupDigits(src.Skipped))
	}
	for _, sk := range s.Sinks {
		fmt.Fprintf(&b, "  sink   %-*s %s rows written\n", w, sk.Table, GroupDigits(sk.RowsOut))
	}
	for _, op := range s.Operators {
		if op.LateRecordsDropped > 0 {
			fmt.Fprintf(&b, "  %s #%d dropped %s late rows\n", op.Name, op.ID, GroupDigits(op.LateRecordsDropped))
		}
	}
	return b.String()
}
