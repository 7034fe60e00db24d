package sql

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// MaxGroupingSets bounds the grouping sets one GROUP BY may expand to
// (CUBE of n expressions makes 2^n): each set is one more row per input
// row in the Expand the planner puts before the aggregation.
const MaxGroupingSets = 4096

// groupingName names a grouping construct's placeholder for errors.
func groupingName(lname string) string {
	switch strings.TrimPrefix(lname, phGroup) {
	case "sets":
		return "GROUPING SETS"
	case "rollup":
		return "ROLLUP"
	case "cube":
		return "CUBE"
	}
	return "a parenthesized grouping set"
}

// groupBy converts the GROUP BY items into sel.GroupBy and, when one of
// them is GROUPING SETS, ROLLUP or CUBE, sel.GroupingSets: the cross
// product of the items' sets (a plain expression is the one set {e}), as
// Calcite expands them: GROUP BY a, ROLLUP (b, c) groups by {a, b, c},
// {a, b} and {a}.
func (c *converter) groupBy(items []*ast.ByItem, sel *Select) *Error {
	product := [][]int{{}}
	grouping := false
	for _, it := range items {
		sets, err := c.groupItem(it.Expr, sel, "")
		if err != nil {
			return err
		}
		if f, ok := it.Expr.(*ast.FuncCallExpr); ok && strings.HasPrefix(f.FnName.L, phGroup) && !grouping {
			grouping = true
			sel.GroupingPos = c.pos(f.OriginTextPosition())
		}
		if len(product)*len(sets) > MaxGroupingSets {
			return c.errAtOff(it.Expr.OriginTextPosition(), "GROUP BY expands to more than %d grouping sets", MaxGroupingSets)
		}
		var next [][]int
		for _, p := range product {
			for _, s := range sets {
				next = append(next, append(append([]int(nil), p...), s...))
			}
		}
		product = next
	}
	if grouping {
		sel.GroupingSets = product
	}
	return nil
}

// groupItem converts one element of GROUP BY (in: "") or of a grouping
// construct (in: its name) and returns its grouping sets as indices into
// sel.GroupBy, where it appends the expressions it meets.
func (c *converter) groupItem(n ast.ExprNode, sel *Select, in string) ([][]int, *Error) {
	if row, ok := n.(*ast.RowExpr); ok && in == "" {
		// GROUP BY (a, b) is GROUP BY a, b
		var set []int
		for _, v := range row.Values {
			s, err := c.groupItem(v, sel, "GROUP BY (...)")
			if err != nil {
				return nil, err
			}
			set = append(set, s[0]...)
		}
		return [][]int{set}, nil
	}
	f, ok := n.(*ast.FuncCallExpr)
	if !ok || !strings.HasPrefix(f.FnName.L, phGroup) {
		e, err := c.expr(n)
		if err != nil {
			return nil, err
		}
		sel.GroupBy = append(sel.GroupBy, e)
		return [][]int{{len(sel.GroupBy) - 1}}, nil
	}
	kind := strings.TrimPrefix(f.FnName.L, phGroup)
	name := groupingName(f.FnName.L)
	switch {
	case kind == "set" && in == "":
		return nil, c.errAtOff(f.OriginTextPosition(), "a parenthesized list in GROUP BY is only allowed inside GROUPING SETS, ROLLUP or CUBE")
	case kind != "set" && in != "" && in != "GROUPING SETS":
		return nil, c.errAtOff(f.OriginTextPosition(), "%s is not allowed inside %s", name, in)
	}
	// elements: each a list of indices (a parenthesized set or one expression)
	var elems [][]int
	var out [][]int
	for _, a := range f.Args {
		sets, err := c.groupItem(a, sel, name)
		if err != nil {
			return nil, err
		}
		if kind == "sets" {
			out = append(out, sets...)
			if len(out) > MaxGroupingSets {
				return nil, c.errAtOff(f.OriginTextPosition(), "GROUP BY expands to more than %d grouping sets", MaxGroupingSets)
			}
			continue
		}
		if len(sets) != 1 {
			return nil, c.errAtOff(a.OriginTextPosition(), "%s takes expressions and parenthesized lists of expressions", name)
		}
		elems = append(elems, sets[0])
	}
	switch kind {
	case "set":
		var set []int
		for _, e := range elems {
			set = append(set, e...)
		}
		return [][]int{set}, nil
	case "sets":
		return out, nil
	case "rollup":
		// the list and all its prefixes, the empty one last
		for i := len(elems); i >= 0; i-- {
			var set []int
			for _, e := range elems[:i] {
				set = append(set, e...)
			}
			out = append(out, set)
		}
		return out, nil
	}
	// CUBE: every subset, the first element the most significant
	if len(elems) > 12 {
		return nil, c.errAtOff(f.OriginTextPosition(), "CUBE of %d expressions expands to more than %d grouping sets", len(elems), MaxGroupingSets)
	}
	for mask := 1<<len(elems) - 1; mask >= 0; mask-- {
		set := []int{}
		for i, e := range elems {
			if mask&(1<<(len(elems)-1-i)) != 0 {
				set = append(set, e...)
			}
		}
		out = append(out, set)
	}
	return out, nil
}
