package ops

import (
	"slices"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// The state TTL with a fake clock: a key expires once it has not been
// written for the TTL (not a millisecond before), a write restarts its
// time, an expired key starts anew (a group aggregation then emits +I
// again, Flink's documented consequence), a retraction for an expired
// key is ignored, and the times survive a snapshot and a restore at
// another parallelism (1 -> 2 and 2 -> 1, entries split by key group as
// the runtime splits them). The expected changes follow Flink's
// GroupAggFunction with StateTtlConfig (OnCreateAndWrite, never return
// expired), worked out by hand.

const ttlMaxP = 128

// fakeClock is a processing-time clock the test moves.
type fakeClock struct{ ms int64 }

func (c *fakeClock) now() int64 { return c.ms }

// subtasks runs p instances of a keyed operator, routing each row to the
// subtask owning its key group, as the runtime's hash exchange does.
type subtasks struct {
	ops  []core.Operator
	ctxs []*core.Context
	cols []int // key columns of input 0
}

func newSubtasks(t *testing.T, p int, clock *fakeClock, cols []int, build func(ctx *core.Context) (core.Operator, error)) *subtasks {
	s := &subtasks{cols: cols}
	for range p {
		ctx := &core.Context{Metrics: core.NewMetrics(), Clock: clock.now}
		op, err := build(ctx)
		mustNoErr(t, err)
		s.ops = append(s.ops, op)
		s.ctxs = append(s.ctxs, ctx)
	}
	return s
}

func keyGroupOfVals(vals []types.Value) int {
	var b []byte
	for _, v := range vals {
		b = types.AppendKey(b, v)
	}
	return core.KeyGroupForHash(core.KeyHash(b), ttlMaxP)
}

func (s *subtasks) owner(row core.Row, cols []int) int {
	return core.OperatorIndexForKeyGroup(ttlMaxP, len(s.ops), keyGroupOfVals(keyValues(row, cols)))
}

// send delivers one row of input in to its subtask.
func (s *subtasks) send(t *testing.T, c *kindCollector, in int, cols []int, kind core.RowKind, row core.Row) {
	t.Helper()
	b := batch(row)
	b.Kinds = []core.RowKind{kind}
	mustNoErr(t, s.ops[s.owner(row, cols)].ProcessBatch(in, b, c))
}

func (s *subtasks) expired() int64 {
	var n int64
	for _, c := range s.ctxs {
		n += c.Metrics.StateExpiredKeys.Load()
	}
	return n
}

// rescale snapshots every subtask and restores the entries into q new
// instances, each taking the key groups it owns (metadata entries go to
// every one).
func (s *subtasks) rescale(t *testing.T, q int, clock *fakeClock, build func(ctx *core.Context) (core.Operator, error)) *subtasks {
	t.Helper()
	n := newSubtasks(t, q, clock, s.cols, build)
	states := make([]memState, q)
	for i := range states {
		states[i] = memState{}
	}
	for _, op := range s.ops {
		st := memState{}
		mustNoErr(t, op.(core.Snapshotter).Snapshot(st))
		for table, entries := range st {
			for k, v := range entries {
				_, cols, vals, keyed, err := n.ops[0].(core.KeyedState).EntryKey(table, []byte(k), []byte(v))
				mustNoErr(t, err)
				if cols != nil {
					vals = keyValuesIn(vals, cols, s.cols)
				} else if keyed {
					vals = keyValues(vals, s.cols) // the whole input row
				}
				for i := range states {
					if !keyed || core.OperatorIndexForKeyGroup(ttlMaxP, q, keyGroupOfVals(vals)) == i {
						mustNoErr(t, states[i].Put(table, []byte(k), []byte(v)))
					}
				}
			}
		}
	}
	for i, op := range n.ops {
		mustNoErr(t, op.(core.Snapshotter).Restore(states[i]))
	}
	return n
}

// keyValuesIn picks, from vals of columns cols, the values of columns
// want, in want's order.
func keyValuesIn(vals []types.Value, cols, want []int) []types.Value {
	out := make([]types.Value, len(want))
	for i, w := range want {
		if j := slices.Index(cols, w); j >= 0 {
			out[i] = vals[j]
		}
	}
	return out
}

func TestStateTTLGroupAgg(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, StateTTL: 60_000, Aggs: []planner.AggCall{
		{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
		{Func: "SUM", Arg: 1, Filter: -1, T: types.TBigInt},
	}}
	build := func(ctx *core.Context) (core.Operator, error) { return NewGroupAgg(spec, in, ctx) }
	row := func(k string, n, s int64) string { return fmtRow(core.Row{str(k), bi(n), bi(s)}) }
	for _, p := range []int{1, 2} {
		clock := &fakeClock{ms: 1_000_000}
		st := newSubtasks(t, p, clock, []int{0}, build)
		c := &kindCollector{}
		send := func(kind core.RowKind, k string, v int64) {
			st.send(t, c, 0, []int{0}, kind, core.Row{str(k), bi(v)})
		}
		send(core.Insert, "a", 1)
		send(core.Insert, "b", 1)
		send(core.Insert, "c", 1)
		clock.ms += 59_999 // a written 1 ms before its TTL runs out
		send(core.Insert, "a", 2)
		clock.ms++ // b and c: exactly the TTL since their write
		send(core.Insert, "b", 5)
		send(core.Delete, "c", 1) // c expired: nothing to retract
		if n := st.expired(); n != 2 {
			t.Errorf("p=%d: %d keys expired, want 2 (b, c)", p, n)
		}
		// restore at the other parallelism: a's time is its last write,
		// not the restore
		st = st.rescale(t, 3-p, clock, build)
		clock.ms += 59_998 // a: 59 999 ms since its write
		send(core.Insert, "a", 1)
		st = st.rescale(t, p, clock, build)
		clock.ms += 60_000
		send(core.Insert, "a", 7) // a expired: starts anew
		want := []string{
			"+I" + row("a", 1, 1), "+I" + row("b", 1, 1), "+I" + row("c", 1, 1),
			"-U" + row("a", 1, 1), "+U" + row("a", 2, 3),
			"+I" + row("b", 1, 5),
			"-U" + row("a", 2, 3), "+U" + row("a", 3, 4),
			"+I" + row("a", 1, 7),
		}
		if !slices.Equal(c.lines, want) {
			t.Errorf("p=%d: changes\n got %q\nwant %q", p, c.lines, want)
		}
		if n := st.expired(); n != 2 {
			t.Errorf("p=%d: after restore %d keys expired, want 2 (a, b)", p, n)
		}
	}
}

// With a TTL an unchanged result is still emitted as -U/+U (Flink emits
// it so that downstream state sees the key written).
func TestStateTTLGroupAggUnchanged(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, StateTTL: 1000, Aggs: []planner.AggCall{{Func: "MAX", Arg: 1, Filter: -1, T: types.TBigInt}}}
	clock := &fakeClock{ms: 5}
	op, err := NewGroupAgg(spec, in, &core.Context{Metrics: core.NewMetrics(), Clock: clock.now})
	mustNoErr(t, err)
	c := &kindCollector{}
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{str("a"), bi(3)}, core.Row{str("a"), bi(1)}), c))
	want := []string{"+I" + fmtRow(core.Row{str("a"), bi(3)}), "-U" + fmtRow(core.Row{str("a"), bi(3)}), "+U" + fmtRow(core.Row{str("a"), bi(3)})}
	if !slices.Equal(c.lines, want) {
		t.Errorf("got %q\nwant %q", c.lines, want)
	}
}

