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
	"github.com/streamsql/streamsql/sql/types"
)

// temporalJoin is an event-time temporal join (planner.TemporalJoinOp),
// Flink's TemporalRowTimeJoinOperator. Per join key, as Flink:
//
//   - a left row is kept (in arrival order) until the watermark reaches
//     its time; a right row is a version of the versioned table at its
//     time (a later row at the same time replaces it; a delete is a
//     version that holds no row; update-before rows are ignored, Flink's
//     planner asks the right input for update-after rows only);
//   - each key has one timer, at the smallest time of a row that arrived
//     since it last fired (Flink's registerSmallestTimer). When the
//     watermark passes it, the left rows at or before the watermark are
//     emitted in arrival order, each joined with the right row of
//     largest time at or before its own (none, a delete, or a residual
//     condition that fails: padded with NULLs on a LEFT join, nothing on
//     an INNER one), then the right versions older than the newest one
//     at or before the watermark are dropped, and the timer is set at the
//     earliest left row still waiting;
//   - a left row that arrives with a time the watermark already passed
//     waits for the next watermark (the timer fires then), and joins what
//     the right side still holds: the version valid at its time if it was
//     not yet dropped, else nothing.
//
// A row whose key has a NULL compared with = matches nothing: a left one
// is emitted padded at once on a LEFT join, dropped on an INNER one; a
// right one is dropped. A row with a NULL time is skipped (counted).
// Rows come out as inserts, the left time attribute kept; they are at or
// before the watermark that fired them and go out before it. State is
// one entry per key (left rows, right versions, timer), by key group.
type temporalJoin struct {
	outer    bool
	side     [2]joinSide
	timeCol  [2]int
	nullSafe []bool
	cond     *joinCond
	ectx     expr.Ctx
	loc      *time.Location
	keys     map[string]*tjKey
	timers   keyTimers
	wm       int64
	keyBuf   []byte
	metrics  *core.Metrics
}

// tjKey is one join key's state.
type tjKey struct {
	// side and vals: the key's values as a row of input side first carried
	// them (EntryKey hashes them as that input's key)
	side     int
	vals     []types.Value
	left     []tjRow // waiting left rows, in arrival order
	right    []tjRow // versions by time, one per time
	hasTimer bool
	timer    int64
}

type tjRow struct {
	ts  int64
	del bool // a right delete: no version from ts on
	row core.Row
}

// NewTemporalJoin builds the temporal join of spec over the left and
// right input schemas. Output: left columns then right columns.
func NewTemporalJoin(spec *planner.TemporalJoinOp, left, right planner.Schema, ctx *core.Context) (core.Operator, error) {
	if spec == nil || (spec.Type != planner.JoinInner && spec.Type != planner.JoinLeft) {
		return nil, fmt.Errorf("temporal join: no spec or a join type other than INNER and LEFT")
	}
	if len(spec.LeftKeys) == 0 || len(spec.LeftKeys) != len(spec.RightKeys) || len(spec.NullSafe) != len(spec.LeftKeys) {
		return nil, fmt.Errorf("temporal join: %d left keys, %d right keys, %d NullSafe flags", len(spec.LeftKeys), len(spec.RightKeys), len(spec.NullSafe))
	}
	for i, s := range []struct {
		cols   []int
		schema planner.Schema
	}{{append([]int{spec.LeftTimeCol}, spec.LeftKeys...), left}, {append([]int{spec.RightTimeCol}, spec.RightKeys...), right}} {
		for _, c := range s.cols {
			if c < 0 || c >= len(s.schema) {
				return nil, fmt.Errorf("temporal join: %s column %d out of range (%d columns)", sideName(i), c, len(s.schema))
			}
		}
	}
	m, loc := metricsOf(ctx)
	if loc == nil {
		loc = time.UTC
	}
	o := &temporalJoin{outer: spec.Type == planner.JoinLeft, timeCol: [2]int{spec.LeftTimeCol, spec.RightTimeCol},
		nullSafe: spec.NullSafe, loc: loc, keys: map[string]*tjKey{}, wm: core.MinWatermark, metrics: m,
		ectx: expr.Ctx{TimeZone: loc, Watermark: core.MinWatermark}}
	lc, rc := joinKeyConvs(left, right, spec.LeftKeys, spec.RightKeys)
	o.side[0] = joinSide{keys: spec.LeftKeys, conv: lc, width: len(left), outer: o.outer}
	o.side[1] = joinSide{keys: spec.RightKeys, conv: rc, width: len(right)}
	var err error
	if o.cond, err = newJoinCond(spec.Condition, len(left), len(right), loc); err != nil {
		return nil, fmt.Errorf("temporal join: %w", err)
	}
	return o, nil
}

