package planner

import (
	"strconv"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// ddl defines the tables every test query uses; a query appended after it
// starts on the line after its last newline.
const ddl = `CREATE TABLE ad_events (
  user_id STRING,
  event_type STRING,
  event_time BIGINT,
  campaign_id STRING,
  price DECIMAL(10, 2),
  qty INT,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'ads', 'properties.sasl.jaas.config' = 'hunter2', 'format' = 'json');
CREATE TABLE clicks (
  campaign_id STRING,
  cts TIMESTAMP(3),
  WATERMARK FOR cts AS cts
) WITH ('connector' = 'filesystem', 'path' = 'x.jsonl', 'format' = 'json');
CREATE TABLE out_counts (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  campaign_id STRING,
  n BIGINT
) WITH ('connector' = 'blackhole');
CREATE TABLE out_any (
  a STRING, b BIGINT
) WITH ('connector' = 'print', 'password' = 'hunter2');
`

func shape(g *Graph) string {
	// The chain from the first sink down to its (first) source.
	var sink *Node
	for _, n := range g.Nodes {
		if _, ok := n.Op.(*SinkOp); ok {
			sink = n
			break
		}
	}
	var parts []string
	for n := sink; n != nil; {
		parts = append(parts, n.Name())
		if len(n.Inputs) == 0 {
			break
		}
		n = n.Inputs[0]
	}
	// reverse: source first
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, " -> ")
}

func findOp[T Op](g *Graph) (*Node, T) {
	var zero T
	for _, n := range g.Nodes {
		if op, ok := n.Op.(T); ok {
			return n, op
		}
	}
	return nil, zero
}

func schemaOf(s Schema) string {
	var parts []string
	for _, c := range s {
		parts = append(parts, c.Name+" "+c.Type.WithoutRowtime().Nullable().String())
	}
	return strings.Join(parts, ", ")
}

