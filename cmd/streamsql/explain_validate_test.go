package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EXPLAIN refuses what run refuses: connector options are validated while
// planning, as Flink does, not only when the job starts. A misspelt
// 'scan.startup.mod' used to pass EXPLAIN and fail only at run.
func TestExplainValidatesConnectors(t *testing.T) {
	dir := t.TempDir()
	const sink = "CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');\n"
	kafka := func(extra string) string {
		return "CREATE TABLE k (x INT) WITH ('connector' = 'kafka', 'topic' = 'a', 'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json'" + extra + ");\n"
	}
	for _, c := range []struct{ name, src, want string }{
		{"typo.sql", kafka(", 'scan.startup.mod' = 'earliest-offset'") + sink + "INSERT INTO o SELECT x FROM k;",
			":1:135: unsupported option 'scan.startup.mod' for connector 'kafka' (did you mean 'scan.startup.mode'?)"},
		{"badvalue.sql", kafka(", 'scan.startup.mode' = 'earliest'") + sink + "INSERT INTO o SELECT x FROM k;",
			"'scan.startup.mode'"},
		{"explain-only.sql", "CREATE TABLE t (x INT) WITH ('connector' = 'datagen');\n" +
			"CREATE TABLE o (x INT) WITH ('connector' = 'blackhole', 'bogus' = '1');\nEXPLAIN INSERT INTO o SELECT x FROM t;",
			":2:57: unsupported option 'bogus' for connector 'blackhole'"},
		{"sink-only.sql", "CREATE TABLE p (x INT) WITH ('connector' = 'print');\n" + sink + "INSERT INTO o SELECT x FROM p;",
			"connector 'print' cannot be read from"},
		{"exactly-once.sql", "CREATE TABLE t (x INT) WITH ('connector' = 'datagen');\n" +
			kafka(", 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'p'") + "INSERT INTO k SELECT x FROM t;",
			"commits with checkpoints, which are off"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, []byte(c.src), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, _, err := runApp(t, "explain", path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("explain: got %v, want an error with %q", err, c.want)
			}
			if stdout != "" {
				t.Errorf("explain printed a plan before refusing:\n%s", stdout)
			}
			if _, _, err := runApp(t, "explain", "--format=dot", path); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("explain --format=dot: got %v", err)
			}
			if !strings.HasPrefix(c.name, "explain-only") {
				_, _, runErr := runApp(t, "run", "-q", path)
				if runErr == nil || runErr.Error() != err.Error() {
					t.Errorf("run refuses with %v, explain with %v: want the same error", runErr, err)
				}
			}
		})
	}
}

// The SQL client refuses a malformed SET value when it is typed, at its
// position, as a file is refused when planned.
func TestSQLClientChecksSetValues(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "job.sql", "SET 'pipeline.name' = 'x';\n  SET 'execution.checkpointing.interval' = '0 s';\n")
	stdout, _, err := runApp(t, "sql", "-f", "job.sql")
	want := "[ERROR] job.sql:2:3: SET 'execution.checkpointing.interval' = '0 s': must be at least 10 ms"
	if err == nil || !strings.Contains(stdout, want) {
		t.Errorf("%v\n%s\nwant %q", err, stdout, want)
	}
}
