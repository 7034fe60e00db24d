package functions

import "sort"

// unsupported lists Flink built-in functions (from Flink's "System
// (Built-in) Functions" page) that streamsql does not implement yet, with
// a note for the user; the planner refuses them by name ("function X is
// not supported yet") instead of "unknown function", and docs/sql.md
// lists them.
var unsupported = map[string]missing{}

type missing struct{ category, note string }

// notYet records Flink functions of one section that are missing.
func notYet(category, note string, names ...string) {
	for _, n := range names {
		unsupported[n] = missing{category, note}
	}
}

// Unsupported reports whether name is a Flink built-in function that is
// not supported yet, with a note to append to the error (may be empty).
func Unsupported(name string) (string, bool) {
	m, ok := unsupported[name]
	if ok && m.note != "" {
		return " (" + m.note + ")", true
	}
	return "", ok
}

// UnsupportedNames lists them sorted.
func UnsupportedNames() []string {
	out := make([]string, 0, len(unsupported))
	for n := range unsupported {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
