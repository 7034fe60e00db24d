package runtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
)

func TestRun(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(in, []byte("{\"a\": 1}\n{\"a\": 2}\nnot json\n{\"a\": 40}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `CREATE TABLE src (a INT) WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json', 'json.ignore-parse-errors' = 'true');
CREATE TABLE out (b INT) WITH ('connector' = 'print');
INSERT INTO out SELECT a + 1 FROM src;`
	o, err := Run(context.Background(), "t.sql", src, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 1+1, 2+1, 40+1; the malformed line is skipped and counted.
	if want := "+I[2]\n+I[3]\n+I[41]\n"; o.Stdout != want {
		t.Errorf("stdout = %q, want %q", o.Stdout, want)
	}
	if o.Summary.RecordsSkipped != 1 {
		t.Errorf("records skipped = %d, want 1", o.Summary.RecordsSkipped)
	}
}

func TestErrorsCarryTheName(t *testing.T) {
	_, err := Run(context.Background(), "bad.sql", "SELECT FROM;", runtime.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "bad.sql:1:") {
		t.Fatalf("want a parse error at bad.sql:1:..., got %v", err)
	}
	_, err = Run(context.Background(), "plan.sql", "INSERT INTO nowhere SELECT 1;", runtime.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "plan.sql:1:13: unknown table") {
		t.Fatalf("want a planning error at plan.sql:1:13, got %v", err)
	}
}
