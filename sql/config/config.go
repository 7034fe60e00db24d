// Package config reads configuration values as Flink writes them in SET
// statements and WITH options: durations ('10 s'), memory sizes ('64 mb')
// and booleans. The planner validates SET values with it and the
// connectors their options; it imports nothing of streamsql, so every
// layer can use it.
package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration reads a duration as Flink writes them: a number followed
// by an optional unit, with or without a space: '500 ms', '500ms', '10 s',
// '1 min', '2h', '1 d'. A bare number is milliseconds (Flink's default
// unit). Units: ns, us/µs, ms, s, min/m, h, d, and their long forms
// (milli, millis, millisecond(s), second(s), sec(s), minute(s), hour(s),
// day(s)).
func Duration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("invalid duration '%s': expected a number and a unit such as '500 ms', '10 s', '1 min', '2 h'", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid duration '%s': number out of range", s)
	}
	unit := strings.ToLower(strings.TrimSpace(t[i:]))
	var u time.Duration
	switch unit {
	case "ns", "nano", "nanos", "nanosecond", "nanoseconds":
		u = time.Nanosecond
	case "us", "µs", "micro", "micros", "microsecond", "microseconds":
		u = time.Microsecond
	case "", "ms", "milli", "millis", "millisecond", "milliseconds":
		u = time.Millisecond
	case "s", "sec", "secs", "second", "seconds":
		u = time.Second
	case "m", "min", "mins", "minute", "minutes":
		u = time.Minute
	case "h", "hour", "hours":
		u = time.Hour
	case "d", "day", "days":
		u = 24 * time.Hour
	default:
		return 0, fmt.Errorf("invalid duration '%s': unknown unit '%s' (use ms, s, min, h or d)", s, unit)
	}
	if n > math.MaxInt64/int64(u) {
		return 0, fmt.Errorf("invalid duration '%s': too large", s)
	}
	return time.Duration(n) * u, nil
}

// Memory reads a memory size as Flink writes them: '512', '64 kb',
// '1mb', '2 gb' (a bare number is bytes).
func Memory(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("invalid memory size '%s': expected a number and a unit such as '64 kb', '1 mb'", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid memory size '%s': number out of range", s)
	}
	var u int64
	switch strings.ToLower(strings.TrimSpace(t[i:])) {
	case "", "b", "bytes":
		u = 1
	case "k", "kb", "kibibytes":
		u = 1 << 10
	case "m", "mb", "mebibytes":
		u = 1 << 20
	case "g", "gb", "gibibytes":
		u = 1 << 30
	case "t", "tb", "tebibytes":
		u = 1 << 40
	default:
		return 0, fmt.Errorf("invalid memory size '%s': unknown unit (use b, kb, mb, gb)", s)
	}
	if n > math.MaxInt64/u {
		return 0, fmt.Errorf("invalid memory size '%s': too large", s)
	}
	return n * u, nil
}

// Bool reads true/false case-insensitively (Flink's rule).
func Bool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean '%s'", s)
}
