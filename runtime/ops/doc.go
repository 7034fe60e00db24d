// Package ops holds streamsql's runtime operators: the stateless Calc
// (projection and filter) and Union, and the event-time operators
// WindowAgg (TUMBLE, HOP, CUMULATE, SESSION), WindowTVF and WindowJoin.
// Each constructor validates its planner spec once and returns a
// core.Operator; the executor drives it from one goroutine (no locks, no
// goroutines here). Output batches are fresh, backed by one slab each
// (core.NewBatch), and never touched again once emitted.
//
// # Windows
//
// Windows are half-open [start, end), aligned to the epoch plus the
// offset (floor arithmetic, so negative offsets and times work). Each
// kind's assigner is in its descriptor (sql/window/kinds.go); operators
// call it through assigner and never switch on the kind:
//
//	TUMBLE    start = t - floorMod(t - offset, size)
//	HOP       every start = offset + k*slide with start <= t < start + size
//	CUMULATE  base = t - floorMod(t - offset, size); [base, base + j*step) for every j with base + j*step > t
//	SESSION   a row covers [t, t + gap); per key, windows that intersect
//	          (Flink's TimeWindow.intersects: a.start <= b.end && a.end >= b.start,
//	          so sessions that merely touch merge) are merged; session end = last time + gap
//
// Output rows carry window_start and window_end as TIMESTAMP(3) and
// window_time = window_end - 1 ms in the time column's own kind
// (TIMESTAMP or TIMESTAMP_LTZ). For a TIMESTAMP_LTZ time attribute and a
// table.local-time-zone other than UTC, windows are computed on the
// wall-clock millis of that zone (Flink's shift time zone): window_start
// and window_end are those wall-clock values and window_time the instant
// just before window_end. Time values beyond ±2^53 ms cannot be windowed
// and are skipped like NULL times.
//
// # Firing
//
// A window fires when the operator's input watermark reaches its last
// instant: wm >= window_end - 1 ms. Its rows are emitted once, in one
// batch per ProcessWatermark call, ordered by window_end, then
// window_start, then (within a window) by the order group keys were first
// seen in it; sessions with equal bounds are ordered by creation. The
// window's state is then dropped. Watermarks that do not advance are
// ignored. Finish emits nothing: the executor sends MaxWatermark first.
//
// # Lateness
//
// A row is judged against the watermark as it was before the row
// arrived (the operator's current watermark when ProcessBatch is called).
// For each window of the row: if that window's last instant is <= the
// watermark, it has fired (pending windows always have end - 1 > wm,
// because they fire as soon as the watermark reaches them), so the row is
// dropped for that window and Metrics.LateRecordsDropped is incremented
// once per (row, window). A HOP or CUMULATE row can thus be late for one
// window and still count in another. Rows with a NULL time are dropped
// and counted in Metrics.RecordsSkipped.
//
// SESSION follows Flink's MergingWindowProcessFunction: the row's window
// is merged with the key's open sessions first, and the row is dropped
// only if the merged window is late (cleanup time end - 1 <= wm). Since
// open sessions are never late, this means: a row that intersects an open
// session is always kept (even with t + gap - 1 <= wm; it may extend the
// session backwards), and a row that intersects none is late exactly when
// t + gap - 1 <= wm.
//
// The window join judges lateness on its own watermark (the minimum of
// both inputs, passed by the executor): a row of either side whose
// (window_start, window_end) has end - 1 <= wm is dropped and counted,
// outer joins included. WindowTVF keeps late rows: it only labels them.
//
// # State layout (for snapshots)
//
// All state is plain structs, so a later change can write it to Badger
// (state/) key by key and read it back:
//
//	windowAgg (TUMBLE/HOP/CUMULATE)
//	  wm                        int64 current input watermark
//	  windows  map[span]*aggWindow
//	  aggWindow{start, end, fire, groups map[encoded key]*group, order []*group}
//	  group{key []Value, accs []acc}
//	  pending  heap of the same windows by (end, start); rebuilt from windows
//	sessionAgg
//	  wm, seq (next creation number)
//	  byKey    map[encoded key]*sessionKey{key []Value, sessions []*session sorted by start}
//	  session{start, end, fire, seq, accs []acc}
//	  pending  heap of (start, end, seq, *session) with lazy deletion; rebuilt from byKey
//	windowJoin
//	  wm, windows map[span]*joinWindow{start, end, fire, left []Row, right []Row (arrival order)}
//	acc (one per aggregate call and group): n, i (int64 sum / unscaled decimal sum),
//	  f (float sum), b (big decimal sum after int64 overflow), v (MIN/MAX value),
//	  seen (DISTINCT: encoded value -> value)
//
// With SET 'state.backend.memory-limit', the window aggregation's groups
// are a cache over a Badger spill table (spill.go: estimated size per
// group, CLOCK eviction of the windows that fire last, Bloom-filtered read
// back, firing by one range scan in first-seen order, snapshots that
// include spilled groups).
//
// A snapshot key such as (operator, window end, window start, group key)
// makes firing a range scan, as in Flink's slicing window operator.
// Group, DISTINCT and join keys are types.AppendKey bytes (stable, so
// they may be kept in snapshots): integer kinds share one encoding, a
// DECIMAL encodes its column's scale, every NaN is one value and -0.0
// differs from 0.0, as in Flink's binary rows. A window join whose key
// pair has two different types converts one side to the common type
// first (joinkey.go). MIN and MAX order by types.Compare, except FLOAT
// and DOUBLE, which compare as Java primitives, as Flink's generated
// MIN/MAX do.
//
// # Aggregates
//
// COUNT(*), COUNT(x) (skips NULL), SUM, AVG, MIN, MAX, each with DISTINCT
// and a FILTER column (only TRUE counts). SUM/AVG of integers accumulate
// in int64 and wrap to the result kind's width (AVG truncates toward zero,
// as Flink); FLOAT/DOUBLE in float64; DECIMAL as an unscaled int64 that
// switches to math/big on overflow, AVG rounding HALF_UP to the result
// scale. SUM, AVG, MIN, MAX of no rows are NULL; COUNT is 0. Each call is
// compiled into an aggFn whose update is a switch on a small kind code;
// no interfaces per row. This first version assigns a HOP/CUMULATE row to
// each of its windows; Flink-style slicing (a row updates one slice,
// windows merge slices when fired) is the next step and can reuse
// aggFn.merge, which sessions already use.
//
// # Calc
//
// Projections and the filter are compiled once with expr.Compile (plain
// column references are copied without a call). CURRENT_WATERMARK sees
// the operator's current input watermark; a runtime evaluation error
// (expr.Ctx.Err) fails the batch with that error.
package ops
