package planner

import (
	"strings"
	"testing"
)

func TestParseInterval(t *testing.T) {
	for _, c := range []struct {
		text, unit string
		want       int64 // ms, or months for YEAR/MONTH
		err        string
	}{
		{"10", "SECOND", 10_000, ""},
		{"1.5", "SECOND", 1_500, ""},
		{"-2", "MINUTE", -120_000, ""},
		{"1:30", "MINUTE TO SECOND", 90_000, ""},
		{"1 02:00:00", "DAY TO SECOND", 86_400_000 + 2*3_600_000, ""},
		{"250", "MILLISECOND", 250, ""},
		{"2", "YEAR", 24, ""},
		{"1-3", "YEAR TO MONTH", 15, ""},
		// 10^12 days is 8.64e19 ms, past int64 (it used to wrap to a negative size).
		{"1000000000000", "DAY", 0, "is out of range"},
		{"9223372036854775807", "MILLISECOND", 0, "is out of range"},
		{"9223372036854775807", "YEAR", 0, "is out of range"},
		{"9223372036854775807", "MONTH", 9223372036854775807, ""},
		// ParseFloat would take these; an interval is digits.
		{"1e3", "SECOND", 0, "bad interval literal"},
		{"NaN", "SECOND", 0, "bad interval literal"},
		{"inf", "DAY", 0, "bad interval literal"},
		{"0x10", "SECOND", 0, "bad interval literal"},
	} {
		v, _, err := parseInterval(c.text, c.unit)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("INTERVAL '%s' %s: got %v (value %d), want an error containing %q", c.text, c.unit, err, v.I, c.err)
			}
		case err != nil:
			t.Errorf("INTERVAL '%s' %s: %v", c.text, c.unit, err)
		case v.I != c.want:
			t.Errorf("INTERVAL '%s' %s = %d, want %d", c.text, c.unit, v.I, c.want)
		}
	}
}
