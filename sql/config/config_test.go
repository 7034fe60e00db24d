package config

import (
	"testing"
	"time"
)

func TestValues(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"500 ms": 500 * time.Millisecond, "500ms": 500 * time.Millisecond, "10 s": 10 * time.Second,
		"1 min": time.Minute, "2h": 2 * time.Hour, "1 d": 24 * time.Hour, "250": 250 * time.Millisecond,
	} {
		if got, err := Duration(s); err != nil || got != want {
			t.Errorf("Duration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "s", "-1 s", "10 sec0", "1 fortnight", "99999999999999999999 ms", "9999999999999 d"} {
		if _, err := Duration(s); err == nil {
			t.Errorf("Duration(%q) accepted", s)
		}
	}
	for s, want := range map[string]int64{"512": 512, "64 kb": 64 << 10, "1mb": 1 << 20, "2 gb": 2 << 30} {
		if got, err := Memory(s); err != nil || got != want {
			t.Errorf("Memory(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "mb", "1 mib0", "99999999999 tb"} {
		if _, err := Memory(s); err == nil {
			t.Errorf("Memory(%q) accepted", s)
		}
	}
	for s, want := range map[string]bool{"true": true, " TRUE ": true, "False": false} {
		if got, err := Bool(s); err != nil || got != want {
			t.Errorf("Bool(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := Bool("yes"); err == nil {
		t.Error(`Bool("yes") accepted`)
	}
}
