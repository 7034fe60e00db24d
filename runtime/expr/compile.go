package expr

import (
	"errors"
	"fmt"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// node is a compiled sub-expression: its closure, static type, and when it
// is a constant or a plain column read, that fact (so parents can
// specialise on it).
type node struct {
	f     Func
	t     types.Type
	konst bool
	v     types.Value // the constant when konst
	col   int         // input column when a plain ColRef, else -1
	name  string      // for error messages
	fn    string      // the function or operator when a call (even folded)
}

type compiler struct {
	loc *time.Location
	env functions.Env // what function specs' builders may use
}

func compile(e planner.Expr, env *Env) (Func, error) {
	c := &compiler{loc: time.UTC}
	if env != nil && env.TimeZone != nil {
		c.loc = env.TimeZone
	}
	c.env = functions.Env{
		Loc: c.loc,
		Cast: func(a functions.Arg, to types.Type, try bool) (Func, error) {
			return c.castFunc(fromArg(a), to, try)
		},
		Compare: func(a, b types.Type) (func(*Ctx, types.Value, types.Value) int, error) {
			cl, err := classify(a, b)
			if err != nil {
				return nil, err
			}
			return c.comparator(cl, a, b), nil
		},
		Equal: c.equality,
		Operator: func(op string, t types.Type, args []functions.Arg) (Func, error) {
			b, ok := registry[op]
			if !ok {
				return nil, fmt.Errorf("unknown operator %s", op)
			}
			ns := make([]node, len(args))
			for i, a := range args {
				ns[i] = fromArg(a)
			}
			return b(c, &planner.Call{Func: op, T: t}, ns)
		},
	}
	n, err := c.expr(e)
	if err != nil {
		return nil, err
	}
	return n.f, nil
}

func constNode(v types.Value, t types.Type) node {
	return node{f: func(*Ctx, core.Row) types.Value { return v }, t: t, konst: true, v: v, col: -1}
}

func (c *compiler) expr(e planner.Expr) (node, error) {
	switch e := e.(type) {
	case *planner.ColRef:
		if e.Index < 0 {
			return node{}, fmt.Errorf("column reference %s has a negative index", e.String())
		}
		i := e.Index
		name := e.Name
		if name == "" {
			name = fmt.Sprintf("$%d", i)
		}
		return node{f: func(_ *Ctx, row core.Row) types.Value { return row[i] }, t: e.T, col: i, name: name}, nil
	case *planner.Const:
		v := e.V
		if v.K != types.Null && e.T.Kind != types.Null && v.K != e.T.Kind && !(v.K == types.String && e.T.Kind == types.Bytes) {
			// A literal the planner typed differently from its value (say an
			// INT value for a BIGINT column): convert it once.
			cv, err := castConst(v, e.T, c.loc)
			if err != nil {
				return node{}, fmt.Errorf("constant %s as %s: %w", types.FormatValue(v, types.Type{Kind: v.K}, c.loc), e.T, err)
			}
			v = cv
		}
		n := constNode(v, e.T)
		n.name = "constant"
		return n, nil
	case *planner.Call:
		return c.call(e)
	case nil:
		return node{}, errors.New("nil expression")
	}
	return node{}, fmt.Errorf("unsupported expression %T", e)
}

// builder compiles one function given its compiled arguments.
type builder func(c *compiler, call *planner.Call, args []node) (Func, error)

var registry map[string]builder

func init() {
	registry = map[string]builder{}
	for _, op := range []string{"+", "-", "*", "/", "%", "MOD"} {
		registry[op] = buildArith
	}
	registry["NEG"] = buildNeg
	for _, op := range []string{"=", "<>", "<", "<=", ">", ">="} {
		registry[op] = buildCompare
	}
	registry["IS DISTINCT FROM"] = buildDistinct
	registry["IS NOT DISTINCT FROM"] = buildDistinct
	registry["AND"] = buildAnd
	registry["OR"] = buildOr
	registry["NOT"] = buildNot
	for _, op := range []string{"IS NULL", "IS NOT NULL", "IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE", "IS UNKNOWN", "IS NOT UNKNOWN"} {
		registry[op] = buildIs
	}
	registry["CASE"] = buildCase
	registry["IN"] = buildIn
	registry["NOT IN"] = buildIn
	registry["BETWEEN"] = buildBetween
	registry["NOT BETWEEN"] = buildBetween
	registry["CAST"] = buildCast
	registry["TRY_CAST"] = buildCast
	registry["LIKE"] = buildLike
	registry["NOT LIKE"] = buildLike
	// || is CONCAT of two
	concat, _ := functions.Lookup("CONCAT")
	registry["||"] = func(c *compiler, call *planner.Call, args []node) (Func, error) {
		return c.buildSpec(concat, call, args)
	}
}

func (c *compiler) call(e *planner.Call) (node, error) {
	b, ok := registry[e.Func]
	spec, isFunc := functions.Lookup(e.Func)
	if !ok && !isFunc {
		return node{}, fmt.Errorf("unknown function %s", e.Func)
	}
	args := make([]node, len(e.Args))
	allConst := true
	for i, a := range e.Args {
		n, err := c.expr(a)
		if err != nil {
			return node{}, err
		}
		args[i] = n
		allConst = allConst && n.konst
	}
	var f Func
	var err error
	if ok {
		f, err = b(c, e, args)
	} else {
		f, err = c.buildSpec(spec, e, args)
	}
	if err != nil {
		return node{}, fmt.Errorf("%s: %w", e.Func, err)
	}
	n := node{f: f, t: e.T, col: -1, name: e.Func, fn: e.Func}
	if allConst && !(isFunc && spec.Volatile) {
		ctx := &Ctx{TimeZone: c.loc, Watermark: core.MinWatermark}
		v := f(ctx, nil)
		if ctx.Err == nil {
			n = constNode(v, e.T)
			n.fn = e.Func
		}
	}
	return n, nil
}

// buildSpec builds a call of a function spec: its compiled closure is
// used as is (Func and functions.Eval are the same type).
func (c *compiler) buildSpec(s *functions.Spec, e *planner.Call, args []node) (Func, error) {
	return s.Build(&c.env, &functions.Call{Func: e.Func, Unit: e.Unit, T: e.T}, toArgs(args))
}

func toArgs(args []node) []functions.Arg {
	as := make([]functions.Arg, len(args))
	for i, a := range args {
		as[i] = functions.Arg{F: a.f, T: a.t, Konst: a.konst, V: a.v, Col: a.col, Func: a.fn}
	}
	return as
}

func fromArg(a functions.Arg) node {
	return node{f: a.F, t: a.T, konst: a.Konst, v: a.V, col: a.Col, name: "argument"}
}

// zone returns the session time zone for evaluation.
func (c *compiler) zone(ctx *Ctx) *time.Location {
	if ctx.TimeZone != nil {
		return ctx.TimeZone
	}
	return c.loc
}

// fail records the first runtime error and returns NULL.
func fail(c *Ctx, err error) types.Value {
	if c.Err == nil {
		c.Err = err
	}
	return types.NullValue
}

func wantArgs(args []node, lo, hi int) error {
	if len(args) < lo || (hi >= 0 && len(args) > hi) {
		if lo == hi {
			return fmt.Errorf("takes %d arguments, got %d", lo, len(args))
		}
		return fmt.Errorf("takes %d to %d arguments, got %d", lo, hi, len(args))
	}
	return nil
}

var nullV = types.NullValue

func boolV(b bool) types.Value {
	if b {
		return types.Value{K: types.Boolean, I: 1}
	}
	return types.Value{K: types.Boolean}
}
