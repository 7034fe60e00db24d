package planner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fsTable declares a filesystem table named name over path.
func fsTable(name, cols, path string, extra string) string {
	return "CREATE TABLE " + name + " (" + cols + ") WITH ('connector' = 'filesystem', 'path' = '" + path + "', 'format' = 'json'" + extra + ");\n"
}

// A filesystem sink truncates its file at start: any sink path equal to,
// inside or containing a source path is refused at plan time, with both
// tables and paths named and the sink's 'path' option as the position.
func TestSinkPathOverlapsSource(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "in.json")
	cases := []struct {
		name, src, want string
	}{
		{"same path", fsTable("i", "x INT", "data/in.json", "") + fsTable("o", "x INT", "./data/../data/in.json", "") +
			"INSERT INTO o SELECT x FROM i;", `is the path "data/in.json"`},
		{"absolute and relative", fsTable("i", "x INT", abs, "") + fsTable("o", "x INT", abs+"/", "") +
			"INSERT INTO o SELECT x FROM i;", "is the path"},
		{"sink inside source directory", fsTable("i", "x INT", "data", "") + fsTable("o", "x INT", "data/out/", "") +
			"INSERT INTO o SELECT x FROM i;", `is inside the directory "data"`},
		{"sink directory contains source", fsTable("i", "x INT", "data/in.json", "") + fsTable("o", "x INT", "data/", "") +
			"INSERT INTO o SELECT x FROM i;", `contains the path "data/in.json"`},
		{"through a view", fsTable("i", "x INT", "in.json", "") + fsTable("o", "x INT", "in.json", "") +
			"CREATE VIEW v AS SELECT x FROM i WHERE x > 0;\nINSERT INTO o SELECT x FROM v;", "is the path"},
		{"statement set", fsTable("i", "x INT", "in.json", "") + fsTable("a", "x INT", "a.json", "") + fsTable("o", "x INT", "in.json", "") +
			"EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT x FROM i; INSERT INTO o SELECT x FROM i; END;", "is the path"},
		{"dead-letter table", fsTable("i", "x INT", "in.json", ", 'dead-letter.table' = 'bad'") + fsTable("bad", "raw STRING, error STRING", "in.json", "") +
			"CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');\nINSERT INTO o SELECT x FROM i;", "is the path"},
		{"late-rows table", fsTable("i", "x INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts", "in.json", "") + fsTable("late", "x INT", "./in.json", "") +
			"CREATE TABLE o (n BIGINT) WITH ('connector' = 'blackhole');\nSET 'table.exec.late-rows.table' = 'late';\n" +
			"INSERT INTO o SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE i, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;", "is the path"},
		{"explain", fsTable("i", "x INT", "in.json", "") + fsTable("o", "x INT", "in.json", "") +
			"EXPLAIN PLAN FOR INSERT INTO o SELECT x FROM i;", "is the path"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planText(t, c.src)
			if err == nil {
				t.Fatal("planned a sink that overwrites its own input")
			}
			se := asSQLError(t, err)
			if !strings.Contains(se.Msg, c.want) || !strings.Contains(se.Msg, "truncate") {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
			// The sink table is named, the source table too, and the
			// position is the sink's 'path' option (line of its CREATE).
			lines := strings.Split(c.src, "\n")
			line := lines[se.Pos.Line-1]
			if !strings.Contains(line, "'path'") {
				t.Errorf("error at %s, line %q: want the sink's 'path' option", se.Pos, line)
			}
			if !strings.Contains(se.Msg, `table "i" reads`) {
				t.Errorf("error %q does not name the source table", se.Msg)
			}
		})
	}
}

// Paths that only share a prefix of characters, not of path elements,
// are independent; so are other connectors' 'path'-less tables.
func TestSinkPathNoOverlap(t *testing.T) {
	for _, src := range []string{
		fsTable("i", "x INT", "data/in.json", "") + fsTable("o", "x INT", "data/in.json2", "") + "INSERT INTO o SELECT x FROM i;",
		fsTable("i", "x INT", "data", "") + fsTable("o", "x INT", "data2/", "") + "INSERT INTO o SELECT x FROM i;",
		fsTable("i", "x INT", "a/in.json", "") + fsTable("o", "x INT", "b/in.json", "") + "INSERT INTO o SELECT x FROM i;",
		// A table only written (never read) may share a path with nothing.
		fsTable("i", "x INT", "in.json", "") + fsTable("o", "x INT", "out.json", "") + fsTable("p", "x INT", "out2.json", "") +
			"INSERT INTO o SELECT x FROM i;",
	} {
		if _, err := planText(t, src); err != nil {
			t.Errorf("%v\nin\n%s", err, src)
		}
	}
}

// A symbolic link to the source's directory is the same place.
func TestSinkPathOverlapSymlink(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(data, link); err != nil {
		t.Fatal(err)
	}
	src := fsTable("i", "x INT", filepath.Join(data, "in.json"), "") + fsTable("o", "x INT", filepath.Join(link, "in.json"), "") +
		"INSERT INTO o SELECT x FROM i;"
	if _, err := planText(t, src); err == nil || !strings.Contains(err.Error(), "is the path") {
		t.Fatalf("want the link refused as the source's path, got %v", err)
	}
}
