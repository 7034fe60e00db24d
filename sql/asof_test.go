package sql

import (
	"strings"
	"testing"
)

// FOR SYSTEM_TIME AS OF: the versioned table of a temporal join keeps
// its name, alias and the column named, with positions; an expression
// or a subquery in its place is refused by name.
func TestForSystemTimeAsOf(t *testing.T) {
	s, err := Parse("q.sql", []byte("INSERT INTO o SELECT * FROM orders AS o\nLEFT JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;"))
	if err != nil {
		t.Fatal(err)
	}
	ins := s.Statements[0].(*Insert)
	j := ins.Query.(*Select).From.(*JoinRef)
	r, ok := j.Right.(*TableRef)
	if !ok || r.Name != "currency_rates" || r.Alias != "r" || r.AsOf == nil || r.AsOf.Qualifier != "o" || r.AsOf.Name != "order_time" {
		t.Fatalf("right side %#v", j.Right)
	}
	if r.Pos.Line != 2 || r.Pos.Col != 11 || r.AsOf.Pos.Col != 48 || j.Kind != LeftJoin {
		t.Fatalf("positions %v %v, kind %v", r.Pos, r.AsOf.Pos, j.Kind)
	}
	for q, want := range map[string]string{
		"SELECT * FROM a JOIN b FOR SYSTEM_TIME AS OF a.ts + INTERVAL '1' SECOND AS r ON a.k = r.k": "1:65: an expression after FOR SYSTEM_TIME AS OF is not supported",
		"SELECT * FROM a JOIN (SELECT * FROM b) FOR SYSTEM_TIME AS OF a.ts AS r ON a.k = r.k":       "1:54: FOR SYSTEM_TIME AS OF after something other than a table or view name",
		"SELECT * FROM a JOIN b FOR SYSTEM_TIME AS OF 5 AS r ON a.k = r.k":                          "1:60: FOR SYSTEM_TIME AS OF takes",
	} {
		_, err := Parse("q.sql", []byte("INSERT INTO o "+q+";"))
		if err == nil || !strings.Contains(strings.Replace(err.Error(), "q.sql:", "", 1), want) {
			t.Errorf("%s: got %v, want %s", q, err, want)
		}
	}
}
