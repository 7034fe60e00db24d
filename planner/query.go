package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// Query planning: FROM items, window TVFs, projection and filter, window
// aggregation (TVF and legacy group windows), window joins and UNION ALL.
// Everything is planned straight into physical nodes; each relation also
// carries the logical tree it came from, for EXPLAIN.

// maxViewDepth bounds how many views a query may read through, one
// inside the other (each is planned anew where it is used). A view cannot
// refer to itself: it is not yet defined while its query is bound.
const maxViewDepth = 100

type planner struct {
	cat       *Catalog
	viewDepth int
	// settings are the SET values in force at the statement planned.
	settings map[string]string
	// hint is the STATE_TTL hint of the SELECT being planned (statettl.go).
	hint *stateTTLHint
}

// exprKey identifies a bound expression structurally (columns by index).
func exprKey(e Expr) string {
	var b strings.Builder
	writeKey(&b, e)
	return b.String()
}

func writeKey(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *ColRef:
		b.WriteString("$" + strconv.Itoa(x.Index))
	case *Const:
		b.WriteString(x.String() + ":" + x.T.String())
	case *Call:
		b.WriteString(x.Func + "[" + x.Unit + "|" + x.T.Nullable().WithoutRowtime().String() + "](")
		for i, a := range x.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			writeKey(b, a)
		}
		b.WriteByte(')')
	default:
		fmt.Fprintf(b, "%v", e)
	}
}

func newNode(op Op, schema Schema, rowtime int, inputs ...*Node) *Node {
	return &Node{Op: op, Inputs: inputs, Schema: schema, AppendOnly: true, Rowtime: rowtime}
}

// calc puts a projection/filter over in, merging into in when in is
// itself a Calc. The new relation's columns are unqualified.
func (p *planner) calc(in *rel, projs []Expr, names []string, filter Expr) *rel {
	base := in.node
	inner, merge := base.Op.(*CalcOp)
	merge = merge && mergeable(inner, projs, filter)
	oldProjs := projs
	if merge {
		ps := make([]Expr, len(projs))
		for i, e := range projs {
			ps[i] = substitute(e, inner.Projections)
		}
		projs = ps
		if filter != nil {
			filter = substitute(filter, inner.Projections)
		}
		if inner.Filter != nil {
			if filter == nil {
				filter = inner.Filter
			} else {
				filter = &Call{Func: "AND", Args: []Expr{inner.Filter, filter}, T: types.TBoolean}
			}
		}
		base = base.Inputs[0]
	}
	schema := make(Schema, len(projs))
	rowtime := -1
	for i, e := range projs {
		t := e.Type()
		if r, ok := e.(*ColRef); ok && t.Rowtime && r.Index == base.Rowtime && rowtime < 0 {
			rowtime = i
		} else {
			t = t.WithoutRowtime()
		}
		schema[i] = Column{Name: names[i], Type: t}
	}
	node := newNode(&CalcOp{Projections: projs, Filter: filter}, schema, rowtime, base)
	out := &rel{node: node, lg: in.lg}
	for i, c := range schema {
		out.cols = append(out.cols, scopeCol{name: c.Name, t: c.Type, idx: i})
	}
	if in.win != nil {
		w := &winInfo{spec: in.win.spec, text: in.win.text, start: -1, end: -1, time: -1}
		for i, e := range oldProjs {
			if r, ok := e.(*ColRef); ok {
				switch {
				case r.Index == in.win.start && w.start < 0:
					w.start = i
				case r.Index == in.win.end && w.end < 0:
					w.end = i
				case r.Index == in.win.time && w.time < 0 && i == rowtime:
					w.time = i
				}
			}
		}
		if w.start >= 0 && w.end >= 0 {
			out.win = w
		}
	}
	return out
}

func identity(r *rel) ([]Expr, []string) {
	projs := make([]Expr, len(r.node.Schema))
	names := make([]string, len(r.node.Schema))
	for i, c := range r.node.Schema {
		projs[i] = &ColRef{Index: i, Name: c.Name, T: c.Type}
		names[i] = c.Name
	}
	return projs, names
}

