package ops

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
	"github.com/streamsql/streamsql/sql/types"
)

// regularJoin is a join without a window (planner.JoinOp), Flink's
// StreamingJoinOperator (semi and anti joins: semiBatch). Each side keeps the multiset of its rows per
// join key (a row with its count; on an outer side also the number of
// other-side rows it is associated with). A row is joined at once with
// the other side's rows of its key that pass the residual condition (its
// associated rows, each as often as its count):
//
//   - an insert (+I, +U) on an outer side with no associated row emits
//     +I[row, NULLs] and is kept with 0 associations; with associated
//     rows it emits +I[row, other] for each and is kept with their number;
//   - an insert on an inner side is kept, and emits [row, other] for each
//     associated row with the input's kind (+I or +U) when the other side
//     is inner, +I when it is outer;
//   - when the other side is outer, each associated row that had no
//     association before first has its padded row retracted
//     (-D[NULLs, other]), and its association count grows by one;
//   - a retraction (-U, -D) takes one copy of the row out of its side's
//     state (nothing when it is not there) and emits, for each associated
//     row, -D[row, other] (the input's kind on an inner side), or
//     -D[row, NULLs] on an outer side with no associated row; an outer
//     row of the other side whose last association this was gets its
//     padded row back (+I[NULLs, other]).
//
// A key with a NULL in a column compared with = matches nothing (IS NOT
// DISTINCT FROM keys match NULL with NULL); its rows are still kept, and
// padded on an outer side. State is one entry per distinct row, so it is
// split by key group. With a state TTL (each side its own, StateTTL) a
// side's rows of a join key not written for the TTL are dropped; an
// outer row's association count is a write of its side.
type regularJoin struct {
	typ      planner.JoinType
	side     [2]joinSide
	nullSafe []bool
	cond     *joinCond
	ectx     expr.Ctx
	keyBuf   []byte
	encBuf   []byte
	assoc    []*joinRec
	metrics  *core.Metrics
}

type joinSide struct {
	keys    []int
	conv    []keyConv
	width   int
	outer   bool // padded with NULLs when unmatched (the left of a LEFT join ...)
	buckets map[string]*joinBucket
	ttl     *StateTTL
}

// joinBucket holds one join key's rows in arrival order.
type joinBucket struct{ recs []*joinRec }

type joinRec struct {
	row   core.Row
	enc   string // the row's exact encoding: its identity for retraction
	count int64  // copies of the row
	assoc int64  // outer side: associated rows of the other side
}

// NewJoin builds the regular join of spec over the left and right input
// schemas. Output: left columns then right columns.
func NewJoin(spec *planner.JoinOp, left, right planner.Schema, ctx *core.Context) (core.Operator, error) {
	if spec == nil {
		return nil, fmt.Errorf("join: nil spec")
	}
	if spec.Type > planner.JoinAnti {
		return nil, fmt.Errorf("join: unknown join type %d", spec.Type)
	}
	semi := spec.Type == planner.JoinSemi || spec.Type == planner.JoinAnti
	if len(spec.LeftKeys) != len(spec.RightKeys) || (len(spec.LeftKeys) == 0 && !semi) {
		return nil, fmt.Errorf("join: %d left keys and %d right keys", len(spec.LeftKeys), len(spec.RightKeys))
	}
	if spec.NullSafe != nil && len(spec.NullSafe) != len(spec.LeftKeys) {
		return nil, fmt.Errorf("join: %d NullSafe flags for %d keys", len(spec.NullSafe), len(spec.LeftKeys))
	}
	for i, s := range []struct {
		keys   []int
		schema planner.Schema
	}{{spec.LeftKeys, left}, {spec.RightKeys, right}} {
		for _, c := range s.keys {
			if c < 0 || c >= len(s.schema) {
				return nil, fmt.Errorf("join: %s key column %d out of range (%d columns)", sideName(i), c, len(s.schema))
			}
		}
	}
	m, loc := metricsOf(ctx)
	if loc == nil {
		loc = time.UTC
	}
	o := &regularJoin{typ: spec.Type, nullSafe: spec.NullSafe, metrics: m, ectx: expr.Ctx{TimeZone: loc, Watermark: core.MinWatermark}}
	if o.nullSafe == nil {
		o.nullSafe = make([]bool, len(spec.LeftKeys))
	}
	lc, rc := joinKeyConvs(left, right, spec.LeftKeys, spec.RightKeys)
	o.side[0] = joinSide{keys: spec.LeftKeys, conv: lc, width: len(left), outer: spec.Type == planner.JoinLeft || spec.Type == planner.JoinFull || semi, buckets: map[string]*joinBucket{}}
	o.side[1] = joinSide{keys: spec.RightKeys, conv: rc, width: len(right), outer: spec.Type == planner.JoinRight || spec.Type == planner.JoinFull, buckets: map[string]*joinBucket{}}
	for s, ttl := range []int64{spec.LeftStateTTL, spec.RightStateTTL} {
		side := &o.side[s]
		side.ttl = NewStateTTL(ttl, ctx, tableTTL+uint8(s), s, side.keys)
	}
	var err error
	if o.cond, err = newJoinCond(spec.Condition, len(left), len(right), loc); err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	return o, nil
}

