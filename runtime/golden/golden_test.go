package golden

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/streamsql/streamsql/sql/testflag"
)

// TestGolden runs every case under testdata/golden.
func TestGolden(t *testing.T) {
	files, err := Files(filepath.Join("..", "..", "testdata", "golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("want at least 30 golden cases, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			diff, err := RunFile(ctx, f, *testflag.Update)
			if err != nil {
				t.Fatal(err)
			}
			if diff != "" {
				t.Errorf("%s:\n%s", f, diff)
			}
		})
	}
}

// Changelog and final sections can fail: a key's changes out of order,
// a missing row, or a wrong final row are reported; rows of different
// keys interleaved otherwise are not.
func TestChangelogAndFinalSections(t *testing.T) {
	got := []string{"+I[a, 1]", "+I[b, 1]", "-U[a, 1]", "+U[a, 2]", "-D[b, 1]"}
	keys := []string{"a", "b", "a", "a", "b"}
	r := &Result{Outputs: map[string][]string{"t": got}, Keys: map[string][]string{"t": keys}}
	for _, c := range []struct {
		name      string
		changelog []string
		final     []string
		fails     bool
	}{
		{"keys interleaved otherwise", []string{"+I[b, 1]", "-D[b, 1]", "+I[a, 1]", "-U[a, 1]", "+U[a, 2]"}, nil, false},
		{"a key out of order", []string{"+I[a, 1]", "+U[a, 2]", "-U[a, 1]", "+I[b, 1]", "-D[b, 1]"}, nil, true},
		{"a row missing", []string{"+I[a, 1]", "-U[a, 1]", "+U[a, 2]", "+I[b, 1]"}, nil, true},
		{"final", nil, []string{"[a, 2]"}, false},
		{"final with +I", nil, []string{"+I[a, 2]"}, false},
		{"final wrong", nil, []string{"[a, 1]"}, true},
		{"final missing a delete", nil, []string{"[a, 2]", "[b, 1]"}, true},
	} {
		cs := &Case{Changelogs: map[string][]string{}, Finals: map[string][]string{}}
		if c.changelog != nil {
			cs.Changelogs["t"] = c.changelog
		} else {
			cs.Finals["t"] = c.final
		}
		if d := cs.Diff(r); (d != "") != c.fails {
			t.Errorf("%s: diff %q, want a failure: %v", c.name, d, c.fails)
		}
	}
	// without a key, -U and -D retract one equal row
	bag := FinalTable([]string{"+I[x, 1]", "+I[x, 1]", "-U[x, 1]", "+U[x, 2]", "+I[y, 3]", "-D[y, 3]"}, nil)
	if want := []string{"+I[x, 1]", "+I[x, 2]"}; !slices.Equal(bag, want) {
		t.Errorf("retracted final table %v, want %v", bag, want)
	}
}
