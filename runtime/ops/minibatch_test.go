package ops

import (
	"slices"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Mini-batch group aggregation with a fake clock: a batch emits at most
// one change per key, from the result last emitted to the current one,
// when it holds `size` rows, when its first row waited the latency (seen
// when the next row comes), at a watermark; a group retracted to nothing
// and created again in one batch is an update of its last emitted result,
// one created and retracted in one batch emits nothing; a batch
// interrupted by a snapshot and a restore (here also onto 2 subtasks and
// back) goes on where it was. Expected changes by hand from Flink's
// MiniBatchGroupAggFunction.
func TestMiniBatchGroupAgg(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, MiniBatchLatency: 1000, MiniBatchSize: 4, Aggs: []planner.AggCall{
		{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
		{Func: "SUM", Arg: 1, Filter: -1, T: types.TBigInt},
	}}
	build := func(ctx *core.Context) (core.Operator, error) { return NewGroupAgg(spec, in, ctx) }
	row := func(k string, n, s int64) string { return fmtRow(core.Row{str(k), bi(n), bi(s)}) }
	clock := &fakeClock{}
	st := newSubtasks(t, 1, clock, []int{0}, build)
	c := &kindCollector{}
	send := func(kind core.RowKind, k string, v int64) {
		st.send(t, c, 0, []int{0}, kind, core.Row{str(k), bi(v)})
	}
	send(core.Insert, "a", 1)
	send(core.Insert, "b", 1)
	send(core.Insert, "a", 2)
	if len(c.lines) != 0 {
		t.Fatalf("emitted before the batch was full: %q", c.lines)
	}
	send(core.Insert, "c", 5) // 4 rows: flush
	send(core.Delete, "a", 1)
	send(core.Delete, "a", 2) // a gone ...
	send(core.Insert, "a", 7) // ... and back
	st = st.rescale(t, 2, clock, build)
	st = st.rescale(t, 1, clock, build)
	send(core.Insert, "b", 2) // 4 rows: flush
	send(core.Insert, "e", 1)
	send(core.Delete, "e", 1) // created and gone in one batch
	send(core.Delete, "c", 5) // c gone
	clock.ms += 1000
	send(core.Insert, "d", 1) // the batch's first row waited 1 s: flush
	send(core.Insert, "d", 2)
	mustNoErr(t, st.ops[0].ProcessWatermark(10, c)) // a watermark flushes
	mustNoErr(t, st.ops[0].Finish(c))
	want := []string{
		"+I" + row("a", 2, 3), "+I" + row("b", 1, 1), "+I" + row("c", 1, 5),
		"-U" + row("a", 2, 3), "+U" + row("a", 1, 7), "-U" + row("b", 1, 1), "+U" + row("b", 2, 3),
		"-D" + row("c", 1, 5), "+I" + row("d", 1, 1),
		"-U" + row("d", 1, 1), "+U" + row("d", 2, 3),
	}
	if !slices.Equal(c.lines, want) {
		t.Errorf("changes\n got %q\nwant %q", c.lines, want)
	}
}

// A mini-batch's waiting keys follow the incremental snapshot rule: the
// base plus the changes equal a full snapshot after every round.
func TestMiniBatchIncrementalSnapshot(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, MiniBatchLatency: 1 << 40, MiniBatchSize: 5, Aggs: []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt}}}
	op, err := NewGroupAgg(spec, in, newCtx())
	mustNoErr(t, err)
	chain := &deltaState{m: memState{}}
	mustNoErr(t, op.(core.Snapshotter).Snapshot(chain.m))
	for i, k := range []string{"a", "b", "a", "c", "d", "a", "e", "b", "f", "g", "h"} {
		mustNoErr(t, op.ProcessBatch(0, batch(core.Row{str(k), bi(int64(i))}), &kindCollector{}))
		mustNoErr(t, op.(core.IncrementalState).SnapshotChanges(chain))
		full := memState{}
		mustNoErr(t, op.(core.Snapshotter).Snapshot(full))
		for _, table := range []uint8{tableWindow, tableMiniBatch} {
			if len(chain.m[table]) != len(full[table]) {
				t.Fatalf("row %d table %d: base + changes %q, full %q", i, table, chain.m[table], full[table])
			}
			for key, v := range full[table] {
				if chain.m[table][key] != v {
					t.Fatalf("row %d table %d key %q: base + changes %q, full %q", i, table, key, chain.m[table][key], v)
				}
			}
		}
	}
	if chain.delets == 0 {
		t.Fatal("no flushed key was deleted: the test does not cover deletions")
	}
}

