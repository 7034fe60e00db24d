package expr

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func registerMathFuncs() {
	registry["ABS"] = buildAbs
	registry["FLOOR"] = buildFloorCeil
	registry["CEIL"] = buildFloorCeil
	registry["ROUND"] = buildRound
	registry["POWER"] = buildPower
}

func buildAbs(c *compiler, call *planner.Call, args []node) (Func, error) {
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
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			if v.I < 0 {
				return types.Value{K: k, I: nw(-v.I)} // Math.abs(MIN_VALUE) stays negative, as Java
			}
			return types.Value{K: k, I: v.I}
		}, nil
	case k == types.Float || k == types.Double:
		conv, err := f64Of(args[0].t.Kind)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: int64(math.Float64bits(math.Abs(conv(v))))}
		}, nil
	case k == types.Decimal:
		p, s := call.T.Precision, call.T.Scale
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			r, ok := types.DecimalRescale(types.DecimalAbs(v), p, s)
			if !ok {
				return nullV
			}
			return r
		}, nil
	}
	return nil, fmt.Errorf("ABS of %s", args[0].t)
}

// FLOOR(x) / CEIL(x) on numbers (the time forms are FLOOR_TO / CEIL_TO).
func buildFloorCeil(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	if args[0].t.Kind.IsTimestamp() || args[0].t.Kind == types.Date {
		return nil, fmt.Errorf("%s of %s needs a unit (FLOOR(x TO unit))", call.Func, args[0].t)
	}
	f := args[0].f
	floor := call.Func == "FLOOR"
	k := call.T.Kind
	switch {
	case k.IsInteger():
		return func(ctx *Ctx, row core.Row) types.Value { return f(ctx, row) }, nil
	case k == types.Float || k == types.Double:
		g := math.Ceil
		if floor {
			g = math.Floor
		}
		conv, err := f64Of(args[0].t.Kind)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: int64(math.Float64bits(g(conv(v))))}
		}, nil
	case k == types.Decimal:
		p, s := call.T.Precision, call.T.Scale
		g := types.DecimalCeil
		if floor {
			g = types.DecimalFloor
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			r, ok := g(v, p, s)
			if !ok {
				return nullV
			}
			return r
		}, nil
	}
	return nil, fmt.Errorf("%s of %s", call.Func, args[0].t)
}

// ROUND(x[, d]) rounds HALF_UP as Flink's SqlFunctionUtils.sround: a
// DOUBLE goes through BigDecimal.valueOf (its shortest decimal form), so
// ROUND(2.675, 2) is 2.68 and ROUND(-2.5) is -3.
func buildRound(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	f := args[0].f
	var fd Func
	if len(args) == 2 {
		if !args[1].t.Kind.IsInteger() && args[1].t.Kind != types.Null {
			return nil, fmt.Errorf("the number of digits must be an integer, not %s", args[1].t)
		}
		fd = args[1].f
	}
	k := call.T.Kind
	fk := args[0].t.Kind
	digits := func(ctx *Ctx, row core.Row) (int, bool) {
		if fd == nil {
			return 0, true
		}
		d := fd(ctx, row)
		if d.K == types.Null {
			return 0, false
		}
		return int(d.I), true
	}
	return func(ctx *Ctx, row core.Row) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		d, ok := digits(ctx, row)
		if !ok {
			return nullV
		}
		switch {
		case fk.IsInteger():
			if d >= 0 {
				return types.Value{K: k, I: v.I}
			}
			r, ok := types.DecimalRound(types.DecimalValue(v.I, 0), d, 38, 0)
			if !ok {
				return nullV
			}
			x, _ := types.DecimalToInt64(r)
			if nw := narrowFn(k); nw != nil {
				x = nw(x)
			}
			return types.Value{K: k, I: x}
		case fk == types.Float || fk == types.Double:
			x := v.F()
			if x != x || math.IsInf(x, 0) {
				return types.Value{K: k, I: v.I}
			}
			bits := 64
			if fk == types.Float {
				bits = 32
			}
			u, sc, err := types.ParseDecimal(strconv.FormatFloat(x, 'e', -1, bits))
			if err != nil {
				return fail(ctx, err)
			}
			if d >= sc {
				return types.Value{K: k, I: v.I} // already has no more than d digits
			}
			r := roundShortest(u, sc, d)
			if k == types.Float {
				return types.FloatValue(float32(r))
			}
			return types.DoubleValue(r)
		case fk == types.Decimal:
			r, ok := types.DecimalRound(v, d, call.T.Precision, call.T.Scale)
			if !ok {
				return nullV
			}
			return r
		}
		return fail(ctx, fmt.Errorf("ROUND of %s", fk))
	}, nil
}

func buildPower(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	ca, err := f64Of(args[0].t.Kind)
	if err != nil {
		return nil, err
	}
	cb, err := f64Of(args[1].t.Kind)
	if err != nil {
		return nil, err
	}
	fa, fb := args[0].f, args[1].f
	return func(ctx *Ctx, row core.Row) types.Value {
		x := fa(ctx, row)
		if x.K == types.Null {
			return nullV
		}
		y := fb(ctx, row)
		if y.K == types.Null {
			return nullV
		}
		return types.DoubleValue(math.Pow(ca(x), cb(y)))
	}, nil
}

// roundShortest rounds u*10^-sc to d fractional digits HALF_UP (d < sc)
// and returns the nearest float64.
func roundShortest(u *big.Int, sc, d int) float64 {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(sc-d)), nil)
	q, r := new(big.Int).QuoRem(u, p, new(big.Int))
	r.Abs(r)
	r.Lsh(r, 1)
	if r.Cmp(p) >= 0 {
		q.Add(q, big.NewInt(int64(u.Sign())))
	}
	// BigDecimal has no negative zero: ROUND(-0.4) is 0.0.
	f, _ := strconv.ParseFloat(q.String()+"e"+strconv.Itoa(-d), 64)
	return f
}
