package expr

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// errOverflowNull marks a DECIMAL overflow: NULL for CAST and TRY_CAST
// alike, as Flink does.
var errOverflowNull = errors.New("decimal overflow")

// converter converts one non-NULL value; loc is the session time zone.
type converter func(v types.Value, loc *time.Location) (types.Value, error)

func buildCast(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	return c.castFunc(args[0], call.T, call.Func == "TRY_CAST")
}

func (c *compiler) castFunc(n node, to types.Type, try bool) (Func, error) {
	conv, err := converterFor(n.t, to)
	if err != nil {
		return nil, err
	}
	f := n.f
	from := n.t
	return func(ctx *Ctx, row core.Row) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		r, err := conv(v, c.zone(ctx))
		if err != nil {
			if try || err == errOverflowNull {
				return nullV
			}
			return fail(ctx, fmt.Errorf("CAST(%s AS %s): %w", types.FormatValue(v, from, c.zone(ctx)), to, err))
		}
		return r
	}, nil
}

// castConst converts a constant at compile time.
func castConst(v types.Value, to types.Type, loc *time.Location) (types.Value, error) {
	conv, err := converterFor(types.Type{Kind: v.K, Scale: int(v.Scale), Precision: 38}, to)
	if err != nil {
		return v, err
	}
	r, err := conv(v, loc)
	if err == errOverflowNull {
		return nullV, nil
	}
	return r, err
}

var intRange = map[types.Kind][2]int64{
	types.TinyInt:  {math.MinInt8, math.MaxInt8},
	types.SmallInt: {math.MinInt16, math.MaxInt16},
	types.Int:      {math.MinInt32, math.MaxInt32},
	types.BigInt:   {math.MinInt64, math.MaxInt64},
}

// intResult is x as integer kind k, an error when it is out of k's range
// (a string parsed as an integer: Flink's BinaryStringDataUtil.toInt and
// its kin throw on overflow).
func intResult(x int64, k types.Kind) (types.Value, error) {
	r := intRange[k]
	if x < r[0] || x > r[1] {
		return nullV, fmt.Errorf("%d is out of range for %s", x, k)
	}
	return types.Value{K: k, I: x}, nil
}

// wrapTo is x narrowed to integer kind k as Java's primitive cast does
// ((int) x keeps the low 32 bits): Flink casts between numeric types with
// Java casts (NumericPrimitiveCastRule), so CAST(300 AS TINYINT) is 44.
func wrapTo(x int64, k types.Kind) types.Value {
	if nw := narrowFn(k); nw != nil {
		x = nw(x)
	}
	return types.Value{K: k, I: x}
}

// floatToInt is Java's (long) or (int) cast of a double, then narrowed as
// wrapTo: NaN is 0, a value beyond the range saturates at the long (or
// int) bound, and the fraction is truncated toward zero.
func floatToInt(f float64, k types.Kind) types.Value {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if k != types.BigInt {
		lo, hi = math.MinInt32, math.MaxInt32 // d2i, then i2b / i2s
	}
	switch {
	case f != f:
		return types.Value{K: k}
	case f >= float64(hi): // float64(MaxInt64) is 2^63: beyond every long
		return wrapTo(hi, k)
	case f <= float64(lo):
		return wrapTo(lo, k)
	}
	return wrapTo(int64(f), k)
}

