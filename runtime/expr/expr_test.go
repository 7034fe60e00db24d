package expr

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// ---- helpers: bound expressions built by hand

var (
	tInt    = types.TInt
	tBig    = types.TBigInt
	tDbl    = types.TDouble
	tStr    = types.TString
	tBool   = types.TBoolean
	tFloat  = types.Type{Kind: types.Float}
	tTS3    = types.TTimestamp3
	tLTZ3   = types.TTimestampLTZ
	tDate   = types.Type{Kind: types.Date}
	tIvDT   = types.Type{Kind: types.IntervalDayTime}
	tIvYM   = types.Type{Kind: types.IntervalYearMonth}
	tNull   = types.TNull
	dec     = types.DecimalType
	nullLit = &planner.Const{V: types.NullValue, T: tNull}
)

func col(i int, t types.Type) *planner.ColRef { return &planner.ColRef{Index: i, T: t} }
func lit(v types.Value, t types.Type) *planner.Const {
	return &planner.Const{V: v, T: t}
}
func i32(x int64) *planner.Const   { return lit(types.IntValue(x), tInt) }
func i64(x int64) *planner.Const   { return lit(types.BigIntValue(x), tBig) }
func f64(x float64) *planner.Const { return lit(types.DoubleValue(x), tDbl) }
func str(s string) *planner.Const  { return lit(types.StringValue(s), tStr) }
func bl(b bool) *planner.Const     { return lit(types.BoolValue(b), tBool) }
func nul(t types.Type) *planner.Const {
	return &planner.Const{V: types.NullValue, T: t}
}
func decLit(s string, p, sc int) *planner.Const {
	v, ok, err := types.DecimalFromString(s, p, sc)
	if err != nil || !ok {
		panic(s)
	}
	return lit(v, dec(p, sc))
}
func call(fn string, t types.Type, args ...planner.Expr) *planner.Call {
	return &planner.Call{Func: fn, Args: args, T: t}
}
func unit(fn, u string, t types.Type, args ...planner.Expr) *planner.Call {
	return &planner.Call{Func: fn, Args: args, T: t, Unit: u}
}

// wallMs is the epoch millis of a wall clock in UTC (worked out by the
// standard library, independently of the code under test).
func wallMs(y, mo, d, h, mi, s, ms int) int64 {
	return time.Date(y, time.Month(mo), d, h, mi, s, ms*1e6, time.UTC).UnixMilli()
}

// eval compiles e, evaluates it over row and renders the result as text
// through FormatValue (NULL prints as "NULL"; errors as "ERR: ...").
func eval(t *testing.T, e planner.Expr, loc *time.Location, row ...types.Value) string {
	t.Helper()
	f, err := Compile(e, &Env{TimeZone: loc})
	if err != nil {
		return "COMPILE: " + err.Error()
	}
	ctx := &Ctx{TimeZone: loc, Watermark: core.MinWatermark}
	v := f(ctx, row)
	if ctx.Err != nil {
		return "ERR: " + ctx.Err.Error()
	}
	if v.K == types.Null {
		return "NULL"
	}
	if v.K != e.Type().Kind && e.Type().Kind != types.Null {
		return "WRONG KIND " + v.K.String()
	}
	return types.FormatValue(v, e.Type(), loc)
}

type tc struct {
	name string
	e    planner.Expr
	row  []types.Value
	want string // "ERR" prefix: any runtime error; "COMPILE" prefix: compile error
}