func TestFoundingCTRQuery(t *testing.T) {
	j := planFile(t, "../queries/ctr.sql")
	g := j.Graph
	if got, want := shape(g), "TableSourceScan -> Calc -> WindowAggregate -> Calc -> Sink"; got != want {
		t.Fatalf("shape %q, want %q", got, want)
	}
	if len(g.Nodes) != 5 {
		t.Errorf("%d nodes, want 5", len(g.Nodes))
	}
	for i, n := range g.Nodes {
		if n.ID != i || !n.AppendOnly {
			t.Errorf("node %d: ID %d AppendOnly %v", i, n.ID, n.AppendOnly)
		}
	}
	if g.Settings["pipeline.name"] != "ctr" {
		t.Errorf("settings %v", g.Settings)
	}
	// Final Calc: the select list with Flink's types.
	post := g.Nodes[3]
	want := "window_start TIMESTAMP(3), window_end TIMESTAMP(3), campaign_id STRING, views BIGINT, clicks BIGINT, ctr DOUBLE, max_kafka_ts TIMESTAMP_LTZ(3)"
	if got := schemaOf(post.Schema); got != want {
		t.Errorf("post-aggregate schema\n got %s\nwant %s", got, want)
	}
	// COUNT is BIGINT NOT NULL.
	if !post.Schema[3].Type.NotNull || post.Schema[3].Type.Kind != types.BigInt {
		t.Errorf("views type %s", post.Schema[3].Type)
	}
	aggNode, agg := findOp[*WindowAggOp](g)
	if agg.Window.Kind != sql.Tumble || agg.Window.Size != 10000 {
		t.Errorf("window %+v", agg.Window)
	}
	pre := aggNode.Inputs[0]
	if pre.Schema[agg.Window.TimeCol].Name != "ts" || !pre.Schema[agg.Window.TimeCol].Type.Rowtime || pre.Rowtime != agg.Window.TimeCol {
		t.Errorf("time column %d of %v", agg.Window.TimeCol, pre.Schema)
	}
	if len(agg.GroupKeys) != 1 || pre.Schema[agg.GroupKeys[0]].Name != "campaign_id" {
		t.Errorf("group keys %v", agg.GroupKeys)
	}
	if len(agg.Aggs) != 3 {
		t.Fatalf("aggs %+v", agg.Aggs)
	}
	for i, a := range agg.Aggs[:2] {
		if a.Func != "COUNT" || a.Arg != -1 || a.Filter < 0 || pre.Schema[a.Filter].Type.Kind != types.Boolean {
			t.Errorf("agg %d: %+v", i, a)
		}
	}
	if a := agg.Aggs[2]; a.Func != "MAX" || pre.Schema[a.Arg].Name != "kafka_ts" || a.T.Kind != types.TimestampLTZ {
		t.Errorf("MAX agg %+v", a)
	}
	// WindowAggregate output layout: keys, aggs, window_start, window_end, window_time (rowtime).
	if got := aggNode.Schema[4].Name + "," + aggNode.Schema[5].Name + "," + aggNode.Schema[6].Name; got != "window_start,window_end,window_time" {
		t.Errorf("window columns %s", got)
	}
	if aggNode.Rowtime != 6 || !aggNode.Schema[6].Type.Rowtime {
		t.Errorf("window_time rowtime: %d", aggNode.Rowtime)
	}
	// Projection pushdown: only what the query and the watermark need.
	src := g.Nodes[0].Op.(*SourceOp)
	var read []string
	for _, i := range src.ReadColumns {
		read = append(read, src.Table.Columns[i].Name)
	}
	if got := strings.Join(read, ","); got != "event_type,event_time,campaign_id,ts,kafka_ts" {
		t.Errorf("ReadColumns %s", got)
	}
	if got := schemaOf(g.Nodes[0].Schema); got != "event_type STRING, event_time BIGINT, campaign_id STRING, ts TIMESTAMP_LTZ(3), kafka_ts TIMESTAMP_LTZ(3)" {
		t.Errorf("source schema %s", got)
	}
	if g.Nodes[0].Rowtime != 3 {
		t.Errorf("source rowtime %d", g.Nodes[0].Rowtime)
	}
	// Pre-aggregation Calc reads the pruned source correctly.
	for _, e := range pre.Op.(*CalcOp).Projections {
		walkExpr(e, func(x Expr) {
			if r, ok := x.(*ColRef); ok && g.Nodes[0].Schema[r.Index].Name != r.Name {
				t.Errorf("ColRef %d named %s reads %s", r.Index, r.Name, g.Nodes[0].Schema[r.Index].Name)
			}
		})
	}
	sink := g.Nodes[4].Op.(*SinkOp)
	if len(sink.Columns) != 7 || sink.Columns[6] != 6 {
		t.Errorf("sink columns %v", sink.Columns)
	}
	// The computed ts and watermark are typed.
	if src.WatermarkColumn != 8 || src.Watermark.String() != "-(ts, 1000:INTERVAL SECOND)" {
		t.Errorf("watermark %d %s", src.WatermarkColumn, src.Watermark)
	}
	if c := src.Computed[8]; c == nil || c.Type().Kind != types.TimestampLTZ {
		t.Errorf("computed ts %v", c)
	}
}

func TestLegacyGroupWindowSameShape(t *testing.T) {
	tvf := mustPlan(t, ddl+`INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, COUNT(*) FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;`)
	legacy := mustPlan(t, ddl+`INSERT INTO out_counts
SELECT TUMBLE_START(ts, INTERVAL '10' SECOND), TUMBLE_END(ts, INTERVAL '10' SECOND), campaign_id, COUNT(*)
FROM ad_events GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), campaign_id;`)
	if a, b := shape(tvf.Graph), shape(legacy.Graph); a != b || a != "TableSourceScan -> Calc -> WindowAggregate -> Calc -> Sink" {
		t.Fatalf("TVF %q vs legacy %q", a, b)
	}
	_, a := findOp[*WindowAggOp](tvf.Graph)
	_, b := findOp[*WindowAggOp](legacy.Graph)
	if a.Window.Kind != b.Window.Kind || a.Window.Size != b.Window.Size || len(a.GroupKeys) != len(b.GroupKeys) {
		t.Errorf("windows differ: %+v vs %+v", a, b)
	}
	sa, sb := tvf.Graph.Nodes[3].Schema, legacy.Graph.Nodes[3].Schema
	for i := range sa {
		if sa[i].Type.String() != sb[i].Type.String() {
			t.Errorf("column %d: TVF %s, legacy %s", i, sa[i].Type, sb[i].Type)
		}
	}
	// legacy HOP: slide then size.
	hop := mustPlan(t, ddl+`INSERT INTO out_counts
SELECT HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '1' MINUTE), HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '1' MINUTE), campaign_id, COUNT(*)
FROM ad_events GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '1' MINUTE), campaign_id;`)
	_, h := findOp[*WindowAggOp](hop.Graph)
	if h.Window.Kind != sql.Hop || h.Window.Slide != 5000 || h.Window.Size != 60000 {
		t.Errorf("legacy HOP spec %+v", h.Window)
	}
}

