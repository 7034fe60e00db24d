package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// Replaying a bounded source moves the watermark after every row
// (SEMANTICS.md). Batches carry that per-row watermark (core.Batch.
// Watermarks) instead of being cut at every advance. These tests run the
// same random, partly out-of-order and late stream once with one record
// per batch (so every row is its own batch and every watermark is
// delivered between rows, the reference behaviour) and once with large
// batches, and require identical output, in the same order, and
// identical counters.

// writeEvents writes n random ad events as JSON lines: mostly in order,
// some out of order by up to 1.5 s, about 3% late by 5-30 s, a few with
// a NULL event_time. Returns the file's path.
func writeEvents(t *testing.T, dir, name string, seed int64, n int) string {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	base := int64(1767225600000)
	ts := base
	for i := 0; i < n; i++ {
		ts += int64(r.Intn(40))
		et := ts
		switch x := r.Intn(100); {
		case x < 20:
			et -= int64(r.Intn(1500))
		case x < 23:
			et -= 5000 + int64(r.Intn(25000))
		}
		typ := "view"
		if r.Intn(4) == 0 {
			typ = "click"
		}
		camp := fmt.Sprintf("c%d", r.Intn(7))
		if r.Intn(200) == 0 {
			fmt.Fprintf(&b, `{"event_type":%q,"event_time":null,"campaign_id":%q}`+"\n", typ, camp)
			continue
		}
		fmt.Fprintf(&b, `{"user_id":"u%d","event_type":%q,"event_time":%d,"campaign_id":%q}`+"\n", r.Intn(30), typ, et, camp)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const eventsDDL = `CREATE TABLE %s (
  user_id STRING, event_type STRING, event_time BIGINT, campaign_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');
`

func runBatched(t *testing.T, src string, batch int) (string, runtime.Summary) {
	t.Helper()
	var out bytes.Buffer
	rj := buildJob(t, src, batch, &out)
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out.String(), rj.Summary()
}

// buildJob plans src and builds it with the given batch size, printing to out.
func buildJob(t *testing.T, src string, batch int, out *bytes.Buffer) *runtime.Job {
	t.Helper()
	rj, err := runtest.Build("batchwm.sql", src, runtime.Options{Stdout: out, Stderr: &bytes.Buffer{}, BatchSize: batch})
	if err != nil {
		t.Fatal(err)
	}
	return rj
}

func TestBatchSizeDoesNotChangeResults(t *testing.T) {
	dir := t.TempDir()
	// a directory of two files is two splits; the watermark is their minimum
	split := filepath.Join(dir, "split")
	if err := os.Mkdir(split, 0o755); err != nil {
		t.Fatal(err)
	}
	writeEvents(t, split, "a.jsonl", 1, 3000)
	writeEvents(t, split, "b.jsonl", 2, 2000)
	one := writeEvents(t, dir, "one.jsonl", 3, 4000)
	other := writeEvents(t, dir, "other.jsonl", 4, 3000)

	ddl := fmt.Sprintf(eventsDDL, "ev", one)
	cases := map[string]string{
		"ctr": ddl + `CREATE TABLE out1 (ws TIMESTAMP(3), we TIMESTAMP(3), c STRING, views BIGINT, clicks BIGINT, ctr DOUBLE, mx TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, window_end, campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view'), COUNT(*) FILTER (WHERE event_type = 'click'),
  CAST(COUNT(*) FILTER (WHERE event_type = 'click') AS DOUBLE) / NULLIF(COUNT(*) FILTER (WHERE event_type = 'view'), 0),
  MAX(ts)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, campaign_id;`,
		"two splits, filtered": fmt.Sprintf(eventsDDL, "ev", split) + `CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND))
WHERE event_type = 'click' GROUP BY window_start, window_end, campaign_id;`,
		"hop distinct": ddl + `CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, n BIGINT, u BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id, COUNT(*), COUNT(DISTINCT user_id)
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND))
GROUP BY window_start, window_end, campaign_id;`,
		"cumulate": ddl + `CREATE TABLE out1 (ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, window_end, COUNT(*)
FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '4' SECOND))
GROUP BY window_start, window_end;`,
		"session": ddl + `CREATE TABLE out1 (ws TIMESTAMP(3), we TIMESTAMP(3), u STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT SESSION_START(ts, INTERVAL '300' MILLISECOND), SESSION_END(ts, INTERVAL '300' MILLISECOND), user_id, COUNT(*)
FROM ev GROUP BY SESSION(ts, INTERVAL '300' MILLISECOND), user_id;`,
		"cascade": ddl + `CREATE VIEW per1 AS SELECT window_start, window_end, window_time, campaign_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, window_time, campaign_id;
CREATE TABLE out1 (ws TIMESTAMP(3), total BIGINT, parts BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, SUM(n), COUNT(*)
FROM TABLE(TUMBLE(TABLE per1, DESCRIPTOR(window_time), INTERVAL '5' SECOND)) GROUP BY window_start, window_end;`,
		"tvf keeps late": ddl + `CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, t TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id, ts
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE event_type = 'click';`,
		"current watermark": ddl + `CREATE TABLE out1 (c STRING, t TIMESTAMP_LTZ(3), w TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO out1 SELECT campaign_id, ts, CURRENT_WATERMARK(ts) FROM ev WHERE event_type = 'click';`,
		"window join of two sources": ddl + fmt.Sprintf(eventsDDL, "ev2", other) + `CREATE VIEW a AS SELECT window_start, window_end, campaign_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, campaign_id;
CREATE VIEW b AS SELECT window_start, window_end, campaign_id, COUNT(*) AS m
FROM TABLE(TUMBLE(TABLE ev2, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, campaign_id;
CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, n BIGINT, m BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT a.window_start, a.campaign_id, n, m
FROM a LEFT JOIN b ON a.campaign_id = b.campaign_id AND a.window_start = b.window_start AND a.window_end = b.window_end;`,
		"union of two sources": ddl + fmt.Sprintf(eventsDDL, "ev2", other) + `CREATE VIEW u AS SELECT campaign_id, ts FROM ev UNION ALL SELECT campaign_id, ts FROM ev2;
CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end, campaign_id;`,
		"fan-out to two sinks": ddl + `CREATE TABLE out1 (ws TIMESTAMP(3), n BIGINT) WITH ('connector' = 'print');
CREATE TABLE out2 (ws TIMESTAMP(3), c STRING) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;
INSERT INTO out2 SELECT window_start, campaign_id FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND)) WHERE event_type = 'click';`,
	}
	// With several splits or sources, which records meet in one poll
	// decides the interleaving (round robin per poll, splits ending after
	// their poll), so there the reference is the same batch size with
	// batches cut at every watermark advance.
	interleaved := map[string]bool{"two splits, filtered": true, "union of two sources": true, "window join of two sources": true}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			for _, bs := range []int{7, 1024} {
				ref, refName := 1, "batch size 1"
				if interleaved[name] {
					ref, refName = bs, "batches cut at watermarks"
				}
				restore := runtime.SetCutAtWatermarks(true)
				want, wantSum := runBatched(t, src, ref)
				restore()
				if strings.Count(want, "\n") < 10 {
					t.Fatalf("too little output to compare (%d lines):\n%s", strings.Count(want, "\n"), want)
				}
				if wantSum.LateRecordsDropped == 0 && name != "tvf keeps late" && name != "current watermark" {
					t.Errorf("the stream should make some rows late (summary %v)", wantSum)
				}
				got, gotSum := runBatched(t, src, bs)
				if got != want {
					t.Errorf("batch size %d: output differs from %s\n%s", bs, refName, firstDiff(want, got))
				}
				if gotSum != wantSum {
					t.Errorf("batch size %d: summary %v, want %v (%s)", bs, gotSum, wantSum, refName)
				}
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, x, y)
		}
	}
	return ""
}
