package planner

import (
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/sql"
)

const limitsHead = "CREATE TABLE t (x INT, s STRING) WITH ('connector' = 'datagen');\n" +
	"CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');\n"

// maxCalcDepth is the deepest expression of the graph's Calcs.
func maxCalcDepth(g *Graph) int {
	d := 0
	for _, n := range g.Nodes {
		if c, ok := n.Op.(*CalcOp); ok {
			for _, e := range append(append([]Expr(nil), c.Projections...), c.Filter) {
				d = max(d, exprDepth(e))
			}
		}
	}
	return d
}

// Huge SQL within the limits plans, EXPLAIN included, without a stack
// overflow: 30,000-term OR and AND chains (balanced by the parser) and a sum
// just under the nesting limit.
func TestHugeExpressionsPlan(t *testing.T) {
	for name, q := range map[string]string{
		"OR chain":  "INSERT INTO o SELECT x FROM t WHERE " + strings.Repeat("x = 1 OR ", 30000) + "x = 2;",
		"AND chain": "INSERT INTO o SELECT x FROM t WHERE " + strings.Repeat("x <> 1 AND ", 30000) + "x <> 2;",
		"sum":       "INSERT INTO o SELECT " + strings.Repeat("x + ", sql.MaxDepth-10) + "1 FROM t;",
	} {
		t.Run(name, func(t *testing.T) {
			j := mustPlan(t, limitsHead+q)
			if d := maxCalcDepth(j.Graph); d > sql.MaxDepth {
				t.Errorf("expression %d levels deep", d)
			}
			if s := j.Explain(); !strings.Contains(s, "Calc(") {
				t.Errorf("EXPLAIN has no Calc:\n%.500s", s)
			}
		})
	}
}

// A Calc is merged into the Calc below it only when the merged
// expressions are not much bigger (Calcite's bloat rule) and not deeper
// than sql.MaxDepth. Without that rule 40 nested `x + x` subqueries made
// a 2^40-node expression and the planner never finished, and stacked
// deep subqueries made one expression deeper than any limit.
func TestCalcMergeBounded(t *testing.T) {
	q := "SELECT x FROM t"
	for i := 0; i < 40; i++ {
		q = "SELECT x + x AS x FROM (" + q + ")"
	}
	start := time.Now()
	j := mustPlan(t, limitsHead+"INSERT INTO o "+q+";")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("planning took %v", d)
	}
	size := 0
	calcs := 0
	for _, n := range j.Graph.Nodes {
		if c, ok := n.Op.(*CalcOp); ok {
			calcs++
			for _, e := range c.Projections {
				size += exprSize(e)
			}
		}
	}
	// 40 additions, each of two column references: without merging,
	// 3 nodes per level; merging may add at most mergeBloat per merge.
	if calcs < 2 || size > 40*3+40*mergeBloat {
		t.Errorf("%d Calcs with %d expression nodes in all", calcs, size)
	}

	q = "SELECT x FROM t"
	for i := 0; i < 4; i++ {
		q = "SELECT " + strings.Repeat("x + ", 3000) + "1 AS x FROM (" + q + ")"
	}
	j = mustPlan(t, limitsHead+"INSERT INTO o "+q+";")
	if d := maxCalcDepth(j.Graph); d > sql.MaxDepth {
		t.Errorf("merged Calcs are %d levels deep, limit %d", d, sql.MaxDepth)
	}

	// Ordinary projections still merge into one Calc.
	j = mustPlan(t, limitsHead+"INSERT INTO o SELECT y + 1 FROM (SELECT x * 2 AS y FROM t WHERE x > 0) WHERE y < 10;")
	if n := len(nodesOf[*CalcOp](j.Graph)); n != 1 {
		t.Errorf("%d Calcs, want the two merged into one", n)
	}
}

// A 100,000-character unknown name once took 25 s (and one against a
// 100,000-character column 49 s) to find no suggestion.
func TestHugeIdentifierSuggestion(t *testing.T) {
	long := strings.Repeat("a", 100000)
	col := strings.Repeat("b", 99999) + "a"
	src := "CREATE TABLE t (x INT, " + col + " INT) WITH ('connector' = 'datagen');\n" +
		"CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');\n" +
		"INSERT INTO o SELECT " + long + " FROM t;"
	start := time.Now()
	_, err := planText(t, src)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if se := asSQLError(t, err); !strings.Contains(se.Msg, "unknown column") || se.Pos.Line != 3 || se.Pos.Col != 22 {
		t.Errorf("got %.200v", err)
	}
	// Near names of any length still get their suggestion.
	_, err = planText(t, "CREATE TABLE t (x INT, "+col+" INT) WITH ('connector' = 'datagen');\n"+
		"CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');\n"+
		"INSERT INTO o SELECT "+strings.Repeat("b", 99998)+"xa FROM t;")
	if err == nil || !strings.Contains(err.Error(), `did you mean "`+col+`"`) {
		t.Errorf("no suggestion for a one-letter typo: %.200v", err)
	}
}

// editDistanceRef is the textbook full-matrix Levenshtein distance.
func editDistanceRef(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			sub := d[i-1][j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, sub)
		}
	}
	return d[len(a)][len(b)]
}

// The banded distance equals the full one whenever that is within the
// limit, and says limit+1 otherwise.
func TestEditDistanceWithin(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	word := func() string {
		n := r.Intn(12)
		b := make([]rune, n)
		for i := range b {
			b[i] = []rune("abcé")[r.Intn(4)]
		}
		return string(b)
	}
	for i := 0; i < 5000; i++ {
		a, b := word(), word()
		limit := r.Intn(8)
		want := editDistanceRef([]rune(a), []rune(b))
		got := EditDistanceWithin(a, b, limit)
		if want <= limit && got != want || want > limit && got != limit+1 {
			t.Fatalf("EditDistanceWithin(%q, %q, %d) = %d, full distance %d", a, b, limit, got, want)
		}
		if EditDistance(a, b) != want {
			t.Fatalf("EditDistance(%q, %q) = %d, want %d", a, b, EditDistance(a, b), want)
		}
	}
}

// A chain of views, each reading the one before, plans up to the limit
// (it was refused at 33 as "refers to itself"), and beyond it the error
// says what the limit is.
func TestViewChainDepth(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString(limitsHead + "CREATE VIEW v0 AS SELECT x FROM t;\n")
		for i := 1; i <= n; i++ {
			b.WriteString(sprintf("CREATE VIEW v%d AS SELECT x + 1 AS x FROM v%d;\n", i, i-1))
		}
		b.WriteString(sprintf("INSERT INTO o SELECT x FROM v%d;", n))
		return b.String()
	}
	mustPlan(t, chain(maxViewDepth-1)) // v0 ... v99: 100 views
	_, err := planText(t, chain(maxViewDepth))
	if err == nil || !strings.Contains(err.Error(), "views nested more than 100 levels deep") {
		t.Fatalf("got %v", err)
	}
}