func (o *temporalJoin) ProcessBatch(input int, b *core.Batch, out core.Output) error {
	if input != 0 && input != 1 {
		return fmt.Errorf("temporal join: input %d does not exist (0 is left, 1 is right)", input)
	}
	e := &joinEmitter{lw: o.side[0].width, rw: o.side[1].width, hasWM: b.Watermarks != nil}
	var skipped int64
	for ri, row := range b.Rows {
		if len(row) != o.side[input].width {
			return fmt.Errorf("temporal join: %s row has %d columns, want %d", sideName(input), len(row), o.side[input].width)
		}
		if e.hasWM && b.Watermarks[ri] > o.wm {
			if err := o.advance(b.Watermarks[ri], e); err != nil {
				return err
			}
		}
		e.wm = o.wm
		kind := core.Insert
		if b.Kinds != nil {
			kind = b.Kinds[ri]
		}
		if kind == core.UpdateBefore && input == 1 {
			continue
		}
		if input == 0 && kind != core.Insert {
			return fmt.Errorf("temporal join: the left input sent a %v row; it must be append-only", kind)
		}
		tv := row[o.timeCol[input]]
		if tv.K == types.Null {
			skipped++
			continue
		}
		o.processRow(input, row, tv.I, kind == core.Delete, e)
	}
	if skipped > 0 {
		o.metrics.RecordsSkipped.Add(skipped)
	}
	o.metrics.OpenWindows.Store(int64(len(o.keys)))
	if len(e.b.Rows) == 0 {
		return nil
	}
	return out.Emit(&e.b)
}

// processRow is Flink's processElement1/2 for a row of side s at time t.
func (o *temporalJoin) processRow(s int, row core.Row, t int64, del bool, e *joinEmitter) {
	var matchable bool
	o.keyBuf, matchable = appendJoinKey(o.keyBuf[:0], row, o.side[s].keys, o.side[s].conv, o.nullSafe, o.loc)
	if !matchable {
		if s == 0 && o.outer {
			e.emit(core.Insert, row, nil)
		}
		return
	}
	key := string(o.keyBuf)
	k := o.keys[key]
	if k == nil {
		k = &tjKey{side: s, vals: make([]types.Value, len(o.side[s].keys))}
		for i, c := range o.side[s].keys {
			k.vals[i] = row[c]
		}
		o.keys[key] = k
	}
	if s == 0 {
		k.left = append(k.left, tjRow{ts: t, row: row})
	} else {
		at := sort.Search(len(k.right), func(i int) bool { return k.right[i].ts >= t })
		v := tjRow{ts: t, del: del, row: row}
		if at < len(k.right) && k.right[at].ts == t {
			k.right[at] = v
		} else {
			k.right = slices.Insert(k.right, at, v)
		}
	}
	if !k.hasTimer || k.timer > t {
		o.setTimer(key, k, t)
	}
}

func (o *temporalJoin) setTimer(key string, k *tjKey, t int64) {
	k.hasTimer, k.timer = true, t
	heap.Push(&o.timers, keyTimer{ts: t, key: key})
}

func (o *temporalJoin) ProcessWatermark(wm int64, out core.Output) error {
	e := &joinEmitter{lw: o.side[0].width, rw: o.side[1].width, hasWM: true}
	if err := o.advance(wm, e); err != nil {
		return err
	}
	o.metrics.OpenWindows.Store(int64(len(o.keys)))
	if len(e.b.Rows) == 0 {
		return nil
	}
	return out.Emit(&e.b)
}

// advance moves the watermark to wm and fires the keys' timers it
// passes (in time order, then key order); rows go to e with the
// watermark from before.
func (o *temporalJoin) advance(wm int64, e *joinEmitter) error {
	if wm <= o.wm {
		return nil
	}
	e.wm = o.wm
	o.wm = wm
	o.ectx.Watermark = wm
	o.metrics.CurrentWatermark.Store(wm)
	for o.timers.Len() > 0 && o.timers[0].ts <= wm {
		t := heap.Pop(&o.timers).(keyTimer)
		k := o.keys[t.key]
		if k == nil || !k.hasTimer || k.timer != t.ts {
			continue // replaced by an earlier timer, or already fired
		}
		k.hasTimer = false
		if err := o.fire(t.key, k, e); err != nil {
			return err
		}
	}
	return nil
}

