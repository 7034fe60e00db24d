package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime/devbroker"
	"github.com/urfave/cli/v2"
)

// runAppWith runs the application in-process with a context and a
// standard input of the caller's.
func runAppWith(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := newApp()
	app.Reader, app.Writer, app.ErrWriter = stdin, &out, &errOut
	app.ExitErrHandler = func(*cli.Context, error) {}
	err = app.RunContext(ctx, append([]string{"streamsql"}, args...))
	return out.String(), errOut.String(), err
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A job that reads Kafka from 'earliest-offset' and writes Kafka without
// checkpointing writes everything again when rerun: it says so when it
// starts, and says how to avoid it. With checkpointing or group offsets
// there is no warning.
func TestRerunWarning(t *testing.T) {
	b, err := devbroker.Start(devbroker.Config{Addr: "127.0.0.1:0", Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// a source never creates its topic (the dev broker creates 'out' for the sink)
	if err := b.CreateTopic("in", 1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	kafkaSQL := func(startup, extra string) string {
		return extra + `
CREATE TABLE src (a STRING) WITH ('connector' = 'kafka', 'topic' = 'in', 'properties.bootstrap.servers' = '` + b.Addr() + `',
  'properties.group.id' = 'g', 'scan.startup.mode' = '` + startup + `', 'properties.auto.offset.reset' = 'earliest',
  'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE dst (a STRING) WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '` + b.Addr() + `', 'format' = 'json');
INSERT INTO dst SELECT a FROM src;
`
	}
	for _, c := range []struct {
		name, sql string
		warn      bool
	}{
		{"earliest", kafkaSQL("earliest-offset", ""), true},
		{"checkpointed", kafkaSQL("earliest-offset", "SET 'execution.checkpointing.interval' = '10 s';"), false},
		{"group", kafkaSQL("group-offsets", ""), false},
	} {
		path := writeFile(t, filepath.Join(dir, c.name+".sql"), c.sql)
		_, stderr, err := runAppWith(t, context.Background(), nil, "run", "-q", "--progress", "off", "--state-dir", filepath.Join(dir, c.name), path)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, stderr)
		}
		warned := strings.Contains(stderr, "warning: src (topic in) is read from 'earliest-offset' and checkpointing is off")
		if warned != c.warn {
			t.Errorf("%s: warned %v, want %v:\n%s", c.name, warned, c.warn, stderr)
		}
		if c.warn {
			for _, want := range []string{"writes every result to dst (topic out) a second time", "SET 'execution.checkpointing.interval'", "'scan.startup.mode' = 'group-offsets'"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("%s: warning lacks %q:\n%s", c.name, want, stderr)
				}
			}
		}
	}
}

// After Ctrl-C the summary names the savepoint, or says none was taken.
func TestStopReportsSavepoint(t *testing.T) {
	dir := t.TempDir()
	body := `
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '1000');
CREATE TABLE dst (a BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO dst SELECT a FROM src;
`
	run := func(name, text string) string {
		path := writeFile(t, filepath.Join(dir, name+".sql"), text)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(500*time.Millisecond, cancel)
		_, stderr, err := runAppWith(t, ctx, nil, "run", "--progress", "off", "--state-dir", filepath.Join(dir, name), path)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr)
		}
		return stderr
	}
	stderr := run("off", body)
	if !strings.Contains(stderr, "stopped; no savepoint was taken: checkpointing is off") {
		t.Errorf("without checkpointing:\n%s", stderr)
	}
	stderr = run("on", "SET 'execution.checkpointing.interval' = '1 h';"+body)
	m := regexp.MustCompile(`stopped with savepoint (\d+) at (\S+);`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("with checkpointing, no savepoint named:\n%s", stderr)
	}
	if want := filepath.Join(dir, "on", "checkpoints", fmt.Sprintf("chk-%010s", m[1])); m[2] != want {
		t.Errorf("savepoint path %s, want %s", m[2], want)
	}
	// It is the last checkpoint of the directory, and a savepoint.
	ents, _ := os.ReadDir(filepath.Dir(m[2]))
	if len(ents) == 0 || ents[len(ents)-1].Name() != filepath.Base(m[2]) {
		t.Errorf("the savepoint named is not the newest checkpoint in %v", ents)
	}
	if mf, err := os.ReadFile(m[2]); err != nil || !strings.Contains(string(mf), `"Savepoint": true`) {
		t.Errorf("manifest %s is not a savepoint (%v): %s", m[2], err, mf)
	}
}

// A missing .sql file: the path tried and the working directory; a
// relative 'path' inside the SQL: the same, at the option's place.
func TestMissingPathsSayWhere(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	_, _, err := runApp(t, "run", "queries/nope.sql")
	want := "queries/nope.sql: no such file: tried " + filepath.Join(dir, "queries/nope.sql") + " (a relative path is resolved against the working directory " + dir + ")"
	if err == nil || err.Error() != want {
		t.Errorf("missing file:\n got %v\nwant %s", err, want)
	}
	writeFile(t, "rel.sql", "CREATE TABLE ev (a INT) WITH ('connector' = 'filesystem',\n  'path' = 'testdata/ev.jsonl', 'format' = 'json');\n"+
		"CREATE TABLE o (a INT) WITH ('connector' = 'blackhole');\nINSERT INTO o SELECT a FROM ev;\n")
	_, _, err = runApp(t, "run", "rel.sql")
	want = "rel.sql:2:12: table ev: 'path' = 'testdata/ev.jsonl' does not exist: tried " + filepath.Join(dir, "testdata/ev.jsonl") +
		" (a relative 'path' is resolved against the working directory " + dir + ", not against the .sql file"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("missing relative 'path':\n got %v\nwant %s...", err, want)
	}
}

// 'run -' reads the SQL from standard input.
func TestRunFromStdin(t *testing.T) {
	sql := `CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3', 'fields.a.kind' = 'sequence', 'fields.a.start' = '1', 'fields.a.end' = '3');
SELECT a * 10 FROM src;`
	stdout, stderr, err := runAppWith(t, context.Background(), strings.NewReader(sql), "run", "-q", "--progress", "off", "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if got, want := stdout, "+I[10]\n+I[20]\n+I[30]\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	_, _, err = runAppWith(t, context.Background(), strings.NewReader("SELECT nope;"), "run", "-q", "-")
	if err == nil || !strings.HasPrefix(err.Error(), "stdin:1:") {
		t.Errorf("an error in standard input's SQL should be at stdin:line:col, got %v", err)
	}
}
