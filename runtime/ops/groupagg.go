package ops

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// groupAgg is a group aggregation without a window (planner.GroupAggOp),
// Flink's GroupAggFunction: for every input row it updates its group's
// accumulators (an insert or +U accumulates, a -U or -D retracts) and
// emits the change of the group's result row at once:
//
//   - the group's first result: +I;
//   - a changed result: -U with the previous result, then +U with the new;
//   - an unchanged result: nothing when no state TTL is set; with a TTL,
//     -U/+U all the same (Flink's rule: it lets downstream state see the
//     key written, so that it does not expire there);
//   - the group's last row retracted: -D with the previous result, and the
//     group is dropped;
//   - a retraction for a group with no state (never seen): ignored.
//
// MIN and MAX keep every value with its count (Flink's
// MinWithRetractAggFunction keeps a MapView value -> count), so a
// retracted minimum is replaced by the next one; over an insert-only
// input (planner.GroupAggOp.InsertOnlyInput) they keep the extreme alone
// (Flink's MinAggFunction), and a retraction is refused. DISTINCT aggregates keep
// each distinct value's count and fold a value in when its count leaves
// zero and out when it returns to zero. State is one entry per group,
// addressed by its key (core.KeyedState), so it is split by key group at
// parallelism > 1 and on restore. With a state TTL (StateTTL) a group
// not written for the TTL is dropped without output, and a later row of
// its key starts it anew (Flink's behaviour).
type groupAgg struct {
	keys    []int
	fns     []aggFn
	groups  map[string]*aggGroup
	metrics *core.Metrics
	buf     []byte
	eq      rowEqual
	// dirty holds the groups created, changed or dropped since the last
	// snapshot (core.IncrementalState), by key; tracked from the first
	// snapshot on.
	dirty    map[string]*aggGroup
	tracking bool
	ttl      *StateTTL
	mb       *miniBatch // nil without mini-batch (minibatch.go)
	clock    func() int64
	// insertOnly: the planner found the input insert-only; plain: and no
	// aggregate keeps value counts, so a row folds as in a window
	// aggregation (aggregator.update).
	insertOnly, plain bool
	// Output rows are carved from slab (rowslab.go), a result is computed
	// into res first; a group's last result (aggGroup.prev) is its own
	// row, copied, so no emitted row is kept. With reuse (every consumer
	// a core.Borrower) slab and out serve every call.
	slab  rowSlab
	res   core.Row
	out   core.Batch
	wmBuf []int64
	reuse bool
}

// ReuseOutput lets groupAgg reuse its output rows and batch across calls.
func (o *groupAgg) ReuseOutput() { o.reuse, o.slab.reuse = true, true }

// outBatch starts an output batch (and its rows) for one call; withWM:
// its rows carry watermarks (else Watermarks stays nil).
func (o *groupAgg) outBatch(withWM bool) *core.Batch {
	o.slab.reset()
	if !o.reuse {
		return &core.Batch{}
	}
	ob := &o.out
	if cap(ob.Watermarks) > cap(o.wmBuf) {
		o.wmBuf = ob.Watermarks[:0] // grown by the last call
	}
	ob.Rows, ob.Kinds, ob.Watermarks = ob.Rows[:0], ob.Kinds[:0], nil
	if withWM {
		ob.Watermarks = o.wmBuf[:0]
	}
	return ob
}

// aggGroup is one group's state.
type aggGroup struct {
	k     string // its encoded key (the groups map's key)
	key   []types.Value
	count int64 // rows accumulated minus rows retracted
	accs  []acc
	vals  []map[string]*valCount // per aggregate: MIN/MAX values or DISTINCT values, nil otherwise
	prev  core.Row               // the result last emitted
}

type valCount struct {
	v types.Value
	n int64
}

