package runtest

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime"
)

// TestGroupingExamples runs every grouping function's examples through
// the whole stack: a group aggregation of the example rows by the
// example's GROUP BY, whose changelog is folded into its final table.
func TestGroupingExamples(t *testing.T) {
	in := filepath.Join(t.TempDir(), "src.jsonl")
	if err := os.WriteFile(in, []byte(strings.Join(functions.GroupingExampleRows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range functions.AllGrouping() {
		works := false
		for _, ex := range s.Examples {
			src := `CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json');
SELECT a, b, ` + ex.Call + ` FROM src GROUP BY ` + ex.GroupBy + `;`
			o, err := Run(context.Background(), "grouping.sql", src, runtime.Options{})
			if want, ok := strings.CutPrefix(ex.Want[0], "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s with GROUP BY %s: error %v, want one containing %q", ex.Call, ex.GroupBy, err, want)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s with GROUP BY %s: %v", ex.Call, ex.GroupBy, err)
				continue
			}
			got := finalTable(strings.Split(strings.TrimSpace(o.Stdout), "\n"))
			if strings.Join(got, " ") != strings.Join(ex.Want, " ") {
				t.Errorf("%s with GROUP BY %s = %v, want %v", ex.Call, ex.GroupBy, got, ex.Want)
				continue
			}
			works = true
		}
		if !works {
			t.Errorf("%s has no working example", s.Name)
		}
	}
}

// finalTable folds a printed changelog (+I[...], -U[...], ...) into its
// sorted final rows.
func finalTable(lines []string) []string {
	count := map[string]int{}
	for _, l := range lines {
		if len(l) < 3 {
			continue
		}
		row := l[2:]
		switch l[:2] {
		case "+I", "+U":
			count[row]++
		case "-U", "-D":
			count[row]--
		}
	}
	var out []string
	for r, n := range count {
		for ; n > 0; n-- {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
