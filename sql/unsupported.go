package sql

import "strings"

// Refusals by name: the Flink SQL constructs streamsql does not support
// yet that the TiDB grammar would reject with a bare syntax error (or
// misread as an unknown function or table), recognised from their tokens
// before TiDB sees the query. Each gets an error that names it, at its
// first token. Supporting a construct starts by deleting its entry here.
//
// The lexer refuses SQL hints (/*+ ... */), which it would otherwise drop
// as comments. OVER windows parse (convert.go, windowFunc); the planner
// refuses the window functions and frames it does not take.
//
// Constructs that parse but cannot be planned (regular joins, GROUP BY
// without a window, SELECT DISTINCT, ORDER BY, LIMIT, IN/EXISTS
// subqueries outside window semi joins) are refused by the planner where
// it plans them. planner/testdata/unsupported.txt lists every refusal
// with its message and position.

// refusal matches a token sequence: each element is a keyword (matched
// case-insensitively against an unquoted identifier), "(" or ")", "?"
// for any unquoted identifier or "#" for a number.
type refusal struct {
	seq  []string
	what string // the message: "<what> is not supported"
}

var refusals = []refusal{
	{words("MATCH_RECOGNIZE ("), "MATCH_RECOGNIZE (pattern recognition)"},
	{words("FOR SYSTEM_TIME AS OF"), "FOR SYSTEM_TIME AS OF after something other than a table or view name (a temporal join names the versioned table: JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r)"},
	{words("UNNEST ("), "UNNEST (CROSS JOIN UNNEST)"},
	{words("LATERAL TABLE"), "LATERAL TABLE (user-defined table functions)"},
	{words("LATERAL ("), "a LATERAL subquery"},
	{words("VALUES ("), "VALUES (literal rows as a table)"},
	{words("SOURCE_WATERMARK ( )"), "SOURCE_WATERMARK() (watermarks from the connector; write WATERMARK FOR ts AS ts - INTERVAL ...)"},
	{words("OFFSET #"), "OFFSET on a stream"},
	{words("NULLS FIRST"), "ORDER BY ... NULLS FIRST"},
	{words("NULLS LAST"), "ORDER BY ... NULLS LAST"},
	{words("PROCTIME ( )"), "PROCTIME() (processing time: streamsql runs on event time; declare a WATERMARK FOR a rowtime column)"},
	// Top-N: ROW_NUMBER() OVER is supported (Top-N and deduplication),
	// and so are aggregates OVER a window (OVER aggregation).
	{words("RANK ( ) OVER"), "RANK() OVER (Top-N; use ROW_NUMBER())"},
	{words("DENSE_RANK ( ) OVER"), "DENSE_RANK() OVER (Top-N; use ROW_NUMBER())"},
}

func words(s string) []string { return strings.Fields(s) }

// refusedAt returns the refusal whose sequence starts at toks[k] (within
// toks[:j]), or nil.
func (r *rewriter) refusedAt(k, j int) *refusal {
	if r.toks[k].is("OVER") && k >= 3 && r.toks[k-3].is("ROW_NUMBER") && r.toks[k-2].isOp("(") && r.toks[k-1].isOp(")") {
		return nil // ROW_NUMBER() OVER (...): Top-N and deduplication
	}
next:
	for i := range refusals {
		f := &refusals[i]
		if k+len(f.seq) > j {
			continue
		}
		for x, w := range f.seq {
			t := r.toks[k+x]
			var ok bool
			switch w {
			case "(", ")":
				ok = t.isOp(w)
			case "?":
				ok = t.kind == tIdent
			case "#":
				ok = t.kind == tNumber
			default:
				ok = t.is(w)
			}
			if !ok {
				continue next
			}
		}
		return f
	}
	return nil
}

// stmtWords are the words that name a statement we do not support: its
// leading keywords ("DROP TEMPORARY VIEW", "SHOW CREATE TABLE"), up to the
// first other token.
var stmtWords = map[string]bool{
	"CREATE": true, "DROP": true, "ALTER": true, "SHOW": true, "USE": true, "DESCRIBE": true, "DESC": true,
	"LOAD": true, "UNLOAD": true, "ADD": true, "REMOVE": true, "ANALYZE": true, "TRUNCATE": true,
	"DELETE": true, "UPDATE": true, "CALL": true, "STOP": true, "REPLACE": true, "MERGE": true,
	"TEMPORARY": true, "SYSTEM": true, "OR": true, "MATERIALIZED": true, "CURRENT": true, "FULL": true,
	"TABLE": true, "TABLES": true, "VIEW": true, "VIEWS": true, "FUNCTION": true, "FUNCTIONS": true,
	"DATABASE": true, "DATABASES": true, "CATALOG": true, "CATALOGS": true, "MODULE": true, "MODULES": true,
	"JAR": true, "JARS": true, "JOB": true, "JOBS": true, "COLUMNS": true, "PARTITIONS": true,
	"PROCEDURE": true, "PROCEDURES": true, "USER": true, "FROM": true, "EXECUTE": true, "COMPILE": true,
	"PLAN": true,
}

// statementName names an unsupported statement from its leading keywords.
func statementName(toks []token) string {
	var ws []string
	for _, t := range toks {
		if t.kind != tIdent || !stmtWords[t.upper()] || len(ws) == 4 {
			break
		}
		ws = append(ws, t.upper())
	}
	if len(ws) > 1 && ws[len(ws)-1] == "FROM" { // DELETE FROM t
		ws = ws[:len(ws)-1]
	}
	if len(ws) == 0 && len(toks) > 0 {
		return "statement " + toks[0].upper()
	}
	return strings.Join(ws, " ")
}