// A checkpoint taken mid-batch and restored with mini-batch switched off
// still emits the waiting keys' changes, with the next row.
func TestMiniBatchRestoredWithout(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	aggs := []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt}}
	with := &planner.GroupAggOp{GroupKeys: []int{0}, MiniBatchLatency: 1000, MiniBatchSize: 10, Aggs: aggs}
	op, err := NewGroupAgg(with, in, newCtx())
	mustNoErr(t, err)
	c := &kindCollector{}
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{str("a"), bi(1)}, core.Row{str("b"), bi(1)}), c))
	st := memState{}
	mustNoErr(t, op.(core.Snapshotter).Snapshot(st))
	op, err = NewGroupAgg(&planner.GroupAggOp{GroupKeys: []int{0}, Aggs: aggs}, in, newCtx())
	mustNoErr(t, err)
	mustNoErr(t, op.(core.Snapshotter).Restore(st))
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{str("a"), bi(1)}), c))
	want := []string{"+I" + fmtRow(core.Row{str("a"), bi(2)}), "+I" + fmtRow(core.Row{str("b"), bi(1)})}
	if !slices.Equal(c.lines, want) {
		t.Errorf("got %q\nwant %q", c.lines, want)
	}
}

// A group aggregation whose consumers only borrow its batches
// (ReuseOutput) carves every call's rows from the same memory: the same
// changes as without, with and without mini-batch, for rows with
// watermarks and for a flush at a watermark (a batch without them).
func TestGroupAggReuseOutput(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	aggs := []planner.AggCall{
		{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
		{Func: "MAX", Arg: 1, Filter: -1, T: types.TBigInt},
	}
	for _, mb := range []int64{0, 4} {
		spec := &planner.GroupAggOp{GroupKeys: []int{0}, InsertOnlyInput: true, Aggs: aggs}
		if mb > 0 {
			spec.MiniBatchLatency, spec.MiniBatchSize = 1<<40, mb
		}
		var lines [2][]string
		for i, reuse := range []bool{false, true} {
			op, err := NewGroupAgg(spec, in, newCtx())
			mustNoErr(t, err)
			if reuse {
				op.(core.OutputReuser).ReuseOutput()
			}
			c := &wmCheckCollector{t: t}
			for r := 0; r < 30; r++ {
				b := batch(core.Row{str(string(rune('a' + r%3))), bi(int64(r % 7))}, core.Row{str("z"), bi(int64(r))})
				if r%2 == 0 {
					b.Watermarks = []int64{int64(r), int64(r)}
				}
				mustNoErr(t, op.ProcessBatch(0, b, c))
				if r%5 == 0 {
					mustNoErr(t, op.ProcessWatermark(int64(r), c))
				}
			}
			mustNoErr(t, op.Finish(c))
			lines[i] = c.lines
		}
		if len(lines[0]) == 0 || !slices.Equal(lines[0], lines[1]) {
			t.Errorf("mini-batch %d: reusing\n got %q\nwant %q", mb, lines[1], lines[0])
		}
	}
}

// wmCheckCollector is a kindCollector that checks each batch's
// watermarks: none, or one per row.
type wmCheckCollector struct {
	kindCollector
	t *testing.T
}

func (c *wmCheckCollector) Emit(b *core.Batch) error {
	if b.Watermarks != nil && len(b.Watermarks) != len(b.Rows) {
		c.t.Errorf("a batch of %d rows with %d watermarks", len(b.Rows), len(b.Watermarks))
	}
	return c.kindCollector.Emit(b)
}
