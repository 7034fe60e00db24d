package planner

import (
	"strconv"
	"strings"
	"testing"
)

// distShape lists each node as Name/parallelism with its input
// distributions, in graph order.
func distShape(g *Graph) string {
	var parts []string
	for _, n := range g.Nodes {
		s := n.Name() + "/" + strconv.Itoa(n.Parallelism)
		for i, d := range n.InputDists {
			s += " " + d.Text(n.Inputs[i].Schema)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestDistributeKeyedAndSingle(t *testing.T) {
	j := mustPlan(t, "SET 'parallelism.default' = '4';\n"+ddl+`INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`)
	want := "TableSourceScan/4; Calc/4 forward; WindowAggregate/4 hash[campaign_id]; Calc/4 forward; Sink/4 forward"
	if got := distShape(j.Graph); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if j.Graph.Parallelism != 4 || j.Graph.MaxParallelism != 128 {
		t.Errorf("graph parallelism %d, max %d", j.Graph.Parallelism, j.Graph.MaxParallelism)
	}
	// no key: every row to one subtask
	j = mustPlan(t, "SET 'parallelism.default' = '3';\n"+strings.Replace(ddl, "'format' = 'json');\nCREATE TABLE clicks", "'format' = 'json', 'scan.parallelism' = '2');\nCREATE TABLE clicks", 1)+
		`CREATE TABLE out_one (window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'blackhole', 'sink.parallelism' = '2');
INSERT INTO out_one
SELECT window_start, COUNT(*)
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;`)
	want = "TableSourceScan/2; Calc/2 forward; WindowAggregate/1 single; Calc/1 forward; Sink/2 rebalance"
	if got := distShape(j.Graph); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if out := j.Explain(); !strings.Contains(out, "+- Exchange(distribution=[single], changelogMode=[I]) -> (ts TIMESTAMP_LTZ(3) *ROWTIME*)") {
		t.Errorf("EXPLAIN lacks the single exchange:\n%s", out)
	}
}

func TestDistributeDefaultsToOne(t *testing.T) {
	j := mustPlan(t, ddl+"INSERT INTO out_any SELECT user_id, event_time FROM ad_events;")
	if got, want := distShape(j.Graph), "TableSourceScan/1; Calc/1 forward; Sink/1 forward"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestDistributeErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"SET 'parallelism.default' = 'x';\n" + ddl + "INSERT INTO out_any SELECT user_id, event_time FROM ad_events;",
			"test.sql:1:1: SET 'parallelism.default' = 'x': want a positive integer"},
		{"SET 'parallelism.default' = '0';\n" + ddl + "INSERT INTO out_any SELECT user_id, event_time FROM ad_events;",
			"test.sql:1:1: SET 'parallelism.default' = '0': want a positive integer"},
		{"SET 'pipeline.max-parallelism' = '4';\nSET 'parallelism.default' = '8';\n" + ddl + "INSERT INTO out_any SELECT user_id, event_time FROM ad_events;",
			"test.sql:2:1: SET 'parallelism.default' = '8': must not exceed 'pipeline.max-parallelism' (4)"},
		{"SET 'pipeline.max-parallelism' = '40000';\n" + ddl + "INSERT INTO out_any SELECT user_id, event_time FROM ad_events;",
			"test.sql:1:1: SET 'pipeline.max-parallelism' = '40000': at most 32768"},
		{ddl + "CREATE TABLE o2 (a STRING) WITH ('connector' = 'blackhole', 'sink.parallelism' = 'two');\nINSERT INTO o2 SELECT user_id FROM ad_events;",
			"table o2: 'sink.parallelism' = 'two': want a positive integer"},
	} {
		_, err := planText(t, c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
