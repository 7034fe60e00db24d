package functions

import "sort"

// unsupported lists Flink built-in functions (from Flink's "System
// (Built-in) Functions" page) that streamsql does not implement yet, with
// a note for the user; the planner refuses them by name ("function X is
// not supported yet") instead of "unknown function", and docs/sql.md
// lists them.
var unsupported = map[string]missing{}

type missing struct{ category, note string }

// notYet records Flink functions of one section that are missing.
func notYet(category, note string, names ...string) {
	for _, n := range names {
		unsupported[n] = missing{category, note}
	}
}

// otherForms lists, per section, Flink's built-ins that are operators,
// literals or aggregates: supported ones (handled outside the specs, by
// the parser, runtime/expr's operators or the aggregation operators) and
// syntax not supported yet. They are listed in the docs only.
var otherForms = map[string]struct{ supported, missing []string }{}

func forms(category string, supported, missing []string) {
	otherForms[category] = struct{ supported, missing []string }{supported, missing}
}

func init() {
	forms("comparison", []string{"=", "<>", ">", ">=", "<", "<=", "IS [NOT] NULL", "IS [NOT] DISTINCT FROM", "[NOT] BETWEEN [ASYMMETRIC | SYMMETRIC]",
		"[NOT] LIKE [ESCAPE]", "[NOT] IN (values)", "[NOT] EXISTS (subquery) (as a semi or anti join)", "[NOT] IN (subquery) (as a semi or anti join)"},
		nil)
	forms("logical", []string{"OR", "AND", "NOT", "IS [NOT] TRUE", "IS [NOT] FALSE", "IS [NOT] UNKNOWN"}, nil)
	forms("arithmetic", []string{"+ numeric", "- numeric", "+", "-", "*", "/", "%"}, nil)
	forms("string", []string{"||"}, nil)
	forms("temporal", []string{"DATE 'literal'", "TIME 'literal'", "TIMESTAMP 'literal'", "INTERVAL 'literal' unit", "timepoint ± interval"}, nil)
	forms("conditional", []string{"CASE WHEN ... THEN ... END", "CASE value WHEN value1 [, value2]* THEN ... END"}, nil)
	forms("conversion", []string{"CAST(value AS type)", "TRY_CAST(value AS type)"}, nil)
	forms("collection", []string{"array[index] (1-based; NULL out of range)", "map[key] (NULL when absent)"}, nil)
	forms("valueconstruction", []string{"(value1, value2 [, value]*) (an implicit ROW)"}, nil)
	forms("valueaccess", []string{"composite.field", "composite.field.subfield", "table.composite.field"}, []string{"composite.*"})
	forms("aggregate", []string{"agg(...) FILTER (WHERE ...)"}, nil)

	notYet("aggregate", "", "COLLECT")
	notYet("aggregate", "Top-N takes ROW_NUMBER() only, as Flink's streaming mode", "RANK", "DENSE_RANK")
	notYet("aggregate", "an OVER window takes aggregate functions and, in Top-N, ROW_NUMBER()", "LEAD", "LAG", "CUME_DIST", "PERCENT_RANK", "NTILE")
}

// Unsupported reports whether name is a Flink built-in function that is
// not supported yet, with a note to append to the error (may be empty).
func Unsupported(name string) (string, bool) {
	m, ok := unsupported[name]
	if ok && m.note != "" {
		return " (" + m.note + ")", true
	}
	return "", ok
}

// UnsupportedNames lists them sorted.
func UnsupportedNames() []string {
	out := make([]string, 0, len(unsupported))
	for n := range unsupported {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
