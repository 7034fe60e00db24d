package ops

import (
	"cmp"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Input layout of the random tests: key STRING, ts TIMESTAMP(3), val BIGINT, flag BOOLEAN.
var randSchema = planner.Schema{
	col("key", types.TString), col("ts", types.TTimestamp3),
	col("val", types.TBigInt), col("flag", types.TBoolean),
}

// Aggregates under test, evaluated independently by refAggs.
var randAggs = []planner.AggCall{
	{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
	{Func: "COUNT", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "SUM", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "MAX", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "MIN", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "COUNT", Arg: 2, Distinct: true, Filter: -1, T: types.TBigInt},
	{Func: "COUNT", Arg: -1, Filter: 3, T: types.TBigInt},
	{Func: "AVG", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "SUM", Arg: 2, Distinct: true, Filter: 3, T: types.TBigInt},
	{Func: "VAR_POP", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "VAR_SAMP", Arg: 2, Filter: -1, T: types.TBigInt},
	{Func: "STDDEV_POP", Arg: 2, Filter: -1, T: types.TBigInt},
}

// refAggs computes randAggs over rows by their definitions.
func refAggs(rows []core.Row) []types.Value {
	var cnt, cntVal, sum, sumSq, cntFilter int64
	var mx, mn *int64
	distinct := map[int64]bool{}
	distinctFiltered := map[int64]bool{}
	for _, r := range rows {
		cnt++
		flag := r[3].K != types.Null && r[3].I == 1
		if flag {
			cntFilter++
		}
		if r[2].K == types.Null {
			continue
		}
		v := r[2].I
		cntVal++
		sum += v
		sumSq += v * v
		if mx == nil || v > *mx {
			mx = &v
		}
		if mn == nil || v < *mn {
			mn = &v
		}
		distinct[v] = true
		if flag {
			distinctFiltered[v] = true
		}
	}
	orNull := func(p *int64) types.Value {
		if p == nil {
			return null
		}
		return bi(*p)
	}
	out := []types.Value{bi(cnt), bi(cntVal), null, orNull(mx), orNull(mn), bi(int64(len(distinct))), bi(cntFilter), null, null, null, null, null}
	if cntVal > 0 {
		out[2] = bi(sum)
		out[7] = bi(sum / cntVal)
		// VAR_POP, VAR_SAMP, STDDEV_POP over BIGINT: Flink's reduction in
		// integer arithmetic, the square root truncated
		diff := sumSq - sum*sum/cntVal
		out[9] = bi(diff / cntVal)
		if cntVal > 1 {
			out[10] = bi(diff / (cntVal - 1))
		}
		out[11] = bi(int64(math.Sqrt(float64(diff / cntVal))))
	}
	if len(distinctFiltered) > 0 {
		var s int64
		for v := range distinctFiltered {
			s += v
		}
		out[8] = bi(s)
	}
	return out
}

// event is a batch of rows or a watermark.
type event struct {
	rows []core.Row
	wm   int64
	isWM bool
}

// genStream makes a random, out-of-order stream with late rows, rows on
// window boundaries (multiples of `align` plus offset, and one less),
// NULL times and values.
func genStream(rng *rand.Rand, n int, align, offset int64) []event {
	var evs []event
	keys := []string{"a", "b", "c", "d"}
	now := int64(-50_000 + rng.Intn(20_000)) // negative times too
	wm := int64(core.MinWatermark)
	for i := 0; i < n; {
		if rng.Intn(4) == 0 {
			// watermark: behind `now` by a random delay, sometimes not advancing
			w := now - int64(rng.Intn(4000))
			if w > wm {
				wm = w
			}
			if rng.Intn(5) == 0 {
				evs = append(evs, event{isWM: true, wm: wm - int64(rng.Intn(100))}) // stale
			} else {
				evs = append(evs, event{isWM: true, wm: wm})
			}
			continue
		}
		k := 1 + rng.Intn(4)
		var rows []core.Row
		for j := 0; j < k; j++ {
			now += int64(rng.Intn(700))
			t := now - int64(rng.Intn(6000)) // out of order, often late
			switch rng.Intn(8) {
			case 0:
				b := (t-offset)/align*align + offset
				t = b - int64(rng.Intn(2)) // exactly on a boundary or one before
			case 1:
				if wm == core.MinWatermark {
					break
				}
				t = wm - int64(rng.Intn(3)) + 1 // right at the watermark
			}
			tv := ts(t)
			if rng.Intn(40) == 0 {
				tv = null
			}
			val := bi(int64(rng.Intn(11) - 3))
			if rng.Intn(6) == 0 {
				val = null
			}
			flag := boolv(rng.Intn(2) == 0)
			if rng.Intn(5) == 0 {
				flag = null
			}
			key := keys[rng.Intn(len(keys))]
			if i%3 == 0 {
				// equal text in other memory: the group cache must miss
				// and still find the group (groupcache.go); no random
				// draw, so the stream stays what other tests expect
				key = strings.Clone(key)
			}
			rows = append(rows, core.Row{str(key), tv, val, flag})
			i++
		}
		evs = append(evs, event{rows: rows})
	}
	return append(evs, event{isWM: true, wm: core.MaxWatermark})
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// refWindows lists the windows containing t by the textbook definitions.
func refWindows(w planner.WindowSpec, t int64) [][2]int64 {
	var out [][2]int64
	switch w.Kind {
	case sql.Tumble:
		k := floorDiv(t-w.Offset, w.Size)
		out = append(out, [2]int64{w.Offset + k*w.Size, w.Offset + (k+1)*w.Size})
	case sql.Hop:
		// every window start = offset + k*slide with start <= t < start + size
		for k := floorDiv(t-w.Offset-w.Size, w.Slide) - 1; k <= floorDiv(t-w.Offset, w.Slide)+1; k++ {
			s := w.Offset + k*w.Slide
			if s <= t && t < s+w.Size {
				out = append(out, [2]int64{s, s + w.Size})
			}
		}
	case sql.Cumulate:
		k := floorDiv(t-w.Offset, w.Size)
		s := w.Offset + k*w.Size
		for j := int64(1); j*w.Step <= w.Size; j++ {
			if e := s + j*w.Step; t < e {
				out = append(out, [2]int64{s, e})
			}
		}
	}
	return out
}

type refWin struct {
	start, end int64
	keys       []string // first-seen order
	rows       map[string][]core.Row
}

// refRun replays the stream against the textbook model: lateness judged
// against the watermark before each row, windows fired when wm >= end-1.
func refRun(w planner.WindowSpec, evs []event) (out []core.Row, late, skipped int64) {
	wm := int64(core.MinWatermark)
	open := map[[2]int64]*refWin{}
	for _, ev := range evs {
		if ev.isWM {
			if ev.wm <= wm {
				continue
			}
			wm = ev.wm
			var due []*refWin
			for k, rw := range open {
				if rw.end-1 <= wm {
					due = append(due, rw)
					delete(open, k)
				}
			}
			slices.SortFunc(due, func(a, b *refWin) int {
				if a.end != b.end {
					return cmp.Compare(a.end, b.end)
				}
				return cmp.Compare(a.start, b.start)
			})
			for _, rw := range due {
				for _, k := range rw.keys {
					row := core.Row{str(k)}
					row = append(row, refAggs(rw.rows[k])...)
					row = append(row, ts(rw.start), ts(rw.end), ts(rw.end-1))
					out = append(out, row)
				}
			}
			continue
		}
		for _, r := range ev.rows {
			if r[1].K == types.Null {
				skipped++
				continue
			}
			for _, win := range refWindows(w, r[1].I) {
				if win[1]-1 <= wm {
					late++
					continue
				}
				rw := open[win]
				if rw == nil {
					rw = &refWin{start: win[0], end: win[1], rows: map[string][]core.Row{}}
					open[win] = rw
				}
				k := r[0].S
				if _, seen := rw.rows[k]; !seen {
					rw.keys = append(rw.keys, k)
				}
				rw.rows[k] = append(rw.rows[k], r)
			}
		}
	}
	return out, late, skipped
}

func runOp(t *testing.T, op core.Operator, evs []event) *collector {
	t.Helper()
	c := &collector{}
	for _, ev := range evs {
		if ev.isWM {
			mustNoErr(t, op.ProcessWatermark(ev.wm, c))
		} else {
			mustNoErr(t, op.ProcessBatch(0, batch(ev.rows...), c))
		}
	}
	mustNoErr(t, op.Finish(c))
	return c
}

func TestWindowAggRandomAgainstReference(t *testing.T) {
	specs := []struct {
		name string
		w    planner.WindowSpec
	}{
		{"tumble", planner.WindowSpec{Kind: sql.Tumble, Size: 1000, TimeCol: 1}},
		{"tumble-offset", planner.WindowSpec{Kind: sql.Tumble, Size: 1000, Offset: 300, TimeCol: 1}},
		{"tumble-neg-offset", planner.WindowSpec{Kind: sql.Tumble, Size: 1000, Offset: -250, TimeCol: 1}},
		{"hop", planner.WindowSpec{Kind: sql.Hop, Size: 3000, Slide: 1000, TimeCol: 1}},
		{"hop-uneven", planner.WindowSpec{Kind: sql.Hop, Size: 2500, Slide: 1000, Offset: 100, TimeCol: 1}},
		{"hop-neg-offset", planner.WindowSpec{Kind: sql.Hop, Size: 2000, Slide: 500, Offset: -700, TimeCol: 1}},
		{"hop-gaps", planner.WindowSpec{Kind: sql.Hop, Size: 500, Slide: 1000, TimeCol: 1}},
		{"cumulate", planner.WindowSpec{Kind: sql.Cumulate, Size: 4000, Step: 1000, TimeCol: 1}},
		{"cumulate-offset", planner.WindowSpec{Kind: sql.Cumulate, Size: 3000, Step: 1000, Offset: -400, TimeCol: 1}},
	}
	for _, sc := range specs {
		for seed := int64(1); seed <= 6; seed++ {
			rng := rand.New(rand.NewSource(seed))
			align := sc.w.Size
			if sc.w.Slide > 0 {
				align = sc.w.Slide
			}
			if sc.w.Step > 0 {
				align = sc.w.Step
			}
			evs := genStream(rng, 3000, align, sc.w.Offset)
			wantRows, wantLate, wantSkipped := refRun(sc.w, evs)

			ctx := newCtx()
			spec := &planner.WindowAggOp{Window: sc.w, GroupKeys: []int{0}, Aggs: randAggs}
			op, err := NewWindowAgg(spec, randSchema, nil, ctx)
			mustNoErr(t, err)
			c := runOp(t, op, evs)
			what := sc.name + "/seed" + string(rune('0'+seed))
			sameRows(t, what, c.rows, wantRows)
			if got := ctx.Metrics.LateRecordsDropped.Load(); got != wantLate {
				t.Errorf("%s: late = %d, want %d", what, got, wantLate)
			}
			if got := ctx.Metrics.RecordsSkipped.Load(); got != wantSkipped {
				t.Errorf("%s: skipped = %d, want %d", what, got, wantSkipped)
			}
			if wantLate == 0 {
				t.Errorf("%s: stream has no late rows; the test is too weak", what)
			}
			if got := ctx.Metrics.OpenWindows.Load(); got != 0 {
				t.Errorf("%s: %d windows open after the final watermark", what, got)
			}
		}
	}
}
