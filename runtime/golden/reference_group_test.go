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

// This test checks the golden cases of group aggregations without a
// window against a naive reference written from FLINK-FACTS §5 (Flink's
// GroupAggFunction): each key keeps the plain list of its rows; after
// every input row the key's result is recomputed from the whole list and
// compared with the previous one: +I for the first, -U old and +U new
// when it changed, nothing when it did not. A HAVING filter drops the
// change rows whose values fail it. It reads only the golden files.
//
// It also runs each case at parallelism 2 and 4 and checks that every
// key's changes come in the same order as in the golden file (the
// parallel golden test compares the rows only sorted).

type groupRefCase struct {
	file, table string
	key         func(ev map[string]any) string
	// result is the key's output row (print's text inside the brackets)
	// from its rows, and whether it passes HAVING.
	result func(rows []map[string]any) (string, bool)
}

func evStr(ev map[string]any, f string) string {
	if s, ok := ev[f].(string); ok {
		return s
	}
	return "null"
}

// evInts is the non-NULL integers of field f.
func evInts(rows []map[string]any, f string, keep func(int64) bool) []int64 {
	var out []int64
	for _, r := range rows {
		if x, ok := r[f].(float64); ok && (keep == nil || keep(int64(x))) {
			out = append(out, int64(x))
		}
	}
	return out
}

func nullOr(xs []int64, f func([]int64) int64) string {
	if len(xs) == 0 {
		return "null"
	}
	return fmt.Sprint(f(xs))
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

func groupRefCases() []groupRefCase {
	byK := func(ev map[string]any) string { return evStr(ev, "k") }
	return []groupRefCase{
		{file: "group_agg.test", table: "out_group", key: byK, result: func(rows []map[string]any) (string, bool) {
			vs := evInts(rows, "v", nil)
			users := map[string]bool{}
			for _, r := range rows {
				if u, ok := r["u"].(string); ok {
					users[u] = true
				}
			}
			big := evInts(rows, "v", func(x int64) bool { return x > 10 })
			avg := func(xs []int64) int64 { return sum(xs) / int64(len(xs)) } // INT average truncates
			return fmt.Sprintf("%s, %d, %s, %s, %s, %s, %d, %s", evStr(rows[0], "k"), len(rows),
				nullOr(vs, sum), nullOr(vs, avg), nullOr(vs, slices.Min), nullOr(vs, slices.Max),
				len(users), nullOr(big, sum)), true
		}},
		{file: "group_agg_stats.test", table: "out_stats", key: byK, result: func(rows []map[string]any) (string, bool) {
			// VAR_SAMP over INT: (SUM(x*x) - SUM(x)*SUM(x)/n) / (n - 1) in integers
			vs := evInts(rows, "v", nil)
			vsamp := "null"
			if n := int64(len(vs)); n > 1 {
				var s, q int64
				for _, x := range vs {
					s, q = s+x, q+x*x
				}
				vsamp = fmt.Sprint((q - s*s/n) / (n - 1))
			}
			var us, arr []string
			for _, r := range rows {
				if u, ok := r["u"].(string); ok {
					us = append(us, u)
				}
				if v, ok := r["v"].(float64); ok {
					arr = append(arr, fmt.Sprint(int64(v)))
				} else {
					arr = append(arr, "NULL")
				}
			}
			fv, lv, la := "null", "null", "null"
			if len(us) > 0 {
				fv, lv, la = us[0], us[len(us)-1], strings.Join(us, ",")
			}
			ja, _ := json.Marshal(us)
			if us == nil {
				ja = []byte("[]")
			}
			return fmt.Sprintf("%s, %s, %s, %s, %s, [%s], %s", evStr(rows[0], "k"), vsamp, fv, lv, la, strings.Join(arr, ", "), ja), true
		}},
		{file: "group_agg_unchanged.test", table: "out_max", key: byK, result: func(rows []map[string]any) (string, bool) {
			return evStr(rows[0], "k") + ", " + nullOr(evInts(rows, "v", nil), slices.Max), true
		}},
		{file: "select_distinct.test", table: "out_distinct",
			key: func(ev map[string]any) string { return evStr(ev, "k") + "\x00" + evStr(ev, "u") },
			result: func(rows []map[string]any) (string, bool) {
				return evStr(rows[0], "k") + ", " + evStr(rows[0], "u"), true
			}},
		{file: "group_agg_global.test", table: "out_total", key: func(map[string]any) string { return "" },
			result: func(rows []map[string]any) (string, bool) {
				ks := map[string]bool{}
				for _, r := range rows {
					ks[evStr(r, "k")] = true
				}
				return fmt.Sprintf("%d, %s, %d", len(rows), nullOr(evInts(rows, "v", nil), sum), len(ks)), true
			}},
		{file: "group_agg_having.test", table: "out_having", key: byK, result: func(rows []map[string]any) (string, bool) {
			return fmt.Sprintf("%s, %d", evStr(rows[0], "k"), len(rows)), len(rows) >= 2
		}},
	}
}

// groupReference computes the expected changelog, in order.
func groupReference(t *testing.T, rc groupRefCase, in *Input) []string {
	type state struct {
		rows []map[string]any
		prev string
		pass bool
	}
	groups := map[string]*state{}
	var out []string
	emit := func(kind, row string, pass bool) {
		if pass {
			out = append(out, kind+"["+row+"]")
		}
	}
	for _, r := range in.Records {
		var ev map[string]any
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatalf("line %d: %v", r.Line, err)
		}
		k := rc.key(ev)
		g := groups[k]
		first := g == nil
		if first {
			g = &state{}
			groups[k] = g
		}
		g.rows = append(g.rows, ev)
		res, pass := rc.result(g.rows)
		switch {
		case first:
			emit("+I", res, pass)
		case res == g.prev:
			continue
		default:
			emit("-U", g.prev, g.pass)
			emit("+U", res, pass)
		}
		g.prev, g.pass = res, pass
	}
	return out
}

