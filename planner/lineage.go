package planner

import (
	"slices"
	"strings"
)

// Lineage says what the columns of a planned graph compute, written in
// terms of the source tables' columns: a column is its source column's
// name (a computed column: its expression), a Calc output is its
// expression with every column reference replaced by what that column
// computes, an aggregate output is the aggregate call. Two plans whose
// columns print the same compute the same values, whatever the
// intermediate names (`$f2`) or column positions are.
//
// The runtime records it in checkpoints so that a restore can refuse
// state written by a query whose keys, aggregates or filters changed
// even when their types did not (docs/checkpoints.md).
type Lineage struct {
	cols map[*Node][]string
}

// NewLineage starts an empty lineage cache (one per graph).
func NewLineage() *Lineage { return &Lineage{cols: map[*Node][]string{}} }

// Column is what column i of n computes.
func (l *Lineage) Column(n *Node, i int) string {
	cols, ok := l.cols[n]
	if !ok {
		cols = l.columns(n)
		l.cols[n] = cols
	}
	if i < 0 || i >= len(cols) {
		return "?"
	}
	return cols[i]
}

// Columns is what every column of n computes.
func (l *Lineage) Columns(n *Node) []string {
	out := make([]string, len(n.Schema))
	for i := range out {
		out[i] = l.Column(n, i)
	}
	return out
}

// Expr is what e, an expression over in's output, computes.
func (l *Lineage) Expr(in *Node, e Expr) string {
	return ExprOver(l.Columns(in), e)
}

// ExprOver is e, an expression over columns that compute cols[i],
// with each column reference replaced by what it computes.
func ExprOver(cols []string, e Expr) string {
	if e == nil {
		return ""
	}
	return rewriteColRefs(e, func(r *ColRef) Expr {
		name := "?"
		if r.Index >= 0 && r.Index < len(cols) {
			name = cols[r.Index]
		}
		return &ColRef{Index: r.Index, Name: name, T: r.T}
	}).String()
}

// Window is the window spec as EXPLAIN prints it, with the time column
// and SESSION's partition keys by lineage; in is the window's input.
func (l *Lineage) Window(in *Node, s WindowSpec) string {
	var parts []string
	for _, k := range s.PartitionKeys {
		parts = append(parts, l.Column(in, k))
	}
	return windowText(s, l.Column(in, s.TimeCol), parts)
}

// Agg is what aggregate call a over in's output computes, e.g.
// `COUNT(*) FILTER =(event_type, 'view')` or `SUM(DISTINCT price)`.
func (l *Lineage) Agg(in *Node, a AggCall) string {
	arg := "*"
	if a.Arg >= 0 {
		arg = l.Column(in, a.Arg)
	}
	if a.Distinct {
		arg = "DISTINCT " + arg
	}
	s := strings.ToUpper(a.Func) + "(" + arg + ")"
	if a.Filter >= 0 {
		s += " FILTER " + l.Column(in, a.Filter)
	}
	return s
}

// Filter is the conjunction of the WHERE conditions the rows reaching n
// passed on their way from the sources, through stateless operators
// (Calc, window table functions, UNION ALL); a stateful operator on the
// way ends the walk (its own state definition covers what it emits).
// It is "" when no condition applies.
func (l *Lineage) Filter(n *Node) string {
	switch op := n.Op.(type) {
	case *CalcOp:
		own := l.Expr(n.Inputs[0], op.Filter)
		below := l.Filter(n.Inputs[0])
		switch {
		case own == "":
			return below
		case below == "":
			return own
		}
		return "AND(" + own + ", " + below + ")"
	case *WindowTVFOp:
		return l.Filter(n.Inputs[0])
	case *UnionOp:
		parts := make([]string, len(n.Inputs))
		some := false
		for i, in := range n.Inputs {
			parts[i] = l.Filter(in)
			if parts[i] == "" {
				parts[i] = "true"
			} else {
				some = true
			}
		}
		if !some {
			return ""
		}
		return "UNION(" + strings.Join(parts, ", ") + ")"
	}
	return ""
}

var windowColumns = [...]string{"window_start", "window_end", "window_time"}

func (l *Lineage) columns(n *Node) []string {
	out := make([]string, len(n.Schema))
	for i, c := range n.Schema {
		out[i] = c.Name
	}
	var in *Node
	if len(n.Inputs) > 0 {
		in = n.Inputs[0]
	}
	switch op := n.Op.(type) {
	case *SourceOp:
		for i, col := range op.ReadColumns {
			if i < len(out) && col < len(op.Computed) && op.Computed[col] != nil {
				out[i] = op.Computed[col].String()
			}
		}
	case *CalcOp:
		for i, e := range op.Projections {
			if i < len(out) {
				out[i] = l.Expr(in, e)
			}
		}
	case *ChangelogNormalizeOp:
		for i := range out {
			out[i] = l.Column(in, i)
		}
	case *RankOp:
		for i := range out {
			if i < len(in.Schema) {
				out[i] = l.Column(in, i)
			} else {
				out[i] = "ROW_NUMBER()"
			}
		}
	case *OverAggOp:
		for i := range out {
			if i < len(in.Schema) {
				out[i] = l.Column(in, i)
			} else if k := i - len(in.Schema); k < len(op.Aggs) {
				out[i] = l.Agg(in, op.Aggs[k]) + " OVER (" + op.FrameText() + ")"
			}
		}
	case *WindowTVFOp:
		w := l.Window(in, op.Window)
		for i := range out {
			if i < len(in.Schema) {
				out[i] = l.Column(in, i)
			} else if k := i - len(in.Schema); k < len(windowColumns) {
				out[i] = windowColumns[k] + "(" + w + ")"
			}
		}
	case *WindowAggOp:
		w := l.Window(in, op.Window)
		for i := range out {
			switch k := i - len(op.GroupKeys); {
			case k < 0:
				out[i] = l.Column(in, op.GroupKeys[i])
			case k < len(op.Aggs):
				out[i] = l.Agg(in, op.Aggs[k])
			case k-len(op.Aggs) < len(windowColumns):
				out[i] = windowColumns[k-len(op.Aggs)] + "(" + w + ")"
			}
		}
	case *WindowJoinOp, *JoinOp, *IntervalJoinOp, *TemporalJoinOp:
		left, right := n.Inputs[0], n.Inputs[1]
		for i := range out {
			if i < len(left.Schema) {
				out[i] = l.Column(left, i)
			} else if i-len(left.Schema) < len(right.Schema) {
				out[i] = l.Column(right, i-len(left.Schema))
			}
		}
	case *UnionOp:
		for i := range out {
			var alts []string
			for _, x := range n.Inputs {
				c := l.Column(x, i)
				if !slices.Contains(alts, c) {
					alts = append(alts, c)
				}
			}
			if len(alts) == 1 {
				out[i] = alts[0]
			} else {
				out[i] = "UNION(" + strings.Join(alts, ", ") + ")"
			}
		}
	}
	return out
}
