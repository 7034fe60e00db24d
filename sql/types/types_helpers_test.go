package types

import (
	"math"
	"math/big"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests need America/New_York on any machine
)

func dec(s string, scale int) Value {
	v, ok, err := DecimalFromString(s, 38, scale)
	if err != nil || !ok {
		panic(s)
	}
	return v
}

func TestDecimalArithmetic(t *testing.T) {
	cases := []struct {
		name  string
		got   func() (Value, bool)
		want  string
		nullv bool
	}{
		// DECIMAL(3,2) + DECIMAL(4,3) -> DECIMAL(5,3)
		{"add", func() (Value, bool) { return DecimalAdd(dec("1.10", 2), dec("2.205", 3), 5, 3) }, "3.305", false},
		{"sub", func() (Value, bool) { return DecimalSub(dec("1.10", 2), dec("2.205", 3), 5, 3) }, "-1.105", false},
		// exact product 0.0375 rounded HALF_UP to 3 digits: 0.038
		{"mul half up", func() (Value, bool) { return DecimalMul(dec("0.25", 2), dec("0.15", 2), 10, 3) }, "0.038", false},
		{"mul neg half up", func() (Value, bool) { return DecimalMul(dec("-0.25", 2), dec("0.15", 2), 10, 3) }, "-0.038", false},
		// 99.99 + 0.01 = 100.00 needs precision 5: DECIMAL(4,2) overflows -> NULL
		{"overflow", func() (Value, bool) { return DecimalAdd(dec("99.99", 2), dec("0.01", 2), 4, 2) }, "", true},
		{"big", func() (Value, bool) {
			return DecimalMul(dec("12345678901234567890", 0), dec("10000000000", 0), 38, 0)
		}, "123456789012345678900000000000", false},
		{"rescale up", func() (Value, bool) { return DecimalRescale(dec("11.1", 1), 10, 2) }, "11.10", false},
	}
	for _, c := range cases {
		v, ok := c.got()
		if c.nullv {
			if ok {
				t.Errorf("%s: want overflow, got %s", c.name, DecimalString(v))
			}
			continue
		}
		if !ok || DecimalString(v) != c.want {
			t.Errorf("%s: got %s ok=%v, want %s", c.name, DecimalString(v), ok, c.want)
		}
	}
}

func TestDecimalDiv(t *testing.T) {
	// Flink: DECIMAL(4,2) / DECIMAL(10,0) (an INT) -> scale max(6, 2+10+1) = 13
	v, ok, err := DecimalDiv(dec("10.00", 2), DecimalValue(3, 0), 15, 13)
	if err != nil || !ok || DecimalString(v) != "3.3333333333333" {
		t.Fatalf("10.00/3 = %s %v %v", DecimalString(v), ok, err)
	}
	// 2/3 at scale 6 rounds HALF_UP: 0.666667; negative: -0.666667
	v, _, _ = DecimalDiv(DecimalValue(2, 0), DecimalValue(-3, 0), 10, 6)
	if DecimalString(v) != "-0.666667" {
		t.Fatalf("2/-3 = %s", DecimalString(v))
	}
	// big divisor goes through the 34-digit path: 1 / 3e20 at scale 25 = 0.0000000000000000000033333
	bigDen := BigDecimalValue(new(big.Int).Mul(big.NewInt(3), new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil)), 0)
	v, ok, _ = DecimalDiv(DecimalValue(1, 0), bigDen, 38, 25)
	if !ok || DecimalString(v) != "0.0000000000000000000033333" {
		t.Fatalf("1/3e20 = %s", DecimalString(v))
	}
	if _, _, err := DecimalDiv(DecimalValue(1, 0), DecimalValue(0, 2), 10, 2); err != ErrDivisionByZero {
		t.Fatalf("division by zero: %v", err)
	}
	// remainder takes the dividend's sign (Java): -7.5 % 2 = -1.5
	v, _, _ = DecimalMod(dec("-7.5", 1), DecimalValue(2, 0), 10, 1)
	if DecimalString(v) != "-1.5" {
		t.Fatalf("-7.5 %% 2 = %s", DecimalString(v))
	}
}

