package ops

import (
	"container/heap"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
	"github.com/streamsql/streamsql/sql/config"
	"github.com/streamsql/streamsql/sql/types"
)

// intervalJoin is an event-time interval join (planner.IntervalJoinOp),
// Flink's RowTimeIntervalJoin (TimeIntervalJoin) run by a
// KeyedCoProcessOperatorWithWatermarkDelay. A left row l and a right row
// r of one key join when lower <= l.ts - r.ts <= upper. With
// rel = [-lower, upper] (Flink's leftRelativeSize, rightRelativeSize), a
// row of side s at time t wants the other side o's rows in
// [t - rel[o], t + rel[s]]. Operator time T is the watermark (0 before it
// is positive, as Flink's). Per key, as Flink:
//
//   - a row probes the other side's cached rows when that side's
//     expiration time T - rel[o] - 1 is before its upper bound: it joins
//     those in its range, and the cached rows at or before the expiration
//     time are removed on the way (an outer side's never-joined ones
//     emitted padded);
//   - it is cached while T < t + rel[s] (the other side may still bring a
//     partner), with a cleanup timer at t + rel[s] + min-cleanup + 1 when
//     its side has none; otherwise, never joined, it is emitted padded on
//     an outer side at once (and counted as a late row dropped on an
//     inner side);
//   - a side's cleanup timer removes its rows at or before T - rel[s] - 1
//     (padding the never-joined ones of an outer side) and registers the
//     next timer after the earliest row left.
//
// Unlike Flink, whose expiration times are fields of the operator shared
// by all keys (so a row's result can depend on other keys' rows), the
// expiration time is computed from the watermark each time: a bounded
// replay gives the same rows at every parallelism. A row whose key has a
// NULL compared with = matches nothing and is padded at once. With
// lower > upper nothing can match: outer rows are padded at once (Flink
// plans this as a union of padding maps).
//
// Rows come out as inserts. The output watermark is the input's minus
// max(rel) (Flink's getMaxOutputDelay), so joined rows are not late
// downstream. State is one entry per key (rows of both sides and the two
// timers), split by key group.
type intervalJoin struct {
	typ        planner.JoinType
	side       [2]joinSide
	timeCol    [2]int
	rel        [2]int64
	negative   bool // lower > upper: nothing joins
	minCleanup int64
	delay      int64
	nullSafe   []bool
	cond       *joinCond
	ectx       expr.Ctx
	loc        *time.Location
	keys       map[string]*ivKey
	timers     keyTimers
	wm         int64
	keyBuf     []byte
	metrics    *core.Metrics
}

// ivKey is one join key's state.
type ivKey struct {
	// side and vals: the key's values as a row of input side first carried
	// them (EntryKey hashes them as that input's key)
	side  int
	vals  []types.Value
	rows  [2][]ivRow // cached rows per side, by time (arrival order within one)
	timer [2]int64   // cleanup timer of each side's rows, 0 = none
}

type ivRow struct {
	ts     int64
	row    core.Row
	joined bool // emitted joined at least once (an outer row is then not padded)
}

// SettingIntervalJoinMinCleanup is Flink's option: the least time between
// two cleanups of a key's rows (default 0).
const SettingIntervalJoinMinCleanup = "table.exec.interval-join.min-cleanup-interval"

