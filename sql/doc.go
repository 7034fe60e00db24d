// Package sql is streamsql's front-end for Flink's SQL dialect: it turns a
// .sql file into the AST of ast.go. Every error is an *Error carrying the
// user's own file:line:column and the offending text.
//
// # Pipeline
//
//	file ──lex──▶ tokens ──split at ';'──▶ statements
//	   CREATE TABLE / VIEW header, SET, RESET, INSERT, EXPLAIN, statement sets:
//	       our recursive-descent parser over tokens (ddl.go, parse.go)
//	   queries and expressions (SELECT bodies, computed columns, watermarks):
//	       tokens ──dialect rewrite──▶ MySQL text + position map
//	              ──TiDB parser──▶ TiDB AST ──convert──▶ our AST
//
// Lexer (lexer.go). One pass over the whole file: single-quoted strings
// ('it”s', no backslash escapes), back-quoted identifiers, -- and /* */
// comments, numbers, identifiers and operators, each token with its byte
// offset, line and rune column. Double-quoted text is rejected (Flink has
// no double-quoted strings). Statements are split at ';' tokens, so
// semicolons inside strings and comments are harmless; statement sets
// (EXECUTE STATEMENT SET BEGIN ...; END; and BEGIN STATEMENT SET; ...;
// END;) are re-joined from several groups.
//
// DDL (ddl.go). CREATE TABLE is ours entirely: Flink types (ParseType,
// also used for CAST targets), computed and metadata columns, WATERMARK
// FOR, PRIMARY KEY ... NOT ENFORCED and WITH options. Its expressions go
// through the query path below.
//
// Dialect rewrite (rewrite.go). TiDB's MySQL grammar parses joins,
// subqueries, CASE, aggregates and the like well, but rejects or
// misreads Flink-only syntax. The rewriter walks the TOKENS (never the
// raw text) and writes MySQL text, replacing Flink constructs with
// placeholder calls whose payload is kept in side tables:
//
//	INTERVAL '10' SECOND             → __ssql_interval(N)          (Literal IntervalLit)
//	CAST(x AS <flink type>)          → __ssql_cast(N, x)           (Cast, type parsed by ParseType)
//	agg(...) FILTER (WHERE c)        → __ssql_filter(agg(...), c)  (Call.Filter)
//	FLOOR/CEIL(x TO unit)            → __ssql_unit(N, x)           (TimeUnitExpr)
//	TABLE(TUMBLE(TABLE t, ...))      → __ssql_tvf_N as a table     (WindowTVF, parsed by us
//	                                                                from the kind's descriptor in
//	                                                                sql/window; its size arguments
//	                                                                and a TABLE (subquery) input go
//	                                                                through this pipeline again, the
//	                                                                table argument in the converter
//	                                                                so that it sees WITH queries)
//	a IS NOT DISTINCT FROM b         → a <=> b
//	a IS DISTINCT FROM b             → a RLIKE b  (the user's own REGEXP/RLIKE operators are rejected)
//	FULL [OUTER] JOIN                → STRAIGHT_JOIN (the user's own STRAIGHT_JOIN is rejected)
//	SESSION( FIRST_VALUE( CONCAT( …  → __ssql_fn_SESSION( ... (names MySQL treats specially;
//	                                   CONCAT so that TiDB's "concat" can only mean ||)
//
// MySQL-only syntax that would otherwise slip through (<=>, :=, @vars,
// DIV, XOR, bit operators, LIMIT x,y, OVER windows, hex literals) is
// rejected with an *Error naming it, and so is Flink syntax we do not
// support (MATCH_RECOGNIZE, GROUPING SETS, FOR SYSTEM_TIME AS OF, ...):
// the table in unsupported.go, checked at every token before TiDB runs.
//
// Position map. Every emitted token records (rewritten offset → original
// offset); generated text maps to the token that caused it. TiDB reports
// syntax errors as `line L column C near "<rest of text>"`; the near text
// is the suffix of the rewritten text starting at the offending token, so
// its length gives the exact rewritten offset, which the map turns back
// into the user's file:line:col. TiDB also records the start offset of
// every expression node (OriginTextPosition), which the converter maps
// the same way: every Ident, Call, Literal ... gets the Pos of its own
// first token. Table names get the Pos of their first occurrence in the
// statement (TiDB records none).
//
// Conversion (convert.go). TiDB's AST is converted into ours: function
// names upper-cased, identifiers keeping their case (Flink columns are
// case-sensitive), COUNT(*) recognised from the tokens, TRUE/FALSE told
// apart from 1/0 by the tokens, WITH queries inlined as subqueries.
// TRIM becomes Call{TRIM, ['BOTH'|'LEADING'|'TRAILING', chars, s]};
// TIMESTAMPDIFF/TIMESTAMPADD units become a TimeUnitExpr argument with no
// X. Anything TiDB accepts that we do not map is an *Error naming it.
//
// Limits (limits.go). Parentheses are counted on the tokens before the
// rewrite, and syntax-tree levels while converting, against MaxDepth;
// types against MaxTypeDepth. Everything after the front-end walks
// expressions recursively, so these bounds are what keeps a huge
// statement from overflowing a Go stack. AND and OR chains are collected
// iteratively and balanced beyond LeftDeepChain terms (Chain).
//
// TiDB's parser is run inside a recover: a panic there (none seen by
// FuzzParse so far) becomes an *Error at the statement start rather than
// a crash.
package sql
