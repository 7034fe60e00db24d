package textconv

import (
	"math"
	"testing"
)

func TestJavaDouble(t *testing.T) {
	// Expected strings are what Java's Double.toString prints.
	cases := []struct {
		f    float64
		want string
	}{
		{1, "1.0"}, {0.5, "0.5"}, {123.456, "123.456"}, {1e7, "1.0E7"}, {9999999, "9999999.0"}, {0.001, "0.001"},
		{1e-4, "1.0E-4"}, {-2.5e-10, "-2.5E-10"}, {1.2345e21, "1.2345E21"}, {100, "100.0"}, {0, "0.0"},
		{math.Copysign(0, -1), "-0.0"}, {math.NaN(), "NaN"}, {math.Inf(-1), "-Infinity"}, {math.Nextafter(0.3, 1), "0.30000000000000004"},
	}
	for _, c := range cases {
		if got := string(AppendJavaDouble(nil, c.f, 64)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.f, got, c.want)
		}
	}
	if got := string(AppendJavaDouble(nil, float64(float32(0.1)), 32)); got != "0.1" {
		t.Errorf("float32 0.1: got %s", got)
	}
}

func TestDecimal(t *testing.T) {
	cases := []struct {
		in   string
		p, s int
		want string
	}{
		{"11.1", 10, 2, "11.10"}, {"0.005", 5, 2, "0.01"}, {"-0.004", 5, 2, "0.00"}, {"12345", 5, 0, "12345"},
		{"1e-2", 5, 3, "0.010"}, {"99.995", 5, 2, "100.00"}, {"123456789012345678901234567890.5", 38, 1, "123456789012345678901234567890.5"},
	}
	for _, c := range cases {
		v, err := ParseDecimal([]byte(c.in), c.p, c.s)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := string(AppendDecimal(nil, v)); got != c.want {
			t.Errorf("%s as DECIMAL(%d,%d): got %s, want %s", c.in, c.p, c.s, got, c.want)
		}
	}
	for _, bad := range []struct {
		in   string
		p, s int
	}{{"123456", 5, 0}, {"999.995", 5, 2}, {"abc", 5, 0}, {"1..2", 5, 0}, {"", 5, 0}, {"1e", 5, 0}} {
		if _, err := ParseDecimal([]byte(bad.in), bad.p, bad.s); err == nil {
			t.Errorf("%s as DECIMAL(%d,%d) should fail", bad.in, bad.p, bad.s)
		}
	}
}
