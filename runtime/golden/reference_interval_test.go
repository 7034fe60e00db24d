package golden

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The golden cases of interval joins against a naive nested-loop
// reference written from Flink's RowTimeIntervalJoin (FLINK-FACTS §9),
// declaratively rather than with caches and timers. A left row l and a
// right row r of equal, non-NULL keys join when lower <= l.ts - r.ts <=
// upper and the residual condition holds, if the row arriving second
// still finds the first:
//
//   - the golden runner replays one input entirely first (its rows meet
//     operator time 0, the other input's watermark being unknown), then
//     the other, whose row i meets the watermark max(ts before i) - delay
//     (operator time T: that watermark, at least 0);
//   - with rel = [-lower, upper] (rel[s] is how far after its own time a
//     row of side s may meet a partner), a row of side s at time t
//     arriving at T is kept iff T < t + rel[s]; it looks at the other
//     side's kept rows iff T - rel[o] - 1 < t + rel[s]; a kept row x of
//     side o is still there iff x.ts > T - rel[o] - 1 (Flink removes it
//     at or after that time: the cases are chosen so that no row is met
//     between its expiry and its removal, which the reference checks);
//   - an outer side's row that joined nothing is emitted padded; an inner
//     side's row that was not kept and joined nothing counts as late.
//
// The rows are compared as a multiset (the golden runner's order is
// the engine's); parallel_test.go runs the same files at parallelism 2
// and 4, restore_test.go with crashes and rescaling.

type ivRefCase struct {
	file, table string
	// sides: the input table, key and time fields of the join's left
	// (0) and right (1) inputs
	input, key, time [2]string
	first            int      // the side whose source is polled first
	delay            [2]int64 // each side's watermark delay (ms)
	lower, upper     int64
	outer            [2]bool
	cond             func(l, r map[string]any) bool
	// format is an output row from the left and right rows (nil: padded)
	format func(l, r map[string]any) string
}

func ivRefCases() []ivRefCase {
	str, ts, num := padStr, padTs, padInt
	lr := func(l, r map[string]any) string {
		return strings.Join([]string{str(l, "k"), num(l, "v"), ts(l, "lt"), str(r, "k"), num(r, "w"), ts(r, "rt")}, ", ")
	}
	rl := func(l, r map[string]any) string { // R is the join's left input
		return strings.Join([]string{str(l, "k"), num(l, "w"), ts(l, "rt"), str(r, "k"), num(r, "v"), ts(r, "lt")}, ", ")
	}
	lrSide := func(key string) [2]string { return [2]string{key, key} }
	return []ivRefCase{
		{file: "interval_join_docs.test", table: "out_docs", input: [2]string{"Orders", "Shipments"},
			key: [2]string{"id", "order_id"}, time: [2]string{"order_time", "ship_time"}, first: 0, delay: [2]int64{60000, 5 * 60000},
			lower: -4 * 3600000, upper: 0,
			format: func(l, r map[string]any) string {
				return strings.Join([]string{num(l, "id"), str(l, "product"), ts(l, "order_time"), num(r, "ship_id"), num(r, "order_id"), ts(r, "ship_time")}, ", ")
			}},
		{file: "interval_join_outer.test", table: "out_full", input: [2]string{"L", "R"}, key: lrSide("k"),
			time: [2]string{"lt", "rt"}, first: 0, delay: [2]int64{1000, 2000}, lower: -10000, upper: 5000, outer: [2]bool{true, true},
			cond: func(l, r map[string]any) bool { return l["v"].(float64) < r["w"].(float64) }, format: lr},
		{file: "interval_join_outer.test", table: "out_rev", input: [2]string{"R", "L"}, key: lrSide("k"),
			time: [2]string{"rt", "lt"}, first: 1, delay: [2]int64{2000, 1000}, lower: -5000, upper: 9999, outer: [2]bool{true, false}, format: rl},
		{file: "interval_join_outer.test", table: "out_right", input: [2]string{"L", "R"}, key: lrSide("k"),
			time: [2]string{"lt", "rt"}, first: 0, delay: [2]int64{1000, 2000}, lower: 1, upper: 3000, outer: [2]bool{false, true}, format: lr},
	}
}

