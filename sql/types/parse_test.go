package types

import (
	"math"
	"math/big"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDecimalFromStringCases(t *testing.T) {
	cases := []struct {
		in   string
		p, s int
		want string // "" = overflow
	}{
		{"11.1", 10, 2, "11.10"},
		{"0.005", 5, 2, "0.01"}, // HALF_UP
		{"-0.005", 5, 2, "-0.01"},
		{"-0.004", 5, 2, "0.00"},
		{"12345", 5, 0, "12345"},
		{"123456", 5, 0, ""},
		{"1e-2", 5, 3, "0.010"},
		{"99.995", 5, 2, "100.00"},
		{"999.995", 5, 2, ""}, // rounds to 1000.00: six digits
		{"+.5", 3, 0, "1"},
		{"5.", 3, 1, "5.0"},
		{"000000000000000000000000012.5", 5, 1, "12.5"},
		{"123456789012345678901234567890.5", 38, 1, "123456789012345678901234567890.5"},
		{"1234567890123456789", 38, 0, "1234567890123456789"}, // 19 digits: the big path
		{"1E-5000", 10, 2, "0.00"},
		{"-1E+5000", 38, 0, ""},
		{"0E+5000", 10, 2, "0.00"},
		{" \t42.25\n", 10, 1, "42.3"},
	}
	for _, c := range cases {
		v, ok, err := DecimalFromString(c.in, c.p, c.s)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if c.want == "" {
			if ok {
				t.Errorf("%q as DECIMAL(%d, %d): got %s, want overflow", c.in, c.p, c.s, DecimalString(v))
			}
			continue
		}
		if !ok || DecimalString(v) != c.want {
			t.Errorf("%q as DECIMAL(%d, %d): got %s ok=%v, want %s", c.in, c.p, c.s, DecimalString(v), ok, c.want)
		}
	}
	for _, bad := range []string{"abc", "1..2", "", " ", "1e", "1e+", "-", ".", "1.2.3", "12a", "0x10", "1_000"} {
		if v, _, err := DecimalFromString(bad, 10, 2); err == nil {
			t.Errorf("%q parsed as %s", bad, DecimalString(v))
		}
	}
}

// refDecimal rounds text HALF_UP to scale with big.Rat, independently of
// the code under test; "" for overflow.
func refDecimal(s string, prec, scale int) string {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		panic(s)
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	neg := r.Sign() < 0
	r.Abs(r)
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if new(big.Int).Lsh(m, 1).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if len(q.String()) > prec && q.Sign() != 0 {
		return ""
	}
	if neg {
		q.Neg(q)
	}
	return DecimalString(BigDecimalValue(q, scale))
}

func TestDecimalFromStringRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.Intn(10))
		}
		return string(b)
	}
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		switch rng.Intn(3) {
		case 0:
			sb.WriteByte('-')
		case 1:
			sb.WriteByte('+')
		}
		sb.WriteString(digits(rng.Intn(12)))
		if rng.Intn(2) == 0 {
			sb.WriteByte('.')
			sb.WriteString(digits(rng.Intn(12)))
		}
		if !strings.ContainsAny(sb.String(), "0123456789") {
			sb.WriteByte('7')
		}
		if rng.Intn(3) == 0 {
			sb.WriteString("e" + strconv.Itoa(rng.Intn(30)-15))
		}
		in := sb.String()
		prec := 1 + rng.Intn(25)
		scale := rng.Intn(prec + 1)
		want := refDecimal(in, prec, scale)
		v, ok, err := DecimalFromString(in, prec, scale)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		got := DecimalString(v)
		if !ok {
			got = ""
		}
		if got != want {
			t.Fatalf("%q as DECIMAL(%d, %d): got %q, want %q", in, prec, scale, got, want)
		}
	}
}

