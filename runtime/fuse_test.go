package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
)

// A window aggregation reading through the Calc in front of it (fusing,
// exec.go and ops.FuseCalc) must give exactly what running the Calc
// gives: same rows in the same order, same counters, on a random stream
// with out-of-order, late and NULL-time records. Each case also states
// how many Calcs must fuse, so a shape that silently stops fusing (or
// fuses when it must not) fails too.
func TestFusedCalcDoesNotChangeResults(t *testing.T) {
	dir := t.TempDir()
	one := writeEvents(t, dir, "one.jsonl", 11, 4000)
	ddl := fmt.Sprintf(eventsDDL, "ev", one)
	cases := []struct {
		name  string
		fused int
		src   string
	}{
		{"ctr", 1, `CREATE TABLE out1 (ws TIMESTAMP(3), we TIMESTAMP(3), c STRING, views BIGINT, clicks BIGINT, ctr DOUBLE, mx TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, window_end, campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view'), COUNT(*) FILTER (WHERE event_type = 'click'),
  CAST(COUNT(*) FILTER (WHERE event_type = 'click') AS DOUBLE) / NULLIF(COUNT(*) FILTER (WHERE event_type = 'view'), 0),
  MAX(ts)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '2' SECOND))
GROUP BY window_start, window_end, campaign_id;`},
		{"hop, constant first, min/max/sum/avg with filters", 1, `CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, a BIGINT, b BIGINT, s BIGINT, v BIGINT, u STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id,
  MIN(event_time) FILTER (WHERE 'click' = event_type), MAX(event_time) FILTER (WHERE event_type = 'view'),
  SUM(event_time) FILTER (WHERE event_type = 'nope'), AVG(event_time),
  MAX(user_id) FILTER (WHERE user_id = 'u3'), COUNT(DISTINCT user_id) FILTER (WHERE event_type = 'click')
FROM TABLE(HOP(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '3' SECOND))
GROUP BY window_start, window_end, campaign_id;`},
		{"cumulate, two keys", 1, `CREATE TABLE out1 (ws TIMESTAMP(3), we TIMESTAMP(3), c STRING, u STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, window_end, campaign_id, user_id, COUNT(*) FILTER (WHERE event_type = 'view')
FROM TABLE(CUMULATE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '4' SECOND))
GROUP BY window_start, window_end, campaign_id, user_id;`},
		// a WHERE clause or a computed projection keeps the Calc
		{"filtered: not fused", 0, `CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND))
WHERE event_type = 'click' GROUP BY window_start, window_end, campaign_id;`},
		{"computed argument: not fused", 0, `CREATE TABLE out1 (ws TIMESTAMP(3), c STRING, n BIGINT) WITH ('connector' = 'print');
INSERT INTO out1 SELECT window_start, campaign_id, SUM(event_time / 1000)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end, campaign_id;`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := ddl + c.src
			restore := runtime.SetFuseCalcs(false)
			want, wantSum, n := runFused(t, src)
			restore()
			if n != 0 {
				t.Fatalf("fusing off, yet %d Calcs fused", n)
			}
			if strings.Count(want, "\n") < 10 {
				t.Fatalf("too little output to compare:\n%s", want)
			}
			if wantSum.LateRecordsDropped == 0 || wantSum.RecordsSkipped == 0 {
				t.Errorf("the stream should make some rows late and skip NULL times (summary %v)", wantSum)
			}
			got, gotSum, n := runFused(t, src)
			if n != c.fused {
				t.Errorf("%d Calcs fused, want %d", n, c.fused)
			}
			if got != want {
				t.Errorf("fused output differs\n%s", firstDiff(want, got))
			}
			if gotSum != wantSum {
				t.Errorf("fused summary %v, want %v", gotSum, wantSum)
			}
		})
	}
}

func runFused(t *testing.T, src string) (string, runtime.Summary, int) {
	t.Helper()
	var out bytes.Buffer
	rj := buildJob(t, src, 0, &out)
	n := runtime.FusedCalcs(rj)
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out.String(), rj.Summary(), n
}