type ivRefRow struct {
	side   int
	ev     map[string]any
	ts     int64
	kept   bool
	joined bool
}

// ivArrivals is the order in which the golden runner delivers the rows
// of both inputs, each with the join's operator time at its arrival:
// the sources are polled in turn (the one listed first in the case
// first), batch records per poll (0: all at once); a source's watermark
// is its largest time so far minus its delay, MaxWatermark once its
// last record is read, and the join's the smaller of the two.
func ivArrivals(t *testing.T, rc ivRefCase, c *Case, batch int) (rows []*ivRefRow, at []int64) {
	var in [2][]*ivRefRow
	for s := range in {
		var sec *Input
		for _, x := range c.Inputs {
			if x.Table == rc.input[s] {
				sec = x
			}
		}
		if sec == nil {
			t.Fatalf("no input section %s", rc.input[s])
		}
		for _, ev := range recs(t, sec) {
			tm, err := time.Parse("2006-01-02 15:04:05", ev[rc.time[s]].(string))
			if err != nil {
				t.Fatal(err)
			}
			in[s] = append(in[s], &ivRefRow{side: s, ev: ev, ts: tm.UnixMilli()})
		}
	}
	wm := [2]int64{math.MinInt64, math.MinInt64}
	maxTs := [2]int64{math.MinInt64, math.MinInt64}
	next := [2]int{}
	order := [2]int{rc.first, 1 - rc.first}
	for next[0] < len(in[0]) || next[1] < len(in[1]) {
		for _, s := range order {
			n := len(in[s]) - next[s]
			if batch > 0 {
				n = min(n, batch)
			}
			if n == 0 {
				continue
			}
			poll := in[s][next[s] : next[s]+n]
			// the other input's watermark does not move during the poll
			for _, r := range poll {
				rows = append(rows, r)
				at = append(at, max(min(wm[0], wm[1]), 0))
				maxTs[s] = max(maxTs[s], r.ts)
				wm[s] = maxTs[s] - rc.delay[s]
			}
			if next[s] += n; next[s] == len(in[s]) {
				wm[s] = math.MaxInt64
			}
		}
	}
	return rows, at
}

// ivReference returns the expected rows (sorted) and the late count when
// the sources are read batch records per poll.
func ivReference(t *testing.T, rc ivRefCase, c *Case, batch int) ([]string, int64) {
	rows, at := ivArrivals(t, rc, c, batch)
	rel := [2]int64{-rc.lower, rc.upper}
	var out []string
	var late int64
	emit := func(l, r map[string]any) { out = append(out, "+I["+rc.format(l, r)+"]") }
	for i, y := range rows {
		s, o := y.side, 1-y.side
		T := at[i]
		exp := T - rel[o] - 1
		if T == math.MaxInt64 {
			exp = math.MaxInt64
		}
		probes := exp < y.ts+rel[s]
		y.kept = T < y.ts+rel[s]
		for _, x := range rows[:i] {
			ky, kx := y.ev[rc.key[s]], x.ev[rc.key[o]]
			if x.side != o || ky == nil || kx == nil || fmt.Sprint(ky) != fmt.Sprint(kx) {
				continue
			}
			l, r := x, y
			if s == 0 {
				l, r = y, x
			}
			if d := l.ts - r.ts; d < rc.lower || d > rc.upper || !probes || !x.kept {
				continue
			}
			if x.ts <= exp {
				t.Fatalf("%s (batch %d): row %v meets row %v after its expiry: the reference cannot tell whether Flink had removed it yet; change the case", rc.table, batch, y.ev, x.ev)
			}
			if rc.cond != nil && !rc.cond(l.ev, r.ev) {
				continue
			}
			x.joined, y.joined = true, true
			emit(l.ev, r.ev)
		}
		if !y.kept && !y.joined && !rc.outer[s] && y.ev[rc.key[s]] != nil {
			late++
		}
	}
	for _, r := range rows {
		if !r.joined && rc.outer[r.side] {
			if r.side == 0 {
				emit(r.ev, nil)
			} else {
				emit(nil, r.ev)
			}
		}
	}
	slices.Sort(out)
	return out, late
}

