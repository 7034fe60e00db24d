package ops

import (
	"fmt"
	"maps"
	"math/rand"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// normalizeInput is a random upsert stream over a few keys: upserts
// (+U, sometimes the key's current row again) and deletes (-D holding
// only the key, as a Kafka tombstone), of known and unknown keys.
func normalizeInput(seed int64, n int) []*core.Batch {
	r := rand.New(rand.NewSource(seed))
	var out []*core.Batch
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("k%d", r.Intn(6))
		b := batch(core.Row{str(k), bi(int64(r.Intn(3)))})
		b.Kinds = []core.RowKind{core.UpdateAfter}
		if r.Intn(5) == 0 {
			b.Rows[0][1] = types.NullValue // a tombstone carries the key only
			b.Kinds[0] = core.Delete
		}
		out = append(out, b)
	}
	return out
}

// normalizeOracle is what ChangelogNormalize must emit for in, written
// from Flink's ProcTimeDeduplicateKeepLastRowFunction rules.
func normalizeOracle(in []*core.Batch) []string {
	last := map[string]string{}
	var out []string
	for _, b := range in {
		row := b.Rows[0]
		k, cur := fmtVal(row[0]), fmtRow(row)
		prev, known := last[k]
		switch {
		case b.Kinds[0] == core.Delete && known:
			out = append(out, "-D"+prev)
			delete(last, k)
		case b.Kinds[0] == core.Delete:
		case !known:
			out = append(out, "+I"+cur)
			last[k] = cur
		case prev != cur:
			out = append(out, "-U"+prev, "+U"+cur)
			last[k] = cur
		}
	}
	return out
}

// TestChangelogNormalize: the operator's output equals the oracle's, and
// equals it again when the operator is snapshotted at any point and the
// rest of the input fed to a fresh one restored from the snapshot, and
// its incremental snapshots applied in a chain equal full ones.
func TestChangelogNormalize(t *testing.T) {
	spec := &planner.ChangelogNormalizeOp{Keys: []int{0}}
	build := func() core.Operator {
		op, err := NewChangelogNormalize(spec, newCtx())
		mustNoErr(t, err)
		return op
	}
	in := normalizeInput(5, 300)
	want := normalizeOracle(in)
	var kinds = map[string]bool{}
	for _, l := range want {
		kinds[l[:2]] = true
	}
	if len(kinds) != 4 {
		t.Fatalf("the input must give every kind: %v", kinds)
	}
	op := build()
	c := &kindCollector{}
	for _, b := range in {
		mustNoErr(t, op.ProcessBatch(0, b, c))
	}
	if fmt.Sprint(c.lines) != fmt.Sprint(want) {
		t.Fatalf("output\n got %v\nwant %v", c.lines, want)
	}
	for _, cut := range []int{0, 1, 37, 150, 299} {
		a, c := build(), &kindCollector{}
		for _, b := range in[:cut] {
			mustNoErr(t, a.ProcessBatch(0, b, c))
		}
		st := memState{}
		mustNoErr(t, a.(core.Snapshotter).Snapshot(st))
		b := build()
		mustNoErr(t, b.(core.Snapshotter).Restore(st))
		for _, x := range in[cut:] {
			mustNoErr(t, b.ProcessBatch(0, x, c))
		}
		if fmt.Sprint(c.lines) != fmt.Sprint(want) {
			t.Fatalf("restored at %d:\n got %v\nwant %v", cut, c.lines, want)
		}
	}
	inc, twin := build(), build()
	chain := &deltaState{m: memState{}}
	mustNoErr(t, inc.(core.Snapshotter).Snapshot(chain.m))
	for i, b := range in {
		mustNoErr(t, inc.ProcessBatch(0, b, &kindCollector{}))
		mustNoErr(t, twin.ProcessBatch(0, b, &kindCollector{}))
		if i%7 != 0 {
			continue
		}
		mustNoErr(t, inc.(core.IncrementalState).SnapshotChanges(chain))
		full := memState{}
		mustNoErr(t, twin.(core.Snapshotter).Snapshot(full))
		if !maps.Equal(chain.m[tableWindow], full[tableWindow]) {
			t.Fatalf("after row %d: base + changes differ from a full snapshot", i)
		}
	}
	if chain.delets == 0 {
		t.Fatal("no key was deleted: the test does not cover deletions")
	}
}
