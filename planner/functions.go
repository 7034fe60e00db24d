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

func isAggregate(name string) bool {
	_, ok := functions.Agg(name)
	return ok
}

// allFunctionNames lists every name a user may call, for suggestions.
func allFunctionNames() []string {
	names := functions.Names()
	names = append(names, functions.AggNames()...)
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

// aggType is the result type of aggregate name over an argument of type
// t, by the aggregate's spec (planner/functions/aggregates.go).
func aggType(name string, t types.Type) (types.Type, string) {
	spec, ok := functions.Agg(name)
	if !ok {
		return types.Type{}, "unknown aggregate " + name
	}
	return spec.Infer(name, t.WithoutRowtime())
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
