package expr

import (
	"fmt"
	"math"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func narrowFn(k types.Kind) func(int64) int64 { return functions.NarrowFn(k) }

func f64Of(k types.Kind) (func(types.Value) float64, error) { return functions.F64Of(k) }

// decOf returns a converter from an integer or DECIMAL value to a DECIMAL value.
func decOf(k types.Kind) (func(types.Value) types.Value, error) {
	switch {
	case k.IsInteger():
		return func(v types.Value) types.Value { return types.DecimalValue(v.I, 0) }, nil
	case k == types.Decimal:
		return func(v types.Value) types.Value { return v }, nil
	}
	return nil, fmt.Errorf("%s cannot be used as DECIMAL here", k)
}

func isTimeKind(k types.Kind) bool {
	return k == types.Timestamp || k == types.TimestampLTZ || k == types.Date || k == types.Time ||
		k == types.IntervalDayTime || k == types.IntervalYearMonth
}

func buildArith(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	op := call.Func
	if op == "MOD" {
		op = "%"
	}
	a, b := args[0], args[1]
	t := call.T
	if isTimeKind(a.t.Kind) || isTimeKind(b.t.Kind) || isTimeKind(t.Kind) {
		return c.timeArith(op, a, b, t, call.String())
	}
	if !a.t.Kind.IsNumeric() && a.t.Kind != types.Null || !b.t.Kind.IsNumeric() && b.t.Kind != types.Null {
		return nil, fmt.Errorf("cannot apply %s to %s and %s", op, a.t, b.t)
	}
	if a.t.Kind == types.Null || b.t.Kind == types.Null {
		return func(*Ctx, core.Row) types.Value { return nullV }, nil
	}
	switch {
	case t.Kind.IsInteger():
		if !a.t.Kind.IsInteger() || !b.t.Kind.IsInteger() {
			return nil, fmt.Errorf("integer result %s from %s and %s", t, a.t, b.t)
		}
		return intArith(op, a, b, t.Kind)
	case t.Kind == types.Double || t.Kind == types.Float:
		return floatArith(op, a, b, t.Kind)
	case t.Kind == types.Decimal:
		return decArith(op, a, b, t)
	}
	return nil, fmt.Errorf("unsupported result type %s for %s", t, op)
}

func intArith(op string, a, b node, k types.Kind) (Func, error) {
	fa, fb := a.f, b.f
	nw := narrowFn(k)
	var g func(x, y int64) (int64, bool) // ok=false: division by zero
	switch op {
	case "+":
		if nw == nil {
			// BIGINT + BIGINT, the common case, fully specialised.
			if b.konst && b.v.K != types.Null {
				y := b.v.I
				return func(c *Ctx, row core.Row) types.Value {
					x := fa(c, row)
					if x.K == types.Null {
						return nullV
					}
					return types.Value{K: types.BigInt, I: x.I + y}
				}, nil
			}
			return func(c *Ctx, row core.Row) types.Value {
				x := fa(c, row)
				if x.K == types.Null {
					return nullV
				}
				y := fb(c, row)
				if y.K == types.Null {
					return nullV
				}
				return types.Value{K: types.BigInt, I: x.I + y.I}
			}, nil
		}
		g = func(x, y int64) (int64, bool) { return x + y, true }
	case "-":
		g = func(x, y int64) (int64, bool) { return x - y, true }
	case "*":
		g = func(x, y int64) (int64, bool) { return x * y, true }
	case "/":
		// Java: truncates toward zero; MIN / -1 overflows to MIN (as Go).
		g = func(x, y int64) (int64, bool) {
			if y == 0 {
				return 0, false
			}
			return x / y, true
		}
	case "%":
		g = func(x, y int64) (int64, bool) {
			if y == 0 {
				return 0, false
			}
			return x % y, true
		}
	default:
		return nil, fmt.Errorf("unknown operator %s", op)
	}
	if nw == nil {
		nw = func(x int64) int64 { return x }
	}
	return func(c *Ctx, row core.Row) types.Value {
		x := fa(c, row)
		if x.K == types.Null {
			return nullV
		}
		y := fb(c, row)
		if y.K == types.Null {
			return nullV
		}
		// Operands narrower than the result were already in range; the
		// operation happens in the result's width.
		r, ok := g(nw(x.I), nw(y.I))
		if !ok {
			return fail(c, fmt.Errorf("division by zero in %s %s %s", a.name, op, b.name))
		}
		return types.Value{K: k, I: nw(r)}
	}, nil
}

func floatArith(op string, a, b node, k types.Kind) (Func, error) {
	fa, fb := a.f, b.f
	ca, err := f64Of(a.t.Kind)
	if err != nil {
		return nil, err
	}
	cb, err := f64Of(b.t.Kind)
	if err != nil {
		return nil, err
	}
	if k == types.Double && a.t.Kind == types.Double && b.t.Kind == types.Double {
		// DOUBLE op DOUBLE: no conversions at all.
		var g func(x, y float64) float64
		switch op {
		case "+":
			g = func(x, y float64) float64 { return x + y }
		case "-":
			g = func(x, y float64) float64 { return x - y }
		case "*":
			g = func(x, y float64) float64 { return x * y }
		case "/":
			return func(c *Ctx, row core.Row) types.Value {
				x := fa(c, row)
				if x.K == types.Null {
					return nullV
				}
				y := fb(c, row)
				if y.K == types.Null {
					return nullV
				}
				return types.Value{K: types.Double, I: int64(math.Float64bits(x.F() / y.F()))}
			}, nil
		case "%":
			g = math.Mod
		default:
			return nil, fmt.Errorf("unknown operator %s", op)
		}
		return func(c *Ctx, row core.Row) types.Value {
			x := fa(c, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(c, row)
			if y.K == types.Null {
				return nullV
			}
			return types.Value{K: types.Double, I: int64(math.Float64bits(g(x.F(), y.F())))}
		}, nil
	}
	var g func(x, y float64) float64
	switch op {
	case "+":
		g = func(x, y float64) float64 { return x + y }
	case "-":
		g = func(x, y float64) float64 { return x - y }
	case "*":
		g = func(x, y float64) float64 { return x * y }
	case "/":
		g = func(x, y float64) float64 { return x / y }
	case "%":
		g = math.Mod
	default:
		return nil, fmt.Errorf("unknown operator %s", op)
	}
	if k == types.Float {
		// Java float arithmetic: operands become float, the result is rounded to float.
		return func(c *Ctx, row core.Row) types.Value {
			x := fa(c, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(c, row)
			if y.K == types.Null {
				return nullV
			}
			r := float32(g(float64(float32(ca(x))), float64(float32(cb(y)))))
			return types.FloatValue(r)
		}, nil
	}
	return func(c *Ctx, row core.Row) types.Value {
		x := fa(c, row)
		if x.K == types.Null {
			return nullV
		}
		y := fb(c, row)
		if y.K == types.Null {
			return nullV
		}
		return types.Value{K: types.Double, I: int64(math.Float64bits(g(ca(x), cb(y))))}
	}, nil
}

func decArith(op string, a, b node, t types.Type) (Func, error) {
	fa, fb := a.f, b.f
	ca, err := decOf(a.t.Kind)
	if err != nil {
		return nil, err
	}
	cb, err := decOf(b.t.Kind)
	if err != nil {
		return nil, err
	}
	p, s := t.Precision, t.Scale
	var g func(x, y types.Value) (types.Value, bool, error)
	switch op {
	case "+":
		g = func(x, y types.Value) (types.Value, bool, error) {
			v, ok := types.DecimalAdd(x, y, p, s)
			return v, ok, nil
		}
	case "-":
		g = func(x, y types.Value) (types.Value, bool, error) {
			v, ok := types.DecimalSub(x, y, p, s)
			return v, ok, nil
		}
	case "*":
		g = func(x, y types.Value) (types.Value, bool, error) {
			v, ok := types.DecimalMul(x, y, p, s)
			return v, ok, nil
		}
	case "/":
		g = func(x, y types.Value) (types.Value, bool, error) { return types.DecimalDiv(x, y, p, s) }
	case "%":
		g = func(x, y types.Value) (types.Value, bool, error) { return types.DecimalMod(x, y, p, s) }
	default:
		return nil, fmt.Errorf("unknown operator %s", op)
	}
	return func(c *Ctx, row core.Row) types.Value {
		x := fa(c, row)
		if x.K == types.Null {
			return nullV
		}
		y := fb(c, row)
		if y.K == types.Null {
			return nullV
		}
		r, ok, err := g(ca(x), cb(y))
		if err != nil {
			return fail(c, fmt.Errorf("%w in %s %s %s", err, a.name, op, b.name))
		}
		if !ok {
			return nullV // Flink: DECIMAL overflow gives NULL
		}
		return r
	}, nil
}

func buildNeg(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	f := args[0].f
	k := call.T.Kind
	switch {
	case k.IsInteger():
		nw := narrowFn(k)
		if nw == nil {
			nw = func(x int64) int64 { return x }
		}
		return func(c *Ctx, row core.Row) types.Value {
			x := f(c, row)
			if x.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: nw(-x.I)}
		}, nil
	case k == types.Float || k == types.Double:
		conv, err := f64Of(args[0].t.Kind)
		if err != nil {
			return nil, err
		}
		return func(c *Ctx, row core.Row) types.Value {
			x := f(c, row)
			if x.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: int64(math.Float64bits(-conv(x)))}
		}, nil
	case k == types.Decimal:
		conv, err := decOf(args[0].t.Kind)
		if err != nil {
			return nil, err
		}
		p, s := call.T.Precision, call.T.Scale
		return func(c *Ctx, row core.Row) types.Value {
			x := f(c, row)
			if x.K == types.Null {
				return nullV
			}
			r, ok := types.DecimalRescale(types.DecimalNeg(conv(x)), p, s)
			if !ok {
				return nullV
			}
			return r
		}, nil
	case k == types.IntervalDayTime || k == types.IntervalYearMonth:
		return func(c *Ctx, row core.Row) types.Value {
			x := f(c, row)
			if x.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: -x.I}
		}, nil
	}
	return nil, fmt.Errorf("cannot negate %s", args[0].t)
}
