package functions

import (
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	randv2 "math/rand/v2"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql/types"
)

// Math functions of Flink's "Arithmetic Functions" section beyond ABS,
// MOD, POWER, ROUND, FLOOR and CEIL (mathfn.go). Results follow Java's
// Math (Flink calls it): SQRT(-1) is NaN, LN(0) is -Infinity.

func init() {
	unary := func(name, syntax, doc string, g func(float64) float64, ex ...Example) {
		Register(&Spec{Name: name, Category: "arithmetic", Syntax: syntax, Doc: doc, MinArgs: 1, MaxArgs: 1,
			Infer: sig(types.TDouble, wantNumeric), Build: doubleFn(g), Examples: ex})
	}
	unary("SQRT", "SQRT(numeric)", "The square root, as a DOUBLE (NaN for a negative number).", math.Sqrt,
		Example{"SQRT(4)", "2.0"}, Example{"SQRT(2)", "1.4142135623730951"}, Example{"SQRT(-1)", "NaN"}, Example{"SQRT(CAST(NULL AS DOUBLE))", "NULL"})
	unary("LN", "LN(numeric)", "The natural logarithm (base e).", math.Log,
		Example{"LN(10)", "2.302585092994046"}, Example{"LN(1)", "0.0"}, Example{"LN(0)", "-Infinity"}, Example{"LN(-1)", "NaN"})
	unary("LOG10", "LOG10(numeric)", "The base 10 logarithm.", log10,
		Example{"LOG10(1000)", "3.0"}, Example{"LOG10(0.1)", "-1.0"}, Example{"LOG10(CAST(NULL AS INT))", "NULL"})
	unary("LOG2", "LOG2(numeric)", "The base 2 logarithm.", math.Log2,
		Example{"LOG2(8)", "3.0"}, Example{"LOG2(1)", "0.0"}, Example{"LOG2(0)", "-Infinity"})
	unary("EXP", "EXP(numeric)", "e raised to the power numeric.", math.Exp,
		Example{"EXP(0)", "1.0"}, Example{"EXP(1)", "2.718281828459045"}, Example{"EXP(CAST(NULL AS DOUBLE))", "NULL"})
	unary("SIN", "SIN(numeric)", "The sine (radians).", math.Sin, Example{"SIN(0)", "0.0"}, Example{"SIN(1)", "0.8414709848078965"})
	unary("COS", "COS(numeric)", "The cosine (radians).", math.Cos, Example{"COS(0)", "1.0"}, Example{"COS(1)", "0.5403023058681398"})
	unary("TAN", "TAN(numeric)", "The tangent (radians).", math.Tan, Example{"TAN(0)", "0.0"}, Example{"TAN(-0.5)", "-0.5463024898437905"})
	unary("COT", "COT(numeric)", "The cotangent (radians).", func(x float64) float64 { return 1 / math.Tan(x) },
		Example{"COT(0)", "Infinity"}, Example{"COT(CAST(NULL AS DOUBLE))", "NULL"})
	unary("ASIN", "ASIN(numeric)", "The arc sine, in radians (NaN outside [-1, 1]).", math.Asin,
		Example{"ASIN(1)", "1.5707963267948966"}, Example{"ASIN(2)", "NaN"})
	unary("ACOS", "ACOS(numeric)", "The arc cosine, in radians (NaN outside [-1, 1]).", math.Acos,
		Example{"ACOS(1)", "0.0"}, Example{"ACOS(-1)", "3.141592653589793"})
	unary("ATAN", "ATAN(numeric)", "The arc tangent, in radians.", math.Atan, Example{"ATAN(1)", "0.7853981633974483"}, Example{"ATAN(0)", "0.0"})
	unary("SINH", "SINH(numeric)", "The hyperbolic sine.", math.Sinh, Example{"SINH(0)", "0.0"}, Example{"SINH(1)", "1.1752011936438014"})
	unary("COSH", "COSH(numeric)", "The hyperbolic cosine.", math.Cosh, Example{"COSH(0)", "1.0"}, Example{"COSH(CAST(NULL AS DOUBLE))", "NULL"})
	unary("TANH", "TANH(numeric)", "The hyperbolic tangent.", math.Tanh, Example{"TANH(0)", "0.0"}, Example{"TANH(1)", "0.7615941559557649"})
	unary("DEGREES", "DEGREES(numeric)", "Radians converted to degrees.", func(x float64) float64 { return x * (180 / math.Pi) },
		Example{"DEGREES(PI())", "180.0"}, Example{"DEGREES(0)", "0.0"}, Example{"DEGREES(PI() / 3)", "59.99999999999999"})
	unary("RADIANS", "RADIANS(numeric)", "Degrees converted to radians.", func(x float64) float64 { return x * (math.Pi / 180) },
		Example{"RADIANS(180)", "3.141592653589793"}, Example{"RADIANS(0)", "0.0"})

	Register(&Spec{Name: "ATAN2", Category: "arithmetic", Syntax: "ATAN2(numeric1, numeric2)", MinArgs: 2, MaxArgs: 2,
		Doc: "The arc tangent of the coordinate (numeric1, numeric2), in radians.", Infer: sig(types.TDouble, wantNumeric, wantNumeric),
		Build:    doubleFn2(math.Atan2),
		Examples: []Example{{"ATAN2(1, 2)", "0.4636476090008061"}, {"ATAN2(0, -1)", "3.141592653589793"}, {"ATAN2(1, CAST(NULL AS DOUBLE))", "NULL"}}})
	Register(&Spec{Name: "LOG", Category: "arithmetic", Syntax: "LOG(numeric), LOG(base, numeric)", MinArgs: 1, MaxArgs: 2,
		Doc: "The natural logarithm of numeric, or with two arguments its logarithm to base.", Infer: sig(types.TDouble, wantNumeric, wantNumeric),
		Build: func(env *Env, call *Call, args []Arg) (Eval, error) {
			if len(args) == 1 {
				return doubleFn(math.Log)(env, call, args)
			}
			return doubleFn2(func(b, x float64) float64 { return math.Log(x) / math.Log(b) })(env, call, args)
		},
		Examples: []Example{{"LOG(1)", "0.0"}, {"LOG(2, 8)", "3.0"}, {"LOG(10, 100)", "2.0"}, {"LOG(4, 8)", "1.5"}, {"LOG(CAST(NULL AS INT), 8)", "NULL"}}})
	constant := func(name, doc string, x float64, want string) {
		Register(&Spec{Name: name, Category: "arithmetic", Syntax: name + "()", Doc: doc, MinArgs: 0, MaxArgs: 0,
			Infer: sig(types.TDouble), Build: func(*Env, *Call, []Arg) (Eval, error) {
				v := types.DoubleValue(x)
				return func(*Ctx, []types.Value) types.Value { return v }, nil
			}, Examples: []Example{{name + "()", want}}})
	}
	constant("PI", "π, as a DOUBLE.", math.Pi, "3.141592653589793")
	constant("E", "e, as a DOUBLE.", math.E, "2.718281828459045")

	Register(&Spec{Name: "SIGN", Category: "arithmetic", Syntax: "SIGN(numeric)", MinArgs: 1, MaxArgs: 1,
		Doc: "-1, 0 or 1 by the sign of numeric, in its type.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := wantNumeric(a, 0); e != nil {
				return types.Type{}, e
			}
			return a[0].T.WithoutRowtime(), nil
		},
		Build:    buildSign,
		Examples: []Example{{"SIGN(-5)", "-1"}, {"SIGN(0)", "0"}, {"SIGN(2.5E0)", "1.0"}, {"SIGN(-1.25)", "-1.00"}, {"SIGN(CAST(NULL AS INT))", "NULL"}}})
	Register(&Spec{Name: "TRUNCATE", Category: "arithmetic", Syntax: "TRUNCATE(numeric[, digits])", MinArgs: 1, MaxArgs: 2,
		Doc:   "numeric truncated (toward zero) to digits decimal places (default 0; negative: left of the point).",
		Infer: roundType, Build: buildTruncate,
		Examples: []Example{{"TRUNCATE(42.324, 2)", "42.32"}, {"TRUNCATE(42.324E0, 2)", "42.32"}, {"TRUNCATE(-42.9E0)", "-42.0"}, {"TRUNCATE(1278, -2)", "1200"},
			{"TRUNCATE(-1278, -2)", "-1200"}, {"TRUNCATE(42.5)", "42"}, {"TRUNCATE(CAST(NULL AS DOUBLE), 1)", "NULL"}}})

	Register(&Spec{Name: "RAND", Category: "arithmetic", Syntax: "RAND([seed])", MinArgs: 0, MaxArgs: 1, Volatile: true,
		Doc: "A pseudorandom DOUBLE in [0, 1); with a seed, the sequence of Java's java.util.Random(seed), as Flink.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := wantInteger(a, 0); e != nil {
				return types.Type{}, e
			}
			return types.Type{Kind: types.Double, NotNull: len(a) == 0 || a[0].T.NotNull}, nil
		},
		Build: buildRand,
		Examples: []Example{{"RAND(42)", "0.7275636800328681"}, {"RAND(1)", "0.7308781907032909"}, {"RAND() >= 0 AND RAND() < 1", "TRUE"},
			{"RAND(CAST(NULL AS INT))", "NULL"}}})
	Register(&Spec{Name: "RAND_INTEGER", Category: "arithmetic", Syntax: "RAND_INTEGER([seed, ] bound)", MinArgs: 1, MaxArgs: 2, Volatile: true,
		Doc: "A pseudorandom INT in [0, bound); with a seed, the sequence of Java's java.util.Random(seed).nextInt(bound).",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantInteger(a, 0), wantInteger(a, 1)); e != nil {
				return types.Type{}, e
			}
			return withNull(types.TInt, a), nil
		},
		Build: buildRandInteger,
		Examples: []Example{{"RAND_INTEGER(42, 10)", "0"}, {"RAND_INTEGER(10) BETWEEN 0 AND 9", "TRUE"}, {"RAND_INTEGER(1, 1)", "0"},
			{"RAND_INTEGER(0)", "error: bound must be positive"}, {"RAND_INTEGER(CAST(NULL AS INT))", "NULL"}}})
	Register(&Spec{Name: "UUID", Category: "arithmetic", Syntax: "UUID()", MinArgs: 0, MaxArgs: 0, Volatile: true,
		Doc:   "A random RFC 4122 version 4 UUID string, e.g. 3d3c68f7-f608-473f-b60c-b0c44ad4cc4e.",
		Infer: sig(types.Type{Kind: types.String, NotNull: true}), Build: buildUUID,
		Examples: []Example{{"CHAR_LENGTH(UUID())", "36"}, {"SUBSTR(UUID(), 15, 1)", "4"}, {"UUID() = UUID()", "FALSE"}}})
	Register(&Spec{Name: "BIN", Category: "arithmetic", Syntax: "BIN(integer)", MinArgs: 1, MaxArgs: 1,
		Doc:      "The integer in binary (two's complement for a negative number, as Java's Long.toBinaryString).",
		Infer:    sig(types.TString, wantInteger),
		Build:    intToString(func(x int64) string { return strconv.FormatUint(uint64(x), 2) }),
		Examples: []Example{{"BIN(4)", "100"}, {"BIN(12)", "1100"}, {"BIN(0)", "0"}, {"BIN(-1)", strings.Repeat("1", 64)}, {"BIN(CAST(NULL AS INT))", "NULL"}}})
	Register(&Spec{Name: "HEX", Category: "arithmetic", Syntax: "HEX(integer), HEX(string)", MinArgs: 1, MaxArgs: 1,
		Doc: "An integer, or the UTF-8 bytes of a string, in upper-case hexadecimal.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if !a[0].T.Kind.IsInteger() && !IsStringy(a[0].T) && a[0].T.Kind != types.Bytes {
				return types.Type{}, &ArgError{0, "argument 1 must be an integer or a string, not " + a[0].T.WithoutRowtime().String()}
			}
			return withNull(types.TString, a), nil
		},
		Build: func(env *Env, call *Call, args []Arg) (Eval, error) {
			if args[0].T.Kind.IsInteger() {
				return intToString(func(x int64) string { return strings.ToUpper(strconv.FormatUint(uint64(x), 16)) })(env, call, args)
			}
			return stringFn(func(s string) string { return strings.ToUpper(fmt.Sprintf("%x", s)) })(env, call, args)
		},
		Examples: []Example{{"HEX(20)", "14"}, {"HEX(100)", "64"}, {"HEX('hello,world')", "68656C6C6F2C776F726C64"}, {"HEX(-1)", "FFFFFFFFFFFFFFFF"},
			{"HEX('')", ""}, {"HEX(CAST(NULL AS STRING))", "NULL"}}})
}

