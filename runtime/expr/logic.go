package expr

import (
	"fmt"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func checkBool(args []node) error {
	for i, a := range args {
		if a.t.Kind != types.Boolean && a.t.Kind != types.Null {
			return fmt.Errorf("argument %d is %s, want BOOLEAN", i+1, a.t)
		}
	}
	return nil
}

// AND: FALSE if any operand is FALSE, else NULL if any is NULL, else TRUE.
func buildAnd(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, -1); err != nil {
		return nil, err
	}
	if err := checkBool(args); err != nil {
		return nil, err
	}
	if len(args) == 2 {
		fa, fb := args[0].f, args[1].f
		return func(ctx *Ctx, row core.Row) types.Value {
			x := fa(ctx, row)
			if x.K != types.Null && x.I == 0 {
				return x
			}
			y := fb(ctx, row)
			if y.K != types.Null && y.I == 0 {
				return y
			}
			if x.K == types.Null || y.K == types.Null {
				return nullV
			}
			return boolV(true)
		}, nil
	}
	fs := funcs(args)
	return func(ctx *Ctx, row core.Row) types.Value {
		null := false
		for _, f := range fs {
			v := f(ctx, row)
			if v.K == types.Null {
				null = true
			} else if v.I == 0 {
				return boolV(false)
			}
		}
		if null {
			return nullV
		}
		return boolV(true)
	}, nil
}

// OR: TRUE if any operand is TRUE, else NULL if any is NULL, else FALSE.
func buildOr(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, -1); err != nil {
		return nil, err
	}
	if err := checkBool(args); err != nil {
		return nil, err
	}
	fs := funcs(args)
	return func(ctx *Ctx, row core.Row) types.Value {
		null := false
		for _, f := range fs {
			v := f(ctx, row)
			if v.K == types.Null {
				null = true
			} else if v.I != 0 {
				return boolV(true)
			}
		}
		if null {
			return nullV
		}
		return boolV(false)
	}, nil
}

func funcs(args []node) []Func {
	fs := make([]Func, len(args))
	for i, a := range args {
		fs[i] = a.f
	}
	return fs
}

func buildNot(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	if err := checkBool(args); err != nil {
		return nil, err
	}
	f := args[0].f
	return func(ctx *Ctx, row core.Row) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		return boolV(v.I == 0)
	}, nil
}

// IS [NOT] NULL / TRUE / FALSE / UNKNOWN never return NULL.
func buildIs(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	f := args[0].f
	var test func(v types.Value) bool
	switch call.Func {
	case "IS NULL", "IS UNKNOWN":
		test = func(v types.Value) bool { return v.K == types.Null }
	case "IS NOT NULL", "IS NOT UNKNOWN":
		test = func(v types.Value) bool { return v.K != types.Null }
	case "IS TRUE":
		test = func(v types.Value) bool { return v.K != types.Null && v.I != 0 }
	case "IS NOT TRUE":
		test = func(v types.Value) bool { return v.K == types.Null || v.I == 0 }
	case "IS FALSE":
		test = func(v types.Value) bool { return v.K != types.Null && v.I == 0 }
	case "IS NOT FALSE":
		test = func(v types.Value) bool { return v.K == types.Null || v.I != 0 }
	}
	if call.Func != "IS NULL" && call.Func != "IS NOT NULL" {
		if err := checkBool(args); err != nil {
			return nil, err
		}
	}
	return func(ctx *Ctx, row core.Row) types.Value { return boolV(test(f(ctx, row))) }, nil
}

// coerce converts a branch to the call's result type when it differs
// (CASE, COALESCE, IF, NULLIF), as Flink's implicit widening does.
func (c *compiler) coerce(n node, to types.Type) (Func, error) {
	if functions.SameRepr(n.t, to) {
		return n.f, nil
	}
	return c.castFunc(n, to, false)
}

