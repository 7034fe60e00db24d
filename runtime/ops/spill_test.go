package ops

import (
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

var spillSpecs = []struct {
	name string
	w    planner.WindowSpec
}{
	{"tumble", planner.WindowSpec{Kind: sql.Tumble, Size: 1000, TimeCol: 1}},
	{"tumble-offset", planner.WindowSpec{Kind: sql.Tumble, Size: 1000, Offset: 300, TimeCol: 1}},
	{"hop", planner.WindowSpec{Kind: sql.Hop, Size: 3000, Slide: 1000, TimeCol: 1}},
	{"hop-gaps", planner.WindowSpec{Kind: sql.Hop, Size: 500, Slide: 1000, TimeCol: 1}},
	{"cumulate", planner.WindowSpec{Kind: sql.Cumulate, Size: 4000, Step: 1000, TimeCol: 1}},
}

func spillCtx(t *testing.T, limit string) *core.Context {
	return &core.Context{Metrics: core.NewMetrics(), Settings: map[string]string{
		optMemoryLimit: limit, optTmpDirs: t.TempDir(),
	}}
}

// widenKeys replaces the 4 keys of genStream with one of n, so windows
// hold many groups.
func widenKeys(rng *rand.Rand, evs []event, n int) {
	for _, ev := range evs {
		for _, r := range ev.rows {
			r[0] = str("k" + strconv.Itoa(rng.Intn(n)))
		}
	}
}

func alignOf(w planner.WindowSpec) int64 {
	switch {
	case w.Slide > 0:
		return w.Slide
	case w.Step > 0:
		return w.Step
	}
	return w.Size
}

// TestWindowAggSpillAgainstReference runs the random reference test with
// memory limits so small that nearly every group is spilled after every
// batch and read back by the next row of its key: the rows (and their
// order) must be those of the textbook model, as without a limit.
func TestWindowAggSpillAgainstReference(t *testing.T) {
	var readBack int64
	defer func() {
		if readBack < 1000 {
			t.Errorf("only %d spilled groups were read back: the test is too weak", readBack)
		}
	}()
	for _, sc := range spillSpecs {
		for seed := int64(1); seed <= 4; seed++ {
			for _, tc := range []struct {
				keys  int
				limit string
			}{{4, "1 kb"}, {60, "16kb"}, {500, "12 kb"}} {
				rng := rand.New(rand.NewSource(seed))
				evs := genStream(rng, 3000, alignOf(sc.w), sc.w.Offset)
				if tc.keys > 4 {
					widenKeys(rng, evs, tc.keys)
				}
				wantRows, wantLate, _ := refRun(sc.w, evs)
				ctx := spillCtx(t, tc.limit)
				spec := &planner.WindowAggOp{Window: sc.w, GroupKeys: []int{0}, Aggs: randAggs}
				op, err := NewWindowAgg(spec, randSchema, nil, ctx)
				mustNoErr(t, err)
				c := runOp(t, op, evs)
				what := sc.name + "/seed" + strconv.FormatInt(seed, 10) + "/keys" + strconv.Itoa(tc.keys)
				sameRows(t, what, c.rows, wantRows)
				if got := ctx.Metrics.LateRecordsDropped.Load(); got != wantLate {
					t.Errorf("%s: late = %d, want %d", what, got, wantLate)
				}
				st, ok := SpillStatsOf(op)
				if !ok || st.GroupsOut == 0 {
					t.Errorf("%s: spilled no group: the limit did not force spilling", what)
				}
				readBack += st.GroupsIn
				if st.MemoryUsed != 0 {
					t.Errorf("%s: %d bytes still accounted after every window fired", what, st.MemoryUsed)
				}
				if ents, _ := os.ReadDir(ctx.Settings[optTmpDirs]); len(ents) != 0 {
					t.Errorf("%s: spill directory not removed: %v", what, ents)
				}
			}
		}
	}
}

// memState is an in-memory core.StateWriter / StateReader.
type memState map[uint8]map[string]string

func (m memState) Put(table uint8, key, value []byte) error {
	if m[table] == nil {
		m[table] = map[string]string{}
	}
	m[table][string(key)] = string(value)
	return nil
}

func (m memState) Scan(table uint8, fn func(key, value []byte) error) error {
	keys := make([]string, 0, len(m[table]))
	for k := range m[table] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := fn([]byte(k), []byte(m[table][k])); err != nil {
			return err
		}
	}
	return nil
}

