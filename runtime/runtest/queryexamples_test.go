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

// TestQueryFuncExamples runs every example of the functions bound from
// the query's shape (grouping functions, ROW_NUMBER) through the whole
// stack over the example rows; the changelog is folded into its final
// table.
func TestQueryFuncExamples(t *testing.T) {
	in := filepath.Join(t.TempDir(), "src.jsonl")
	if err := os.WriteFile(in, []byte(strings.Join(functions.QueryExampleRows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(functions.AllQuery("grouping"), functions.AllQuery("aggregate")...) {
		works := false
		for _, ex := range s.Examples {
			src := `CREATE TABLE src (a STRING, b STRING) WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json');
` + ex.Query + `;`
			o, err := Run(context.Background(), "grouping.sql", src, runtime.Options{})
			if want, ok := strings.CutPrefix(ex.Want[0], "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: error %v, want one containing %q", ex.Query, err, want)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", ex.Query, err)
				continue
			}
			got := finalTable(strings.Split(strings.TrimSpace(o.Stdout), "\n"))
			if strings.Join(got, " ") != strings.Join(ex.Want, " ") {
				t.Errorf("%s = %v, want %v", ex.Query, got, ex.Want)
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
