package planner

import (
	"strings"
	"testing"
)

// The changelog rule: EXPLAIN shows each node's mode and the aggregation's
// upsert key, which a Calc keeping the key column carries on.
func TestExplainChangelogMode(t *testing.T) {
	j := mustPlan(t, ddl+"SELECT user_id, COUNT(*) AS n FROM ad_events WHERE qty > 0 GROUP BY user_id;")
	out := j.Explain()
	for _, want := range []string{
		"GroupAggregate(groupBy=[user_id], select=[user_id, COUNT(*) AS n], changelogMode=[I,UB,UA,D], upsertKeys=[[user_id]])",
		"Exchange(distribution=[hash[user_id]], changelogMode=[I])",
		"Sink(table=[stdout], fields=[user_id, n], options=[connector=print], changelogMode=[I,UB,UA,D])",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	// a projection that drops the key loses the upsert key
	j = mustPlan(t, ddl+"SELECT n FROM (SELECT user_id, COUNT(*) AS n FROM ad_events GROUP BY user_id);")
	if out := j.Explain(); !strings.Contains(out, "Calc(select=[n], changelogMode=[I,UB,UA,D]) ->") {
		t.Errorf("EXPLAIN:\n%s", out)
	}
	// a global aggregation runs as one subtask
	j = mustPlan(t, "SET 'parallelism.default' = '4';\n"+ddl+"SELECT COUNT(*) FROM ad_events;")
	if got, want := distShape(j.Graph), "TableSourceScan/4; Calc/4 forward; GroupAggregate/1 single; Calc/1 forward; Sink/1 forward"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A changelog reaching a sink of another parallelism is hashed by its
// upsert key, so each key's changes stay in order (never rebalanced).
func TestDistributeChangelogToSink(t *testing.T) {
	j := mustPlan(t, "SET 'parallelism.default' = '4';\n"+ddl+`CREATE TABLE o2 (a STRING, n BIGINT) WITH ('connector' = 'blackhole', 'sink.parallelism' = '2');
INSERT INTO o2 SELECT user_id, COUNT(*) FROM ad_events GROUP BY user_id;`)
	want := "TableSourceScan/4; Calc/4 forward; GroupAggregate/4 hash[user_id]; Calc/4 forward; Sink/2 hash[user_id]"
	if got := distShape(j.Graph); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Mini-batch needs a latency and a size above 0 when enabled (Flink's
// rule), reported at the aggregation; they reach the GroupAggregate.
func TestGroupAggMiniBatchOptions(t *testing.T) {
	q := ddl + "SELECT user_id, COUNT(*) FROM ad_events GROUP BY user_id;"
	on := "SET 'table.exec.mini-batch.enabled' = 'true';\n"
	for _, c := range []struct{ set, want string }{
		{on, "SET 'table.exec.mini-batch.allow-latency' to a duration above 0"},
		{on + "SET 'table.exec.mini-batch.allow-latency' = '2 s';\n", "SET 'table.exec.mini-batch.size' to a number of rows above 0"},
		{on + "SET 'table.exec.mini-batch.allow-latency' = '2 s';\nSET 'table.exec.mini-batch.size' = '-1';\n", "SET 'table.exec.mini-batch.size' to a number of rows above 0"},
	} {
		_, err := planText(t, c.set+q)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "GROUP BY") && !strings.Contains(err.Error(), "test.sql:") {
			t.Errorf("%s: error %v, want %q", c.set, err, c.want)
		}
	}
	if _, err := planText(t, "SET 'table.exec.mini-batch.enabled' = 'maybe';\n"+q); err == nil || !strings.Contains(err.Error(), "test.sql:1:1:") {
		t.Errorf("bad boolean: %v", err)
	}
	j := mustPlan(t, on+"SET 'table.exec.mini-batch.allow-latency' = '2 s';\nSET 'table.exec.mini-batch.size' = '500';\n"+q)
	if a := opsOf[*GroupAggOp](j); len(a) != 1 || a[0].MiniBatchLatency != 2000 || a[0].MiniBatchSize != 500 {
		t.Errorf("mini-batch options not planned: %+v", a)
	}
	j = mustPlan(t, "SET 'table.exec.mini-batch.enabled' = 'false';\nSET 'table.exec.mini-batch.size' = '500';\n"+q)
	if a := opsOf[*GroupAggOp](j); len(a) != 1 || a[0].MiniBatchSize != 0 {
		t.Errorf("mini-batch planned while disabled: %+v", a)
	}
}

// A GroupAggregate over an insert-only input is told so (its MIN and MAX
// then keep no state for retraction, as Flink's MaxAggFunction); over an
// aggregation's changelog it is not (MaxWithRetractAggFunction).
func TestGroupAggInsertOnlyInput(t *testing.T) {
	j := mustPlan(t, ddl+"SELECT user_id, MAX(qty) AS m FROM ad_events GROUP BY user_id;")
	if a := opsOf[*GroupAggOp](j); len(a) != 1 || !a[0].InsertOnlyInput {
		t.Errorf("aggregation over the source: %+v, want InsertOnlyInput", a)
	}
	j = mustPlan(t, ddl+"SELECT n, MAX(m) FROM (SELECT user_id, COUNT(*) AS n, MAX(qty) AS m FROM ad_events GROUP BY user_id) GROUP BY n;")
	a := opsOf[*GroupAggOp](j)
	if len(a) != 2 {
		t.Fatalf("%d aggregations, want 2", len(a))
	}
	for _, op := range a {
		inner := len(op.GroupKeys) == 1 && len(op.Aggs) == 2
		if op.InsertOnlyInput != inner {
			t.Errorf("aggregation %+v: InsertOnlyInput %v, want %v", op, op.InsertOnlyInput, inner)
		}
	}
}