// NewIntervalJoin builds the interval join of spec over the left and
// right input schemas. Output: left columns then right columns.
func NewIntervalJoin(spec *planner.IntervalJoinOp, left, right planner.Schema, ctx *core.Context) (core.Operator, error) {
	if spec == nil || spec.Type > planner.JoinFull {
		return nil, fmt.Errorf("interval join: no spec or an unknown join type")
	}
	if len(spec.LeftKeys) != len(spec.RightKeys) || len(spec.NullSafe) != len(spec.LeftKeys) {
		return nil, fmt.Errorf("interval join: %d left keys, %d right keys, %d NullSafe flags", len(spec.LeftKeys), len(spec.RightKeys), len(spec.NullSafe))
	}
	for i, s := range []struct {
		cols   []int
		schema planner.Schema
	}{{append([]int{spec.LeftTimeCol}, spec.LeftKeys...), left}, {append([]int{spec.RightTimeCol}, spec.RightKeys...), right}} {
		for _, c := range s.cols {
			if c < 0 || c >= len(s.schema) {
				return nil, fmt.Errorf("interval join: %s column %d out of range (%d columns)", sideName(i), c, len(s.schema))
			}
		}
	}
	m, loc := metricsOf(ctx)
	if loc == nil {
		loc = time.UTC
	}
	o := &intervalJoin{typ: spec.Type, timeCol: [2]int{spec.LeftTimeCol, spec.RightTimeCol},
		rel: [2]int64{-spec.LowerBound, spec.UpperBound}, negative: spec.LowerBound > spec.UpperBound,
		delay: spec.OutputDelay(), nullSafe: spec.NullSafe, loc: loc, keys: map[string]*ivKey{},
		wm: core.MinWatermark, metrics: m, ectx: expr.Ctx{TimeZone: loc, Watermark: core.MinWatermark}}
	if ctx != nil {
		if s, ok := ctx.Settings[SettingIntervalJoinMinCleanup]; ok {
			d, err := config.Duration(s)
			if err != nil || d < 0 {
				return nil, fmt.Errorf("SET '%s' = '%s': want a duration such as '10 s'", SettingIntervalJoinMinCleanup, s)
			}
			o.minCleanup = d.Milliseconds()
		}
	}
	lc, rc := joinKeyConvs(left, right, spec.LeftKeys, spec.RightKeys)
	o.side[0] = joinSide{keys: spec.LeftKeys, conv: lc, width: len(left), outer: spec.Type == planner.JoinLeft || spec.Type == planner.JoinFull}
	o.side[1] = joinSide{keys: spec.RightKeys, conv: rc, width: len(right), outer: spec.Type == planner.JoinRight || spec.Type == planner.JoinFull}
	var err error
	if o.cond, err = newJoinCond(spec.Condition, len(left), len(right), loc); err != nil {
		return nil, fmt.Errorf("interval join: %w", err)
	}
	return o, nil
}

// HoldWatermark implements core.WatermarkHolder: the output watermark
// lags the input's by the larger relative bound.
func (o *intervalJoin) HoldWatermark(wm int64) int64 {
	if wm == core.MinWatermark || wm == core.MaxWatermark || o.delay <= 0 {
		return wm
	}
	if wm < core.MinWatermark+o.delay {
		return core.MinWatermark
	}
	return wm - o.delay
}

// operatorTime is Flink's operator time: the watermark, 0 until positive.
func (o *intervalJoin) operatorTime() int64 { return max(o.wm, 0) }

// expiration is the time at or before which rows of a side with relative
// size rel are no longer needed (Flink's calExpirationTime, lateness 0).
func (o *intervalJoin) expiration(rel int64) int64 {
	if o.wm == core.MaxWatermark {
		return core.MaxWatermark
	}
	return o.operatorTime() - rel - 1
}

// emit appends a joined or padded row (l or r nil: padded).
func (o *intervalJoin) emit(e *joinEmitter, s int, row, other core.Row) {
	if s == 0 {
		e.emit(core.Insert, row, other)
	} else {
		e.emit(core.Insert, other, row)
	}
}