// log10 is math.Log10, exact for powers of ten as Java's Math.log10
// (math.Log10(0.1) is -0.9999999999999999).
func log10(x float64) float64 {
	r := math.Log10(x)
	if k := math.Round(r); k != r && math.Abs(k) < 300 && math.Pow(10, k) == x {
		return k
	}
	return r
}

// doubleFn builds a DOUBLE function of one numeric argument.
func doubleFn(g func(float64) float64) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		conv, err := F64Of(args[0].T.Kind)
		if err != nil {
			if args[0].T.Kind != types.Null {
				return nil, err
			}
			conv = func(types.Value) float64 { return 0 }
		}
		f := args[0].F
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.DoubleValue(g(conv(v)))
		}, nil
	}
}

// doubleFn2 builds a DOUBLE function of two numeric arguments.
func doubleFn2(g func(x, y float64) float64) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		var convs [2]func(types.Value) float64
		for i := range convs {
			c, err := F64Of(args[i].T.Kind)
			if err != nil {
				if args[i].T.Kind != types.Null {
					return nil, err
				}
				c = func(types.Value) float64 { return 0 }
			}
			convs[i] = c
		}
		fa, fb, ca, cb := args[0].F, args[1].F, convs[0], convs[1]
		return func(ctx *Ctx, row []types.Value) types.Value {
			x := fa(ctx, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(ctx, row)
			if y.K == types.Null {
				return nullV
			}
			return types.DoubleValue(g(ca(x), cb(y)))
		}, nil
	}
}

