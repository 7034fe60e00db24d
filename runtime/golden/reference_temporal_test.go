package golden

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The golden cases of event-time temporal joins against a reference
// written from the definition of the join (Flink's docs: each left row
// joins the version of its key valid at its time) and Flink's rules for
// when it is computed and what the state still holds
// (TemporalRowTimeJoinOperator), stated over the whole input rather than
// with timers and sorted state:
//
//   - the golden runner polls the two sources in turn (the one listed
//     first in the case first), batch records per poll (0: all at once);
//     a source's watermark is its largest time so far minus its delay,
//     MaxWatermark once its last record is read; row i arrives at the
//     join with the smaller of the two, W(i) (the watermark advances
//     before row i), and the watermark after the last row is MaxWatermark;
//   - the right rows are versions: a debezium-json record gives -U
//     (ignored) and +U, or -D (a version without a row); a versioned
//     view over an append-only table gives a key's row only when it is
//     not older than the key's newest so far (the deduplication);
//   - a key "fires" when the watermark advances to W and some row of the
//     key has a time at or before W and either arrived since the key last
//     fired or is a left row not yet emitted. Then its left rows waiting
//     with time at or before W are emitted, each with the version valid
//     at its time among the versions that arrived and are still held
//     (none, a delete, or the residual condition false: padded on a LEFT
//     join); after that firing the key holds no version older than its
//     newest one at or before W;
//   - a left row with a NULL key is padded at once on a LEFT join.
//
// Rows are compared as multisets; parallel_test.go and restore_test.go
// run the files too, and this test runs them with one record per poll at
// parallelism 1, 2 and 4 and crashed and restored at another
// parallelism, each against the reference for that interleaving.

type tjRefCase struct {
	file, table string
	input       [2]string // left and right input tables
	key, time   [2]string
	first       int      // the side whose source is polled first
	delay       [2]int64 // each side's watermark delay (ms)
	debezium    bool     // the right input is a debezium-json changelog
	dedup       bool     // the right input is a versioned view (keep the last row per key by time)
	outer       bool
	cond        func(l, r map[string]any) bool
	format      func(l, r map[string]any) string // r nil: padded
}

func tjRefCases() []tjRefCase {
	str, num, ts := padStr, padInt, padTs
	dec := func(ev map[string]any, f string) string {
		if ev == nil {
			return "null"
		}
		return fmt.Sprintf("%.2f", ev[f].(float64))
	}
	late := func(l, r map[string]any) string {
		return strings.Join([]string{str(l, "k"), num(l, "v"), ts(l, "lt"), num(r, "r"), ts(r, "rt")}, ", ")
	}
	return []tjRefCase{
		{file: "temporal_join_docs.test", table: "enriched", input: [2]string{"orders", "currency_rates"},
			key: [2]string{"currency", "currency"}, time: [2]string{"order_time", "update_time"}, first: 0, debezium: true, outer: true,
			format: func(l, r map[string]any) string {
				return strings.Join([]string{str(l, "order_id"), dec(l, "price"), str(l, "currency"), dec(r, "conversion_rate"), ts(l, "order_time")}, ", ")
			}},
		{file: "temporal_join_late.test", table: "out_inner", input: [2]string{"Orders", "RatesHistory"},
			key: [2]string{"k", "k"}, time: [2]string{"lt", "rt"}, first: 1, delay: [2]int64{1000, 2000}, dedup: true, format: late},
		{file: "temporal_join_late.test", table: "out_left", input: [2]string{"Orders", "RatesHistory"},
			key: [2]string{"k", "k"}, time: [2]string{"lt", "rt"}, first: 1, delay: [2]int64{1000, 2000}, dedup: true, outer: true,
			cond: func(l, r map[string]any) bool { return l["v"].(float64) < r["r"].(float64) }, format: late},
	}
}

// tjRow is one row reaching the join: its side, event, time, key, and
// for a right row whether it is a delete.
type tjRow struct {
	side int
	ev   map[string]any
	ts   int64
	key  string // "" for a NULL key
	del  bool
}

func tjTime(t *testing.T, ev map[string]any, f string) int64 {
	tm, err := time.Parse("2006-01-02 15:04:05", ev[f].(string))
	if err != nil {
		t.Fatal(err)
	}
	return tm.UnixMilli()
}

