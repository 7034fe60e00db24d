package main

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime/devbroker"
	"github.com/streamsql/streamsql/runtime/gen"
)

// The "done when", typed on a terminal: against a development
// broker fed by the generator (event time sped up tenfold, so a 10 s
// window passes in 1 s), declare the ad-events table, watch a windowed
// CTR query update live in table mode, stop it with q, INSERT it into a
// topic as a detached job, see it in SHOW JOBS and stop it with a
// savepoint, knowing only what HELP says.
func TestSQLClientCTRLive(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker and a generator for several seconds")
	}
	t.Chdir(t.TempDir())
	b, err := devbroker.Start(devbroker.Config{Addr: "127.0.0.1:0", Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	g, err := gen.New(gen.Config{Seed: 3, Campaigns: 3, Start: gen.DefaultFileStart, EventRate: 20, OutOfOrderMs: 200})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	sink, err := gen.NewKafkaSink(ctx, g, gen.KafkaConfig{Brokers: []string{b.Addr()}, Topic: "ad-events-2", Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	genDone := make(chan struct{})
	go func() {
		gen.Drive(ctx, g, gen.Pace{Rate: 200}, sink.Send)
		sink.Close()
		close(genDone)
	}()
	defer func() { stop(); <-genDone }()

	c := startPTYClient(t, "--history", "hist")
	c.waitFor("streamsql> ")
	c.typeKeys("HELP;\r")
	help := c.waitFor("Ctrl-D leaves.")
	for _, want := range []string{"SELECT ...;", "'sql-client.execution.result-mode' = 'table'", "INSERT INTO table SELECT", "SHOW JOBS;", "STOP JOB 'id' [WITH SAVEPOINT];"} {
		if !strings.Contains(help, want) {
			t.Errorf("HELP does not mention %q", want)
		}
	}
	c.typeKeys(`CREATE TABLE ad_events (event_type STRING, event_time BIGINT, campaign_id STRING,` + "\r" +
		`  ts AS TO_TIMESTAMP_LTZ(event_time, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND` + "\r" +
		`) WITH ('connector' = 'kafka', 'topic' = 'ad-events-2', 'properties.bootstrap.servers' = '` + b.Addr() + `',` + "\r" +
		`  'properties.group.id' = 'sql-client', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json');` + "\r")
	c.waitFor("[INFO] Table has been created.")
	ctr := `SELECT window_start, campaign_id, COUNT(*) FILTER (WHERE event_type = 'view') AS views,` + "\r" +
		`  COUNT(*) FILTER (WHERE event_type = 'click') AS clicks` + "\r" +
		`FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))` + "\r" +
		`GROUP BY window_start, window_end, campaign_id;` + "\r"
	c.typeKeys(ctr)
	c.waitFor("SQL Query Result (Table)")
	// The view updates live: the row count grows from frame to frame.
	count := regexp.MustCompile(`rows \d+-\d+ of (\d+)`)
	first := -1
	for deadline := time.Now().Add(30 * time.Second); ; {
		frame := c.waitFor("Q Quit")
		m := count.FindStringSubmatch(frame)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if first < 0 && n > 0 {
			first = n
		}
		if first > 0 && n > first {
			if !regexp.MustCompile(`window_start +campaign_id +views +clicks\n`).MatchString(frame) ||
				!regexp.MustCompile(`2024-01-01 00:00:00.000 +campaign-0[123] +\d+ +\d+\n`).MatchString(frame) {
				t.Errorf("a later frame should show the column names and the window of 00:00:00:\n%s", frame)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the result did not grow past %d rows", first)
		}
	}
	c.typeKeys("q")
	c.waitFor("[INFO] Query stopped after")

	// Deploy it.
	c.typeKeys(`CREATE TABLE results (window_start TIMESTAMP(3), campaign_id STRING, views BIGINT, clicks BIGINT) WITH (` + "\r" +
		`  'connector' = 'kafka', 'topic' = 'results', 'properties.bootstrap.servers' = '` + b.Addr() + `', 'format' = 'json');` + "\r")
	c.waitFor("[INFO] Table has been created.")
	c.typeKeys("INSERT INTO results " + ctr)
	c.waitFor("[WARNING] ad_events (topic ad-events-2) is read from 'earliest-offset' and this job starts without a savepoint")
	id := regexp.MustCompile(`[0-9a-f]{32}`).FindString(c.waitFor("Job ID: ") + c.waitFor("\n"))
	if id == "" {
		t.Fatal("no job id")
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		c.typeKeys("SHOW JOBS;\r")
		jobs := c.waitFor("row in set")
		if m := regexp.MustCompile(id + ` \| insert-into_results \| RUNNING +\| [0-9T:.-]+ \| (\d+) read, (\d+) written`).FindStringSubmatch(jobs); m != nil && m[2] != "0" {
			break
		} else if m == nil {
			t.Fatalf("SHOW JOBS does not list the job running:\n%s", jobs)
		}
		if time.Now().After(deadline) {
			t.Fatal("the job wrote nothing in 30 s")
		}
		time.Sleep(300 * time.Millisecond)
	}
	c.typeKeys("STOP JOB '" + id[:8] + "' WITH SAVEPOINT;\r")
	path := regexp.MustCompile(`Savepoint path: (\S+)`).FindStringSubmatch(c.waitFor("(resume it with"))
	if path == nil {
		t.Fatal("no savepoint path")
	}
	if mf, err := os.ReadFile(path[1]); err != nil || !strings.Contains(string(mf), `"Savepoint": true`) {
		t.Errorf("savepoint %s: %v", path[1], err)
	}
	c.typeKeys("QUIT;\r")
	c.exit()
}