// intToString builds a STRING function of one integer argument.
func intToString(g func(int64) string) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		f := args[0].F
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.StringValue(g(v.I))
		}, nil
	}
}

func buildSign(env *Env, call *Call, args []Arg) (Eval, error) {
	f := args[0].F
	k := call.T.Kind
	sign := func(x float64) int64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	}
	switch {
	case k.IsInteger():
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: sign(float64(v.I))}
		}, nil
	case k == types.Float || k == types.Double:
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			x := v.F()
			if x != x {
				return v // SIGN(NaN) is NaN, as Math.signum
			}
			if k == types.Float {
				return types.FloatValue(float32(sign(x)))
			}
			return types.DoubleValue(float64(sign(x)))
		}, nil
	case k == types.Decimal:
		p, s := call.T.Precision, call.T.Scale
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			r, ok := types.DecimalRescale(types.DecimalValue(int64(v.Unscaled().Sign()), 0), p, s)
			if !ok {
				return nullV
			}
			return r
		}, nil
	case k == types.Null:
		return func(*Ctx, []types.Value) types.Value { return nullV }, nil
	}
	return nil, fmt.Errorf("SIGN of %s", args[0].T)
}

// roundType is ROUND's and TRUNCATE's result type: the argument's, with
// a DECIMAL's scale cut to the (constant) number of digits.
func roundType(a []Operand) (types.Type, *ArgError) {
	if e := first(wantNumeric(a, 0), wantInteger(a, 1)); e != nil {
		return types.Type{}, e
	}
	t := a[0].T.WithoutRowtime()
	if t.Kind == types.Decimal {
		n := 0
		if len(a) == 2 && a[1].Const && !a[1].V.IsNull() {
			n = int(a[1].V.I)
		}
		s := max(0, min(t.Scale, n))
		t = types.Type{Kind: types.Decimal, Precision: min(types.MaxDecimalPrecision, t.Precision-t.Scale+s+1), Scale: s, NotNull: t.NotNull}
	}
	if len(a) == 2 && !a[1].T.NotNull {
		t.NotNull = false
	}
	return t, nil
}

