package ops

import (
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// span is one window [start, end) in window coordinates (see zone).
type span struct{ start, end int64 }

// zone converts between epoch millis and the wall-clock millis windows are
// aligned in. It is the identity unless the time attribute is
// TIMESTAMP_LTZ and table.local-time-zone is not UTC (Flink's
// "shift time zone").
type zone struct{ loc *time.Location }

func newZone(timeKind types.Kind, loc *time.Location) zone {
	if timeKind != types.TimestampLTZ || loc == nil || loc == time.UTC || loc.String() == "UTC" {
		return zone{}
	}
	return zone{loc: loc}
}

func (z zone) offset(ms int64) int64 {
	_, off := time.UnixMilli(ms).In(z.loc).Zone()
	return int64(off) * 1000
}

// toLocal maps an instant to its wall-clock millis.
func (z zone) toLocal(ms int64) int64 {
	if z.loc == nil {
		return ms
	}
	return ms + z.offset(ms)
}

// toEpoch maps wall-clock millis back to an instant.
func (z zone) toEpoch(local int64) int64 {
	if z.loc == nil {
		return local
	}
	off := z.offset(local)
	e := local - off
	if off2 := z.offset(e); off2 != off {
		e = local - off2
	}
	return e
}

// fireTime is the watermark at which a window ending at `end` (window
// coordinates) fires: its last instant, end - 1 ms.
func (z zone) fireTime(end int64) int64 { return z.toEpoch(end) - 1 }

// windowTime is window_time (end - 1 ms) as a value of the time column's kind.
func (z zone) windowTime(end int64, kind types.Kind) types.Value {
	return types.Value{K: kind, I: z.fireTime(end)}
}

// assigner computes the windows a timestamp belongs to.
type assigner struct {
	kind                      sql.WindowKind
	size, slide, step, offset int64
}

func newAssigner(w planner.WindowSpec, allowSession bool) (assigner, error) {
	a := assigner{kind: w.Kind, size: w.Size, slide: w.Slide, step: w.Step, offset: w.Offset}
	switch w.Kind {
	case sql.Tumble:
		if w.Size <= 0 {
			return a, fmt.Errorf("TUMBLE size must be positive, got %d ms", w.Size)
		}
	case sql.Hop:
		if w.Size <= 0 || w.Slide <= 0 {
			return a, fmt.Errorf("HOP slide and size must be positive, got slide %d ms, size %d ms", w.Slide, w.Size)
		}
	case sql.Cumulate:
		if w.Size <= 0 || w.Step <= 0 {
			return a, fmt.Errorf("CUMULATE step and size must be positive, got step %d ms, size %d ms", w.Step, w.Size)
		}
		if w.Size%w.Step != 0 {
			return a, fmt.Errorf("CUMULATE size (%d ms) must be an integral multiple of step (%d ms)", w.Size, w.Step)
		}
	case sql.Session:
		if !allowSession {
			return a, fmt.Errorf("SESSION windows are not supported here")
		}
		if w.Gap <= 0 {
			return a, fmt.Errorf("SESSION gap must be positive, got %d ms", w.Gap)
		}
	default:
		return a, fmt.Errorf("unknown window kind %d", w.Kind)
	}
	return a, nil
}

// Time values a window operator accepts: ±2^53 ms (about ±285,000
// years), far beyond TIMESTAMP(3)'s years 0000-9999, and far enough from
// int64's limits that window arithmetic cannot overflow. Rows outside are
// skipped and counted like rows with a NULL time.
const (
	minWindowTime = -(int64(1) << 53)
	maxWindowTime = int64(1) << 53
)

func timeInRange(t int64) bool { return t >= minWindowTime && t <= maxWindowTime }

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// assign appends the windows containing t (window coordinates) to dst,
// in increasing order of end.
func (a *assigner) assign(t int64, dst []span) []span {
	switch a.kind {
	case sql.Tumble:
		s := t - floorMod(t-a.offset, a.size)
		return append(dst, span{s, s + a.size})
	case sql.Hop:
		last := t - floorMod(t-a.offset, a.slide)
		first := last
		for first-a.slide > t-a.size {
			first -= a.slide
		}
		for s := first; s <= last; s += a.slide {
			if s+a.size > t { // slide > size leaves gaps between windows
				dst = append(dst, span{s, s + a.size})
			}
		}
		return dst
	case sql.Cumulate:
		s := t - floorMod(t-a.offset, a.size)
		for e := s + a.step; e <= s+a.size; e += a.step {
			if e > t {
				dst = append(dst, span{s, e})
			}
		}
		return dst
	}
	return dst
}

// checkTimeCol validates the time attribute column.
func checkTimeCol(in planner.Schema, col int) (types.Kind, error) {
	if col < 0 || col >= len(in) {
		return 0, fmt.Errorf("window time column index %d out of range (input has %d columns)", col, len(in))
	}
	k := in[col].Type.Kind
	if !k.IsTimestamp() {
		return 0, fmt.Errorf("window time column %q is %s, want TIMESTAMP(3) or TIMESTAMP_LTZ(3)", in[col].Name, in[col].Type)
	}
	return k, nil
}