func qualify(r *rel, q string) {
	for i := range r.cols {
		r.cols[i].qual = q
	}
}

// ---------------------------------------------------------------- FROM

func (p *planner) planFrom(f sql.FromItem) (*rel, error) {
	switch f := f.(type) {
	case *sql.TableRef:
		return p.planTableRef(f)
	case *sql.SubqueryRef:
		r, err := p.planQuery(f.Query)
		if err != nil {
			return nil, err
		}
		qualify(r, f.Alias)
		return r, nil
	case *sql.WindowTVF:
		return p.planTVF(f)
	case *sql.JoinRef:
		return p.planJoin(f)
	}
	return nil, errAt(f.Position(), "unsupported FROM item %T", f)
}

func (p *planner) planTableRef(f *sql.TableRef) (*rel, error) {
	if f.AsOf != nil {
		return nil, errAt(f.Pos, "FOR SYSTEM_TIME AS OF outside a join is not supported: it names the versioned table on the right side of a temporal join (FROM orders AS o JOIN %s FOR SYSTEM_TIME AS OF o.order_time AS r ON ...)", f.Name)
	}
	alias := f.Alias
	if alias == "" {
		alias = f.Name
	}
	if v, ok := p.cat.views[f.Name]; ok {
		if p.viewDepth >= maxViewDepth {
			return nil, errAt(f.Pos, "views nested more than %d levels deep (view %q reads a view that reads a view ...)", maxViewDepth, f.Name)
		}
		p.viewDepth++
		r, err := p.planQuery(v.Query)
		p.viewDepth--
		if err != nil {
			return nil, err
		}
		r, err = p.materialize(r)
		if err != nil {
			return nil, err
		}
		if len(v.Columns) > 0 {
			projs, _ := identity(r)
			r = p.calc(r, projs, v.Columns, nil)
		}
		qualify(r, alias)
		return r, nil
	}
	t, ok := p.cat.tables[f.Name]
	if !ok {
		return nil, errAt(f.Pos, "unknown table %q%s", f.Name, didYouMean(f.Name, p.cat.names(), "tables"))
	}
	x := p.cat.extra[t.Name]
	read := make([]int, len(t.Columns))
	for i := range read {
		read[i] = i
	}
	src := &SourceOp{Table: t, ReadColumns: read, Computed: x.computed, WatermarkColumn: x.wmCol, Watermark: x.wm}
	schema := append(Schema(nil), t.Columns...)
	node := newNode(src, schema, x.wmCol)
	lg := &LogicalNode{Name: "LogicalTableScan", Attrs: []string{"table=[" + t.Name + "]"}, Schema: schema}
	if x.wm != nil {
		lg = &LogicalNode{Name: "LogicalWatermarkAssigner", Attrs: []string{"rowtime=[" + t.Columns[x.wmCol].Name + "]", "watermark=[" + x.wm.String() + "]"}, Schema: schema, Inputs: []*LogicalNode{lg}}
	}
	r := &rel{node: node, lg: lg}
	for i, c := range schema {
		r.cols = append(r.cols, scopeCol{qual: alias, name: c.Name, t: c.Type, idx: i})
	}
	// Every source gets a Calc consumer: projection pushdown rewrites it.
	projs, names := identity(r)
	out := p.calc(r, projs, names, nil)
	qualify(out, alias)
	return out, nil
}

// constInterval binds a window size argument: a positive day-time interval.
func constInterval(e sql.Expr, what string, allowZero bool) (int64, error) {
	x, err := (&binder{r: &rel{}}).bind(e)
	if err != nil {
		return 0, err
	}
	c, ok := x.(*Const)
	if !ok || c.T.Kind != types.IntervalDayTime || c.V.IsNull() {
		return 0, errAt(e.Position(), "the %s of a window must be a constant day-time interval such as INTERVAL '10' SECOND, not %s", what, x.String())
	}
	if c.V.I < 0 || (c.V.I == 0 && !allowZero) {
		return 0, errAt(e.Position(), "the %s of a window must be a positive interval, got %s", what, window.FormatDuration(c.V.I))
	}
	return c.V.I, nil
}

