package golden

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The golden cases of regular joins against a nested-loop reference: the
// final table the join's changelog leaves must be the join of the final
// input tables (each side's rows, or its aggregate per key when the side
// is a GROUP BY), computed here from the recorded input alone: every pair
// whose keys are equal and not NULL and that passes the residual
// condition, plus each unmatched row of an outer side padded with NULLs.
// (finalTable, in reference_rank_test.go, applies a changelog.) Each case
// also runs at parallelism 1, 2 and 4 with one record per poll
// (another interleaving of the two inputs, so another changelog) and
// crashes at parallelism 4 and restores at 2 (and 2 -> 4, 4 -> 1): the
// final table must stay the same.

type joinRefCase struct {
	file, table string
	// left and right turn a side's records into its rows (key first)
	left, right func(evs []map[string]any) [][]string
	outer       [2]bool // left / right side padded when unmatched
	cond        func(l, r []string) bool
	// project is the output row from the joined row (nil: padding)
	project func(l, r []string) string
}

// recs decodes an input's JSON records.
func recs(t *testing.T, in *Input) []map[string]any {
	var out []map[string]any
	for _, r := range in.Records {
		var ev map[string]any
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatalf("line %d: %v", r.Line, err)
		}
		out = append(out, ev)
	}
	return out
}

func evInt(ev map[string]any, f string) string {
	if x, ok := ev[f].(float64); ok {
		return fmt.Sprint(int64(x))
	}
	return "null"
}

// fields is each record's fields as printed.
func fields(names ...string) func([]map[string]any) [][]string {
	return func(evs []map[string]any) [][]string {
		var out [][]string
		for _, ev := range evs {
			row := make([]string, len(names))
			for i, n := range names {
				if s, ok := ev[n].(string); ok {
					row[i] = s
				} else {
					row[i] = evInt(ev, n)
				}
			}
			out = append(out, row)
		}
		return out
	}
}

// countSum groups by field k: [k, COUNT(*)] and, with sumField, SUM.
func countSum(sumField string) func([]map[string]any) [][]string {
	return func(evs []map[string]any) [][]string {
		var keys []string
		n, s := map[string]int64{}, map[string]int64{}
		for _, ev := range evs {
			k := evStr(ev, "k")
			if _, ok := n[k]; !ok {
				keys = append(keys, k)
			}
			n[k]++
			if x, ok := ev[sumField].(float64); ok {
				s[k] += int64(x)
			}
		}
		var out [][]string
		for _, k := range keys {
			row := []string{k, fmt.Sprint(n[k])}
			if sumField != "" {
				row = append(row, fmt.Sprint(s[k]))
			}
			out = append(out, row)
		}
		return out
	}
}

func joinRefCases() []joinRefCase {
	num := func(s string) int64 {
		var x int64
		fmt.Sscan(s, &x)
		return x
	}
	pad := func(r []string, n int) []string {
		if r != nil {
			return r
		}
		return slices.Repeat([]string{"null"}, n)
	}
	return []joinRefCase{
		{file: "regular_join_full.test", table: "out_join", left: fields("k", "v"), right: fields("k", "w"),
			outer: [2]bool{true, true},
			cond:  func(l, r []string) bool { return num(l[1]) < num(r[1]) },
			project: func(l, r []string) string {
				return strings.Join(append(slices.Clone(pad(l, 2)), pad(r, 2)...), ", ")
			}},
		{file: "regular_join_updating.test", table: "out_orders", left: fields("k", "id", "amount"), right: countSum(""),
			outer: [2]bool{true, false},
			project: func(l, r []string) string {
				return strings.Join([]string{l[1], l[0], l[2], pad(r, 2)[1]}, ", ")
			}},
		{file: "regular_join_inner_aggregates.test", table: "out_ctr", left: countSum(""), right: countSum("w"),
			project: func(l, r []string) string { return strings.Join([]string{l[0], l[1], r[1], r[2]}, ", ") }},
	}
}

// joinReference is the final table, sorted.
func joinReference(rc joinRefCase, l, r [][]string) []string {
	var out []string
	rMatched := make([]bool, len(r))
	for _, a := range l {
		m := false
		for j, b := range r {
			if a[0] == "null" || a[0] != b[0] || (rc.cond != nil && !rc.cond(a, b)) {
				continue
			}
			m, rMatched[j] = true, true
			out = append(out, "["+rc.project(a, b)+"]")
		}
		if !m && rc.outer[0] {
			out = append(out, "["+rc.project(a, nil)+"]")
		}
	}
	for j, b := range r {
		if !rMatched[j] && rc.outer[1] {
			out = append(out, "["+rc.project(nil, b)+"]")
		}
	}
	slices.Sort(out)
	return out
}

// runOnePerPoll runs the case at path at parallelism p with one record
// per poll.
func runOnePerPoll(ctx context.Context, t *testing.T, path string, p int) *Result {
	t.Helper()
	c, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	c.parallelism, c.batch = p, 1
	r := c.Run(ctx)
	if r.Error != "" {
		t.Fatalf("parallelism %d: %s", p, r.Error)
	}
	return r
}

