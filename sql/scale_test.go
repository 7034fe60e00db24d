package sql

import (
	"strings"
	"testing"
	"time"
)

// TestLargeInputs guards against quadratic behaviour (rune counting on
// long lines once made a 200 KB one-line query take 10 s). The bound is
// generous: a linear parser needs well under a second here.
func TestLargeInputs(t *testing.T) {
	for name, src := range map[string]string{
		"nested parens": "SELECT " + strings.Repeat("(", 3000) + "1" + strings.Repeat(")", 3000),
		"nested calls":  "SELECT " + strings.Repeat("f(", 3000) + "1" + strings.Repeat(")", 3000),
		"nested casts":  "SELECT " + strings.Repeat("CAST(", 500) + "1" + strings.Repeat(" AS INT)", 500),
		"wide line":     "SELECT " + strings.Repeat("a AND ", 50000) + "1 FROM t",
		"wide error":    "SELECT " + strings.Repeat("a + ", 50000) + "1 FROM t WHERE WHERE",
	} {
		start := time.Now()
		_, err := Parse("x.sql", []byte(src))
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
		if name == "wide error" {
			if e, ok := err.(*Error); !ok || e.Pos.Col != 200023 || e.Near != "WHERE" {
				t.Errorf("%s: %v, want x.sql:1:200023 near WHERE", name, err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBadNumber(t *testing.T) {
	_, err := Parse("x.sql", []byte("SELECT 5s FROM t"))
	if e, ok := err.(*Error); !ok || e.Pos.Col != 8 || e.Near != "5s" || !strings.Contains(e.Msg, "malformed number") {
		t.Errorf("got %v", err)
	}
}