// keyOf is the group key of a printed row: its first column (the group
// key's first column, which every keyed case here starts with), every
// column for DISTINCT ("whole"), nothing for a global aggregation.
func keyOf(row, table string) string {
	body := row[strings.Index(row, "[")+1 : len(row)-1]
	switch table {
	case "out_distinct":
		return body
	case "out_total":
		return ""
	}
	return strings.SplitN(body, ", ", 2)[0]
}

func perKey(rows []string, table string) map[string][]string {
	m := map[string][]string{}
	for _, r := range rows {
		k := keyOf(r, table)
		m[k] = append(m[k], r)
	}
	return m
}

func TestGroupAggAgainstReference(t *testing.T) {
	for _, rc := range groupRefCases() {
		t.Run(rc.file, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "golden", rc.file)
			c, err := Parse(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Inputs) != 1 {
				t.Fatalf("want one input section, got %d", len(c.Inputs))
			}
			want := groupReference(t, rc, c.Inputs[0])
			golden := c.Outputs[rc.table]
			if len(golden) == 0 {
				t.Fatalf("golden file has no output for %s", rc.table)
			}
			if d := lineDiff(want, golden); d != "" {
				t.Errorf("golden output of %s disagrees with the reference changelog (- reference, + golden file):\n%s", rc.file, d)
			}
			// at parallelism > 1 every key's changes keep their order
			wantKeys := perKey(golden, rc.table)
			for _, p := range []int{2, 4} {
				r := runAtParallelism(t, path, p)
				if r.Subtasks <= p && rc.table != "out_total" {
					t.Errorf("parallelism %d: the aggregation did not run as %d subtasks (%d subtasks in all)", p, p, r.Subtasks)
				}
				got := perKey(r.Outputs[rc.table], rc.table)
				keys := make([]string, 0, len(wantKeys))
				for k := range wantKeys {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					if d := lineDiff(wantKeys[k], got[k]); d != "" {
						t.Errorf("parallelism %d, key %s: changes differ from the golden order:\n%s", p, k, d)
					}
				}
				if len(got) != len(wantKeys) {
					t.Errorf("parallelism %d: %d keys, want %d", p, len(got), len(wantKeys))
				}
			}
		})
	}
}

// runAtParallelism runs the golden case at path at parallelism p; a run
// error fails the test.
func runAtParallelism(t *testing.T, path string, p int) *Result {
	t.Helper()
	c, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	c.parallelism = p
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	r := c.Run(ctx)
	cancel()
	if r.Error != "" {
		t.Fatalf("parallelism %d: %s", p, r.Error)
	}
	return r
}
