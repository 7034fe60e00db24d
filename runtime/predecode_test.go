package runtime_test

import (
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

// The poll goroutine decodes records ahead, in one or two lanes, and
// stops at the first record that fails; handle takes the rest serially.
// These tests run streams with malformed records, NULL rowtimes and a
// failing computed column at random places through the CTR query with
// decoding ahead off (the reference: everything on the executor
// goroutine) and on with one and two lanes, and require the same output,
// counters and errors.

func writeDirtyEvents(t *testing.T, dir string, seed int64, n int, bad bool) string {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	var b strings.Builder
	ts := int64(1767225600000)
	for i := 0; i < n; i++ {
		ts += int64(r.Intn(40))
		et := ts - int64(r.Intn(1500))
		camp := fmt.Sprintf("c%d", r.Intn(5))
		typ := []string{"view", "view", "click", "purchase"}[r.Intn(4)]
		switch x := r.Intn(1000); {
		case x < 3:
			fmt.Fprintf(&b, `{"event_type":%q,"event_time":null,"campaign_id":%q}`+"\n", typ, camp)
		case x < 6 && bad:
			fmt.Fprintf(&b, `{"event_type":%q,"event_time":%dx,"campaign_id":%q}`+"\n", typ, et, camp)
		case x < 9:
			fmt.Fprintf(&b, `{"event_type" : "%s\u00e9", "event_time": %d, "campaign_id":%q}`+"\n", typ, et, camp) // not plain
		case x < 11:
			fmt.Fprintf(&b, `{"event_type":%q,"event_time":%d,"campaign_id":%q,"extra":[1,{"a":"b"}]}`+"\n", typ, et, camp)
		case x < 13 && bad: // rowtime past year 9999: a bad record too
			fmt.Fprintf(&b, `{"event_type":%q,"event_time":%d,"campaign_id":%q}`+"\n", typ, []int64{9223372036854775807, 253402300800000}[x%2], camp)
		case x < 14 && bad: // invalid UTF-8
			fmt.Fprintf(&b, "{\"event_type\":%q,\"event_time\":%d,\"campaign_id\":\"c\xe9\"}\n", typ, et)
		default:
			fmt.Fprintf(&b, `{"user_id":"u%d","event_type":%q,"event_time":%d,"campaign_id":%q}`+"\n", r.Intn(30), typ, et, camp)
		}
	}
	p := filepath.Join(dir, fmt.Sprintf("dirty-%d.jsonl", seed))
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runScript(src string) (string, runtime.Summary, error) {
	o, err := runtest.Run(context.Background(), "ahead.sql", src, runtime.Options{BatchSize: 1024})
	return o.Stdout + "stderr:\n" + o.Stderr, o.Summary, err
}

func TestDecodeAheadDoesNotChangeResults(t *testing.T) {
	dir := t.TempDir()
	query := `CREATE TABLE ev (
  user_id STRING, event_type STRING, event_time BIGINT, campaign_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json'%s);
CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, views BIGINT, clicks BIGINT, mx TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view'), COUNT(*) FILTER (WHERE event_type = 'click'), MAX(ts)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, campaign_id;`
	cases := []struct {
		name, path, opts string
		wantErr          bool
	}{
		{"null rowtimes and odd records", writeDirtyEvents(t, dir, 1, 20000, false), "", false},
		{"malformed records skipped", writeDirtyEvents(t, dir, 2, 20000, true), ", 'json.ignore-parse-errors' = 'true'", false},
		{"malformed record stops the job", writeDirtyEvents(t, dir, 3, 20000, true), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := fmt.Sprintf(query, c.path, c.opts)
			restore := runtime.SetDecodeAhead(false, 0)
			want, wantSum, wantErr := runScript(src)
			restore()
			if (wantErr != nil) != c.wantErr {
				t.Fatalf("reference run: error %v, want error: %v", wantErr, c.wantErr)
			}
			if !c.wantErr && (strings.Count(want, "\n") < 50 || wantSum.RecordsSkipped == 0) {
				t.Fatalf("reference run: too little output or nothing skipped (%v):\n%.500s", wantSum, want)
			}
			for _, lanes := range []int{1, 2} {
				restore := runtime.SetDecodeAhead(true, lanes)
				got, gotSum, gotErr := runScript(src)
				restore()
				if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
					t.Errorf("%d lanes: error %v, want %v", lanes, gotErr, wantErr)
				}
				if got != want {
					t.Errorf("%d lanes: output differs\n%s", lanes, firstDiff(want, got))
				}
				if gotSum != wantSum {
					t.Errorf("%d lanes: summary %v, want %v", lanes, gotSum, wantSum)
				}
			}
		})
	}
}
