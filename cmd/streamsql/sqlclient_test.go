package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func typesBigInt() types.Type { return types.Type{Kind: types.BigInt} }

// screenText is what a terminal shows, roughly: escape sequences and
// carriage returns removed.
var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[a-zA-Z~]|\x1b[()][0-9A-B]|\r`)

func screenText(s string) string { return escapes.ReplaceAllString(s, "") }

// ptyClient runs 'streamsql sql' in-process on a pseudo-terminal.
type ptyClient struct {
	t      *testing.T
	master *os.File
	screen syncBuf
	done   chan error
	seen   int // screen text consumed by waitFor
}

func startPTYClient(t *testing.T, args ...string) *ptyClient {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	pty.Setsize(master, &pty.Winsize{Rows: 30, Cols: 160})
	c := &ptyClient{t: t, master: master, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			c.screen.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	app := newApp()
	app.Reader, app.Writer, app.ErrWriter = tty, tty, tty
	go func() {
		c.done <- app.RunContext(context.Background(), append([]string{"streamsql", "sql"}, args...))
		tty.Close()
	}()
	t.Cleanup(func() { master.Close() })
	return c
}

// typeKeys sends keystrokes as a person would.
func (c *ptyClient) typeKeys(s string) {
	c.t.Helper()
	if _, err := c.master.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

// waitFor waits until the screen shows want after what earlier waits
// consumed, and returns the screen text up to it.
func (c *ptyClient) waitFor(want string) string {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		text := screenText(c.screen.String())
		if i := strings.Index(text[c.seen:], want); i >= 0 {
			got := text[c.seen : c.seen+i+len(want)]
			c.seen += i + len(want)
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("the screen never showed %q; after the last match it shows:\n%s", want, screenText(c.screen.String())[c.seen:])
	return ""
}

func (c *ptyClient) exit() {
	c.t.Helper()
	select {
	case err := <-c.done:
		if err != nil {
			c.t.Errorf("the client ended with %v", err)
		}
	case <-time.After(30 * time.Second):
		c.t.Fatal("the client did not end")
	}
}

// The first hour in the shell, typed on a terminal: a multi-line CREATE,
// Tab completion, DESCRIBE, an error that leaves the session going, a
// live SELECT in table mode stopped with q, a bounded SELECT in tableau
// mode, a detached INSERT seen in SHOW JOBS and stopped with a savepoint,
// QUIT; then a second session finds the history of the first.
func TestSQLClientOnATerminal(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	hist := filepath.Join(dir, "history")
	c := startPTYClient(t, "--history", hist)
	c.waitFor("streamsql> ")

	// A statement over three lines: the continuation prompt, then done.
	c.typeKeys("CREATE TABLE clicks (\r")
	c.waitFor("         > ")
	c.typeKeys("  id BIGINT, user_name STRING, ts AS TO_TIMESTAMP_LTZ(id * 1000, 3),\r")
	c.waitFor("         > ")
	c.typeKeys("  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000', 'fields.user_name.length' = '4');\r")
	c.waitFor("[INFO] Table has been created.")

	// Tab completes keywords and table names.
	c.typeKeys("DESCRIB\tcli\t;\r")
	c.waitFor("DESCRIBE clicks ;")
	desc := c.waitFor("rows in set")
	for _, want := range []string{"| id        | BIGINT", "| ts        | TIMESTAMP_LTZ(3) *ROWTIME*", "AS TO_TIMESTAMP_LTZ(id * 1000, 3)", "ts - INTERVAL '1' SECOND"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIBE lacks %q:\n%s", want, desc)
		}
	}

	// An error names line:column of the statement; the session goes on.
	c.typeKeys("SELECT id,\r  user_nam FROM clicks;\r")
	c.waitFor(`[ERROR] 2:3: unknown column "user_nam" (did you mean "user_name"?)`)
	c.waitFor("streamsql> ")

	// An unbounded SELECT in table mode: a live view, stopped with q.
	c.typeKeys("SELECT id, user_name FROM clicks;\r")
	c.waitFor("SQL Query Result (Table)  |  RUNNING  |  rows 1-")
	view := c.waitFor("Q Quit")
	if !regexp.MustCompile(`\n +id +user_name\n +1 +[0-9a-f]{4}\n`).MatchString(view) {
		t.Errorf("the view should show the column names, then the first row:\n%s", view)
	}
	c.typeKeys("q")
	c.waitFor("[INFO] Query stopped after")
	c.waitFor("streamsql> ")

	// Tableau mode, a bounded query: the rows, then the prompt.
	c.typeKeys("SET 'sql-client.execution.result-mode' = 'tableau';\r")
	c.waitFor("[INFO] Execute statement succeeded.")
	c.typeKeys("SELECT id * 2 AS twice FROM clicks WHERE id <= 3;\r")
	_ = c.waitFor("| op |") // unbounded source: stop it after three rows
	got := c.waitFor("|                    6 |")
	if !strings.Contains(got, "| +I |                    2 |") || !strings.Contains(got, "| +I |                    4 |") {
		t.Errorf("tableau rows:\n%s", got)
	}
	c.typeKeys("\x03") // Ctrl-C stops the query, not the client
	c.waitFor("Received a total of 3 rows")
	c.waitFor("streamsql> ")

	// A detached INSERT, SHOW JOBS, STOP JOB WITH SAVEPOINT.
	c.typeKeys("CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');\r")
	c.waitFor("[INFO] Table has been created.")
	c.typeKeys("INSERT INTO sink SELECT id FROM clicks;\r")
	idLine := c.waitFor("Job ID: ") + c.waitFor("\n")
	m := regexp.MustCompile(`Job ID: ([0-9a-f]{32})`).FindStringSubmatch(idLine)
	if m == nil {
		t.Fatalf("no job id:\n%s", idLine)
	}
	id := m[1]
	c.typeKeys("SHOW JOBS;\r")
	jobs := c.waitFor("row in set")
	if !strings.Contains(jobs, id) || !strings.Contains(jobs, "insert-into_sink") || !strings.Contains(jobs, "RUNNING") {
		t.Errorf("SHOW JOBS:\n%s", jobs)
	}
	c.typeKeys("STOP JOB '" + id + "' WITH SAVEPOINT;\r")
	sp := c.waitFor("(resume it with")
	m = regexp.MustCompile(`Savepoint path: (\S+)`).FindStringSubmatch(sp)
	if m == nil {
		t.Fatalf("no savepoint path:\n%s", sp)
	}
	if _, err := os.Stat(m[1]); err != nil || !strings.HasPrefix(m[1], filepath.Join(".streamsql", "sql-client", id, "checkpoints", "chk-")) {
		t.Errorf("savepoint %s: %v", m[1], err)
	}
	c.typeKeys("SHOW JOBS;\r")
	if jobs := c.waitFor("row in set"); !strings.Contains(jobs, "CANCELED") {
		t.Errorf("after STOP JOB:\n%s", jobs)
	}
	c.typeKeys("QUIT;\r")
	c.waitFor("Shutting down the session...")
	c.exit()

	st, err := os.Stat(hist)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("history file: %v, mode %v (want 0600)", err, st.Mode().Perm())
	}
	h, _ := os.ReadFile(hist)
	if !strings.Contains(string(h), "CREATE TABLE clicks ( id BIGINT, user_name STRING") {
		t.Errorf("the history should hold the multi-line statement as one entry:\n%s", h)
	}
	// A new session: Up brings back the last statement of the first.
	c = startPTYClient(t, "--history", hist)
	c.waitFor("streamsql> ")
	c.typeKeys("\x1b[A")
	c.waitFor("QUIT;")
	c.typeKeys("\r")
	c.waitFor("Shutting down the session...")
	c.exit()
}

// A script run with -f: catalog statements one by one, DROP refused while
// a view needs the table, ALTER, a bounded SELECT printed, an INSERT into
// a file whose job is waited for, and the first error stops the script
// at its file:line:column.
func TestSQLClientFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	script := `CREATE TABLE nums (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '4',
  'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '4');
CREATE VIEW evens AS SELECT n FROM nums WHERE n % 2 = 0;
DROP TABLE nums;
ALTER TABLE nums RENAME TO numbers;
ALTER TABLE nums SET ('fields.n.end' = '6', 'number-of-rows' = '6');
SHOW TABLES;
SELECT n * n AS sq FROM evens;
CREATE TABLE out_file (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out', 'format' = 'json');
INSERT INTO out_file SELECT n FROM nums;
`
	writeFile(t, "job.sql", script)
	stdout, _, err := runApp(t, "sql", "-f", "job.sql")
	if err == nil {
		t.Fatalf("the refused DROP should fail the script:\n%s", stdout)
	}
	if want := "[ERROR] job.sql:4:12: cannot drop table nums: view evens uses it"; !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	if strings.Contains(stdout, "RENAME") || strings.Contains(stdout, "table name") {
		t.Errorf("-f stops at the first error:\n%s", stdout)
	}
	// Without the DROP (and the RENAME the view would not survive), the
	// rest runs: the altered table yields 1..6, evens 2, 4, 6 squared.
	// The first statement moves to an init file (-i), run first.
	script = strings.Replace(script, "DROP TABLE nums;\nALTER TABLE nums RENAME TO numbers;\n", "", 1)
	first, rest, _ := strings.Cut(script, ";\n")
	writeFile(t, "init.sql", first+";\n")
	writeFile(t, "job.sql", rest)
	stdout, stderr, err := runApp(t, "sql", "-i", "init.sql", "-f", "job.sql")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	want := "" +
		"+----+----------------------+\n" +
		"| op |                   sq |\n" +
		"+----+----------------------+\n" +
		"| +I |                    4 |\n" +
		"| +I |                   16 |\n" +
		"| +I |                   36 |\n" +
		"+----+----------------------+\n" +
		"Received a total of 3 rows\n"
	if !strings.Contains(stdout, want) {
		t.Errorf("SELECT result:\n%s\nwant:\n%s", stdout, want)
	}
	if !strings.Contains(stdout, "| table name |\n+------------+\n| evens      |\n| nums       |\n+------------+\n") {
		t.Errorf("SHOW TABLES:\n%s", stdout)
	}
	// The INSERT ran to its end before -f returned.
	var lines []string
	files := []string{"out"}
	if st, err := os.Stat("out"); err == nil && st.IsDir() {
		files, _ = filepath.Glob(filepath.Join("out", "*"))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines = append(lines, strings.Fields(string(b))...)
	}
	if got := fmt.Sprint(lines); got != `[{"n":1} {"n":2} {"n":3} {"n":4} {"n":5} {"n":6}]` {
		t.Errorf("out_file holds %s", got)
	}
}

func TestSplitStatements(t *testing.T) {
	src := "SELECT 'a;b' FROM t; -- c;\nEXECUTE STATEMENT SET BEGIN\n  INSERT INTO a SELECT 1;\n  INSERT INTO b SELECT 2;\nEND;\n/* x; */ SHOW TABLES;\nSELECT"
	stmts, rest := splitStatements(src)
	var got []string
	for _, s := range stmts {
		got = append(got, fmt.Sprintf("%d:%d %s", s.Line, s.Col, strings.Join(strings.Fields(s.Text), " ")))
	}
	want := []string{
		"1:1 SELECT 'a;b' FROM t",
		"2:1 EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END",
		"6:10 SHOW TABLES",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || rest != "\nSELECT" {
		t.Errorf("got %q rest %q\nwant %q", got, rest, want)
	}
}

// Table mode applies retractions: a -U or -D removes the row it names,
// +U adds the new one; changelog mode keeps every change. The kinds come
// from the batches the sink receives.
func TestResultBufferAppliesChanges(t *testing.T) {
	b := &resultBuffer{cols: []string{"k", "n"}}
	schema := planner.Schema{{Name: "k", Type: types.Type{Kind: types.String}}, {Name: "n", Type: types.Type{Kind: types.BigInt}}}
	w := &collectWriter{buf: b, cols: schema, loc: time.UTC}
	row := func(k string, n int64) core.Row { return core.Row{types.StringValue(k), types.IntValue(n)} }
	batch := &core.Batch{
		Rows:  []core.Row{row("a", 1), row("b", 1), row("a", 1), row("a", 2), row("b", 1), row("c", 5)},
		Kinds: []core.RowKind{core.Insert, core.Insert, core.UpdateBefore, core.UpdateAfter, core.Delete, core.Insert},
	}
	if err := w.Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	table, total, _ := b.snapshot("table")
	if fmt.Sprint(table) != "[{+U [a 2]} {+I [c 5]}]" || total != 6 {
		t.Errorf("table %v (%d changes)", table, total)
	}
	if log, _, _ := b.snapshot("changelog"); len(log) != 6 || log[2].kind != "-U" {
		t.Errorf("changelog %v", log)
	}
}

// The table view pages and scrolls: 30 rows on a 10-line terminal show 6
// at a time; it follows the end until scrolled up, g goes to the top.
func TestResultViewScrolls(t *testing.T) {
	b := &resultBuffer{cols: []string{"n"}, types: nil}
	b.types = append(b.types, typesBigInt())
	for i := 1; i <= 30; i++ {
		b.add("+I", []string{strconv.Itoa(i)})
	}
	v := &resultView{buf: b, mode: "table", follow: true}
	frame := v.render(60, 10, "RUNNING", runtime.Summary{})
	if !strings.Contains(frame, "rows 25-30 of 30") || !strings.Contains(frame, "                  30\n") || strings.Contains(frame, "                  24\n") {
		t.Errorf("following the end:\n%s", frame)
	}
	v.key([]byte("\x1b[5~"), nil) // PgUp
	if frame = v.render(60, 10, "RUNNING", runtime.Summary{}); !strings.Contains(frame, "rows 19-24 of 30") {
		t.Errorf("after PgUp:\n%s", frame)
	}
	b.add("+I", []string{"31"}) // not following: the page stays
	if frame = v.render(60, 10, "RUNNING", runtime.Summary{}); !strings.Contains(frame, "rows 19-24 of 31") {
		t.Errorf("a new row moved the page:\n%s", frame)
	}
	v.key([]byte("g"), nil)
	if frame = v.render(60, 10, "RUNNING", runtime.Summary{}); !strings.Contains(frame, "rows 1-6 of 31") {
		t.Errorf("after g:\n%s", frame)
	}
	v.key([]byte("G"), nil)
	if frame = v.render(60, 10, "RUNNING", runtime.Summary{}); !strings.Contains(frame, "rows 26-31 of 31") {
		t.Errorf("after G:\n%s", frame)
	}
	if n := strings.Count(frame, "\n"); n != 9 {
		t.Errorf("a frame of a 10-line terminal has %d line breaks, want 9:\n%s", n, frame)
	}
	// Changelog mode: every change with its kind in the op column.
	b.add("-D", []string{"31"})
	v = &resultView{buf: b, mode: "changelog", follow: true}
	frame = v.render(60, 10, "RUNNING", runtime.Summary{})
	if !strings.Contains(frame, "SQL Query Result (Changelog)") || !strings.Contains(frame, "\nop                    n\n") ||
		!strings.Contains(frame, "\n+I                   31\n-D                   31\n") {
		t.Errorf("changelog view:\n%s", frame)
	}
}

func TestCompletion(t *testing.T) {
	s := newSession(context.Background(), io.Discard, io.Discard)
	if err := s.execute(stmtText{Text: "CREATE TABLE clicks (user_name STRING, id BIGINT) WITH ('connector' = 'datagen')", Line: 1, Col: 1}); err != nil {
		t.Fatal(err)
	}
	c := &completer{s: s}
	for _, tc := range []struct{ line, want string }{
		{"SELECT user_", "[name ]"},
		{"SELECT id FROM cli", "[cks ]"},
		{"sel", "[ect ]"},
		{"SHOW J", "[OBS ]"},
		{"DESC", "[RIBE ,RIPTOR ]"},
		{"STOP JOB 'x' WITH S", "[AVEPOINT ]"},
	} {
		r := []rune(tc.line)
		cands, _ := c.Do(r, len(r))
		var got []string
		for _, x := range cands {
			got = append(got, string(x))
		}
		if s := "[" + strings.Join(got, ",") + "]"; s != tc.want {
			t.Errorf("%q completes to %s, want %s", tc.line, s, tc.want)
		}
	}
}

// EXECUTE STATEMENT SET runs its INSERTs as one job; ALTER VIEW AS
// redefines a view; SHOW FUNCTIONS lists the built-ins.
func TestSQLClientStatementSetAndAlterView(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "job.sql", `CREATE TABLE nums (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '3',
  'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '3');
CREATE VIEW v AS SELECT n FROM nums;
ALTER VIEW v AS SELECT n * 100 AS n FROM nums;
CREATE TABLE a (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'a.json', 'format' = 'json');
CREATE TABLE b (n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'b.json', 'format' = 'json');
EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT n FROM v;
  INSERT INTO b SELECT n + 1 FROM nums;
END;
SHOW FUNCTIONS;
SHOW JOBS;
`)
	stdout, stderr, err := runApp(t, "sql", "-f", "job.sql")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	if strings.Count(stdout, "Job ID: ") != 1 {
		t.Errorf("a statement set is one job:\n%s", stdout)
	}
	for _, fn := range []string{"| TO_TIMESTAMP_LTZ", "| UPPER "} {
		if !strings.Contains(stdout, fn) {
			t.Errorf("SHOW FUNCTIONS lacks %s", fn)
		}
	}
	a, _ := os.ReadFile("a.json")
	bb, _ := os.ReadFile("b.json")
	if string(a) != "{\"n\":100}\n{\"n\":200}\n{\"n\":300}\n" || string(bb) != "{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n" {
		t.Errorf("a.json %q, b.json %q", a, bb)
	}
}

// The last statement of a file may go without ';', and its errors keep
// the file's line and column.
func TestSQLClientLastStatementWithoutSemicolon(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "job.sql", "CREATE TABLE nums (n BIGINT) WITH ('connector' = 'datagen');\n-- done\n\n  SELECT nn FROM nums\n")
	stdout, _, err := runApp(t, "sql", "-f", "job.sql")
	if err == nil || !strings.Contains(stdout, `[ERROR] job.sql:4:10: unknown column "nn" (did you mean "n"?)`) {
		t.Errorf("%v\n%s", err, stdout)
	}
}

// A detached job's print output is marked with its job.
func TestSQLClientDetachedPrint(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "job.sql", `CREATE TABLE nums (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '2',
  'fields.n.kind' = 'sequence', 'fields.n.start' = '7', 'fields.n.end' = '8');
CREATE TABLE p (n BIGINT) WITH ('connector' = 'print');
INSERT INTO p SELECT n FROM nums;
`)
	stdout, stderr, err := runApp(t, "sql", "-f", "job.sql")
	if err != nil {
		t.Fatalf("%v\n%s%s", err, stdout, stderr)
	}
	id := regexp.MustCompile(`Job ID: ([0-9a-f]{8})`).FindStringSubmatch(stdout)
	if id == nil || stderr != "[job "+id[1]+"] +I[7]\n[job "+id[1]+"] +I[8]\n" {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}
