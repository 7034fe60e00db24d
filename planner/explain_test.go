package planner

import (
	"os"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql/testflag"
)

func TestExplainContents(t *testing.T) {
	j := mustPlan(t, ddl+`INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
WHERE event_type = 'view'
GROUP BY window_start, window_end, campaign_id;`)
	out := j.Explain()
	for _, want := range []string{
		"== Logical Plan ==",
		"== Physical Plan ==",
		"watermark=[-(ts, 1000:INTERVAL SECOND)]",
		"window=[TUMBLE(time_col=[ts], size=[10 s])]",
		"groupBy=[campaign_id]",
		"COUNT(*) AS n",
		"where=[=(event_type, 'view')]",
		"changelogMode=[I]",
		"n BIGINT NOT NULL",
		"window_time TIMESTAMP_LTZ(3) NOT NULL *ROWTIME*",
		"+- WindowAggregate(",
		"properties.sasl.jaas.config=******",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("EXPLAIN shows a secret:\n%s", out)
	}
	// Secrets of sinks too, and the EXPLAIN statement form.
	j = mustPlan(t, ddl+"EXPLAIN INSERT INTO out_any SELECT user_id, event_time FROM ad_events;")
	if j.Graph != nil || len(j.Explains) != 1 {
		t.Fatalf("EXPLAIN statement: graph %v explains %d", j.Graph, len(j.Explains))
	}
	text := j.Explains[0].Text()
	if strings.Contains(text, "hunter2") || !strings.Contains(text, "password=******") {
		t.Errorf("sink secret not masked:\n%s", text)
	}
}

// TestExplainGroupingSets: GROUPING SETS plan an Expand with the expand id
// $e in front of the aggregation, which groups by the keys and $e.
func TestExplainGroupingSets(t *testing.T) {
	j := mustPlan(t, ddl+`INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, ROLLUP (campaign_id);`)
	out := j.Explain()
	for _, want := range []string{
		"groups=[{campaign_id}, {}]",
		"+- WindowAggregate(groupBy=[campaign_id, $e]",
		"+- Expand(projects=[{campaign_id, ts, 0 AS $e}, {null AS campaign_id, ts, 1 AS $e}]",
		"hash[campaign_id, $e]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
}

func TestMaskOption(t *testing.T) {
	for key, masked := range map[string]bool{
		"password": true, "properties.sasl.jaas.config": true, "properties.ssl.key-password": true,
		"properties.sasl.mechanism": true, "secret.key": true, "topic": false, "format": false,
		"properties.ssl.keystore.key": true, "properties.ssl.keystore.location": false, "key.fields": false,
	} {
		if got := MaskOption(key, "v") == "******"; got != masked {
			t.Errorf("%s: masked=%v, want %v", key, got, masked)
		}
	}
}

func TestJoinExplain(t *testing.T) {
	j := planFile(t, "../queries/ctr_spark_style.sql")
	out := j.Explain()
	for _, want := range []string{"WindowJoin(joinType=[FullOuterJoin], leftKeys=[campaign_id], rightKeys=[campaign_id]", ":- Exchange(distribution=[hash[campaign_id]]", ":  +- Calc(", "LogicalJoin("} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
}

// TestExplainGolden compares the EXPLAIN of the founding query with a
// reviewed golden file (go test ./planner -run Golden -update rewrites it).
func TestExplainGolden(t *testing.T) {
	got := planFile(t, "../queries/ctr.sql").Explain()
	path := "testdata/ctr_explain.txt"
	if *testflag.Update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("EXPLAIN differs from %s (rerun with -update and review the diff):\n%s", path, got)
	}
}
