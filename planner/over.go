package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// OVER aggregation: aggregates over a window of rows ordered by the
// rowtime attribute (Flink's OverAggregate), planned as
//
//	Calc (input columns, then partition keys, aggregate arguments and FILTER conditions)
//	-> OverAggregate (those columns..., one column per aggregate)
//	-> Calc (the select list)
//
// Every row of the input is emitted once, with the aggregates over its
// frame, so the result is append-only and keeps the rowtime attribute.
// As in Flink, all OVER aggregates of one SELECT share one window.

// OverAggOp is an OVER aggregation (Flink's OverAggregate): rows are kept
// per partition until the watermark passes their rowtime, then processed
// in rowtime order; each row is emitted with Aggs over its frame. Output
// layout: input columns..., Aggs....
type OverAggOp struct {
	PartitionKeys []int
	OrderKey      int  // the rowtime column of the input
	Rows          bool // ROWS frame (a number of rows), else RANGE (a time interval)
	Unbounded     bool // UNBOUNDED PRECEDING
	// Preceding is the frame's start: rows (ROWS) or milliseconds (RANGE)
	// before the current row; unused when Unbounded.
	Preceding int64
	Aggs      []AggCall
	// StateTTL: as GroupAggOp's (table.exec.state.ttl only).
	StateTTL int64
}

func (*OverAggOp) opName() string { return "OverAggregate" }

// FrameText is the window frame as EXPLAIN prints it.
func (op *OverAggOp) FrameText() string {
	kind := "RANGE"
	if op.Rows {
		kind = "ROWS"
	}
	start := "UNBOUNDED PRECEDING"
	if !op.Unbounded {
		start = strconv.FormatInt(op.Preceding, 10) + " PRECEDING"
		if op.Preceding == 0 {
			start = "CURRENT ROW"
		}
	}
	return kind + " BETWEEN " + start + " AND CURRENT ROW"
}

// overAttrs: OverAggregate(partitionBy=[k], orderBy=[ts ASC],
// window=[ROWS BETWEEN 2 PRECEDING AND CURRENT ROW], select=[...]).
func overAttrs(in Schema, op *OverAggOp) []string {
	var a []string
	if len(op.PartitionKeys) > 0 {
		a = append(a, "partitionBy=["+colNames(in, op.PartitionKeys)+"]")
	}
	a = append(a, "orderBy=["+in[op.OrderKey].Name+" ASC]", "window=["+op.FrameText()+"]")
	all := make([]int, len(in))
	for i := range all {
		all[i] = i
	}
	return append(a, "select=["+strings.Join(aggSelect(in, all, op.Aggs), ", ")+"]")
}

// overCalls returns the calls with an OVER clause in the select list.
func overCalls(s *sql.Select) []*sql.Call {
	var calls []*sql.Call
	for _, it := range s.Items {
		walkAST(it.Expr, func(x sql.Expr) bool {
			if c, ok := x.(*sql.Call); ok && c.Over != nil {
				calls = append(calls, c)
				return false
			}
			return true
		})
	}
	return calls
}

// allRowNumber reports whether every OVER call is ROW_NUMBER() (Top-N
// and deduplication, rank.go).
func allRowNumber(calls []*sql.Call) bool {
	for _, c := range calls {
		if !strings.EqualFold(c.Name, "ROW_NUMBER") {
			return false
		}
	}
	return true
}

// misplacedOver refuses an aggregate OVER a window outside the select
// list (ROW_NUMBER() there is rank.go's to refuse).
func misplacedOver(s *sql.Select) error {
	es := append([]sql.Expr{s.Where, s.Having}, s.GroupBy...)
	if c := firstOver(nil, es...); c != nil && !strings.EqualFold(c.Name, "ROW_NUMBER") {
		return errAt(c.Pos, "%s() OVER is only allowed in the SELECT list", strings.ToUpper(c.Name))
	}
	return nil
}

// overWindow is the bound window the OVER calls share.
type overWindow struct {
	parts []Expr
	order *ColRef
	op    OverAggOp
	key   string
}

