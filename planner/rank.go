package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// The ROW_NUMBER() patterns, as Flink's FlinkLogicalRankRule and its
// physical rules recognise them:
//
//	SELECT ... FROM (
//	  SELECT ..., ROW_NUMBER() OVER (PARTITION BY k ORDER BY x DESC) AS rn
//	  FROM t) WHERE rn <= N [AND other conditions]
//
// The inner query is planned with the partition and order expressions
// as extra columns and left pending (rel.rank); the enclosing query's
// WHERE gives the rank range (rn <= N, rn < N, rn = N, rn BETWEEN a AND b,
// ...). Then one of four operators (RankOp.Name):
//
//   - Deduplicate: rn = 1 (or <= 1), ordered by the time attribute
//     alone, rn not selected (Flink's RankUtil.canConvertToDeduplicate);
//   - WindowRank / WindowDeduplicate: the input is a window TVF or window
//     aggregation and PARTITION BY holds its window_start and window_end;
//   - Rank otherwise (Top-N).
//
// The rank number column is only produced when the enclosing query reads
// it (Flink's "no ranking number" optimization).

// pendingRank is an inner query with ROW_NUMBER() OVER whose enclosing
// query has not given its rank range yet. The rel's node is the rank's
// input (a Calc).
type pendingRank struct {
	call      *sql.Call
	partition []int
	order     []SortKey
	rnName    string
	visible   int // the first visible columns of the input are the select list; the rest are partition and order columns
}

// rowNumberItem finds the select item computing ROW_NUMBER() OVER, or
// -1; a window function anywhere else is refused.
func rowNumberItem(s *sql.Select) (int, error) {
	found := -1
	var nested *sql.Call
	for i, it := range s.Items {
		if c, ok := it.Expr.(*sql.Call); ok && c.Over != nil {
			if found >= 0 {
				return -1, errAt(c.Pos, "more than one ROW_NUMBER() OVER in a query is not supported")
			}
			found = i
			continue
		}
		nested = firstOver(nested, it.Expr)
	}
	nested = firstOver(nested, s.Where, s.Having)
	for _, g := range s.GroupBy {
		nested = firstOver(nested, g)
	}
	if nested != nil {
		return -1, errAt(nested.Pos, "ROW_NUMBER() OVER is only supported as a select item of its own (Top-N and deduplication: SELECT *, ROW_NUMBER() OVER (...) AS rn FROM t), filtered by the enclosing query (WHERE rn <= N)")
	}
	return found, nil
}

func firstOver(found *sql.Call, es ...sql.Expr) *sql.Call {
	for _, e := range es {
		walkAST(e, func(x sql.Expr) bool {
			if c, ok := x.(*sql.Call); ok && c.Over != nil && found == nil {
				found = c
			}
			return found == nil
		})
	}
	return found
}

// planRankInput plans a SELECT with ROW_NUMBER() OVER at item k: the
// select list without it, then the partition and order expressions, as
// one Calc, left pending for the enclosing query.
func (p *planner) planRankInput(s *sql.Select, k int) (*rel, error) {
	call := s.Items[k].Expr.(*sql.Call)
	if s.Distinct || len(s.GroupBy) > 0 || s.Having != nil {
		return nil, errAt(call.Pos, "ROW_NUMBER() OVER in a query with DISTINCT, GROUP BY or HAVING is not supported; aggregate in a subquery and rank its result")
	}
	if a := firstAggregate(itemExprs(s)...); a != nil {
		return nil, errAt(a.Pos, "an aggregate beside ROW_NUMBER() OVER is not supported; aggregate in a subquery and rank its result")
	}
	if len(s.OrderBy) > 0 || s.Limit != nil {
		return nil, errAt(s.Pos, "ORDER BY and LIMIT are not supported on a stream")
	}
	over := call.Over
	if len(over.OrderBy) == 0 {
		return nil, errAt(over.Pos, "ROW_NUMBER() OVER without ORDER BY is not supported: ORDER BY gives the order that numbers the rows of a partition")
	}
	plain := *s
	plain.Items = nil
	for i, it := range s.Items {
		if i != k {
			plain.Items = append(plain.Items, it)
		}
	}
	var extra []sql.Expr
	extra = append(extra, over.PartitionBy...)
	for _, o := range over.OrderBy {
		extra = append(extra, o.Expr)
	}
	for i, e := range extra {
		plain.Items = append(plain.Items, sql.SelectItem{Pos: e.Position(), Expr: e, Alias: "$rank" + strconv.Itoa(i)})
	}
	r, err := p.planSelect(&plain)
	if err != nil {
		return nil, err
	}
	calc, ok := r.node.Op.(*CalcOp)
	if !ok {
		return nil, errAt(call.Pos, "ROW_NUMBER() OVER over this query is not supported")
	}
	visible := len(calc.Projections) - len(extra)
	// An extra column equal to an earlier column is that column.
	keep := make([]int, 0, len(calc.Projections))
	where := make([]int, len(calc.Projections))
	for i, e := range calc.Projections {
		where[i] = -1
		if i >= visible {
			key := exprKey(e)
			for j := range i {
				if where[j] >= 0 && exprKey(calc.Projections[j]) == key {
					where[i] = where[j]
					break
				}
			}
		}
		if where[i] < 0 {
			where[i] = len(keep)
			keep = append(keep, i)
		}
	}
	var cols []scopeCol // the select list's columns; the others are the rank's own
	for _, c := range r.cols {
		if c.idx < visible {
			cols = append(cols, c)
		}
	}
	r.cols = cols
	if len(keep) < len(calc.Projections) {
		r = trimCalc(r, keep, where)
	}
	nPart := len(over.PartitionBy)
	pr := &pendingRank{call: call, visible: visible, rnName: s.Items[k].Alias}
	for i := range over.PartitionBy {
		pr.partition = append(pr.partition, where[visible+i])
	}
	for i, o := range over.OrderBy {
		pr.order = append(pr.order, SortKey{Col: where[visible+nPart+i], Desc: o.Desc})
	}
	if pr.rnName == "" {
		pr.rnName = "EXPR$" + strconv.Itoa(k)
	}
	r.rank = pr
	return r, nil
}

