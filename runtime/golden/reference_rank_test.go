package golden

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// This test checks the golden cases of the ROW_NUMBER() patterns against a
// naive reference written from Flink's documentation and FLINK-FACTS §6-7
// (AppendOnlyTopNFunction, RetractableTopNFunction,
// RowTimeDeduplicateFunction, RowTimeDeduplicateKeepFirstRowFunction): a
// partition keeps every row it ever received (minus retractions), and
// after each change the whole partition is sorted again from scratch
// (stable, so ties stay in arrival order); the ranks before and after are
// compared: with the row number, -U/+U for each rank whose row changed,
// +I/-D for a rank filled/emptied; without it, -D for rows that left the
// range then +I for rows that entered. It reads only the golden files.
//
// topn_retract.test (Top-N over a GROUP BY) expects final tables: its
// changelog depends on how the aggregation's subtasks interleave, as in
// Flink; here its whole changelog at parallelism 1 is checked too.

type rankRefRow struct {
	vals []string // printed values, in output order
	sort []any    // order key values (float64, or nil for NULL)
	seq  int
}

// refRank is a naive Top-N over one output's partitions.
type refRank struct {
	start, end int
	rn         bool
	desc       []bool
	parts      map[string][]rankRefRow
	seq        int
	out        []string
}

func cmpAny(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case float64:
		y := b.(float64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case string:
		return strings.Compare(x, b.(string))
	}
	panic(fmt.Sprintf("cannot compare %T", a))
}