// bindOver binds one call's window over the input.
func (p *planner) bindOver(b *binder, r *rel, c *sql.Call) (*overWindow, error) {
	o := c.Over
	w := &overWindow{}
	var key strings.Builder
	for _, e := range o.PartitionBy {
		x, err := b.bind(e)
		if err != nil {
			return nil, err
		}
		w.parts = append(w.parts, x)
		key.WriteString(exprKey(x) + ";")
	}
	if len(o.OrderBy) == 0 {
		return nil, errAt(o.Pos, "an OVER window on a stream needs ORDER BY the time attribute (ORDER BY ts), as in Flink")
	}
	if len(o.OrderBy) > 1 {
		return nil, errAt(o.OrderBy[1].Expr.Position(), "an OVER window on a stream is ordered by the time attribute only")
	}
	ob := o.OrderBy[0]
	x, err := b.bind(ob.Expr)
	if err != nil {
		return nil, err
	}
	ref, ok := x.(*ColRef)
	if !ok || !x.Type().Rowtime || ref.Index != r.node.Rowtime {
		return nil, errAt(ob.Expr.Position(), "OVER windows' ordering in stream mode must be defined on a time attribute (the column of a WATERMARK FOR clause), but %s is a plain %s", x.String(), x.Type().WithoutRowtime())
	}
	if ob.Desc {
		return nil, errAt(ob.Expr.Position(), "an OVER window on a stream must be ordered by the time attribute ascending (DESC is not supported, as in Flink)")
	}
	w.order = ref
	f := o.Frame
	switch {
	case f == nil:
		// ORDER BY without a frame: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
		w.op.Unbounded = true
	case f.EndFollowing:
		return nil, errAt(f.Pos, "an OVER window frame on a stream must end at the CURRENT ROW (FOLLOWING is not supported, as in Flink)")
	default:
		w.op.Rows = f.Rows
		switch {
		case f.CurrentStart:
		case f.Preceding == nil:
			w.op.Unbounded = true
		case f.Rows:
			l, ok := f.Preceding.(*sql.Literal)
			n, err := int64(0), error(nil)
			if ok && l.Kind == sql.IntLit {
				n, err = strconv.ParseInt(l.Text, 10, 64)
			}
			if !ok || l.Kind != sql.IntLit || err != nil || n < 0 {
				return nil, errAt(f.Pos, "a ROWS frame's PRECEDING bound must be a whole number of rows (ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)")
			}
			w.op.Preceding = n
		default:
			v, err := b.bind(f.Preceding)
			if err != nil {
				return nil, err
			}
			k, ok := v.(*Const)
			if !ok || k.T.Kind != types.IntervalDayTime || k.V.IsNull() || k.V.I < 0 {
				return nil, errAt(f.Preceding.Position(), "a RANGE frame's PRECEDING bound must be a day-time interval literal (RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)")
			}
			w.op.Preceding = k.V.I
		}
	}
	key.WriteString("|" + w.op.FrameText())
	w.key = key.String()
	return w, nil
}

