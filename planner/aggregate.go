package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// Window aggregation: window TVF + GROUP BY window_start, window_end[, keys]
// and legacy GROUP BY TUMBLE/HOP/SESSION(ts, ...) both plan to
//
//	Calc (keys, time column, aggregate arguments, FILTER conditions)
//	-> WindowAggregate (keys..., aggs..., window_start, window_end, window_time)
//	-> Calc (select list, HAVING)

type aggEntry struct {
	key  string
	call AggCall
	out  int
}

// aggScope binds select items and HAVING over a window aggregate's output.
type aggScope struct {
	in      *rel // the aggregation's input scope
	node    *Node
	keyOut  map[string]int // exprKey of a group key -> output column
	aggs    []*aggEntry
	start   int
	end     int
	time    int
	legacy  sql.WindowKind // legacy group window kind (0 for a TVF)
	argBind *binder
	// grouping: GROUP BY's grouping sets, for GROUPING(), GROUPING_ID()
	// and GROUP_ID() (expand.go)
	grouping *groupingInfo
}

// aggKey binds an aggregate call's arguments over the input (to find it).
func aggCallKey(b *binder, c *sql.Call) (string, []Expr, Expr, error) {
	name := strings.ToUpper(c.Name)
	absent, ok := aggOnNull(c)
	var args []Expr
	if c.Star {
		if name != "COUNT" {
			return "", nil, nil, errAt(c.Pos, "%s(*) is not allowed: only COUNT takes *", name)
		}
	} else {
		spec, _ := functions.Agg(name)
		if spec != nil && spec.Pair {
			if len(c.Args) != 3 {
				return "", nil, nil, errAt(c.Pos, "aggregate function %s takes one KEY k VALUE v pair", name)
			}
			pair := &sql.Call{Pos: c.Pos, Name: "ROW", Args: c.Args[1:]}
			c = &sql.Call{Pos: c.Pos, Name: c.Name, Distinct: c.Distinct, Args: []sql.Expr{c.Args[0], pair}, Filter: c.Filter}
		}
		if spec != nil && spec.OnNull && len(c.Args) == 2 {
			c = &sql.Call{Pos: c.Pos, Name: c.Name, Distinct: c.Distinct, Args: c.Args[1:], Filter: c.Filter}
		} else if spec != nil && spec.Sep && len(c.Args) == 2 {
			if _, err := aggSeparator(c); err != nil {
				return "", nil, nil, err
			}
		} else if len(c.Args) != 1 {
			return "", nil, nil, errAt(c.Pos, "aggregate function %s takes 1 argument, got %d", name, len(c.Args))
		}
		x, err := b.bind(c.Args[0])
		if err != nil {
			return "", nil, nil, err
		}
		args = append(args, x)
	}
	var filter Expr
	if c.Filter != nil {
		f, err := bindPredicate(b, c.Filter, "FILTER")
		if err != nil {
			return "", nil, nil, err
		}
		filter = f
	}
	key := name + "|" + strconv.FormatBool(c.Distinct)
	if ok {
		key += "|N" + strconv.FormatBool(absent)
	}
	if sep, _ := aggSeparator(c); sep != nil {
		key += "|S" + strconv.Quote(*sep)
	}
	for _, a := range args {
		key += "|" + exprKey(a)
	}
	if filter != nil {
		key += "|F" + exprKey(filter)
	}
	return key, args, filter, nil
}

// aggOnNull is JSON_ARRAYAGG's ON NULL mode (the parser's first
// argument): whether it is ABSENT ON NULL; ok is false for other calls.
func aggOnNull(c *sql.Call) (absent, ok bool) {
	spec, _ := functions.Agg(strings.ToUpper(c.Name))
	if spec == nil || !spec.OnNull || len(c.Args) == 0 {
		return false, false
	}
	l, isLit := c.Args[0].(*sql.Literal)
	return isLit && strings.EqualFold(l.Text, "ABSENT"), true
}