// NewGroupAgg builds the operator for spec over input schema in.
func NewGroupAgg(spec *planner.GroupAggOp, in planner.Schema, ctx *core.Context) (core.Operator, error) {
	fns, err := newAggFns(spec.Aggs, in)
	if err != nil {
		return nil, err
	}
	setZone(fns, ctx)
	for _, k := range spec.GroupKeys {
		if k < 0 || k >= len(in) {
			return nil, fmt.Errorf("group key column %d out of range (input has %d columns)", k, len(in))
		}
	}
	plain := spec.InsertOnlyInput
	for i := range fns {
		// FIRST_VALUE and LAST_VALUE keep every value so that a retraction
		// can fall back to the next one (FirstValueWithRetractAggFunction)
		fns[i].keepList = fns[i].kind == aggFirst || fns[i].kind == aggLast
		fns[i].noRetract = spec.InsertOnlyInput
		plain = plain && !fns[i].keeps()
	}
	m, _ := metricsOf(ctx)
	o := &groupAgg{keys: spec.GroupKeys, fns: fns, groups: map[string]*aggGroup{}, metrics: m,
		insertOnly: spec.InsertOnlyInput, plain: plain}
	o.ttl = NewStateTTL(spec.StateTTL, ctx, tableTTL, 0, spec.GroupKeys)
	o.mb = newMiniBatch(spec.MiniBatchLatency, spec.MiniBatchSize, ctx)
	o.clock = ctx.Now
	o.slab.width = len(spec.GroupKeys) + len(fns)
	o.res = make(core.Row, o.slab.width)
	return o, nil
}

// dropGroup removes an expired group (StateTTL).
func (o *groupAgg) dropGroup(k string) {
	if g := o.groups[k]; g != nil && o.tracking {
		o.dirty[k] = g
	}
	delete(o.groups, k)
	o.mb.forget(k)
}

// keeps reports whether aggregate f keeps a value -> count map: MIN and
// MAX over a retracting input, DISTINCT aggregates.
func (f *aggFn) keeps() bool {
	return (f.kind == aggMin || f.kind == aggMax) && !f.noRetract || (f.distinct && f.kind != aggCountStar)
}

func (o *groupAgg) newGroup(row core.Row) *aggGroup {
	g := &aggGroup{key: make([]types.Value, len(o.keys)), accs: make([]acc, len(o.fns)), vals: make([]map[string]*valCount, len(o.fns))}
	for i, k := range o.keys {
		g.key[i] = row[k]
	}
	for i := range o.fns {
		if o.fns[i].keeps() {
			g.vals[i] = map[string]*valCount{}
		}
	}
	return g
}

func (o *groupAgg) ProcessBatch(_ int, b *core.Batch, out core.Output) error {
	o.ttl.Sweep(o.dropGroup)
	ob := o.outBatch(b.Watermarks != nil)
	for ri, row := range b.Rows {
		if o.insertOnly && b.Kinds != nil && b.Kinds[ri].IsRetract() {
			return fmt.Errorf("GroupAggregate: a %s row in an input planned as insert-only (its MIN/MAX keep no state for retraction)", b.Kinds[ri])
		}
		g, prev, ok := o.step(row, b.KindAt(ri))
		if !ok {
			continue
		}
		if o.mb != nil {
			var vals []types.Value
			if g != nil {
				vals = g.key
			}
			o.mb.add(o.buf, vals)
			if o.mb.full() {
				o.flush(ob, b.WatermarkAt(ri, 0), b.Watermarks != nil)
			}
			continue
		}
		o.change(ob, b.WatermarkAt(ri, 0), b.Watermarks != nil, prev, g)
	}
	if o.mb != nil && o.mb.due() {
		o.flush(ob, b.WatermarkAt(len(b.Rows)-1, 0), b.Watermarks != nil)
	}
	if len(ob.Rows) == 0 {
		return nil
	}
	return out.Emit(ob)
}

// step folds one input row into the group of its key: it returns the
// group (nil when the row retracted its last row: the group is dropped)
// and the group's result last emitted; ok is false for a retraction of a
// group with no state, which is ignored (Flink ignores it).
func (o *groupAgg) step(row core.Row, kind core.RowKind) (g *aggGroup, prev core.Row, ok bool) {
	o.buf = o.buf[:0]
	for _, k := range o.keys {
		o.buf = types.AppendKey(o.buf, row[k])
	}
	retract := kind.IsRetract()
	g = o.groups[string(o.buf)]
	if g == nil {
		if retract {
			return nil, nil, false
		}
		g = o.newGroup(row)
		g.k = string(o.buf)
		o.groups[g.k] = g
		g.prev = o.mb.reborn(g.k)
	}
	if o.tracking {
		o.dirty[g.k] = g
	}
	o.fold(g, row, retract)
	prev = g.prev
	if g.count <= 0 {
		delete(o.groups, g.k)
		o.ttl.Forget(g.k)
		o.mb.gone(g)
		return nil, prev, true
	}
	o.ttl.Touch(g.k, row)
	return g, prev, true
}