// tjRecords reads side s's input section as records, each the rows it
// gives (a debezium update gives its -U row too: it moves the source's
// watermark, and the join ignores it, marked by side -1).
func tjRecords(t *testing.T, rc tjRefCase, c *Case, s int) [][]*tjRow {
	var sec *Input
	for _, x := range c.Inputs {
		if x.Table == rc.input[s] {
			sec = x
		}
	}
	if sec == nil {
		t.Fatalf("no input section %s", rc.input[s])
	}
	row := func(side int, ev map[string]any, del bool) *tjRow {
		r := &tjRow{side: side, ev: ev, ts: tjTime(t, ev, rc.time[s]), del: del}
		if k, ok := ev[rc.key[s]]; ok && k != nil {
			r.key = fmt.Sprint(k)
		}
		return r
	}
	var out [][]*tjRow
	for _, ev := range recs(t, sec) {
		if s == 0 || !rc.debezium {
			out = append(out, []*tjRow{row(s, ev, false)})
			continue
		}
		before, _ := ev["before"].(map[string]any)
		after, _ := ev["after"].(map[string]any)
		switch ev["op"] {
		case "c", "r":
			out = append(out, []*tjRow{row(1, after, false)})
		case "u":
			out = append(out, []*tjRow{row(-1, before, false), row(1, after, false)})
		case "d":
			out = append(out, []*tjRow{row(1, before, true)})
		default:
			t.Fatalf("debezium op %v", ev["op"])
		}
	}
	return out
}

// tjArrivals is the rows in the order the join sees them, each with the
// watermark in force when it arrives.
func tjArrivals(t *testing.T, rc tjRefCase, c *Case, batch int) (rows []*tjRow, at []int64) {
	in := [2][][]*tjRow{tjRecords(t, rc, c, 0), tjRecords(t, rc, c, 1)}
	wm := [2]int64{math.MinInt64, math.MinInt64}
	maxTs := [2]int64{math.MinInt64, math.MinInt64}
	next := [2]int{}
	newest := map[string]int64{} // the versioned view's newest time per key
	for next[0] < len(in[0]) || next[1] < len(in[1]) {
		for _, s := range [2]int{rc.first, 1 - rc.first} {
			n := len(in[s]) - next[s]
			if batch > 0 {
				n = min(n, batch)
			}
			if n == 0 {
				continue
			}
			for _, rec := range in[s][next[s] : next[s]+n] {
				for _, r := range rec {
					keep := r.side >= 0
					if keep && s == 1 && rc.dedup {
						last, seen := newest[r.key]
						keep = !seen || r.ts >= last
						if keep {
							newest[r.key] = r.ts
						}
					}
					if keep {
						rows = append(rows, r)
						at = append(at, min(wm[0], wm[1]))
					}
					maxTs[s] = max(maxTs[s], r.ts)
					wm[s] = maxTs[s] - rc.delay[s]
				}
			}
			if next[s] += n; next[s] == len(in[s]) {
				wm[s] = math.MaxInt64
			}
		}
	}
	return rows, at
}

