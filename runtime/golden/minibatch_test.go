package golden

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Mini-batch group aggregation (table.exec.mini-batch.*) over the inputs
// of the group aggregation golden cases, at parallelism 1, 2 and 4: every
// sink's final table is the one the case gets without mini-batch, and the
// changelog is shorter where a batch holds several rows of one key (at
// most one change per key per batch). A size of 3 rows and a latency of
// an hour make the batches depend on the rows alone (the size, then the
// end of input), not on the clock.
func TestMiniBatchFinalTables(t *testing.T) {
	const sets = "SET 'table.exec.mini-batch.enabled' = 'true'; SET 'table.exec.mini-batch.allow-latency' = '1 h'; SET 'table.exec.mini-batch.size' = '3';"
	shorter := 0
	for _, name := range []string{"group_agg.test", "group_agg_changelog.test", "group_agg_final.test", "group_agg_global.test",
		"group_agg_having.test", "group_agg_stats.test", "group_agg_unchanged.test", "select_distinct.test"} {
		for _, p := range []int{1, 2, 4} {
			run := func(sets string) *Result {
				c, err := Parse(filepath.Join("..", "..", "testdata", "golden", name))
				if err != nil {
					t.Fatal(err)
				}
				c.parallelism, c.sets = p, sets
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				r := c.Run(ctx)
				if r.Error != "" {
					t.Fatalf("%s p=%d sets %q: %s", name, p, sets, r.Error)
				}
				return r
			}
			plain, mb := run(""), run(sets)
			for table, rows := range plain.Outputs {
				want := FinalTable(rows, plain.Keys[table])
				got := FinalTable(mb.Outputs[table], mb.Keys[table])
				if !slices.Equal(got, want) {
					t.Errorf("%s p=%d %s: final table with mini-batch\n%s\nwithout\n%s", name, p, table, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if len(mb.Outputs[table]) > len(rows) {
					t.Errorf("%s p=%d %s: %d changes with mini-batch, %d without", name, p, table, len(mb.Outputs[table]), len(rows))
				}
				if p == 1 && len(mb.Outputs[table]) < len(rows) {
					shorter++
				}
			}
		}
	}
	if shorter < 4 {
		t.Errorf("mini-batch shortened only %d changelogs at parallelism 1", shorter)
	}
}
