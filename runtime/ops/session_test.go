package ops

import (
	"cmp"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

type refSession struct {
	start, end int64
	seq        int64
	rows       []core.Row
}

// refSessions replays the stream with plain row lists per session: a row
// covers [t, t+gap); it joins every open session of its key it intersects
// (start <= t+gap && end >= t, Flink's rule), all merged into one; with
// none, it is late when t+gap-1 <= wm. Sessions fire at wm >= end-1 and
// are emitted by (end, start, creation order).
func refSessions(gap int64, evs []event) (out []core.Row, late, skipped int64) {
	wm := int64(core.MinWatermark)
	open := map[string][]*refSession{}
	var seq int64
	for _, ev := range evs {
		if ev.isWM {
			if ev.wm <= wm {
				continue
			}
			wm = ev.wm
			type fired struct {
				key string
				s   *refSession
			}
			var due []fired
			for k, ss := range open {
				var keep []*refSession
				for _, s := range ss {
					if s.end-1 <= wm {
						due = append(due, fired{k, s})
					} else {
						keep = append(keep, s)
					}
				}
				open[k] = keep
			}
			slices.SortFunc(due, func(a, b fired) int {
				if a.s.end != b.s.end {
					return cmp.Compare(a.s.end, b.s.end)
				}
				if a.s.start != b.s.start {
					return cmp.Compare(a.s.start, b.s.start)
				}
				return cmp.Compare(a.s.seq, b.s.seq)
			})
			for _, f := range due {
				row := core.Row{str(f.key)}
				row = append(row, refAggs(f.s.rows)...)
				row = append(row, ts(f.s.start), ts(f.s.end), ts(f.s.end-1))
				out = append(out, row)
			}
			continue
		}
		for _, r := range ev.rows {
			if r[1].K == types.Null {
				skipped++
				continue
			}
			t, k := r[1].I, r[0].S
			merged := &refSession{start: t, end: t + gap, seq: -1, rows: []core.Row{r}}
			var rest []*refSession
			for _, s := range open[k] {
				if s.start <= t+gap && s.end >= t {
					merged.start = min(merged.start, s.start)
					merged.end = max(merged.end, s.end)
					if merged.seq < 0 || s.seq < merged.seq {
						merged.seq = s.seq
					}
					merged.rows = append(merged.rows, s.rows...)
				} else {
					rest = append(rest, s)
				}
			}
			if merged.seq < 0 {
				if t+gap-1 <= wm {
					late++
					continue
				}
				merged.seq = seq
				seq++
			}
			open[k] = append(rest, merged)
		}
	}
	return out, late, skipped
}

func TestSessionRandomAgainstReference(t *testing.T) {
	for _, gap := range []int64{300, 1000, 2500} {
		for seed := int64(1); seed <= 8; seed++ {
			rng := rand.New(rand.NewSource(seed * 7))
			evs := genStream(rng, 3000, gap, 0)
			want, wantLate, wantSkipped := refSessions(gap, evs)
			ctx := newCtx()
			spec := &planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Session, Gap: gap, TimeCol: 1}, GroupKeys: []int{0}, Aggs: randAggs}
			op, err := NewWindowAgg(spec, randSchema, nil, ctx)
			mustNoErr(t, err)
			c := runOp(t, op, evs)
			what := fmt.Sprintf("session gap %d seed %d", gap, seed)
			sameRows(t, what, c.rows, want)
			if got := ctx.Metrics.LateRecordsDropped.Load(); got != wantLate {
				t.Errorf("%s: late = %d, want %d", what, got, wantLate)
			}
			if got := ctx.Metrics.RecordsSkipped.Load(); got != wantSkipped {
				t.Errorf("%s: skipped = %d, want %d", what, got, wantSkipped)
			}
			if wantLate == 0 {
				t.Errorf("%s: no late rows; test too weak", what)
			}
			if got := ctx.Metrics.OpenWindows.Load(); got != 0 {
				t.Errorf("%s: %d sessions open after the final watermark", what, got)
			}
		}
	}
}

