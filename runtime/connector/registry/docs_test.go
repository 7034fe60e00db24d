package registry

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/streamsql/streamsql/sql/testflag"
)

// TestConnectorDocsUpToDate keeps docs/connectors.md equal to what the
// connector specs say, so the options a user reads are the options the
// engine validates. Regenerate with `go test ./runtime/connector/registry -update`.
func TestConnectorDocsUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "..", "docs", "connectors.md")
	want := "# Connectors and formats\n\n" +
		"Every option a table's `WITH (...)` clause takes, with its default. Unknown options are errors\n" +
		"that list the valid ones. Secret options (passwords, JAAS configs) are never printed.\n" +
		Markdown()
	if *testflag.Update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./runtime/connector/registry -update)", err)
	}
	if string(got) != want {
		t.Errorf("docs/connectors.md is out of date with the connector specs; regenerate with: go test ./runtime/connector/registry -update")
	}
}