// windowText is the EXPLAIN form of a window spec.
func windowText(s WindowSpec, timeName string, partNames []string) string {
	if s.Attached {
		return attachedText(s) // windowprop.go
	}
	d := window.Of(s.Kind)
	parts := []string{"time_col=[" + timeName + "]"}
	parts = append(parts, d.ExplainText(s.Sizes())...)
	if len(partNames) > 0 {
		parts = append(parts, "partition keys=["+strings.Join(partNames, ", ")+"]")
	}
	return d.Name + "(" + strings.Join(parts, ", ") + ")"
}

// windowSpec builds and validates a spec from its interval arguments, in
// the kind's parameter order (window.Descriptor.Params); form is the
// usage text for an arity error.
func (p *planner) windowSpec(kind sql.WindowKind, args []sql.Expr, pos sql.Pos, form string) (WindowSpec, error) {
	s := WindowSpec{Kind: kind}
	d := window.Of(kind)
	if len(args) < d.MinArgs() || len(args) > len(d.Params) {
		return s, errAt(pos, "%s takes %s", kind, form)
	}
	var sz window.Sizes
	for i, a := range args {
		p := d.Params[i]
		if p.Optional {
			x, err := (&binder{r: &rel{}}).bind(a)
			if err != nil {
				return s, err
			}
			c, ok := x.(*Const)
			if !ok || c.T.Kind != types.IntervalDayTime || c.V.IsNull() {
				return s, errAt(a.Position(), "the %s of a window must be a constant day-time interval", p.Label)
			}
			*p.Field(&sz) = c.V.I
			continue
		}
		v, err := constInterval(a, p.Label, false)
		if err != nil {
			return s, err
		}
		*p.Field(&sz) = v
	}
	s.setSizes(sz)
	if err := d.Validate(sz); err != nil {
		return s, errAt(pos, "%s", err.Error())
	}
	if n, limit := d.WindowsPerRow(sz), p.maxWindowsPerRow(); n > limit {
		return s, errAt(pos, "%s(%s) puts every row into %d windows, more than SET '%s' allows (%d); use a larger %s, or raise the option",
			d.Name, strings.Join(d.ExplainText(sz), ", "), n, SettingMaxWindowsPerRow, limit, perRowParam(d))
	}
	return s, nil
}

// perRowParam names the parameter that divides the size into the
// windows of one row (HOP's slide, CUMULATE's step).
func perRowParam(d *window.Descriptor) string {
	if len(d.Params) > 0 {
		return d.Params[0].Label
	}
	return "window"
}