// fire is Flink's onEventTime for key k: emitResultAndCleanUpState at
// the watermark, then the timer at the earliest left row still waiting.
func (o *temporalJoin) fire(key string, k *tjKey, e *joinEmitter) error {
	wm := o.wm
	waiting := k.left[:0]
	next, pending := int64(0), false
	for _, l := range k.left {
		if l.ts > wm {
			waiting = append(waiting, l)
			if !pending || l.ts < next {
				next, pending = l.ts, true
			}
			continue
		}
		v := o.version(k, l.ts)
		if v != nil {
			ok, err := o.cond.match(&o.ectx, l.row, v.row)
			if err != nil {
				return err
			}
			if ok {
				e.emit(core.Insert, l.row, v.row)
				continue
			}
		}
		if o.outer {
			e.emit(core.Insert, l.row, nil)
		}
	}
	clear(k.left[len(waiting):])
	k.left = waiting
	if len(k.left) == 0 {
		k.left = nil
	}
	// keep the newest version at or before the watermark and all later
	// ones (Flink's firstIndexToKeep)
	if n := sort.Search(len(k.right), func(i int) bool { return k.right[i].ts > wm }); n > 1 {
		k.right = slices.Delete(k.right, 0, n-1)
	}
	if pending {
		o.setTimer(key, k, next)
	}
	return nil
}

// version is the right row valid at t: the one of largest time at or
// before t, nil when there is none or it is a delete.
func (o *temporalJoin) version(k *tjKey, t int64) *tjRow {
	i := sort.Search(len(k.right), func(i int) bool { return k.right[i].ts > t })
	if i == 0 || k.right[i-1].del {
		return nil
	}
	return &k.right[i-1]
}

// Finish: the final ProcessWatermark(MaxWatermark) fired every timer.
func (o *temporalJoin) Finish(core.Output) error { return nil }

// ---------------------------------------------------------------- state

// Snapshot writes the watermark (table 0) and one entry per key (table 1,
// keyed by its encoded key): the input whose key values follow, the
// values, the timer (flag, time), the left rows (time, row) in arrival
// order and the right versions (time, delete flag, row) by time.
func (o *temporalJoin) Snapshot(w core.StateWriter) error {
	if err := putMeta(w, o.wm); err != nil {
		return err
	}
	var b []byte
	for _, key := range slices.Sorted(maps.Keys(o.keys)) {
		k := o.keys[key]
		b = appendSideKey(b[:0], k.side, k.vals)
		b = append(b, boolByte(k.hasTimer))
		b = binary.AppendVarint(b, k.timer)
		b = binary.AppendUvarint(b, uint64(len(k.left)))
		for _, r := range k.left {
			b = binary.AppendVarint(b, r.ts)
			b = core.AppendRow(b, r.row)
		}
		b = binary.AppendUvarint(b, uint64(len(k.right)))
		for _, r := range k.right {
			b = binary.AppendVarint(b, r.ts)
			b = append(b, boolByte(r.del))
			b = core.AppendRow(b, r.row)
		}
		if err := w.Put(tableWindow, []byte(key), b); err != nil {
			return err
		}
	}
	return nil
}

// Restore reads back what Snapshot wrote (possibly the entries of several
// subtasks, after rescaling).
func (o *temporalJoin) Restore(r core.StateReader) error {
	if err := readMeta(r, &o.wm); err != nil {
		return err
	}
	o.ectx.Watermark = o.wm
	o.keys = map[string]*tjKey{}
	o.timers = nil
	err := r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		k := &tjKey{}
		k.side, k.vals = readSideKey(d, len(o.side[0].keys))
		k.hasTimer = d.Byte() == 1
		k.timer = d.Varint()
		for s, rows := range []*[]tjRow{&k.left, &k.right} {
			n := d.Uvarint()
			for i := uint64(0); i < n && !d.Failed(); i++ {
				r := tjRow{ts: d.Varint()}
				if s == 1 {
					r.del = d.Byte() == 1
				}
				r.row = d.Row()
				if !d.Failed() && len(r.row) != o.side[s].width {
					d.Fail(sideName(s) + " row")
				}
				*rows = append(*rows, r)
			}
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("temporal join state: %w", err)
		}
		o.keys[string(key)] = k
		if k.hasTimer {
			o.timers = append(o.timers, keyTimer{ts: k.timer, key: string(key)})
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
func (o *temporalJoin) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return sideKeyEntry(table, value, &o.side, "temporal join")
}

var _ core.KeyedState = (*temporalJoin)(nil)
