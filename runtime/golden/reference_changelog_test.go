package golden

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestDebeziumGroupAgainstReference checks changelog_debezium_group.test
// against the table its debezium-json events describe, computed here
// from Debezium's definition (op c and r insert "after", u replaces
// "before" by "after", d removes "before", an empty record is nothing)
// and then grouped by name: the golden file's final table, and the final
// table of the engine's runs with one record per poll at parallelism 1,
// 2 and 4 and crashed and restored at another parallelism.
func TestDebeziumGroupAgainstReference(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "golden", "changelog_debezium_group.test")
	c, err := Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	var sec *Input
	for _, in := range c.Inputs {
		if in.Table == "products" {
			sec = in
		}
	}
	if sec == nil {
		t.Fatal("no input section products")
	}
	// the products table the events leave, by id
	table := map[float64]map[string]any{}
	var events []*Input
	for _, r := range sec.Records {
		if len(r.Value) == 0 {
			continue // the tombstone after a delete
		}
		events = append(events, &Input{Records: []Record{r}})
	}
	for _, e := range events {
		ev := recs(t, e)[0]
		before, _ := ev["before"].(map[string]any)
		after, _ := ev["after"].(map[string]any)
		switch ev["op"] {
		case "c", "r":
			table[after["id"].(float64)] = after
		case "u":
			delete(table, before["id"].(float64))
			table[after["id"].(float64)] = after
		case "d":
			delete(table, before["id"].(float64))
		default:
			t.Fatalf("op %v", ev["op"])
		}
	}
	type agg struct {
		n          int
		total, max float64
	}
	groups := map[string]*agg{}
	for _, row := range table {
		name, w := row["name"].(string), row["weight"].(float64)
		g := groups[name]
		if g == nil {
			g = &agg{max: w}
			groups[name] = g
		}
		g.n++
		g.total += w
		g.max = max(g.max, w)
	}
	var want []string
	for name, g := range groups {
		want = append(want, fmt.Sprintf("+I[%s, %d, %.3f, %.3f]", name, g.n, g.total, g.max))
	}
	slices.Sort(want)
	var golden []string
	for _, l := range c.Finals["by_name"] {
		golden = append(golden, finalRow(l))
	}
	slices.Sort(golden)
	if d := lineDiff(want, golden); d != "" {
		t.Errorf("the golden file's final table disagrees with the reference (- reference, + golden file):\n%s", d)
	}
	referenceRuns(t, path, c, func(what string, batch int, r *Result, committed bool) {
		t.Helper()
		if !committed {
			return // the golden file's own rows: its final section, checked above
		}
		if d := lineDiff(want, FinalTable(r.Outputs["by_name"], r.Keys["by_name"])); d != "" {
			t.Errorf("%s: the final table disagrees with the reference (- reference, + engine):\n%s", what, d)
		}
	})
}
