package ops

import (
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// span is one window [Start, End) in window coordinates (see zone).
type span = window.Span

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

// assigner computes the windows a timestamp belongs to with its kind's
// assigner (sql/window); merging kinds (SESSION) have none.
type assigner struct {
	kind  sql.WindowKind
	sizes window.Sizes
	fn    func(s *window.Sizes, t int64, dst []window.Span) []window.Span
}

func newAssigner(w planner.WindowSpec, allowMerging bool) (assigner, error) {
	d := window.Of(w.Kind)
	if d == nil {
		return assigner{}, fmt.Errorf("unknown window kind %d", w.Kind)
	}
	a := assigner{kind: w.Kind, sizes: w.Sizes(), fn: d.Assign}
	if d.Merging && !allowMerging {
		return a, fmt.Errorf("%s windows are not supported here", d.Name)
	}
	if err := d.ValidateAssigner(a.sizes); err != nil {
		return a, err
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

// assign appends the windows containing t (window coordinates) to dst,
// in increasing order of end.
func (a *assigner) assign(t int64, dst []span) []span {
	return a.fn(&a.sizes, t, dst)
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