func run(t *testing.T, loc *time.Location, cases []tc) {
	t.Helper()
	for _, c := range cases {
		got := eval(t, c.e, loc, c.row...)
		switch {
		case c.want == "ERR" && strings.HasPrefix(got, "ERR: "):
		case c.want == "COMPILE" && strings.HasPrefix(got, "COMPILE: "):
		case got == c.want:
		default:
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestIntegerArithmetic(t *testing.T) {
	run(t, time.UTC, []tc{
		{"int div truncates", call("/", tInt, i32(7), i32(2)), nil, "3"},
		{"neg div truncates toward zero", call("/", tInt, i32(-7), i32(2)), nil, "-3"},
		{"bigint / int", call("/", tBig, col(0, tBig), col(1, tInt)), []types.Value{types.BigIntValue(10), types.IntValue(4)}, "2"},
		// Java: % takes the sign of the dividend
		{"mod sign", call("%", tInt, i32(-7), i32(3)), nil, "-1"},
		{"MOD", call("MOD", tInt, i32(7), i32(-3)), nil, "1"},
		// INT arithmetic wraps like Java int
		{"int overflow wraps", call("+", tInt, i32(math.MaxInt32), i32(1)), nil, "-2147483648"},
		{"bigint overflow wraps", call("*", tBig, i64(math.MaxInt64), i64(2)), nil, "-2"},
		{"int min / -1", call("/", tInt, col(0, tInt), i32(-1)), []types.Value{types.IntValue(math.MinInt32)}, "-2147483648"},
		{"div by zero", call("/", tInt, col(0, tInt), i32(0)), []types.Value{types.IntValue(1)}, "ERR"},
		{"mod by zero", call("%", tBig, col(0, tBig), i64(0)), []types.Value{types.BigIntValue(1)}, "ERR"},
		{"null plus", call("+", tInt, col(0, tInt), i32(1)), []types.Value{types.NullValue}, "NULL"},
		{"null literal", call("+", tInt, nullLit, i32(1)), nil, "NULL"},
		{"neg", call("NEG", tInt, i32(5)), nil, "-5"},
		{"int + double -> double", call("+", tDbl, i32(1), f64(0.5)), nil, "1.5"},
		{"double div by zero", call("/", tDbl, f64(1), f64(0)), nil, "Infinity"},
		{"double 0/0", call("/", tDbl, f64(0), col(0, tDbl)), []types.Value{types.DoubleValue(0)}, "NaN"},
		{"double mod", call("%", tDbl, f64(-7.5), f64(2)), nil, "-1.5"},
		// FLOAT keeps float32 precision: 0.1f + 0.2f = 0.3 in float (prints 0.3), a double would be 0.30000000000000004
		{"float", call("+", tFloat, lit(types.FloatValue(0.1), tFloat), lit(types.FloatValue(0.2), tFloat)), nil, "0.3"},
		{"ABS min int stays", call("ABS", tInt, col(0, tInt)), []types.Value{types.IntValue(math.MinInt32)}, "-2147483648"},
		{"POWER", call("POWER", tDbl, i32(2), i32(10)), nil, "1024.0"},
		{"FLOOR double", call("FLOOR", tDbl, f64(-1.5)), nil, "-2.0"},
		{"CEIL double", call("CEIL", tDbl, f64(1.2)), nil, "2.0"},
		// ROUND goes through BigDecimal.valueOf: 2.675 rounds up (a binary float would give 2.67)
		{"ROUND double", call("ROUND", tDbl, f64(2.675), i32(2)), nil, "2.68"},
		{"ROUND half up negative", call("ROUND", tDbl, f64(-2.5)), nil, "-3.0"},
		{"ROUND int negative digits", call("ROUND", tInt, i32(1250), i32(-2)), nil, "1300"},
		{"ROUND decimal", call("ROUND", dec(5, 1), decLit("12.345", 5, 3), i32(1)), nil, "12.3"},
		{"unknown function", call("NO_SUCH", tInt, i32(1)), nil, "COMPILE"},
		{"string plus int", call("+", tInt, str("a"), i32(1)), nil, "COMPILE"},
	})
}

func TestDecimalExpressions(t *testing.T) {
	run(t, time.UTC, []tc{
		// DECIMAL(3,2) + DECIMAL(4,3) -> DECIMAL(5,3)
		{"add scales", call("+", dec(5, 3), decLit("1.10", 3, 2), decLit("2.205", 4, 3)), nil, "3.305"},
		// DECIMAL(4,2) / INT: Flink's scale max(6, 2 + 10 + 1) = 13, precision 4-2+0+13 = 15
		{"div by int", call("/", dec(15, 13), decLit("10.00", 4, 2), i32(3)), nil, "3.3333333333333"},
		{"div by zero", call("/", dec(15, 13), decLit("10.00", 4, 2), i32(0)), nil, "ERR"},
		// product 0.0375 rounded HALF_UP to scale 3
		{"mul rounding", call("*", dec(10, 3), decLit("0.25", 3, 2), decLit("0.15", 3, 2)), nil, "0.038"},
		// overflow beyond the result precision gives NULL (Flink)
		{"overflow null", call("+", dec(4, 2), decLit("99.99", 4, 2), decLit("0.01", 4, 2)), nil, "NULL"},
		{"decimal + double", call("+", tDbl, decLit("1.5", 2, 1), f64(0.25)), nil, "1.75"},
		{"neg", call("NEG", dec(4, 2), decLit("1.50", 4, 2)), nil, "-1.50"},
		{"compare scales", call("=", tBool, decLit("1.10", 3, 2), decLit("1.1", 2, 1)), nil, "TRUE"},
		{"compare with int", call("<", tBool, decLit("2.5", 2, 1), i32(3)), nil, "TRUE"},
		{"FLOOR decimal", call("FLOOR", dec(2, 0), decLit("-1.5", 2, 1)), nil, "-2"},
	})
}

func TestLogic(t *testing.T) {
	n := nul(tBool)
	T, F := bl(true), bl(false)
	run(t, time.UTC, []tc{
		{"T and N", call("AND", tBool, T, n), nil, "NULL"},
		{"F and N", call("AND", tBool, n, F), nil, "FALSE"},
		{"T or N", call("OR", tBool, n, T), nil, "TRUE"},
		{"F or N", call("OR", tBool, F, n), nil, "NULL"},
		{"not N", call("NOT", tBool, n), nil, "NULL"},
		{"and 3", call("AND", tBool, T, T, F), nil, "FALSE"},
		{"is null", call("IS NULL", tBool, n), nil, "TRUE"},
		{"is not null", call("IS NOT NULL", tBool, i32(1)), nil, "TRUE"},
		{"N is true", call("IS TRUE", tBool, n), nil, "FALSE"},
		{"N is not true", call("IS NOT TRUE", tBool, n), nil, "TRUE"},
		{"N is false", call("IS FALSE", tBool, n), nil, "FALSE"},
		{"N is not false", call("IS NOT FALSE", tBool, n), nil, "TRUE"},
		{"null distinct null", call("IS DISTINCT FROM", tBool, nul(tInt), nul(tInt)), nil, "FALSE"},
		{"null distinct 1", call("IS DISTINCT FROM", tBool, nul(tInt), i32(1)), nil, "TRUE"},
		{"1 not distinct 1", call("IS NOT DISTINCT FROM", tBool, i32(1), i64(1)), nil, "TRUE"},
		{"cmp null", call("=", tBool, nul(tInt), i32(1)), nil, "NULL"},
		{"NaN = NaN is false (Java ==)", call("=", tBool, f64(math.NaN()), col(0, tDbl)), []types.Value{types.DoubleValue(math.NaN())}, "FALSE"},
		{"NaN <> NaN", call("<>", tBool, f64(math.NaN()), col(0, tDbl)), []types.Value{types.DoubleValue(math.NaN())}, "TRUE"},
		{"int vs double", call("<", tBool, i32(1), f64(1.5)), nil, "TRUE"},
		{"string order by bytes", call("<", tBool, str("Z"), str("a")), nil, "TRUE"},
		{"string code points", call(">", tBool, str("é"), str("z")), nil, "TRUE"},
		{"bool order", call("<", tBool, F, T), nil, "TRUE"},
		{"ts order", call("<", tBool, lit(types.TimestampValue(1), tTS3), lit(types.TimestampValue(2), tTS3)), nil, "TRUE"},
		{"string vs int", call("=", tBool, str("1"), i32(1)), nil, "COMPILE"},
	})
}

func TestConditionals(t *testing.T) {
	x := col(0, tInt)
	r := func(v int64) []types.Value { return []types.Value{types.IntValue(v)} }
	caseE := call("CASE", tStr,
		call(">", tBool, x, i32(10)), str("big"),
		call(">", tBool, x, i32(0)), str("small"),
		str("none"))
	noElse := call("CASE", tInt, call("=", tBool, x, i32(1)), i32(100))
	run(t, time.UTC, []tc{
		{"case 1", caseE, r(11), "big"},
		{"case 2", caseE, r(5), "small"},
		{"case else", caseE, r(-1), "none"},
		{"case null cond falls through", caseE, []types.Value{types.NullValue}, "none"},
		{"case no else", noElse, r(2), "NULL"},
		// branches of different types are widened to the result type
		{"case widen", call("CASE", dec(11, 1), call("=", tBool, x, i32(1)), i32(1), decLit("2.5", 2, 1)), r(1), "1.0"},
		{"coalesce", call("COALESCE", tInt, nul(tInt), x, i32(3)), []types.Value{types.NullValue}, "3"},
		{"coalesce widen", call("COALESCE", tBig, nul(tInt), x), r(7), "7"},
		{"nullif eq", call("NULLIF", tInt, x, i32(5)), r(5), "NULL"},
		{"nullif ne", call("NULLIF", tInt, x, i32(5)), r(6), "6"},
		{"if true", call("IF", tStr, call(">", tBool, x, i32(0)), str("pos"), str("nonpos")), r(1), "pos"},
		{"if null cond", call("IF", tStr, nul(tBool), str("a"), str("b")), nil, "b"},
		{"in hit", call("IN", tBool, x, i32(1), i32(2)), r(2), "TRUE"},
		{"in miss", call("IN", tBool, x, i32(1), i32(2)), r(3), "FALSE"},
		// x IN (1, NULL) with no match is NULL; NOT IN likewise
		{"in null list", call("IN", tBool, x, i32(1), nul(tInt)), r(3), "NULL"},
		{"in null list hit", call("IN", tBool, x, i32(1), nul(tInt)), r(1), "TRUE"},
		{"not in null list", call("NOT IN", tBool, x, i32(1), nul(tInt)), r(3), "NULL"},
		{"not in", call("NOT IN", tBool, x, i32(1), i32(2)), r(3), "TRUE"},
		{"in null operand", call("IN", tBool, x, i32(1)), []types.Value{types.NullValue}, "NULL"},
		{"in strings", call("IN", tBool, col(0, tStr), str("a"), str("b")), []types.Value{types.StringValue("b")}, "TRUE"},
		{"in non-const", call("IN", tBool, x, col(1, tInt), i32(9)), []types.Value{types.IntValue(4), types.IntValue(4)}, "TRUE"},
		{"in mixed numeric", call("IN", tBool, x, f64(2.0)), r(2), "TRUE"},
		{"between", call("BETWEEN", tBool, x, i32(1), i32(3)), r(3), "TRUE"},
		{"between out", call("BETWEEN", tBool, x, i32(1), i32(3)), r(4), "FALSE"},
		{"not between", call("NOT BETWEEN", tBool, x, i32(1), i32(3)), r(4), "TRUE"},
		{"between null bound", call("BETWEEN", tBool, x, nul(tInt), i32(3)), r(5), "FALSE"},
		{"between null bound unknown", call("BETWEEN", tBool, x, nul(tInt), i32(3)), r(2), "NULL"},
	})
}

func TestStrings(t *testing.T) {
	s := col(0, tStr)
	r := func(v string) []types.Value { return []types.Value{types.StringValue(v)} }
	run(t, time.UTC, []tc{
		{"||", call("||", tStr, str("a"), str("b")), nil, "ab"},
		{"|| null", call("||", tStr, str("a"), nul(tStr)), nil, "NULL"},
		{"concat 3", call("CONCAT", tStr, str("a"), s, str("c")), r("b"), "abc"},
		{"concat null", call("CONCAT", tStr, str("a"), s), []types.Value{types.NullValue}, "NULL"},
		{"upper", call("UPPER", tStr, s), r("abc"), "ABC"},
		{"lower", call("LOWER", tStr, s), r("ÀB"), "àb"},
		{"char_length code points", call("CHAR_LENGTH", tInt, s), r("héllo"), "5"},
		{"substring", call("SUBSTRING", tStr, s, i32(2), i32(3)), r("abcdef"), "bcd"},
		{"substring no len", call("SUBSTRING", tStr, s, i32(3)), r("abcdef"), "cdef"},
		{"substring 0 start", call("SUBSTRING", tStr, s, i32(0), i32(2)), r("abcdef"), "ab"},
		{"substring negative start", call("SUBSTRING", tStr, s, i32(-2)), r("abcdef"), "ef"},
		{"substring past end", call("SUBSTRING", tStr, s, i32(10)), r("abc"), ""},
		{"substring runes", call("SUBSTRING", tStr, s, i32(2), i32(2)), r("héllo"), "él"},
		{"trim", call("TRIM", tStr, s), r("  a b  "), "a b"},
		{"ltrim", call("LTRIM", tStr, s), r("  a  "), "a  "},
		{"rtrim", call("RTRIM", tStr, s), r("  a  "), "  a"},
		{"trim leading chars", unit("TRIM", "LEADING", tStr, s, str("xy")), r("xyxaxy"), "axy"},
		{"trim only spaces", call("TRIM", tStr, s), r("\ta "), "\ta"},
	})
}

func TestLike(t *testing.T) {
	s := col(0, tStr)
	like := func(p string) planner.Expr { return call("LIKE", tBool, s, str(p)) }
	r := func(v string) []types.Value { return []types.Value{types.StringValue(v)} }
	run(t, time.UTC, []tc{
		{"exact", like("abc"), r("abc"), "TRUE"},
		{"exact miss", like("abc"), r("abcd"), "FALSE"},
		{"prefix", like("ab%"), r("abcd"), "TRUE"},
		{"suffix", like("%cd"), r("abcd"), "TRUE"},
		{"contains", like("%bc%"), r("abcd"), "TRUE"},
		{"underscore", like("a_c"), r("abc"), "TRUE"},
		{"underscore one code point", like("a_c"), r("aéc"), "TRUE"},
		{"underscore too short", like("a_c"), r("ac"), "FALSE"},
		{"chain", like("a%b%c"), r("axxbyyc"), "TRUE"},
		{"chain backtrack", like("%ab%abc"), r("abxabab abc"), "TRUE"},
		{"chain miss", like("a%b%c"), r("axxbyy"), "FALSE"},
		{"percent only", like("%"), r(""), "TRUE"},
		{"dot is literal", like("a.c"), r("abc"), "FALSE"},
		{"newline", like("a%c"), r("a\nc"), "TRUE"},
		{"null", like("a%"), []types.Value{types.NullValue}, "NULL"},
		{"not like", call("NOT LIKE", tBool, s, str("a%")), r("ba"), "TRUE"},
		{"escape %", call("LIKE", tBool, s, str("100!%"), str("!")), r("100%"), "TRUE"},
		{"escape % miss", call("LIKE", tBool, s, str("100!%"), str("!")), r("1000"), "FALSE"},
		{"escape _", call("LIKE", tBool, s, str("a!_b"), str("!")), r("a_b"), "TRUE"},
		// without ESCAPE a backslash is an ordinary character
		{"no default escape", like(`a\%`), r(`a\xyz`), "TRUE"},
		{"bad escape", call("LIKE", tBool, s, str("a!b"), str("!")), r("ab"), "COMPILE"},
		{"dynamic pattern", call("LIKE", tBool, s, col(1, tStr)), []types.Value{types.StringValue("hello"), types.StringValue("h%o")}, "TRUE"},
	})
}

func TestCast(t *testing.T) {
	cast := func(e planner.Expr, to types.Type) planner.Expr { return call("CAST", to, e) }
	try := func(e planner.Expr, to types.Type) planner.Expr { return call("TRY_CAST", to, e) }
	run(t, time.UTC, []tc{
		{"str->int", cast(str(" 12 "), tInt), nil, "12"},
		// Flink's toInt drops a fraction
		{"str->int fraction", cast(str("12.7"), tInt), nil, "12"},
		{"str->int bad", cast(str("abc"), tInt), nil, "ERR"},
		{"try str->int bad", try(str("abc"), tInt), nil, "NULL"},
		{"str->int out of range", cast(str("3000000000"), tInt), nil, "ERR"},
		{"str->bigint", cast(str("3000000000"), tBig), nil, "3000000000"},
		{"str->double", cast(str("1e3"), tDbl), nil, "1000.0"},
		{"str->double bad", try(str("1,5"), tDbl), nil, "NULL"},
		{"str->decimal", cast(str("3.14159"), dec(5, 2)), nil, "3.14"},
		{"str->decimal half up", cast(str("2.345"), dec(5, 2)), nil, "2.35"},
		{"str->decimal overflow null", cast(str("12345.6"), dec(5, 2)), nil, "NULL"},
		{"str->bool", cast(str("TRUE"), tBool), nil, "TRUE"},
		{"str->bool yes", cast(str("yes"), tBool), nil, "TRUE"},
		{"str->bool bad", cast(str("maybe"), tBool), nil, "ERR"},
		{"double->bigint truncates", cast(f64(-2.9), tBig), nil, "-2"},
		// Numeric to integer casts are Java's primitive casts in Flink
		// (NumericPrimitiveCastRule, DecimalToNumericPrimitiveCastRule):
		// no error, no NULL. Expected values worked out by JLS 5.1.3:
		// double->int saturates at the int bounds, NaN is 0; a long keeps
		// its low bits.
		{"double->int saturates", cast(f64(1e10), tInt), nil, "2147483647"},
		{"try double->int saturates", try(f64(1e10), tInt), nil, "2147483647"},
		{"double->int saturates low", cast(f64(-1e10), tInt), nil, "-2147483648"},
		{"double->bigint saturates", cast(f64(1e30), tBig), nil, "9223372036854775807"},
		{"NaN->int", cast(f64(math.NaN()), tInt), nil, "0"},
		// (byte) 300.7: d2i gives 300, i2b keeps 300 - 256 = 44
		{"double->tinyint", cast(f64(300.7), types.Type{Kind: types.TinyInt}), nil, "44"},
		// (byte) 1e10: d2i saturates at 2^31-1 = 0x7fffffff, whose low byte is 0xff = -1
		{"double->tinyint saturated", cast(f64(1e10), types.Type{Kind: types.TinyInt}), nil, "-1"},
		// 2^40 + 5 keeps its low 32 bits: 5
		{"bigint->int wraps", cast(i64(1<<40+5), tInt), nil, "5"},
		{"int->tinyint", cast(i32(127), types.Type{Kind: types.TinyInt}), nil, "127"},
		{"int->tinyint wraps", cast(i32(300), types.Type{Kind: types.TinyInt}), nil, "44"},
		{"int->smallint wraps", cast(i32(40000), types.Type{Kind: types.SmallInt}), nil, "-25536"},
		{"decimal->int truncates", cast(decLit("-12.99", 4, 2), tInt), nil, "-12"},
		// BigDecimal.longValue keeps the low 64 bits: 2^64 + 7 gives 7, then (int) 7
		{"decimal->int beyond long", cast(decLit("18446744073709551623.9", 21, 1), tInt), nil, "7"},
		// 3000000000 = 0xB2D05E00 as int: 3000000000 - 2^32
		{"decimal->int wraps", cast(decLit("3000000000.5", 11, 1), tInt), nil, "-1294967296"},
		{"str->tinyint out of range", cast(str("300"), types.Type{Kind: types.TinyInt}), nil, "ERR"},
		{"try str->tinyint out of range", try(str("300"), types.Type{Kind: types.TinyInt}), nil, "NULL"},
		// DecimalData.fromBigDecimal gives null beyond the precision
		{"decimal->decimal overflow null", cast(decLit("99999999.99", 10, 2), dec(4, 2)), nil, "NULL"},
		{"double->decimal overflow null", cast(f64(123.5), dec(3, 1)), nil, "NULL"},
		{"double->decimal", cast(f64(0.1), dec(10, 3)), nil, "0.100"},
		{"int->decimal overflow null", cast(i32(1000), dec(3, 1)), nil, "NULL"},
		{"double->string", cast(f64(0.5), tStr), nil, "0.5"},
		{"double->string big", cast(f64(1e10), tStr), nil, "1.0E10"},
		{"double->string whole", cast(f64(100), tStr), nil, "100.0"},
		{"decimal->string", cast(decLit("11.10", 4, 2), tStr), nil, "11.10"},
		{"bool->string", cast(bl(true), tStr), nil, "TRUE"},
		{"int->string", cast(i32(-5), tStr), nil, "-5"},
		{"string->varchar(3) truncates", cast(str("abcdef"), types.Type{Kind: types.String, Precision: 3}), nil, "abc"},
		{"int->bool", cast(i32(2), tBool), nil, "TRUE"},
		{"bool->int", cast(bl(true), tInt), nil, "1"},
		{"str->ts", cast(str("2026-05-28 20:28:50.5"), tTS3), nil, "2026-05-28 20:28:50.500"},
		{"str->ts iso", cast(str("2026-05-28T20:28:50"), tTS3), nil, "2026-05-28 20:28:50.000"},
		{"str->ts bad", cast(str("yesterday"), tTS3), nil, "ERR"},
		{"try str->ts bad", try(str("yesterday"), tTS3), nil, "NULL"},
		{"ts->string p0", cast(lit(types.TimestampValue(wallMs(2026, 5, 28, 20, 28, 50, 0)), types.Type{Kind: types.Timestamp}), tStr), nil, "2026-05-28 20:28:50"},
		{"ts3->ts0 truncates", cast(lit(types.TimestampValue(wallMs(2026, 5, 28, 20, 28, 50, 999)), tTS3), types.Type{Kind: types.Timestamp}), nil, "2026-05-28 20:28:50"},
		{"str->date", cast(str("2026-05-28"), tDate), nil, "2026-05-28"},
		{"date->ts", cast(cast(str("2026-05-28"), tDate), tTS3), nil, "2026-05-28 00:00:00.000"},
		{"ts->date", cast(lit(types.TimestampValue(wallMs(2026, 5, 28, 23, 0, 0, 0)), tTS3), tDate), nil, "2026-05-28"},
		// CAST(bigint AS TIMESTAMP_LTZ) is epoch seconds (Flink 1.15+)
		{"bigint->ltz seconds", cast(i64(1), tLTZ3), nil, "1970-01-01 00:00:01.000"},
		{"ltz->bigint seconds", cast(lit(types.TimestampLTZValue(1500), tLTZ3), tBig), nil, "1"},
		{"null cast", cast(nul(tStr), tInt), nil, "NULL"},
		{"unsupported", cast(bl(true), tTS3), nil, "COMPILE"},
	})
}

func TestTimeZoneCasts(t *testing.T) {
	sh := time.FixedZone("Asia/Shanghai", 8*3600)
	inst := wallMs(2026, 5, 28, 20, 28, 50, 500) // instant; 04:28:50.500 next day in +08
	run(t, sh, []tc{
		{"ltz->string in zone", call("CAST", tStr, lit(types.TimestampLTZValue(inst), tLTZ3)), nil, "2026-05-29 04:28:50.500"},
		{"ltz->ts wall clock", call("CAST", tTS3, lit(types.TimestampLTZValue(inst), tLTZ3)), nil, "2026-05-29 04:28:50.500"},
		// the wall clock 2026-05-29 04:28:50.500 in +08 is the instant inst: printed back in +08
		{"ts->ltz", call("CAST", tLTZ3, lit(types.TimestampValue(wallMs(2026, 5, 29, 4, 28, 50, 500)), tTS3)), nil, "2026-05-29 04:28:50.500"},
		{"ts->ltz->bigint", call("CAST", tBig, call("CAST", tLTZ3, lit(types.TimestampValue(wallMs(1970, 1, 1, 8, 0, 10, 0)), tTS3))), nil, "10"},
		{"str->ltz", call("CAST", tBig, call("CAST", tLTZ3, str("1970-01-01 08:00:20"))), nil, "20"},
		{"extract hour ltz", unit("EXTRACT", "HOUR", tBig, lit(types.TimestampLTZValue(inst), tLTZ3)), nil, "4"},
		{"extract hour ts ignores zone", unit("EXTRACT", "HOUR", tBig, lit(types.TimestampValue(inst), tTS3)), nil, "20"},
		// FLOOR to DAY of an LTZ aligns to midnight in +08 = 16:00 UTC the day before
		{"floor ltz day", call("CAST", tBig, unit("FLOOR_TO", "DAY", tLTZ3, lit(types.TimestampLTZValue(inst), tLTZ3))), nil,
			itoa(wallMs(2026, 5, 28, 16, 0, 0, 0) / 1000)},
		{"date_format ltz", call("DATE_FORMAT", tStr, lit(types.TimestampLTZValue(inst), tLTZ3), str("yyyy-MM-dd HH:mm")), nil, "2026-05-29 04:28"},
		{"from_unixtime zone", call("FROM_UNIXTIME", tStr, i64(0)), nil, "1970-01-01 08:00:00"},
		{"unix_timestamp zone", call("UNIX_TIMESTAMP", tBig, str("1970-01-01 08:00:01")), nil, "1"},
		{"to_timestamp_ltz", call("CAST", tStr, call("TO_TIMESTAMP_LTZ", tLTZ3, i64(0), i32(0))), nil, "1970-01-01 08:00:00.000"},
	})
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Logf("no tzdata, skipping the DST cases: %v", err)
		return
	}
	// 2026-03-08 is the spring-forward day in New York: that day has 23 hours;
	// 12:00 EDT floors to midnight EST = 05:00 UTC.
	noon := wallMs(2026, 3, 8, 16, 0, 0, 0)
	run(t, ny, []tc{
		{"floor day across DST", call("CAST", tBig, unit("FLOOR_TO", "DAY", tLTZ3, lit(types.TimestampLTZValue(noon), tLTZ3))), nil,
			itoa(wallMs(2026, 3, 8, 5, 0, 0, 0) / 1000)},
		{"ltz string in NY", call("CAST", tStr, lit(types.TimestampLTZValue(noon), tLTZ3)), nil, "2026-03-08 12:00:00.000"},
	})
}

func itoa(x int64) string { return types.FormatValue(types.BigIntValue(x), tBig, nil) }

func TestTimeFunctions(t *testing.T) {
	ts := lit(types.TimestampValue(wallMs(2026, 5, 28, 20, 28, 50, 500)), tTS3)
	ex := func(u string) planner.Expr { return unit("EXTRACT", u, tBig, ts) }
	fl := func(u string) planner.Expr { return unit("FLOOR_TO", u, tTS3, ts) }
	ce := func(u string) planner.Expr { return unit("CEIL_TO", u, tTS3, ts) }
	run(t, time.UTC, []tc{
		{"year", ex("YEAR"), nil, "2026"},
		{"quarter", ex("QUARTER"), nil, "2"},
		{"month", ex("MONTH"), nil, "5"},
		{"day", ex("DAY"), nil, "28"},
		{"hour", ex("HOUR"), nil, "20"},
		{"minute", ex("MINUTE"), nil, "28"},
		{"second", ex("SECOND"), nil, "50"},
		// Calcite: MILLISECOND counts from the start of the minute (50 s 500 ms)
		{"millisecond", ex("MILLISECOND"), nil, "50500"},
		// 2026-05-28 is a Thursday: DOW Sunday=1 -> 5
		{"dow", ex("DOW"), nil, "5"},
		// Jan 31 + Feb 28 + Mar 31 + Apr 30 + 28 = 148
		{"doy", ex("DOY"), nil, "148"},
		// ISO week: Monday 2026-05-25 starts week 22
		{"week", ex("WEEK"), nil, "22"},
		{"epoch", ex("EPOCH"), nil, itoa(wallMs(2026, 5, 28, 20, 28, 50, 0) / 1000)},
		{"floor second", fl("SECOND"), nil, "2026-05-28 20:28:50.000"},
		{"floor minute", fl("MINUTE"), nil, "2026-05-28 20:28:00.000"},
		{"floor hour", fl("HOUR"), nil, "2026-05-28 20:00:00.000"},
		{"floor day", fl("DAY"), nil, "2026-05-28 00:00:00.000"},
		// Calcite weeks start on Sunday: 2026-05-24
		{"floor week", fl("WEEK"), nil, "2026-05-24 00:00:00.000"},
		{"floor month", fl("MONTH"), nil, "2026-05-01 00:00:00.000"},
		{"floor quarter", fl("QUARTER"), nil, "2026-04-01 00:00:00.000"},
		{"floor year", fl("YEAR"), nil, "2026-01-01 00:00:00.000"},
		{"ceil minute", ce("MINUTE"), nil, "2026-05-28 20:29:00.000"},
		{"ceil month", ce("MONTH"), nil, "2026-06-01 00:00:00.000"},
		{"ceil aligned stays", unit("CEIL_TO", "HOUR", tTS3, lit(types.TimestampValue(wallMs(2026, 5, 28, 20, 0, 0, 0)), tTS3)), nil, "2026-05-28 20:00:00.000"},
		{"floor negative", unit("FLOOR_TO", "SECOND", tTS3, lit(types.TimestampValue(-1), tTS3)), nil, "1969-12-31 23:59:59.000"},
		{"ts + 1 day", call("+", tTS3, ts, lit(types.IntervalMillisValue(86400000), tIvDT)), nil, "2026-05-29 20:28:50.500"},
		{"interval + ts", call("+", tTS3, lit(types.IntervalMillisValue(1000), tIvDT), ts), nil, "2026-05-28 20:28:51.500"},
		{"ts - 10 s", call("-", tTS3, ts, lit(types.IntervalMillisValue(10000), tIvDT)), nil, "2026-05-28 20:28:40.500"},
		// Jan 31 + 1 month clamps to Feb 28 (2026 is not a leap year)
		{"month clamp", call("+", tTS3, lit(types.TimestampValue(wallMs(2026, 1, 31, 10, 0, 0, 0)), tTS3), lit(types.IntervalMonthsValue(1), tIvYM)), nil, "2026-02-28 10:00:00.000"},
		{"minus year", call("-", tTS3, lit(types.TimestampValue(wallMs(2024, 2, 29, 0, 0, 0, 0)), tTS3), lit(types.IntervalMonthsValue(12), tIvYM)), nil, "2023-02-28 00:00:00.000"},
		{"to_timestamp default", call("TO_TIMESTAMP", tTS3, str("2026-05-28 20:28:50")), nil, "2026-05-28 20:28:50.000"},
		{"to_timestamp fmt", call("TO_TIMESTAMP", tTS3, str("28/05/2026 20.28"), str("dd/MM/yyyy HH.mm")), nil, "2026-05-28 20:28:00.000"},
		{"to_timestamp compact", call("TO_TIMESTAMP", tTS3, str("20260528202850123"), str("yyyyMMddHHmmssSSS")), nil, "2026-05-28 20:28:50.123"},
		{"to_timestamp bad is null", call("TO_TIMESTAMP", tTS3, str("garbage")), nil, "NULL"},
		{"date_format", call("DATE_FORMAT", tStr, ts, str("yyyy/MM/dd HH:mm:ss.SSS")), nil, "2026/05/28 20:28:50.500"},
		{"date_format quoted", call("DATE_FORMAT", tStr, ts, str("yyyy-MM-dd'T'HH 'o''clock'")), nil, "2026-05-28T20 o'clock"},
		{"date_format names", call("DATE_FORMAT", tStr, ts, str("EEE, d MMM yyyy h a")), nil, "Thu, 28 May 2026 8 PM"},
		{"date_format string arg", call("DATE_FORMAT", tStr, str("2026-05-28 20:28:50"), str("HH")), nil, "20"},
		{"date_format bad letter", call("DATE_FORMAT", tStr, ts, str("yyyy-qq")), nil, "COMPILE"},
		{"unix_timestamp", call("UNIX_TIMESTAMP", tBig, str("1970-01-02 00:00:00")), nil, "86400"},
		{"unix_timestamp fmt", call("UNIX_TIMESTAMP", tBig, str("1970/01/01 00:01"), str("yyyy/MM/dd HH:mm")), nil, "60"},
		// Flink's DateTimeUtils.unixTimestamp gives Long.MIN_VALUE for unparsable text
		{"unix_timestamp bad", call("UNIX_TIMESTAMP", tBig, str("nope")), nil, "-9223372036854775808"},
		{"from_unixtime", call("FROM_UNIXTIME", tStr, i64(86400)), nil, "1970-01-02 00:00:00"},
		{"from_unixtime fmt", call("FROM_UNIXTIME", tStr, i64(3600), str("HH:mm")), nil, "01:00"},
		{"to_timestamp_ltz ms", call("TO_TIMESTAMP_LTZ", tLTZ3, i64(1500), i32(3)), nil, "1970-01-01 00:00:01.500"},
		{"to_timestamp_ltz s", call("TO_TIMESTAMP_LTZ", tLTZ3, i64(2), i32(0)), nil, "1970-01-01 00:00:02.000"},
		{"to_timestamp_ltz null", call("TO_TIMESTAMP_LTZ", tLTZ3, nul(tBig), i32(3)), nil, "NULL"},
		{"extract date", unit("EXTRACT", "YEAR", tBig, call("CAST", tDate, str("2024-02-29"))), nil, "2024"},
		// column shapes compiled without calls (the computed column and watermark of a source)
		{"to_timestamp_ltz column ms", call("TO_TIMESTAMP_LTZ", tLTZ3, col(1, tBig), i32(3)), []types.Value{types.NullValue, types.BigIntValue(2500)}, "1970-01-01 00:00:02.500"},
		{"to_timestamp_ltz column s", call("TO_TIMESTAMP_LTZ", tLTZ3, col(0, tBig), i32(0)), []types.Value{types.BigIntValue(-3)}, "1969-12-31 23:59:57.000"},
		{"to_timestamp_ltz column null", call("TO_TIMESTAMP_LTZ", tLTZ3, col(0, tBig), i32(3)), []types.Value{types.NullValue}, "NULL"},
		{"column ltz - 1 s", call("-", tLTZ3, col(0, tLTZ3), lit(types.IntervalMillisValue(1000), tIvDT)), []types.Value{types.Value{K: types.TimestampLTZ, I: 500}}, "1969-12-31 23:59:59.500"},
		{"interval + column ts", call("+", tTS3, lit(types.IntervalMillisValue(250), tIvDT), col(0, tTS3)), []types.Value{types.TimestampValue(1000)}, "1970-01-01 00:00:01.250"},
		{"column ts - interval null", call("-", tTS3, col(0, tTS3), lit(types.IntervalMillisValue(1000), tIvDT)), []types.Value{types.NullValue}, "NULL"},
	})
}

func TestCurrentWatermark(t *testing.T) {
	rt := tTS3
	rt.Rowtime = true
	f, err := Compile(call("CURRENT_WATERMARK", tTS3, col(0, rt)), &Env{TimeZone: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	row := []types.Value{types.TimestampValue(5)}
	ctx := &Ctx{Watermark: core.MinWatermark}
	if v := f(ctx, row); v.K != types.Null {
		t.Fatalf("before any watermark: %v", v)
	}
	ctx.Watermark = 1000
	if v := f(ctx, row); v.K != types.Timestamp || v.I != 1000 {
		t.Fatalf("got %+v", v)
	}
}

func TestFirstErrorWins(t *testing.T) {
	e := call("+", tInt, call("/", tInt, col(0, tInt), i32(0)), call("CAST", tInt, str("x")))
	f, err := Compile(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &Ctx{}
	if v := f(ctx, []types.Value{types.IntValue(1)}); v.K != types.Null {
		t.Fatalf("got %+v", v)
	}
	if ctx.Err == nil || !strings.Contains(ctx.Err.Error(), "division by zero") {
		t.Fatalf("err = %v", ctx.Err)
	}
}

func TestConstantFolding(t *testing.T) {
	// 1 + 2 folds to a constant; the closure ignores the row.
	f, err := Compile(call("+", tInt, i32(1), i32(2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := f(&Ctx{}, nil); v.I != 3 {
		t.Fatalf("got %+v", v)
	}
	// A constant that fails is not folded: the error appears when evaluated.
	f, err = Compile(call("CAST", tInt, str("x")), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &Ctx{}
	f(ctx, nil)
	if ctx.Err == nil {
		t.Fatal("no error")
	}
}

func TestPredicate(t *testing.T) {
	f, err := Compile(call("=", tBool, col(0, tStr), str("click")), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := Predicate(f)
	ctx := &Ctx{}
	for _, c := range []struct {
		v    types.Value
		want bool
	}{{types.StringValue("click"), true}, {types.StringValue("view"), false}, {types.NullValue, false}} {
		if got := p(ctx, []types.Value{c.v}); got != c.want {
			t.Errorf("%+v: got %v", c.v, got)
		}
	}
}

// ---- benchmarks: 1024-row batches, 0 allocs/op expected

func benchBatch(n int, mk func(i int) []types.Value) *core.Batch {
	b := &core.Batch{Rows: make([]core.Row, n)}
	for i := range b.Rows {
		b.Rows[i] = mk(i)
	}
	return b
}

func BenchmarkEvalStringEquals(b *testing.B) {
	f, err := Compile(call("=", tBool, col(1, tStr), str("click")), nil)
	if err != nil {
		b.Fatal(err)
	}
	kinds := []string{"click", "view", "impression", "click"}
	batch := benchBatch(1024, func(i int) []types.Value {
		return []types.Value{types.BigIntValue(int64(i)), types.StringValue(kinds[i%4])}
	})
	p := Predicate(f)
	ctx := &Ctx{}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		for _, r := range batch.Rows {
			if p(ctx, r) {
				n++
			}
		}
	}
	if n != b.N*512 {
		b.Fatalf("matched %d", n)
	}
}

func BenchmarkEvalDoubleDivision(b *testing.B) {
	f, err := Compile(call("/", tDbl, col(0, tDbl), col(1, tDbl)), nil)
	if err != nil {
		b.Fatal(err)
	}
	batch := benchBatch(1024, func(i int) []types.Value {
		return []types.Value{types.DoubleValue(float64(i)), types.DoubleValue(float64(i%7 + 1))}
	})
	out := make([]types.Value, 1024)
	ctx := &Ctx{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, r := range batch.Rows {
			out[j] = f(ctx, r)
		}
	}
}

// Timestamp and date arithmetic that leaves years 0000 to 9999, or
// overflows an int64, is a runtime error naming the expression (it used
// to wrap: ts + INTERVAL '99999999999' DAY gave year 273792726).
func TestTimeArithmeticRange(t *testing.T) {
	day := int64(86400000)
	col0 := func(v types.Value) []types.Value { return []types.Value{v} }
	last := types.TimestampValue(wallMs(9999, 12, 31, 23, 59, 59, 999))
	first := types.TimestampValue(wallMs(0, 1, 1, 0, 0, 0, 0))
	lastDate := types.DateValue(wallMs(9999, 12, 31, 0, 0, 0, 0) / day)
	huge := lit(types.IntervalMillisValue(99999999999*day), tIvDT)
	ms1 := lit(types.IntervalMillisValue(1), tIvDT)
	run(t, time.UTC, []tc{
		// the edges themselves are fine
		{"last ms", call("+", tTS3, col(0, tTS3), lit(types.IntervalMillisValue(0), tIvDT)), col0(last), "9999-12-31 23:59:59.999"},
		{"first - 0", call("-", tTS3, lit(first, tTS3), lit(types.IntervalMillisValue(0), tIvDT)), nil, "0000-01-01 00:00:00.000"},
		{"ts + huge days (column)", call("+", tTS3, col(0, tTS3), huge), col0(types.TimestampValue(0)), "ERR"},
		{"ts + huge days (call)", call("+", tTS3, call("+", tTS3, col(0, tTS3), ms1), huge), col0(types.TimestampValue(0)), "ERR"},
		{"huge days + ts", call("+", tTS3, huge, col(0, tTS3)), col0(types.TimestampValue(0)), "ERR"},
		{"last + 1 ms", call("+", tTS3, col(0, tTS3), ms1), col0(last), "ERR"},
		{"first - 1 ms", call("-", tTS3, lit(first, tTS3), ms1), nil, "ERR"},
		{"ltz last + 1 ms", call("+", tLTZ3, col(0, tLTZ3), ms1), col0(types.Value{K: types.TimestampLTZ, I: last.I}), "ERR"},
		{"int64 overflow", call("+", tTS3, col(0, tTS3), lit(types.IntervalMillisValue(math.MaxInt64), tIvDT)), col0(types.TimestampValue(1)), "ERR"},
		{"minus least int64", call("-", tTS3, col(0, tTS3), lit(types.IntervalMillisValue(math.MinInt64), tIvDT)), col0(types.TimestampValue(0)), "ERR"},
		{"9999-12 + 1 month", call("+", tTS3, col(0, tTS3), lit(types.IntervalMonthsValue(1), tIvYM)), col0(types.TimestampValue(wallMs(9999, 12, 1, 0, 0, 0, 0))), "ERR"},
		{"9999-11 + 1 month", call("+", tTS3, col(0, tTS3), lit(types.IntervalMonthsValue(1), tIvYM)), col0(types.TimestampValue(wallMs(9999, 11, 30, 0, 0, 0, 0))), "9999-12-30 00:00:00.000"},
		{"huge months", call("-", tTS3, col(0, tTS3), lit(types.IntervalMonthsValue(math.MinInt64), tIvYM)), col0(types.TimestampValue(0)), "ERR"},
		{"ltz huge months", call("+", tLTZ3, col(0, tLTZ3), lit(types.IntervalMonthsValue(math.MaxInt64), tIvYM)), col0(types.Value{K: types.TimestampLTZ}), "ERR"},
		{"date + 1 day past 9999", call("+", tDate, col(0, tDate), lit(types.IntervalMillisValue(day), tIvDT)), col0(lastDate), "ERR"},
		{"date + 1 year past 9999", call("+", tDate, col(0, tDate), lit(types.IntervalMonthsValue(12), tIvYM)), col0(lastDate), "ERR"},
		{"date + 1 ms as timestamp", call("+", tTS3, col(0, tDate), lit(types.IntervalMillisValue(day), tIvDT)), col0(lastDate), "ERR"},
	})
	// the message names the expression and the operands
	got := eval(t, call("+", tTS3, col(0, tTS3), huge), time.UTC, types.TimestampValue(0))
	for _, want := range []string{"ERR: +(", "1970-01-01 00:00:00.000 +", "outside the TIMESTAMP range (years 0000 to 9999)"} {
		if !strings.Contains(got, want) {
			t.Errorf("message %q lacks %q", got, want)
		}
	}
}