func TestWindowSpecs(t *testing.T) {
	cases := []struct {
		from string
		want WindowSpec
		text string
	}{
		{"TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' SECOND)", WindowSpec{Kind: sql.Tumble, Size: 60000, Offset: 5000}, "TUMBLE(time_col=[ts], size=[1 min], offset=[5 s])"},
		{"HOP(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)", WindowSpec{Kind: sql.Hop, Size: 10000, Slide: 5000}, "HOP(time_col=[ts], size=[10 s], slide=[5 s])"},
		{"CUMULATE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' MINUTE, INTERVAL '1' HOUR)", WindowSpec{Kind: sql.Cumulate, Size: 3600000, Step: 600000}, "CUMULATE(time_col=[ts], max_size=[1 h], step=[10 min])"},
		{"SESSION(TABLE ad_events PARTITION BY campaign_id, DESCRIPTOR(ts), INTERVAL '30' SECOND)", WindowSpec{Kind: sql.Session, Gap: 30000}, "SESSION(time_col=[ts], gap=[30 s], partition keys=[campaign_id])"},
	}
	for _, c := range cases {
		j := mustPlan(t, ddl+"INSERT INTO out_counts SELECT window_start, window_end, campaign_id, COUNT(*) FROM TABLE("+c.from+") GROUP BY window_start, window_end, campaign_id;")
		n, agg := findOp[*WindowAggOp](j.Graph)
		w := agg.Window
		if w.Kind != c.want.Kind || w.Size != c.want.Size || w.Slide != c.want.Slide || w.Step != c.want.Step || w.Gap != c.want.Gap || w.Offset != c.want.Offset {
			t.Errorf("%s: spec %+v, want %+v", c.from, w, c.want)
		}
		if got := windowSpecText(w, n.Inputs[0].Schema); got != c.text {
			t.Errorf("%s: text %s, want %s", c.from, got, c.text)
		}
		if c.want.Kind == sql.Session && (len(w.PartitionKeys) != 1 || n.Inputs[0].Schema[w.PartitionKeys[0]].Name != "campaign_id") {
			t.Errorf("session partition keys %v", w.PartitionKeys)
		}
	}
}

func TestCascadingWindows(t *testing.T) {
	j := mustPlan(t, ddl+`CREATE VIEW w1 AS
SELECT window_start, window_end, window_time, campaign_id, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, window_time, campaign_id;
INSERT INTO out_counts
SELECT window_start, window_end, campaign_id, SUM(n)
FROM TABLE(TUMBLE(TABLE w1, DESCRIPTOR(window_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, campaign_id;`)
	var aggs []*WindowAggOp
	for _, n := range j.Graph.Nodes {
		if a, ok := n.Op.(*WindowAggOp); ok {
			aggs = append(aggs, a)
		}
	}
	if len(aggs) != 2 || aggs[0].Window.Size != 10000 || aggs[1].Window.Size != 60000 {
		t.Fatalf("cascaded windows: %v", aggs)
	}
	if aggs[1].Aggs[0].T.Kind != types.BigInt {
		t.Errorf("SUM(BIGINT) type %s", aggs[1].Aggs[0].T)
	}
}