// needsRange is the error for a ROW_NUMBER() the enclosing query does
// not filter by a rank range.
func (pr *pendingRank) needsRange() error {
	return errAt(pr.call.Pos, "ROW_NUMBER() OVER needs a filter on %s in the enclosing query (WHERE %s <= N: Top-N; WHERE %s = 1: deduplication); other uses of ROW_NUMBER() are not supported", pr.rnName, pr.rnName, pr.rnName)
}

func itemExprs(s *sql.Select) []sql.Expr {
	var es []sql.Expr
	for _, it := range s.Items {
		es = append(es, it.Expr)
	}
	return es
}

// trimCalc keeps the projections keep of r's Calc; where maps an old
// column to its new place.
func trimCalc(r *rel, keep, where []int) *rel {
	old := r.node.Op.(*CalcOp)
	op := &CalcOp{Filter: old.Filter}
	schema := make(Schema, 0, len(keep))
	for _, i := range keep {
		op.Projections = append(op.Projections, old.Projections[i])
		schema = append(schema, r.node.Schema[i])
	}
	rowtime := -1
	if r.node.Rowtime >= 0 {
		rowtime = where[r.node.Rowtime]
	}
	node := newNode(op, schema, rowtime, r.node.Inputs...)
	out := &rel{node: node, lg: r.lg, pos: r.pos, outer: r.outer}
	for _, c := range r.cols {
		c.idx = where[c.idx]
		out.cols = append(out.cols, c)
	}
	if r.win != nil {
		w := *r.win
		w.start, w.end = where[w.start], where[w.end]
		if w.time >= 0 {
			w.time = where[w.time]
		}
		out.win = &w
	}
	return out
}

