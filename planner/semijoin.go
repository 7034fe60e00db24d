package planner

import (
	"sort"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Semi and anti joins: a top-level WHERE condition
//
//	L.x [NOT] IN (SELECT y FROM R WHERE L.window_start = R.window_start AND L.window_end = R.window_end [AND ...])
//	[NOT] EXISTS (SELECT ... FROM R WHERE L.window_start = R.window_start AND L.window_end = R.window_end [AND ...])
//
// over two windowed inputs with the same window plans to a WindowJoin of
// type LeftSemiJoin / LeftAntiJoin whose output is L's columns. Conditions
// of the subquery's WHERE that read only R filter R before the join;
// equalities between an L and an R column are join keys; the rest is the
// residual condition. NOT IN is null-aware as SQL requires: a right row
// rules the left row out when x = y is TRUE or NULL, so it is a residual
// OR(=(x, y), IS NULL(=(x, y))) (Calcite's form), never a key.
//
// When either input is not windowed, or the subquery does not equate
// both window columns, it is a regular semi/anti join (JoinOp of type
// LeftSemiJoin / LeftAntiJoin, Flink's StreamingSemiAntiJoinOperator),
// hashed by its keys; NOT IN without a correlated equality has no key
// and runs as one subtask (Flink's global exchange).

// subqueryPred is one IN (subquery) / EXISTS conjunct of a WHERE clause.
type subqueryPred struct {
	pos     sql.Pos
	operand sql.Expr // IN's left side; nil for EXISTS
	query   sql.Query
	not     bool
}

// splitSubqueryPreds separates the top-level IN (subquery) and EXISTS
// conjuncts of where from the rest (returned re-joined with AND, or nil).
func splitSubqueryPreds(where sql.Expr) (sql.Expr, []subqueryPred) {
	if where == nil {
		return nil, nil
	}
	var rest sql.Expr
	var subs []subqueryPred
	var rests []sql.Expr
	for _, c := range splitAnd(where, nil) {
		e, not := c, false
		for {
			u, ok := e.(*sql.Unary)
			if !ok || u.Op != "NOT" {
				break
			}
			e, not = u.X, !not
		}
		switch x := e.(type) {
		case *sql.In:
			if x.Query != nil {
				subs = append(subs, subqueryPred{pos: x.Pos, operand: x.X, query: x.Query, not: not != x.Not})
				continue
			}
		case *sql.Exists:
			subs = append(subs, subqueryPred{pos: x.Pos, query: x.Query, not: not != x.Not})
			continue
		}
		rests = append(rests, c)
	}
	if len(subs) == 0 {
		return where, nil
	}
	if len(rests) > 0 {
		rest = sql.Chain("AND", rests)
	}
	return rest, subs
}

const semiJoinForm = "x IN (SELECT y FROM r ...) or EXISTS (SELECT * FROM r WHERE r.y = l.x)"

// keepScope is p.calc for a Calc that keeps every column in place (a
// filter): the result keeps in's qualified names.
func (p *planner) keepScope(in *rel, filter Expr) *rel {
	projs, names := identity(in)
	out := p.calc(in, projs, names, filter)
	out.cols = make([]scopeCol, len(in.cols))
	for i, c := range in.cols {
		c.t = out.node.Schema[c.idx].Type
		out.cols[i] = c
	}
	out.lg = in.lg
	return out
}

// planSemiJoin joins l with the subquery of sp as a window semi or anti join.
func (p *planner) planSemiJoin(l *rel, sp subqueryPred) (*rel, error) {
	what := "EXISTS (subquery)"
	if sp.operand != nil {
		what = "IN (subquery)"
	}
	if sp.not {
		what = "NOT " + what
	}
	sel, ok := sp.query.(*sql.Select)
	if !ok {
		return nil, errAt(sp.query.Position(), "the subquery of %s must be a single SELECT, not a set operation", what)
	}
	switch {
	case sel.From == nil:
		return nil, errAt(sel.Pos, "the subquery of %s needs a FROM clause naming a windowed table", what)
	case len(sel.GroupBy) > 0 || sel.Having != nil:
		return nil, errAt(sel.Pos, "a GROUP BY or HAVING inside the subquery of %s is not supported: aggregate in a view and select from it", what)
	case sel.Distinct || len(sel.OrderBy) > 0 || sel.Limit != nil:
		return nil, errAt(sel.Pos, "DISTINCT, ORDER BY and LIMIT are not supported in the subquery of %s", what)
	}
	var items []sql.Expr
	for _, it := range sel.Items {
		items = append(items, it.Expr)
	}
	if a := firstAggregate(append(items, sel.Where)...); a != nil {
		return nil, errAt(a.Pos, "aggregate function %s is not supported in the subquery of %s", a.Name, what)
	}
	r, err := p.planFrom(sel.From)
	if err != nil {
		return nil, err
	}
	if r, err = p.materialize(r); err != nil {
		return nil, err
	}
	windowed := l.win != nil && r.win != nil
	if windowed && !sameWindow(l.win.spec, r.win.spec) {
		return nil, errAt(sp.pos, "a window semi/anti join needs both inputs to use the same window, but the outer query uses %s and the subquery %s", l.win.text, r.win.text)
	}
	nl := len(l.node.Schema)
	// The subquery's scope: its own columns (indexes shifted past the left
	// columns, as in the joined row), then the outer query's.
	inner := &rel{outer: l}
	for _, c := range r.cols {
		c.idx += nl
		inner.cols = append(inner.cols, c)
	}
	ib := &binder{r: inner}

	typ := JoinSemi
	if sp.not {
		typ = JoinAnti
	}
	var conds, rightFilter []Expr
	var all []string
	if sel.Where != nil {
		for _, c := range splitAnd(sel.Where, nil) {
			x, err := bindPredicate(ib, c, "WHERE")
			if err != nil {
				return nil, err
			}
			all = append(all, x.String())
			minRef := nl
			walkExpr(x, func(e Expr) {
				if ref, ok := e.(*ColRef); ok && ref.Index < minRef {
					minRef = ref.Index
				}
			})
			if minRef >= nl { // reads only the subquery's table
				rightFilter = append(rightFilter, x)
				continue
			}
			conds = append(conds, x)
		}
	}
	// A window semi/anti join when both inputs are windows and the
	// subquery equates both window columns; otherwise, as in Flink, a
	// regular one (the window columns, if any, plain columns).
	var jc joinConds
	lw, rw := l.win, r.win
	for _, x := range conds {
		jc.add(x, nl, lw, rw)
	}
	if windowed && jc.missingWindow() != "" {
		windowed = false
	}
	if !windowed {
		lw, rw, jc = nil, nil, joinConds{}
		for _, x := range conds {
			jc.add(x, nl, nil, nil)
		}
	}
	leftKeys, nullSafe := jc.lk, jc.nullSafe
	rightKeys, residual := jc.rk, jc.residual
	if sp.operand != nil {
		if len(sel.Items) != 1 || sel.Items[0].Star {
			return nil, errAt(sel.Pos, "the subquery of %s must select exactly one column", what)
		}
		x, err := (&binder{r: l}).bind(sp.operand)
		if err != nil {
			return nil, err
		}
		y, err := ib.bind(sel.Items[0].Expr)
		if err != nil {
			return nil, err
		}
		if !comparable(x.Type(), y.Type()) {
			return nil, errAt(sp.pos, "cannot compare %s with %s in %s", x.Type().WithoutRowtime(), y.Type().WithoutRowtime(), what)
		}
		eq := &Call{Func: "=", Args: []Expr{x, y}, T: withNull(types.TBoolean, []Expr{x, y})}
		all = append(all, eq.String())
		xr, xok := x.(*ColRef)
		yr, yok := y.(*ColRef)
		switch {
		case sp.not:
			// NULL-aware: x NOT IN (...) is not TRUE when some y makes x = y NULL.
			isNull := &Call{Func: "IS NULL", Args: []Expr{eq}, T: types.Type{Kind: types.Boolean, NotNull: true}}
			residual = append(residual, &Call{Func: "OR", Args: []Expr{eq, isNull}, T: types.Type{Kind: types.Boolean, NotNull: true}})
		case xok && yok && xr.Index < nl && yr.Index >= nl:
			leftKeys = append(leftKeys, xr.Index)
			rightKeys = append(rightKeys, yr.Index-nl)
			nullSafe = append(nullSafe, false)
		default:
			residual = append(residual, eq)
		}
	} else {
		// EXISTS ignores its select list, but a typo in it is still an error.
		for _, it := range sel.Items {
			if !it.Star {
				if _, err := ib.bind(it.Expr); err != nil {
					return nil, err
				}
			}
		}
	}

	// The right input: the subquery's filter, projected to the columns the
	// join reads (keys, window bounds, residual).
	need := map[int]bool{}
	if windowed {
		need[r.win.start], need[r.win.end] = true, true
	}
	for _, k := range rightKeys {
		need[k] = true
	}
	for _, x := range residual {
		walkExpr(x, func(e Expr) {
			if ref, ok := e.(*ColRef); ok && ref.Index >= nl {
				need[ref.Index-nl] = true
			}
		})
	}
	var keep []int
	for i := range need {
		keep = append(keep, i)
	}
	sort.Ints(keep)
	remap := make(map[int]int, len(keep))
	projs := make([]Expr, len(keep))
	names := make([]string, len(keep))
	for j, i := range keep {
		c := r.node.Schema[i]
		remap[i] = j
		projs[j] = &ColRef{Index: i, Name: c.Name, T: c.Type}
		names[j] = c.Name
	}
	var filters []Expr
	for _, f := range rightFilter {
		filters = append(filters, rewriteColRefs(f, func(ref *ColRef) Expr { nr := *ref; nr.Index -= nl; return &nr }))
	}
	filter := conjunction(filters)
	right := p.calc(r, projs, names, filter)
	var rk []int
	for _, k := range rightKeys {
		rk = append(rk, remap[k])
	}
	var rconds []Expr
	for _, x := range residual {
		rconds = append(rconds, rewriteColRefs(x, func(ref *ColRef) Expr {
			if ref.Index < nl {
				return ref
			}
			nr := *ref
			nr.Index = nl + remap[ref.Index-nl]
			return &nr
		}))
	}
	var op Op
	if windowed {
		op = &WindowJoinOp{Type: typ, LeftKeys: leftKeys, RightKeys: rk, NullSafe: nullSafe, Condition: conjunction(rconds),
			LeftWindowStart: l.win.start, LeftWindowEnd: l.win.end, RightWindowStart: remap[r.win.start], RightWindowEnd: remap[r.win.end]}
	} else {
		op = &JoinOp{Type: typ, LeftKeys: leftKeys, RightKeys: rk, NullSafe: nullSafe, Condition: conjunction(rconds), Pos: sp.pos, LeftStateTTL: p.settingStateTTL(), RightStateTTL: p.settingStateTTL()}
	}

	schema := make(Schema, nl)
	for i, c := range l.node.Schema {
		schema[i] = Column{Name: c.Name, Type: c.Type.WithoutRowtime()}
	}
	out := &rel{node: newNode(op, schema, -1, l.node, right.node)}
	for _, c := range l.cols {
		c.t = schema[c.idx].Type
		out.cols = append(out.cols, c)
	}
	if windowed {
		out.win = &winInfo{spec: l.win.spec, text: l.win.text, start: l.win.start, end: l.win.end, time: -1}
	}
	jt := "semi"
	if sp.not {
		jt = "anti"
	}
	out.lg = &LogicalNode{Name: "LogicalJoin", Attrs: []string{"condition=[AND(" + strings.Join(all, ", ") + ")]", "joinType=[" + jt + "]"}, Schema: schema, Inputs: []*LogicalNode{l.lg, right.lg}}
	return out, nil
}