func TestDecimalConversions(t *testing.T) {
	if s := DecimalString(DecimalValue(-5, 2)); s != "-0.05" {
		t.Errorf("got %s", s)
	}
	if s := DecimalString(DecimalValue(math.MinInt64, 0)); s != "-9223372036854775808" {
		t.Errorf("got %s", s)
	}
	if f := DecimalToFloat(DecimalValue(1110, 2)); f != 11.1 {
		t.Errorf("got %v", f)
	}
	// BigDecimal.valueOf(0.1) is 0.1 exactly, not 0.1000000000000000055...
	v, ok := DecimalFromFloat(0.1, 10, 5)
	if !ok || DecimalString(v) != "0.10000" {
		t.Errorf("got %s", DecimalString(v))
	}
	if _, _, err := DecimalFromString("abc", 10, 2); err == nil {
		t.Errorf("abc parsed")
	}
	v, _, _ = DecimalFromString(" 1.5e2 ", 10, 1)
	if DecimalString(v) != "150.0" {
		t.Errorf("got %s", DecimalString(v))
	}
	i, ok := DecimalToInt64(dec("-12.99", 2))
	if !ok || i != -12 {
		t.Errorf("got %d", i)
	}
	r, _ := DecimalRound(dec("2.345", 3), 2, 10, 2)
	if DecimalString(r) != "2.35" {
		t.Errorf("round got %s", DecimalString(r))
	}
	r, _ = DecimalFloor(dec("-2.5", 1), 10, 0)
	if DecimalString(r) != "-3" {
		t.Errorf("floor got %s", DecimalString(r))
	}
	r, _ = DecimalCeil(dec("2.1", 1), 10, 0)
	if DecimalString(r) != "3" {
		t.Errorf("ceil got %s", DecimalString(r))
	}
	if DecimalCompare(dec("1.10", 2), dec("1.1", 1)) != 0 || DecimalCompare(dec("1.05", 2), dec("1.1", 1)) != -1 {
		t.Errorf("compare")
	}
}

func TestFormatDouble(t *testing.T) {
	cases := map[float64]string{
		0.5: "0.5", 100: "100.0", 1e10: "1.0E10", 1.234e-5: "1.234E-5", 0.001: "0.001",
		1e7: "1.0E7", 9999999: "9999999.0", -2.5: "-2.5", 0: "0.0", math.Inf(1): "Infinity",
		math.NaN(): "NaN", 123456789.125: "1.23456789125E8",
	}
	for f, want := range cases {
		if got := FormatDouble(f); got != want {
			t.Errorf("FormatDouble(%v) = %s, want %s", f, got, want)
		}
	}
	x := 0.1
	if got := FormatDouble(x + 0.2); got != "0.30000000000000004" { // not a constant: float64 arithmetic
		t.Errorf("0.1+0.2 = %s", got)
	}
	if got := FormatFloat(0.1); got != "0.1" {
		t.Errorf("FormatFloat(0.1) = %s", got)
	}
}

// 2026-05-28 20:28:50.500 UTC; days from 1970-01-01 to 2026-05-28 worked
// out independently with time.Date.
var ts500 = time.Date(2026, 5, 28, 20, 28, 50, 500e6, time.UTC).UnixMilli()

func TestTimestampFormats(t *testing.T) {
	cases := []struct {
		ms    int64
		prec  int
		style TimestampStyle
		want  string
	}{
		{ts500, 3, TimestampCast, "2026-05-28 20:28:50.500"},
		{ts500, 0, TimestampCast, "2026-05-28 20:28:50"},
		{ts500, 6, TimestampCast, "2026-05-28 20:28:50.500000"},
		{ts500, 3, TimestampSQL, "2026-05-28 20:28:50.5"},
		{ts500 - 500, 3, TimestampSQL, "2026-05-28 20:28:50"},
		{ts500 - 500, 3, TimestampSQLZ, "2026-05-28 20:28:50Z"},
		{ts500 + 20, 3, TimestampISO, "2026-05-28T20:28:50.52"},
		{-1, 3, TimestampCast, "1969-12-31 23:59:59.999"},
	}
	for _, c := range cases {
		if got := FormatTimestamp(c.ms, c.prec, c.style); got != c.want {
			t.Errorf("FormatTimestamp(%d, %d, %d) = %s, want %s", c.ms, c.prec, c.style, got, c.want)
		}
	}
	for _, s := range []string{"2026-05-28 20:28:50.5", "2026-05-28T20:28:50.500", " 2026-05-28 20:28:50.500Z"} {
		ms, err := ParseTimestamp(s)
		if err != nil || ms != ts500 {
			t.Errorf("ParseTimestamp(%q) = %d, %v", s, ms, err)
		}
	}
	if ms, err := ParseTimestamp("2026-05-28"); err != nil || ms != ts500-(20*3600+28*60+50)*1000-500 {
		t.Errorf("date only: %d %v", ms, err)
	}
	for _, bad := range []string{"2026-02-30 00:00:00", "2026-05-28 25:00:00", "yesterday", "2026-05-28x"} {
		if _, err := ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) succeeded", bad)
		}
	}
}

