package functions

import (
	"fmt"

	"github.com/streamsql/streamsql/sql/types"
)

// Conditional functions (Flink's "Conditional Functions"; CASE is an
// operator in runtime/expr).

func init() {
	Register(&Spec{Name: "COALESCE", Category: "conditional", Syntax: "COALESCE(value1[, value2]*)", MinArgs: 1, MaxArgs: -1,
		Doc: "The first argument that is not NULL; the result has the arguments' common type and is NOT NULL when any argument is.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			t, ok := commonOf(a)
			if !ok {
				return types.Type{}, &ArgError{-1, "cannot find a common type for COALESCE(" + typeList(a) + ")"}
			}
			t.NotNull = false
			for _, x := range a {
				if x.T.NotNull {
					t.NotNull = true
				}
			}
			return t, nil
		},
		Build: buildCoalesce,
		Examples: []Example{{"COALESCE(NULL, 'default')", "default"}, {"COALESCE(CAST(NULL AS INT), i, 0)", "7"}, {"COALESCE(CAST(NULL AS INT), 1.5)", "1.5"},
			{"COALESCE(CAST(NULL AS INT))", "NULL"}, {"COALESCE(1, 'a')", "error: cannot find a common type"}}})
	Register(&Spec{Name: "NULLIF", Category: "conditional", Syntax: "NULLIF(value1, value2)", MinArgs: 2, MaxArgs: 2,
		Doc: "NULL if value1 equals value2, else value1.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if !Comparable(a[0].T, a[1].T) {
				return types.Type{}, &ArgError{-1, "cannot compare " + typeList(a) + " in NULLIF"}
			}
			return a[0].T.WithoutRowtime().Nullable(), nil
		},
		Build:    buildNullIf,
		Examples: []Example{{"NULLIF(5, 5)", "NULL"}, {"NULLIF(5, 0)", "5"}, {"NULLIF(5, CAST(NULL AS INT))", "5"}, {"NULLIF('a', 1)", "error: cannot compare"}}})
	Register(&Spec{Name: "IF", Category: "conditional", Syntax: "IF(condition, true_value, false_value)", MinArgs: 3, MaxArgs: 3,
		Doc: "true_value when condition is TRUE, else (FALSE or NULL) false_value.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if k := a[0].T.Kind; k != types.Boolean && k != types.Null {
				return types.Type{}, &ArgError{0, "the condition of IF must be BOOLEAN, not " + a[0].T.String()}
			}
			t, ok := commonOf(a[1:])
			if !ok {
				return types.Type{}, &ArgError{-1, "cannot find a common type for the results of IF(" + typeList(a[1:]) + ")"}
			}
			return t, nil
		},
		Build:    buildIf,
		Examples: []Example{{"IF(5 > 3, 5, 3)", "5"}, {"IF(CAST(NULL AS BOOLEAN), 'y', 'n')", "n"}, {"IF(1, 2, 3)", "error: the condition of IF must be BOOLEAN"}}})
}

func commonOf(a []Operand) (types.Type, bool) {
	ts := make([]types.Type, len(a))
	for i, x := range a {
		ts[i] = x.T
	}
	return CommonType(ts...)
}

// checkBool rejects non-BOOLEAN arguments.
func checkBool(args []Arg) error {
	for i, a := range args {
		if a.T.Kind != types.Boolean && a.T.Kind != types.Null {
			return fmt.Errorf("argument %d must be BOOLEAN, not %s", i+1, a.T)
		}
	}
	return nil
}

func buildCoalesce(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, -1); err != nil {
		return nil, err
	}
	fs := make([]Eval, len(args))
	for i, a := range args {
		f, err := c.Coerce(a, call.T)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		for _, f := range fs {
			if v := f(ctx, row); v.K != types.Null {
				return v
			}
		}
		return nullV
	}, nil
}

// NULLIF(a, b): NULL when a = b, else a.
func buildNullIf(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	eq, err := c.Equal(args[0].T, args[1].T)
	if err != nil {
		return nil, err
	}
	fa, err := c.Coerce(args[0], call.T)
	if err != nil {
		return nil, err
	}
	raw, fb := args[0].F, args[1].F
	return func(ctx *Ctx, row []types.Value) types.Value {
		x := raw(ctx, row)
		if x.K == types.Null {
			return nullV
		}
		if y := fb(ctx, row); y.K != types.Null && eq(ctx, x, y) {
			return nullV
		}
		return fa(ctx, row)
	}, nil
}

// IF(cond, a, b): a when cond is TRUE, b when FALSE or NULL.
func buildIf(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 3, 3); err != nil {
		return nil, err
	}
	if err := checkBool(args[:1]); err != nil {
		return nil, err
	}
	cond := args[0].F
	fa, err := c.Coerce(args[1], call.T)
	if err != nil {
		return nil, err
	}
	fb, err := c.Coerce(args[2], call.T)
	if err != nil {
		return nil, err
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		if v := cond(ctx, row); v.K != types.Null && v.I != 0 {
			return fa(ctx, row)
		}
		return fb(ctx, row)
	}, nil
}
