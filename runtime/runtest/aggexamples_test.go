package runtest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime"
)

// TestAggregateExamples runs every aggregate spec's examples through the
// whole stack: the example's values are a JSON file read by the
// filesystem connector, the call is a global group aggregation over them
// (parse, plan, build, run), and the last row printed is its result. Every
// name (aliases included) must have a working example, so the planner
// cannot accept an aggregate the runtime does not build. The same calls
// in window aggregations are checked by the golden cases
// (testdata/golden/window_aggs_stats.test, group_agg_stats.test).
func TestAggregateExamples(t *testing.T) {
	works := map[string]bool{}
	call := regexp.MustCompile(`^([A-Z_]+)\(`)
	dir := t.TempDir()
	for _, s := range functions.AllAggs() {
		for j, ex := range s.Examples {
			name := s.Name + "/" + ex.Call
			in := filepath.Join(dir, strings.ReplaceAll(s.Name, "_", "")+string(rune('a'+j))+".jsonl")
			var lines []string
			for _, v := range ex.Input {
				lines = append(lines, `{"x": `+v+"}")
			}
			if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			src := `CREATE TABLE src (x ` + ex.Type + `) WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json');
SELECT ` + ex.Call + ` FROM src;`
			o, err := Run(context.Background(), "agg.sql", src, runtime.Options{})
			if want, ok := strings.CutPrefix(ex.Want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s over %v: error %v, want one containing %q", name, ex.Input, err, want)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s over %v: %v", name, ex.Input, err)
				continue
			}
			rows := strings.Split(strings.TrimSpace(o.Stdout), "\n")
			last := rows[len(rows)-1]
			got := last[strings.Index(last, "[")+1 : len(last)-1]
			if got != ex.Want {
				t.Errorf("%s over %v = %s, want %s (output %q)", name, ex.Input, got, ex.Want, o.Stdout)
				continue
			}
			if m := call.FindStringSubmatch(ex.Call); m != nil {
				works[m[1]] = true
			}
		}
	}
	for _, n := range functions.AggNames() {
		if !works[n] {
			t.Errorf("aggregate %s has no working example", n)
		}
	}
}
