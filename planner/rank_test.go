package planner

import (
	"strings"
	"testing"
)

// The ROW_NUMBER() rule: which operator a pattern becomes, its EXPLAIN
// attributes as Flink prints them, its changelog mode and upsert key, and
// the hash exchange by the partition key.
func TestExplainRank(t *testing.T) {
	cases := []struct{ query, want string }{
		// Top-N with the row number: upsert key = partition key + rn
		{"SELECT * FROM (SELECT user_id, qty, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY qty DESC) AS rn FROM ad_events) WHERE rn <= 3",
			"Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=3], partitionBy=[user_id], orderBy=[qty DESC], select=[user_id, qty, rn], changelogMode=[I,UB,UA,D], upsertKeys=[[user_id, rn]], parallelism=[2])"},
		// without it (rn < 4 is rankEnd=3), rows only
		{"SELECT user_id, qty FROM (SELECT user_id, qty, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY qty DESC) AS rn FROM ad_events) WHERE rn < 4",
			"Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=3], partitionBy=[user_id], orderBy=[qty DESC], select=[user_id, qty], changelogMode=[I,UB,UA,D], parallelism=[2])"},
		// over an updating input: RetractStrategy
		{"SELECT * FROM (SELECT user_id, n, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY n DESC) AS rn FROM (SELECT user_id, event_type, COUNT(*) AS n FROM ad_events GROUP BY user_id, event_type)) WHERE rn <= 2",
			"Rank(strategy=[RetractStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2]"},
		// a Top-1 by something else than time stays a Rank, keyed by the partition
		{"SELECT user_id, qty FROM (SELECT user_id, qty, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY qty) AS rn FROM ad_events) WHERE rn = 1",
			"rankRange=[rankStart=1, rankEnd=1], partitionBy=[user_id], orderBy=[qty ASC], select=[user_id, qty], changelogMode=[I,UB,UA,D], upsertKeys=[[user_id]], parallelism=[2])"},
		// deduplication: rn = 1 by the rowtime, rn not selected
		{"SELECT user_id, qty FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts ASC) AS rn FROM ad_events) WHERE rn = 1",
			"Deduplicate(keep=[FirstRow], key=[user_id], order=[ROWTIME], changelogMode=[I], parallelism=[2])"},
		{"SELECT user_id, qty FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM ad_events) WHERE rn <= 1",
			"Deduplicate(keep=[LastRow], key=[user_id], order=[ROWTIME], changelogMode=[I,UB,UA,D], upsertKeys=[[user_id]], parallelism=[2])"},
		// window Top-N and window deduplication: insert-only
		{"SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY qty DESC) AS rn FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn <= 2",
			"WindowRank(window=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[1 min])], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=2], partitionBy=[window_start, window_end], orderBy=[qty DESC]"},
		{"SELECT user_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, user_id ORDER BY ts) AS rn FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1",
			"WindowDeduplicate(window=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[1 min])], keep=[FirstRow], partitionKeys=[window_start, window_end, user_id], orderKey=[ts], order=[ROWTIME], changelogMode=[I], parallelism=[2])"},
	}
	for _, c := range cases {
		j := mustPlan(t, "SET 'parallelism.default' = '2';\n"+ddl+c.query+";")
		out := j.Explain()
		if !strings.Contains(out, c.want) {
			t.Errorf("%s\nEXPLAIN lacks %q:\n%s", c.query, c.want, out)
		}
		if !strings.Contains(out, "Exchange(distribution=[hash[") {
			t.Errorf("%s: no hash exchange:\n%s", c.query, out)
		}
	}
}

// An insert-only sink fed a Top-N is refused, naming the Rank; a
// deduplication keeping the first row is insert-only and accepted.
func TestRankIntoAppendSink(t *testing.T) {
	sink := "CREATE TABLE f (user_id STRING, qty INT) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'json');\n"
	_, err := planText(t, ddl+sink+"INSERT INTO f SELECT user_id, qty FROM (SELECT user_id, qty, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY qty DESC) AS rn FROM ad_events) WHERE rn <= 3;")
	if err == nil || !strings.Contains(err.Error(), "doesn't support consuming update changes which is produced by node Rank(") {
		t.Errorf("got %v", err)
	}
	if _, err := planText(t, ddl+sink+"INSERT INTO f SELECT user_id, qty FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts) AS rn FROM ad_events) WHERE rn = 1;"); err != nil {
		t.Errorf("keep-first deduplication into a file: %v", err)
	}
}