// aggSeparator is LISTAGG's separator: nil when the call has none, an
// error unless it is a string literal (Flink: "separator must be a
// literal").
func aggSeparator(c *sql.Call) (*string, error) {
	if spec, _ := functions.Agg(strings.ToUpper(c.Name)); len(c.Args) != 2 || spec == nil || !spec.Sep {
		return nil, nil
	}
	if l, ok := c.Args[1].(*sql.Literal); ok && l.Kind == sql.StringLit {
		return &l.Text, nil
	}
	return nil, errAt(c.Args[1].Position(), "the separator of %s must be a string literal", strings.ToUpper(c.Name))
}

func (a *aggScope) colRef(i int) *ColRef {
	c := a.node.Schema[i]
	return &ColRef{Index: i, Name: c.Name, T: c.Type}
}

// intercept maps aggregate calls, window columns and grouped expressions
// to the aggregate's output columns.
func (a *aggScope) intercept(b *binder, e sql.Expr) (Expr, bool, error) {
	switch x := e.(type) {
	case *sql.Call:
		name := strings.ToUpper(x.Name)
		if isGroupingFunc(name) {
			g, err := a.groupingCall(x, name)
			return g, true, err
		}
		if isAggregate(name) {
			key, _, _, err := aggCallKey(a.argBind, x)
			if err != nil {
				return nil, true, err
			}
			for _, ag := range a.aggs {
				if ag.key == key {
					return a.colRef(ag.out), true, nil
				}
			}
			return nil, true, errAt(x.Pos, "internal error: aggregate %s was not collected", name)
		}
		if d, which, ok := window.Aux(name); ok {
			if a.legacy == 0 {
				return nil, true, errAt(x.Pos, "%s needs GROUP BY %s(...); with a window TVF select window_start, window_end or window_time", name, d.Name)
			}
			if d.Kind != a.legacy {
				return nil, true, errAt(x.Pos, "%s does not match the group window %s(...) of GROUP BY", name, a.legacy)
			}
			switch which {
			case window.AuxStart:
				return a.colRef(a.start), true, nil
			case window.AuxEnd:
				return a.colRef(a.end), true, nil
			}
			return a.colRef(a.time), true, nil
		}
	case *sql.Ident:
		c, err := a.in.resolve(x)
		if err != nil {
			if f := rowField(a.in, x); f != nil {
				r, err := b.bind(f) // r.f on a ROW column r
				return r, true, err
			}
			return nil, true, err
		}
		if a.in.tvf != nil && c.idx >= a.in.tvf.n {
			switch c.idx - a.in.tvf.n {
			case 0:
				return a.colRef(a.start), true, nil
			case 1:
				return a.colRef(a.end), true, nil
			}
			return a.colRef(a.time), true, nil
		}
		if out, ok := a.keyOut[exprKey(&ColRef{Index: c.idx})]; ok {
			return a.colRef(out), true, nil
		}
		return nil, true, errAt(x.Pos, "column %q is not grouped: add it to GROUP BY or use it inside an aggregate function", x.Name)
	case *sql.Literal:
		return nil, false, nil
	}
	if len(a.keyOut) > 0 && firstAggregate(e) == nil {
		if bound, err := a.argBind.bind(e); err == nil {
			if out, ok := a.keyOut[exprKey(bound)]; ok {
				return a.colRef(out), true, nil
			}
		}
	}
	return nil, false, nil
}

