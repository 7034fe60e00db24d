package sql

import (
	"strings"
	"testing"
	"time"
)

// Deep or huge SQL ends in a positioned *Error (or a parse), never in a
// Go stack overflow further down: the limits are checked where the
// syntax tree is built. Each case must also be quick.
func TestNestingLimits(t *testing.T) {
	const head = "INSERT INTO o SELECT "
	cases := []struct {
		name, src string
		col       int    // column of the error on line 1 (0: must parse)
		msg       string // part of the error message
	}{
		// A 150,000-term sum once overflowed the planner's stack.
		{"long + chain", head + strings.Repeat("x + ", 150000) + "1 FROM t", len(head) + 1, "nested more than 5000 levels deep"},
		{"long || chain", head + strings.Repeat("s || ", 6000) + "'' FROM t", len(head) + 1, "nested more than 5000 levels deep"},
		{"long * chain in WHERE", "INSERT INTO o SELECT x FROM t WHERE " + strings.Repeat("x * ", 10000) + "1 > 0", len("INSERT INTO o SELECT x FROM t WHERE ") + 1, "nested more than 5000 levels deep"},
		{"chain at the limit", head + strings.Repeat("x + ", 4990) + "1 FROM t", 0, ""},
		{"deep unary NOT", "INSERT INTO o SELECT x FROM t WHERE " + strings.Repeat("NOT ", 6000) + "b", len("INSERT INTO o SELECT x FROM t WHERE ") + 4999*4 + 1, "nested more than 5000 levels deep"},
		// AND / OR chains of any length are balanced, not refused.
		{"long AND chain", "INSERT INTO o SELECT x FROM t WHERE " + strings.Repeat("x = 1 AND ", 50000) + "TRUE", 0, ""},
		{"long OR chain", "INSERT INTO o SELECT x FROM t WHERE " + strings.Repeat("x = 1 OR ", 50000) + "FALSE", 0, ""},
		// Parentheses are counted before the dialect rewrite; the error is
		// at the first '(' beyond the limit.
		{"deep parentheses", head + strings.Repeat("(", 100000) + "x" + strings.Repeat(")", 100000) + " FROM t", len(head) + 5000 + 1, "parentheses nested more than 5000 levels deep"},
		{"deep calls", head + strings.Repeat("ABS(", 100000) + "x" + strings.Repeat(")", 100000) + " FROM t", len(head) + 4*5000 + 4, "parentheses nested more than 5000 levels deep"},
		{"deep parenthesised sums", head + strings.Repeat("1 + (", 4000) + strings.Repeat("x + ", 2000) + "x" + strings.Repeat(")", 4000) + " FROM t", len(head) + 4000*5 + 1, "nested more than 5000 levels deep"},
		{"deep subqueries", "INSERT INTO o SELECT x FROM " + strings.Repeat("(SELECT x FROM ", 6000) + "t" + strings.Repeat(")", 6000), len("INSERT INTO o SELECT x FROM ") + 5000*15 + 1, "parentheses nested more than 5000 levels deep"},
		{"deep type", "CREATE TABLE t (x " + strings.Repeat("ARRAY<", 10000) + "INT" + strings.Repeat(">", 10000) + ") WITH ('connector' = 'datagen')", len("CREATE TABLE t (x ") + 6*100 + 1, "type nested more than 100 levels deep"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("big.sql", []byte(c.src))
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v", d)
			}
			if c.col == 0 {
				if err != nil {
					t.Fatalf("want a parse, got %.300v", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("want an *Error, got %T %.300v", err, err)
			}
			if e.Pos.File != "big.sql" || e.Pos.Line != 1 || e.Pos.Col != c.col || !strings.Contains(e.Msg, c.msg) {
				t.Errorf("got %.300v; want big.sql:1:%d: ...%s...", err, c.col, c.msg)
			}
		})
	}
}

// A balanced chain keeps its operands in order and the parser's
// left-deep shape up to leftDeepChain terms.
func TestAndOrChainShape(t *testing.T) {
	var terms []string
	for i := 0; i < 1000; i++ {
		terms = append(terms, "a"+strings.Repeat("x", i%7)+" = "+strings.Repeat("1", 1+i%3))
	}
	e := mustExpr(t, strings.Join(terms, " OR "))
	var got []string
	depth := 0
	var walk func(e Expr, d int)
	walk = func(e Expr, d int) {
		depth = max(depth, d)
		if b, ok := e.(*Binary); ok && b.Op == "OR" {
			walk(b.L, d+1)
			walk(b.R, d+1)
			return
		}
		got = append(got, show(e))
	}
	walk(e, 0)
	if len(got) != len(terms) {
		t.Fatalf("%d operands, want %d", len(got), len(terms))
	}
	for i := range terms {
		if want := show(mustExpr(t, terms[i])); got[i] != want {
			t.Fatalf("operand %d is %s, want %s", i, got[i], want)
		}
	}
	if depth > 11 { // ceil(log2(1000)) = 10
		t.Errorf("balanced chain of 1000 is %d levels deep", depth)
	}
	if s := show(mustExpr(t, "a AND b AND c AND d")); s != "(AND (AND (AND a b) c) d)" {
		t.Errorf("short chain: %s", s)
	}
}