// planRank plans the Rank the enclosing query s filters: r is the
// pending rank (its FROM). It returns the rank's relation and s with the
// rank range taken out of its WHERE.
func (p *planner) planRank(s *sql.Select, r *rel) (*rel, *sql.Select, error) {
	pr := r.rank
	start, end, rest, err := rankRange(s.Where, pr.rnName)
	if err != nil {
		return nil, nil, err
	}
	if end == 0 {
		return nil, nil, pr.needsRange()
	}
	if start > end {
		return nil, nil, errAt(s.Where.Position(), "the rank range of %s is empty (from %d to %d)", pr.rnName, start, end)
	}
	inner := *s
	inner.Where = rest
	outRN := readsColumn(&inner, pr.rnName)
	op := &RankOp{PartitionKeys: pr.partition, OrderKeys: pr.order, RankStart: start, RankEnd: end, OutputRankNumber: outRN, Pos: pr.call.Pos}
	in := r.node
	if w := r.win; w != nil && containsInt(pr.partition, w.start) && containsInt(pr.partition, w.end) {
		op.Window = &RankWindow{Start: w.start, End: w.end, Text: rankWindowText(w, in.Schema)}
	}
	if op.Window == nil {
		op.StateTTL = p.settingStateTTL()
	}
	if start == 1 && end == 1 && len(pr.order) == 1 && isTimeAttr(in, pr.order[0].Col) && (op.Window != nil || !outRN) {
		op.Dedup = KeepFirst
		if pr.order[0].Desc {
			op.Dedup = KeepLast
		}
	}
	schema := make(Schema, 0, len(in.Schema)+1)
	rowtime := -1
	// a deduplication on event time keeps its time attribute (keeping
	// the last row, it is Flink's versioned view, the versioned table
	// of a temporal join)
	if op.Window != nil || op.Dedup != NoDedup {
		rowtime = in.Rowtime
	}
	for i, c := range in.Schema {
		t := c.Type
		if i != rowtime {
			t = t.WithoutRowtime()
		}
		schema = append(schema, Column{Name: c.Name, Type: t})
	}
	if outRN {
		schema = append(schema, Column{Name: pr.rnName, Type: types.Type{Kind: types.BigInt, NotNull: true}})
	}
	node := newNode(op, schema, rowtime, in)
	out := &rel{node: node, pos: r.pos, outer: r.outer}
	for _, c := range r.cols {
		if c.idx != rowtime {
			c.t = c.t.WithoutRowtime()
		}
		out.cols = append(out.cols, c)
	}
	if outRN {
		qual := ""
		if len(r.cols) > 0 {
			qual = r.cols[0].qual
		}
		out.cols = append(out.cols, scopeCol{qual: qual, name: pr.rnName, t: schema[len(schema)-1].Type, idx: len(schema) - 1})
	}
	if op.Window != nil && r.win != nil {
		out.win = r.win
	}
	attrs := []string{"rankType=[ROW_NUMBER]", "rankRange=[rankStart=" + strconv.FormatInt(start, 10) + ", rankEnd=" + strconv.FormatInt(end, 10) + "]",
		"partitionBy=[" + colNames(in.Schema, pr.partition) + "]", "orderBy=[" + sortText(in.Schema, pr.order) + "]"}
	out.lg = &LogicalNode{Name: "FlinkLogicalRank", Attrs: attrs, Schema: schema, Inputs: []*LogicalNode{r.lg}}
	return out, &inner, nil
}

// isTimeAttr reports whether column col of a Calc node is a time
// attribute of its input: the input's rowtime, or the time column a
// window TVF labelled (Flink keeps it a time attribute beside
// window_time).
func isTimeAttr(n *Node, col int) bool {
	if col == n.Rowtime {
		return true
	}
	calc, ok := n.Op.(*CalcOp)
	if !ok || col >= len(calc.Projections) {
		return false
	}
	ref, ok := calc.Projections[col].(*ColRef)
	if !ok {
		return false
	}
	in := n.Inputs[0]
	if ref.Index == in.Rowtime {
		return true
	}
	if tvf, ok := in.Op.(*WindowTVFOp); ok {
		return ref.Index == tvf.Window.TimeCol
	}
	return false
}

// readsColumn reports whether s reads the column named name: by name,
// or through an unqualified or qualified star.
func readsColumn(s *sql.Select, name string) bool {
	found := false
	look := func(e sql.Expr) {
		walkAST(e, func(x sql.Expr) bool {
			if id, ok := x.(*sql.Ident); ok && id.Name == name {
				found = true
			}
			return !found
		})
	}
	for _, it := range s.Items {
		if it.Star {
			return true
		}
		look(it.Expr)
	}
	look(s.Where)
	look(s.Having)
	for _, g := range s.GroupBy {
		look(g)
	}
	return found
}

// rankRange takes the bounds on the rank column out of a WHERE's
// conjuncts: it returns the range (end 0: no upper bound) and the other
// conjuncts.
func rankRange(where sql.Expr, rn string) (start, end int64, rest sql.Expr, err error) {
	start = 1
	for _, c := range conjuncts(where) {
		lo, hi, ok, err := rankBound(c, rn)
		if err != nil {
			return 0, 0, nil, err
		}
		if !ok {
			if rest == nil {
				rest = c
			} else {
				rest = &sql.Binary{Pos: c.Position(), Op: "AND", L: rest, R: c}
			}
			continue
		}
		start = max(start, lo)
		if hi > 0 && (end == 0 || hi < end) {
			end = hi
		}
	}
	return start, end, rest, nil
}

func conjuncts(e sql.Expr) []sql.Expr {
	if e == nil {
		return nil
	}
	if b, ok := e.(*sql.Binary); ok && strings.EqualFold(b.Op, "AND") {
		return append(conjuncts(b.L), conjuncts(b.R)...)
	}
	return []sql.Expr{e}
}