func TestWindowTVFWithoutAggregation(t *testing.T) {
	j := mustPlan(t, ddl+"SELECT campaign_id, window_start, window_end FROM TABLE(HOP(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) WHERE qty > 1;")
	if !j.Stdout {
		t.Error("bare SELECT should go to stdout")
	}
	// The Calc under the TVF is projection pushdown: only what the select
	// list, the filter and the window need.
	if got := shape(j.Graph); got != "TableSourceScan -> Calc -> WindowTableFunction -> Calc -> Sink" {
		t.Fatalf("shape %s", got)
	}
	tn, tvf := findOp[*WindowTVFOp](j.Graph)
	if got, want := schemaOf(tn.Inputs[0].Schema), "campaign_id STRING, qty INT, ts TIMESTAMP_LTZ(3)"; got != want {
		t.Errorf("TVF input %s, want %s", got, want)
	}
	if tvf.Window.TimeCol != 2 || tn.Inputs[0].Rowtime != 2 {
		t.Errorf("TVF time column %d, input rowtime %d; want 2", tvf.Window.TimeCol, tn.Inputs[0].Rowtime)
	}
	if got, want := strings.Join(sourceColumns(j.Graph), ","), "event_time,campaign_id,qty,ts"; got != want {
		t.Errorf("source reads %s, want %s", got, want)
	}
	_, sink := findOp[*SinkOp](j.Graph)
	if sink.Table.Connector != "print" {
		t.Errorf("implicit sink connector %q", sink.Table.Connector)
	}
	n, _ := findOp[*WindowTVFOp](j.Graph)
	if n.Rowtime != len(n.Schema)-1 || n.Schema[n.Rowtime].Name != "window_time" {
		t.Errorf("TVF rowtime %d of %v", n.Rowtime, n.Schema)
	}
}

func TestSparkStyleWindowJoin(t *testing.T) {
	j := planFile(t, "../queries/ctr_spark_style.sql")
	n, join := findOp[*WindowJoinOp](j.Graph)
	if n == nil {
		t.Fatal("no WindowJoin")
	}
	if join.Type != JoinFull {
		t.Errorf("join type %v", join.Type)
	}
	l, r := n.Inputs[0].Schema, n.Inputs[1].Schema
	if len(join.LeftKeys) != 1 || l[join.LeftKeys[0]].Name != "campaign_id" || r[join.RightKeys[0]].Name != "campaign_id" || join.NullSafe[0] {
		t.Errorf("keys %v %v %v", join.LeftKeys, join.RightKeys, join.NullSafe)
	}
	if l[join.LeftWindowStart].Name != "window_start" || l[join.LeftWindowEnd].Name != "window_end" ||
		r[join.RightWindowStart].Name != "window_start" || r[join.RightWindowEnd].Name != "window_end" {
		t.Errorf("window columns %d %d %d %d", join.LeftWindowStart, join.LeftWindowEnd, join.RightWindowStart, join.RightWindowEnd)
	}
	if join.Condition != nil {
		t.Errorf("residual %s", join.Condition)
	}
	var aggs int
	for _, x := range j.Graph.Nodes {
		if _, ok := x.Op.(*WindowAggOp); ok {
			aggs++
		}
	}
	if aggs != 2 {
		t.Errorf("%d window aggregates, want 2", aggs)
	}
	// Full outer join: every output column nullable.
	for _, c := range n.Schema {
		if c.Type.NotNull {
			t.Errorf("column %s should be nullable after FULL JOIN", c.Name)
		}
	}
	// null-safe keys and residual conditions.
	j2 := mustPlan(t, ddl+`SELECT a.campaign_id, a.n, b.m FROM
(SELECT window_start, window_end, campaign_id, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, campaign_id) a
LEFT JOIN
(SELECT window_start, window_end, campaign_id, COUNT(*) AS m FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(cts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, campaign_id) b
ON a.window_start = b.window_start AND a.window_end = b.window_end AND a.campaign_id IS NOT DISTINCT FROM b.campaign_id AND a.n > b.m;`)
	_, join2 := findOp[*WindowJoinOp](j2.Graph)
	if join2.Type != JoinLeft || len(join2.NullSafe) != 1 || !join2.NullSafe[0] || join2.Condition == nil || join2.Condition.String() != ">(n, m)" {
		t.Errorf("join %+v cond %v", join2, join2.Condition)
	}
}

