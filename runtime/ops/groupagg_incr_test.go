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
// touches a few groups writes only those. With a state TTL (a fake clock
// moving on every round) groups also expire, and the times of the keys
// (StateTTL's table) follow the same rule.
func TestGroupAggIncrementalSnapshot(t *testing.T) {
	for _, ttl := range []int64{0, 50} {
		testGroupAggIncremental(t, ttl)
	}
}

func testGroupAggIncremental(t *testing.T, ttl int64) {
	in := planner.Schema{{Name: "k", Type: types.TString}, {Name: "v", Type: types.TBigInt}}
	spec := &planner.GroupAggOp{GroupKeys: []int{0}, StateTTL: ttl, Aggs: []planner.AggCall{
		{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
		{Func: "MAX", Arg: 1, Filter: -1, T: types.TBigInt},
	}}
	clock := &fakeClock{}
	var ctxs []*core.Context
	build := func() core.Operator {
		ctx := &core.Context{Metrics: core.NewMetrics(), Clock: clock.now}
		ctxs = append(ctxs, ctx)
		op, err := NewGroupAgg(spec, in, ctx)
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
		clock.ms += int64(r.Intn(30))
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
		before, expired := chain.puts+chain.delets, ctxs[0].Metrics.StateExpiredKeys.Load()
		mustNoErr(t, inc.(core.IncrementalState).SnapshotChanges(chain))
		if ttl == 0 {
			if w := chain.puts + chain.delets - before; w > n {
				t.Fatalf("round %d: %d rows changed at most %d groups but %d entries were written", round, n, n, w)
			}
		}
		full := memState{}
		mustNoErr(t, twin.(core.Snapshotter).Snapshot(full))
		for _, table := range []uint8{tableWindow, tableTTL} {
			if !maps.Equal(chain.m[table], full[table]) {
				t.Fatalf("ttl %d round %d table %d: base + changes\n%q\nfull snapshot\n%q", ttl, round, table, chain.m[table], full[table])
			}
		}
		if expired > 0 && ttl == 0 {
			t.Fatal("keys expired without a TTL")
		}
	}
	if chain.delets == 0 {
		t.Fatal("no group was dropped: the test does not cover deletions")
	}
	if ttl > 0 && ctxs[0].Metrics.StateExpiredKeys.Load() == 0 {
		t.Fatal("no group expired: the test does not cover the TTL")
	}
}
