package planner

import (
	"strings"
	"testing"
)

// A regular join: EXPLAIN shows Flink's Join node with its condition,
// both inputs hashed by the join key, and the changelog rule: an inner
// join of append-only inputs is append-only, an outer join updating; an
// updating input makes an inner join updating. Upsert keys follow a side
// whose key lies within its join keys.
func TestExplainRegularJoin(t *testing.T) {
	j := mustPlan(t, "SET 'parallelism.default' = '2';\n"+ddl+
		"SELECT a.user_id, c.cts FROM ad_events a JOIN clicks c ON a.campaign_id = c.campaign_id AND a.qty > 1;")
	out := j.Explain()
	for _, want := range []string{
		"Join(joinType=[InnerJoin], where=[AND(=(campaign_id, campaign_id0), >(qty, 1))], select=[user_id, event_type, event_time, campaign_id, price, qty, ts, kafka_ts, campaign_id0, cts], leftInputSpec=[NoUniqueKey], rightInputSpec=[NoUniqueKey], changelogMode=[I], parallelism=[2])",
		"Exchange(distribution=[hash[campaign_id]], changelogMode=[I])",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	if got, want := distShape(j.Graph), "TableSourceScan/2; TableSourceScan/2; Join/2 hash[campaign_id] hash[campaign_id]; Calc/2 forward; Sink/2 forward"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// outer: updating, no upsert key
	j = mustPlan(t, ddl+"SELECT a.user_id, c.cts FROM ad_events a LEFT JOIN clicks c ON a.campaign_id = c.campaign_id;")
	if out := j.Explain(); !strings.Contains(out, "Join(joinType=[LeftOuterJoin], where=[=(campaign_id, campaign_id0)]") || !strings.Contains(out, "rightInputSpec=[NoUniqueKey], changelogMode=[I,UB,UA,D]) ->") {
		t.Errorf("EXPLAIN:\n%s", out)
	}
	// an aggregated right side unique on the join key: the left rows'
	// keys are not unique (no upsert key on the left), but the right's
	// input spec says so; joined with an aggregated left side too, the
	// output is keyed by the left key
	j = mustPlan(t, ddl+`SELECT a.campaign_id, a.n, c.m FROM
  (SELECT campaign_id, COUNT(*) AS n FROM ad_events GROUP BY campaign_id) a
  JOIN (SELECT campaign_id, COUNT(*) AS m FROM clicks GROUP BY campaign_id) c ON a.campaign_id = c.campaign_id;`)
	out = j.Explain()
	for _, want := range []string{
		"leftInputSpec=[JoinKeyContainsUniqueKey], rightInputSpec=[JoinKeyContainsUniqueKey], changelogMode=[I,UB,UA,D], upsertKeys=[[campaign_id]])",
		"Calc(select=[campaign_id, n, m], changelogMode=[I,UB,UA,D], upsertKeys=[[campaign_id]])",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	// an outer join into an append-only sink is refused, naming the join
	_, err := planText(t, ddl+`CREATE TABLE fs_out (a STRING, b TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = 'o', 'format' = 'json');
INSERT INTO fs_out SELECT a.user_id, c.cts FROM ad_events a LEFT JOIN clicks c ON a.campaign_id = c.campaign_id;`)
	if err == nil || !strings.Contains(err.Error(), "doesn't support consuming update changes which is produced by node Join(joinType=[LeftOuterJoin]") {
		t.Errorf("error %v", err)
	}
	// an inner join of append-only inputs goes into a file
	if _, err := planText(t, ddl+`CREATE TABLE fs_out (a STRING, b TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = 'o', 'format' = 'json');
INSERT INTO fs_out SELECT a.user_id, c.cts FROM ad_events a JOIN clicks c ON a.campaign_id = c.campaign_id;`); err != nil {
		t.Error(err)
	}
	// two windows joined without equating window_end: Flink plans a
	// regular join (the window columns are plain columns of both sides)
	j = mustPlan(t, ddl+`SELECT * FROM
(SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end) a
JOIN (SELECT window_start, window_end, COUNT(*) AS m FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(cts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end) b
ON a.window_start = b.window_start;`)
	if out := j.Explain(); !strings.Contains(out, "Join(joinType=[InnerJoin], where=[=(window_start, window_start0)]") {
		t.Errorf("EXPLAIN:\n%s", out)
	}
}

// IN / EXISTS / NOT IN over inputs that are not windows: regular semi and
// anti joins. IN on a column is a key (hashed); NOT IN is null-aware, so
// its equality is a residual condition and the join runs as one subtask;
// a semi join of append-only inputs is append-only, an anti join updating.
func TestExplainRegularSemiJoin(t *testing.T) {
	j := mustPlan(t, "SET 'parallelism.default' = '2';\n"+ddl+
		"SELECT user_id FROM ad_events WHERE campaign_id IN (SELECT campaign_id FROM clicks);")
	out := j.Explain()
	for _, want := range []string{
		"Join(joinType=[LeftSemiJoin], where=[=(campaign_id, campaign_id0)], select=[user_id, event_type, event_time, campaign_id, price, qty, ts, kafka_ts], leftInputSpec=[NoUniqueKey], rightInputSpec=[NoUniqueKey], changelogMode=[I], parallelism=[2])",
		"Exchange(distribution=[hash[campaign_id]], changelogMode=[I])",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	j = mustPlan(t, "SET 'parallelism.default' = '2';\n"+ddl+
		"SELECT user_id FROM ad_events WHERE campaign_id NOT IN (SELECT campaign_id FROM clicks);")
	out = j.Explain()
	for _, want := range []string{
		"Join(joinType=[LeftAntiJoin], where=[OR(=(campaign_id, campaign_id0), IS NULL(=(campaign_id, campaign_id0)))]",
		"changelogMode=[I,UB,UA,D], parallelism=[1])",
		"Exchange(distribution=[single], changelogMode=[I])",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	j = mustPlan(t, ddl+"SELECT user_id FROM ad_events a WHERE NOT EXISTS (SELECT * FROM clicks c WHERE c.campaign_id = a.campaign_id AND c.cts IS NOT NULL);")
	if out := j.Explain(); !strings.Contains(out, "Join(joinType=[LeftAntiJoin], where=[=(campaign_id, campaign_id0)]") || !strings.Contains(out, "where=[IS NOT NULL(cts)]") {
		t.Errorf("EXPLAIN:\n%s", out)
	}
}