func TestTypes(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"1", "INT NOT NULL"},
		{"3000000000", "BIGINT NOT NULL"},
		{"1.5", "DECIMAL(2, 1) NOT NULL"},
		{"0.25", "DECIMAL(2, 2) NOT NULL"},
		{"1.5e0", "DOUBLE NOT NULL"},
		{"'abc'", "STRING NOT NULL"},
		{"qty + 1", "INT"},
		{"qty + event_time", "BIGINT"},
		{"qty / 2", "INT"},
		{"event_time / qty", "BIGINT"},
		{"price + price", "DECIMAL(11, 2)"},                          // s=2, p=max(8,8)+2+1
		{"price * price", "DECIMAL(20, 4)"},                          // p=10+10, s=2+2
		{"price / price", "DECIMAL(23, 13)"},                         // s=max(6,2+10+1)=13, p=10-2+2+13
		{"price + qty", "DECIMAL(13, 2)"},                            // INT as DECIMAL(10,0): p=max(8,10)+2+1
		{"price * 1.5e0", "DOUBLE"},                                  // DECIMAL op DOUBLE
		{"CAST(price AS DECIMAL(38, 10)) * price", "DECIMAL(38, 6)"}, // p=48,s=12 -> 38, max(38-36, min(12,6))
		{"ts - INTERVAL '1' SECOND", "TIMESTAMP_LTZ(3)"},
		{"CASE WHEN qty > 1 THEN qty ELSE event_time END", "BIGINT"},
		{"CASE WHEN qty > 1 THEN 1 END", "INT"},
		{"COALESCE(qty, 0)", "INT NOT NULL"},
		{"IF(qty > 1, 1.5, 2)", "DECIMAL(11, 1) NOT NULL"},
		{"NULLIF(qty, 0)", "INT"},
		{"user_id || 'x'", "STRING"},
		{"CHAR_LENGTH(user_id)", "INT"},
		{"UPPER(user_id)", "STRING"},
		{"SUBSTR(user_id, 1, 2)", "STRING"},
		{"TO_TIMESTAMP('2026-01-01 00:00:00')", "TIMESTAMP(3)"},
		{"DATE_FORMAT(ts, 'yyyy')", "STRING"},
		{"UNIX_TIMESTAMP()", "BIGINT"},
		{"FROM_UNIXTIME(event_time)", "STRING"},
		{"FLOOR(ts TO HOUR)", "TIMESTAMP_LTZ(3)"},
		{"EXTRACT(HOUR FROM ts)", "BIGINT"},
		{"CURRENT_WATERMARK(ts)", "TIMESTAMP_LTZ(3)"},
		{"MOD(qty, 3)", "INT"},
		{"POWER(qty, 2)", "DOUBLE"},
		{"ABS(price)", "DECIMAL(10, 2)"},
		{"qty IN (1, 2, 3)", "BOOLEAN"},
		{"qty BETWEEN 1 AND 3", "BOOLEAN"},
		{"user_id LIKE 'a%'", "BOOLEAN"},
		{"user_id IS NULL", "BOOLEAN NOT NULL"},
		{"(qty > 1) IS TRUE", "BOOLEAN NOT NULL"},
		{"qty IS NOT DISTINCT FROM 2", "BOOLEAN NOT NULL"},
		{"TRY_CAST(user_id AS INT)", "INT"},
		{"TRIM(LEADING 'x' FROM user_id)", "STRING"},
		{"TRIM(user_id)", "STRING"},
	}
	for _, c := range cases {
		j, err := planText(t, ddl+"SELECT "+c.expr+" AS x FROM ad_events;")
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		_, sink := findOp[*SinkOp](j.Graph)
		n, _ := findOp[*SinkOp](j.Graph)
		got := n.Inputs[0].Schema[0].Type.WithoutRowtime().String()
		_ = sink
		if got != c.want {
			t.Errorf("%s: type %s, want %s", c.expr, got, c.want)
		}
	}
}