// truncDigits truncates u * 10^-sc toward zero to d fractional digits
// and returns the unscaled result at scale max(d, 0) (d < sc).
func truncDigits(u *big.Int, sc, d int) *big.Int {
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(sc-d)), nil)
	q := new(big.Int).Quo(u, p)
	if d < 0 {
		q.Mul(q, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d)), nil))
	}
	return q
}

// TRUNCATE(x[, d]) as Flink's SqlFunctionUtils.struncate: through the
// decimal form of the number, rounding DOWN.
func buildTruncate(env *Env, call *Call, args []Arg) (Eval, error) {
	f := args[0].F
	var fd Eval
	if len(args) == 2 {
		fd = args[1].F
	}
	k, fk := call.T.Kind, args[0].T.Kind
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		d := 0
		if fd != nil {
			dv := fd(ctx, row)
			if dv.K == types.Null {
				return nullV
			}
			d = int(dv.I)
		}
		switch {
		case fk.IsInteger():
			if d >= 0 {
				return types.Value{K: k, I: v.I}
			}
			if d < -18 {
				return types.Value{K: k}
			}
			p := int64(math.Pow10(-d))
			return types.Value{K: k, I: v.I / p * p}
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
				return types.Value{K: k, I: v.I}
			}
			r, _ := strconv.ParseFloat(truncDigits(u, sc, d).String()+"e"+strconv.Itoa(-max(d, 0)), 64)
			if k == types.Float {
				return types.FloatValue(float32(r))
			}
			return types.DoubleValue(r)
		case fk == types.Decimal:
			sc := int(v.Scale)
			if d >= sc {
				r, ok := types.DecimalRescale(v, call.T.Precision, call.T.Scale)
				if !ok {
					return nullV
				}
				return r
			}
			r, ok := types.DecimalRescale(types.BigDecimalValue(truncDigits(v.Unscaled(), sc, d), max(d, 0)), call.T.Precision, call.T.Scale)
			if !ok {
				return nullV
			}
			return r
		}
		return Fail(ctx, fmt.Errorf("TRUNCATE of %s", fk))
	}, nil
}