// A join side's rows of a key expire on their own: an inner join no
// longer matches them; the other side's rows are kept. The sides' TTLs
// differ (the STATE_TTL hint per input). Restored at p=2 and back.
func TestStateTTLJoin(t *testing.T) {
	left := planner.Schema{{Name: "k", Type: types.TString}, {Name: "a", Type: types.TBigInt}}
	right := planner.Schema{{Name: "k", Type: types.TString}, {Name: "b", Type: types.TBigInt}}
	spec := &planner.JoinOp{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0}, LeftStateTTL: 10_000, RightStateTTL: 100_000}
	build := func(ctx *core.Context) (core.Operator, error) { return NewJoin(spec, left, right, ctx) }
	row := func(k string, a, b int64) string { return fmtRow(core.Row{str(k), bi(a), str(k), bi(b)}) }
	for _, p := range []int{1, 2} {
		clock := &fakeClock{ms: 0}
		st := newSubtasks(t, p, clock, []int{0}, build)
		c := &kindCollector{}
		l := func(k string, a int64) { st.send(t, c, 0, []int{0}, core.Insert, core.Row{str(k), bi(a)}) }
		r := func(k string, b int64) { st.send(t, c, 1, []int{0}, core.Insert, core.Row{str(k), bi(b)}) }
		l("x", 1)
		clock.ms = 9_999
		r("x", 10) // left x alive
		st = st.rescale(t, 3-p, clock, build)
		clock.ms = 10_000
		r("x", 20) // left x expired (written at 0): no match
		l("x", 2)  // right x rows (written at 9 999 and 10 000) alive
		st = st.rescale(t, p, clock, build)
		clock.ms = 109_999
		l("x", 3) // left x (written at 10 000) expired; right x alive: its key was last written at 10 000
		clock.ms = 110_000
		l("x", 4) // right x expired
		want := []string{
			"+I" + row("x", 1, 10),
			"+I" + row("x", 2, 10), "+I" + row("x", 2, 20),
			"+I" + row("x", 3, 10), "+I" + row("x", 3, 20),
		}
		if !slices.Equal(c.lines, want) {
			t.Errorf("p=%d: changes\n got %q\nwant %q", p, c.lines, want)
		}
		if n := st.expired(); n != 2 {
			t.Errorf("p=%d: %d keys expired after the restore, want 2 (left x at 109 999, right x at 110 000)", p, n)
		}
	}
}

