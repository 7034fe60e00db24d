package sql

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: Parse must return a Script or an *Error, never panic or hang.
func FuzzParse(f *testing.F) {
	if src, err := os.ReadFile("testdata/ctr.sql"); err == nil {
		f.Add(string(src))
	}
	for _, s := range []string{
		"SELECT a FROM t",
		"SELECT CAST(a AS DECIMAL(10, 2)), TRY_CAST(b AS ARRAY<MAP<STRING, ROW<x INT>>>) FROM t",
		"SELECT COUNT(*) FILTER (WHERE a = 1) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND)) w GROUP BY window_start",
		"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY (a, b), DESCRIPTOR(ts), INTERVAL '5' MINUTES))",
		"SELECT * FROM TABLE(HOP(DATA => TABLE (SELECT * FROM t), TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' SECOND, SIZE => INTERVAL '2' SECOND))",
		"SELECT FLOOR(ts TO HOUR), EXTRACT(DAY FROM ts), a IS DISTINCT FROM b, TRIM(BOTH 'x' FROM s) FROM t FULL OUTER JOIN u ON t.a = u.a",
		"CREATE TABLE t (a INT PRIMARY KEY NOT ENFORCED, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('a' = 'b')",
		"CREATE VIEW v AS WITH x AS (SELECT 1) SELECT * FROM x",
		"EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END;",
		"BEGIN STATEMENT SET; INSERT INTO a SELECT 1; END;",
		"EXPLAIN PLAN FOR SELECT 'it''s' || `b` FROM t -- c\n/* d */",
		"SET 'a' = 'b'; RESET; SET x.y = 5s;",
		"SELECT TUMBLE_START(ts, INTERVAL '1' DAY TO SECOND) FROM t GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE), SESSION(ts, INTERVAL '1' HOUR)",
		"SELECT CASE WHEN a IN (SELECT b FROM u) THEN 1 ELSE 2 END, EXISTS (SELECT 1) FROM t LIMIT 3",
		"SELECT JSON_VALUE(s, 'strict $.a' RETURNING INT DEFAULT 0 ON EMPTY ERROR ON ERROR), JSON_QUERY(s, '$' WITH CONDITIONAL ARRAY WRAPPER EMPTY OBJECT ON EMPTY) FROM t",
		"SELECT JSON_OBJECT(KEY 'a' VALUE JSON_ARRAY(1, NULL NULL ON NULL) ABSENT ON NULL), JSON_EXISTS(s, '$.a' UNKNOWN ON ERROR) FROM t",
		"SELECT a BETWEEN SYMMETRIC 1 AND 2, a NOT BETWEEN ASYMMETRIC 1 AND 2, CASE a WHEN 1, 2 THEN 'x' END, EXTRACT(DOW FROM ts) FROM t",
		"SELECT OVERLAY(s PLACING 'x' FROM 2 FOR 3), TIMESTAMPDIFF(DAY, ts, ts), RANK(1) FROM t",
		"SELECT ARRAY[1, ARRAY[2]], MAP['a', MAP[1, 2]], CARDINALITY(ARRAY[a]) FROM t", "SELECT ARRAY[", "SELECT MAP[1,",
		"SELECT s IS NOT JSON OBJECT, s IS JSON, ENCODE(s, 'UTF-8') FROM t WHERE s IS JSON SCALAR", "SELECT s IS JSON", "SELECT a NOT SIMILAR TO '(a|b)%' ESCAPE '!' FROM t", "SELECT a SIMILAR TO", "SELECT (ts, INTERVAL '1' HOUR) OVERLAPS (ts, ts) FROM t", "SELECT (a, b) OVERLAPS (",
		"SELECT JSON_VALUE(s, '$' RETURNING", "SELECT OVERLAY(s PLACING", "SELECT a BETWEEN SYMMETRIC", "SELECT CASE a WHEN 1,",
		"SELECT '", "/*", "SELECT \"x\"", "SELECT ((((", "CAST(", "TABLE(", "SELECT INTERVAL",
		// Flink-only syntax the rewrite handles or refuses by name
		"WITH c AS (SELECT * FROM t) SELECT * FROM TABLE(TUMBLE(TABLE c, DESCRIPTOR(ts), INTERVAL '1' SECOND))",
		"WITH c AS (SELECT 1) SELECT * FROM TABLE(CUMULATE(TABLE (SELECT * FROM c), DESCRIPTOR(ts), INTERVAL '1' SECOND, INTERVAL '2' SECOND))",
		"SELECT CASE a WHEN 1, 2 THEN 'x' WHEN 3 THEN CASE b WHEN 4, 5 THEN 'y' END ELSE 'z' END FROM t",
		"SELECT CASE a WHEN 1, THEN 2 END, CASE WHEN 1, 2 THEN 3 END, CASE a WHEN 1, 2 END",
		"SELECT EXTRACT(DOW FROM ts), EXTRACT(EPOCH FROM ts), EXTRACT(DOY FROM ts), EXTRACT(CENTURY FROM ts), EXTRACT(FROM ts) FROM t",
		"SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a ORDER BY ts PATTERN (A B) DEFINE A AS A.x > 1)",
		"SELECT SUM(a) OVER (PARTITION BY b ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM t",
		"SELECT * FROM t JOIN u FOR SYSTEM_TIME AS OF t.ts ON t.a = u.a, LATERAL TABLE(f(a)) CROSS JOIN UNNEST(x) AS v(y)",
		"SELECT a FROM t GROUP BY GROUPING SETS ((a), ()), ROLLUP (a), CUBE (a, b) /*+ OPTIONS('a'='b') */",
		"SELECT a, GROUPING(a, b), GROUPING_ID(b), GROUP_ID() FROM t GROUP BY (a), GROUPING SETS ((a, b), ROLLUP (b, (c, d)), CUBE ()), ROLLUP (e)",
		"SELECT ROLLUP(a) FROM t GROUP BY GROUPING SETS (", "SELECT 1 FROM t GROUP BY CUBE (a, GROUPING SETS ((b)))", "SELECT 1 GROUP BY ROLLUP ((a,), ())",
		"SELECT * FROM (VALUES (1, 'a')) AS t(a, b); INSERT OVERWRITE t SELECT 1; DROP TEMPORARY VIEW v; SHOW CREATE TABLE t",
		"CREATE TABLE t WITH ('a' = 'b') AS SELECT 1; CREATE TABLE u (a INT) WITH ('a' = 'b') LIKE t",
		"SELECT ARRAY[1, 2], MAP['a', 1], x[1], p.name, t.p.name, PROCTIME() FROM t",
		"SELECT a[1][2].f.g, m['k'].x, f(x)[1], (a)[1], t.r.f.g.h, ROW(1).EXPR$0, ROW(a, (b, c)) FROM t WHERE a[", "SELECT x.[1]", "SELECT a][", "SELECT f(x).", "SELECT ][1]",
		"/*+", "CASE", "SELECT CASE a WHEN", "EXTRACT(", "ARRAY[",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse("fuzz.sql", []byte(src))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("bad error position %v", e.Pos)
			}
			return
		}
		if s == nil {
			t.Fatal("nil script without error")
		}
	})
}