// key encodes row's join key on side s into o.keyBuf; matchable is false
// when a column compared with = is NULL.
func (o *regularJoin) key(s *joinSide, row core.Row) (matchable bool) {
	o.keyBuf, matchable = appendJoinKey(o.keyBuf[:0], row, s.keys, s.conv, o.nullSafe, o.ectx.TimeZone)
	return matchable
}

// appendJoinKey appends row's join key (columns cols, each converted by
// conv to the pair's common type when conv is not nil) to b;
// matchable is false when a column compared with = (not nullSafe) is
// NULL: such a row matches nothing.
func appendJoinKey(b []byte, row core.Row, cols []int, conv []keyConv, nullSafe []bool, loc *time.Location) (_ []byte, matchable bool) {
	matchable = true
	for i, c := range cols {
		v := row[c]
		if v.K == types.Null && !nullSafe[i] {
			matchable = false
		}
		if conv != nil {
			v = conv[i].apply(v, loc)
		}
		b = types.AppendKey(b, v)
	}
	return b, matchable
}

// joinCond is a join's residual condition over the joined row.
type joinCond struct {
	f       func(c *expr.Ctx, row core.Row) bool
	scratch core.Row
	lw      int
}

// newJoinCond compiles cond over a left row of lw and a right row of rw
// columns (nil, nil without a condition).
func newJoinCond(cond planner.Expr, lw, rw int, loc *time.Location) (*joinCond, error) {
	if cond == nil {
		return nil, nil
	}
	f, err := expr.Compile(cond, &expr.Env{TimeZone: loc})
	if err != nil {
		return nil, fmt.Errorf("condition (%s): %w", cond, err)
	}
	return &joinCond{f: expr.Predicate(f), scratch: make(core.Row, lw+rw), lw: lw}, nil
}

// match reports whether the pair of left row l and right row r passes
// the condition (true when c is nil).
func (c *joinCond) match(ctx *expr.Ctx, l, r core.Row) (bool, error) {
	if c == nil {
		return true, nil
	}
	copy(c.scratch, l)
	copy(c.scratch[c.lw:], r)
	ok := c.f(ctx, c.scratch)
	if ctx.Err != nil {
		return false, fmt.Errorf("join condition: %w", ctx.Err)
	}
	return ok, nil
}

// joinEmitter collects the output rows of one batch.
type joinEmitter struct {
	b      core.Batch
	lw, rw int
	wm     int64
	hasWM  bool
}

