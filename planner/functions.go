package planner

import (
	"sort"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// The scalar functions are specs in planner/functions (one Spec per
// function: arity, type inference, runtime builder, docs and examples);
// this file keeps the aggregates and the group-window functions the
// planner handles itself.

// aggregateFuncs are the aggregate functions window aggregations support.
var aggregateFuncs = []string{"COUNT", "SUM", "AVG", "MIN", "MAX"}

func isAggregate(name string) bool {
	for _, n := range aggregateFuncs {
		if n == name {
			return true
		}
	}
	return false
}

// allFunctionNames lists every name a user may call, for suggestions.
func allFunctionNames() []string {
	names := functions.Names()
	names = append(names, aggregateFuncs...)
	names = append(names, window.FunctionNames()...)
	names = append(names, "CAST", "TRY_CAST", "EXTRACT")
	sort.Strings(names)
	return names
}

// operands is what a function spec's type inference sees of bound
// arguments.
func operands(args []Expr) []functions.Operand {
	ops := make([]functions.Operand, len(args))
	for i, a := range args {
		ops[i] = functions.Operand{T: a.Type()}
		switch a := a.(type) {
		case *Const:
			ops[i].Const, ops[i].V = true, a.V
		case *ColRef:
			ops[i].Column = true
		}
	}
	return ops
}

func typeList(args []Expr) string { return functions.TypeList(operands(args)) }

// aggType is the result type of an aggregate over an argument of type t
// (Flink's rules; COUNT ignores t).
func aggType(name string, t types.Type) (types.Type, string) {
	t = t.WithoutRowtime()
	switch name {
	case "COUNT":
		return types.Type{Kind: types.BigInt, NotNull: true}, ""
	case "SUM":
		// LogicalTypeMerging.findSumAggType: DECIMAL(38, s), otherwise the
		// argument's type, in which the sum wraps (SUM of TINYINT is TINYINT)
		switch {
		case t.Kind.IsInteger() || t.Kind == types.Float || t.Kind == types.Double:
			return types.Type{Kind: t.Kind}, ""
		case t.Kind == types.Decimal:
			return types.DecimalType(types.MaxDecimalPrecision, t.Scale), ""
		}
		return types.Type{}, "SUM needs a numeric argument, not " + t.String()
	case "AVG":
		switch {
		case t.Kind.IsInteger():
			return types.Type{Kind: t.Kind}, ""
		case t.Kind == types.Decimal:
			return types.DecimalType(types.MaxDecimalPrecision, max(6, t.Scale)), ""
		case t.Kind == types.Float || t.Kind == types.Double:
			return types.Type{Kind: t.Kind}, "" // FloatAvgAggFunction: FLOAT
		}
		return types.Type{}, "AVG needs a numeric argument, not " + t.String()
	case "MIN", "MAX":
		switch t.Kind {
		case types.Array, types.Map, types.Row:
			return types.Type{}, name + " cannot compare values of type " + t.String()
		}
		return t.Nullable(), ""
	}
	return types.Type{}, "unknown aggregate " + name
}

func allNotNull(args []Expr) bool {
	for _, a := range args {
		if !a.Type().NotNull {
			return false
		}
	}
	return true
}

// withNull is t, NOT NULL when every argument is.
func withNull(t types.Type, args []Expr) types.Type {
	t.NotNull = allNotNull(args)
	return t
}