// planOver plans a SELECT whose list holds aggregates OVER a window.
func (p *planner) planOver(s *sql.Select, calls []*sql.Call) (*rel, error) {
	if len(s.GroupBy) > 0 {
		return nil, errAt(s.GroupBy[0].Position(), "OVER aggregation together with GROUP BY is not supported: aggregate in a subquery, then apply the OVER window to its result")
	}
	if s.Having != nil {
		return nil, errAt(s.Having.Position(), "HAVING needs GROUP BY or an aggregate; OVER aggregates are filtered in an outer query")
	}
	for _, c := range calls {
		name := strings.ToUpper(c.Name)
		if name == "ROW_NUMBER" {
			return nil, errAt(c.Pos, "ROW_NUMBER() OVER together with OVER aggregates in one SELECT is not supported: compute the row number in a subquery (Top-N, deduplication)")
		}
		if !isAggregate(name) {
			return nil, errAt(c.Pos, "%s() OVER is not supported: an OVER window takes aggregate functions (OVER aggregation) and ROW_NUMBER() (Top-N)", name)
		}
		if c.Distinct {
			return nil, errAt(c.Pos, "%s(DISTINCT ...) OVER is not supported", name)
		}
	}
	if a := firstAggregate(s.Where); a != nil {
		return nil, errAt(a.Pos, "aggregate function %s is not allowed in WHERE", a.Name)
	}
	for _, it := range s.Items {
		if a := firstAggregate(it.Expr); a != nil {
			return nil, errAt(a.Pos, "aggregate function %s without OVER cannot be mixed with OVER aggregates in one SELECT: aggregate in a subquery", a.Name)
		}
	}
	r, err := p.planFrom(s.From)
	if err != nil {
		return nil, err
	}
	if r, err = p.materialize(r); err != nil {
		return nil, err
	}
	lg := r.lg
	if s.Where != nil {
		f, err := bindPredicate(&binder{r: r}, s.Where, "WHERE")
		if err != nil {
			return nil, err
		}
		r = p.keepScope(r, f)
		lg = &LogicalNode{Name: "LogicalFilter", Attrs: []string{"condition=[" + f.String() + "]"}, Schema: r.node.Schema, Inputs: []*LogicalNode{lg}}
	}
	if r.node.Rowtime < 0 {
		return nil, errAt(calls[0].Over.Pos, "OVER aggregation needs a time attribute in its input to order by (a column of a WATERMARK FOR clause); this input has none")
	}
	b := &binder{r: r}
	var win *overWindow
	for _, c := range calls {
		w, err := p.bindOver(b, r, c)
		if err != nil {
			return nil, err
		}
		if win == nil {
			win = w
		} else if w.key != win.key {
			return nil, errAt(c.Over.Pos, "OVER aggregates over different windows in one SELECT are not supported, as in Flink: they must share partition, order and frame (this one differs from the first); use a named window (WINDOW w AS (...)) or a subquery per window")
		}
	}

	// The input columns the select list reads besides the OVER calls
	// (found by binding it once with the calls as placeholders), and the
	// rowtime: the OverAggregate keeps only those.
	probe := &binder{r: r, over: map[*sql.Call]*ColRef{}}
	for _, c := range calls {
		probe.over[c] = &ColRef{Index: -1, T: types.TNull}
	}
	projs, _, _, err := p.selectList(s, probe)
	if err != nil {
		return nil, err
	}
	used := map[int]bool{win.order.Index: true}
	for _, e := range projs {
		walkExpr(e, func(x Expr) {
			if c, ok := x.(*ColRef); ok && c.Index >= 0 {
				used[c.Index] = true
			}
		})
	}
	// Calc: those columns, then keys, arguments and filters.
	var pre []Expr
	var names []string
	newIdx := map[int]int{}
	for i, c := range r.node.Schema {
		if used[i] {
			newIdx[i] = len(pre)
			pre = append(pre, &ColRef{Index: i, Name: c.Name, T: c.Type})
			names = append(names, c.Name)
		}
	}
	preIdx := map[string]int{}
	for i, e := range pre {
		preIdx[exprKey(e)] = i
	}
	addPre := func(e Expr) int {
		k := exprKey(e)
		if i, ok := preIdx[k]; ok {
			return i
		}
		preIdx[k] = len(pre)
		pre = append(pre, e)
		names = append(names, "$f"+strconv.Itoa(len(pre)-1))
		return len(pre) - 1
	}
	op := win.op
	for _, e := range win.parts {
		op.PartitionKeys = append(op.PartitionKeys, addPre(e))
	}
	op.OrderKey = newIdx[win.order.Index]
	slot := map[*sql.Call]int{}
	keyed := map[string]int{}
	for _, c := range calls {
		key, args, filter, err := aggCallKey(b, c)
		if err != nil {
			return nil, err
		}
		if i, ok := keyed[key]; ok {
			slot[c] = i
			continue
		}
		name := strings.ToUpper(c.Name)
		call := AggCall{Func: name, Arg: -1, Filter: -1, Name: "w0$o" + strconv.Itoa(len(op.Aggs))}
		var argT types.Type
		if len(args) == 1 {
			call.Arg = addPre(args[0])
			argT = args[0].Type()
		}
		if filter != nil {
			call.Filter = addPre(filter)
		}
		t, msg := aggType(name, argT)
		if msg != "" {
			return nil, errAt(c.Pos, "%s", msg)
		}
		call.T = t
		keyed[key] = len(op.Aggs)
		slot[c] = len(op.Aggs)
		op.Aggs = append(op.Aggs, call)
	}
	preRel := p.calc(&rel{node: r.node, lg: lg}, pre, names, nil)
	schema := append(Schema(nil), preRel.node.Schema...)
	width := len(schema)
	for _, ag := range op.Aggs {
		schema = append(schema, Column{Name: ag.Name, Type: ag.T})
	}
	op.StateTTL = p.settingStateTTL()
	node := newNode(&op, schema, preRel.node.Rowtime, preRel.node)
	lg = &LogicalNode{Name: "LogicalWindow", Attrs: overAttrs(preRel.node.Schema, &op), Schema: schema, Inputs: []*LogicalNode{lg}}

	// The select list over the OverAggregate's output: the input columns
	// it kept, each OVER call reads its aggregate's column.
	overRel := &rel{node: node, lg: lg}
	for _, c := range r.cols {
		if i, ok := newIdx[c.idx]; ok {
			c.idx = i
			overRel.cols = append(overRel.cols, c)
		}
	}
	ob := &binder{r: overRel, over: map[*sql.Call]*ColRef{}}
	for c, i := range slot {
		ob.over[c] = &ColRef{Index: width + i, Name: op.Aggs[i].Name, T: op.Aggs[i].T}
	}
	projs, pnames, pos, err := p.selectList(s, ob)
	if err != nil {
		return nil, err
	}
	out := p.calc(overRel, projs, pnames, nil)
	out.pos = pos
	out.lg = logicalProject(projs, pnames, out.node.Schema, lg)
	return out, nil
}