func (p *planner) planAggregate(s *sql.Select, in *rel) (*rel, error) {
	if in.tvf == nil && in.win != nil && groupsByWindow(s, in) {
		r, why := p.reopenTVF(in)
		if r == nil {
			if ar, awhy := p.attachWindow(in); ar != nil || awhy != "" { // windowprop.go
				r, why = ar, awhy
			}
		}
		if r == nil {
			return nil, errAt(s.GroupBy[0].Position(), "GROUP BY window_start, window_end is a window aggregation only over a window TVF whose window_start and window_end reach it unchanged through projections and filters; here %s", why)
		}
		in = r
	}
	inBind := &binder{r: in}
	var width int // columns of in.node usable before the window columns
	if in.tvf != nil {
		width = in.tvf.n
	} else {
		width = len(in.node.Schema)
	}
	checkNoWindowCols := func(x Expr, at sql.Pos, what string) error {
		if in.tvf != nil && maxColRef(x) >= width {
			return errAt(at, "%s cannot use window_start, window_end or window_time of the window TVF it aggregates", what)
		}
		return nil
	}
	lg := in.lg
	// WHERE filters the input before windowing.
	if s.Where != nil {
		if a := firstAggregate(s.Where); a != nil {
			return nil, errAt(a.Pos, "aggregate function %s is not allowed in WHERE (use HAVING)", a.Name)
		}
		f, err := bindPredicate(inBind, s.Where, "WHERE")
		if err != nil {
			return nil, err
		}
		if err := checkNoWindowCols(f, s.Where.Position(), "WHERE"); err != nil {
			return nil, err
		}
		base := &rel{node: in.node, lg: in.lg}
		projs, names := identity(base)
		filtered := p.calc(base, projs, names, f)
		nin := *in
		nin.node = filtered.node
		in = &nin
		inBind = &binder{r: in}
		lg = &LogicalNode{Name: "LogicalFilter", Attrs: []string{"condition=[" + f.String() + "]"}, Schema: lg.Schema, Inputs: []*LogicalNode{lg}}
	}

	// GROUP BY analysis.
	var keys []Expr
	var keyNames []string
	var hasStart, hasEnd bool
	var spec *WindowSpec
	var legacy sql.WindowKind
	var timeExpr Expr
	var wtext string
	// itemKey[i]: the key GROUP BY item i is (-1: a window column or a
	// legacy group window), for the grouping sets (expand.go)
	itemKey := make([]int, len(s.GroupBy))
	for gi, g := range s.GroupBy {
		itemKey[gi] = -1
		if c, ok := g.(*sql.Call); ok {
			name := strings.ToUpper(c.Name)
			if d := window.ByName(name); d != nil {
				kind := d.Kind
				if !d.GroupWindow {
					return nil, errAt(c.Pos, "%s as a legacy group window (GROUP BY %s(...)) is not supported, as in Flink; use the window TVF: FROM TABLE(%s)", name, name, d.TVFUsage())
				}
				if in.tvf != nil || spec != nil {
					return nil, errAt(c.Pos, "only one window is allowed per GROUP BY")
				}
				if len(c.Args) < 2 {
					return nil, errAt(c.Pos, "%s needs a time attribute and window intervals: %s", name, d.GroupUsage())
				}
				tx, err := inBind.bind(c.Args[0])
				if err != nil {
					return nil, err
				}
				if r, ok := tx.(*ColRef); !ok || !tx.Type().Rowtime || r.Index != in.node.Rowtime {
					return nil, errAt(c.Args[0].Position(), "the window function requires the time column to be a time attribute (the column of a WATERMARK FOR clause), but %s is a plain %s", tx.String(), tx.Type().WithoutRowtime())
				}
				sp, err := p.windowSpec(kind, c.Args[1:], c.Pos, d.GroupUsage())
				if err != nil {
					return nil, err
				}
				spec, legacy, timeExpr = &sp, kind, tx
				wtext = windowText(sp, tx.String(), nil)
				continue
			}
		}
		if id, ok := g.(*sql.Ident); ok {
			c, err := in.resolve(id)
			if err != nil {
				// GROUP BY a select-list alias.
				var alias sql.Expr
				if id.Qualifier == "" {
					for _, it := range s.Items {
						if it.Alias == id.Name && it.Expr != nil {
							alias = it.Expr
						}
					}
				}
				if alias == nil {
					return nil, err
				}
				g = alias
			} else if in.tvf != nil && c.idx >= width {
				switch c.idx - width {
				case 0:
					hasStart = true
				case 1:
					hasEnd = true
				}
				continue
			}
		}
		if a := firstAggregate(g); a != nil {
			return nil, errAt(a.Pos, "aggregate functions are not allowed in GROUP BY")
		}
		k, err := inBind.bind(g)
		if err != nil {
			return nil, err
		}
		if err := checkNoWindowCols(k, g.Position(), "GROUP BY expression"); err != nil {
			return nil, err
		}
		if s.GroupingSets != nil {
			if i := indexExpr(keys, k); i >= 0 {
				itemKey[gi] = i
				continue
			}
		}
		itemKey[gi] = len(keys)
		name := "$f" + strconv.Itoa(len(keys))
		if r, ok := k.(*ColRef); ok {
			name = r.Name
		}
		keys = append(keys, k)
		keyNames = append(keyNames, name)
	}
	if in.tvf != nil {
		if !hasStart || !hasEnd {
			var missing []string
			if !hasStart {
				missing = append(missing, "window_start")
			}
			if !hasEnd {
				missing = append(missing, "window_end")
			}
			at := s.Pos
			if len(s.GroupBy) > 0 {
				at = s.GroupBy[0].Position()
			}
			return nil, errAt(at, "a window aggregation over %s must GROUP BY both window_start and window_end (missing: %s); without them the aggregation is not windowed and would produce an updating result that the append-only sinks cannot take", in.tvf.spec.Kind, strings.Join(missing, ", "))
		}
		sp := in.tvf.spec
		spec = &sp
		tc := in.tvf.spec.TimeCol
		timeExpr = &ColRef{Index: tc, Name: in.node.Schema[tc].Name, T: in.node.Schema[tc].Type}
		wtext = in.tvf.text
	}
	aggPos := s.Pos
	if len(s.GroupBy) > 0 {
		aggPos = s.GroupBy[0].Position()
	}
	gs, err := groupingSets(s, in, itemKey, len(keys), legacy)
	if err != nil {
		return nil, err
	}

	// Collect aggregate calls from the select list and HAVING.
	scope := &aggScope{in: in, keyOut: map[string]int{}, legacy: legacy, argBind: inBind, grouping: gs}
	var pre []Expr
	var preNames []string
	preIdx := map[string]int{}
	addPre := func(e Expr, name string) int {
		k := exprKey(e)
		if i, ok := preIdx[k]; ok {
			return i
		}
		preIdx[k] = len(pre)
		pre = append(pre, e)
		if name == "" {
			name = "$f" + strconv.Itoa(len(pre)-1)
		}
		preNames = append(preNames, name)
		return len(pre) - 1
	}
	var groupKeys []int
	for i, k := range keys {
		groupKeys = append(groupKeys, addPre(k, keyNames[i]))
	}
	timeIdx := -1
	var partKeys []int
	startIdx := -1
	if spec != nil {
		timeIdx = addPre(timeExpr, timeExpr.String())
		if spec.Attached {
			sc := spec.StartCol
			startIdx = addPre(&ColRef{Index: sc, Name: in.node.Schema[sc].Name, T: in.node.Schema[sc].Type}, in.node.Schema[sc].Name)
		}
		for _, pk := range spec.PartitionKeys {
			partKeys = append(partKeys, addPre(&ColRef{Index: pk, Name: in.node.Schema[pk].Name, T: in.node.Schema[pk].Type.WithoutRowtime()}, in.node.Schema[pk].Name))
		}
	}
	var aggErr error
	collect := func(e sql.Expr, alias string) {
		walkAST(e, func(x sql.Expr) bool {
			if aggErr != nil {
				return false
			}
			c, ok := x.(*sql.Call)
			if !ok || !isAggregate(strings.ToUpper(c.Name)) {
				return true
			}
			name := strings.ToUpper(c.Name)
			key, args, filter, err := aggCallKey(inBind, c)
			if err != nil {
				aggErr = err
				return false
			}
			for _, a := range append(append([]Expr(nil), args...), filter) {
				if a != nil {
					if err := checkNoWindowCols(a, c.Pos, "an aggregate argument"); err != nil {
						aggErr = err
						return false
					}
				}
			}
			for _, ag := range scope.aggs {
				if ag.key == key {
					return false
				}
			}
			call := AggCall{Func: name, Arg: -1, Filter: -1, Distinct: c.Distinct}
			call.Absent, _ = aggOnNull(c)
			if spec, _ := functions.Agg(name); spec.Sep {
				call.Sep = ","
				if sep, _ := aggSeparator(c); sep != nil {
					call.Sep = *sep
				}
			}
			var argT types.Type
			if len(args) == 1 {
				argName := ""
				if r, ok := args[0].(*ColRef); ok && !containsStr(preNames, r.Name) {
					argName = r.Name
				}
				call.Arg = addPre(args[0], argName)
				argT = args[0].Type()
			}
			if filter != nil {
				call.Filter = addPre(filter, "")
			}
			t, msg := aggType(name, argT)
			if msg != "" {
				aggErr = errAt(c.Pos, "%s", msg)
				return false
			}
			call.T = t
			if x == e && alias != "" {
				call.Name = alias
			} else {
				call.Name = "$a" + strconv.Itoa(len(scope.aggs))
			}
			scope.aggs = append(scope.aggs, &aggEntry{key: key, call: call})
			return false
		})
	}
	for _, it := range s.Items {
		if it.Expr != nil {
			collect(it.Expr, it.Alias)
		}
	}
	if s.Having != nil {
		collect(s.Having, "")
	}
	if aggErr != nil {
		return nil, aggErr
	}

	base := &rel{node: in.node, lg: in.lg}
	preRel := p.calc(base, pre, preNames, nil)
	if gs.expand() {
		// Calc -> Expand (one row per grouping set) -> the aggregation
		// grouped by the keys and $e
		if preRel, err = p.expand(preRel, gs, groupKeys); err != nil {
			return nil, err
		}
		keys = append(keys, gs.idRef())
		groupKeys = append(groupKeys, len(preRel.node.Schema)-1)
	}
	if spec == nil {
		// Calc -> GroupAggregate: no window, an updating result.
		return p.groupAggregate(s, in, lg, scope, preRel, pre, keys, groupKeys, aggPos)
	}
	// Calc -> WindowAggregate.
	spec.TimeCol = timeIdx
	spec.StartCol = startIdx
	spec.PartitionKeys = partKeys
	op := &WindowAggOp{Window: *spec, GroupKeys: groupKeys}
	var schema Schema
	schema, op.Aggs = aggSchema(scope, preRel, keys, groupKeys)
	tt := timeExpr.Type()
	tt.NotNull = true
	tt.Rowtime = true
	scope.start, scope.end, scope.time = len(schema), len(schema)+1, len(schema)+2
	schema = append(schema,
		Column{Name: "window_start", Type: types.Type{Kind: types.Timestamp, Precision: 3, NotNull: true}},
		Column{Name: "window_end", Type: types.Type{Kind: types.Timestamp, Precision: 3, NotNull: true}},
		Column{Name: "window_time", Type: tt})
	aggNode := newNode(op, schema, scope.time, preRel.node)
	scope.node = aggNode
	aggRel := &rel{node: aggNode, win: &winInfo{spec: *spec, text: wtext, start: scope.start, end: scope.end, time: scope.time}}

	lg = logicalAggregate(keys, op.Aggs, pre, "window=["+wtext+"]", schema, lg, scope.grouping)
	return p.aggregateOutput(s, in, lg, scope, aggRel)
}