func (e *joinEmitter) emit(k core.RowKind, l, r core.Row) {
	row := make(core.Row, e.lw+e.rw)
	if l != nil {
		copy(row, l)
	}
	if r != nil {
		copy(row[e.lw:], r)
	}
	e.b.Rows = append(e.b.Rows, row)
	e.b.Kinds = append(e.b.Kinds, k)
	if e.hasWM {
		e.b.Watermarks = append(e.b.Watermarks, e.wm)
	}
}

func (o *regularJoin) ProcessBatch(input int, b *core.Batch, out core.Output) error {
	if input != 0 && input != 1 {
		return fmt.Errorf("join: input %d does not exist (0 is left, 1 is right)", input)
	}
	o.sweep()
	in, other := &o.side[input], &o.side[1-input]
	e := &joinEmitter{lw: o.side[0].width, rw: o.side[1].width, hasWM: b.Watermarks != nil}
	if o.typ == planner.JoinSemi || o.typ == planner.JoinAnti {
		e.rw = 0
		if err := o.semiBatch(input, b, e); err != nil {
			return err
		}
		if len(e.b.Rows) == 0 {
			return nil
		}
		return out.Emit(&e.b)
	}
	// pair emits the joined row of an input row and an other-side row
	// (nil: NULL padding) in left, right order.
	pair := func(k core.RowKind, row, oth core.Row) {
		if input == 0 {
			e.emit(k, row, oth)
		} else {
			e.emit(k, oth, row)
		}
	}
	for ri, row := range b.Rows {
		if len(row) != in.width {
			return fmt.Errorf("join: %s row has %d columns, want %d", sideName(input), len(row), in.width)
		}
		if e.hasWM {
			e.wm = b.Watermarks[ri]
		}
		kind := b.KindAt(ri)
		matchable := o.key(in, row)
		key := string(o.keyBuf)
		assoc, n, err := o.associated(input, row, other, key, matchable)
		if err != nil {
			return err
		}
		if !kind.IsRetract() {
			outKind := core.Insert
			if !in.outer && !other.outer {
				outKind = kind
			}
			if n == 0 {
				if in.outer {
					pair(core.Insert, row, nil)
				}
			} else {
				if other.outer {
					for _, r := range assoc {
						if r.assoc == 0 {
							for range r.count {
								pair(core.Delete, nil, r.row)
							}
						}
						r.assoc++
					}
					other.ttl.Touch(key, assoc[0].row)
				}
				for _, r := range assoc {
					for range r.count {
						pair(outKind, row, r.row)
					}
				}
			}
			o.add(in, key, row, n)
			continue
		}
		o.retract(in, key, row)
		if n == 0 {
			if in.outer {
				pair(core.Delete, row, nil)
			}
			continue
		}
		outKind := core.Delete
		if !in.outer && !other.outer {
			outKind = kind
		}
		for _, r := range assoc {
			for range r.count {
				pair(outKind, row, r.row)
			}
		}
		if other.outer {
			for _, r := range assoc {
				if r.assoc == 1 {
					for range r.count {
						pair(core.Insert, nil, r.row)
					}
				}
				r.assoc--
			}
			other.ttl.Touch(key, assoc[0].row)
		}
	}
	if len(e.b.Rows) == 0 {
		return nil
	}
	return out.Emit(&e.b)
}

