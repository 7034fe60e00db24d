package sql

import (
	"fmt"
	"strings"
)

// show renders an AST compactly for test expectations (written by hand
// in the tests, never copied from this printer's output).
func show(n any) string {
	var b strings.Builder
	pr(&b, n)
	return b.String()
}

func list[T any](b *strings.Builder, xs []T, sep string) {
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		pr(b, x)
	}
}

func pr(b *strings.Builder, n any) {
	switch n := n.(type) {
	case nil:
		b.WriteString("<nil>")
	case *Ident:
		if n.Qualifier != "" {
			b.WriteString(n.Qualifier + ".")
		}
		b.WriteString(n.Name)
	case *Literal:
		switch n.Kind {
		case NullLit:
			b.WriteString("NULL")
		case BoolLit:
			fmt.Fprintf(b, "%v", n.Bool)
		case IntLit:
			b.WriteString(n.Text)
		case DecimalLit:
			b.WriteString("dec:" + n.Text)
		case FloatLit:
			b.WriteString("dbl:" + n.Text)
		case StringLit:
			fmt.Fprintf(b, "'%s'", n.Text)
		case TimestampLit:
			fmt.Fprintf(b, "TIMESTAMP '%s'", n.Text)
		case DateLit:
			fmt.Fprintf(b, "DATE '%s'", n.Text)
		case TimeLit:
			fmt.Fprintf(b, "TIME '%s'", n.Text)
		case IntervalLit:
			fmt.Fprintf(b, "INTERVAL '%s' %s", n.Text, n.Unit)
		}
	case *Binary:
		fmt.Fprintf(b, "(%s ", n.Op)
		pr(b, n.L)
		b.WriteString(" ")
		pr(b, n.R)
		b.WriteString(")")
	case *Unary:
		fmt.Fprintf(b, "(%s ", n.Op)
		pr(b, n.X)
		b.WriteString(")")
	case *Call:
		b.WriteString(n.Name + "(")
		if n.Distinct {
			b.WriteString("DISTINCT ")
		}
		if n.Star {
			b.WriteString("*")
		}
		list(b, n.Args, ", ")
		b.WriteString(")")
		if n.Filter != nil {
			b.WriteString(" FILTER ")
			pr(b, n.Filter)
		}
	case *Cast:
		if n.Try {
			b.WriteString("TRY_")
		}
		b.WriteString("CAST(")
		pr(b, n.X)
		b.WriteString(" AS " + n.Type.String() + ")")
	case *Case:
		b.WriteString("CASE")
		if n.Operand != nil {
			b.WriteString(" ")
			pr(b, n.Operand)
		}
		for _, w := range n.Whens {
			b.WriteString(" WHEN ")
			pr(b, w.Cond)
			b.WriteString(" THEN ")
			pr(b, w.Result)
		}
		if n.Else != nil {
			b.WriteString(" ELSE ")
			pr(b, n.Else)
		}
		b.WriteString(" END")
	case *In:
		b.WriteString("(")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString("IN ")
		pr(b, n.X)
		b.WriteString(" [")
		if n.Query != nil {
			pr(b, n.Query)
		} else {
			list(b, n.List, ", ")
		}
		b.WriteString("])")
	case *Between:
		b.WriteString("(")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString("BETWEEN ")
		list(b, []Expr{n.X, n.Lo, n.Hi}, " ")
		b.WriteString(")")
	case *Like:
		b.WriteString("(")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString("LIKE ")
		list(b, []Expr{n.X, n.Pattern}, " ")
		if n.Escape != nil {
			b.WriteString(" ESCAPE ")
			pr(b, n.Escape)
		}
		b.WriteString(")")
	case *IsNull:
		b.WriteString("(IS ")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString("NULL ")
		pr(b, n.X)
		b.WriteString(")")
	case *IsBool:
		b.WriteString("(IS ")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString(n.Value + " ")
		pr(b, n.X)
		b.WriteString(")")
	case *Exists:
		b.WriteString("(")
		if n.Not {
			b.WriteString("NOT ")
		}
		b.WriteString("EXISTS ")
		pr(b, n.Query)
		b.WriteString(")")
	case *Subquery:
		b.WriteString("(")
		pr(b, n.Query)
		b.WriteString(")")
	case *TimeUnitExpr:
		fmt.Fprintf(b, "%s[%s](", n.Func, n.Unit)
		if n.X != nil {
			pr(b, n.X)
		}
		b.WriteString(")")
	case Expr:
		fmt.Fprintf(b, "?%T", n)
	case *Select:
		b.WriteString("SELECT ")
		if n.Distinct {
			b.WriteString("DISTINCT ")
		}
		for i, it := range n.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			if it.Star {
				if it.Qualifier != "" {
					b.WriteString(it.Qualifier + ".")
				}
				b.WriteString("*")
			} else {
				pr(b, it.Expr)
			}
			if it.Alias != "" {
				b.WriteString(" AS " + it.Alias)
			}
		}
		if n.From != nil {
			b.WriteString(" FROM ")
			pr(b, n.From)
		}
		if n.Where != nil {
			b.WriteString(" WHERE ")
			pr(b, n.Where)
		}
		if n.GroupBy != nil {
			b.WriteString(" GROUP BY ")
			list(b, n.GroupBy, ", ")
		}
		if n.GroupingSets != nil {
			fmt.Fprintf(b, " SETS %v", n.GroupingSets)
		}
		if n.Having != nil {
			b.WriteString(" HAVING ")
			pr(b, n.Having)
		}
		for i, o := range n.OrderBy {
			if i == 0 {
				b.WriteString(" ORDER BY ")
			} else {
				b.WriteString(", ")
			}
			pr(b, o.Expr)
			if o.Desc {
				b.WriteString(" DESC")
			}
		}
		if n.Limit != nil {
			b.WriteString(" LIMIT ")
			pr(b, n.Limit)
		}
	case *SetOp:
		b.WriteString("{")
		pr(b, n.Left)
		b.WriteString("} " + n.Op)
		if n.All {
			b.WriteString(" ALL")
		}
		b.WriteString(" {")
		pr(b, n.Right)
		b.WriteString("}")
	case *TableRef:
		b.WriteString(n.Name)
		if n.Alias != "" {
			b.WriteString(" " + n.Alias)
		}
	case *SubqueryRef:
		b.WriteString("(")
		pr(b, n.Query)
		b.WriteString(")")
		if n.Alias != "" {
			b.WriteString(" " + n.Alias)
		}
	case *JoinRef:
		b.WriteString("[")
		pr(b, n.Left)
		b.WriteString(" " + n.Kind.String() + " JOIN ")
		pr(b, n.Right)
		if n.On != nil {
			b.WriteString(" ON ")
			pr(b, n.On)
		}
		if n.Using != nil {
			b.WriteString(" USING " + strings.Join(n.Using, ","))
		}
		b.WriteString("]")
	case *WindowTVF:
		b.WriteString(n.Kind.String() + "(")
		pr(b, n.Input)
		if n.PartitionBy != nil {
			b.WriteString(" PARTITION BY " + strings.Join(n.PartitionBy, ","))
		}
		b.WriteString(", " + n.TimeCol)
		for _, a := range n.Args {
			b.WriteString(", ")
			pr(b, a)
		}
		b.WriteString(")")
		if n.Alias != "" {
			b.WriteString(" " + n.Alias)
		}
	default:
		fmt.Fprintf(b, "?%T", n)
	}
}