// groupAggregate plans the GroupAggregate of a GROUP BY without a window
// (or of aggregates without GROUP BY) over preRel, the Calc computing its
// keys and arguments, then HAVING and the select list over it.
func (p *planner) groupAggregate(s *sql.Select, in *rel, lg *LogicalNode, scope *aggScope, preRel *rel, pre []Expr, keys []Expr, groupKeys []int, at sql.Pos) (*rel, error) {
	op := &GroupAggOp{GroupKeys: groupKeys, Pos: at, StateTTL: p.stateTTL(s.From)}
	var err error
	if op.MiniBatchLatency, op.MiniBatchSize, err = p.miniBatch(at); err != nil {
		return nil, err
	}
	var schema Schema
	schema, op.Aggs = aggSchema(scope, preRel, keys, groupKeys)
	scope.start, scope.end, scope.time = -1, -1, -1
	node := newNode(op, schema, -1, preRel.node)
	scope.node = node
	lg = logicalAggregate(keys, op.Aggs, pre, "", schema, lg, scope.grouping)
	return p.aggregateOutput(s, in, lg, scope, &rel{node: node})
}

// aggSchema is an aggregation's output (group keys, then aggregates with
// unique names) and its aggregate calls; it records where each key and
// aggregate lands in scope.
func aggSchema(scope *aggScope, preRel *rel, keys []Expr, groupKeys []int) (Schema, []AggCall) {
	var schema Schema
	var calls []AggCall
	names := map[string]bool{}
	for i, k := range groupKeys {
		c := preRel.node.Schema[k]
		scope.keyOut[exprKey(keys[i])] = len(schema)
		schema = append(schema, Column{Name: c.Name, Type: c.Type.WithoutRowtime()})
		names[c.Name] = true
	}
	for _, ag := range scope.aggs {
		ag.out = len(schema)
		name := ag.call.Name
		for names[name] {
			name += "0"
		}
		names[name] = true
		ag.call.Name = name
		calls = append(calls, ag.call)
		schema = append(schema, Column{Name: name, Type: ag.call.T})
	}
	return schema, calls
}