// javaRandom is java.util.Random's generator, so that a seeded RAND gives
// Flink's sequence.
type javaRandom struct{ seed int64 }

const javaMult, javaMask = 0x5DEECE66D, 1<<48 - 1

func newJavaRandom(seed int64) *javaRandom { return &javaRandom{(seed ^ javaMult) & javaMask} }

func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMult + 0xB) & javaMask
	return int32(r.seed >> (48 - bits))
}

func (r *javaRandom) nextDouble() float64 {
	return float64(int64(r.next(26))<<27+int64(r.next(27))) * (1.0 / (1 << 53))
}

func (r *javaRandom) nextInt(bound int32) int32 {
	if bound&-bound == bound {
		return int32((int64(bound) * int64(r.next(31))) >> 31)
	}
	for {
		bits := r.next(31)
		val := bits % bound
		if bits-val+(bound-1) >= 0 {
			return val
		}
	}
}

// seeded returns the generator of a RAND call: one per call site for a
// constant seed (so rows see the sequence), a fresh one per row otherwise;
// ok is false for a NULL seed.
func seeded(a Arg) func(ctx *Ctx, row []types.Value) (*javaRandom, bool) {
	if a.Konst {
		if a.V.K == types.Null {
			return func(*Ctx, []types.Value) (*javaRandom, bool) { return nil, false }
		}
		r := newJavaRandom(a.V.I)
		return func(*Ctx, []types.Value) (*javaRandom, bool) { return r, true }
	}
	f := a.F
	return func(ctx *Ctx, row []types.Value) (*javaRandom, bool) {
		v := f(ctx, row)
		if v.K == types.Null {
			return nil, false
		}
		return newJavaRandom(v.I), true
	}
}

func buildRand(env *Env, call *Call, args []Arg) (Eval, error) {
	if len(args) == 0 {
		return func(*Ctx, []types.Value) types.Value { return types.DoubleValue(randv2.Float64()) }, nil
	}
	gen := seeded(args[0])
	return func(ctx *Ctx, row []types.Value) types.Value {
		r, ok := gen(ctx, row)
		if !ok {
			return nullV
		}
		return types.DoubleValue(r.nextDouble())
	}, nil
}

func buildRandInteger(env *Env, call *Call, args []Arg) (Eval, error) {
	fb := args[len(args)-1].F
	bound := func(ctx *Ctx, row []types.Value) (int32, bool) {
		b := fb(ctx, row)
		if b.K == types.Null {
			return 0, false
		}
		if b.I <= 0 || b.I > math.MaxInt32 {
			Fail(ctx, fmt.Errorf("RAND_INTEGER: bound must be positive and at most %d, got %d", math.MaxInt32, b.I))
			return 0, false
		}
		return int32(b.I), true
	}
	if len(args) == 1 {
		return func(ctx *Ctx, row []types.Value) types.Value {
			b, ok := bound(ctx, row)
			if !ok {
				return nullV
			}
			return types.IntValue(randv2.Int64N(int64(b)))
		}, nil
	}
	gen := seeded(args[0])
	return func(ctx *Ctx, row []types.Value) types.Value {
		r, ok := gen(ctx, row)
		if !ok {
			return nullV
		}
		b, ok := bound(ctx, row)
		if !ok {
			return nullV
		}
		return types.IntValue(int64(r.nextInt(b)))
	}, nil
}

func buildUUID(*Env, *Call, []Arg) (Eval, error) {
	return func(ctx *Ctx, _ []types.Value) types.Value {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return Fail(ctx, fmt.Errorf("UUID: %w", err))
		}
		b[6] = b[6]&0x0f | 0x40 // version 4
		b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
		return types.StringValue(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
	}, nil
}