// Rank (Top-1 with the row number), Deduplicate (keep last) and OVER
// (ROWS UNBOUNDED PRECEDING): a partition not written for the TTL starts
// anew.
func TestStateTTLRankDedupOver(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}, {Name: "ts", Type: types.TTimestamp3}}
	cases := []struct {
		name  string
		build func(ctx *core.Context) (core.Operator, error)
		want  []string
	}{
		{"top-1", func(ctx *core.Context) (core.Operator, error) {
			return NewRank(&planner.RankOp{PartitionKeys: []int{0}, OrderKeys: []planner.SortKey{{Col: 1, Desc: true}}, RankStart: 1, RankEnd: 1, OutputRankNumber: true, StateTTL: 1000}, in, ctx)
		}, []string{
			"+I" + fmtRow(core.Row{str("a"), bi(5), ts(1), bi(1)}),
			"-U" + fmtRow(core.Row{str("a"), bi(5), ts(1), bi(1)}), "+U" + fmtRow(core.Row{str("a"), bi(6), ts(2), bi(1)}),
			"+I" + fmtRow(core.Row{str("a"), bi(1), ts(3), bi(1)}),
		}},
		{"keep last", func(ctx *core.Context) (core.Operator, error) {
			return NewRank(&planner.RankOp{PartitionKeys: []int{0}, OrderKeys: []planner.SortKey{{Col: 2, Desc: true}}, RankStart: 1, RankEnd: 1, Dedup: planner.KeepLast, StateTTL: 1000}, in, ctx)
		}, []string{
			"+I" + fmtRow(core.Row{str("a"), bi(5), ts(1)}),
			"-U" + fmtRow(core.Row{str("a"), bi(5), ts(1)}), "+U" + fmtRow(core.Row{str("a"), bi(6), ts(2)}),
			"+I" + fmtRow(core.Row{str("a"), bi(1), ts(3)}),
		}},
		{"over", func(ctx *core.Context) (core.Operator, error) {
			return NewOverAgg(&planner.OverAggOp{PartitionKeys: []int{0}, OrderKey: 2, Rows: true, Unbounded: true, StateTTL: 1000,
				Aggs: []planner.AggCall{{Func: "SUM", Arg: 1, Filter: -1, T: types.TBigInt}}}, in, ctx)
		}, []string{
			"+I" + fmtRow(core.Row{str("a"), bi(5), ts(1), bi(5)}),
			"+I" + fmtRow(core.Row{str("a"), bi(6), ts(2), bi(11)}),
			"+I" + fmtRow(core.Row{str("a"), bi(1), ts(3), bi(1)}),
		}},
	}
	for _, tc := range cases {
		for _, p := range []int{1, 2} {
			clock := &fakeClock{}
			st := newSubtasks(t, p, clock, []int{0}, tc.build)
			c := &kindCollector{}
			send := func(v, at int64) {
				st.send(t, c, 0, []int{0}, core.Insert, core.Row{str("a"), bi(v), ts(at)})
				for _, op := range st.ops {
					mustNoErr(t, op.ProcessWatermark(at, c)) // fires OVER's rows
				}
			}
			send(5, 1)
			clock.ms = 999
			send(6, 2)
			st = st.rescale(t, 3-p, clock, tc.build)
			clock.ms = 1999
			send(1, 3)
			if !slices.Equal(c.lines, tc.want) {
				t.Errorf("%s p=%d: changes\n got %q\nwant %q", tc.name, p, c.lines, tc.want)
			}
			if n := st.expired(); n != 1 {
				t.Errorf("%s p=%d: %d keys expired, want 1", tc.name, p, n)
			}
		}
	}
}