// TestIntervalJoinAgainstReference checks each golden file against the
// reference, then runs it with one record per poll (another interleaving
// of the two inputs, with other late rows) at parallelism 1, 2 and 4, and
// crashed at parallelism 4 and restored at 2 (2 -> 4, 4 -> 1): each run
// must give the reference's rows and late count for that interleaving.
func TestIntervalJoinAgainstReference(t *testing.T) {
	files, byFile := casesByFile(ivRefCases(), func(rc ivRefCase) string { return rc.file })
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "golden", f)
			c, err := Parse(path)
			if err != nil {
				t.Fatal(err)
			}
			referenceRuns(t, path, c, func(what string, batch int, r *Result, committed bool) {
				t.Helper()
				var late int64
				for _, rc := range byFile[f] {
					want, n := ivReference(t, rc, c, batch)
					late += n
					checkTable(t, what, rc.table, want, r, !committed && batch == 0)
				}
				if got := r.Counters["late_records_dropped"]; got != late {
					t.Errorf("%s: late_records_dropped=%d, the reference counts %d", what, got, late)
				}
			})
		})
	}
}

// casesByFile groups reference cases by their golden file, files in the
// order of their first case.
func casesByFile[C any](cases []C, file func(C) string) ([]string, map[string][]C) {
	byFile := map[string][]C{}
	var files []string
	for _, rc := range cases {
		f := file(rc)
		if byFile[f] == nil {
			files = append(files, f)
		}
		byFile[f] = append(byFile[f], rc)
	}
	return files, byFile
}

// checkTable compares a table's rows, as a multiset, with the
// reference's (sorted); golden says r is the golden file's own rows,
// which must not be empty.
func checkTable(t *testing.T, what, table string, want []string, r *Result, golden bool) {
	t.Helper()
	got := slices.Clone(r.Outputs[table])
	if golden && len(got) == 0 {
		t.Fatalf("golden file has no output for %s", table)
	}
	slices.Sort(got)
	if d := lineDiff(want, got); d != "" {
		t.Errorf("%s, %s disagrees with the reference (- reference, + engine):\n%s", what, table, d)
	}
}

// referenceRuns hands check the golden file's own rows (batch 0, not
// committed), then runs the case at path with one record per poll at
// parallelism 1, 2 and 4, and crashed and restored at another
// parallelism (batch 1, committed rows).
func referenceRuns(t *testing.T, path string, c *Case, check func(what string, batch int, r *Result, committed bool)) {
	t.Helper()
	check("golden file", 0, &Result{Outputs: c.Outputs, Counters: c.Counters}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, p := range []int{1, 2, 4} {
		check(fmt.Sprintf("parallelism %d, one record per poll", p), 1, runOnePerPoll(ctx, t, path, p), true)
	}
	rescaledRuns(ctx, t, path, func(pars []int, got *Result) {
		check(fmt.Sprintf("crash at parallelism %d, restore at %d", pars[0], pars[1]), 1, got, true)
	})
}

// padStr, padTs and padInt print a field of a joined row's side as the
// print sink does, "null" for a padded side (ev nil).
func padStr(ev map[string]any, f string) string {
	if ev == nil {
		return "null"
	}
	return evStr(ev, f)
}

func padTs(ev map[string]any, f string) string {
	if ev == nil {
		return "null"
	}
	return ev[f].(string) + ".000"
}

func padInt(ev map[string]any, f string) string {
	if ev == nil {
		return "null"
	}
	return evInt(ev, f)
}