// change appends the change of a group's result to ob: from prev (the
// result last emitted, nil: none) to g's current result (g nil: the
// group is gone), and records what it emitted.
func (o *groupAgg) change(ob *core.Batch, wm int64, withWM bool, prev core.Row, g *aggGroup) {
	emit := func(k core.RowKind, r core.Row) {
		ob.Rows = append(ob.Rows, o.slab.copyOf(r))
		ob.Kinds = append(ob.Kinds, k)
		if withWM {
			ob.Watermarks = append(ob.Watermarks, wm)
		}
	}
	if g == nil {
		if prev != nil {
			emit(core.Delete, prev)
		}
		return
	}
	res := o.res
	copy(res, g.key)
	for i := range o.fns {
		res[len(o.keys)+i] = o.fns[i].result(&g.accs[i])
	}
	switch {
	case prev == nil:
		emit(core.Insert, res)
	case o.ttl == nil && o.eq.same(prev, res):
		return
	default:
		emit(core.UpdateBefore, prev)
		emit(core.UpdateAfter, res)
	}
	if g.prev == nil {
		g.prev = make(core.Row, len(res))
	}
	copy(g.prev, res) // in place: every emitted row is a copy
	if o.tracking {
		o.dirty[g.k] = g // a mini-batch flush changes what the group last emitted
	}
}

// fold accumulates (or retracts) one row into g.
func (o *groupAgg) fold(g *aggGroup, row core.Row, retract bool) {
	if retract {
		g.count--
	} else {
		g.count++
		if o.plain {
			agg := aggregator{fns: o.fns}
			agg.update(g.accs, row)
			return
		}
	}
	for i := range o.fns {
		f := &o.fns[i]
		if f.filter >= 0 && !f.passes(row[f.filter]) {
			continue
		}
		a := &g.accs[i]
		if f.kind == aggCountStar {
			a.n += pick64(retract, -1, 1)
			continue
		}
		v := row[f.arg]
		if v.K == types.Null && !f.keepNull {
			continue
		}
		if m := g.vals[i]; m != nil {
			f.buf = types.AppendKey(f.buf[:0], v)
			c := m[string(f.buf)]
			if !retract {
				if c == nil {
					c = &valCount{v: v}
					m[string(f.buf)] = c
				}
				c.n++
				if f.distinct && c.n > 1 && f.kind != aggMin && f.kind != aggMax {
					continue // already counted once
				}
			} else {
				if c == nil {
					continue // never accumulated
				}
				c.n--
				if c.n <= 0 {
					delete(m, string(f.buf))
				} else if f.distinct && f.kind != aggMin && f.kind != aggMax {
					continue // still present
				}
			}
		}
		if retract {
			f.unapply(a, v, g.vals[i])
		} else {
			f.apply(a, v)
		}
	}
}

func pick64(c bool, a, b int64) int64 {
	if c {
		return a
	}
	return b
}

// unapply removes one non-NULL value from a (the inverse of apply). For
// MIN and MAX, vals already holds the remaining values.
func (f *aggFn) unapply(a *acc, v types.Value, vals map[string]*valCount) {
	a.n--
	switch f.kind {
	case aggSumInt, aggAvgInt:
		a.i -= v.I
	case aggSumFloat, aggAvgFloat:
		a.f -= v.F()
		if f.kind == aggSumFloat && f.out.Kind == types.Float {
			a.f = float64(float32(a.f))
		}
	case aggSumDec, aggAvgDec:
		if !a.overflowed() {
			s := a.decSum()
			a.b = s.Sub(s, rescaleBig(v.Unscaled(), int(v.Scale), f.scale))
		}
	case aggMin, aggMax:
		// rescan the remaining values only when the extreme itself left
		if _, left := vals[string(f.buf)]; !left && types.Compare(v, a.v) == 0 {
			first := true
			for _, c := range vals {
				if first || f.beats(c.v, a.v) {
					a.v, first = c.v, false
				}
			}
		}
	default:
		f.unapplyExtra(a, v)
	}
	if a.n <= 0 {
		a.n, a.i, a.f, a.b, a.v = 0, 0, 0, nil, types.Value{}
	}
}

func (o *groupAgg) ProcessWatermark(_ int64, out core.Output) error {
	o.ttl.Sweep(o.dropGroup)
	return o.flushOut(out)
}

func (o *groupAgg) Finish(out core.Output) error { return o.flushOut(out) }

// BorrowsBatches: groupAgg copies the values it keeps.
func (o *groupAgg) BorrowsBatches() {}

// ---------------------------------------------------------------- state