// decimalToInt is Flink's DecimalDataUtils.castToIntegral then a Java
// cast: the value truncated toward zero, its low 64 bits as BigInteger's
// longValue keeps them, narrowed as wrapTo.
func decimalToInt(v types.Value, k types.Kind) types.Value {
	if x, ok := types.DecimalToInt64(v); ok {
		return wrapTo(x, k)
	}
	u := v.Unscaled()
	if s := int(v.Scale); s > 0 {
		u.Quo(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
	}
	low := new(big.Int).And(u, new(big.Int).SetUint64(math.MaxUint64)) // two's complement
	return wrapTo(int64(low.Uint64()), k)
}

func truncTimestamp(ms int64, precision int) int64 {
	switch {
	case precision >= 3:
		return ms
	case precision == 2:
		return ms - floorModI(ms, 10)
	case precision == 1:
		return ms - floorModI(ms, 100)
	}
	return ms - floorModI(ms, 1000)
}

func floorModI(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func floorDivI(a, b int64) int64 { return (a - floorModI(a, b)) / b }

// toInstant converts a TIMESTAMP / DATE wall clock to an instant in loc;
// TIMESTAMP_LTZ values already are.
func toInstant(i int64, k types.Kind, loc *time.Location) int64 {
	switch k {
	case types.Timestamp:
		return types.LocalToInstant(i, loc)
	case types.Date:
		return types.LocalToInstant(i*86400000, loc)
	}
	return i
}

// parseFlinkInt parses an integer as Flink's BinaryStringDataUtil.toLong:
// trimmed, optional sign, digits, and an optional fraction of digits that
// is dropped ('1.9' -> 1).
func parseFlinkInt(s string) (int64, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a valid integer", s)
	if t == "" {
		return 0, bad
	}
	i := 0
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		i++
	}
	start := i
	var u uint64
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		d := uint64(t[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		u = u*10 + d
		i++
	}
	if i == start {
		return 0, bad
	}
	if i < len(t) && t[i] == '.' {
		i++
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
	}
	if i != len(t) {
		return 0, bad
	}
	if neg {
		if u > 1<<63 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		return int64(-u), nil
	}
	if u > math.MaxInt64 {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return int64(u), nil
}

// parseJavaDouble parses as Double.parseDouble on the trimmed text:
// Java spellings only (NaN, Infinity), not Go's (inf, nan, 1_000).
func parseJavaDouble(s string) (float64, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a valid number", s)
	u := strings.TrimLeft(t, "+-")
	switch u {
	case "NaN":
		if u != t {
			return 0, bad
		}
		return math.NaN(), nil
	case "Infinity":
		if strings.HasPrefix(t, "-") {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	}
	if strings.ContainsAny(t, "_iInN") || t == "" {
		return 0, bad
	}
	// Java accepts a trailing type suffix: 1.5d, 2f.
	if n := len(t); n > 1 && strings.ContainsRune("dDfF", rune(t[n-1])) && !strings.HasPrefix(u, "0x") && !strings.HasPrefix(u, "0X") {
		t = t[:n-1]
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil // Java gives ±Infinity or 0 too
		}
		return 0, bad
	}
	return f, nil
}

func parseFlinkBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "1":
		return true, nil
	case "f", "false", "n", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a valid BOOLEAN", s)
}

func truncString(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return s[:i]
}

// converterFor picks the conversion from one type to another once.
func converterFor(from, to types.Type) (converter, error) {
	fk, tk := from.Kind, to.Kind
	unsupported := fmt.Errorf("cannot cast %s to %s", from, to)
	if fk == types.Null {
		return func(types.Value, *time.Location) (types.Value, error) { return nullV, nil }, nil
	}
	if tk == types.String {
		n := to.Precision
		if fk == types.String {
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return types.StringValue(truncString(v.S, n)), nil
			}, nil
		}
		return func(v types.Value, loc *time.Location) (types.Value, error) {
			return types.StringValue(truncString(types.FormatValue(v, from, loc), n)), nil
		}, nil
	}
	switch {
	case tk.IsInteger():
		switch {
		case fk.IsInteger():
			return func(v types.Value, _ *time.Location) (types.Value, error) { return wrapTo(v.I, tk), nil }, nil
		case fk == types.Float || fk == types.Double:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return floatToInt(v.F(), tk), nil }, nil
		case fk == types.Decimal:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return decimalToInt(v, tk), nil }, nil
		case fk == types.Boolean:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return types.Value{K: tk, I: v.I}, nil }, nil
		case fk == types.String:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				x, err := parseFlinkInt(v.S)
				if err != nil {
					return nullV, err
				}
				return intResult(x, tk)
			}, nil
		case fk == types.Timestamp || fk == types.TimestampLTZ:
			// epoch seconds (Flink: TIMESTAMP_LTZ -> BIGINT)
			return func(v types.Value, _ *time.Location) (types.Value, error) { return wrapTo(v.I/1000, tk), nil }, nil
		}
	case tk == types.Float || tk == types.Double:
		round := func(f float64) types.Value {
			if tk == types.Float {
				return types.FloatValue(float32(f))
			}
			return types.DoubleValue(f)
		}
		switch {
		case fk.IsNumeric():
			conv, _ := f64Of(fk)
			if fk.IsInteger() && tk == types.Float {
				return func(v types.Value, _ *time.Location) (types.Value, error) {
					return types.FloatValue(float32(v.I)), nil
				}, nil
			}
			return func(v types.Value, _ *time.Location) (types.Value, error) { return round(conv(v)), nil }, nil
		case fk == types.Boolean:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return round(float64(v.I)), nil }, nil
		case fk == types.String:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				f, err := parseJavaDouble(v.S)
				if err != nil {
					return nullV, err
				}
				return round(f), nil
			}, nil
		case fk == types.Timestamp || fk == types.TimestampLTZ:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return round(float64(v.I) / 1000), nil }, nil
		}
	case tk == types.Decimal:
		p, s := to.Precision, to.Scale
		fin := func(r types.Value, ok bool) (types.Value, error) {
			if !ok {
				return nullV, errOverflowNull
			}
			return r, nil
		}
		switch {
		case fk.IsInteger():
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return fin(types.DecimalFromInt(v.I, p, s))
			}, nil
		case fk == types.Decimal:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return fin(types.DecimalRescale(v, p, s)) }, nil
		case fk == types.Float || fk == types.Double:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				f := v.F()
				if f != f || math.IsInf(f, 0) {
					return nullV, fmt.Errorf("%s is not a valid DECIMAL", types.FormatDouble(f))
				}
				if fk == types.Float {
					// Float.toString digits, as BigDecimal.valueOf((double) f) would not
					// be what Flink uses either way; the float's shortest form is.
					r, ok, err := types.DecimalFromString(types.FormatFloat(float32(f)), p, s)
					if err != nil {
						return nullV, err
					}
					return fin(r, ok)
				}
				return fin(types.DecimalFromFloat(f, p, s))
			}, nil
		case fk == types.Boolean:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return fin(types.DecimalFromInt(v.I, p, s))
			}, nil
		case fk == types.String:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				r, ok, err := types.DecimalFromString(v.S, p, s)
				if err != nil {
					return nullV, err
				}
				return fin(r, ok)
			}, nil
		}
	case tk == types.Boolean:
		switch {
		case fk == types.Boolean:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return v, nil }, nil
		case fk.IsInteger():
			return func(v types.Value, _ *time.Location) (types.Value, error) { return boolV(v.I != 0), nil }, nil
		case fk == types.Float || fk == types.Double:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return boolV(v.F() != 0), nil }, nil
		case fk == types.Decimal:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return boolV(types.DecimalSign(v) != 0), nil
			}, nil
		case fk == types.String:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				b, err := parseFlinkBool(v.S)
				if err != nil {
					return nullV, err
				}
				return boolV(b), nil
			}, nil
		}
	case tk == types.Bytes:
		if fk == types.String || fk == types.Bytes {
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return types.Value{K: types.Bytes, S: v.S}, nil
			}, nil
		}
	case tk == types.Date:
		switch fk {
		case types.Date:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return v, nil }, nil
		case types.String:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				d, err := types.ParseDate(v.S)
				if err != nil {
					// Flink also takes a timestamp text and keeps its date.
					ms, err2 := types.ParseTimestamp(v.S)
					if err2 != nil {
						return nullV, err
					}
					d = floorDivI(ms, 86400000)
				}
				return types.DateValue(d), nil
			}, nil
		case types.Timestamp:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return types.DateValue(floorDivI(v.I, 86400000)), nil
			}, nil
		case types.TimestampLTZ:
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				return types.DateValue(floorDivI(types.InstantToLocal(v.I, loc), 86400000)), nil
			}, nil
		}
	case tk == types.Time:
		switch fk {
		case types.Time:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return types.Value{K: types.Time, I: truncTimestamp(v.I, to.Precision)}, nil
			}, nil
		case types.String:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				t, err := types.ParseTime(v.S)
				if err != nil {
					return nullV, err
				}
				return types.Value{K: types.Time, I: truncTimestamp(t, to.Precision)}, nil
			}, nil
		case types.Timestamp:
			return func(v types.Value, _ *time.Location) (types.Value, error) {
				return types.Value{K: types.Time, I: truncTimestamp(floorModI(v.I, 86400000), to.Precision)}, nil
			}, nil
		case types.TimestampLTZ:
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				return types.Value{K: types.Time, I: truncTimestamp(floorModI(types.InstantToLocal(v.I, loc), 86400000), to.Precision)}, nil
			}, nil
		}
	case tk == types.Timestamp || tk == types.TimestampLTZ:
		prec := to.Precision
		mk := func(ms int64) types.Value { return types.Value{K: tk, I: truncTimestamp(ms, prec)} }
		ltz := tk == types.TimestampLTZ
		switch {
		case fk == tk:
			return func(v types.Value, _ *time.Location) (types.Value, error) { return mk(v.I), nil }, nil
		case fk == types.Timestamp: // to LTZ: the wall clock in the session zone
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				return mk(types.LocalToInstant(v.I, loc)), nil
			}, nil
		case fk == types.TimestampLTZ: // to TIMESTAMP: the wall clock of the instant
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				return mk(types.InstantToLocal(v.I, loc)), nil
			}, nil
		case fk == types.Date:
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				if ltz {
					return mk(types.LocalToInstant(v.I*86400000, loc)), nil
				}
				return mk(v.I * 86400000), nil
			}, nil
		case fk == types.String:
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				ms, z, err := types.ParseTimestampZ(v.S)
				if err != nil {
					return nullV, err
				}
				if ltz && !z {
					ms = types.LocalToInstant(ms, loc)
				} else if !ltz && z {
					ms = types.InstantToLocal(ms, loc)
				}
				return mk(ms), nil
			}, nil
		case fk.IsInteger():
			// Flink: a number as TIMESTAMP_LTZ is epoch seconds.
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				if v.I > math.MaxInt64/1000 || v.I < math.MinInt64/1000 {
					return nullV, fmt.Errorf("%d seconds is out of range", v.I)
				}
				ms := v.I * 1000
				if !ltz {
					ms = types.InstantToLocal(ms, loc)
				}
				return mk(ms), nil
			}, nil
		case fk == types.Float || fk == types.Double || fk == types.Decimal:
			conv, _ := f64Of(fk)
			return func(v types.Value, loc *time.Location) (types.Value, error) {
				f := conv(v) * 1000
				if f != f || math.Abs(f) >= 9.2e18 {
					return nullV, fmt.Errorf("%s seconds is out of range", types.FormatDouble(conv(v)))
				}
				ms := int64(f)
				if !ltz {
					ms = types.InstantToLocal(ms, loc)
				}
				return mk(ms), nil
			}, nil
		}
	case tk == types.IntervalDayTime || tk == types.IntervalYearMonth:
		if fk == tk {
			return func(v types.Value, _ *time.Location) (types.Value, error) { return v, nil }, nil
		}
	case tk == fk && (tk == types.Array || tk == types.Map || tk == types.Row):
		if from.String() == to.String() {
			return func(v types.Value, _ *time.Location) (types.Value, error) { return v, nil }, nil
		}
	}
	return nil, unsupported
}
