package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The golden cases of GROUPING SETS, ROLLUP and CUBE against a reference
// written from the SQL definition (and Flink's Expand): each input row
// belongs to one group per grouping set, keyed by the set and the values
// of the columns it groups by; the columns it does not group by read
// NULL, and GROUPING_ID is the bit vector of those columns, the first
// argument the most significant bit. Group aggregations are checked as a
// changelog in the order the sets are listed for each row; window
// aggregations by reference_test.go with one bucket per set
// (windowGroupingCase).

// groupingKeys returns, for a row, one key per grouping set: the set's
// index, then every column of cols, "null" when the set does not group
// by it or the row holds NULL.
func groupingKeys(sets [][]string, cols []string) func(ev map[string]any) []string {
	return func(ev map[string]any) []string {
		var out []string
		for i, set := range sets {
			parts := []string{fmt.Sprint(i)}
			for _, c := range cols {
				v := "null"
				if containsString(set, c) {
					v = evStr(ev, c)
				}
				parts = append(parts, v)
			}
			out = append(out, strings.Join(parts, "\x00"))
		}
		return out
	}
}

func containsString(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// groupingID is the GROUPING_ID of args for set.
func groupingID(set, args []string) int64 {
	var id int64
	for _, a := range args {
		id <<= 1
		if !containsString(set, a) {
			id |= 1
		}
	}
	return id
}

// bidTime reads window_grouping_sets_flink_docs.test's bidtime (UTC).
func bidTime(ev map[string]any) (int64, bool) {
	s, _ := ev["bidtime"].(string)
	t, err := time.Parse("2006-01-02 15:04:05", s)
	return t.UnixMilli(), err == nil
}

// windowGroupingCase checks one output table of
// window_grouping_sets_flink_docs.test: SUM(price) per 10-minute window
// and grouping set of sets over cols (and, with gid, GROUPING_ID of
// supplier_id, item).
func windowGroupingCase(table string, sets [][]string, cols []string, gid bool) refCase {
	return refCase{file: "window_grouping_sets_flink_docs.test", table: table, delay: 1000, assign: tumble(600000, 0),
		keys: groupingKeys(sets, cols), eventTime: bidTime,
		row: func(w refWindow, key string, rows []refRow) string {
			parts := strings.Split(key, "\x00")
			var cents int64
			for _, r := range rows {
				p, _ := r.ev["price"].(float64)
				cents += int64(math.Round(p * 100))
			}
			out := fmt.Sprintf("+I[%s, %s, %s, %d.%02d", tsText(w.start), tsText(w.end), strings.Join(parts[1:], ", "), cents/100, cents%100)
			if gid {
				var set int
				fmt.Sscan(parts[0], &set)
				out += fmt.Sprintf(", %d", groupingID(sets[set], []string{"supplier_id", "item"}))
			}
			return out + "]"
		}}
}

// TestGroupingSetsAgainstReference checks grouping_sets_changelog.test:
// ROLLUP (a, b) with COUNT(*), SUM(v) and GROUPING_ID(a, b), every row
// updating its (a, b), (a) and () groups in that order; then the same
// changes, sorted, at parallelism 2 and 4.
func TestGroupingSetsAgainstReference(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "golden", "grouping_sets_changelog.test")
	c, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	sets := [][]string{{"a", "b"}, {"a"}, {}}
	keys := groupingKeys(sets, []string{"a", "b"})
	type group struct {
		n, s    int64
		hasS    bool
		prev    string
		started bool
	}
	groups := map[string]*group{}
	var want []string
	for _, r := range c.Inputs[0].Records {
		var ev map[string]any
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatalf("line %d: %v", r.Line, err)
		}
		for i, k := range keys(ev) {
			g := groups[k]
			if g == nil {
				g = &group{}
				groups[k] = g
			}
			g.n++
			if v, ok := ev["v"].(float64); ok {
				g.s += int64(v)
				g.hasS = true
			}
			sum := "null"
			if g.hasS {
				sum = fmt.Sprint(g.s)
			}
			parts := strings.Split(k, "\x00")
			row := fmt.Sprintf("%s, %s, %d, %s, %d", parts[1], parts[2], g.n, sum, groupingID(sets[i], []string{"a", "b"}))
			switch {
			case !g.started:
				want = append(want, "+I["+row+"]")
			case row != g.prev:
				want = append(want, "-U["+g.prev+"]", "+U["+row+"]")
			}
			g.prev, g.started = row, true
		}
	}
	golden := c.Outputs["out_rollup"]
	if d := lineDiff(want, golden); d != "" {
		t.Errorf("golden changelog disagrees with the reference (- reference, + golden file):\n%s", d)
	}
	sorted := append([]string(nil), want...)
	sort.Strings(sorted)
	for _, p := range []int{2, 4} {
		got := append([]string(nil), runAtParallelism(t, path, p).Outputs["out_rollup"]...)
		sort.Strings(got)
		if d := lineDiff(sorted, got); d != "" {
			t.Errorf("parallelism %d: changes differ from the reference:\n%s", p, d)
		}
	}
}