// semiBatch is a semi or anti join (Flink's StreamingSemiAntiJoinOperator):
// output rows are left rows. A left row is emitted with its own kind when
// it has an associated right row (semi) or has none (anti), and kept with
// its number of associations. A right insert (+I, +U) that gives a left
// row its first association emits that left row with the right row's
// kind (semi) or retracts it, -D (anti); a right retraction (-U, -D) that
// takes a left row's last association emits it with the right row's kind
// (semi) or inserts it back, +I (anti).
func (o *regularJoin) semiBatch(input int, b *core.Batch, e *joinEmitter) error {
	in, other := &o.side[input], &o.side[1-input]
	anti := o.typ == planner.JoinAnti
	for ri, row := range b.Rows {
		if len(row) != in.width {
			return fmt.Errorf("join: %s row has %d columns, want %d", sideName(input), len(row), in.width)
		}
		if e.hasWM {
			e.wm = b.Watermarks[ri]
		}
		kind := b.KindAt(ri)
		matchable := o.key(in, row)
		key := string(o.keyBuf)
		assoc, n, err := o.associated(input, row, other, key, matchable)
		if err != nil {
			return err
		}
		if input == 0 {
			if (n == 0) == anti {
				e.emit(kind, row, nil)
			}
			if kind.IsRetract() {
				o.retract(in, key, row)
			} else {
				o.add(in, key, row, n)
			}
			continue
		}
		if !kind.IsRetract() {
			o.add(in, key, row, 0)
			for _, r := range assoc {
				if r.assoc == 0 {
					k := kind
					if anti {
						k = core.Delete
					}
					for range r.count {
						e.emit(k, r.row, nil)
					}
				}
				r.assoc++
			}
			if len(assoc) > 0 {
				other.ttl.Touch(key, assoc[0].row)
			}
			continue
		}
		o.retract(in, key, row)
		for _, r := range assoc {
			if r.assoc == 1 {
				k := kind
				if anti {
					k = core.Insert
				}
				for range r.count {
					e.emit(k, r.row, nil)
				}
			}
			r.assoc--
		}
		if len(assoc) > 0 {
			other.ttl.Touch(key, assoc[0].row)
		}
	}
	return nil
}

// sweep drops each side's join keys not written for its state TTL.
func (o *regularJoin) sweep() {
	for s := range o.side {
		side := &o.side[s]
		side.ttl.Sweep(func(key string) { delete(side.buckets, key) })
	}
}

// associated returns the other side's rows of key that pass the
// condition with row, and their number counting copies.
func (o *regularJoin) associated(input int, row core.Row, other *joinSide, key string, matchable bool) ([]*joinRec, int64, error) {
	o.assoc = o.assoc[:0]
	if !matchable {
		return nil, 0, nil
	}
	bk := other.buckets[key]
	if bk == nil {
		return nil, 0, nil
	}
	var n int64
	for _, r := range bk.recs {
		l, rr := row, r.row
		if input == 1 {
			l, rr = rr, l
		}
		ok, err := o.cond.match(&o.ectx, l, rr)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			continue
		}
		o.assoc = append(o.assoc, r)
		n += r.count
	}
	return o.assoc, n, nil
}

// encode is a row's exact encoding (kind, scale and payload of each value).
func (o *regularJoin) encode(row core.Row) []byte {
	o.encBuf = o.encBuf[:0]
	for _, v := range row {
		o.encBuf = core.AppendValue(o.encBuf, v)
	}
	return o.encBuf
}

// add keeps one more copy of row under key; assoc is its number of
// associated rows (used on an outer side).
func (o *regularJoin) add(s *joinSide, key string, row core.Row, assoc int64) {
	enc := o.encode(row)
	s.ttl.Touch(key, row)
	bk := s.buckets[key]
	if bk == nil {
		bk = &joinBucket{}
		s.buckets[key] = bk
	}
	for _, r := range bk.recs {
		if r.enc == string(enc) {
			r.count++
			r.assoc = assoc
			return
		}
	}
	bk.recs = append(bk.recs, &joinRec{row: row, enc: string(enc), count: 1, assoc: assoc})
}

// retract takes one copy of row out of key's rows (nothing when absent).
func (o *regularJoin) retract(s *joinSide, key string, row core.Row) {
	bk := s.buckets[key]
	if bk == nil {
		return
	}
	enc := o.encode(row)
	for i, r := range bk.recs {
		if r.enc != string(enc) {
			continue
		}
		s.ttl.Touch(key, row)
		if r.count--; r.count <= 0 {
			bk.recs = slices.Delete(bk.recs, i, i+1)
			if len(bk.recs) == 0 {
				delete(s.buckets, key)
				s.ttl.Forget(key)
			}
		}
		return
	}
}