func TestDecimalFromStringDoesNotAllocate(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, ok, err := DecimalFromString("-12345.675", 10, 2); !ok || err != nil {
			t.Fatal("parse failed")
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

func TestStrictParsers(t *testing.T) {
	day := func(y int, m time.Month, d int) int64 {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).UnixMilli() / msPerDay
	}
	if d, err := ParseDateStrict("2026-05-28"); err != nil || d != day(2026, 5, 28) {
		t.Errorf("ParseDateStrict: %d %v", d, err)
	}
	if d, err := ParseDateStrict("0005-01-01"); err != nil || d != day(5, 1, 1) {
		t.Errorf("ParseDateStrict year 5: %d %v", d, err)
	}
	for _, bad := range []string{"2026-5-28", "2026-05-8", "26-05-28", "+2026-05-28", " 2026-05-28", "2026-05-28 ", "2026-02-29", "2026-13-01", "20260-05-28", ""} {
		if _, err := ParseDateStrict(bad); err == nil {
			t.Errorf("ParseDateStrict(%q) succeeded", bad)
		}
		if bad == "2026-5-28" || bad == "2026-05-8" || bad == " 2026-05-28" {
			if _, err := ParseDate(bad); err != nil { // the lenient form takes these
				t.Errorf("ParseDate(%q): %v", bad, err)
			}
		}
	}
	tod := func(h, m, s, ms int) int64 { return int64(((h*60+m)*60+s)*1000 + ms) }
	for in, want := range map[string]int64{
		"20:28:50": tod(20, 28, 50, 0), "20:28:50.5": tod(20, 28, 50, 500), "00:00:00.123456789": tod(0, 0, 0, 123),
	} {
		if got, err := ParseTimeStrict(in); err != nil || got != want {
			t.Errorf("ParseTimeStrict(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"20:28", "2:28:50", "20:28:50.", "20:28:50.1234567890", "24:00:00", "20:60:00", " 20:28:50", "20:28:50Z"} {
		if _, err := ParseTimeStrict(bad); err == nil {
			t.Errorf("ParseTimeStrict(%q) succeeded", bad)
		}
	}
	ts := func(y int, mo time.Month, d, h, mi, s, ms int) int64 {
		return time.Date(y, mo, d, h, mi, s, ms*1e6, time.UTC).UnixMilli()
	}
	cases := []struct {
		in   string
		ms   int64
		hasZ bool
	}{
		{"2026-05-28 20:28:50", ts(2026, 5, 28, 20, 28, 50, 0), false},
		{"2026-05-28 20:28:50.5", ts(2026, 5, 28, 20, 28, 50, 500), false},
		{"2026-05-28 20:28:50.5Z", ts(2026, 5, 28, 20, 28, 50, 500), true},
		{"2026-05-28T20:28:50.999999Z", ts(2026, 5, 28, 20, 28, 50, 999), true},
		{"2026-05-28T20:28", ts(2026, 5, 28, 20, 28, 0, 0), false},
		{"2026-05-28T20:28Z", ts(2026, 5, 28, 20, 28, 0, 0), true},
		{"1969-12-31 23:59:59.999", -1, false},
	}
	for _, c := range cases {
		ms, z, err := ParseTimestampStrict(c.in)
		if err != nil || ms != c.ms || z != c.hasZ {
			t.Errorf("ParseTimestampStrict(%q) = %d %v %v; want %d %v", c.in, ms, z, err, c.ms, c.hasZ)
		}
	}
	for _, bad := range []string{"2026-05-28", "2026-05-28 20:28", "2026-05-28 2:28:50", "2026-5-28 20:28:50",
		" 2026-05-28 20:28:50", "2026-05-28 20:28:50 ", "2026-05-28 20:28:50ZZ", "2026-05-28X20:28:50", "2026-05-28T20:28:50.Z"} {
		if _, _, err := ParseTimestampStrict(bad); err == nil {
			t.Errorf("ParseTimestampStrict(%q) succeeded", bad)
		}
	}
}

func TestAppendTime(t *testing.T) {
	ms := int64(((20*60+28)*60+50)*1000 + 500)
	at := func(ms int64, prec int, style TimestampStyle) string { return string(AppendTime(nil, ms, prec, style)) }
	for want, got := range map[string]string{
		"20:28:50.500": at(ms, 3, TimestampCast), // CAST pads to the precision
		"20:28:50":     at(ms, 0, TimestampCast),
		"20:28:50.5":   at(ms, 3, TimestampSQL), // JSON trims
		"20:28:50.52":  at(ms+20, 3, TimestampSQLZ),
		"00:00:00":     at(0, 3, TimestampISO),
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

func TestAppendDoubleJava(t *testing.T) {
	// What Java's Double.toString / Float.toString print.
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{1e-4, 64, "1.0E-4"}, {-2.5e-10, 64, "-2.5E-10"}, {1.2345e21, 64, "1.2345E21"},
		{math.Copysign(0, -1), 64, "-0.0"}, {math.Inf(-1), 64, "-Infinity"}, {123.456, 64, "123.456"},
		{float64(float32(0.1)), 32, "0.1"}, {float64(float32(1e10)), 32, "1.0E10"},
	}
	for _, c := range cases {
		if got := string(AppendDouble(nil, c.f, c.bits)); got != c.want {
			t.Errorf("AppendDouble(%v, %d) = %s, want %s", c.f, c.bits, got, c.want)
		}
	}
}