// TestWindowAggSpillSnapshot checks that a spilling operator's snapshot
// holds its spilled groups: at several points of a stream, the snapshot
// of an operator with a tiny limit equals, entry for entry, the snapshot
// of one without a limit; restored into a fresh operator with or without
// a limit, the run continues to the reference rows.
func TestWindowAggSpillSnapshot(t *testing.T) {
	for _, sc := range spillSpecs {
		rng := rand.New(rand.NewSource(7))
		evs := genStream(rng, 3000, alignOf(sc.w), sc.w.Offset)
		widenKeys(rng, evs, 80)
		wantRows, _, _ := refRun(sc.w, evs)
		spec := &planner.WindowAggOp{Window: sc.w, GroupKeys: []int{0}, Aggs: randAggs}
		for _, cut := range []int{len(evs) / 3, len(evs) / 2, len(evs) * 4 / 5} {
			limited, err := NewWindowAgg(spec, randSchema, nil, spillCtx(t, "8 kb"))
			mustNoErr(t, err)
			free, err := NewWindowAgg(spec, randSchema, nil, newCtx())
			mustNoErr(t, err)
			c1, c2 := &collector{}, &collector{}
			for _, ev := range evs[:cut] {
				for _, x := range []struct {
					op core.Operator
					c  *collector
				}{{limited, c1}, {free, c2}} {
					if ev.isWM {
						mustNoErr(t, x.op.ProcessWatermark(ev.wm, x.c))
					} else {
						mustNoErr(t, x.op.ProcessBatch(0, batch(ev.rows...), x.c))
					}
				}
			}
			what := sc.name + "/cut" + strconv.Itoa(cut)
			if st, _ := SpillStatsOf(limited); st.GroupsOut == 0 {
				t.Fatalf("%s: nothing spilled before the snapshot", what)
			}
			s1, s2 := memState{}, memState{}
			mustNoErr(t, limited.(core.Snapshotter).Snapshot(s1))
			mustNoErr(t, free.(core.Snapshotter).Snapshot(s2))
			if len(s2[tableWindow]) == 0 {
				t.Fatalf("%s: empty snapshot; cut elsewhere", what)
			}
			if len(s1[tableWindow]) != len(s2[tableWindow]) {
				t.Errorf("%s: snapshot with spilling has %d entries, without %d", what, len(s1[tableWindow]), len(s2[tableWindow]))
			}
			for k, v := range s2[tableWindow] {
				if s1[tableWindow][k] != v {
					t.Errorf("%s: entry %x differs", what, k)
					break
				}
			}
			mustNoErr(t, limited.Finish(c1))
			for _, limit := range []string{"", "8 kb"} {
				ctx := newCtx()
				if limit != "" {
					ctx = spillCtx(t, limit)
				}
				restored, err := NewWindowAgg(spec, randSchema, nil, ctx)
				mustNoErr(t, err)
				mustNoErr(t, restored.(core.Snapshotter).Restore(s1))
				c := &collector{rows: slices.Clone(c2.rows)}
				for _, ev := range evs[cut:] {
					if ev.isWM {
						mustNoErr(t, restored.ProcessWatermark(ev.wm, c))
					} else {
						mustNoErr(t, restored.ProcessBatch(0, batch(ev.rows...), c))
					}
				}
				mustNoErr(t, restored.Finish(c))
				sameRows(t, what+"/restored-limit="+limit, c.rows, wantRows)
			}
		}
	}
}

