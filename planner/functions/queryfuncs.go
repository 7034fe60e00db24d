package functions

// QuerySpec is a function the planner binds from the shape of the query
// around it rather than from its arguments: the grouping functions
// (GROUPING, GROUPING_ID, GROUP_ID read which grouping set an
// aggregation's row belongs to: planner/expand.go) and ROW_NUMBER (Top-N
// and deduplication: planner/rank.go). The spec names them for the
// planner and the docs; runtime/runtest's TestQueryFuncExamples runs
// every example through the whole stack.
type QuerySpec struct {
	Name     string
	Category string // "grouping" or "aggregate"
	Syntax   string
	Doc      string
	Examples []QueryExample
}

// QueryExample is a query over the table src (a STRING, b STRING) holding
// QueryExampleRows, and its final table (rows as the print connector
// writes them, sorted), or "error: <part of the message>".
type QueryExample struct {
	Query string
	Want  []string
}

// QueryExampleRows are the rows (a, b) every example reads.
var QueryExampleRows = []string{`{"a": "x", "b": "p"}`, `{"a": "x", "b": "q"}`, `{"a": "y", "b": "p"}`}

var querySpecs []*QuerySpec

func registerQuery(s *QuerySpec) { querySpecs = append(querySpecs, s) }

// Grouping looks a grouping function up by its upper-case name.
func Grouping(name string) (*QuerySpec, bool) {
	s, ok := QueryFunc(name)
	return s, ok && s.Category == "grouping"
}

// QueryFunc looks a query function up by its upper-case name.
func QueryFunc(name string) (*QuerySpec, bool) {
	for _, s := range querySpecs {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// AllQuery lists the query functions of a section in registration order.
func AllQuery(category string) []*QuerySpec {
	var out []*QuerySpec
	for _, s := range querySpecs {
		if s.Category == category {
			out = append(out, s)
		}
	}
	return out
}

// QueryNames lists every query function's name.
func QueryNames() []string {
	var out []string
	for _, s := range querySpecs {
		out = append(out, s.Name)
	}
	return out
}

func init() {
	registerQuery(&QuerySpec{Category: "grouping", Name: "GROUPING", Syntax: "GROUPING(expression1 [, expression2]*)",
		Doc: "The bit vector of the given GROUP BY expressions for the row's grouping set: a bit is 1 when the set does not group by the expression, the first expression the most significant bit (0 in a plain GROUP BY).",
		Examples: []QueryExample{
			{"SELECT a, b, GROUPING(b) FROM src GROUP BY ROLLUP (a, b)", []string{"[null, null, 1]", "[x, null, 1]", "[x, p, 0]", "[x, q, 0]", "[y, null, 1]", "[y, p, 0]"}},
			{"SELECT a, b, GROUPING(a, b) FROM src GROUP BY GROUPING SETS ((a), (b))", []string{"[null, p, 2]", "[null, q, 2]", "[x, null, 1]", "[y, null, 1]"}},
			{"SELECT a, b, GROUPING(a) FROM src GROUP BY a, b", []string{"[x, p, 0]", "[x, q, 0]", "[y, p, 0]"}},
			{"SELECT a, b, GROUPING(UPPER(a)) FROM src GROUP BY ROLLUP (a, b)", []string{"error: must be a GROUP BY expression"}}}})
	registerQuery(&QuerySpec{Category: "grouping", Name: "GROUPING_ID", Syntax: "GROUPING_ID(expression1 [, expression2]*)",
		Doc: "The same bit vector as GROUPING.",
		Examples: []QueryExample{
			{"SELECT a, b, GROUPING_ID(a, b) FROM src GROUP BY CUBE (a, b)", []string{"[null, null, 3]", "[null, p, 2]", "[null, q, 2]", "[x, null, 1]", "[x, p, 0]", "[x, q, 0]", "[y, null, 1]", "[y, p, 0]"}}}})
	registerQuery(&QuerySpec{Category: "grouping", Name: "GROUP_ID", Syntax: "GROUP_ID()",
		Doc: "An integer telling apart repeated grouping sets: always 0, as repeated grouping sets are refused.",
		Examples: []QueryExample{
			{"SELECT a, b, GROUP_ID() FROM src GROUP BY ROLLUP (a, b)", []string{"[null, null, 0]", "[x, null, 0]", "[x, p, 0]", "[x, q, 0]", "[y, null, 0]", "[y, p, 0]"}},
			{"SELECT a, b, GROUP_ID() FROM src GROUP BY GROUPING SETS ((a), (a))", []string{"error: repeated"}}}})
}

func init() {
	registerQuery(&QuerySpec{Name: "ROW_NUMBER", Category: "aggregate", Syntax: "ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)",
		Doc: "The number of the row within its partition in the ORDER BY order, from 1; as in Flink's streaming mode, only in the Top-N (WHERE rn <= N) and deduplication (WHERE rn = 1) patterns, over a table or a window TVF.",
		Examples: []QueryExample{
			{"SELECT a, b, rn FROM (SELECT a, b, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) AS rn FROM src) WHERE rn <= 1", []string{"[x, q, 1]", "[y, p, 1]"}},
			{"SELECT a, b, rn FROM (SELECT a, b, ROW_NUMBER() OVER (ORDER BY a, b) AS rn FROM src) WHERE rn <= 2", []string{"[x, p, 1]", "[x, q, 2]"}},
			{"SELECT a, b, ROW_NUMBER() OVER (ORDER BY b) FROM src", []string{"error: needs a filter"}}}})
}
