package functions

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/streamsql/streamsql/sql/types"
)

func init() {
	Register(&Spec{Name: "ABS", Category: "arithmetic", Syntax: "ABS(numeric)", MinArgs: 1, MaxArgs: 1,
		Doc: "The absolute value.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := wantNumeric(a, 0); e != nil {
				return types.Type{}, e
			}
			return a[0].T.WithoutRowtime(), nil
		},
		Build: buildAbs,
		Examples: []Example{{"ABS(-5)", "5"}, {"ABS(-1.50)", "1.50"}, {"ABS(-2.5E0)", "2.5"}, {"ABS(CAST(NULL AS INT))", "NULL"},
			{"ABS(CAST(-2147483648 AS INT))", "-2147483648"}, {"ABS('x')", "error: argument 1 must be numeric"}}})
	floorCeil := func(a []Operand) (types.Type, *ArgError) {
		if e := wantNumeric(a, 0); e != nil {
			return types.Type{}, e
		}
		t := a[0].T
		if t.Kind == types.Decimal {
			return types.Type{Kind: types.Decimal, Precision: min(types.MaxDecimalPrecision, t.Precision-t.Scale+1), NotNull: t.NotNull}, nil
		}
		return t.WithoutRowtime(), nil
	}
	Register(&Spec{Name: "FLOOR", Category: "arithmetic", Syntax: "FLOOR(numeric), FLOOR(timepoint TO unit)", MinArgs: 1, MaxArgs: 1,
		Doc:   "Rounds down: a number to an integer value, a date, time or timestamp to a unit (MILLISECOND ... YEAR, WEEK starts on Sunday).",
		Infer: floorCeil, Build: buildFloorCeil,
		Examples: []Example{{"FLOOR(1.7)", "1"}, {"FLOOR(-1.2)", "-2"}, {"FLOOR(-1.5E0)", "-2.0"}, {"FLOOR(7)", "7"}, {"FLOOR(CAST(NULL AS DOUBLE))", "NULL"}}})
	Register(&Spec{Name: "CEIL", Aliases: []string{"CEILING"}, Category: "arithmetic", Syntax: "CEIL(numeric), CEILING(numeric), CEIL(timepoint TO unit)", MinArgs: 1, MaxArgs: 1,
		Doc:   "Rounds up: a number to an integer value, a date, time or timestamp to a unit.",
		Infer: floorCeil, Build: buildFloorCeil,
		Examples: []Example{{"CEIL(1.2)", "2"}, {"CEILING(-1.7)", "-1"}, {"CEIL(1.5E0)", "2.0"}, {"CEIL(CAST(NULL AS DOUBLE))", "NULL"}}})
	Register(&Spec{Name: "ROUND", Category: "arithmetic", Syntax: "ROUND(numeric[, digits])", MinArgs: 1, MaxArgs: 2,
		Doc:   "Rounds HALF_UP to digits decimal places (default 0; negative: left of the point).",
		Infer: roundType,
		Build: buildRound,
		Examples: []Example{{"ROUND(2.675E0, 2)", "2.68"}, {"ROUND(-2.5E0)", "-3.0"}, {"ROUND(1234, -2)", "1200"}, {"ROUND(3.14159, 3)", "3.142"},
			{"ROUND(CAST(NULL AS DOUBLE), 1)", "NULL"}}})
	Register(&Spec{Name: "POWER", Aliases: []string{"POW"}, Category: "arithmetic", Syntax: "POWER(numeric1, numeric2)", MinArgs: 2, MaxArgs: 2,
		Doc:   "numeric1 raised to the power numeric2, as a DOUBLE.",
		Infer: sig(types.TDouble, wantNumeric, wantNumeric), Build: buildPower,
		Examples: []Example{{"POWER(2, 10)", "1024.0"}, {"POW(4, 0.5)", "2.0"}, {"POWER(2, CAST(NULL AS INT))", "NULL"}}})
	Register(&Spec{Name: "MOD", Category: "arithmetic", Syntax: "MOD(numeric1, numeric2), numeric1 % numeric2", MinArgs: 2, MaxArgs: 2,
		Doc: "The remainder of numeric1 divided by numeric2, with the sign of numeric1; division by zero is an error.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantNumeric(a, 0), wantNumeric(a, 1)); e != nil {
				return types.Type{}, e
			}
			t, _ := ArithType("%", a[0].T, a[1].T)
			return t, nil
		},
		Build:    func(env *Env, call *Call, args []Arg) (Eval, error) { return env.Operator("%", call.T, args) },
		Examples: []Example{{"MOD(7, -3)", "1"}, {"MOD(-7, 3)", "-1"}, {"MOD(7.5, 2)", "1.5"}, {"MOD(CAST(NULL AS INT), 2)", "NULL"}, {"MOD(i, 0)", "error: division by zero"}}})
}