func (p *planner) planTVF(f *sql.WindowTVF) (*rel, error) {
	in, err := p.planFrom(f.Input)
	if err != nil {
		return nil, err
	}
	if in, err = p.materialize(in); err != nil {
		return nil, err
	}
	tc, err := in.resolve(&sql.Ident{Pos: f.TimeColPos, Name: f.TimeCol})
	if err != nil {
		return nil, err
	}
	if !tc.t.Rowtime || tc.idx != in.node.Rowtime {
		return nil, errAt(f.TimeColPos, "the window function requires the time column %q to be a time attribute (the column of a WATERMARK FOR clause, or window_time of a window aggregation), but it is a plain %s", f.TimeCol, tc.t.WithoutRowtime())
	}
	spec, err := p.windowSpec(f.Kind, f.Args, f.Pos, window.Of(f.Kind).TVFUsage())
	if err != nil {
		return nil, err
	}
	spec.TimeCol = tc.idx
	var partNames []string
	if len(f.PartitionBy) > 0 {
		if !window.Of(f.Kind).Merging {
			return nil, errAt(f.Pos, "PARTITION BY is only allowed in %s windows", window.MergingNames())
		}
		for _, k := range f.PartitionBy {
			c, err := in.resolve(&sql.Ident{Pos: f.Pos, Name: k})
			if err != nil {
				return nil, err
			}
			spec.PartitionKeys = append(spec.PartitionKeys, c.idx)
			partNames = append(partNames, k)
		}
	}
	n := len(in.node.Schema)
	text := windowText(spec, f.TimeCol, partNames)
	out := &rel{node: in.node}
	for _, c := range in.cols {
		if c.name == "window_start" || c.name == "window_end" || c.name == "window_time" {
			continue // shadowed by the new window's columns
		}
		c.t = c.t.WithoutRowtime()
		if f.Alias != "" {
			c.qual = f.Alias
		}
		out.cols = append(out.cols, c)
	}
	wt := tc.t
	wt.NotNull = true
	qual := f.Alias
	wcols := []Column{
		{Name: "window_start", Type: types.Type{Kind: types.Timestamp, Precision: 3, NotNull: true}},
		{Name: "window_end", Type: types.Type{Kind: types.Timestamp, Precision: 3, NotNull: true}},
		{Name: "window_time", Type: wt},
	}
	for i, c := range wcols {
		out.cols = append(out.cols, scopeCol{qual: qual, name: c.Name, t: c.Type, idx: n + i})
	}
	schema := make(Schema, 0, n+3)
	for _, c := range in.node.Schema {
		schema = append(schema, Column{Name: c.Name, Type: c.Type.WithoutRowtime()})
	}
	schema = append(schema, wcols...)
	out.lg = &LogicalNode{Name: "LogicalTableFunctionScan", Attrs: []string{"invocation=[" + text + "]"}, Schema: schema, Inputs: []*LogicalNode{in.lg}}
	out.tvf = &pendingTVF{spec: spec, text: text, pos: f.Pos, n: n, lg: out.lg, time: wt}
	return out, nil
}

// materialize turns a pending window TVF into a WindowTableFunction node.
func (p *planner) materialize(r *rel) (*rel, error) {
	if pr := r.rank; pr != nil {
		return nil, pr.needsRange()
	}
	if r.tvf == nil {
		return r, nil
	}
	t := r.tvf
	if window.Of(t.spec.Kind).Merging {
		return nil, errAt(t.pos, "a %s window TVF that is not followed by a window aggregation is not supported yet", t.spec.Kind)
	}
	schema := make(Schema, 0, t.n+3)
	for _, c := range r.node.Schema {
		schema = append(schema, Column{Name: c.Name, Type: c.Type.WithoutRowtime()})
	}
	schema = append(schema,
		Column{Name: "window_start", Type: types.Type{Kind: types.Timestamp, Precision: 3, NotNull: true}},
		Column{Name: "window_end", Type: types.Type{Kind: types.Timestamp, Precision: 3, NotNull: true}},
		Column{Name: "window_time", Type: t.time})
	node := newNode(&WindowTVFOp{Window: t.spec}, schema, t.n+2, r.node)
	return &rel{node: node, lg: t.lg, cols: r.cols,
		win: &winInfo{spec: t.spec, text: t.text, start: t.n, end: t.n + 1, time: t.n + 2}}, nil
}

// ---------------------------------------------------------------- queries

func (p *planner) planQuery(q sql.Query) (*rel, error) {
	switch q := q.(type) {
	case *sql.Select:
		return p.withStateTTLHint(q, func() (*rel, error) { return p.planSelect(q) }) // statettl.go
	case *sql.SetOp:
		return p.planSetOp(q)
	}
	return nil, errAt(q.Position(), "unsupported query %T", q)
}