// logicalAggregate is the LogicalAggregate node (window: "window=[...]"
// for a window aggregation, "" otherwise).
func logicalAggregate(keys []Expr, aggs []AggCall, pre []Expr, window string, schema Schema, in *LogicalNode, g *groupingInfo) *LogicalNode {
	var gs, as []string
	if g.expand() {
		keys = keys[:g.keys] // without $e
	}
	for _, k := range keys {
		gs = append(gs, k.String())
	}
	for _, ag := range aggs {
		as = append(as, aggText(ag, pre))
	}
	attrs := []string{"group=[" + strings.Join(gs, ", ") + "]"}
	if g.expand() {
		attrs = append(attrs, g.groupsText(keys))
	}
	if window != "" {
		attrs = append(attrs, window)
	}
	attrs = append(attrs, "aggs=["+strings.Join(as, ", ")+"]")
	return &LogicalNode{Name: "LogicalAggregate", Attrs: attrs, Schema: schema, Inputs: []*LogicalNode{in}}
}

// aggregateOutput plans HAVING and the select list over an aggregation.
func (p *planner) aggregateOutput(s *sql.Select, in *rel, lg *LogicalNode, scope *aggScope, aggRel *rel) (*rel, error) {
	schema := aggRel.node.Schema
	post := &binder{r: in, agg: scope}
	var having Expr
	if s.Having != nil {
		h, err := bindPredicate(post, s.Having, "HAVING")
		if err != nil {
			return nil, err
		}
		having = h
		lg = &LogicalNode{Name: "LogicalFilter", Attrs: []string{"condition=[" + h.String() + "]"}, Schema: schema, Inputs: []*LogicalNode{lg}}
	}
	projs, pnames, pos, err := p.selectList(s, post)
	if err != nil {
		return nil, err
	}
	out := p.calc(aggRel, projs, pnames, having)
	out.pos = pos
	out.lg = logicalProject(projs, pnames, out.node.Schema, lg)
	return out, nil
}