func buildAbs(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	f := args[0].F
	k := call.T.Kind
	switch {
	case k.IsInteger():
		nw := NarrowFn(k)
		if nw == nil {
			nw = func(x int64) int64 { return x }
		}
		return func(ctx *Ctx, row []types.Value) types.Value {
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
		conv, err := F64Of(args[0].T.Kind)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: int64(math.Float64bits(math.Abs(conv(v))))}
		}, nil
	case k == types.Decimal:
		p, s := call.T.Precision, call.T.Scale
		return func(ctx *Ctx, row []types.Value) types.Value {
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
	return nil, fmt.Errorf("ABS of %s", args[0].T)
}

// FLOOR(x) / CEIL(x) on numbers (the time forms are FLOOR_TO / CEIL_TO).
func buildFloorCeil(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	if args[0].T.Kind.IsTimestamp() || args[0].T.Kind == types.Date {
		return nil, fmt.Errorf("%s of %s needs a unit (FLOOR(x TO unit))", call.Func, args[0].T)
	}
	f := args[0].F
	floor := call.Func == "FLOOR"
	k := call.T.Kind
	switch {
	case k.IsInteger():
		return func(ctx *Ctx, row []types.Value) types.Value { return f(ctx, row) }, nil
	case k == types.Float || k == types.Double:
		g := math.Ceil
		if floor {
			g = math.Floor
		}
		conv, err := F64Of(args[0].T.Kind)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row []types.Value) types.Value {
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
		return func(ctx *Ctx, row []types.Value) types.Value {
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
	return nil, fmt.Errorf("%s of %s", call.Func, args[0].T)
}

// ROUND(x[, d]) rounds HALF_UP as Flink's SqlFunctionUtils.sround: a
// DOUBLE goes through BigDecimal.valueOf (its shortest decimal form), so
// ROUND(2.675, 2) is 2.68 and ROUND(-2.5) is -3.
func buildRound(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	f := args[0].F
	var fd Eval
	if len(args) == 2 {
		if !args[1].T.Kind.IsInteger() && args[1].T.Kind != types.Null {
			return nil, fmt.Errorf("the number of digits must be an integer, not %s", args[1].T)
		}
		fd = args[1].F
	}
	k := call.T.Kind
	fk := args[0].T.Kind
	digits := func(ctx *Ctx, row []types.Value) (int, bool) {
		if fd == nil {
			return 0, true
		}
		d := fd(ctx, row)
		if d.K == types.Null {
			return 0, false
		}
		return int(d.I), true
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
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
			if nw := NarrowFn(k); nw != nil {
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
				return Fail(ctx, err)
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
		return Fail(ctx, fmt.Errorf("ROUND of %s", fk))
	}, nil
}

func buildPower(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	ca, err := F64Of(args[0].T.Kind)
	if err != nil {
		return nil, err
	}
	cb, err := F64Of(args[1].T.Kind)
	if err != nil {
		return nil, err
	}
	fa, fb := args[0].F, args[1].F
	return func(ctx *Ctx, row []types.Value) types.Value {
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

// NarrowFn wraps an int64 to the width of an integer kind, as Java's int,
// short and byte arithmetic does (nil for BIGINT).
func NarrowFn(k types.Kind) func(int64) int64 {
	switch k {
	case types.TinyInt:
		return func(x int64) int64 { return int64(int8(x)) }
	case types.SmallInt:
		return func(x int64) int64 { return int64(int16(x)) }
	case types.Int:
		return func(x int64) int64 { return int64(int32(x)) }
	}
	return nil
}

// F64Of returns a converter from a numeric value of kind k to float64.
func F64Of(k types.Kind) (func(types.Value) float64, error) {
	switch {
	case k.IsInteger():
		return func(v types.Value) float64 { return float64(v.I) }, nil
	case k == types.Float || k == types.Double:
		return func(v types.Value) float64 { return v.F() }, nil
	case k == types.Decimal:
		return types.DecimalToFloat, nil
	}
	return nil, fmt.Errorf("%s is not numeric", k)
}