func (o *regularJoin) ProcessWatermark(wm int64, _ core.Output) error {
	o.sweep()
	o.ectx.Watermark = wm
	return nil
}

func (o *regularJoin) Finish(core.Output) error { return nil }

// ---------------------------------------------------------------- state

// Snapshot writes one entry per distinct row of either side in table 1,
// keyed by side, join key and the row's place among its key's rows (so a
// restore keeps the arrival order, hence the order of output rows); the
// value is the row, its count and its association count.
func (o *regularJoin) Snapshot(w core.StateWriter) error {
	var k, v []byte
	for s := range o.side {
		side := &o.side[s]
		keys := make([]string, 0, len(side.buckets))
		for key := range side.buckets {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		for _, key := range keys {
			for i, r := range side.buckets[key].recs {
				k = append(k[:0], byte(s))
				k = core.AppendBytes(k, []byte(key))
				k = core.AppendOrderedInt64(k, int64(i))
				v = core.AppendRow(v[:0], r.row)
				v = binary.AppendVarint(v, r.count)
				v = binary.AppendVarint(v, r.assoc)
				if err := w.Put(tableWindow, k, v); err != nil {
					return err
				}
			}
		}
		if err := side.ttl.Snapshot(w); err != nil {
			return err
		}
	}
	return nil
}

// Restore reads back what Snapshot wrote (possibly the entries of several
// subtasks, after rescaling).
func (o *regularJoin) Restore(r core.StateReader) error {
	for s := range o.side {
		o.side[s].buckets = map[string]*joinBucket{}
		if err := o.side[s].ttl.Restore(r); err != nil {
			return fmt.Errorf("join state: %w", err)
		}
	}
	return r.Scan(tableWindow, func(key, value []byte) error {
		if len(key) == 0 || key[0] > 1 {
			return fmt.Errorf("join state: %w: entry key of %d bytes", core.ErrBadState, len(key))
		}
		s := &o.side[key[0]]
		d := core.NewStateDecoder(value)
		row := d.Row()
		count, assoc := d.Varint(), d.Varint()
		if err := d.Err(); err != nil {
			return fmt.Errorf("join state: %w", err)
		}
		if len(row) != s.width || count <= 0 {
			return fmt.Errorf("join state: %w: %s row of %d columns (want %d), count %d", core.ErrBadState, sideName(int(key[0])), len(row), s.width, count)
		}
		o.key(s, row)
		bkey := string(o.keyBuf)
		bk := s.buckets[bkey]
		if bk == nil {
			bk = &joinBucket{}
			s.buckets[bkey] = bk
		}
		bk.recs = append(bk.recs, &joinRec{row: row, enc: string(o.encode(row)), count: count, assoc: assoc})
		s.ttl.Adopt(bkey, keyValues(row, s.keys))
		return nil
	})
}

// EntryKey implements core.KeyedState: an entry is a row of input
// key[0], whose key columns are hashed by the exchange into that side.
func (o *regularJoin) EntryKey(table uint8, key, value []byte) (int, []int, []types.Value, bool, error) {
	if isTTLTable(table) {
		return ttlEntryKey(value)
	}
	if table != tableWindow {
		return 0, nil, nil, false, nil
	}
	if len(key) == 0 || key[0] > 1 {
		return 0, nil, nil, false, fmt.Errorf("join state: %w: entry key of %d bytes", core.ErrBadState, len(key))
	}
	d := core.NewStateDecoder(value)
	row := d.Row()
	if d.Failed() {
		return 0, nil, nil, false, fmt.Errorf("join state: %w", d.Err())
	}
	return int(key[0]), nil, row, true, nil
}

var _ core.KeyedState = (*regularJoin)(nil)