// rankBound reads one conjunct as a bound on rn: rn <= N, rn < N, rn = N,
// rn >= N, rn > N (either side), rn BETWEEN a AND b. hi is 0 when the
// conjunct gives no upper bound.
func rankBound(e sql.Expr, rn string) (lo, hi int64, ok bool, err error) {
	isRN := func(x sql.Expr) bool {
		id, ok := x.(*sql.Ident)
		return ok && id.Name == rn
	}
	num := func(x sql.Expr) (int64, bool, error) {
		l, ok := x.(*sql.Literal)
		if !ok {
			return 0, false, nil
		}
		if l.Kind != sql.IntLit {
			return 0, false, errAt(l.Pos, "a bound on the row number must be an integer constant, not %s", l.Text)
		}
		n, perr := strconv.ParseInt(l.Text, 10, 64)
		if perr != nil {
			return 0, false, errAt(l.Pos, "the rank bound %s must be an integer", l.Text)
		}
		return n, true, nil
	}
	switch x := e.(type) {
	case *sql.Binary:
		op := x.Op
		var n int64
		var found bool
		switch {
		case isRN(x.L):
			if n, found, err = num(x.R); err != nil || !found {
				return 0, 0, false, err
			}
		case isRN(x.R):
			if n, found, err = num(x.L); err != nil || !found {
				return 0, 0, false, err
			}
			op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[op]
		default:
			return 0, 0, false, nil
		}
		switch op {
		case "<=":
			return 1, max(n, 0), true, emptyRange(x, n < 1)
		case "<":
			return 1, max(n-1, 0), true, emptyRange(x, n <= 1)
		case "=":
			return n, n, true, emptyRange(x, n < 1)
		case ">=":
			return n, 0, true, nil
		case ">":
			return n + 1, 0, true, nil
		}
	case *sql.Between:
		if x.Not || !isRN(x.X) {
			return 0, 0, false, nil
		}
		a, okA, err := num(x.Lo)
		if err != nil {
			return 0, 0, false, err
		}
		b, okB, err := num(x.Hi)
		if err != nil || !okA || !okB {
			return 0, 0, false, err
		}
		return max(a, 1), b, true, emptyRange(x, b < max(a, 1))
	}
	return 0, 0, false, nil
}

func emptyRange(e sql.Expr, empty bool) error {
	if empty {
		return errAt(e.Position(), "this rank condition selects no row (row numbers start at 1)")
	}
	return nil
}

// sortText is an ORDER BY as EXPLAIN prints it: price DESC, ts ASC.
func sortText(s Schema, keys []SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		dir := " ASC"
		if k.Desc {
			dir = " DESC"
		}
		parts[i] = colNames(s, []int{k.Col}) + dir
	}
	return strings.Join(parts, ", ")
}

// rankAttrs are a rank node's EXPLAIN attributes, as Flink prints them.
func rankAttrs(n *Node, op *RankOp) []string {
	in := n.Inputs[0].Schema
	var sel []string
	for _, c := range n.Schema {
		sel = append(sel, c.Name)
	}
	var a []string
	if op.Window != nil {
		a = append(a, "window=["+op.Window.Text+"]")
	}
	if op.Dedup != NoDedup {
		keep := "FirstRow"
		if op.Dedup == KeepLast {
			keep = "LastRow"
		}
		if op.Window != nil {
			return append(a, "keep=["+keep+"]", "partitionKeys=["+colNames(in, op.PartitionKeys)+"]", "orderKey=["+colNames(in, []int{op.OrderKeys[0].Col})+"]", "order=[ROWTIME]")
		}
		return append(a, "keep=["+keep+"]", "key=["+colNames(in, op.PartitionKeys)+"]", "order=[ROWTIME]")
	}
	if op.Window == nil {
		strategy := "AppendFastStrategy"
		if op.Retract {
			strategy = "RetractStrategy"
		}
		a = append(a, "strategy=["+strategy+"]")
	}
	return append(a, "rankType=[ROW_NUMBER]",
		"rankRange=[rankStart="+strconv.FormatInt(op.RankStart, 10)+", rankEnd="+strconv.FormatInt(op.RankEnd, 10)+"]",
		"partitionBy=["+colNames(in, op.PartitionKeys)+"]", "orderBy=["+sortText(in, op.OrderKeys)+"]",
		"select=["+strings.Join(sel, ", ")+"]")
}

// rankWindowText is a window rank's window as Flink's EXPLAIN prints it:
// TUMBLE(win_start=[window_start], win_end=[window_end], size=[10 min]).
func rankWindowText(w *winInfo, in Schema) string {
	d := window.Of(w.spec.Kind)
	parts := []string{"win_start=[" + in[w.start].Name + "]", "win_end=[" + in[w.end].Name + "]"}
	parts = append(parts, d.ExplainText(w.spec.Sizes())...)
	return d.Name + "(" + strings.Join(parts, ", ") + ")"
}