func TestAggregateTypes(t *testing.T) {
	cases := []struct{ agg, want string }{
		{"COUNT(*)", "BIGINT NOT NULL"},
		{"COUNT(user_id)", "BIGINT NOT NULL"},
		{"SUM(qty)", "INT"},
		{"SUM(event_time)", "BIGINT"},
		{"SUM(price)", "DECIMAL(38, 2)"},
		{"SUM(1.5e0)", "DOUBLE"},
		{"AVG(qty)", "INT"},
		{"AVG(price)", "DECIMAL(38, 6)"},
		{"AVG(CAST(qty AS DOUBLE))", "DOUBLE"},
		{"MIN(user_id)", "STRING"},
		{"MAX(kafka_ts)", "TIMESTAMP_LTZ(3)"},
	}
	for _, c := range cases {
		j, err := planText(t, ddl+"SELECT "+c.agg+" AS x FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;")
		if err != nil {
			t.Errorf("%s: %v", c.agg, err)
			continue
		}
		_, agg := findOp[*WindowAggOp](j.Graph)
		if got := agg.Aggs[0].T.String(); got != c.want {
			t.Errorf("%s: %s, want %s", c.agg, got, c.want)
		}
	}
}

func TestErrors(t *testing.T) {
	q := strings.Count(ddl, "\n") + 1 // line of the query
	cases := []struct {
		name, query string
		line, col   int
		want        string
	}{
		{"unknown column", "SELECT campain_id FROM ad_events;", q, 8, `unknown column "campain_id" (did you mean "campaign_id"?)`},
		{"unknown column list", "SELECT zzzzzz FROM ad_events;", q, 8, `(available columns: user_id, event_type`},
		{"qualified", "SELECT e.campaign_id, e.usr_id FROM ad_events e;", q, 23, `unknown column "e.usr_id" (did you mean "user_id"?)`},
		{"unknown table", "SELECT * FROM ad_event;", q, 15, `unknown table "ad_event" (did you mean "ad_events"?)`},
		{"unknown function", "SELECT COUNTT(user_id) FROM ad_events;", q, 8, `unknown function "COUNTT" (did you mean "COUNT"?)`},
		{"unknown function 2", "SELECT UPPPER(user_id) FROM ad_events;", q, 8, `(did you mean "UPPER"?)`},
		{"compare types", "SELECT * FROM ad_events WHERE qty = 'x';", q, 31, "cannot compare INT with STRING"},
		{"arith types", "SELECT user_id + 1 FROM ad_events;", q, 8, "cannot apply '+' to arguments of type STRING and INT"},
		{"function arg", "SELECT UPPER(qty) FROM ad_events;", q, 14, "argument 1 must be a string, not INT"},
		{"arity", "SELECT UPPER(user_id, user_id) FROM ad_events;", q, 8, "function UPPER takes 1 arguments, got 2"},
		{"group agg into a file", "CREATE TABLE fs_out (a STRING, b BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o', 'format' = 'json'); INSERT INTO fs_out SELECT user_id, COUNT(*) FROM ad_events GROUP BY user_id;", q, 110, "Table sink 'fs_out' (connector 'filesystem') doesn't support consuming update changes which is produced by node GroupAggregate(groupBy=[user_id], select=[user_id, COUNT(*) AS $a0]) (at test.sql:" + strconv.Itoa(q) + ":178)"},
		{"distinct into kafka", "CREATE TABLE k_out (a STRING) WITH ('connector' = 'kafka', 'topic' = 'o', 'format' = 'json'); INSERT INTO k_out SELECT DISTINCT user_id FROM ad_events;", q, 0, "Table sink 'k_out' (connector 'kafka') doesn't support consuming update changes which is produced by node GroupAggregate(groupBy=[user_id], select=[user_id])"},
		{"missing window_end", "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start;", q, 113, "missing: window_end"},
		{"not grouped", "SELECT window_start, window_end, user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;", q, 34, `column "user_id" is not grouped`},
		{"hop multiple", "SELECT * FROM TABLE(HOP(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '3' SECOND, INTERVAL '10' SECOND));", q, 15, "HOP table function based aggregate requires size must be an integral multiple of slide, but got size 10000 ms and slide 3000 ms"},
		{"cumulate multiple", "SELECT window_start, window_end, COUNT(*) FROM TABLE(CUMULATE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;", q, 48, "CUMULATE table function based aggregate requires maxSize must be an integral multiple of step"},
		{"negative size", "SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '-1' SECOND));", q, 0, "must be a positive interval"},
		{"descriptor not rowtime", "SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(kafka_ts), INTERVAL '1' SECOND));", q, 56, `requires the time column "kafka_ts" to be a time attribute`},
		{"descriptor unknown", "SELECT * FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(tss), INTERVAL '1' SECOND));", q, 56, `unknown column "tss" (did you mean "ts"?)`},
		{"session tvf alone", "SELECT * FROM TABLE(SESSION(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '1' SECOND));", q, 15, "not supported yet"},
		{"join without equality", "SELECT * FROM ad_events a JOIN clicks c ON a.campaign_id <> c.campaign_id;", q, 0, "a regular INNER JOIN without an equality between a left and a right column (a cross join) is not supported"},
		{"order by", "SELECT user_id FROM ad_events ORDER BY user_id;", q, 40, "ORDER BY is not supported"},
		{"limit", "SELECT user_id FROM ad_events LIMIT 10;", q, 37, "LIMIT is not supported"},
		{"union distinct", "SELECT user_id FROM ad_events UNION SELECT campaign_id FROM clicks;", q, 0, "UNION (without ALL) is not supported"},
		{"insert count", "INSERT INTO out_any SELECT user_id FROM ad_events;", q, 0, "the query has 1 columns but the sink takes 2"},
		{"insert type", "INSERT INTO out_any SELECT qty, event_time FROM ad_events;", q, 28, `column "a" (position 1) has type INT in the query but STRING in the sink`},
		{"insert unknown table", "INSERT INTO out_anyy SELECT user_id, qty FROM ad_events;", q, 13, `unknown table "out_anyy" (did you mean "out_any"?)`},
		{"window join different specs", `SELECT * FROM
(SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end) a
JOIN (SELECT window_start, window_end, COUNT(*) AS m FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(cts), INTERVAL '20' SECOND)) GROUP BY window_start, window_end) b
ON a.window_start = b.window_start AND a.window_end = b.window_end;`, 0, 0, "same window"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planText(t, ddl+c.query)
			if err == nil {
				t.Fatalf("no error")
			}
			se := asSQLError(t, err)
			if !strings.Contains(se.Msg, c.want) {
				t.Errorf("message %q\n does not contain %q", se.Msg, c.want)
			}
			if c.line > 0 && se.Pos.Line != c.line {
				t.Errorf("line %d, want %d (%v)", se.Pos.Line, c.line, se)
			}
			if c.col > 0 && se.Pos.Col != c.col {
				t.Errorf("col %d, want %d (%v)", se.Pos.Col, c.col, se)
			}
		})
	}
}

func TestDDLErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		want      string
	}{
		{"no connector", "CREATE TABLE t (a INT) WITH ('format' = 'json');", 1, 30, "has no 'connector' option"},
		{"duplicate", "CREATE TABLE t (a INT) WITH ('connector' = 'x');\nCREATE TABLE t (a INT) WITH ('connector' = 'x');", 2, 1, `table or view "t" already exists`},
		{"watermark type", "CREATE TABLE t (a BIGINT,\n WATERMARK FOR a AS a) WITH ('connector' = 'x');", 2, 2, "the time field type of \"a\" is BIGINT"},
		{"watermark column", "CREATE TABLE t (ts TIMESTAMP(3),\n WATERMARK FOR tss AS tss) WITH ('connector' = 'x');", 2, 2, `the rowtime attribute field "tss" is not defined in the table schema (did you mean "ts"?)`},
		{"computed unknown", "CREATE TABLE t (a BIGINT, b AS a + c) WITH ('connector' = 'x');", 1, 36, `unknown column "c"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := planText(t, c.src)
			if err == nil {
				t.Fatal("no error")
			}
			se := asSQLError(t, err)
			if !strings.Contains(se.Msg, c.want) || se.Pos.Line != c.line || se.Pos.Col != c.col {
				t.Errorf("got %v\nwant %d:%d ... %s", se, c.line, c.col, c.want)
			}
		})
	}
	// IF NOT EXISTS keeps the first definition.
	j := mustPlan(t, "CREATE TABLE t (a INT) WITH ('connector' = 'x');\nCREATE TABLE IF NOT EXISTS t (b INT) WITH ('connector' = 'y');")
	if tb, _ := j.Catalog.Table("t"); tb.Connector != "x" || tb.Columns[0].Name != "a" {
		t.Errorf("IF NOT EXISTS replaced the table: %+v", tb)
	}
}

func TestInsertImplicitCastAndColumns(t *testing.T) {
	j := mustPlan(t, ddl+"INSERT INTO out_any SELECT user_id, qty FROM ad_events;")
	n, _ := findOp[*SinkOp](j.Graph)
	calc := n.Inputs[0].Op.(*CalcOp)
	if got := calc.Projections[1].String(); got != "CAST(qty AS BIGINT)" {
		t.Errorf("implicit cast %s", got)
	}
	j = mustPlan(t, ddl+"INSERT INTO out_any (b, a) SELECT event_time, user_id FROM ad_events;")
	_, sink := findOp[*SinkOp](j.Graph)
	if len(sink.Columns) != 2 || sink.Columns[0] != 1 || sink.Columns[1] != 0 {
		t.Errorf("column list mapping %v", sink.Columns)
	}
}

func TestStatementSetOneGraphAndUnion(t *testing.T) {
	j := mustPlan(t, ddl+`EXECUTE STATEMENT SET BEGIN
INSERT INTO out_any SELECT user_id, event_time FROM ad_events;
INSERT INTO out_any SELECT campaign_id, CAST(1 AS BIGINT) FROM clicks UNION ALL SELECT campaign_id, event_time FROM ad_events;
END;`)
	var sinks, unions int
	for _, n := range j.Graph.Nodes {
		switch n.Op.(type) {
		case *SinkOp:
			sinks++
		case *UnionOp:
			unions++
		}
	}
	if sinks != 2 || unions != 1 || j.Stdout {
		t.Errorf("sinks %d unions %d stdout %v", sinks, unions, j.Stdout)
	}
	for _, n := range j.Graph.Nodes {
		for _, in := range n.Inputs {
			if in.ID >= n.ID {
				t.Errorf("node %d reads %d: not topological", n.ID, in.ID)
			}
		}
	}
}

func TestPlainProjectionPushdownAndRowtime(t *testing.T) {
	j := mustPlan(t, ddl+"SELECT ts, user_id FROM ad_events WHERE qty > 2;")
	src := j.Graph.Nodes[0].Op.(*SourceOp)
	var names []string
	for _, i := range src.ReadColumns {
		names = append(names, src.Table.Columns[i].Name)
	}
	// user_id and qty are read; ts is computed from event_time and is the rowtime.
	if got := strings.Join(names, ","); got != "user_id,event_time,qty,ts" {
		t.Errorf("ReadColumns %s", got)
	}
	calc := j.Graph.Nodes[1]
	if calc.Rowtime != 0 {
		t.Errorf("rowtime through Calc: %d", calc.Rowtime)
	}
	j = mustPlan(t, ddl+"SELECT ts + INTERVAL '1' SECOND AS t2 FROM ad_events;")
	if n := j.Graph.Nodes[1]; n.Rowtime != -1 || n.Schema[0].Type.Rowtime {
		t.Errorf("rowtime should be lost through arithmetic: %d %s", n.Rowtime, n.Schema[0].Type)
	}
}

func TestSettings(t *testing.T) {
	j := mustPlan(t, ddl+"SET 'a' = '1';\nSET 'b' = '2';\nRESET 'a';\nINSERT INTO out_any SELECT user_id, event_time FROM ad_events;")
	if len(j.Settings) != 3 || !j.Settings[2].Reset || j.Settings[2].Key != "a" {
		t.Errorf("settings %+v", j.Settings)
	}
	if _, ok := j.Graph.Settings["a"]; ok || j.Graph.Settings["b"] != "2" {
		t.Errorf("graph settings %v", j.Graph.Settings)
	}
}

func TestTrimForm(t *testing.T) {
	j := mustPlan(t, ddl+"SELECT TRIM(LEADING 'x' FROM user_id) AS x FROM ad_events;")
	n, _ := findOp[*SinkOp](j.Graph)
	c := n.Inputs[0].Op.(*CalcOp).Projections[0].(*Call)
	if c.Func != "TRIM" || c.Unit != "LEADING" || len(c.Args) != 2 || c.Args[0].String() != "user_id" || c.Args[1].String() != "'x'" {
		t.Errorf("TRIM bound as %s (unit %q)", c, c.Unit)
	}
}
