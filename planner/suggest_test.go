package planner

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"kitten", "sitting", 3}, // k->s, e->i, +g
		{"campain_id", "campaign_id", 1},
		{"Topic", "topic", 1}, // case counts; callers fold it when they want
		{"café", "cafe", 1},   // one rune, not two bytes
		{"ab", "ba", 2},       // a transposition is two edits
		{"flink", "flink", 0},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := EditDistance(c.b, c.a); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetric)", c.b, c.a, got, c.want)
		}
	}
}
