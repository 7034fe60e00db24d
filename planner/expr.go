package planner

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql"
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

// String prints the call in one builder (linear in the size of e, however
// deep it is nested).
func (e *Call) String() string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, x Expr) {
	e, ok := x.(*Call)
	if !ok {
		b.WriteString(x.String())
		return
	}
	switch e.Func {
	case "CAST", "TRY_CAST":
		b.WriteString(e.Func + "(")
		if len(e.Args) > 0 {
			writeExpr(b, e.Args[0])
		}
		b.WriteString(" AS " + e.T.WithoutRowtime().Nullable().String() + ")")
		return
	}
	b.WriteString(e.Func)
	b.WriteByte('(')
	for i, a := range e.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, a)
	}
	if e.Unit != "" {
		if len(e.Args) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("FLAG(" + e.Unit + ")")
	}
	b.WriteByte(')')
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

// conjunction joins bound predicates with AND (nil for none), shaped as
// the parser shapes a chain (sql.Chain): left-deep when short, balanced
// when long, so that a long ON or WHERE clause keeps a small depth.
func conjunction(preds []Expr) Expr {
	switch {
	case len(preds) == 0:
		return nil
	case len(preds) == 1:
		return preds[0]
	case len(preds) <= sql.LeftDeepChain:
		e := preds[0]
		for _, x := range preds[1:] {
			e = &Call{Func: "AND", Args: []Expr{e, x}, T: types.TBoolean}
		}
		return e
	}
	mid := (len(preds) + 1) / 2
	return &Call{Func: "AND", Args: []Expr{conjunction(preds[:mid]), conjunction(preds[mid:])}, T: types.TBoolean}
}

// mergeBloat is how many expression nodes merging two Calcs may add
// beyond the sizes of both: Calcite's ProjectMergeRule.DEFAULT_BLOAT,
// which Flink's planner uses. A column the upper Calc reads many times
// would otherwise be copied that many times, and a chain of such
// subqueries or views grows exponentially.
const mergeBloat = 100

// mergeable reports whether the Calc (projs, filter) can be merged into
// the Calc inner below it without bloating the expressions (mergeBloat)
// or nesting them deeper than the front-end allows (sql.MaxDepth).
// Otherwise the two stay separate operators.
func mergeable(inner *CalcOp, projs []Expr, filter Expr) bool {
	n := len(inner.Projections)
	size, depth := make([]int, n), make([]int, n)
	bottom := exprSize(inner.Filter)
	for i, e := range inner.Projections {
		size[i], depth[i] = exprSize(e), exprDepth(e)
		bottom += size[i]
	}
	top, merged, deepest := 0, exprSize(inner.Filter), exprDepth(inner.Filter)
	for _, e := range append(projs[:len(projs):len(projs)], filter) {
		if e == nil {
			continue
		}
		top += exprSize(e)
		s, d := mergedStats(e, size, depth)
		merged += s
		deepest = max(deepest, d)
	}
	return merged <= top+bottom+mergeBloat && deepest <= sql.MaxDepth
}

// mergedStats is the size and depth e would have with ColRef i replaced
// by an expression of size[i] nodes and depth[i] levels.
func mergedStats(e Expr, size, depth []int) (int, int) {
	switch x := e.(type) {
	case *ColRef:
		return size[x.Index], depth[x.Index]
	case *Call:
		s, d := 1, 0
		for _, a := range x.Args {
			as, ad := mergedStats(a, size, depth)
			s += as
			d = max(d, ad)
		}
		return s, d + 1
	}
	return 1, 1
}

// exprSize counts e's nodes (0 for nil).
func exprSize(e Expr) int {
	n := 0
	walkExpr(e, func(Expr) { n++ })
	return n
}

// exprDepth is the number of levels of e (0 for nil).
func exprDepth(e Expr) int {
	if e == nil {
		return 0
	}
	d := 0
	if c, ok := e.(*Call); ok {
		for _, a := range c.Args {
			d = max(d, exprDepth(a))
		}
	}
	return d + 1
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
