package planner

import (
	"strings"
	"testing"
)

// Two windowed views over the same table, for semi/anti joins.
const semiDDL = ddl + `CREATE VIEW v AS SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE event_type = 'view';
CREATE VIEW c AS SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE event_type = 'click';
`

func TestWindowSemiAntiJoins(t *testing.T) {
	const win = "L.window_start = R.window_start AND L.window_end = R.window_end"
	cases := []struct {
		name, where string
		typ         JoinType
		keys        int    // equi keys besides the window
		cond        string // residual condition, "" for none
	}{
		{"in", "L.campaign_id IN (SELECT campaign_id FROM c R WHERE " + win + ")", JoinSemi, 1, ""},
		{"exists", "EXISTS (SELECT * FROM c R WHERE " + win + " AND R.user_id = L.user_id)", JoinSemi, 1, ""},
		{"not exists", "NOT EXISTS (SELECT 1 FROM c R WHERE " + win + " AND L.user_id = R.user_id)", JoinAnti, 1, ""},
		// NOT IN is NULL-aware: never a key, always OR(=, IS NULL(=)).
		{"not in", "L.campaign_id NOT IN (SELECT campaign_id FROM c R WHERE " + win + ")", JoinAnti, 0, "OR(=(campaign_id, campaign_id), IS NULL(=(campaign_id, campaign_id)))"},
		{"not (in)", "NOT (L.campaign_id IN (SELECT campaign_id FROM c R WHERE " + win + "))", JoinAnti, 0, "OR("},
		{"residual", "EXISTS (SELECT * FROM c R WHERE " + win + " AND R.qty > L.qty)", JoinSemi, 0, ">(qty, qty)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := mustPlan(t, semiDDL+"INSERT INTO out_any SELECT user_id, event_time FROM v L WHERE qty > 0 AND "+tc.where+";")
			n, op := findOp[*WindowJoinOp](j.Graph)
			if n == nil {
				t.Fatal("no WindowJoin")
			}
			if op.Type != tc.typ || len(op.LeftKeys) != tc.keys || len(op.RightKeys) != tc.keys {
				t.Errorf("type %v keys %v/%v, want %v with %d keys", op.Type, op.LeftKeys, op.RightKeys, tc.typ, tc.keys)
			}
			got := ""
			if op.Condition != nil {
				got = op.Condition.String()
			}
			if (tc.cond == "") != (got == "") || !strings.HasPrefix(got, tc.cond) {
				t.Errorf("condition %q, want %q", got, tc.cond)
			}
			// Output is the left input's columns; window columns line up.
			l, r := n.Inputs[0], n.Inputs[1]
			if len(n.Schema) != len(l.Schema) {
				t.Errorf("semi/anti output has %d columns, left has %d", len(n.Schema), len(l.Schema))
			}
			if l.Schema[op.LeftWindowStart].Name != "window_start" || r.Schema[op.RightWindowEnd].Name != "window_end" {
				t.Errorf("window columns %d/%d", op.LeftWindowStart, op.RightWindowEnd)
			}
			for i, k := range op.LeftKeys {
				if l.Schema[k].Name != r.Schema[op.RightKeys[i]].Name {
					t.Errorf("key %d: %s vs %s", i, l.Schema[k].Name, r.Schema[op.RightKeys[i]].Name)
				}
			}
			// The right side is projected to what the join reads, and the
			// outer WHERE (qty > 0) filters the left side below the join.
			if len(r.Schema) > 4 {
				t.Errorf("right input not pruned: %s", schemaOf(r.Schema))
			}
			if lc, ok := l.Op.(*CalcOp); !ok || lc.Filter == nil || !strings.Contains(lc.Filter.String(), ">(qty, 0)") {
				t.Errorf("left input is %s, want a Calc filtering qty > 0", l.Name())
			}
			// Both sides and the view's TVFs read one shared source.
			sources := 0
			for _, x := range j.Graph.Nodes {
				if _, ok := x.Op.(*SourceOp); ok {
					sources++
				}
			}
			if sources != 1 {
				t.Errorf("%d sources for one table, want 1", sources)
			}
			if out := j.Explain(); !strings.Contains(out, "Reused(reference_id=[1])") || !strings.Contains(out, "(reuse_id=[1])") {
				t.Errorf("EXPLAIN does not show the shared source:\n%s", out)
			}
		})
	}
}