func (o *intervalJoin) ProcessBatch(input int, b *core.Batch, out core.Output) error {
	if input != 0 && input != 1 {
		return fmt.Errorf("interval join: input %d does not exist (0 is left, 1 is right)", input)
	}
	e := &joinEmitter{lw: o.side[0].width, rw: o.side[1].width, hasWM: b.Watermarks != nil}
	var skipped, late int64
	for ri, row := range b.Rows {
		if len(row) != o.side[input].width {
			return fmt.Errorf("interval join: %s row has %d columns, want %d", sideName(input), len(row), o.side[input].width)
		}
		if e.hasWM && b.Watermarks[ri] > o.wm {
			o.advance(b.Watermarks[ri], e)
		}
		e.wm = o.HoldWatermark(o.wm)
		tv := row[o.timeCol[input]]
		if tv.K == types.Null {
			skipped++
			continue
		}
		dropped, err := o.processRow(input, row, tv.I, e)
		if err != nil {
			return err
		}
		if dropped {
			late++
		}
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	if late > 0 {
		o.metrics.LateRecordsDropped.Add(late)
	}
	o.metrics.OpenWindows.Store(int64(len(o.keys)))
	if len(e.b.Rows) == 0 {
		return nil
	}
	return out.Emit(&e.b)
}

// processRow is Flink's processElement1/2 for a row of side s at time t;
// dropped reports a row of an inner side that arrived too late to be
// kept and joined nothing.
func (o *intervalJoin) processRow(s int, row core.Row, t int64, e *joinEmitter) (dropped bool, err error) {
	if o.negative {
		if o.side[s].outer {
			o.emit(e, s, row, nil)
		}
		return false, nil
	}
	var matchable bool
	o.keyBuf, matchable = appendJoinKey(o.keyBuf[:0], row, o.side[s].keys, o.side[s].conv, o.nullSafe, o.loc)
	if !matchable {
		if o.side[s].outer {
			o.emit(e, s, row, nil)
		}
		return false, nil
	}
	oth := 1 - s
	lb, ub := t-o.rel[oth], t+o.rel[s]
	k := o.keys[string(o.keyBuf)]
	joined := false
	if exp := o.expiration(o.rel[oth]); k != nil && exp < ub {
		rows := k.rows[oth]
		n := 0 // rows at or before exp: a prefix (rows are by time)
		for i := range rows {
			r := &rows[i]
			if r.ts >= lb && r.ts <= ub {
				var l, rr core.Row = row, r.row
				if s == 1 {
					l, rr = rr, l
				}
				ok, err := o.cond.match(&o.ectx, l, rr)
				if err != nil {
					return false, err
				}
				if ok {
					o.emit(e, s, row, r.row)
					joined, r.joined = true, true
				}
			}
			if r.ts <= exp {
				if o.side[oth].outer && !r.joined {
					o.emit(e, oth, r.row, nil)
				}
				n++
			} else if r.ts > ub {
				break
			}
		}
		if n > 0 {
			k.rows[oth] = slices.Delete(rows, 0, n)
		}
	}
	if o.operatorTime() < ub {
		key := string(o.keyBuf)
		if k == nil {
			k = &ivKey{side: s, vals: make([]types.Value, len(o.side[s].keys))}
			for i, c := range o.side[s].keys {
				k.vals[i] = row[c]
			}
			o.keys[key] = k
		}
		rows := k.rows[s]
		at := sort.Search(len(rows), func(i int) bool { return rows[i].ts > t })
		k.rows[s] = slices.Insert(rows, at, ivRow{ts: t, row: row, joined: joined})
		if k.timer[s] == 0 {
			o.register(key, k, s, t)
		}
		return false, nil
	}
	if !joined && o.side[s].outer {
		o.emit(e, s, row, nil)
	}
	return !joined && !o.side[s].outer, nil
}

// register sets the cleanup timer of side s's rows of key k after a row
// at time t (Flink's registerCleanUpTimer).
func (o *intervalJoin) register(key string, k *ivKey, s int, t int64) {
	ts := t + o.rel[s] + o.minCleanup + 1
	if k.timer[s] == ts {
		return
	}
	k.timer[s] = ts
	if k.timer[1-s] != ts {
		heap.Push(&o.timers, keyTimer{ts: ts, key: key})
	}
}

func (o *intervalJoin) ProcessWatermark(wm int64, out core.Output) error {
	e := &joinEmitter{lw: o.side[0].width, rw: o.side[1].width, hasWM: true}
	o.advance(wm, e)
	o.metrics.OpenWindows.Store(int64(len(o.keys)))
	if len(e.b.Rows) == 0 {
		return nil
	}
	return out.Emit(&e.b)
}

// advance moves the watermark to wm and fires the cleanup timers it
// passes; padded rows go to e with the output watermark from before.
func (o *intervalJoin) advance(wm int64, e *joinEmitter) {
	if wm <= o.wm {
		return
	}
	e.wm = o.HoldWatermark(o.wm)
	o.wm = wm
	o.ectx.Watermark = wm
	o.metrics.CurrentWatermark.Store(wm)
	for o.timers.Len() > 0 && o.timers[0].ts <= wm {
		t := heap.Pop(&o.timers).(keyTimer)
		k := o.keys[t.key]
		if k == nil {
			continue
		}
		// Flink's onTimer: the right rows' timer first, then the left's
		for _, s := range []int{1, 0} {
			if k.timer[s] == t.ts {
				o.cleanup(t.key, k, s, e)
			}
		}
		if k.timer == [2]int64{} && len(k.rows[0]) == 0 && len(k.rows[1]) == 0 {
			delete(o.keys, t.key)
		}
	}
}

// cleanup is Flink's removeExpiredRows for side s of key k.
func (o *intervalJoin) cleanup(key string, k *ivKey, s int, e *joinEmitter) {
	exp := o.expiration(o.rel[s])
	rows := k.rows[s]
	n := 0
	for n < len(rows) && rows[n].ts <= exp {
		if o.side[s].outer && !rows[n].joined {
			o.emit(e, s, rows[n].row, nil)
		}
		n++
	}
	k.rows[s] = slices.Delete(rows, 0, n)
	if len(k.rows[s]) == 0 {
		k.rows[s] = nil
		k.timer[s] = 0
		return
	}
	o.register(key, k, s, k.rows[s][0].ts)
}

// Finish: the final ProcessWatermark(MaxWatermark) expired every row.
func (o *intervalJoin) Finish(core.Output) error { return nil }

// ---------------------------------------------------------------- state

// Snapshot writes the watermark (table 0) and one entry per key (table 1,
// keyed by its encoded key): the input whose key values follow, the
// values, the two timers, and each side's rows (time, joined, row).
func (o *intervalJoin) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm); err != nil {
		return err
	}
	var b []byte
	for _, key := range slices.Sorted(maps.Keys(o.keys)) {
		k := o.keys[key]
		b = appendSideKey(b[:0], k.side, k.vals)
		b = binary.AppendVarint(b, k.timer[0])
		b = binary.AppendVarint(b, k.timer[1])
		for s := range k.rows {
			b = binary.AppendUvarint(b, uint64(len(k.rows[s])))
			for _, r := range k.rows[s] {
				b = binary.AppendVarint(b, r.ts)
				joined := byte(0)
				if r.joined {
					joined = 1
				}
				b = append(b, joined)
				b = core.AppendRow(b, r.row)
			}
		}
		if err := w.Put(tableWindow, []byte(key), b); err != nil {
			return err
		}
	}
	return nil
}

