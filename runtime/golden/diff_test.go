package golden

import "testing"

// The diff shows expected before got, aligned, the row kind in a column
// of its own and a caret under the first difference (written by hand).
func TestLineDiffReadable(t *testing.T) {
	want := []string{"+I[a, 1]", "+I[b, 2]", "+I[c, 3]", "+I[d, 4]", "+I[e, 5]", "+I[f, 6]", "+I[g, 7]", "+I[h, 8]", "+I[i, 9]"}
	got := []string{"+I[a, 1]", "+I[b, 2]", "+I[c, 30]", "+I[d, 4]", "+I[e, 5]", "+I[f, 6]", "+I[g, 7]", "+I[h, 8]", "+I[i, 9]", "-D[i, 9]"}
	exp := "" +
		"            +I  [a, 1]\n" +
		"            +I  [b, 2]\n" +
		"  expected  +I  [c, 3]\n" +
		"  got       +I  [c, 30]\n" +
		"                     ^\n" +
		"            +I  [d, 4]\n" +
		"            +I  [e, 5]\n" +
		"  ... 2 equal row(s)\n" +
		"            +I  [h, 8]\n" +
		"            +I  [i, 9]\n" +
		"  expected      (no such row)\n" +
		"  got       -D  [i, 9]\n"
	if d := lineDiff(want, got); d != exp {
		t.Errorf("diff:\n%s\nwant:\n%s", d, exp)
	}
	if d := lineDiff(want, want); d != "" {
		t.Errorf("equal lists: %q", d)
	}
	// A row only expected.
	if d, exp := lineDiff([]string{"+I[x]"}, nil), "  expected  +I  [x]\n  got           (no such row)\n"; d != exp {
		t.Errorf("missing row:\n%q\nwant\n%q", d, exp)
	}
}
