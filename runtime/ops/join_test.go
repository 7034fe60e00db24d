package ops

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// The regular join against an independent reference: both inputs are
// random valid changelogs (inserts, and retractions -D or -U/+U of rows
// present) with duplicate rows, NULL keys and keys in arrival order that
// jumps between keys. Join types: the four regular joins and semi / anti
// joins (IN / EXISTS / NOT EXISTS on a key; keyless with NOT IN's
// null-aware condition). After every input row the table the join's output
// changelog describes (each +I/+U adds its row, each -U/-D removes one
// copy) must equal a nested-loop join of the two inputs' current tables:
// pairs whose keys are equal (NULL matches nothing under =, NULL under IS
// NOT DISTINCT FROM) and that pass the residual l.v < r.w, plus each
// unmatched row of an outer side padded with NULLs. The input is run
// through one operator, and through 2 and 4 operators each taking the
// keys of its key groups (as the hash exchange routes them), and through
// one operator snapshotted and restored after every 7th row: all must
// end with the reference table, and the restored run must emit exactly
// the changelog of the uninterrupted one.

// jrow is a test input row: key (nil: NULL) and value.
type jrow struct {
	k *int64
	v int64
}

func (r jrow) row() core.Row {
	k := types.NullValue
	if r.k != nil {
		k = bi(*r.k)
	}
	return core.Row{k, bi(r.v)}
}

type jchange struct {
	side int
	kind core.RowKind
	r    jrow
}

// randomChangelogs makes n changes over both sides, every retraction
// taking out a row present at that moment.
func randomChangelogs(rng *rand.Rand, n int) []jchange {
	var cur [2][]jrow
	var out []jchange
	for len(out) < n {
		s := rng.Intn(2)
		if len(cur[s]) > 0 && rng.Intn(3) == 0 {
			i := rng.Intn(len(cur[s]))
			old := cur[s][i]
			if rng.Intn(2) == 0 {
				out = append(out, jchange{s, core.Delete, old})
				cur[s] = slices.Delete(cur[s], i, i+1)
				continue
			}
			nw := jrow{k: old.k, v: rng.Int63n(6)}
			out = append(out, jchange{s, core.UpdateBefore, old}, jchange{s, core.UpdateAfter, nw})
			cur[s][i] = nw
			continue
		}
		r := jrow{v: rng.Int63n(6)}
		if rng.Intn(8) > 0 {
			k := rng.Int63n(5)
			r.k = &k
		}
		out = append(out, jchange{s, core.Insert, r})
		cur[s] = append(cur[s], r)
	}
	return out
}

// referenceJoin is the nested-loop join of the current tables, as sorted
// row strings (semi/anti: the left rows with some / no match).
func referenceJoin(typ planner.JoinType, nullSafe, cond bool, l, r []jrow) []string {
	match := func(a, b jrow) bool {
		if nullSafe && typ >= planner.JoinSemi {
			// keyless NOT IN: k = k' is TRUE or NULL
			return a.k == nil || b.k == nil || *a.k == *b.k
		}
		if a.k == nil || b.k == nil {
			if !nullSafe || a.k != nil || b.k != nil {
				return false
			}
		} else if *a.k != *b.k {
			return false
		}
		return !cond || a.v < b.v
	}
	null := core.Row{types.NullValue, types.NullValue}
	var out []string
	rMatched := make([]bool, len(r))
	if typ >= planner.JoinSemi {
		for _, a := range l {
			if slices.ContainsFunc(r, func(b jrow) bool { return match(a, b) }) == (typ == planner.JoinSemi) {
				out = append(out, fmtRow(a.row()))
			}
		}
		slices.Sort(out)
		return out
	}
	for _, a := range l {
		m := false
		for j, b := range r {
			if match(a, b) {
				m, rMatched[j] = true, true
				out = append(out, fmtRow(append(a.row(), b.row()...)))
			}
		}
		if !m && (typ == planner.JoinLeft || typ == planner.JoinFull) {
			out = append(out, fmtRow(append(a.row(), null...)))
		}
	}
	if typ == planner.JoinRight || typ == planner.JoinFull {
		for j, b := range r {
			if !rMatched[j] {
				out = append(out, fmtRow(append(slices.Clone(null), b.row()...)))
			}
		}
	}
	slices.Sort(out)
	return out
}