// Hand-checked: gap 10 s, key "a".
func TestSessionHandChecked(t *testing.T) {
	schema := planner.Schema{col("k", types.TString), col("ts", types.TTimestamp3), col("v", types.TBigInt)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Session, Gap: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs:      []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt}, {Func: "SUM", Arg: 2, Filter: -1, T: types.TBigInt}},
	}
	ctx := newCtx()
	op, err := NewWindowAgg(spec, schema, nil, ctx)
	mustNoErr(t, err)
	c := &collector{}
	// a: rows 0 and 5000 form [0, 15000); 25000 starts its own session
	// [25000, 35000) (25000 > 15000: they do not touch). b: [3000, 13000).
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{str("a"), ts(0), bi(1)},
		core.Row{str("a"), ts(5000), bi(2)},
		core.Row{str("a"), ts(25000), bi(4)},
		core.Row{str("b"), ts(3000), bi(8)},
	), c))
	mustNoErr(t, op.ProcessWatermark(12_998, c))
	if len(c.rows) != 0 {
		t.Fatalf("fired too early: %v", fmtRows(c.rows))
	}
	mustNoErr(t, op.ProcessWatermark(14_999, c)) // fires b [3000,13000) then a [0,15000)
	want := []core.Row{
		{str("b"), bi(1), bi(8), ts(3000), ts(13000), ts(12999)},
		{str("a"), bi(2), bi(3), ts(0), ts(15000), ts(14999)},
	}
	sameRows(t, "first fire", c.rows, want)
	// a row at 4000 would only form [4000,14000): late (dropped, counted).
	// A row at 15000 touches the fired session's end but that session is
	// gone; its own window [15000, 25000) touches the open one [25000, 35000)
	// and merges into [15000, 35000).
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{str("a"), ts(4000), bi(100)},
		core.Row{str("a"), ts(15000), bi(16)},
	), c))
	if got := ctx.Metrics.LateRecordsDropped.Load(); got != 1 {
		t.Errorf("late = %d, want 1", got)
	}
	// a late-looking row that overlaps the open session is kept (Flink merges first)
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{str("a"), ts(6000), bi(32)}), c))
	if got := ctx.Metrics.LateRecordsDropped.Load(); got != 1 {
		t.Errorf("late = %d after an overlapping row, want 1", got)
	}
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want = append(want, core.Row{str("a"), bi(3), bi(52), ts(6000), ts(35000), ts(34999)})
	sameRows(t, "final", c.rows, want)
}

// Merging sessions adds DECIMAL sums by Flink's rule too: a merged SUM
// or AVG beyond 38 digits is NULL (SumAggFunction / AvgAggFunction merge
// expressions add with DecimalDataUtils.add). a: two sessions of 6e37 each,
// bridged by a row with a NULL value: NULL. b: the same shape with 1 and
// 2: SUM 3, AVG 1.5.
func TestSessionMergeDecimalOverflow(t *testing.T) {
	d38 := types.DecimalType(38, 0)
	schema := planner.Schema{col("k", types.TString), col("ts", types.TTimestamp3), col("d", d38)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Session, Gap: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs: []planner.AggCall{
			{Func: "SUM", Arg: 2, Filter: -1, T: d38},
			{Func: "AVG", Arg: 2, Filter: -1, T: types.DecimalType(38, 6)},
		},
	}
	six, ok, err := types.DecimalFromString("60000000000000000000000000000000000000", 38, 0)
	if err != nil || !ok {
		t.Fatal("6e37")
	}
	op, err := NewWindowAgg(spec, schema, nil, newCtx())
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{str("a"), ts(0), six},
		core.Row{str("a"), ts(12000), six},
		core.Row{str("b"), ts(0), dec(1, 0)},
		core.Row{str("b"), ts(12000), dec(2, 0)},
		// [9000, 19000) overlaps [0, 10000) and [12000, 22000): one session [0, 22000)
		core.Row{str("a"), ts(9000), null},
		core.Row{str("b"), ts(9000), null},
	), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want := []core.Row{
		{str("a"), null, null, ts(0), ts(22000), ts(21999)},
		{str("b"), dec(3, 0), dec(1500000, 6), ts(0), ts(22000), ts(21999)},
	}
	sameRows(t, "merged", c.rows, want)
}