func TestTimeZones(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err) // time/tzdata is linked in, so the zone always exists
	}
	// 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 -> 03:00):
	// Java moves it forward by the gap: 03:30 EDT = 07:30 UTC.
	local := time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC).UnixMilli()
	want := time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC).UnixMilli()
	if got := LocalToInstant(local, ny); got != want {
		t.Errorf("gap: got %s", time.UnixMilli(got).UTC())
	}
	// 2026-11-01 01:30 happens twice: Java takes the earlier offset (EDT, -4h).
	local = time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC).UnixMilli()
	want = time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC).UnixMilli()
	if got := LocalToInstant(local, ny); got != want {
		t.Errorf("overlap: got %s", time.UnixMilli(got).UTC())
	}
	if got := InstantToLocal(want, ny); got != local {
		t.Errorf("InstantToLocal: got %d", got)
	}
}

func TestFormatValue(t *testing.T) {
	it := Type{Kind: Int}
	st := Type{Kind: String}
	arr := Value{K: Array, X: []Value{IntValue(1), IntValue(2), NullValue}}
	if got := FormatValue(arr, Type{Kind: Array, Elem: &it}, time.UTC); got != "[1, 2, NULL]" {
		t.Errorf("array: %s", got)
	}
	m := Value{K: Map, X: &MapValue{Keys: []Value{StringValue("a")}, Values: []Value{IntValue(1)}}}
	if got := FormatValue(m, Type{Kind: Map, Key: &st, Elem: &it}, time.UTC); got != "{a=1}" {
		t.Errorf("map: %s", got)
	}
	row := Value{K: Row, X: []Value{IntValue(1), StringValue("a")}}
	if got := FormatValue(row, Type{Kind: Row, Fields: []Field{{"x", it}, {"y", st}}}, time.UTC); got != "(1, a)" {
		t.Errorf("row: %s", got)
	}
	if got := FormatValue(DecimalValue(1110, 2), DecimalType(5, 2), nil); got != "11.10" {
		t.Errorf("decimal: %s", got)
	}
	if got := FormatValue(BoolValue(true), TBoolean, nil); got != "TRUE" {
		t.Errorf("bool: %s", got)
	}
	shanghai := time.FixedZone("UTC+8", 8*3600)
	if got := FormatValue(TimestampLTZValue(ts500), TTimestampLTZ, shanghai); got != "2026-05-29 04:28:50.500" {
		t.Errorf("ltz: %s", got)
	}
}

func TestCompareAndKeys(t *testing.T) {
	if Compare(DoubleValue(math.NaN()), DoubleValue(1)) != 1 || Compare(DoubleValue(math.Copysign(0, -1)), DoubleValue(0)) != -1 {
		t.Errorf("Java double order")
	}
	if Compare(StringValue("b"), StringValue("ab")) != 1 || Compare(NullValue, IntValue(0)) != -1 {
		t.Errorf("order")
	}
	k := func(vs ...Value) string {
		var b []byte
		for _, v := range vs {
			b = AppendKey(b, v)
		}
		return string(b)
	}
	if k(StringValue("ab"), StringValue("c")) == k(StringValue("a"), StringValue("bc")) {
		t.Errorf("string keys are not self-delimiting")
	}
	if k(NullValue) == k(IntValue(0)) || k(NullValue) == k(StringValue("")) {
		t.Errorf("NULL collides")
	}
	if k(DoubleValue(math.NaN())) != k(DoubleValue(-math.NaN())) {
		t.Errorf("NaNs differ")
	}
	bigOne := Value{K: Decimal, Scale: 2, X: big.NewInt(150)}
	if k(bigOne) != k(DecimalValue(150, 2)) {
		t.Errorf("decimal forms differ")
	}
	if k(IntValue(7)) != k(IntValue(7)) || k(IntValue(7)) == k(IntValue(8)) {
		t.Errorf("ints")
	}
}
