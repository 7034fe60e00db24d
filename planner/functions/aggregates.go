package functions

import (
	"sort"

	"github.com/streamsql/streamsql/sql/types"
)

// AggSpec is one built-in aggregate function: its names, arity, Flink's
// result type, a doc line and examples. The planner types a call with
// Infer; the window and group aggregation operators (runtime/ops/agg.go,
// aggfuncs.go) build its accumulator by name; docs/sql.md's aggregate
// table is generated from the specs; runtime/golden's
// TestAggregateExamples runs every example through the whole stack as a
// group aggregation over a file of the example's values.
type AggSpec struct {
	Name    string
	Aliases []string
	Syntax  string
	Doc     string
	// Star: the function takes * (COUNT(*)).
	Star bool
	// Sep: a second, constant string argument (LISTAGG's separator).
	Sep bool
	// OnNull: the first argument is the ON NULL mode ('NULL' or
	// 'ABSENT') the parser puts there (JSON_ARRAYAGG).
	OnNull bool
	// Pair: KEY k VALUE v (after the ON NULL mode); the planner passes
	// the aggregate one argument, ROW(k, v) (JSON_OBJECTAGG).
	Pair bool
	// Infer is the result type over an argument of type t (without its
	// rowtime flag), or a message saying why t is not accepted.
	Infer    func(name string, t types.Type) (types.Type, string)
	Examples []AggExample
}

// AggExample is the aggregate Call (over a column x of type Type) of the
// rows Input (JSON values, one per row; null for NULL) and its result as
// the print connector writes it, or "error: <part of the message>".
type AggExample struct {
	Type  string
	Input []string
	Call  string
	Want  string
}

var aggSpecs = map[string]*AggSpec{}
var aggOrder []*AggSpec

// RegisterAgg adds an aggregate spec under its name and aliases.
func RegisterAgg(s *AggSpec) {
	for _, n := range append([]string{s.Name}, s.Aliases...) {
		if _, dup := aggSpecs[n]; dup {
			panic("aggregate " + n + " registered twice")
		}
		aggSpecs[n] = s
	}
	aggOrder = append(aggOrder, s)
}

// Agg looks an aggregate up by its upper-case name.
func Agg(name string) (*AggSpec, bool) {
	s, ok := aggSpecs[name]
	return s, ok
}