// Snapshot writes one entry per group in table 1, keyed by the group's
// encoded key: key values, row count, accumulators, value counts, the
// last result.
func (o *groupAgg) Snapshot(w core.StateWriter) error {
	if err := putEntries(w, o.groups, o.appendGroup); err != nil {
		return err
	}
	o.tracking, o.dirty = true, map[string]*aggGroup{}
	if err := o.mb.snapshot(w, nil); err != nil {
		return err
	}
	return o.ttl.Snapshot(w)
}

// SnapshotChanges implements core.IncrementalState: the groups touched
// since the last snapshot, a Delete for those dropped.
func (o *groupAgg) SnapshotChanges(w core.DeltaWriter) error {
	if err := putChanges(w, o.dirty, o.groups, o.appendGroup); err != nil {
		return err
	}
	o.tracking, o.dirty = true, map[string]*aggGroup{}
	if err := o.mb.snapshot(w, w); err != nil {
		return err
	}
	return o.ttl.SnapshotChanges(w)
}

// appendGroup encodes one group's entry.
func (o *groupAgg) appendGroup(b []byte, g *aggGroup) []byte {
	for _, v := range g.key {
		b = core.AppendValue(b, v)
	}
	b = binary.AppendVarint(b, g.count)
	b = appendAccs(b, g.accs)
	b = appendValCounts(b, g.vals)
	return core.AppendRow(b, g.prev)
}

// Restore reads back what Snapshot wrote (possibly the entries of several
// subtasks, after rescaling).
func (o *groupAgg) Restore(r core.StateReader) error {
	o.groups = map[string]*aggGroup{}
	if err := o.ttl.Restore(r); err != nil {
		return fmt.Errorf("group aggregation state: %w", err)
	}
	mb := o.mb
	if mb == nil {
		// a checkpoint taken with mini-batch, restored without: its waiting
		// keys are emitted with the next row (a batch of one row from then on)
		mb = &miniBatch{size: 1, latency: 1, clock: o.clock}
	}
	if err := mb.restore(r, len(o.keys)); err != nil {
		return fmt.Errorf("group aggregation state: %w", err)
	}
	if o.mb == nil && len(mb.order) > 0 {
		o.mb = mb
	}
	return r.Scan(tableWindow, func(key, value []byte) error {
		d := core.NewStateDecoder(value)
		g := &aggGroup{key: readKeyValues(d, len(o.keys))}
		g.count = d.Varint()
		g.accs = readAccs(d, len(o.fns))
		g.vals = readValCounts(d, o.fns)
		g.prev = d.Row()
		if len(g.prev) == 0 {
			g.prev = nil
		}
		if err := d.Err(); err != nil {
			return fmt.Errorf("group aggregation state: %w", err)
		}
		g.k = string(key)
		o.groups[g.k] = g
		o.ttl.Adopt(g.k, g.key)
		return nil
	})
}

// appendValCounts writes each aggregate's value -> count map, in value order.
func appendValCounts(b []byte, vals []map[string]*valCount) []byte {
	for _, m := range vals {
		vk := make([]string, 0, len(m))
		for x := range m {
			vk = append(vk, x)
		}
		slices.Sort(vk)
		b = binary.AppendUvarint(b, uint64(len(vk)))
		for _, x := range vk {
			b = core.AppendValue(b, m[x].v)
			b = binary.AppendVarint(b, m[x].n)
		}
	}
	return b
}

// readValCounts reads what appendValCounts wrote for the aggregates fns.
func readValCounts(d *core.StateDecoder, fns []aggFn) []map[string]*valCount {
	vals := make([]map[string]*valCount, len(fns))
	for i := range fns {
		n := d.Uvarint()
		f := &fns[i]
		if f.keeps() {
			vals[i] = make(map[string]*valCount, min(n, 1<<16))
		} else if n > 0 && !f.noRetract {
			d.Fail("value counts of an aggregate that keeps none")
		}
		for j := uint64(0); j < n && !d.Failed(); j++ {
			v := d.Value()
			c := d.Varint()
			if vals[i] != nil { // else a MIN/MAX now insert-only: its accumulator has the extreme
				vals[i][string(types.AppendKey(nil, v))] = &valCount{v: v, n: c}
			}
		}
	}
	return vals
}

// EntryKey implements core.KeyedState: a group's entry starts with its
// key values.
func (o *groupAgg) EntryKey(table uint8, _, value []byte) (int, []int, []types.Value, bool, error) {
	return entryKey(table, value, func() (int, []int, []types.Value, bool, error) {
		if table == tableMiniBatch {
			table = tableWindow // its entries start with the key values too
		}
		return groupEntryKey(table, value, o.keys)
	})
}

var _ core.IncrementalState = (*groupAgg)(nil)