// Restore reads back what Snapshot wrote (possibly the entries of several
// subtasks, after rescaling).
func (o *intervalJoin) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm); err != nil {
		return err
	}
	o.ectx.Watermark = o.wm
	o.keys = map[string]*ivKey{}
	o.timers = nil
	err := r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		k := &ivKey{}
		k.side, k.vals = readSideKey(d, len(o.side[0].keys))
		k.timer[0], k.timer[1] = d.Varint(), d.Varint()
		for s := range k.rows {
			n := d.Uvarint()
			for i := uint64(0); i < n && !d.Failed(); i++ {
				ts := d.Varint()
				joined := d.Byte() == 1
				row := d.Row()
				if !d.Failed() && len(row) != o.side[s].width {
					d.Fail(sideName(s) + " row")
				}
				k.rows[s] = append(k.rows[s], ivRow{ts: ts, row: row, joined: joined})
			}
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("interval join state: %w", err)
		}
		o.keys[string(key)] = k
		for s, ts := range k.timer {
			if ts != 0 && (s == 0 || k.timer[0] != ts) {
				o.timers = append(o.timers, keyTimer{ts: ts, key: string(key)})
			}
		}
		return nil
	})
	heap.Init(&o.timers)
	o.metrics.CurrentWatermark.Store(o.wm)
	o.metrics.OpenWindows.Store(int64(len(o.keys)))
	return err
}

// EntryKey implements core.KeyedState: a key's entry holds its values as
// a row of the input it names.
func (o *intervalJoin) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return sideKeyEntry(table, value, &o.side, "interval join")
}

var (
	_ core.KeyedState      = (*intervalJoin)(nil)
	_ core.WatermarkHolder = (*intervalJoin)(nil)
)
