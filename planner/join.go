package planner

import (
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Window joins: both inputs are windowed (window TVFs or window
// aggregations) with the same window spec, and ON equates window_start
// and window_end of both sides. Other equalities between a left and a
// right column become join keys; the rest is a residual condition.

func sameWindow(a, b WindowSpec) bool {
	return a.Kind == b.Kind && a.Size == b.Size && a.Slide == b.Slide && a.Step == b.Step && a.Gap == b.Gap && a.Offset == b.Offset
}

func splitAnd(e sql.Expr, out []sql.Expr) []sql.Expr {
	if b, ok := e.(*sql.Binary); ok && strings.EqualFold(b.Op, "AND") {
		return splitAnd(b.R, splitAnd(b.L, out))
	}
	return append(out, e)
}

const crossJoinMsg = "write the join as a JOIN ... ON with an equality between a left and a right column (a regular join), or as a window join"

func (p *planner) planJoin(j *sql.JoinRef) (*rel, error) {
	if j.Kind == sql.CrossJoin {
		return nil, errAt(j.Pos, "a cross join (comma join) is not supported: %s", crossJoinMsg)
	}
	if lt, ok := j.Left.(*sql.TableRef); ok && lt.AsOf != nil {
		return nil, errAt(lt.Pos, "FOR SYSTEM_TIME AS OF on the left side of a join is not supported: the versioned table of a temporal join is its right side (FROM orders AS o JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r ON ...)")
	}
	l, err := p.planFrom(j.Left)
	if err != nil {
		return nil, err
	}
	if l, err = p.materialize(l); err != nil {
		return nil, err
	}
	rightItem := j.Right
	rt, temporal := j.Right.(*sql.TableRef)
	if temporal = temporal && rt.AsOf != nil; temporal {
		plain := *rt
		plain.AsOf = nil
		rightItem = &plain
	}
	r, err := p.planFrom(rightItem)
	if err != nil {
		return nil, err
	}
	if r, err = p.materialize(r); err != nil {
		return nil, err
	}
	comb, xs, err := bindJoinConds(j, l, r)
	if err != nil {
		return nil, err
	}
	if temporal {
		return p.planTemporalJoin(j, rt, l, r, comb, xs)
	}
	nl := len(l.node.Schema)
	if l.win == nil || r.win == nil {
		return p.planRegularJoin(j, l, r, comb, xs)
	}
	var jc joinConds
	for _, x := range xs {
		jc.add(x, nl, l.win, r.win)
	}
	if jc.missingWindow() != "" {
		// Flink plans a regular join when ON does not equate both windows
		return p.planRegularJoin(j, l, r, comb, xs)
	}
	if !sameWindow(l.win.spec, r.win.spec) {
		return nil, errAt(j.Pos, "a window join needs both inputs to use the same window, but the left uses %s and the right %s", l.win.text, r.win.text)
	}
	op := &WindowJoinOp{Type: joinTypeOf(j.Kind), LeftWindowStart: l.win.start, LeftWindowEnd: l.win.end, RightWindowStart: r.win.start, RightWindowEnd: r.win.end}
	op.LeftKeys, op.RightKeys, op.NullSafe = jc.lk, jc.rk, jc.nullSafe
	op.Condition = conjunction(jc.residual)
	out := joinOutput(op, op.Type, l, r, comb, xs)
	out.win = &winInfo{spec: l.win.spec, text: l.win.text, start: l.win.start, end: l.win.end, time: -1}
	return out, nil
}

// commaJoinWhere is Flink's FilterIntoJoin for a comma join: FROM a, b
// WHERE cond is the inner join FROM a JOIN b ON cond (so equalities
// become join keys and time bounds an interval join), unless WHERE holds
// a subquery (those stay semi/anti joins over the result).
func commaJoinWhere(s *sql.Select) *sql.Select {
	j, ok := s.From.(*sql.JoinRef)
	if !ok || j.Kind != sql.CrossJoin || s.Where == nil {
		return s
	}
	if _, subs := splitSubqueryPreds(s.Where); len(subs) > 0 {
		return s
	}
	inner := *j
	inner.Kind, inner.On = sql.InnerJoin, s.Where
	out := *s
	out.From, out.Where = &inner, nil
	return &out
}

func joinTypeOf(k sql.JoinKind) JoinType {
	switch k {
	case sql.LeftJoin:
		return JoinLeft
	case sql.RightJoin:
		return JoinRight
	case sql.FullJoin:
		return JoinFull
	}
	return JoinInner
}

// bindJoinConds binds the conjuncts of ON (and the equalities of USING)
// over the joined row: left columns, then right columns.
func bindJoinConds(j *sql.JoinRef, l, r *rel) (*rel, []Expr, error) {
	nl := len(l.node.Schema)
	comb := &rel{}
	comb.cols = append(comb.cols, l.cols...)
	for _, c := range r.cols {
		c.idx += nl
		comb.cols = append(comb.cols, c)
	}
	var xs []Expr
	if j.On != nil {
		b := &binder{r: comb}
		for _, c := range splitAnd(j.On, nil) {
			x, err := bindPredicate(b, c, "ON")
			if err != nil {
				return nil, nil, err
			}
			xs = append(xs, x)
		}
	}
	// USING names the same column on both sides: resolve each side alone.
	for _, u := range j.Using {
		lc, err := l.resolve(&sql.Ident{Pos: j.Pos, Name: u})
		if err != nil {
			return nil, nil, err
		}
		rc, err := r.resolve(&sql.Ident{Pos: j.Pos, Name: u})
		if err != nil {
			return nil, nil, err
		}
		xs = append(xs, &Call{Func: "=", Args: []Expr{&ColRef{Index: lc.idx, Name: u, T: lc.t}, &ColRef{Index: rc.idx + nl, Name: u, T: rc.t}}, T: types.TBoolean})
	}
	return comb, xs, nil
}

// joinOutput is the joined relation: left columns then right columns
// (renamed where a name repeats), time attributes dropped, the padded
// side of an outer join nullable.
func joinOutput(op Op, typ JoinType, l, r, comb *rel, xs []Expr) *rel {
	nullL := typ == JoinRight || typ == JoinFull
	nullR := typ == JoinLeft || typ == JoinFull
	var schema Schema
	used := map[string]bool{}
	out := &rel{}
	for side, in := range []*rel{l, r} {
		for _, c := range in.node.Schema {
			t := c.Type.WithoutRowtime()
			if (side == 0 && nullL) || (side == 1 && nullR) {
				t = t.Nullable()
			}
			name := c.Name
			for used[name] {
				name += "0"
			}
			used[name] = true
			schema = append(schema, Column{Name: name, Type: t})
		}
	}
	for _, c := range comb.cols {
		c.t = schema[c.idx].Type
		out.cols = append(out.cols, c)
	}
	var all []string
	for _, x := range xs {
		all = append(all, x.String())
	}
	out.node = newNode(op, schema, -1, l.node, r.node)
	jt := map[JoinType]string{JoinInner: "inner", JoinLeft: "left", JoinRight: "right", JoinFull: "full"}[typ]
	out.lg = &LogicalNode{Name: "LogicalJoin", Attrs: []string{"condition=[AND(" + strings.Join(all, ", ") + ")]", "joinType=[" + jt + "]"}, Schema: schema, Inputs: []*LogicalNode{l.lg, r.lg}}
	return out
}

// joinConds sorts the conjuncts of a join condition, bound over the
// joined row (left columns, then right columns from nl on): equalities of
// the two window_start and the two window_end columns (when both windows
// are given), equalities of a left and a right column (keys), and the rest
// (residual).
type joinConds struct {
	startOK, endOK bool
	lk, rk         []int // right keys are right-input columns
	nullSafe       []bool
	residual       []Expr
}

func (jc *joinConds) add(x Expr, nl int, lw, rw *winInfo) {
	if call, ok := x.(*Call); ok && (call.Func == "=" || call.Func == "IS NOT DISTINCT FROM") {
		a, aok := call.Args[0].(*ColRef)
		b, bok := call.Args[1].(*ColRef)
		if aok && bok && (a.Index < nl) != (b.Index < nl) {
			if a.Index >= nl {
				a, b = b, a
			}
			li, ri := a.Index, b.Index-nl
			switch {
			case lw != nil && rw != nil && li == lw.start && ri == rw.start:
				jc.startOK = true
			case lw != nil && rw != nil && li == lw.end && ri == rw.end:
				jc.endOK = true
			default:
				jc.lk = append(jc.lk, li)
				jc.rk = append(jc.rk, ri)
				jc.nullSafe = append(jc.nullSafe, call.Func == "IS NOT DISTINCT FROM")
			}
			return
		}
	}
	jc.residual = append(jc.residual, x)
}

// missingWindow names the window columns not equated ("" when both are).
func (jc *joinConds) missingWindow() string {
	return missingNames([]string{"window_start", "window_end"}, []bool{jc.startOK, jc.endOK})
}

// missingNames joins the names whose flag is false with " and ".
func missingNames(names []string, have []bool) string {
	var missing []string
	for i, n := range names {
		if !have[i] {
			missing = append(missing, n)
		}
	}
	return strings.Join(missing, " and ")
}