func (p *planner) planSetOp(q *sql.SetOp) (*rel, error) {
	if q.Op != "UNION" || !q.All {
		what := q.Op
		if !q.All {
			what += " (without ALL)"
		}
		return nil, errAt(q.Pos, "%s is not supported: it needs state over the whole stream and would produce an updating result; use UNION ALL", what)
	}
	l, err := p.planQuery(q.Left)
	if err != nil {
		return nil, err
	}
	if l, err = p.materialize(l); err != nil {
		return nil, err
	}
	r, err := p.planQuery(q.Right)
	if err != nil {
		return nil, err
	}
	if r, err = p.materialize(r); err != nil {
		return nil, err
	}
	ls, rs := l.node.Schema, r.node.Schema
	if len(ls) != len(rs) {
		return nil, errAt(q.Pos, "UNION ALL inputs have different numbers of columns: %d and %d", len(ls), len(rs))
	}
	common := make([]types.Type, len(ls))
	needCast := false
	for i := range ls {
		t, ok := commonType(ls[i].Type, rs[i].Type)
		if !ok {
			return nil, errAt(q.Pos, "UNION ALL column %d (%q) has types %s and %s with no common type", i+1, ls[i].Name, ls[i].Type.WithoutRowtime(), rs[i].Type.WithoutRowtime())
		}
		common[i] = t
		if !sameStorage(t, ls[i].Type) || !sameStorage(t, rs[i].Type) {
			needCast = true
		}
	}
	castTo := func(in *rel) *rel {
		if !needCast {
			return in
		}
		projs, names := identity(in)
		for i, e := range projs {
			if !sameStorage(common[i], e.Type()) {
				projs[i] = &Call{Func: "CAST", Args: []Expr{e}, T: common[i]}
			}
		}
		return p.calc(in, projs, names, nil)
	}
	l, r = castTo(l), castTo(r)
	rowtime := -1
	if l.node.Rowtime >= 0 && l.node.Rowtime == r.node.Rowtime {
		rowtime = l.node.Rowtime
	}
	schema := make(Schema, len(ls))
	for i := range ls {
		t := common[i]
		t.Rowtime = i == rowtime
		schema[i] = Column{Name: ls[i].Name, Type: t}
	}
	node := newNode(&UnionOp{}, schema, rowtime, l.node, r.node)
	out := &rel{node: node, lg: &LogicalNode{Name: "LogicalUnion", Attrs: []string{"all=[true]"}, Schema: schema, Inputs: []*LogicalNode{l.lg, r.lg}}}
	for i, c := range schema {
		out.cols = append(out.cols, scopeCol{name: c.Name, t: c.Type, idx: i})
	}
	return out, nil
}