func TestWindowSemiJoinErrors(t *testing.T) {
	const win = "L.window_start = R.window_start AND L.window_end = R.window_end"
	cases := []struct{ name, query, want string }{
		{"different windows", "SELECT user_id FROM v L WHERE EXISTS (SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '5' SECOND)) R WHERE " + win + ")",
			"needs both inputs to use the same window"},
		{"under OR", "SELECT user_id FROM v L WHERE qty > 1 OR L.campaign_id IN (SELECT campaign_id FROM c R WHERE " + win + ")",
			"IN (subquery) is only supported as a top-level condition"},
		{"two columns", "SELECT user_id FROM v L WHERE L.campaign_id IN (SELECT campaign_id, user_id FROM c R WHERE " + win + ")",
			"must select exactly one column"},
		{"typo in subquery", "SELECT user_id FROM v L WHERE EXISTS (SELECT * FROM c R WHERE " + win + " AND R.campain_id = 'x')",
			`unknown column "R.campain_id" (did you mean "campaign_id"?)`},
		{"in aggregation", "SELECT window_start, COUNT(*) FROM v L WHERE EXISTS (SELECT * FROM c R WHERE " + win + ") GROUP BY window_start, window_end",
			"EXISTS (subquery) is only supported as a top-level condition of the WHERE of a query without GROUP BY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planText(t, semiDDL+tc.query+";")
			if err == nil {
				t.Fatal("planned, want an error")
			}
			se := asSQLError(t, err)
			if !strings.Contains(err.Error(), tc.want) || se.Pos.Line < 28 {
				t.Errorf("error %v\nwant it to contain %q at a line of the query", err, tc.want)
			}
		})
	}
}

// GROUP BY window_start, window_end over a subquery or view that is a window
// TVF is a window aggregation (the TVF is re-opened below the Calc).
func TestWindowAggregateOverTVFSubquery(t *testing.T) {
	for _, from := range []string{
		"(SELECT * FROM TABLE(HOP(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE qty > 1)",
		"(SELECT campaign_id, window_start AS ws, window_end, qty FROM TABLE(HOP(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE qty > 1)",
	} {
		ws := "window_start"
		if strings.Contains(from, " AS ws") {
			ws = "ws"
		}
		j := mustPlan(t, ddl+"INSERT INTO out_counts SELECT "+ws+", window_end, campaign_id, COUNT(*) FROM "+from+" GROUP BY "+ws+", window_end, campaign_id;")
		if got, want := shape(j.Graph), "TableSourceScan -> Calc -> WindowAggregate -> Calc -> Sink"; got != want {
			t.Fatalf("shape %s, want %s", got, want)
		}
		n, agg := findOp[*WindowAggOp](j.Graph)
		pre := n.Inputs[0]
		if agg.Window.Size != 10000 || agg.Window.Slide != 5000 || pre.Rowtime != agg.Window.TimeCol || pre.Schema[agg.Window.TimeCol].Name != "ts" {
			t.Errorf("window %+v over %s", agg.Window, schemaOf(pre.Schema))
		}
		if c := pre.Op.(*CalcOp); c.Filter == nil || c.Filter.String() != ">(qty, 1)" {
			t.Errorf("filter below the window: %v", c.Filter)
		}
		if len(agg.GroupKeys) != 1 || pre.Schema[agg.GroupKeys[0]].Name != "campaign_id" {
			t.Errorf("group keys %v of %s", agg.GroupKeys, schemaOf(pre.Schema))
		}
	}
	// Window columns changed on the way are not a window aggregation.
	_, err := planText(t, ddl+"SELECT window_start, window_end, COUNT(*) FROM (SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE window_start > TIMESTAMP '2026-01-01 00:00:00') GROUP BY window_start, window_end;")
	if err == nil || !strings.Contains(err.Error(), "the WHERE below the aggregation reads window_start") {
		t.Errorf("error %v", err)
	}
	// Over a window aggregation's output the window is propagated
	// (windowprop.go): a window aggregation over the rows' own windows.
	j := mustPlan(t, ddl+"INSERT INTO out_counts SELECT window_start, window_end, 'all', SUM(n) FROM (SELECT window_start, window_end, campaign_id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, campaign_id) GROUP BY window_start, window_end;")
	if got, want := shape(j.Graph), "TableSourceScan -> Calc -> WindowAggregate -> Calc -> WindowAggregate -> Calc -> Sink"; got != want {
		t.Fatalf("shape %s, want %s", got, want)
	}
	n, agg := findOp[*WindowAggOp](j.Graph)
	for _, x := range j.Graph.Nodes {
		if a, ok := x.Op.(*WindowAggOp); ok && a.Window.Attached {
			n, agg = x, a
		}
	}
	pre := n.Inputs[0].Schema
	if !agg.Window.Attached || pre[agg.Window.StartCol].Name != "window_start" || pre[agg.Window.TimeCol].Name != "window_end" || agg.Window.Size != 10000 {
		t.Errorf("propagated window %+v over %s", agg.Window, schemaOf(pre))
	}
	if text := j.Explain(); !strings.Contains(text, "window=[TUMBLE(win_start=[window_start], win_end=[window_end], size=[10 s])]") {
		t.Errorf("EXPLAIN does not show the propagated window:\n%s", text)
	}
}
