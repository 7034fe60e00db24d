package sql

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/sql/types"
)

func mustExpr(t *testing.T, src string) Expr {
	t.Helper()
	e, err := ParseExpr("e.sql", src)
	if err != nil {
		t.Fatalf("ParseExpr(%q): %v", src, err)
	}
	return e
}

func TestExpressions(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a + 1 * 2", "(+ a (* 1 2))"},
		// subscripts and field access (the planner's ITEM and FIELD)
		{"arr[1]", "$ITEM(arr, 1)"},
		{"-m['k'] + arr[i + 1][2]", "(+ (- $ITEM(m, 'k')) $ITEM($ITEM(arr, (+ i 1)), 2))"},
		{"t.r.f", "$FIELD(t.r, 'f')"},
		{"t.r.f.g", "$FIELD($FIELD(t.r, 'f'), 'g')"},
		{"f(x).a.b", "$FIELD($FIELD(F(x), 'a'), 'b')"},
		{"ARRAY[1, 2][1]", "$ITEM(ARRAY(1, 2), 1)"},
		{"arr[1].f", "$FIELD($ITEM(arr, 1), 'f')"},
		{"(a + b)[1]", "$ITEM((+ a b), 1)"},
		{"ROW(1, 'a')", "ROW(1, 'a')"},
		{"ROW(a)", "ROW(a)"},
		{"t.a || 'x' || b", "(|| (|| t.a 'x') b)"},
		{"'it''s'", "'it's'"},
		{"`my col` = 1.5", "(= my col dec:1.5)"},
		{"x >= 1.5e3 AND y <> -2", "(AND (>= x dbl:1.5e3) (<> y (- 2)))"},
		{"NOT a OR b IS NULL", "(OR (NOT a) (IS NULL b))"},
		{"a IS NOT NULL AND b IS TRUE AND c IS NOT FALSE", "(AND (AND (IS NOT NULL a) (IS TRUE b)) (IS NOT FALSE c))"},
		{"NULL", "NULL"},
		{"TRUE", "true"},
		{"12345678901234567890", "dec:12345678901234567890"},
		{"ts - INTERVAL '1' SECOND", "(- ts INTERVAL '1' SECOND)"},
		{"INTERVAL '10' MINUTES", "INTERVAL '10' MINUTE"},
		{"INTERVAL '1 02:03:04' DAY TO SECOND", "INTERVAL '1 02:03:04' DAY TO SECOND"},
		{"INTERVAL '2-1' YEAR TO MONTH", "INTERVAL '2-1' YEAR TO MONTH"},
		{"TUMBLE_START(ts, INTERVAL '10' SECOND)", "TUMBLE_START(ts, INTERVAL '10' SECOND)"},
		{"CAST(a AS STRING)", "CAST(a AS STRING)"},
		{"CAST(a AS BIGINT)", "CAST(a AS BIGINT)"},
		{"TRY_CAST(a AS INT)", "TRY_CAST(a AS INT)"},
		{"CAST(a AS DECIMAL(10, 2))", "CAST(a AS DECIMAL(10, 2))"},
		{"CAST(a AS DECIMAL)", "CAST(a AS DECIMAL(10, 0))"},
		{"CAST(a AS TIMESTAMP(3))", "CAST(a AS TIMESTAMP(3))"},
		{"CAST(a AS TIMESTAMP)", "CAST(a AS TIMESTAMP(6))"},
		{"CAST(a AS TIMESTAMP(3) WITH LOCAL TIME ZONE)", "CAST(a AS TIMESTAMP_LTZ(3))"},
		{"CAST(a AS VARCHAR(20))", "CAST(a AS VARCHAR(20))"},
		{"CAST(CAST(a AS INT) + 1 AS DOUBLE)", "CAST((+ CAST(a AS INT) 1) AS DOUBLE)"},
		{"CAST(a AS ARRAY<INT NOT NULL>)", "CAST(a AS ARRAY<INT NOT NULL>)"},
		{"COUNT(*) FILTER (WHERE k = 'view')", "COUNT(*) FILTER (= k 'view')"},
		{"SUM(DISTINCT x) FILTER (WHERE x > 0)", "SUM(DISTINCT x) FILTER (> x 0)"},
		{"COALESCE(a, b, 'z')", "COALESCE(a, b, 'z')"},
		{"lower(a)", "LOWER(a)"},
		{"concat(a, b)", "CONCAT(a, b)"},
		{"SUBSTRING(s, 1, 3)", "SUBSTRING(s, 1, 3)"},
		{"SUBSTRING(s FROM 1 FOR 3)", "SUBSTRING(s, 1, 3)"},
		{"TRIM(BOTH ' ' FROM s)", "TRIM('BOTH', ' ', s)"},
		{"TRIM(LEADING 'x' FROM s)", "TRIM('LEADING', 'x', s)"},
		{"TRIM(s)", "TRIM('BOTH', ' ', s)"},
		{"DATE_FORMAT(ts, 'yyyy-MM-dd')", "DATE_FORMAT(ts, 'yyyy-MM-dd')"},
		{"CURRENT_WATERMARK(ts)", "CURRENT_WATERMARK(ts)"},
		{"TIMESTAMP '2026-01-01 00:00:00'", "TIMESTAMP '2026-01-01 00:00:00'"},
		{"DATE '2026-01-01'", "DATE '2026-01-01'"},
		{"FLOOR(ts TO HOUR)", "FLOOR[HOUR](ts)"},
		{"CEIL(ts TO DAY)", "CEIL[DAY](ts)"},
		{"FLOOR(x)", "FLOOR(x)"},
		{"EXTRACT(HOUR FROM ts)", "EXTRACT[HOUR](ts)"},
		{"a IS DISTINCT FROM b", "(IS DISTINCT FROM a b)"},
		{"a IS NOT DISTINCT FROM b + 1", "(IS NOT DISTINCT FROM a (+ b 1))"},
		{"CASE WHEN a > 1 THEN 'x' ELSE 'y' END", "CASE WHEN (> a 1) THEN 'x' ELSE 'y' END"},
		{"CASE a WHEN 1 THEN 'x' END", "CASE a WHEN 1 THEN 'x' END"},
		{"x IN (1, 2)", "(IN x [1, 2])"},
		{"x NOT IN (SELECT y FROM t)", "(NOT IN x [SELECT y FROM t])"},
		{"EXISTS (SELECT 1 FROM t WHERE t.a = b)", "(EXISTS SELECT 1 FROM t WHERE (= t.a b))"},
		{"(SELECT MAX(a) FROM t)", "(SELECT MAX(a) FROM t)"},
		{"x BETWEEN 1 AND 10", "(BETWEEN x 1 10)"},
		{"s NOT LIKE 'a%'", "(NOT LIKE s 'a%')"},
		{"s LIKE 'a!%' ESCAPE '!'", "(LIKE s 'a!%' ESCAPE '!')"},
		{"SESSION_START(ts, INTERVAL '5' MINUTE)", "SESSION_START(ts, INTERVAL '5' MINUTE)"},
		{"SESSION(ts, INTERVAL '5' MINUTE)", "SESSION(ts, INTERVAL '5' MINUTE)"},
		{"FIRST_VALUE(a)", "FIRST_VALUE(a)"},
		{"TIMESTAMPDIFF(SECOND, a, b)", "TIMESTAMPDIFF(TIMESTAMPDIFF[SECOND](), a, b)"},
		{"MOD(a, 2)", "(% a 2)"},
		{"'C:\\new'", "'C:\\new'"},
		{"a /* x */ + -- y\n b", "(+ a b)"},
	}
	for _, c := range cases {
		e, err := ParseExpr("e.sql", c.in)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", c.in, err)
			continue
		}
		if got := show(e); got != c.want {
			t.Errorf("ParseExpr(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestExprPositions(t *testing.T) {
	e := mustExpr(t, "a +\n  CAST(b AS INT) * COUNT(*) FILTER (WHERE c = 1)")
	bin := e.(*Binary)
	if p := bin.L.Position(); p.Line != 1 || p.Col != 1 {
		t.Errorf("a at %v", p)
	}
	mul := bin.R.(*Binary)
	if p := mul.L.Position(); p.Line != 2 || p.Col != 3 {
		t.Errorf("CAST at %v, want 2:3", p)
	}
	if p := mul.L.(*Cast).X.Position(); p.Line != 2 || p.Col != 8 {
		t.Errorf("b at %v, want 2:8", p)
	}
	call := mul.R.(*Call)
	if p := call.Position(); p.Line != 2 || p.Col != 20 {
		t.Errorf("COUNT at %v, want 2:20", p)
	}
	if p := call.Filter.(*Binary).L.Position(); p.Line != 2 || p.Col != 43 {
		t.Errorf("c at %v, want 2:43", p)
	}
}

func TestFoundingQuery(t *testing.T) {
	src, err := os.ReadFile("testdata/ctr.sql")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse("ctr.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Statements) != 4 {
		t.Fatalf("got %d statements, want 4", len(s.Statements))
	}
	ct := s.Statements[0].(*CreateTable)
	if ct.Name != "ad_events" || len(ct.Columns) != 10 {
		t.Fatalf("ad_events: name %q, %d columns", ct.Name, len(ct.Columns))
	}
	ts := ct.Columns[8]
	if ts.Name != "ts" || ts.Kind != ComputedColumn || show(ts.Expr) != "TO_TIMESTAMP_LTZ(event_time, 3)" {
		t.Errorf("ts column: %+v %s", ts, show(ts.Expr))
	}
	if ts.Pos.Line != 5 || ts.Pos.Col != 3 {
		t.Errorf("ts column at %v, want 5:3", ts.Pos)
	}
	k := ct.Columns[9]
	if k.Kind != MetadataColumn || k.MetadataKey != "timestamp" || !k.Virtual || k.Type.String() != "TIMESTAMP_LTZ(3)" {
		t.Errorf("kafka_ts column: %+v", k)
	}
	if ct.Columns[5].Type.Kind != types.BigInt || ct.Columns[0].Type.Kind != types.String {
		t.Errorf("types: %v %v", ct.Columns[5].Type, ct.Columns[0].Type)
	}
	if ct.Watermark == nil || ct.Watermark.Column != "ts" || show(ct.Watermark.Expr) != "(- ts INTERVAL '1' SECOND)" {
		t.Errorf("watermark: %+v", ct.Watermark)
	}
	wantOpts := [][2]string{{"connector", "kafka"}, {"topic", "ad-events-2"}, {"properties.bootstrap.servers", "127.0.0.1:9092"}, {"scan.startup.mode", "earliest-offset"}, {"format", "json"}}
	if len(ct.Options) != len(wantOpts) {
		t.Fatalf("options: %+v", ct.Options)
	}
	for i, o := range ct.Options {
		if o.Key != wantOpts[i][0] || o.Value != wantOpts[i][1] {
			t.Errorf("option %d = %q=%q, want %q=%q", i, o.Key, o.Value, wantOpts[i][0], wantOpts[i][1])
		}
	}
	if p := ct.Options[1].Pos; p.Line != 9 || p.Col != 26 {
		t.Errorf("'topic' at %v, want 9:26", p)
	}
	res := s.Statements[1].(*CreateTable)
	if res.Columns[0].Type.String() != types.TTimestamp3.String() || res.Columns[5].Type.Kind != types.Double || res.Columns[6].Type.String() != "TIMESTAMP_LTZ(3)" {
		t.Errorf("results types: %v", res.Columns)
	}
	set := s.Statements[2].(*Set)
	if set.Key != "pipeline.name" || set.Value != "ctr" {
		t.Errorf("set: %+v", set)
	}
	ins := s.Statements[3].(*Insert)
	if ins.Table != "results" || ins.Pos.Line != 18 {
		t.Errorf("insert: %+v", ins)
	}
	want := "SELECT window_start, window_end, campaign_id, " +
		"COUNT(*) FILTER (= event_type 'view') AS views, " +
		"COUNT(*) FILTER (= event_type 'click') AS clicks, " +
		"(/ CAST(COUNT(*) FILTER (= event_type 'click') AS DOUBLE) NULLIF(COUNT(*) FILTER (= event_type 'view'), 0)) AS ctr, " +
		"MAX(kafka_ts) AS max_kafka_ts " +
		"FROM TUMBLE(ad_events, ts, INTERVAL '10' SECOND) " +
		"GROUP BY window_start, window_end, campaign_id"
	if got := show(ins.Query); got != want {
		t.Errorf("query\n got %s\nwant %s", got, want)
	}
	sel := ins.Query.(*Select)
	if sel.Pos.Line != 19 || sel.Pos.Col != 1 {
		t.Errorf("SELECT at %v, want 19:1", sel.Pos)
	}
	w := sel.From.(*WindowTVF)
	if w.Pos.Line != 25 || w.Pos.Col != 6 || w.TimeColPos.Line != 25 || w.TimeColPos.Col != 47 {
		t.Errorf("TVF at %v, time col at %v", w.Pos, w.TimeColPos)
	}
	if p := w.Input.Position(); p.Line != 25 || p.Col != 25 {
		t.Errorf("TVF input at %v, want 25:25", p)
	}
	if p := sel.GroupBy[2].Position(); p.Line != 26 || p.Col != 36 {
		t.Errorf("group by campaign_id at %v, want 26:36", p)
	}
}

func parseOne(t *testing.T, src string) Statement {
	t.Helper()
	s, err := Parse("t.sql", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	if len(s.Statements) != 1 {
		t.Fatalf("Parse(%q): %d statements", src, len(s.Statements))
	}
	return s.Statements[0]
}

func TestQueries(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, campaign_id, COUNT(*) FROM ad_events GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), campaign_id",
			"SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, campaign_id, COUNT(*) FROM ad_events GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), campaign_id"},
		// grouping sets (Calcite's expansion order)
		{"SELECT a, GROUPING(a, b), GROUPING_ID(b), GROUP_ID() FROM t GROUP BY GROUPING SETS ((a, b), a, ())",
			"SELECT a, GROUPING(a, b), GROUPING_ID(b), GROUP_ID() FROM t GROUP BY a, b, a SETS [[0 1] [2] []]"},
		{"SELECT 1 FROM t GROUP BY k, ROLLUP (a, (b, c))",
			"SELECT 1 FROM t GROUP BY k, a, b, c SETS [[0 1 2 3] [0 1] [0]]"},
		{"SELECT 1 FROM t GROUP BY (a, b), c", "SELECT 1 FROM t GROUP BY a, b, c"},
		{"SELECT 1 FROM t GROUP BY CUBE (a, b)",
			"SELECT 1 FROM t GROUP BY a, b SETS [[0 1] [0] [1] []]"},
		{"SELECT 1 FROM t GROUP BY window_start, window_end, GROUPING SETS ((a), ROLLUP (b), CUBE ())",
			"SELECT 1 FROM t GROUP BY window_start, window_end, a, b SETS [[0 1 2] [0 1 3] [0 1] [0 1]]"},
		{"SELECT 1 FROM t GROUP BY ROLLUP (a), CUBE (b)",
			"SELECT 1 FROM t GROUP BY a, b SETS [[0 1] [0] [1] []]"},
		{"SELECT SESSION_START(ts, INTERVAL '5' MINUTE) FROM t GROUP BY SESSION(ts, INTERVAL '5' MINUTE)",
			"SELECT SESSION_START(ts, INTERVAL '5' MINUTE) FROM t GROUP BY SESSION(ts, INTERVAL '5' MINUTE)"},
		{"SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND)) AS w",
			"SELECT * FROM HOP(t, ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) w"},
		{"SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' HOUR, INTERVAL '15' MINUTE))",
			"SELECT * FROM TUMBLE(t, ts, INTERVAL '1' HOUR, INTERVAL '15' MINUTE)"},
		{"SELECT * FROM TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '10' MINUTE))",
			"SELECT * FROM CUMULATE(t, ts, INTERVAL '2' MINUTE, INTERVAL '10' MINUTE)"},
		{"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), INTERVAL '5' MINUTES))",
			"SELECT * FROM SESSION(t PARTITION BY k, ts, INTERVAL '5' MINUTE)"},
		{"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY (k1, k2), DESCRIPTOR(ts), INTERVAL '5' MINUTES))",
			"SELECT * FROM SESSION(t PARTITION BY k1,k2, ts, INTERVAL '5' MINUTE)"},
		{"SELECT * FROM TABLE(TUMBLE(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECOND))",
			"SELECT * FROM TUMBLE(t, ts, INTERVAL '10' SECOND)"},
		{"SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' SECOND, SLIDE => INTERVAL '5' SECOND))",
			"SELECT * FROM HOP(t, ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND)"},
		{"SELECT * FROM TABLE(TUMBLE(TABLE (SELECT a, ts FROM t WHERE a > 1), DESCRIPTOR(ts), INTERVAL '10' SECOND))",
			"SELECT * FROM TUMBLE((SELECT a, ts FROM t WHERE (> a 1)), ts, INTERVAL '10' SECOND)"},
		{"SELECT L.campaign_id, L.v, R.c FROM " +
			"(SELECT window_start, window_end, campaign_id, COUNT(*) AS v FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, campaign_id) L " +
			"JOIN (SELECT window_start, window_end, campaign_id, COUNT(*) AS c FROM TABLE(TUMBLE(TABLE b, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, campaign_id) R " +
			"ON L.campaign_id = R.campaign_id AND L.window_start = R.window_start AND L.window_end = R.window_end",
			"SELECT L.campaign_id, L.v, R.c FROM [" +
				"(SELECT window_start, window_end, campaign_id, COUNT(*) AS v FROM TUMBLE(a, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, campaign_id) L INNER JOIN " +
				"(SELECT window_start, window_end, campaign_id, COUNT(*) AS c FROM TUMBLE(b, ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end, campaign_id) R ON " +
				"(AND (AND (= L.campaign_id R.campaign_id) (= L.window_start R.window_start)) (= L.window_end R.window_end))]"},
		{"SELECT a FROM t FULL OUTER JOIN u ON t.k = u.k", "SELECT a FROM [t FULL OUTER JOIN u ON (= t.k u.k)]"},
		{"SELECT a FROM t LEFT JOIN u USING (k) , v", "SELECT a FROM [[t LEFT JOIN u USING k] CROSS JOIN v]"},
		{"SELECT a FROM t WHERE a IN (SELECT b FROM u) AND EXISTS (SELECT 1 FROM v)",
			"SELECT a FROM t WHERE (AND (IN a [SELECT b FROM u]) (EXISTS SELECT 1 FROM v))"},
		{"SELECT a FROM t UNION ALL SELECT b FROM u", "{SELECT a FROM t} UNION ALL {SELECT b FROM u}"},
		{"SELECT DISTINCT a, t.* FROM t AS x ORDER BY a DESC LIMIT 10", "SELECT DISTINCT a, t.* FROM t x ORDER BY a DESC LIMIT 10"},
		{"WITH w AS (SELECT a FROM t) SELECT a FROM w", "SELECT a FROM (SELECT a FROM t) w"},
		{"SELECT a, COUNT(*) FROM t GROUP BY a HAVING COUNT(*) > 1", "SELECT a, COUNT(*) FROM t GROUP BY a HAVING (> COUNT(*) 1)"},
	}
	for _, c := range cases {
		st := parseOne(t, c.in)
		q, ok := st.(*QueryStatement)
		if !ok {
			t.Errorf("%q: got %T", c.in, st)
			continue
		}
		if got := show(q.Query); got != c.want {
			t.Errorf("%q\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}

func TestStatements(t *testing.T) {
	v := parseOne(t, "CREATE TEMPORARY VIEW IF NOT EXISTS v (x) AS SELECT a FROM t").(*CreateView)
	if v.Name != "v" || !v.Temporary || !v.IfNotExists || len(v.Columns) != 1 || show(v.Query) != "SELECT a FROM t" {
		t.Errorf("view: %+v", v)
	}
	s := parseOne(t, "SET table.exec.source.idle-timeout = 5s").(*Set)
	if s.Key != "table.exec.source.idle-timeout" || s.Value != "5s" {
		t.Errorf("set: %+v", s)
	}
	if s := parseOne(t, "SET").(*Set); s.Key != "" {
		t.Errorf("bare set: %+v", s)
	}
	if r := parseOne(t, "RESET 'pipeline.name'").(*Reset); r.Key != "pipeline.name" {
		t.Errorf("reset: %+v", r)
	}
	if r := parseOne(t, "RESET").(*Reset); r.Key != "" {
		t.Errorf("reset: %+v", r)
	}
	ins := parseOne(t, "INSERT INTO db.sink (a, b) SELECT a, b FROM t").(*Insert)
	if ins.Table != "db.sink" || strings.Join(ins.Columns, ",") != "a,b" {
		t.Errorf("insert: %+v", ins)
	}
	// Flink's EXECUTE INSERT INTO is INSERT INTO.
	if ins := parseOne(t, "EXECUTE INSERT INTO s SELECT a FROM t").(*Insert); ins.Table != "s" || ins.Pos.Col != 9 {
		t.Errorf("execute insert: %+v", ins)
	}
	ex := parseOne(t, "EXPLAIN PLAN FOR INSERT INTO s SELECT * FROM t").(*Explain)
	if _, ok := ex.Stmt.(*Insert); !ok {
		t.Errorf("explain: %T", ex.Stmt)
	}
	ex = parseOne(t, "EXPLAIN SELECT 1").(*Explain)
	if _, ok := ex.Stmt.(*QueryStatement); !ok {
		t.Errorf("explain: %T", ex.Stmt)
	}

	sc, err := Parse("t.sql", []byte(`
EXECUTE STATEMENT SET BEGIN
INSERT INTO a SELECT * FROM t;
INSERT INTO b SELECT * FROM t;
END;
BEGIN STATEMENT SET;
INSERT INTO c SELECT * FROM t;
END;
SELECT 1;`))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Statements) != 3 {
		t.Fatalf("got %d statements", len(sc.Statements))
	}
	ss := sc.Statements[0].(*StatementSet)
	if len(ss.Inserts) != 2 || ss.Inserts[0].Table != "a" || ss.Inserts[1].Table != "b" || ss.Pos.Line != 2 {
		t.Errorf("statement set: %+v", ss)
	}
	if ss := sc.Statements[1].(*StatementSet); len(ss.Inserts) != 1 || ss.Inserts[0].Table != "c" {
		t.Errorf("statement set 2: %+v", ss)
	}
	sc, err = Parse("t.sql", []byte("EXPLAIN EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END;"))
	if err != nil {
		t.Fatal(err)
	}
	if ex, ok := sc.Statements[0].(*Explain); !ok || len(ex.Stmt.(*StatementSet).Inserts) != 1 {
		t.Errorf("explain set: %+v", sc.Statements[0])
	}
}

func TestCreateTableForms(t *testing.T) {
	ct := parseOne(t, `CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.t (
  id BIGINT NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'the id',
  c CHAR(3), v VARCHAR(20), s VARCHAR, d DECIMAL(12, 3), n NUMERIC, f FLOAT, dp DOUBLE PRECISION,
  b BOOLEAN, ti TINYINT, si SMALLINT, i INTEGER, dt DATE, tm TIME, t6 TIMESTAMP,
  lt TIMESTAMP(3) WITH LOCAL TIME ZONE, by BYTES, vb VARBINARY(10),
  arr ARRAY<STRING>, m MAP<STRING, ARRAY<INT>>, r ROW<x INT, y STRING>,
  part INT METADATA, off BIGINT METADATA FROM 'offset' VIRTUAL,
  up AS UPPER(v) COMMENT 'upper'
) COMMENT 'tbl' WITH ()`).(*CreateTable)
	if ct.Name != "cat.db.t" || !ct.Temporary || !ct.IfNotExists || strings.Join(ct.PrimaryKey, ",") != "id" {
		t.Errorf("header: %+v", ct)
	}
	want := []string{"BIGINT NOT NULL", "VARCHAR(3)", "VARCHAR(20)", "VARCHAR(1)", "DECIMAL(12, 3)", "DECIMAL(10, 0)", "FLOAT", "DOUBLE",
		"BOOLEAN", "TINYINT", "SMALLINT", "INT", "DATE", "TIME", "TIMESTAMP(6)",
		"TIMESTAMP_LTZ(3)", "BYTES", "BYTES", "ARRAY<STRING>", "MAP<STRING, ARRAY<INT>>", "ROW<`x` INT, `y` STRING>",
		"INT", "BIGINT"}
	for i, w := range want {
		if got := ct.Columns[i].Type.String(); got != w {
			t.Errorf("column %s: %s, want %s", ct.Columns[i].Name, got, w)
		}
	}
	if ct.Columns[0].Comment != "the id" {
		t.Errorf("comment %q", ct.Columns[0].Comment)
	}
	if p := ct.Columns[21]; p.Kind != MetadataColumn || p.MetadataKey != "part" || p.Virtual {
		t.Errorf("part: %+v", p)
	}
	if o := ct.Columns[22]; o.MetadataKey != "offset" || !o.Virtual {
		t.Errorf("off: %+v", o)
	}
	if u := ct.Columns[23]; u.Kind != ComputedColumn || show(u.Expr) != "UPPER(v)" || u.Comment != "upper" {
		t.Errorf("up: %+v", u)
	}
	ct = parseOne(t, "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a, b) NOT ENFORCED) WITH ('connector'='print')").(*CreateTable)
	if strings.Join(ct.PrimaryKey, ",") != "a,b" || ct.Options[0].Value != "print" {
		t.Errorf("pk: %+v", ct)
	}
}

func TestCommentsAndStrings(t *testing.T) {
	sc, err := Parse("t.sql", []byte(`-- a comment; with SELECT
/* block ; comment
   INSERT */
SELECT 'a;b', '-- not a comment', 'SELECT; END', 'it''s' FROM t; -- trailing
SET 'k' = 'v;w';`))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Statements) != 2 {
		t.Fatalf("%d statements", len(sc.Statements))
	}
	q := sc.Statements[0].(*QueryStatement)
	if got, want := show(q.Query), "SELECT 'a;b', '-- not a comment', 'SELECT; END', 'it's' FROM t"; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if q.Pos.Line != 4 || q.Pos.Col != 1 {
		t.Errorf("query at %v", q.Pos)
	}
	if s := sc.Statements[1].(*Set); s.Value != "v;w" {
		t.Errorf("set %+v", s)
	}
}

// STATE_TTL after SELECT is parsed and attached to its SELECT (in a
// view's query and a subquery too), with its options in order.
func TestParseStateTTLHint(t *testing.T) {
	sc, err := Parse("f.sql", []byte("SELECT /*+ STATE_TTL('o' = '1d', p='12 h') */ a FROM (SELECT /*+state_ttl('t'='1 min')*/ a FROM t) o"))
	if err != nil {
		t.Fatal(err)
	}
	sel := sc.Statements[0].(*QueryStatement).Query.(*Select)
	if len(sel.Hints) != 1 || sel.Hints[0].Name != "STATE_TTL" || len(sel.Hints[0].Options) != 2 {
		t.Fatalf("hints %+v", sel.Hints)
	}
	if o := sel.Hints[0].Options; o[0].Key != "o" || o[0].Value != "1d" || o[1].Key != "p" || o[1].Value != "12 h" || o[1].Pos.Col != 34 {
		t.Errorf("options %+v", o)
	}
	inner := sel.From.(*SubqueryRef).Query.(*Select)
	if len(inner.Hints) != 1 || inner.Hints[0].Options[0].Value != "1 min" {
		t.Errorf("inner hints %+v", inner.Hints)
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]string{
		"STRING":                         "STRING",
		"VARCHAR(2147483647)":            "STRING",
		"TIMESTAMP_LTZ(3)":               "TIMESTAMP_LTZ(3)",
		"TIMESTAMP_LTZ":                  "TIMESTAMP_LTZ(6)",
		"TIMESTAMP(9) WITHOUT TIME ZONE": "TIMESTAMP(9)",
		"ROW(a INT, b ROW<c DOUBLE>)":    "ROW<`a` INT, `b` ROW<`c` DOUBLE>>",
		"INT NOT NULL":                   "INT NOT NULL",
	} {
		typ, err := ParseType("x", in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if typ.String() != want {
			t.Errorf("%s: %s, want %s", in, typ, want)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		msg, near string
	}{
		{"typo in select on line 3", "SELECT a,\n  b FROM t\nGROUP BY BY a", 3, 10, "syntax error", "BY"},
		{"ROLLUP outside GROUP BY", "SELECT ROLLUP(a) FROM t", 1, 8, "ROLLUP is only allowed as an item of GROUP BY", "ROLLUP"},
		{"grouping construct in an expression", "SELECT 1 FROM t GROUP BY a + CUBE(b)", 1, 30, "CUBE is only allowed as an item of GROUP BY", "CUBE"},
		{"GROUPING SETS inside ROLLUP", "SELECT 1 FROM t GROUP BY ROLLUP(a, GROUPING SETS (b))", 1, 36, "GROUPING SETS is not allowed inside ROLLUP", "GROUPING"},
		{"huge CUBE", "SELECT 1 FROM t GROUP BY CUBE(a, b, c, d, e, f, g, h, i, j, k, l, m)", 1, 26, "more than 4096 grouping sets", "CUBE"},
		{"tidb error inside rewritten stmt", "INSERT INTO s\nSELECT COUNT(*) FILTER (WHERE a = 1),\n  CAST(x AS INT) FROM t GROUP BY BY", 3, 34, "syntax error", "BY"},
		{"tidb error after interval", "SELECT ts - INTERVAL '1' SECOND +* 2 FROM t", 1, 34, "syntax error", "*"},
		{"unknown type", "CREATE TABLE t (\n  a INT,\n  b STRNG\n) WITH ('connector' = 'x')", 3, 5, `unknown type "STRNG"`, "STRNG"},
		{"unknown cast type", "SELECT CAST(a AS BIGINTEGER) FROM t", 1, 18, `unknown type "BIGINTEGER"`, "BIGINTEGER"},
		{"unterminated string", "SELECT 'abc FROM t;\nSELECT 1", 1, 8, "unterminated string literal", "'abc FROM t;"},
		{"unterminated comment", "SELECT 1;\n  /* never closed\nSELECT 2", 2, 3, "unterminated comment", "/*"},
		{"missing WITH value", "CREATE TABLE t (a INT) WITH (\n 'connector' = 'kafka',\n 'topic' = )", 3, 12, "missing value for option 'topic'", ")"},
		{"double quotes", "SELECT \"a\" FROM t", 1, 8, "double quotes", `"a"`},
		{"unknown statement", "SELECT 1;\n  DROP TABLE t", 2, 3, "DROP TABLE is not supported", "DROP"},
		{"limit offset", "SELECT a FROM t LIMIT 5, 10", 1, 23, "LIMIT with an offset", "5"},
		{"assignment", "SELECT @x := 1", 1, 8, "unsupported operator", "@"},
		{"mysql null-safe eq", "SELECT a <=> b FROM t", 1, 10, "IS NOT DISTINCT FROM", "<=>"},
		{"unknown window tvf", "SELECT * FROM TABLE(SLIDE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))", 1, 21, "TUMBLE, HOP", "SLIDE"},
		{"tvf missing size", "SELECT * FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '1' SECOND))", 1, 69, "HOP needs SLIDE and SIZE", ")"},
		{"bad interval unit", "SELECT INTERVAL '1' FORTNIGHT", 1, 21, "interval unit", "FORTNIGHT"},
		{"rank window", "SELECT RANK() OVER (ORDER BY a) FROM t", 1, 8, "RANK() OVER (Top-N; use ROW_NUMBER()) is not supported", "RANK"},
		{"undefined named window", "SELECT ROW_NUMBER() OVER (ORDER BY a), SUM(a) OVER w FROM t", 1, 47, `window "w" is not defined`, "OVER"},
		{"window defined twice", "SELECT SUM(a) OVER w FROM t WINDOW w AS (ORDER BY a), w AS (ORDER BY b)", 1, 55, "defined twice", "w"},
		{"frame starting after the row", "SELECT SUM(a) OVER (ORDER BY a ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM t", 1, 15, "FOLLOWING is not supported", "OVER"},
		{"row_number frame", "SELECT ROW_NUMBER() OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t", 1, 8, "does not take a window frame", "ROW_NUMBER"},
		{"row_number named window", "SELECT ROW_NUMBER() OVER w FROM t", 1, 8, "named window", "ROW_NUMBER"},
		{"end of statement", "SELECT a FROM", 1, 14, "unexpected end of statement", ""},
		{"case list missing value", "SELECT CASE a WHEN 1,\n  THEN 2 END FROM t", 2, 3, "syntax error", "THEN"},
		{"case list in result", "SELECT CASE a WHEN 1, 2 THEN 3, 4 END FROM t", 1, 31, "syntax error", ","},
		{"case list error inside", "SELECT CASE a WHEN 1, 2 THEN 3 +* 4 END FROM t", 1, 33, "syntax error", "*"},
		{"hint", "SELECT a FROM t /*+ OPTIONS('k'='v') */", 1, 21, "SQL hint OPTIONS (dynamic table options) is not supported", "OPTIONS"},
		{"join hint", "SELECT /*+ STATE_TTL('t'='1d'), BROADCAST(t) */ a FROM t", 1, 33, "SQL hint BROADCAST", "BROADCAST"},
		{"hint not after select", "SELECT a FROM t /*+ STATE_TTL('t'='1d') */", 1, 17, "only supported right after SELECT", "/*+ STATE_TTL('t'='1d') */"},
		{"hint without options", "SELECT /*+ STATE_TTL */ a FROM t", 1, 22, "STATE_TTL needs options", "*/"},
		{"hint bad option", "SELECT /*+ STATE_TTL('t' '1d') */ a FROM t", 1, 26, "'table' = 'duration'", "'1d') */"},
		{"unterminated hint", "SELECT /*+ STATE_TTL('t'='1d') a FROM t", 1, 8, "unterminated hint", "/*+"},
		{"watermark expr error", "CREATE TABLE t (ts TIMESTAMP(3),\n WATERMARK FOR ts AS ts - ) WITH ('connector'='x')", 2, 27, "unexpected end", ")"},
		{"primary key enforced", "CREATE TABLE t (a INT PRIMARY KEY) WITH ('connector'='x')", 1, 34, "NOT ENFORCED", ")"},
		{"statement set without end", "BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;", 1, 1, "missing its END", "BEGIN"},
		{"non-insert in statement set", "BEGIN STATEMENT SET;\nSELECT 1;\nEND;", 2, 1, "only INSERT", "SELECT"},
		{"bad character", "SELECT a # b", 1, 10, "unexpected character", "#"},
	}
	for _, c := range cases {
		_, err := Parse("f.sql", []byte(c.src))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %T is not *Error", c.name, err)
			continue
		}
		if e.Pos.File != "f.sql" || e.Pos.Line != c.line || e.Pos.Col != c.col || !strings.Contains(e.Msg, c.msg) || e.Near != c.near {
			t.Errorf("%s: got %v (near %q), want f.sql:%d:%d %q near %q", c.name, err, e.Near, c.line, c.col, c.msg, c.near)
		}
	}
}