// aggText prints an aggregate as Flink does: COUNT(*), SUM(x), COUNT(*) FILTER $f3.
func aggText(a AggCall, in []Expr) string {
	arg := "*"
	if a.Arg >= 0 {
		arg = in[a.Arg].String()
	}
	if a.Distinct {
		arg = "DISTINCT " + arg
	}
	if a.Sep != "" {
		arg += ", " + strconv.Quote(a.Sep)
	}
	s := a.Func + "(" + arg + ")"
	if a.Filter >= 0 {
		s += " FILTER " + in[a.Filter].String()
	}
	return s + " AS " + a.Name
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// groupsByWindow reports whether GROUP BY names both window_start and
// window_end of the windowed relation in (by whatever names they carry).
func groupsByWindow(s *sql.Select, in *rel) bool {
	var start, end bool
	for _, g := range s.GroupBy {
		id, ok := g.(*sql.Ident)
		if !ok {
			continue
		}
		if c, err := in.resolve(id); err == nil {
			start = start || c.idx == in.win.start
			end = end || c.idx == in.win.end
		}
	}
	return start && end
}

// reopenTVF turns a materialized window TVF seen through one Calc (a
// subquery or view SELECT ... FROM TABLE(TUMBLE(...)) WHERE ...) back into
// a pending TVF over that Calc moved below the window, so that a GROUP BY
// window_start, window_end over it plans as a window aggregation, as Flink
// does. It needs the Calc's filter not to read the window columns and its
// projections to pass window columns through unchanged; otherwise it
// returns nil and the reason.
func (p *planner) reopenTVF(in *rel) (*rel, string) {
	n := in.node
	var projs []Expr
	var filter Expr
	tvfNode := n
	if c, ok := n.Op.(*CalcOp); ok {
		projs, filter, tvfNode = c.Projections, c.Filter, n.Inputs[0]
	}
	tvf, ok := tvfNode.Op.(*WindowTVFOp)
	if !ok {
		return nil, "the windowed input is a " + tvfNode.Name() + ", not a window TVF"
	}
	if window.Of(tvf.Window.Kind).Merging {
		return nil, tvf.Window.Kind.String() + " windows are not supported this way"
	}
	base := tvfNode.Inputs[0]
	width := len(base.Schema)
	if projs == nil {
		for i, c := range tvfNode.Schema {
			projs = append(projs, &ColRef{Index: i, Name: c.Name, T: c.Type})
		}
	}
	if filter != nil && maxColRef(filter) >= width {
		return nil, "the WHERE below the aggregation reads window_start, window_end or window_time"
	}
	// New Calc below the window: the non-window projections, then the
	// time attribute.
	var below []Expr
	var names []string
	newIdx := make([]int, len(projs)) // projection -> column of the new Calc, or width'+k for window column k
	winCol := make([]int, len(projs))
	for i, e := range projs {
		winCol[i] = -1
		if r, ok := e.(*ColRef); ok && r.Index >= width {
			winCol[i] = r.Index - width
			continue
		}
		if maxColRef(e) >= width {
			return nil, "the select list below the aggregation computes with window_start, window_end or window_time"
		}
		newIdx[i] = len(below)
		below = append(below, e)
		names = append(names, n.Schema[i].Name)
	}
	// The time attribute: the first plain reference to it (typed as the
	// rowtime again, which the TVF's output had stripped), else appended.
	tc := tvf.Window.TimeCol
	timeIdx := -1
	for i, e := range below {
		if r, ok := e.(*ColRef); ok && r.Index == tc && timeIdx < 0 {
			below[i] = &ColRef{Index: tc, Name: r.Name, T: base.Schema[tc].Type}
			timeIdx = i
		}
	}
	if timeIdx < 0 {
		timeIdx = len(below)
		below = append(below, &ColRef{Index: tc, Name: base.Schema[tc].Name, T: base.Schema[tc].Type})
		names = append(names, base.Schema[tc].Name)
		for containsStr(names[:timeIdx], names[timeIdx]) {
			names[timeIdx] += "0"
		}
	}
	r := p.calc(&rel{node: base, lg: in.lg}, below, names, filter)
	if r.node.Rowtime != timeIdx {
		return nil, "its time attribute is lost"
	}
	w := len(r.node.Schema)
	out := &rel{node: r.node, lg: in.lg, pos: in.pos}
	for _, c := range in.cols {
		if k := winCol[c.idx]; k >= 0 {
			c.idx = w + k
		} else {
			c.idx = newIdx[c.idx]
		}
		c.t = c.t.WithoutRowtime()
		out.cols = append(out.cols, c)
	}
	spec := tvf.Window
	spec.TimeCol = timeIdx
	wt := tvfNode.Schema[len(tvfNode.Schema)-1].Type
	out.tvf = &pendingTVF{spec: spec, text: in.win.text, n: w, lg: in.lg, time: wt}
	return out, ""
}
