package planner

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql/types"
)

// This file gives Const and Call their EXPLAIN form and holds small
// helpers over bound expressions (walking, substitution, remapping).
// The printed form follows Flink's (Calcite's) RexNode notation:
// operators are written prefix, `=(event_type, 'click')`,
// `-(ts, 1000:INTERVAL SECOND)`, `CAST(x AS DOUBLE)`.

var (
	_ Expr = (*ColRef)(nil)
	_ Expr = (*Const)(nil)
	_ Expr = (*Call)(nil)
)

func (e *Const) String() string { return formatValue(e.V, e.T) }

func (e *Call) String() string {
	var b strings.Builder
	switch e.Func {
	case "CAST", "TRY_CAST":
		b.WriteString(e.Func + "(")
		if len(e.Args) > 0 {
			b.WriteString(e.Args[0].String())
		}
		b.WriteString(" AS " + e.T.WithoutRowtime().Nullable().String() + ")")
		return b.String()
	}
	b.WriteString(e.Func)
	b.WriteByte('(')
	for i, a := range e.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	if e.Unit != "" {
		if len(e.Args) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("FLAG(" + e.Unit + ")")
	}
	b.WriteByte(')')
	return b.String()
}

// formatValue prints a constant as Flink does in plans.
func formatValue(v types.Value, t types.Type) string {
	if v.IsNull() {
		return "null:" + t.Nullable().String()
	}
	switch t.Kind {
	case types.Boolean:
		if v.Bool() {
			return "true"
		}
		return "false"
	case types.TinyInt, types.SmallInt, types.Int:
		return strconv.FormatInt(v.I, 10)
	case types.BigInt:
		return strconv.FormatInt(v.I, 10) + ":BIGINT"
	case types.Float, types.Double:
		s := strconv.FormatFloat(v.F(), 'E', -1, 64)
		if !strings.Contains(s, ".") {
			s = strings.Replace(s, "E", ".0E", 1)
		}
		return strings.Replace(s, "E+", "E", 1)
	case types.Decimal:
		return formatDecimal(v.Unscaled(), int(v.Scale))
	case types.String:
		return "'" + strings.ReplaceAll(v.S, "'", "''") + "'"
	case types.IntervalDayTime, types.IntervalYearMonth:
		return strconv.FormatInt(v.I, 10) + ":" + t.Nullable().String()
	case types.Timestamp, types.TimestampLTZ:
		return time.UnixMilli(v.I).UTC().Format("2006-01-02 15:04:05.000") + ":" + t.Nullable().String()
	case types.Date:
		return time.Unix(v.I*86400, 0).UTC().Format("2006-01-02")
	case types.Time:
		return time.UnixMilli(v.I).UTC().Format("15:04:05")
	}
	return v.S
}

func formatDecimal(u *big.Int, scale int) string {
	neg := u.Sign() < 0
	s := new(big.Int).Abs(u).String()
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// walkExpr calls f on e and every sub-expression.
func walkExpr(e Expr, f func(Expr)) {
	if e == nil {
		return
	}
	f(e)
	if c, ok := e.(*Call); ok {
		for _, a := range c.Args {
			walkExpr(a, f)
		}
	}
}

// rewriteColRefs returns e with every ColRef replaced by f(ref); other
// nodes are copied only when something below them changed.
func rewriteColRefs(e Expr, f func(*ColRef) Expr) Expr {
	switch x := e.(type) {
	case *ColRef:
		return f(x)
	case *Call:
		var args []Expr
		for i, a := range x.Args {
			na := rewriteColRefs(a, f)
			if na != a && args == nil {
				args = append([]Expr(nil), x.Args...)
			}
			if args != nil {
				args[i] = na
			}
		}
		if args == nil {
			return x
		}
		c := *x
		c.Args = args
		return &c
	}
	return e
}

// substitute replaces ColRef i by projs[i] (merging a Calc into the Calc below).
func substitute(e Expr, projs []Expr) Expr {
	return rewriteColRefs(e, func(r *ColRef) Expr { return projs[r.Index] })
}

// usesColumn reports whether e reads a column index >= from (used to
// catch references to not yet materialized window columns).
func maxColRef(e Expr) int {
	m := -1
	walkExpr(e, func(x Expr) {
		if r, ok := x.(*ColRef); ok && r.Index > m {
			m = r.Index
		}
	})
	return m
}