// tjReference returns the expected rows (sorted) when the sources are
// read batch records per poll.
func tjReference(t *testing.T, rc tjRefCase, c *Case, batch int) []string {
	rows, at := tjArrivals(t, rc, c, batch)
	var out []string
	emit := func(l, r map[string]any) { out = append(out, "+I["+rc.format(l, r)+"]") }
	// the watermark advances before row i when at[i] > at[i-1], and to
	// MaxWatermark after the last row (point len(rows))
	type advance struct {
		point int
		wm    int64
	}
	var advances []advance
	for i := range rows {
		if i == 0 && at[0] > math.MinInt64 || i > 0 && at[i] > at[i-1] {
			advances = append(advances, advance{i, at[i]})
		}
	}
	advances = append(advances, advance{len(rows), math.MaxInt64})
	keys := map[string]bool{}
	for i, r := range rows {
		if r.key == "" {
			if r.side == 0 && rc.outer {
				emit(r.ev, nil)
			}
			continue
		}
		_ = i
		keys[r.key] = true
	}
	for key := range keys {
		emitted := map[int]bool{}
		lastFire := 0 // rows from this point on arrived since the key last fired
		// dropped[i]: right row i is no longer held
		dropped := map[int]bool{}
		for _, adv := range advances {
			fires := false
			for i := 0; i < adv.point; i++ {
				r := rows[i]
				if r.key != key || r.ts > adv.wm {
					continue
				}
				if i >= lastFire || r.side == 0 && !emitted[i] {
					fires = true
				}
			}
			if !fires {
				continue
			}
			// held versions: per time the right row that arrived last,
			// unless dropped
			held := map[int64]int{}
			for i := 0; i < adv.point; i++ {
				if r := rows[i]; r.key == key && r.side == 1 {
					held[r.ts] = i
				}
			}
			for ts, i := range held {
				if dropped[i] {
					delete(held, ts)
				}
			}
			for i := 0; i < adv.point; i++ {
				l := rows[i]
				if l.key != key || l.side != 0 || emitted[i] || l.ts > adv.wm {
					continue
				}
				emitted[i] = true
				best := int64(math.MinInt64)
				found := false
				for ts := range held {
					if ts <= l.ts && (!found || ts > best) {
						best, found = ts, true
					}
				}
				if found && !rows[held[best]].del {
					r := rows[held[best]]
					if rc.cond == nil || rc.cond(l.ev, r.ev) {
						emit(l.ev, r.ev)
						continue
					}
				}
				if rc.outer {
					emit(l.ev, nil)
				}
			}
			// keep the newest version at or before the watermark and later ones
			newest := int64(math.MinInt64)
			for ts := range held {
				if ts <= adv.wm {
					newest = max(newest, ts)
				}
			}
			for ts, i := range held {
				if ts < newest {
					dropped[i] = true
				}
			}
			lastFire = adv.point
		}
	}
	slices.Sort(out)
	return out
}

// viewChangelog is the versioned view's own changelog (rates_seen):
// +I for a key's first row, -U/+U when a row is not older than the
// key's newest; older rows are dropped.
func viewChangelog(t *testing.T, rc tjRefCase, c *Case) []string {
	var out []string
	last := map[string]map[string]any{}
	row := func(ev map[string]any) string {
		return evStr(ev, "k") + ", " + evInt(ev, "r") + ", " + ev["rt"].(string) + ".000"
	}
	for _, rec := range tjRecords(t, rc, c, 1) {
		r := rec[0]
		prev, seen := last[r.key]
		switch {
		case !seen:
			out = append(out, "+I["+row(r.ev)+"]")
		case r.ts >= tjTime(t, prev, "rt"):
			out = append(out, "-U["+row(prev)+"]", "+U["+row(r.ev)+"]")
		default:
			continue
		}
		last[r.key] = r.ev
	}
	return out
}

// TestTemporalJoinAgainstReference checks each golden file against the
// reference, then runs it with one record per poll (another interleaving
// of the two inputs, with other late rows) at parallelism 1, 2 and 4, and
// crashed at parallelism 4 and restored at 2 (2 -> 4, 4 -> 1): each run
// must give the reference's rows for that interleaving.
func TestTemporalJoinAgainstReference(t *testing.T) {
	files, byFile := casesByFile(tjRefCases(), func(rc tjRefCase) string { return rc.file })
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "golden", f)
			c, err := Parse(path)
			if err != nil {
				t.Fatal(err)
			}
			if rc := byFile[f][0]; rc.dedup {
				if d := lineDiff(viewChangelog(t, rc, c), c.Outputs["rates_seen"]); d != "" {
					t.Errorf("rates_seen disagrees with the versioned view's changelog (- reference, + golden file):\n%s", d)
				}
			}
			referenceRuns(t, path, c, func(what string, batch int, r *Result, committed bool) {
				t.Helper()
				for _, rc := range byFile[f] {
					checkTable(t, what, rc.table, tjReference(t, rc, c, batch), r, !committed && batch == 0)
				}
				if got := r.Counters["late_records_dropped"]; got != 0 {
					t.Errorf("%s: late_records_dropped=%d, a temporal join drops no row as late", what, got)
				}
			})
		})
	}
}
