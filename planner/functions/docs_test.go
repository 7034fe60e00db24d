package functions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql/testflag"
)

const (
	docsBegin = "<!-- BEGIN functions: generated from planner/functions by `go test ./planner/functions -update` -->\n"
	docsEnd   = "<!-- END functions -->\n"
)

// TestFunctionDocsUpToDate keeps the function reference in docs/sql.md
// equal to what the specs say. Regenerate with
// `go test ./planner/functions -update`.
func TestFunctionDocsUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "sql.md")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, docsBegin), strings.Index(doc, docsEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/sql.md lacks the markers %q and %q", docsBegin, docsEnd)
	}
	want := doc[:i] + docsBegin + Markdown() + "\n" + doc[j:]
	if *testflag.Update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if doc != want {
		t.Errorf("docs/sql.md's function reference is out of date with the specs; regenerate with: go test ./planner/functions -update")
	}
}

// TestRegistryRefusesDuplicates: one name, one spec.
func TestRegistryRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("registering UPPER twice did not panic")
		}
	}()
	Register(&Spec{Name: "X_TEST", Aliases: []string{"UPPER"}, Build: buildConcat})
}
