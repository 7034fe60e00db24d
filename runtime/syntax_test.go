package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// Flink syntax the MySQL grammar lacks, run end to end: EXTRACT units
// DOW, ISODOW, DOY, WEEK, QUARTER and EPOCH, and the simple CASE with a
// list of values per WHEN. Expected values are from the calendar
// (Python's datetime: 2023-11-12 is a Sunday, day 316, ISO week 45;
// 2024-12-30 a Monday, day 365, ISO week 1 of 2025).
func TestFlinkOnlySyntax(t *testing.T) {
	in := jsonInput(t, `{"t": 1699785015000, "k": 2}
{"t": 1735516800000, "k": 3}
{"t": 0, "k": 5}
{"t": 0, "k": null}
`)
	src := `CREATE TABLE src (t BIGINT, k INT, ts AS TO_TIMESTAMP_LTZ(t, 3))
WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json');
SELECT EXTRACT(DOW FROM ts), EXTRACT(ISODOW FROM ts), EXTRACT(DOY FROM ts), EXTRACT(WEEK FROM ts),
  EXTRACT(QUARTER FROM ts), EXTRACT(EPOCH FROM ts),
  CASE k WHEN 1, 2 THEN 'low' WHEN 3 THEN 'three' ELSE 'high' END,
  CASE k WHEN 5, 6, 7 THEN CASE k WHEN 4, 5 THEN 'five' END END
FROM src;`
	o, err := runtest.Run(context.Background(), "t.sql", src, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 1970-01-01 was a Thursday (DOW 5, ISODOW 4), day 1, ISO week 1.
	want := `+I[1, 7, 316, 45, 4, 1699785015, low, null]
+I[2, 1, 365, 1, 4, 1735516800, three, null]
+I[5, 4, 1, 1, 1, 0, high, five]
+I[5, 4, 1, 1, 1, 0, high, null]
`
	if o.Stdout != want {
		t.Errorf("rows:\n%s\nwant:\n%s", o.Stdout, want)
	}
}

// jsonInput writes lines to a file in a temporary directory and returns its path.
func jsonInput(t *testing.T, lines string) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(in, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	return in
}