// TestWindowAggSpillManyGroupsOneWindow: 20 000 groups in one window with
// room for about 2 000: the window fires from the spill table in batches
// of at most spillChunk rows, in first-seen order, with exact counts.
func TestWindowAggSpillManyGroupsOneWindow(t *testing.T) {
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Tumble, Size: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs:      []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt}, {Func: "SUM", Arg: 2, Filter: -1, T: types.TBigInt}},
	}
	ctx := spillCtx(t, "512 kb")
	op, err := NewWindowAgg(spec, randSchema, nil, ctx)
	mustNoErr(t, err)
	const groups, rounds = 20_000, 3
	// key i gets rows with values i, 2i, 3i in three passes (pass p: value (p+1)*i)
	c := &collector{}
	for p := 0; p < rounds; p++ {
		for i := 0; i < groups; i += 1000 {
			rows := make([]core.Row, 0, 1000)
			for j := i; j < i+1000; j++ {
				rows = append(rows, core.Row{str("key-" + strconv.Itoa(j)), ts(int64(p*100 + j%100)), bi(int64((p + 1) * j)), boolv(true)})
			}
			mustNoErr(t, op.ProcessBatch(0, batch(rows...), c))
		}
	}
	st, _ := SpillStatsOf(op)
	if st.GroupsOut < groups/2 || st.MemoryUsed > st.MemoryLimit {
		t.Fatalf("stats %+v: expected most groups spilled and memory within the limit", st)
	}
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	if len(c.rows) != groups {
		t.Fatalf("%d rows, want %d", len(c.rows), groups)
	}
	if c.batches < groups/spillChunk {
		t.Errorf("%d batches for %d rows, want chunks of at most %d", c.batches, groups, spillChunk)
	}
	for i, r := range c.rows {
		if r[0].S != "key-"+strconv.Itoa(i) || r[1].I != rounds || r[2].I != int64(6*i) {
			t.Fatalf("row %d = %s, want key-%d, count %d, sum %d", i, fmtRow(r), i, rounds, 6*i)
		}
	}
}

func TestWindowAggMemoryLimitOption(t *testing.T) {
	spec := &planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1000, TimeCol: 1}, GroupKeys: []int{0}, Aggs: randAggs}
	for _, bad := range []string{"12 parsecs", "lots", "0"} {
		ctx := &core.Context{Metrics: core.NewMetrics(), Settings: map[string]string{optMemoryLimit: bad}}
		_, err := NewWindowAgg(spec, randSchema, nil, ctx)
		if err == nil || !strings.Contains(err.Error(), "state.backend.memory-limit") {
			t.Errorf("%q: error %v, want one naming the option", bad, err)
		}
	}
	for s, want := range map[string]int64{"512 mb": 512 << 20, "4 gb": 4 << 30, "100kb": 100 << 10} {
		ctx := &core.Context{Metrics: core.NewMetrics(), Settings: map[string]string{optMemoryLimit: s}}
		op, err := NewWindowAgg(spec, randSchema, nil, ctx)
		mustNoErr(t, err)
		if st, ok := SpillStatsOf(op); !ok || st.MemoryLimit != want {
			t.Errorf("%q: limit %d, want %d", s, st.MemoryLimit, want)
		}
	}
}

func TestBloom(t *testing.T) {
	var b bloom
	rng := rand.New(rand.NewSource(1))
	in := make([]uint64, 50_000)
	for i := range in {
		in[i] = rng.Uint64()
		b.add(in[i])
	}
	for _, h := range in {
		if !b.has(h) {
			t.Fatalf("%x added but not found", h)
		}
	}
	fp := 0
	for i := 0; i < 100_000; i++ {
		if b.has(rng.Uint64()) {
			fp++
		}
	}
	// each part is sized for 1 %; with several parts the rate adds up, staying under 5 %
	if fp > 5000 {
		t.Errorf("%d false positives in 100 000", fp)
	}
}