func buildCase(c *compiler, call *planner.Call, args []node) (Func, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("needs at least one WHEN ... THEN")
	}
	n := len(args) / 2
	conds := make([]Func, n)
	results := make([]Func, n)
	for i := 0; i < n; i++ {
		if err := checkBool(args[2*i : 2*i+1]); err != nil {
			return nil, fmt.Errorf("WHEN %d: %w", i+1, err)
		}
		conds[i] = args[2*i].f
		r, err := c.coerce(args[2*i+1], call.T)
		if err != nil {
			return nil, err
		}
		results[i] = r
	}
	var els Func
	if len(args)%2 == 1 {
		e, err := c.coerce(args[len(args)-1], call.T)
		if err != nil {
			return nil, err
		}
		els = e
	}
	return func(ctx *Ctx, row core.Row) types.Value {
		for i, cf := range conds {
			if v := cf(ctx, row); v.K != types.Null && v.I != 0 {
				return results[i](ctx, row)
			}
		}
		if els == nil {
			return nullV
		}
		return els(ctx, row)
	}, nil
}

// IN: TRUE on a match; otherwise NULL if the operand or any list element
// is NULL, else FALSE. NOT IN negates (NULL stays NULL).
func buildIn(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, -1); err != nil {
		return nil, err
	}
	not := call.Func == "NOT IN"
	x := args[0]
	list := args[1:]
	allConst := true
	for _, e := range list {
		allConst = allConst && e.konst
	}
	fx := x.f
	result := func(match, null bool) types.Value {
		if match {
			return boolV(!not)
		}
		if null {
			return nullV
		}
		return boolV(not)
	}
	if allConst && x.t.Kind != types.Null {
		cl0 := cmpClass(255)
		same := true
		hasNull := false
		for _, e := range list {
			if e.v.K == types.Null {
				hasNull = true
				continue
			}
			cl, err := classify(x.t, e.t)
			if err != nil {
				return nil, err
			}
			if cl0 == 255 {
				cl0 = cl
			} else if cl != cl0 {
				same = false
			}
		}
		if same && (cl0 == cmpInt || cl0 == cmpString) {
			if cl0 == cmpString {
				set := make(map[string]struct{}, len(list))
				for _, e := range list {
					if e.v.K != types.Null {
						set[e.v.S] = struct{}{}
					}
				}
				return func(ctx *Ctx, row core.Row) types.Value {
					v := fx(ctx, row)
					if v.K == types.Null {
						return nullV
					}
					_, ok := set[v.S]
					return result(ok, hasNull)
				}, nil
			}
			set := make(map[int64]struct{}, len(list))
			for _, e := range list {
				if e.v.K != types.Null {
					set[e.v.I] = struct{}{}
				}
			}
			return func(ctx *Ctx, row core.Row) types.Value {
				v := fx(ctx, row)
				if v.K == types.Null {
					return nullV
				}
				_, ok := set[v.I]
				return result(ok, hasNull)
			}, nil
		}
	}
	eqs := make([]func(*Ctx, types.Value, types.Value) bool, len(list))
	for i, e := range list {
		eq, err := c.equality(x.t, e.t)
		if err != nil {
			return nil, fmt.Errorf("list element %d: %w", i+1, err)
		}
		eqs[i] = eq
	}
	fs := funcs(list)
	return func(ctx *Ctx, row core.Row) types.Value {
		v := fx(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		null := false
		for i, f := range fs {
			e := f(ctx, row)
			if e.K == types.Null {
				null = true
				continue
			}
			if eqs[i](ctx, v, e) {
				return result(true, false)
			}
		}
		return result(false, null)
	}, nil
}

// BETWEEN is x >= lo AND x <= hi (asymmetric); NOT BETWEEN is
// x < lo OR x > hi, both with three-valued logic.
func buildBetween(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 3, 3); err != nil {
		return nil, err
	}
	not := call.Func == "NOT BETWEEN"
	op1, op2 := ">=", "<="
	if not {
		op1, op2 = "<", ">"
	}
	f1, err := c.compare(op1, args[0], args[1])
	if err != nil {
		return nil, err
	}
	f2, err := c.compare(op2, args[0], args[2])
	if err != nil {
		return nil, err
	}
	b := []node{{f: f1, t: types.TBoolean}, {f: f2, t: types.TBoolean}}
	if not {
		return buildOr(c, call, b)
	}
	return buildAnd(c, call, b)
}