// AggNames lists every aggregate name (aliases included), sorted.
func AggNames() []string {
	out := make([]string, 0, len(aggSpecs))
	for n := range aggSpecs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AllAggs lists the aggregate specs in registration order.
func AllAggs() []*AggSpec { return aggOrder }

func numericAgg(what string, f func(t types.Type) types.Type) func(string, types.Type) (types.Type, string) {
	return func(name string, t types.Type) (types.Type, string) {
		if !t.Kind.IsNumeric() {
			return types.Type{}, name + " needs a numeric argument, not " + t.String()
		}
		return f(t), ""
	}
}

// anyValue: the argument's type, nullable (an empty group gives NULL).
func anyValue(_ string, t types.Type) (types.Type, string) { return t.Nullable(), "" }

// varianceType is Flink's AVG type rule, which Calcite's variance
// functions share (FlinkTypeSystem.deriveAvgAggType): the argument's type.
func varianceType(name string, t types.Type) (types.Type, string) {
	switch {
	case t.Kind.IsInteger(), t.Kind == types.Float, t.Kind == types.Double:
		return types.Type{Kind: t.Kind}, ""
	case t.Kind == types.Decimal:
		return types.Type{}, name + " of DECIMAL is not supported yet: CAST the argument to DOUBLE"
	}
	return types.Type{}, name + " needs a numeric argument, not " + t.String()
}

func init() {
	RegisterAgg(&AggSpec{Name: "COUNT", Syntax: "COUNT([ALL | DISTINCT] x) | COUNT(*)", Star: true,
		Doc: "The number of rows (COUNT(*)) or of rows where x is not NULL.",
		Infer: func(string, types.Type) (types.Type, string) {
			return types.Type{Kind: types.BigInt, NotNull: true}, ""
		},
		Examples: []AggExample{{"INT", []string{"1", "null", "3"}, "COUNT(x)", "2"}, {"INT", []string{"1", "null", "3"}, "COUNT(*)", "3"},
			{"INT", []string{"1", "1", "3"}, "COUNT(DISTINCT x)", "2"}}})
	RegisterAgg(&AggSpec{Name: "SUM", Syntax: "SUM([ALL | DISTINCT] x)",
		Doc: "The sum of the non-NULL values, in the argument's type (DECIMAL(38, s) for DECIMAL); NULL when there are none.",
		// LogicalTypeMerging.findSumAggType: DECIMAL(38, s), otherwise the
		// argument's type, in which the sum wraps (SUM of TINYINT is TINYINT)
		Infer: numericAgg("SUM", func(t types.Type) types.Type {
			if t.Kind == types.Decimal {
				return types.DecimalType(types.MaxDecimalPrecision, t.Scale)
			}
			return types.Type{Kind: t.Kind}
		}),
		Examples: []AggExample{{"INT", []string{"1", "null", "3"}, "SUM(x)", "4"}, {"INT", []string{"null"}, "SUM(x)", "null"},
			{"STRING", []string{`"a"`}, "SUM(x)", "error: needs a numeric argument"}}})
	RegisterAgg(&AggSpec{Name: "AVG", Syntax: "AVG([ALL | DISTINCT] x)",
		Doc: "The average of the non-NULL values, in the argument's type (an integer average truncates; DECIMAL(38, max(6, s)) for DECIMAL).",
		Infer: numericAgg("AVG", func(t types.Type) types.Type {
			if t.Kind == types.Decimal {
				return types.DecimalType(types.MaxDecimalPrecision, max(6, t.Scale))
			}
			return types.Type{Kind: t.Kind}
		}),
		Examples: []AggExample{{"INT", []string{"1", "2"}, "AVG(x)", "1"}, {"DOUBLE", []string{"1", "2"}, "AVG(x)", "1.5"}}})
	minMax := func(name string, t types.Type) (types.Type, string) {
		switch t.Kind {
		case types.Array, types.Map, types.Row:
			return types.Type{}, name + " cannot compare values of type " + t.String()
		}
		return t.Nullable(), ""
	}
	RegisterAgg(&AggSpec{Name: "MIN", Syntax: "MIN([ALL | DISTINCT] x)", Doc: "The smallest non-NULL value.", Infer: minMax,
		Examples: []AggExample{{"INT", []string{"3", "null", "-1"}, "MIN(x)", "-1"}, {"STRING", []string{`"b"`, `"a"`}, "MIN(x)", "a"}}})
	RegisterAgg(&AggSpec{Name: "MAX", Syntax: "MAX([ALL | DISTINCT] x)", Doc: "The largest non-NULL value.", Infer: minMax,
		Examples: []AggExample{{"INT", []string{"3", "null", "-1"}, "MAX(x)", "3"}, {"ARRAY<INT>", []string{"[1]"}, "MAX(x)", "error: cannot compare"}}})

	// The variance family: Flink reduces them to SUM(x * x), SUM(x) and
	// COUNT(x) in the argument's type (Calcite's AggregateReduceFunctionsRule),
	// so an integer variance uses integer division and a truncated square root.
	RegisterAgg(&AggSpec{Name: "VAR_POP", Syntax: "VAR_POP([ALL | DISTINCT] x)", Infer: varianceType,
		Doc: "The population variance of the non-NULL values: (SUM(x*x) - SUM(x)*SUM(x)/COUNT(x)) / COUNT(x), in the argument's type (integer division for integers).",
		Examples: []AggExample{{"DOUBLE", []string{"1", "2", "3", "4"}, "VAR_POP(x)", "1.25"}, {"INT", []string{"1", "2", "3", "4"}, "VAR_POP(x)", "1"},
			{"DOUBLE", []string{"5"}, "VAR_POP(x)", "0.0"}, {"DOUBLE", []string{"null"}, "VAR_POP(x)", "null"},
			{"DECIMAL(10, 2)", []string{"1"}, "VAR_POP(x)", "error: not supported yet"}, {"STRING", []string{`"a"`}, "VAR_POP(x)", "error: needs a numeric argument"}}})
	RegisterAgg(&AggSpec{Name: "VAR_SAMP", Aliases: []string{"VARIANCE"}, Syntax: "VAR_SAMP([ALL | DISTINCT] x), VARIANCE(x)", Infer: varianceType,
		Doc: "The sample variance of the non-NULL values (divided by COUNT(x) - 1); NULL for a single value.",
		Examples: []AggExample{{"DOUBLE", []string{"1", "2", "3", "4"}, "VAR_SAMP(x)", "1.6666666666666667"}, {"INT", []string{"1", "2", "3", "4", "5"}, "VARIANCE(x)", "2"},
			{"DOUBLE", []string{"5", "null"}, "VAR_SAMP(x)", "null"}, {"DOUBLE", []string{"1", "2", "3", "4", "5"}, "VARIANCE(x)", "2.5"}, {"BIGINT", []string{"2", "4", "4", "4", "5", "5", "7", "9"}, "VARIANCE(x)", "4"}}})
	RegisterAgg(&AggSpec{Name: "STDDEV_POP", Syntax: "STDDEV_POP([ALL | DISTINCT] x)", Infer: varianceType,
		Doc: "The population standard deviation: POWER(VAR_POP(x), 0.5), cast to the argument's type (truncated for integers).",
		Examples: []AggExample{{"DOUBLE", []string{"2", "4", "4", "4", "5", "5", "7", "9"}, "STDDEV_POP(x)", "2.0"}, {"INT", []string{"1", "2", "3", "4", "5"}, "STDDEV_POP(x)", "1"}, {"DOUBLE", []string{"1", "2", "3", "4", "5"}, "STDDEV_POP(x)", "1.4142135623730951"},
			{"DOUBLE", []string{"1", "1", "3"}, "STDDEV_POP(DISTINCT x)", "1.0"}}})
	RegisterAgg(&AggSpec{Name: "STDDEV_SAMP", Aliases: []string{"STDDEV"}, Syntax: "STDDEV_SAMP([ALL | DISTINCT] x), STDDEV(x)", Infer: varianceType,
		Doc: "The sample standard deviation: POWER(VAR_SAMP(x), 0.5); NULL for a single value.",
		Examples: []AggExample{{"DOUBLE", []string{"1", "3"}, "STDDEV_SAMP(x)", "1.4142135623730951"}, {"INT", []string{"1", "2", "3", "4", "5"}, "STDDEV(x)", "1"}, {"DOUBLE", []string{"1", "2", "3", "4", "5"}, "STDDEV(x)", "1.5811388300841898"},
			{"DOUBLE", []string{"1"}, "STDDEV(x)", "null"}}})

	RegisterAgg(&AggSpec{Name: "FIRST_VALUE", Syntax: "FIRST_VALUE(x)", Infer: anyValue,
		Doc:      "The first non-NULL value in arrival order; in a group aggregation a retracted value gives way to the next one.",
		Examples: []AggExample{{"STRING", []string{"null", `"b"`, `"a"`}, "FIRST_VALUE(x)", "b"}, {"INT", []string{"null"}, "FIRST_VALUE(x)", "null"}}})
	RegisterAgg(&AggSpec{Name: "LAST_VALUE", Syntax: "LAST_VALUE(x)", Infer: anyValue,
		Doc:      "The last non-NULL value in arrival order; in a group aggregation a retracted value gives way to the one before.",
		Examples: []AggExample{{"STRING", []string{`"b"`, `"a"`, "null"}, "LAST_VALUE(x)", "a"}, {"INT", []string{"7", "8"}, "LAST_VALUE(x)", "8"}}})
	RegisterAgg(&AggSpec{Name: "LISTAGG", Syntax: "LISTAGG(x [, separator])", Sep: true,
		Doc: "The non-NULL string values in arrival order joined by separator (a string literal, ',' by default); NULL when there are none.",
		Infer: func(name string, t types.Type) (types.Type, string) {
			if t.Kind != types.String {
				return types.Type{}, name + " needs a string argument, not " + t.String()
			}
			return types.TString, ""
		},
		Examples: []AggExample{{"STRING", []string{`"a"`, "null", `"b"`}, "LISTAGG(x)", "a,b"}, {"STRING", []string{`"a"`, `"b"`}, "LISTAGG(x, '; ')", "a; b"},
			{"STRING", []string{"null"}, "LISTAGG(x)", "null"}, {"INT", []string{"1"}, "LISTAGG(x)", "error: needs a string argument"},
			{"STRING", []string{`"a"`}, "LISTAGG(x, x)", "error: must be a string literal"}}})
	RegisterAgg(&AggSpec{Name: "ARRAY_AGG", Syntax: "ARRAY_AGG(x)",
		Doc: "An array of the values in arrival order, NULLs included (Flink's default RESPECT NULLS); NULL when there are no rows.",
		Infer: func(name string, t types.Type) (types.Type, string) {
			e := t.Nullable()
			return types.Type{Kind: types.Array, Elem: &e}, ""
		},
		Examples: []AggExample{{"INT", []string{"1", "null", "2"}, "ARRAY_AGG(x)", "[1, NULL, 2]"}, {"STRING", []string{`"a"`}, "ARRAY_AGG(x)", "[a]"}}})
	RegisterAgg(&AggSpec{Name: "JSON_ARRAYAGG", Syntax: "JSON_ARRAYAGG(x [{NULL | ABSENT} ON NULL])", OnNull: true,
		Doc: "A JSON array string of the values in arrival order; NULLs are left out (ABSENT ON NULL, the default) or written null (NULL ON NULL); a value made by JSON_OBJECT or JSON_ARRAY is still encoded as a string.",
		Infer: func(name string, t types.Type) (types.Type, string) {
			return types.Type{Kind: types.String, NotNull: true}, ""
		},
		Examples: []AggExample{{"STRING", []string{`"Apple"`, `"Banana"`, `"Orange"`}, "JSON_ARRAYAGG(x)", `["Apple","Banana","Orange"]`},
			{"INT", []string{"1", "null", "2"}, "JSON_ARRAYAGG(x)", "[1,2]"}, {"INT", []string{"1", "null", "2"}, "JSON_ARRAYAGG(x NULL ON NULL)", "[1,null,2]"},
			{"INT", []string{"null"}, "JSON_ARRAYAGG(x ABSENT ON NULL)", "[]"}}})
	RegisterAgg(&AggSpec{Name: "JSON_OBJECTAGG", Syntax: "JSON_OBJECTAGG([KEY] key VALUE value [{NULL | ABSENT} ON NULL])", OnNull: true, Pair: true,
		Doc: "A JSON object string of the key-value pairs, keys sorted; a NULL value is written null (NULL ON NULL, the default) or left out (ABSENT ON NULL); a value made by JSON_OBJECT or JSON_ARRAY is still encoded as a string. A repeated key keeps its latest value and a NULL key is skipped, where Flink fails the job. Retracting a row removes its pair.",
		Infer: func(name string, t types.Type) (types.Type, string) {
			if t.Kind != types.Row || len(t.Fields) != 2 || t.Fields[0].Type.Kind != types.String {
				return types.Type{}, name + " needs a string key and a value (KEY k VALUE v)"
			}
			return types.Type{Kind: types.String, NotNull: true}, ""
		},
		Examples: []AggExample{{"STRING", []string{`"Apple"`, `"Banana"`}, "JSON_OBJECTAGG(KEY x VALUE CHAR_LENGTH(x))", `{"Apple":5,"Banana":6}`},
			{"STRING", []string{`"b"`, "null", `"a"`}, "JSON_OBJECTAGG(x VALUE UPPER(x))", `{"a":"A","b":"B"}`},
			{"INT", []string{"1", "null"}, "JSON_OBJECTAGG(KEY 'k' || CAST(COALESCE(x, 0) AS STRING) VALUE x)", `{"k0":null,"k1":1}`},
			{"INT", []string{"1", "null"}, "JSON_OBJECTAGG(KEY 'k' || CAST(COALESCE(x, 0) AS STRING) VALUE x ABSENT ON NULL)", `{"k1":1}`},
			{"INT", []string{"1"}, "JSON_OBJECTAGG(KEY x VALUE x)", "error: needs a string key"}}})
}
