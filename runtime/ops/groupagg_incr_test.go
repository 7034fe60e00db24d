package ops

import (
	"maps"
	"math/rand"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// deltaState applies incremental snapshots to a map, as the store's
// merge of a chain does.
type deltaState struct {
	m            memState
	puts, delets int
}

func (d *deltaState) Put(table uint8, key, value []byte) error {
	d.puts++
	return d.m.Put(table, key, value)
}

func (d *deltaState) Delete(table uint8, key, _ []byte) error {
	d.delets++
	delete(d.m[table], string(key))
	return nil
}

// TestGroupAggIncrementalSnapshot: a group aggregation fed a random
// changelog (groups created, changed, dropped by their last retraction
// and created again) writes only what changed: the changes applied one
// after another to its first full snapshot equal, after every round, the
// full snapshot of a twin operator fed the same rows; and a round that
// touches a few groups writes only those.
func TestGroupAggIncrementalSnapshot(t *testing.T) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, Aggs: []planner.AggCall{
		{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
		{Func: "MAX", Arg: 1, Filter: -1, T: types.TBigInt},
	}}
	build := func() core.Operator {
		op, err := NewGroupAgg(spec, in, newCtx())
		mustNoErr(t, err)
		return op
	}
	inc, twin := build(), build()
	chain := &deltaState{m: memState{}}
	mustNoErr(t, inc.(core.Snapshotter).Snapshot(chain.m))
	r := rand.New(rand.NewSource(3))
	live := map[string][]int64{} // rows accumulated per key, to retract valid ones
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	for round := 0; round < 40; round++ {
		n := 1 + r.Intn(6)
		for i := 0; i < n; i++ {
			k := keys[r.Intn(len(keys))]
			b := batch(core.Row{str(k), bi(int64(r.Intn(100)))})
			if rows := live[k]; len(rows) > 0 && r.Intn(2) == 0 {
				j := r.Intn(len(rows))
				b = batch(core.Row{str(k), bi(rows[j])})
				b.Kinds = []core.RowKind{core.Delete}
				live[k] = append(rows[:j], rows[j+1:]...)
			} else {
				live[k] = append(live[k], b.Rows[0][1].I)
			}
			for _, op := range []core.Operator{inc, twin} {
				mustNoErr(t, op.ProcessBatch(0, b, &kindCollector{}))
			}
		}
		before := chain.puts + chain.delets
		mustNoErr(t, inc.(core.IncrementalState).SnapshotChanges(chain))
		if w := chain.puts + chain.delets - before; w > n {
			t.Fatalf("round %d: %d rows changed at most %d groups but %d entries were written", round, n, n, w)
		}
		full := memState{}
		mustNoErr(t, twin.(core.Snapshotter).Snapshot(full))
		if !maps.Equal(chain.m[tableWindow], full[tableWindow]) {
			t.Fatalf("round %d: base + changes\n%q\nfull snapshot\n%q", round, chain.m[tableWindow], full[tableWindow])
		}
	}
	if chain.delets == 0 {
		t.Fatal("no group was dropped: the test does not cover deletions")
	}
}
