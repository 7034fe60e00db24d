package planner

import (
	"strings"
	"testing"
)

func TestOverExplain(t *testing.T) {
	j := mustPlan(t, "SET 'parallelism.default' = '2';\n"+ddl+`CREATE TABLE out_over (u STRING, q INT, s INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o', 'format' = 'json');
INSERT INTO out_over
SELECT user_id, qty, SUM(qty) OVER w, COUNT(*) OVER w
FROM ad_events WHERE event_type = 'view'
WINDOW w AS (PARTITION BY user_id ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);`)
	out := j.Explain()
	for _, want := range []string{
		"OverAggregate(partitionBy=[user_id], orderBy=[ts ASC], window=[ROWS BETWEEN 2 PRECEDING AND CURRENT ROW], select=[user_id, qty, ts, SUM(qty) AS w0$o0, COUNT(*) AS w0$o1], changelogMode=[I], parallelism=[2])",
		"Exchange(distribution=[hash[user_id]]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, out)
		}
	}
	if got, want := distShape(j.Graph), "OverAggregate/2 hash[user_id]"; !strings.Contains(got, want) {
		t.Errorf("distribution %s lacks %s", got, want)
	}
	// RANGE with an interval, the default frame, no partition (one subtask)
	for q, want := range map[string]string{
		"SUM(qty) OVER (PARTITION BY user_id ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)": "window=[RANGE BETWEEN 3600000 PRECEDING AND CURRENT ROW]",
		"SUM(qty) OVER (PARTITION BY user_id ORDER BY ts)":                                                           "window=[RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW]",
		"SUM(qty) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)":                               "OverAggregate(orderBy=[ts ASC], window=[ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW]",
	} {
		j := mustPlan(t, ddl+"EXPLAIN SELECT user_id, "+q+" FROM ad_events;")
		if text := j.Explains[0].Text(); !strings.Contains(text, want) {
			t.Errorf("%s: EXPLAIN lacks %q:\n%s", q, want, text)
		}
	}
}

func TestOverErrors(t *testing.T) {
	q := strings.Count(ddl, "\n") + 1
	for _, c := range []struct {
		name, query string
		col         int
		want        string
	}{
		{"order by a plain column", "SELECT SUM(qty) OVER (PARTITION BY user_id ORDER BY qty) FROM ad_events;", 53, "OVER windows' ordering in stream mode must be defined on a time attribute"},
		{"no order by", "SELECT SUM(qty) OVER (PARTITION BY user_id) FROM ad_events;", 17, "needs ORDER BY the time attribute"},
		{"descending", "SELECT SUM(qty) OVER (ORDER BY ts DESC) FROM ad_events;", 32, "ascending"},
		{"over in where", "SELECT user_id FROM ad_events WHERE SUM(qty) OVER (ORDER BY ts) > 1;", 37, "only allowed in the SELECT list"},
		{"with group by", "SELECT user_id, SUM(qty) OVER (ORDER BY ts) FROM ad_events GROUP BY user_id;", 69, "OVER aggregation together with GROUP BY is not supported"},
		{"mixed with a plain aggregate", "SELECT COUNT(*), SUM(qty) OVER (ORDER BY ts) FROM ad_events;", 8, "cannot be mixed with OVER aggregates"},
		{"range of rows", "SELECT SUM(qty) OVER (ORDER BY ts RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) FROM ad_events;", 0, "day-time interval literal"},
		{"rows of an interval", "SELECT SUM(qty) OVER (ORDER BY ts ROWS BETWEEN INTERVAL '1' SECOND PRECEDING AND CURRENT ROW) FROM ad_events;", 0, "whole number of rows"},
		{"no time attribute", "SELECT SUM(qty) OVER (ORDER BY qty) FROM (SELECT qty FROM ad_events);", 17, "needs a time attribute"},
		{"updating input", "SELECT u, SUM(n) OVER (ORDER BY ts) FROM (SELECT user_id AS u, COUNT(*) AS n, MAX(ts) AS ts FROM ad_events GROUP BY user_id);", 0, "needs a time attribute"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := planText(t, ddl+c.query)
			if err == nil {
				t.Fatal("no error")
			}
			se := asSQLError(t, err)
			if !strings.Contains(se.Msg, c.want) {
				t.Errorf("message %q\n does not contain %q", se.Msg, c.want)
			}
			if se.Pos.Line != q || c.col > 0 && se.Pos.Col != c.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", se.Pos.Line, se.Pos.Col, q, c.col, se)
			}
		})
	}
}

// The result of an OVER aggregation is append-only: a file sink takes it.
func TestOverIntoAppendSink(t *testing.T) {
	mustPlan(t, ddl+`CREATE TABLE fs_out (u STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o', 'format' = 'json');
INSERT INTO fs_out SELECT user_id, COUNT(*) OVER (PARTITION BY user_id ORDER BY ts) FROM ad_events;`)
}
