package planner

import (
	"strings"
	"testing"
)

// opsOf returns the graph's operators of type T.
func opsOf[T Op](j *Job) []T {
	var out []T
	for _, n := range j.Graph.Nodes {
		if op, ok := n.Op.(T); ok {
			out = append(out, op)
		}
	}
	return out
}

// table.exec.state.ttl reaches every keyed operator without a window;
// the STATE_TTL hint overrides it per join input (table name or alias)
// and for a group aggregation (its input's name), in its own SELECT only.
func TestStateTTLPlanned(t *testing.T) {
	const h, d = int64(3600_000), int64(86400_000)
	j := mustPlan(t, "SET 'table.exec.state.ttl' = '1 h';\n"+ddl+`SELECT user_id, COUNT(*) FROM ad_events GROUP BY user_id;`)
	if a := opsOf[*GroupAggOp](j); len(a) != 1 || a[0].StateTTL != h {
		t.Errorf("SET: group aggregation TTL %+v", a)
	}
	j = mustPlan(t, ddl+`SELECT /*+ STATE_TTL('e' = '1d') */ user_id, COUNT(*) FROM ad_events e GROUP BY user_id;`)
	if a := opsOf[*GroupAggOp](j); len(a) != 1 || a[0].StateTTL != d {
		t.Errorf("hint: group aggregation TTL %+v", a)
	}
	j = mustPlan(t, "SET 'table.exec.state.ttl' = '1 h';\n"+ddl+`SELECT /*+ STATE_TTL('a' = '1d') */ a.user_id, c.cts
FROM ad_events a JOIN clicks c ON a.campaign_id = c.campaign_id;`)
	if js := opsOf[*JoinOp](j); len(js) != 1 || js[0].LeftStateTTL != d || js[0].RightStateTTL != h {
		t.Errorf("hint and SET: join TTLs %+v", js)
	}
	j = mustPlan(t, ddl+`SELECT /*+ STATE_TTL('clicks' = '12 h', 'ad_events' = '1d') */ ad_events.user_id, n
FROM ad_events JOIN (SELECT campaign_id, COUNT(*) AS n FROM clicks GROUP BY campaign_id) clicks ON ad_events.campaign_id = clicks.campaign_id;`)
	if js := opsOf[*JoinOp](j); len(js) != 1 || js[0].LeftStateTTL != d || js[0].RightStateTTL != 12*h {
		t.Errorf("hint by table name and subquery alias: join TTLs %+v", js)
	}
	if a := opsOf[*GroupAggOp](j); len(a) != 1 || a[0].StateTTL != 0 {
		t.Errorf("a hint does not reach a subquery: %+v", a)
	}
	j = mustPlan(t, "SET 'table.exec.state.ttl' = '10 s';\n"+ddl+`SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM ad_events) WHERE rn = 1;`)
	if r := opsOf[*RankOp](j); len(r) != 1 || r[0].StateTTL != 10_000 {
		t.Errorf("SET: deduplication TTL %+v", r)
	}
}

func TestStateTTLErrors(t *testing.T) {
	for _, c := range []struct{ sql, want string }{
		{`SELECT /*+ STATE_TTL('x' = '1d') */ user_id, COUNT(*) FROM ad_events GROUP BY user_id;`, "test.sql:45:22: STATE_TTL: 'x' is not an input"},
		{`SELECT /*+ STATE_TTL('ad_events' = 'soon') */ user_id, COUNT(*) FROM ad_events GROUP BY user_id;`, "test.sql:45:22: STATE_TTL('ad_events' = 'soon'): invalid duration"},
	} {
		_, err := planText(t, ddl+"\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"+c.sql)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.sql, err, c.want)
		}
	}
	if _, err := planText(t, "SET 'table.exec.state.ttl' = 'a while';\n"+ddl+"SELECT user_id, COUNT(*) FROM ad_events GROUP BY user_id;"); err == nil || !strings.Contains(err.Error(), "test.sql:1:1: SET 'table.exec.state.ttl'") {
		t.Errorf("bad SET: %v", err)
	}
}