// walkAST visits e and its sub-expressions; f returns false to skip children.
func walkAST(e sql.Expr, f func(sql.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch x := e.(type) {
	case *sql.Binary:
		walkAST(x.L, f)
		walkAST(x.R, f)
	case *sql.Unary:
		walkAST(x.X, f)
	case *sql.Call:
		for _, a := range x.Args {
			walkAST(a, f)
		}
		walkAST(x.Filter, f)
	case *sql.Case:
		walkAST(x.Operand, f)
		for _, w := range x.Whens {
			walkAST(w.Cond, f)
			walkAST(w.Result, f)
		}
		walkAST(x.Else, f)
	case *sql.Cast:
		walkAST(x.X, f)
	case *sql.In:
		walkAST(x.X, f)
		for _, l := range x.List {
			walkAST(l, f)
		}
	case *sql.Between:
		walkAST(x.X, f)
		walkAST(x.Lo, f)
		walkAST(x.Hi, f)
	case *sql.Like:
		walkAST(x.X, f)
		walkAST(x.Pattern, f)
		walkAST(x.Escape, f)
	case *sql.IsNull:
		walkAST(x.X, f)
	case *sql.IsBool:
		walkAST(x.X, f)
	case *sql.TimeUnitExpr:
		walkAST(x.X, f)
	}
}

// firstAggregate returns the first aggregate call in es, or nil.
func firstAggregate(es ...sql.Expr) *sql.Call {
	var found *sql.Call
	for _, e := range es {
		walkAST(e, func(x sql.Expr) bool {
			if c, ok := x.(*sql.Call); ok && c.Over == nil && isAggregate(strings.ToUpper(c.Name)) && found == nil {
				found = c
				return false
			}
			return found == nil
		})
	}
	return found
}

func (p *planner) planSelect(s *sql.Select) (*rel, error) {
	if s.From == nil {
		return nil, errAt(s.Pos, "SELECT without FROM is not supported: a streaming query reads a table")
	}
	if s.Distinct {
		return p.planDistinct(s)
	}
	if len(s.OrderBy) > 0 {
		return nil, errAt(s.OrderBy[0].Expr.Position(), "ORDER BY is not supported on a stream: sorting an unbounded stream never finishes")
	}
	if s.Limit != nil {
		return nil, errAt(s.Limit.Position(), "LIMIT is not supported on a stream")
	}
	if err := misplacedOver(s); err != nil {
		return nil, err
	}
	if calls := overCalls(s); len(calls) > 0 && !allRowNumber(calls) {
		return p.planOver(s, calls) // over.go
	}
	if k, err := rowNumberItem(s); err != nil || k >= 0 {
		if err != nil {
			return nil, err
		}
		return p.planRankInput(s, k) // rank.go
	}
	s = commaJoinWhere(s)
	r, err := p.planFrom(s.From)
	if err != nil {
		return nil, err
	}
	if r.rank != nil {
		if r, s, err = p.planRank(s, r); err != nil { // rank.go
			return nil, err
		}
	}
	var exprs []sql.Expr
	for _, it := range s.Items {
		exprs = append(exprs, it.Expr)
	}
	exprs = append(exprs, s.Having)
	if len(s.GroupBy) > 0 || firstAggregate(exprs...) != nil {
		return p.planAggregate(s, r)
	}
	if s.Having != nil {
		return nil, errAt(s.Having.Position(), "HAVING needs GROUP BY or an aggregate")
	}
	if a := firstAggregate(s.Where); a != nil {
		return nil, errAt(a.Pos, "aggregate function %s is not allowed in WHERE", a.Name)
	}
	if r, err = p.materialize(r); err != nil {
		return nil, err
	}
	where, subs := splitSubqueryPreds(s.Where)
	b := &binder{r: r}
	var filter Expr
	lg := r.lg
	if where != nil {
		if filter, err = bindPredicate(b, where, "WHERE"); err != nil {
			return nil, err
		}
		lg = &LogicalNode{Name: "LogicalFilter", Attrs: []string{"condition=[" + filter.String() + "]"}, Schema: r.node.Schema, Inputs: []*LogicalNode{lg}}
	}
	if len(subs) > 0 {
		// Filter first (fewer rows to buffer), then the semi/anti joins,
		// whose output keeps the outer columns in place.
		if filter != nil {
			r = p.keepScope(r, filter)
			r.lg, filter = lg, nil
		}
		for _, sp := range subs {
			if r, err = p.planSemiJoin(r, sp); err != nil {
				return nil, err
			}
		}
		b, lg = &binder{r: r}, r.lg
	}
	projs, names, pos, err := p.selectList(s, b)
	if err != nil {
		return nil, err
	}
	out := p.calc(r, projs, names, filter)
	out.pos = pos
	out.lg = logicalProject(projs, names, out.node.Schema, lg)
	return out, nil
}

func logicalProject(projs []Expr, names []string, schema Schema, in *LogicalNode) *LogicalNode {
	items := make([]string, len(projs))
	for i, e := range projs {
		items[i] = aliased(e, names[i])
	}
	return &LogicalNode{Name: "LogicalProject", Attrs: []string{"select=[" + strings.Join(items, ", ") + "]"}, Schema: schema, Inputs: []*LogicalNode{in}}
}

func aliased(e Expr, name string) string {
	s := e.String()
	if s == name {
		return s
	}
	return s + " AS " + name
}

func bindPredicate(b *binder, e sql.Expr, clause string) (Expr, error) {
	x, err := b.bind(e)
	if err != nil {
		return nil, err
	}
	if k := x.Type().Kind; k != types.Boolean && k != types.Null {
		return nil, errAt(e.Position(), "%s needs a BOOLEAN condition, not %s", clause, x.Type().WithoutRowtime())
	}
	return x, nil
}

// selectList binds the select items (stars expanded) with their names.
func (p *planner) selectList(s *sql.Select, b *binder) ([]Expr, []string, []sql.Pos, error) {
	var projs []Expr
	var names []string
	var pos []sql.Pos
	used := map[string]int{}
	add := func(e Expr, name string, at sql.Pos) {
		if n, dup := used[name]; dup {
			used[name] = n + 1
			for {
				cand := name + strconv.Itoa(n)
				if _, taken := used[cand]; !taken {
					name = cand
					break
				}
				n++
			}
		}
		used[name] = 0
		projs, names, pos = append(projs, e), append(names, name), append(pos, at)
	}
	for i, it := range s.Items {
		if it.Star {
			found := false
			for _, c := range b.r.cols {
				if it.Qualifier != "" && c.qual != it.Qualifier {
					continue
				}
				found = true
				var e Expr
				if b.agg == nil {
					e = &ColRef{Index: c.idx, Name: c.name, T: c.t}
				} else {
					var err error
					if e, err = b.bind(&sql.Ident{Pos: it.Pos, Qualifier: c.qual, Name: c.name}); err != nil {
						return nil, nil, nil, err
					}
				}
				add(e, c.name, it.Pos)
			}
			if !found {
				if it.Qualifier != "" {
					var quals []string
					for _, c := range b.r.cols {
						quals = append(quals, c.qual)
					}
					return nil, nil, nil, errAt(it.Pos, "unknown table or alias %q in %s.*%s", it.Qualifier, it.Qualifier, didYouMean(it.Qualifier, quals, "tables"))
				}
			}
			continue
		}
		e, err := b.bind(it.Expr)
		if err != nil {
			return nil, nil, nil, err
		}
		name := it.Alias
		if name == "" {
			if id, ok := it.Expr.(*sql.Ident); ok {
				name = id.Name
			} else {
				name = "EXPR$" + strconv.Itoa(i)
			}
		}
		add(e, name, it.Expr.Position())
	}
	return projs, names, pos, nil
}

// planDistinct plans SELECT DISTINCT as Flink does: a GroupAggregate
// without aggregates, grouped by every column of the select list. Its
// result is updating (a row is inserted the first time it appears).
func (p *planner) planDistinct(s *sql.Select) (*rel, error) {
	plain := *s
	plain.Distinct = false
	r, err := p.planSelect(&plain)
	if err != nil {
		return nil, err
	}
	if r, err = p.materialize(r); err != nil {
		return nil, err
	}
	keys := make([]int, len(r.node.Schema))
	schema := make(Schema, len(r.node.Schema))
	for i, c := range r.node.Schema {
		keys[i] = i
		schema[i] = Column{Name: c.Name, Type: c.Type.WithoutRowtime()}
	}
	op := &GroupAggOp{GroupKeys: keys, Pos: s.Pos, StateTTL: p.stateTTL(s.From)}
	if op.MiniBatchLatency, op.MiniBatchSize, err = p.miniBatch(s.Pos); err != nil {
		return nil, err
	}
	node := newNode(op, schema, -1, r.node)
	out := &rel{node: node, pos: r.pos, outer: r.outer}
	for _, c := range r.cols {
		c.t = c.t.WithoutRowtime()
		out.cols = append(out.cols, c)
	}
	out.lg = &LogicalNode{Name: "LogicalAggregate", Attrs: []string{"group=[" + colNames(r.node.Schema, keys) + "]"}, Schema: schema, Inputs: []*LogicalNode{r.lg}}
	return out, nil
}
