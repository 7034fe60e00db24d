package functions

// GroupingSpec is one of Flink's grouping functions (GROUPING,
// GROUPING_ID, GROUP_ID). They read which grouping set an aggregation's
// row belongs to, so the planner binds them over the aggregation
// (planner/expand.go) instead of building them from their arguments; the
// spec names them for the planner, the docs and the example test
// (runtime/runtest's TestGroupingExamples runs every example through the
// whole stack).
type GroupingSpec struct {
	Name     string
	Syntax   string
	Doc      string
	Examples []GroupingExample
}

// GroupingExample is SELECT a, b, Call FROM src GROUP BY GroupBy over the
// rows of GroupingExampleRows, and its final table (rows as the print
// connector writes them, sorted), or "error: <part of the message>".
type GroupingExample struct {
	GroupBy string
	Call    string
	Want    []string
}

// GroupingExampleRows are the rows (a STRING, b STRING) every grouping
// example reads.
var GroupingExampleRows = []string{`{"a": "x", "b": "p"}`, `{"a": "x", "b": "q"}`, `{"a": "y", "b": "p"}`}

var groupingSpecs []*GroupingSpec

func registerGrouping(s *GroupingSpec) { groupingSpecs = append(groupingSpecs, s) }

// Grouping looks a grouping function up by its upper-case name.
func Grouping(name string) (*GroupingSpec, bool) {
	for _, s := range groupingSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// AllGrouping lists the grouping functions in registration order.
func AllGrouping() []*GroupingSpec { return groupingSpecs }

func init() {
	registerGrouping(&GroupingSpec{Name: "GROUPING", Syntax: "GROUPING(expression1 [, expression2]*)",
		Doc: "The bit vector of the given GROUP BY expressions for the row's grouping set: a bit is 1 when the set does not group by the expression, the first expression the most significant bit (0 in a plain GROUP BY).",
		Examples: []GroupingExample{
			{"ROLLUP (a, b)", "GROUPING(b)", []string{"[null, null, 1]", "[x, null, 1]", "[x, p, 0]", "[x, q, 0]", "[y, null, 1]", "[y, p, 0]"}},
			{"GROUPING SETS ((a), (b))", "GROUPING(a, b)", []string{"[null, p, 2]", "[null, q, 2]", "[x, null, 1]", "[y, null, 1]"}},
			{"a, b", "GROUPING(a)", []string{"[x, p, 0]", "[x, q, 0]", "[y, p, 0]"}},
			{"ROLLUP (a, b)", "GROUPING(UPPER(a))", []string{"error: must be a GROUP BY expression"}}}})
	registerGrouping(&GroupingSpec{Name: "GROUPING_ID", Syntax: "GROUPING_ID(expression1 [, expression2]*)",
		Doc: "The same bit vector as GROUPING.",
		Examples: []GroupingExample{
			{"CUBE (a, b)", "GROUPING_ID(a, b)", []string{"[null, null, 3]", "[null, p, 2]", "[null, q, 2]", "[x, null, 1]", "[x, p, 0]", "[x, q, 0]", "[y, null, 1]", "[y, p, 0]"}}}})
	registerGrouping(&GroupingSpec{Name: "GROUP_ID", Syntax: "GROUP_ID()",
		Doc: "An integer telling apart repeated grouping sets: always 0, as repeated grouping sets are refused.",
		Examples: []GroupingExample{
			{"ROLLUP (a, b)", "GROUP_ID()", []string{"[null, null, 0]", "[x, null, 0]", "[x, p, 0]", "[x, q, 0]", "[y, null, 0]", "[y, p, 0]"}},
			{"GROUPING SETS ((a), (a))", "GROUP_ID()", []string{"error: repeated"}}}})
}