func (r *refRank) top(k string) []rankRefRow {
	rows := slices.Clone(r.parts[k])
	slices.SortStableFunc(rows, func(a, b rankRefRow) int {
		for i := range a.sort {
			c := cmpAny(a.sort[i], b.sort[i])
			if r.desc[i] {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return a.seq - b.seq
	})
	return rows[:min(len(rows), r.end)]
}

func (r *refRank) change(k string, row rankRefRow, retract bool) {
	before := r.top(k)
	if retract {
		ps := r.parts[k]
		i := slices.IndexFunc(ps, func(x rankRefRow) bool { return slices.Equal(x.vals, row.vals) })
		if i < 0 {
			return
		}
		r.parts[k] = slices.Delete(ps, i, i+1)
	} else {
		r.seq++
		row.seq = r.seq
		r.parts[k] = append(r.parts[k], row)
	}
	after := r.top(k)
	print := func(kind string, x rankRefRow, rank int) {
		v := slices.Clone(x.vals)
		if r.rn {
			v = append(v, fmt.Sprint(rank))
		}
		r.out = append(r.out, kind+"["+strings.Join(v, ", ")+"]")
	}
	if r.rn || r.start > 1 {
		for i := r.start - 1; i < r.end; i++ {
			switch {
			case i < len(before) && i < len(after):
				if before[i].seq != after[i].seq {
					print("-U", before[i], i+1)
					print("+U", after[i], i+1)
				}
			case i < len(after):
				print("+I", after[i], i+1)
			case i < len(before):
				print("-D", before[i], i+1)
			}
		}
		return
	}
	has := func(rs []rankRefRow, s int) bool {
		return slices.ContainsFunc(rs, func(x rankRefRow) bool { return x.seq == s })
	}
	for _, x := range before {
		if !has(after, x.seq) {
			print("-D", x, 0)
		}
	}
	for _, x := range after {
		if !has(before, x.seq) {
			print("+I", x, 0)
		}
	}
}

func evVal(ev map[string]any, f string) string {
	switch v := ev[f].(type) {
	case nil:
		return "null"
	case float64:
		return fmt.Sprint(v)
	case string:
		if strings.Count(v, ":") == 2 && !strings.Contains(v, ".") {
			return v + ".000" // a TIMESTAMP(3) as print writes it
		}
		return v
	}
	return fmt.Sprint(ev[f])
}

func readEvents(t *testing.T, in *Input) []map[string]any {
	var evs []map[string]any
	for _, r := range in.Records {
		var ev map[string]any
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatalf("line %d: %v", r.Line, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// topNReference is the expected changelog of a Top-N over m's events.
func topNReference(evs []map[string]any, part string, fields []string, order []string, desc []bool, start, end int, rn bool) []string {
	r := &refRank{start: start, end: end, rn: rn, desc: desc, parts: map[string][]rankRefRow{}}
	for _, ev := range evs {
		row := rankRefRow{}
		for _, f := range fields {
			row.vals = append(row.vals, evVal(ev, f))
		}
		for _, f := range order {
			row.sort = append(row.sort, ev[f])
		}
		r.change(evVal(ev, part), row, false)
	}
	return r.out
}

func loadCase(t *testing.T, path string) *Case {
	t.Helper()
	c, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTopNAgainstReference(t *testing.T) {
	c := loadCase(t, filepath.Join("..", "..", "testdata", "golden", "topn.test"))
	evs := readEvents(t, c.Inputs[0])
	want := map[string][]string{
		"out_rn":   topNReference(evs, "k", []string{"k", "id", "v"}, []string{"v"}, []bool{true}, 1, 2, true),
		"out_norn": topNReference(evs, "k", []string{"k", "id", "v"}, []string{"v"}, []bool{true}, 1, 2, false),
		"out_mid":  topNReference(evs, "k", []string{"k", "id", "v"}, []string{"v", "id"}, []bool{true, false}, 2, 3, true),
	}
	for table, rows := range want {
		if d := lineDiff(rows, c.Outputs[table]); d != "" {
			t.Errorf("%s: golden output disagrees with the reference (- reference, + golden file):\n%s", table, d)
		}
	}
	// Flink's Top-N documentation queries
	c = loadCase(t, filepath.Join("..", "..", "testdata", "golden", "topn_flink_docs.test"))
	evs = readEvents(t, c.Inputs[0])
	fields := []string{"product_id", "category", "product_name", "sales"}
	for table, rn := range map[string]bool{"out_rn": true, "out_norn": false} {
		want := topNReference(evs, "category", fields, []string{"sales"}, []bool{true}, 1, 5, rn)
		if d := lineDiff(want, c.Outputs[table]); d != "" {
			t.Errorf("topn_flink_docs %s: golden output disagrees with the reference (- reference, + golden file):\n%s", table, d)
		}
	}
}

// TestTopNRetractAgainstReference: the reference aggregates COUNT(*) per
// (k, u) as Flink's GroupAggregate emits it (+I, then -U old, +U new) and
// feeds each change to the naive Top-N.
func TestTopNRetractAgainstReference(t *testing.T) {
	c := loadCase(t, filepath.Join("..", "..", "testdata", "golden", "topn_retract.test"))
	evs := readEvents(t, c.Inputs[0])
	want := map[string][]string{}
	for table, rn := range map[string]bool{"out_rn": true, "out_norn": false} {
		r := &refRank{start: 1, end: 2, rn: rn, desc: []bool{true}, parts: map[string][]rankRefRow{}}
		counts := map[[2]string]int{}
		row := func(k, u string, n int) rankRefRow {
			return rankRefRow{vals: []string{k, u, fmt.Sprint(n)}, sort: []any{float64(n)}}
		}
		for _, ev := range evs {
			k, u := evVal(ev, "k"), evVal(ev, "u")
			n := counts[[2]string{k, u}]
			if n > 0 {
				r.change(k, row(k, u, n), true)
			}
			counts[[2]string{k, u}] = n + 1
			r.change(k, row(k, u, n+1), false)
		}
		want[table] = r.out
	}
	c.parallelism = 1
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	res := c.Run(ctx)
	cancel()
	if res.Error != "" {
		t.Fatal(res.Error)
	}
	for table, log := range want {
		if d := lineDiff(log, res.Outputs[table]); d != "" {
			t.Errorf("%s at parallelism 1: the changelog disagrees with the reference (- reference, + engine):\n%s", table, d)
		}
		var golden []string
		for _, r := range c.Finals[table] {
			golden = append(golden, strings.TrimPrefix(r, "+I"))
		}
		sort.Strings(golden)
		if d := lineDiff(finalTable(t, log), golden); d != "" {
			t.Errorf("%s: the golden final table disagrees with the reference's (- reference, + golden file):\n%s", table, d)
		}
	}
}

// finalTable applies a changelog: +I/+U add a row, -U/-D remove one.
func finalTable(t *testing.T, log []string) []string {
	var rows []string
	for _, l := range log {
		body := strings.TrimPrefix(strings.TrimPrefix(l, "+I"), l[:2])
		switch l[:2] {
		case "+I", "+U":
			rows = append(rows, body)
		case "-U", "-D":
			i := slices.Index(rows, body)
			if i < 0 {
				t.Fatalf("changelog retracts %s, which is not in the table", body)
			}
			rows = slices.Delete(rows, i, i+1)
		}
	}
	sort.Strings(rows)
	return rows
}

// TestDedupAgainstReference: keep-last replaces the kept row when the new
// rowtime is not earlier; keep-first holds the earliest row (first of
// equal ones) until the watermark (largest ts so far - 2 s, as before the
// row) reaches it, drops rows below the watermark as late, and emits each
// key once. Emission order: by rowtime, then by when the row was taken.
func TestDedupAgainstReference(t *testing.T) {
	c := loadCase(t, filepath.Join("..", "..", "testdata", "golden", "dedup.test"))
	evs := readEvents(t, c.Inputs[0])
	ts := func(ev map[string]any) string { return ev["ts"].(string) } // same-format text sorts as time
	row := func(ev map[string]any) string {
		return "[" + evVal(ev, "k") + ", " + evVal(ev, "id") + ", " + evVal(ev, "ts") + "]"
	}
	// keep last
	var last []string
	kept := map[string]map[string]any{}
	for _, ev := range evs {
		k := evVal(ev, "k")
		switch prev := kept[k]; {
		case prev == nil:
			last = append(last, "+I"+row(ev))
		case ts(ev) < ts(prev):
			continue
		default:
			last = append(last, "-U"+row(prev), "+U"+row(ev))
		}
		kept[k] = ev
	}
	// keep first
	parse := func(s string) time.Time {
		x, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	var first []string
	held := map[string]map[string]any{}
	done := map[string]bool{}
	late := 0
	var wm time.Time
	var maxTS time.Time
	type cand struct {
		ev  map[string]any
		seq int
	}
	var order []cand
	fire := func(upTo time.Time, all bool) {
		var due []cand
		for _, c := range order {
			k := evVal(c.ev, "k")
			if held[k] != nil && sameEv(held[k], c.ev) && (all || !parse(ts(c.ev)).After(upTo)) {
				due = append(due, c)
			}
		}
		sort.SliceStable(due, func(i, j int) bool {
			if ts(due[i].ev) != ts(due[j].ev) {
				return ts(due[i].ev) < ts(due[j].ev)
			}
			return due[i].seq < due[j].seq
		})
		for _, c := range due {
			k := evVal(c.ev, "k")
			first = append(first, "+I"+row(c.ev))
			done[k] = true
			delete(held, k)
		}
	}
	for i, ev := range evs {
		k := evVal(ev, "k")
		t0 := parse(ts(ev))
		if i > 0 && t0.Before(wm) {
			late++
		} else if !done[k] && (held[k] == nil || ts(ev) < ts(held[k])) {
			held[k] = ev
			order = append(order, cand{ev, i})
		}
		if i == 0 || t0.After(maxTS) {
			maxTS = t0
		}
		if w := maxTS.Add(-2 * time.Second); i == 0 || w.After(wm) {
			wm = w
			fire(wm, false)
		}
	}
	fire(time.Time{}, true)
	if d := lineDiff(first, c.Outputs["out_first"]); d != "" {
		t.Errorf("out_first: golden output disagrees with the reference (- reference, + golden file):\n%s", d)
	}
	if d := lineDiff(last, c.Outputs["out_last"]); d != "" {
		t.Errorf("out_last: golden output disagrees with the reference (- reference, + golden file):\n%s", d)
	}
	if int64(late) != c.Counters["late_records_dropped"] {
		t.Errorf("late rows: reference %d, golden file %d", late, c.Counters["late_records_dropped"])
	}
}

func sameEv(a, b map[string]any) bool {
	return evVal(a, "id") == evVal(b, "id") && evVal(a, "ts") == evVal(b, "ts")
}