// tableCollector materializes a changelog into a multiset of rows.
type tableCollector struct {
	rows  map[string]int
	lines []string
	err   error
}

func (c *tableCollector) Emit(b *core.Batch) error {
	for i, r := range b.Rows {
		s := fmtRow(r)
		k := b.KindAt(i)
		c.lines = append(c.lines, k.String()+s)
		if k.IsRetract() {
			if c.rows[s] == 0 && c.err == nil {
				c.err = fmt.Errorf("%s retracts a row not in the result", k.String()+s)
			}
			c.rows[s]--
			if c.rows[s] == 0 {
				delete(c.rows, s)
			}
		} else {
			c.rows[s]++
		}
	}
	return nil
}

func (c *tableCollector) table() []string {
	var out []string
	for s, n := range c.rows {
		for range n {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// joinSpec is the join on k (NULL-safe or not), with l.v < r.w when
// cond; a semi/anti join with nullSafe is instead keyless with NOT IN's
// null-aware condition OR(=(k, k0), IS NULL(=(k, k0))).
func joinSpec(typ planner.JoinType, nullSafe, cond bool) *planner.JoinOp {
	spec := &planner.JoinOp{Type: typ, LeftKeys: []int{0}, RightKeys: []int{0}, NullSafe: []bool{nullSafe}}
	if nullSafe && typ >= planner.JoinSemi {
		k := types.TBigInt.Nullable()
		eq := &planner.Call{Func: "=", Args: []planner.Expr{&planner.ColRef{Index: 0, Name: "k", T: k}, &planner.ColRef{Index: 2, Name: "k0", T: k}}, T: types.TBoolean.Nullable()}
		isNull := &planner.Call{Func: "IS NULL", Args: []planner.Expr{eq}, T: types.TBoolean}
		spec.LeftKeys, spec.RightKeys, spec.NullSafe = nil, nil, nil
		spec.Condition = &planner.Call{Func: "OR", Args: []planner.Expr{eq, isNull}, T: types.TBoolean}
	}
	if cond && spec.Condition == nil {
		spec.Condition = &planner.Call{Func: "<", Args: []planner.Expr{
			&planner.ColRef{Index: 1, Name: "v", T: types.TBigInt}, &planner.ColRef{Index: 3, Name: "w", T: types.TBigInt}}, T: types.TBoolean}
	}
	return spec
}

var joinSchema = planner.Schema{{Name: "k", Type: types.TBigInt.Nullable()}, {Name: "v", Type: types.TBigInt}}

func TestRegularJoinAgainstReference(t *testing.T) {
	for _, typ := range []planner.JoinType{planner.JoinInner, planner.JoinLeft, planner.JoinRight, planner.JoinFull, planner.JoinSemi, planner.JoinAnti} {
		for _, nullSafe := range []bool{false, true} {
			for _, cond := range []bool{false, true} {
				name := fmt.Sprintf("%s/nullsafe=%t/cond=%t", typ, nullSafe, cond)
				t.Run(name, func(t *testing.T) {
					for seed := int64(1); seed <= 20; seed++ {
						checkJoinRun(t, typ, nullSafe, cond, randomChangelogs(rand.New(rand.NewSource(seed)), 60))
					}
				})
			}
		}
	}
}

func checkJoinRun(t *testing.T, typ planner.JoinType, nullSafe, cond bool, changes []jchange) {
	t.Helper()
	spec := joinSpec(typ, nullSafe, cond)
	build := func() core.Operator {
		op, err := NewJoin(spec, joinSchema, joinSchema, newCtx())
		mustNoErr(t, err)
		return op
	}
	send := func(op core.Operator, c core.Output, ch jchange) {
		b := batch(ch.r.row())
		b.Kinds = []core.RowKind{ch.kind}
		mustNoErr(t, op.ProcessBatch(ch.side, b, c))
	}
	// one operator, checked after every row
	var cur [2][]jrow
	one := &tableCollector{rows: map[string]int{}}
	op := build()
	for i, ch := range changes {
		send(op, one, ch)
		if ch.kind.IsRetract() {
			j := slices.IndexFunc(cur[ch.side], func(r jrow) bool { return fmtRow(r.row()) == fmtRow(ch.r.row()) })
			cur[ch.side] = slices.Delete(cur[ch.side], j, j+1)
		} else {
			cur[ch.side] = append(cur[ch.side], ch.r)
		}
		if one.err != nil {
			t.Fatalf("after change %d: %v\nchangelog %q", i, one.err, one.lines)
		}
		want := referenceJoin(typ, nullSafe, cond, cur[0], cur[1])
		if got := one.table(); !slices.Equal(got, want) {
			t.Fatalf("after change %d (%s %s on side %d):\n got %q\nwant %q\nchangelog %q", i, ch.kind, fmtRow(ch.r.row()), ch.side, got, want, one.lines)
		}
	}
	final := one.table()
	// 2 and 4 operators, each owning the key groups of its subtask
	for _, p := range []int{2, 4} {
		c := &tableCollector{rows: map[string]int{}}
		opsP := make([]core.Operator, p)
		for i := range opsP {
			opsP[i] = build()
		}
		var buf []byte
		for _, ch := range changes {
			var h int32
			h, buf = core.RowKeyHash(ch.r.row(), spec.LeftKeys, buf)
			sub := core.OperatorIndexForKeyGroup(planner.DefaultMaxParallelism, p, core.KeyGroupForHash(h, planner.DefaultMaxParallelism))
			if len(spec.LeftKeys) == 0 {
				sub = 0 // keyless: one subtask (the planner's single distribution)
			}
			send(opsP[sub], c, ch)
		}
		if got := c.table(); !slices.Equal(got, final) || c.err != nil {
			t.Fatalf("at parallelism %d (%v):\n got %q\nwant %q", p, c.err, got, final)
		}
	}
	// snapshot and restore into a fresh operator every 7 rows
	c := &tableCollector{rows: map[string]int{}}
	op = build()
	for i, ch := range changes {
		if i%7 == 6 {
			st := memState{}
			mustNoErr(t, op.(core.Snapshotter).Snapshot(st))
			for k, v := range st[tableWindow] {
				side, cols, vals, keyed, err := op.(core.KeyedState).EntryKey(tableWindow, []byte(k), []byte(v))
				if err != nil || !keyed || cols != nil || len(vals) != 2 || side > 1 {
					t.Fatalf("EntryKey = %d %v %v %v %v", side, cols, vals, keyed, err)
				}
			}
			op = build()
			mustNoErr(t, op.(core.Snapshotter).Restore(st))
		}
		send(op, c, ch)
	}
	if !slices.Equal(c.lines, one.lines) {
		t.Fatalf("restored run differs:\n got %s\nwant %s", strings.Join(c.lines, " "), strings.Join(one.lines, " "))
	}
}

// Flink's changelog for a LEFT join, worked out by hand from
// StreamingJoinOperator's documented rules: the padded row first, -D of
// it when the first match arrives, +I of it again when the last match is
// retracted; an inner-side -U/+U becomes -D/+I on an outer join.
func TestRegularJoinLeftChangelog(t *testing.T) {
	op, err := NewJoin(joinSpec(planner.JoinLeft, false, false), joinSchema, joinSchema, newCtx())
	mustNoErr(t, err)
	c := &tableCollector{rows: map[string]int{}}
	k := int64(1)
	for _, ch := range []jchange{
		{0, core.Insert, jrow{&k, 10}},
		{1, core.Insert, jrow{&k, 20}},
		{1, core.Insert, jrow{&k, 21}},
		{1, core.UpdateBefore, jrow{&k, 20}},
		{1, core.UpdateAfter, jrow{&k, 22}},
		{1, core.Delete, jrow{&k, 21}},
		{1, core.Delete, jrow{&k, 22}},
		{0, core.Delete, jrow{&k, 10}},
	} {
		b := batch(ch.r.row())
		b.Kinds = []core.RowKind{ch.kind}
		mustNoErr(t, op.ProcessBatch(ch.side, b, c))
	}
	row := func(w int64) string {
		if w < 0 {
			return fmtRow(core.Row{bi(1), bi(10), types.NullValue, types.NullValue})
		}
		return fmtRow(core.Row{bi(1), bi(10), bi(1), bi(w)})
	}
	want := []string{
		"+I" + row(-1),
		"-D" + row(-1), "+I" + row(20),
		"+I" + row(21),
		"-D" + row(20),
		"+I" + row(22),
		"-D" + row(21),
		"-D" + row(22), "+I" + row(-1),
		"-D" + row(-1),
	}
	if !slices.Equal(c.lines, want) {
		t.Errorf("changelog\n got %q\nwant %q", c.lines, want)
	}
}
