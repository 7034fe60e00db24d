package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/streamsql/streamsql/sql/testflag"
	"github.com/urfave/cli/v2"
)

func runApp(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errOut
	app.ExitErrHandler = func(*cli.Context, error) {}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err = app.RunContext(ctx, append([]string{"streamsql"}, args...))
	return out.String(), errOut.String(), err
}

// TestRunCTRFile runs the README's query over the shipped recorded stream
// and checks every row against a straightforward computation of the same
// numbers from the raw file (1 s watermark, 10 s tumbling windows, late
// rows dropped), written independently of the engine.
func TestRunCTRFile(t *testing.T) {
	t.Chdir("../..")
	stdout, stderr, err := runApp(t, "run", "queries/ctr_file.sql")
	if err != nil {
		t.Fatalf("run failed: %v\n%s", err, stderr)
	}
	got := strings.Split(strings.TrimSpace(stdout), "\n")
	sort.Strings(got)
	want, late := referenceCTR(t, "testdata/ad_events_sample.jsonl")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows differ\nwant:\n%s\ngot:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if !strings.Contains(stderr, fmt.Sprintf("late rows dropped: %d", late)) {
		t.Errorf("summary should report %d late rows, got: %s", late, stderr)
	}
	if late == 0 {
		t.Errorf("the shipped stream is meant to contain late rows")
	}
}

func referenceCTR(t *testing.T, path string) (rows []string, late int) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type key struct {
		start    int64
		campaign string
	}
	type acc struct {
		views, clicks int
		maxTS         int64
	}
	wins := map[key]*acc{}
	wm := int64(math.MinInt64)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev struct {
			EventType  string `json:"event_type"`
			EventTime  int64  `json:"event_time"`
			CampaignID string `json:"campaign_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatal(err)
		}
		start := ev.EventTime - ev.EventTime%10000
		if start+10000-1 <= wm {
			late++
		} else {
			k := key{start, ev.CampaignID}
			a := wins[k]
			if a == nil {
				a = &acc{maxTS: math.MinInt64}
				wins[k] = a
			}
			switch ev.EventType {
			case "view":
				a.views++
			case "click":
				a.clicks++
			}
			a.maxTS = max(a.maxTS, ev.EventTime)
		}
		wm = max(wm, ev.EventTime-1000)
	}
	ts := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000") }
	for k, a := range wins {
		ctr := "null"
		if a.views > 0 {
			ctr = strconv.FormatFloat(float64(a.clicks)/float64(a.views), 'f', -1, 64)
			if !strings.Contains(ctr, ".") {
				ctr += ".0"
			}
		}
		rows = append(rows, fmt.Sprintf("+I[%s, %s, %s, %d, %d, %s, %s]", ts(k.start), ts(k.start+10000), k.campaign, a.views, a.clicks, ctr, ts(a.maxTS)))
	}
	sort.Strings(rows)
	return rows, late
}

func TestExplainCTR(t *testing.T) {
	t.Chdir("../..")
	stdout, _, err := runApp(t, "explain", "queries/ctr.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== Physical Plan ==", "WindowAggregate", "TUMBLE(time_col=[ts], size=[10 s])", "watermark=[-(ts, 1000:INTERVAL SECOND)]", "changelogMode=[I]"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("explain output lacks %q", want)
		}
	}
}

func TestSQLTypoGivesPositionAndSuggestion(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/typo.sql"
	src := "CREATE TABLE t (campaign_id STRING) WITH ('connector' = 'datagen');\n" +
		"CREATE TABLE o (c STRING) WITH ('connector' = 'blackhole');\n" +
		"INSERT INTO o SELECT campain_id FROM t;\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runApp(t, "explain", path)
	if err == nil {
		t.Fatal("want an error")
	}
	want := path + `:3:22: unknown column "campain_id" (did you mean "campaign_id"?)`
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

// A file with nothing to run is an error, not a crash; a file of EXPLAIN
// statements prints their plans.
func TestRunWithoutInsert(t *testing.T) {
	dir := t.TempDir()
	table := "CREATE TABLE ev (a INT) WITH ('connector' = 'filesystem', 'path' = '" + filepath.Join(dir, "in.jsonl") + "', 'format' = 'json');\n"
	for _, c := range []struct {
		name, src, wantOut, wantErr string
	}{
		{"empty.sql", "", "", "empty.sql: nothing to run: the file has no INSERT and no SELECT"},
		{"ddl.sql", table, "", "ddl.sql: nothing to run"},
		{"explain.sql", table + "EXPLAIN SELECT a + 1 FROM ev;", "== Physical Plan ==", ""},
		{"demo.sql", table, "", ""}, // the demo needs Kafka tables: its own error, not a crash
	} {
		path := filepath.Join(dir, c.name)
		if err := os.WriteFile(path, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout string
		var err error
		if c.name == "demo.sql" {
			_, err = runDemo(context.Background(), demoOptions{SQLPath: path, Rate: 1, Addr: "127.0.0.1:0"})
			if err == nil || !strings.Contains(err.Error(), "the demo needs a query that reads a Kafka table") {
				t.Errorf("%s: got %v", c.name, err)
			}
			continue
		}
		stdout, _, err = runApp(t, "run", "-q", path)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got error %v, want %q", c.name, err, c.wantErr)
		case !strings.Contains(stdout, c.wantOut):
			t.Errorf("%s: stdout lacks %q:\n%s", c.name, c.wantOut, stdout)
		}
	}
}

func TestFlagsAfterFileAreExplained(t *testing.T) {
	_, _, err := runApp(t, "run", "queries/ctr_file.sql", "--quiet")
	if err == nil || !strings.Contains(err.Error(), "flags go before the file: streamsql run --quiet queries/ctr_file.sql") {
		t.Errorf("got %v", err)
	}
	// A flag's value moves with it.
	_, _, err = runApp(t, "run", "queries/ctr_file.sql", "--progress-interval", "5s", "-q")
	if err == nil || !strings.Contains(err.Error(), "flags go before the file: streamsql run --progress-interval 5s -q queries/ctr_file.sql") {
		t.Errorf("got %v", err)
	}
	_, _, err = runApp(t, "run")
	if err == nil || !strings.Contains(err.Error(), "run needs one .sql file") {
		t.Errorf("got %v", err)
	}
}
