package runtime_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file written by a tool that puts a UTF-8 byte order mark in front
// reads as Flink (Jackson) reads it: the mark is skipped, the first record
// is kept. A record with invalid UTF-8 in a string is malformed: an error
// naming file and line, or skipped and counted with ignore-parse-errors.
func TestJSONFileBOMAndInvalidUTF8(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bom.jsonl")
	data := "\xef\xbb\xbf{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"caf\xe9\"}\n{\"id\":3,\"name\":\"c\"}\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	query := `CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json'%s);
CREATE TABLE out (id INT, name STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT id, name FROM src;`
	_, _, err := runScript(fmt.Sprintf(query, p, ""))
	if err == nil || !strings.Contains(err.Error(), "bom.jsonl:2:") || !strings.Contains(err.Error(), "invalid UTF-8 byte 0xE9") {
		t.Fatalf("want an error at bom.jsonl:2 naming the invalid UTF-8, got %v", err)
	}
	out, sum, err := runScript(fmt.Sprintf(query, p, ", 'json.ignore-parse-errors' = 'true'"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "+I[1, a]\n+I[3, c]\n") || sum.RecordsSkipped != 1 {
		t.Errorf("got %q, %d skipped; want rows 1 and 3 and one skipped", out, sum.RecordsSkipped)
	}
}