// rescaledRuns runs the case at path with one record per poll and a
// checkpoint every 2 records, crashed halfway at parallelism 4 and
// restored at 2 (2 -> 4, 4 -> 1), and hands each result to check.
func rescaledRuns(ctx context.Context, t *testing.T, path string, check func(pars []int, got *Result)) {
	t.Helper()
	for _, pars := range [][]int{{4, 2}, {2, 4}, {4, 1}} {
		c, err := Parse(path)
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, in := range c.Inputs {
			total += int64(len(in.Records))
		}
		got, restores, err := c.runWithCrashes(ctx, stateDir(t), 1, 2, []int64{total / 2}, pars...)
		if err != nil {
			t.Fatalf("parallelism %v: %v", pars, err)
		}
		if restores == 0 {
			t.Errorf("parallelism %v: no run restored a checkpoint", pars)
		}
		check(pars, got)
	}
}

func TestRegularJoinAgainstReference(t *testing.T) {
	for _, rc := range joinRefCases() {
		t.Run(rc.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "golden", rc.file)
			c, err := Parse(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Inputs) != 2 {
				t.Fatalf("want two input sections, got %d", len(c.Inputs))
			}
			want := joinReference(rc, rc.left(recs(t, c.Inputs[0])), rc.right(recs(t, c.Inputs[1])))
			golden := c.Outputs[rc.table]
			if golden == nil {
				golden = c.Finals[rc.table]
			}
			if len(golden) == 0 {
				t.Fatalf("golden file has no output or final section for %s", rc.table)
			}
			if d := lineDiff(want, finalTable(t, golden)); d != "" {
				t.Errorf("final table of the golden file disagrees with the reference (- reference, + golden file):\n%s", d)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for _, p := range []int{1, 2, 4} {
				r := runOnePerPoll(ctx, t, path, p)
				if d := lineDiff(want, finalTable(t, r.Outputs[rc.table])); d != "" {
					t.Errorf("parallelism %d, one record per poll (- reference, + engine):\n%s", p, d)
				}
			}
			rescaledRuns(ctx, t, path, func(pars []int, got *Result) {
				if d := lineDiff(want, finalTable(t, got.Outputs[rc.table])); d != "" {
					t.Errorf("crash at parallelism %d, restore at %d (- reference, + engine):\n%s", pars[0], pars[1], d)
				}
			})
		})
	}
}

// The semi and anti joins of regular_semi_anti_join.test against SQL's
// definitions, evaluated row by row over the final inputs: x IN (S) is
// TRUE when some s = x; x NOT IN (S) is TRUE only when S holds no NULL
// and no s = x and x is not NULL (or S is empty); EXISTS / NOT EXISTS
// test for a correlated row. Each table is also run at parallelism 1, 2
// and 4 with one record per poll.
func TestSemiAntiJoinAgainstReference(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "golden", "regular_semi_anti_join.test")
	c, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	orders, blocked := recs(t, c.Inputs[0]), recs(t, c.Inputs[1])
	type pred func(o map[string]any) bool
	in := func(keep func(b map[string]any) bool) []string {
		var s []string
		for _, b := range blocked {
			if keep(b) {
				s = append(s, evStr(b, "k"))
			}
		}
		return s
	}
	all := func(map[string]any) bool { return true }
	notNullReason := func(b map[string]any) bool { return evStr(b, "reason") != "null" }
	notIn := func(set []string) pred {
		return func(o map[string]any) bool {
			if len(set) == 0 {
				return true
			}
			x := evStr(o, "k")
			return x != "null" && !slices.Contains(set, "null") && !slices.Contains(set, x)
		}
	}
	exists := func(extra func(b map[string]any) bool) pred {
		return func(o map[string]any) bool {
			return slices.ContainsFunc(blocked, func(b map[string]any) bool {
				return evStr(o, "k") != "null" && evStr(b, "k") == evStr(o, "k") && extra(b)
			})
		}
	}
	preds := map[string]pred{
		"out_in": func(o map[string]any) bool {
			return evStr(o, "k") != "null" && slices.Contains(in(all), evStr(o, "k"))
		},
		"out_exists":      exists(func(b map[string]any) bool { return evStr(b, "reason") != "test" }),
		"out_not_exists":  func(o map[string]any) bool { return !exists(all)(o) },
		"out_not_in":      notIn(in(notNullReason)),
		"out_not_in_null": notIn(in(all)),
	}
	want := map[string][]string{}
	for table, p := range preds {
		want[table] = []string{}
		for _, o := range orders {
			if p(o) {
				want[table] = append(want[table], "["+evInt(o, "id")+", "+evStr(o, "k")+"]")
			}
		}
		slices.Sort(want[table])
		if d := lineDiff(want[table], finalTable(t, c.Finals[table])); d != "" {
			t.Errorf("%s: golden file disagrees with the reference (- reference, + golden file):\n%s", table, d)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, p := range []int{1, 2, 4} {
		r := runOnePerPoll(ctx, t, path, p)
		for table := range preds {
			if d := lineDiff(want[table], finalTable(t, r.Outputs[table])); d != "" {
				t.Errorf("%s at parallelism %d, one record per poll (- reference, + engine):\n%s", table, p, d)
			}
		}
	}
}
