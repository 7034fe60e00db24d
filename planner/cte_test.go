package planner

import (
	"strings"
	"testing"
)

// A WITH query works wherever a table name does, window TVF arguments
// included (TABLE c and TABLE (SELECT ... FROM c)), also inside a nested
// subquery, and plans to the same graph as the query written inline.
func TestCTEInWindowTVF(t *testing.T) {
	inline := mustPlan(t, ddl+`INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE (SELECT * FROM ad_events WHERE qty > 1), DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`)
	want := inline.Explain()
	cases := map[string]string{
		"TABLE c": `INSERT INTO out_counts
WITH c AS (SELECT * FROM ad_events WHERE qty > 1)
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`,
		"named DATA => TABLE c": `INSERT INTO out_counts
WITH c AS (SELECT * FROM ad_events WHERE qty > 1)
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(DATA => TABLE c, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`,
		"TABLE (SELECT FROM c)": `INSERT INTO out_counts
WITH c AS (SELECT * FROM ad_events)
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE (SELECT * FROM c WHERE qty > 1), DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`,
		"CTE of a CTE in a subquery": `INSERT INTO out_counts
WITH a AS (SELECT * FROM ad_events), c AS (SELECT * FROM a WHERE qty > 1)
SELECT * FROM (
  SELECT window_start, window_end, campaign_id, COUNT(*)
  FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY window_start, window_end, campaign_id);`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			j, err := planText(t, ddl+q)
			if err != nil {
				t.Fatalf("plan: %v", err)
			}
			// Physical plans must agree; the logical ones differ only in
			// the projection the extra subquery level adds.
			got := j.Explain()
			phys := func(s string) string { return s[strings.Index(s, "== Physical Plan =="):] }
			if phys(got) != phys(want) {
				t.Errorf("physical plan differs from the inline query:\n%s\nwant:\n%s", phys(got), phys(want))
			}
		})
	}
}

// A WITH query's name does not leak out of its statement, and a table
// named like a CTE of another statement is still unknown.
func TestCTEScope(t *testing.T) {
	_, err := planText(t, ddl+`INSERT INTO out_counts
WITH c AS (SELECT * FROM ad_events)
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;
INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, COUNT(*)
FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`)
	if err == nil || !strings.Contains(err.Error(), `unknown table "c"`) {
		t.Fatalf("want unknown table \"c\" in the second statement, got %v", err)
	}
	if se := asSQLError(t, err); se.Pos.Line != 33 || se.Pos.Col != 25 {
		t.Errorf("error at %d:%d, want 33:25: %v", se.Pos.Line, se.Pos.Col, err)
	}
}
