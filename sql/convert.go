package sql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/test_driver"
)

// parseQueryToks parses toks (a query, without its trailing EOF; after
// is the token following it) through rewrite -> TiDB -> conversion.
// outer is the converter of the enclosing query (nil at the top): the
// nested query sees its WITH queries and continues its depth count.
func parseQueryToks(s *source, toks []token, after token, outer *converter) (Query, *Error) {
	if len(toks) == 0 {
		return nil, &Error{Pos: s.tokPos(after), Msg: "expected a query"}
	}
	r := newRewriter(s, toks, after)
	if err := r.rewrite(0, len(toks)); err != nil {
		return nil, err
	}
	node, err := r.tidbParse()
	if err != nil {
		return nil, err
	}
	c := &converter{r: r}
	if outer != nil {
		c.ctes, c.depth = outer.ctes, outer.depth
	}
	rs, ok := node.(ast.ResultSetNode)
	if !ok {
		return nil, c.errAt(toks[0], "expected a query")
	}
	return c.query(rs, 0)
}

// parseExprToks parses toks as one expression ("SELECT " + expr for TiDB).
func parseExprToks(s *source, toks []token, after token) (Expr, *Error) {
	if len(toks) == 0 {
		return nil, &Error{Pos: s.tokPos(after), Msg: "expected an expression"}
	}
	r := newRewriter(s, toks, after)
	r.gen("SELECT", toks[0])
	if err := r.rewrite(0, len(toks)); err != nil {
		return nil, err
	}
	node, err := r.tidbParse()
	if err != nil {
		return nil, err
	}
	c := &converter{r: r}
	sel, ok := node.(*ast.SelectStmt)
	if !ok || sel.From != nil || sel.Where != nil || sel.GroupBy != nil || sel.OrderBy != nil || sel.Limit != nil ||
		sel.Fields == nil || len(sel.Fields.Fields) == 0 || sel.Fields.Fields[0].Expr == nil {
		return nil, c.errAt(toks[0], "expected a single expression")
	}
	if len(sel.Fields.Fields) > 1 {
		f := sel.Fields.Fields[1]
		return nil, c.errAtOff(f.Offset, "expected a single expression")
	}
	if f := sel.Fields.Fields[0]; f.AsName.O != "" {
		return nil, c.errAt(toks[0], "unexpected alias %q in an expression", f.AsName.O)
	}
	return c.expr(sel.Fields.Fields[0].Expr)
}

const tidbMode = mysql.ModePipesAsConcat | mysql.ModeNoBackslashEscapes | mysql.ModeANSIQuotes

// tidbParse runs TiDB's parser on the rewritten text and translates its
// errors back to the user's file.
func (r *rewriter) tidbParse() (node ast.StmtNode, perr *Error) {
	text := r.out.String()
	// TiDB's generated parser has been seen to panic on unusual input in
	// the past; a panic here is turned into an *Error at the statement
	// start instead of crashing the whole program.
	defer func() {
		if v := recover(); v != nil {
			node = nil
			perr = &Error{Pos: r.s.tokPos(r.tokAt(0)), Msg: fmt.Sprintf("internal error in the query parser: %v", v), Near: r.tokAt(0).text}
		}
	}()
	p := parser.New()
	p.SetSQLMode(tidbMode)
	stmts, _, err := p.Parse(text, "", "")
	if err != nil {
		return nil, r.tidbError(text, err)
	}
	if len(stmts) != 1 {
		return nil, &Error{Pos: r.s.tokPos(r.tokAt(0)), Msg: "expected one statement"}
	}
	return stmts[0], nil
}

// tidbError maps `line L column C near "..."` back to the user's file:
// the near text is the suffix of the rewritten text starting at the
// offending token, so its length gives the exact offset.
func (r *rewriter) tidbError(text string, err error) *Error {
	msg := err.Error()
	const marker = ` near "`
	i := strings.Index(msg, marker)
	if !strings.HasPrefix(msg, "line ") || i < 0 {
		return &Error{Pos: r.s.tokPos(r.tokAt(0)), Msg: msg}
	}
	rest := msg[i+len(marker):]
	off := -1
	for o := 0; o <= len(text); o++ {
		v := text[o:]
		if len(v) > 2048 {
			v = v[:2048]
		}
		if len(rest) > len(v) && rest[len(v)] == '"' && strings.HasPrefix(rest, v) {
			off = o
			break
		}
	}
	if off < 0 || off >= len(text) || strings.TrimSpace(text[off:]) == "" {
		t := r.after
		e := &Error{Pos: r.s.tokPos(t), Msg: "syntax error: unexpected end of statement"}
		if t.kind != tEOF {
			e.Near = t.text
		}
		return e
	}
	orig := r.mapOff(off)
	t := r.tokenAtOff(orig)
	e := &Error{Pos: r.s.pos(orig), Msg: "syntax error", Near: t.text}
	if t.kind == tEOF {
		e.Msg = "syntax error: unexpected end of statement"
		e.Near = ""
	}
	return e
}

// ---------------------------------------------------------------- converter

type converter struct {
	r     *rewriter
	named map[string]*ast.WindowSpec // the WINDOW clause of the select being converted
	ctes  []map[string]cteDef        // innermost last
	depth int                        // syntax-tree levels entered (MaxDepth)
}

// enter counts one level of the syntax tree starting at TiDB offset off;
// the caller defers c.leave() when it succeeds.
func (c *converter) enter(off int) *Error {
	c.depth++
	if c.depth > MaxDepth {
		c.depth--
		return c.tooDeep(off)
	}
	return nil
}

func (c *converter) leave() { c.depth-- }

type cteDef struct {
	query Query
	cols  []string
}

func (c *converter) errAt(t token, format string, args ...any) *Error {
	return c.r.errAt(t, format, args...)
}

// pos maps a TiDB node offset (in the rewritten text) to a Pos.
func (c *converter) pos(off int) Pos {
	o := c.r.mapOff(off)
	if t := c.r.tokenAtOff(o); t.off == o && t.kind != tEOF {
		return c.r.s.tokPos(t) // cheap: no rune counting on long lines
	}
	return c.r.s.pos(o)
}

func (c *converter) errAtOff(off int, format string, args ...any) *Error {
	o := c.r.mapOff(off)
	t := c.r.tokenAtOff(o)
	e := &Error{Pos: c.r.s.pos(o), Msg: fmt.Sprintf(format, args...)}
	if t.kind != tEOF {
		e.Near = t.text
	}
	return e
}

// errNode reports an unsupported construct at the start of the query.
func (c *converter) unsupported(what string) *Error {
	t := c.r.tokAt(0)
	return &Error{Pos: c.r.s.tokPos(t), Msg: what + " is not supported", Near: t.text}
}

// tokAfter finds the first token of the rewritten range at or after the
// original offset that satisfies pred.
func (c *converter) findTok(fromOff int, pred func(token) bool) (token, bool) {
	for _, t := range c.r.toks {
		if t.off >= fromOff && pred(t) {
			return t, true
		}
	}
	return token{}, false
}

// namePos is the Pos of the first occurrence of an identifier in the
// query (TiDB gives table names no positions).
func (c *converter) namePos(name string, from int) Pos {
	last := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		last = name[i+1:]
	}
	if t, ok := c.findTok(from, func(t token) bool {
		return (t.kind == tIdent || t.kind == tQIdent) && t.val == last
	}); ok {
		return c.r.s.tokPos(t)
	}
	if strings.HasPrefix(name, phTVF) {
		if n, err := strconv.Atoi(strings.TrimPrefix(name, phTVF)); err == nil && n < len(c.r.tvfs) {
			return c.r.tvfs[n].Pos
		}
	}
	return c.r.s.tokPos(c.r.tokAt(0))
}

func (c *converter) query(n ast.ResultSetNode, from int) (Query, *Error) {
	if err := c.enter(n.OriginTextPosition()); err != nil {
		return nil, err
	}
	defer c.leave()
	switch n := n.(type) {
	case *ast.SelectStmt:
		return c.selectStmt(n)
	case *ast.SetOprStmt:
		if n.OrderBy != nil || n.Limit != nil {
			return nil, c.unsupported("ORDER BY / LIMIT on a UNION")
		}
		if n.With != nil {
			if err := c.pushWith(n.With); err != nil {
				return nil, err
			}
			defer c.popWith()
		}
		return c.setOprList(n.SelectList)
	case *ast.SubqueryExpr:
		return c.query(n.Query, from)
	}
	return nil, c.unsupported(fmt.Sprintf("query form %T", n))
}

func (c *converter) pushWith(w *ast.WithClause) *Error {
	if w.IsRecursive {
		return c.unsupported("WITH RECURSIVE")
	}
	m := map[string]cteDef{}
	c.ctes = append(c.ctes, m)
	for _, cte := range w.CTEs {
		q, err := c.query(cte.Query, 0)
		if err != nil {
			return err
		}
		def := cteDef{query: q}
		for _, col := range cte.ColNameList {
			def.cols = append(def.cols, col.O)
		}
		if len(def.cols) > 0 {
			return c.unsupported("a column list on a WITH query")
		}
		m[cte.Name.O] = def
	}
	return nil
}

func (c *converter) popWith() { c.ctes = c.ctes[:len(c.ctes)-1] }

func (c *converter) lookupCTE(name string) (cteDef, bool) {
	for i := len(c.ctes) - 1; i >= 0; i-- {
		if d, ok := c.ctes[i][name]; ok {
			return d, true
		}
	}
	return cteDef{}, false
}

func (c *converter) setOprList(l *ast.SetOprSelectList) (Query, *Error) {
	if l.OrderBy != nil || l.Limit != nil {
		return nil, c.unsupported("ORDER BY / LIMIT on a UNION")
	}
	if l.With != nil {
		if err := c.pushWith(l.With); err != nil {
			return nil, err
		}
		defer c.popWith()
	}
	var left Query
	for i, s := range l.Selects {
		var q Query
		var op *ast.SetOprType
		var err *Error
		switch s := s.(type) {
		case *ast.SelectStmt:
			op = s.AfterSetOperator
			q, err = c.selectStmt(s)
		case *ast.SetOprSelectList:
			op = s.AfterSetOperator
			q, err = c.setOprList(s)
		default:
			return nil, c.unsupported(fmt.Sprintf("set operation operand %T", s))
		}
		if err != nil {
			return nil, err
		}
		if i == 0 {
			left = q
			continue
		}
		so := &SetOp{Pos: left.Position(), Left: left, Right: q}
		if op == nil {
			return nil, c.unsupported("set operation without operator")
		}
		switch *op {
		case ast.Union:
			so.Op = "UNION"
		case ast.UnionAll:
			so.Op, so.All = "UNION", true
		case ast.Except:
			so.Op = "EXCEPT"
		case ast.ExceptAll:
			so.Op, so.All = "EXCEPT", true
		case ast.Intersect:
			so.Op = "INTERSECT"
		case ast.IntersectAll:
			so.Op, so.All = "INTERSECT", true
		}
		left = so
	}
	if left == nil {
		return nil, c.unsupported("empty set operation")
	}
	return left, nil
}

func (c *converter) selectStmt(s *ast.SelectStmt) (Query, *Error) {
	if s.Kind != ast.SelectStmtKindSelect {
		return nil, c.unsupported("TABLE / VALUES statements")
	}
	if s.With != nil {
		if err := c.pushWith(s.With); err != nil {
			return nil, err
		}
		defer c.popWith()
	}
	// WINDOW w AS (...): the named windows OVER w refers to, for the
	// select list of this query block only.
	saved := c.named
	defer func() { c.named = saved }()
	c.named = nil
	for i := range s.WindowSpecs {
		ws := &s.WindowSpecs[i]
		if c.named == nil {
			c.named = map[string]*ast.WindowSpec{}
		}
		if _, dup := c.named[ws.Name.L]; dup {
			e := &Error{Pos: c.r.s.tokPos(c.r.tokAt(0)), Msg: fmt.Sprintf("window %q is defined twice in the WINDOW clause", ws.Name.O)}
			seen := 0 // TiDB keeps no position: the second "w AS ("
			for k := 0; k+2 < len(c.r.toks); k++ {
				if t := c.r.toks[k]; t.is(ws.Name.O) && c.r.toks[k+1].is("AS") && c.r.toks[k+2].isOp("(") {
					if seen++; seen == 2 {
						e.Pos, e.Near = c.r.s.tokPos(t), t.text
						break
					}
				}
			}
			return nil, e
		}
		c.named[ws.Name.L] = ws
	}
	switch {
	case s.LockInfo != nil:
		return nil, c.unsupported("FOR UPDATE / locking clauses")
	case len(s.TableHints) > 0:
		return nil, c.unsupported("optimizer hints")
	case s.SelectIntoOpt != nil:
		return nil, c.unsupported("SELECT ... INTO")
	case s.SelectStmtOpts != nil && (s.SelectStmtOpts.CalcFoundRows || s.SelectStmtOpts.StraightJoin || s.SelectStmtOpts.SQLSmallResult || s.SelectStmtOpts.SQLBigResult || s.SelectStmtOpts.SQLBufferResult || s.SelectStmtOpts.Priority != 0):
		return nil, c.unsupported("MySQL SELECT options")
	}
	sel := &Select{Distinct: s.Distinct}
	// Position: the SELECT keyword before the first field.
	sel.Pos = c.r.s.tokPos(c.r.tokAt(0))
	if s.Fields != nil && len(s.Fields.Fields) > 0 {
		fo := c.r.mapOff(s.Fields.Fields[0].Offset)
		for k := len(c.r.toks) - 1; k >= 0; k-- {
			if t := c.r.toks[k]; t.off < fo && t.is("SELECT") {
				sel.Pos = c.r.s.tokPos(t)
				if h := c.r.tokAt(k + 1); h.kind == tHint {
					sel.Hints = c.r.s.hints[h.off]
				}
				break
			}
		}
	}
	if s.Fields != nil {
		for _, f := range s.Fields.Fields {
			item := SelectItem{Pos: c.pos(f.Offset), Alias: f.AsName.O}
			if f.WildCard != nil {
				if f.WildCard.Schema.O != "" {
					return nil, c.errAtOff(f.Offset, "qualified star with a schema is not supported")
				}
				item.Star, item.Qualifier = true, f.WildCard.Table.O
			} else {
				e, err := c.expr(f.Expr)
				if err != nil {
					return nil, err
				}
				item.Expr = e
			}
			sel.Items = append(sel.Items, item)
		}
	}
	if s.From != nil && s.From.TableRefs != nil {
		f, err := c.join(s.From.TableRefs)
		if err != nil {
			return nil, err
		}
		sel.From = f
	}
	var err *Error
	if s.Where != nil {
		if sel.Where, err = c.expr(s.Where); err != nil {
			return nil, err
		}
	}
	if s.GroupBy != nil {
		if s.GroupBy.Rollup {
			return nil, c.unsupported("WITH ROLLUP")
		}
		if err := c.groupBy(s.GroupBy.Items, sel); err != nil {
			return nil, err
		}
	}
	if s.Having != nil && s.Having.Expr != nil {
		if sel.Having, err = c.expr(s.Having.Expr); err != nil {
			return nil, err
		}
	}
	if s.OrderBy != nil {
		for _, it := range s.OrderBy.Items {
			e, err := c.expr(it.Expr)
			if err != nil {
				return nil, err
			}
			sel.OrderBy = append(sel.OrderBy, OrderItem{Expr: e, Desc: it.Desc})
		}
	}
	if s.Limit != nil {
		// TiDB gives LIMIT values no positions: find the LIMIT keyword.
		limTok := c.r.tokAt(0)
		for k, t := range c.r.toks {
			if t.off >= sel.Pos.Offset && t.is("LIMIT") && k+1 < len(c.r.toks) {
				limTok = c.r.toks[k+1]
			}
		}
		if s.Limit.Offset != nil {
			return nil, c.errAt(limTok, "LIMIT with an offset (LIMIT x, y or OFFSET) is not supported")
		}
		v, ok := s.Limit.Count.(*test_driver.ValueExpr)
		if !ok || (v.Kind() != test_driver.KindInt64 && v.Kind() != test_driver.KindUint64) {
			return nil, c.errAt(limTok, "LIMIT needs a number")
		}
		sel.Limit = &Literal{Pos: c.r.s.tokPos(limTok), Kind: IntLit, Text: v.GetString()}
		if v.Kind() == test_driver.KindInt64 {
			sel.Limit.(*Literal).Text = strconv.FormatInt(v.GetInt64(), 10)
		} else {
			sel.Limit.(*Literal).Text = strconv.FormatUint(v.GetUint64(), 10)
		}
	}
	return sel, nil
}

func (c *converter) join(j *ast.Join) (FromItem, *Error) {
	if err := c.enter(j.OriginTextPosition()); err != nil {
		return nil, err
	}
	defer c.leave()
	left, err := c.fromItem(j.Left)
	if err != nil {
		return nil, err
	}
	if j.Right == nil {
		return left, nil
	}
	if j.NaturalJoin {
		return nil, c.unsupported("NATURAL JOIN")
	}
	right, err := c.fromItem(j.Right)
	if err != nil {
		return nil, err
	}
	jr := &JoinRef{Pos: left.Position(), Left: left, Right: right}
	switch {
	case j.StraightJoin: // the rewrite of FULL [OUTER] JOIN
		jr.Kind = FullJoin
	case j.Tp == ast.LeftJoin:
		jr.Kind = LeftJoin
	case j.Tp == ast.RightJoin:
		jr.Kind = RightJoin
	case j.On == nil && len(j.Using) == 0:
		jr.Kind = CrossJoin
	default:
		jr.Kind = InnerJoin
	}
	if j.On != nil {
		if jr.On, err = c.expr(j.On.Expr); err != nil {
			return nil, err
		}
	}
	for _, u := range j.Using {
		jr.Using = append(jr.Using, u.Name.O)
	}
	if jr.Kind == FullJoin && jr.On == nil && jr.Using == nil {
		return nil, c.unsupported("FULL JOIN without ON or USING")
	}
	return jr, nil
}

func (c *converter) fromItem(n ast.ResultSetNode) (FromItem, *Error) {
	switch n := n.(type) {
	case *ast.Join:
		return c.join(n)
	case *ast.TableSource:
		if n.Lateral {
			return nil, c.unsupported("LATERAL")
		}
		if len(n.ColumnNames) > 0 {
			return nil, c.unsupported("column aliases on a FROM item")
		}
		alias := n.AsName.O
		switch src := n.Source.(type) {
		case *ast.TableName:
			if len(src.IndexHints) > 0 || len(src.PartitionNames) > 0 || src.TableSample != nil || src.AsOf != nil {
				return nil, c.unsupported("MySQL table options (index hints, PARTITION, TABLESAMPLE, AS OF)")
			}
			name := src.Name.O
			if strings.HasPrefix(name, phAsOf) {
				idx, err := strconv.Atoi(strings.TrimPrefix(name, phAsOf))
				if err != nil || idx >= len(c.r.asofs) || src.Schema.O != "" {
					return nil, c.unsupported("table " + name)
				}
				ref := *c.r.asofs[idx]
				if _, isCTE := c.lookupCTE(ref.Name); isCTE {
					return nil, &Error{Pos: ref.Pos, Msg: "FOR SYSTEM_TIME AS OF a WITH query is not supported: declare the versioned table as a view (CREATE VIEW) or a table", Near: ref.Name}
				}
				ref.Alias = alias
				return &ref, nil
			}
			if strings.HasPrefix(name, phTVF) {
				idx, err := strconv.Atoi(strings.TrimPrefix(name, phTVF))
				if err != nil || idx >= len(c.r.tvfs) {
					return nil, c.unsupported("table " + name)
				}
				w := *c.r.tvfs[idx]
				w.Alias = alias
				if err := c.tvfData(&w, c.r.tvfData[idx]); err != nil {
					return nil, err
				}
				return &w, nil
			}
			if src.Schema.O != "" {
				name = src.Schema.O + "." + name
			} else if def, ok := c.lookupCTE(name); ok {
				if alias == "" {
					alias = name
				}
				return &SubqueryRef{Pos: c.namePos(name, 0), Query: def.query, Alias: alias}, nil
			}
			return &TableRef{Pos: c.namePos(name, 0), Name: name, Alias: alias}, nil
		case *ast.SelectStmt, *ast.SetOprStmt:
			q, err := c.query(src, 0)
			if err != nil {
				return nil, err
			}
			return &SubqueryRef{Pos: q.Position(), Query: q, Alias: alias}, nil
		case *ast.Join:
			f, err := c.join(src)
			if err != nil {
				return nil, err
			}
			if alias != "" {
				return nil, c.unsupported("an alias on a parenthesised join")
			}
			return f, nil
		}
		return nil, c.unsupported(fmt.Sprintf("FROM item %T", n.Source))
	case *ast.SelectStmt, *ast.SetOprStmt:
		q, err := c.query(n, 0)
		if err != nil {
			return nil, err
		}
		return &SubqueryRef{Pos: q.Position(), Query: q}, nil
	}
	return nil, c.unsupported(fmt.Sprintf("FROM item %T", n))
}

// ---------------------------------------------------------------- expressions

var binOps = map[opcode.Op]string{
	opcode.LogicAnd: "AND", opcode.LogicOr: "OR", opcode.GE: ">=", opcode.LE: "<=", opcode.EQ: "=",
	opcode.NE: "<>", opcode.LT: "<", opcode.GT: ">", opcode.Plus: "+", opcode.Minus: "-",
	opcode.Mul: "*", opcode.Div: "/", opcode.Mod: "%", opcode.NullEQ: "IS NOT DISTINCT FROM",
}

func (c *converter) exprs(ns []ast.ExprNode) ([]Expr, *Error) {
	out := make([]Expr, 0, len(ns))
	for _, n := range ns {
		e, err := c.expr(n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// origTok is the original token where a node starts.
func (c *converter) origTok(n ast.Node) token {
	return c.r.tokenAtOff(c.r.mapOff(n.OriginTextPosition()))
}

func (c *converter) expr(n ast.ExprNode) (Expr, *Error) {
	n = unparen(n)
	if n == nil {
		return nil, c.unsupported("empty expression")
	}
	if err := c.enter(n.OriginTextPosition()); err != nil {
		return nil, err
	}
	defer c.leave()
	pos := c.pos(n.OriginTextPosition())
	switch n := n.(type) {
	case *ast.ColumnNameExpr:
		if n.Name.Schema.O != "" {
			// a.b.c: column b of table a, field c (or column a, fields b, c)
			return &Call{Pos: pos, Name: FieldAccess, Args: []Expr{&Ident{Pos: pos, Qualifier: n.Name.Schema.O, Name: n.Name.Table.O},
				&Literal{Pos: pos, Kind: StringLit, Text: n.Name.Name.O}}}, nil
		}
		return &Ident{Pos: pos, Qualifier: n.Name.Table.O, Name: n.Name.Name.O}, nil
	case *test_driver.ValueExpr:
		return c.value(n, pos)
	case *ast.BinaryOperationExpr:
		op, ok := binOps[n.Op]
		if !ok {
			return nil, c.errAtOff(n.OriginTextPosition(), "operator %s is not supported", n.Op)
		}
		if op == "AND" || op == "OR" {
			return c.andOrChain(n, op)
		}
		l, err := c.expr(n.L)
		if err != nil {
			return nil, err
		}
		r, err := c.expr(n.R)
		if err != nil {
			return nil, err
		}
		return &Binary{Pos: pos, Op: op, L: l, R: r}, nil
	case *ast.UnaryOperationExpr:
		var op string
		switch n.Op {
		case opcode.Not, opcode.Not2:
			op = "NOT"
			if t := c.origTok(n); t.isOp("!") {
				return nil, c.errAtOff(n.OriginTextPosition(), "! is not supported; write NOT")
			}
		case opcode.Minus:
			op = "-"
		case opcode.Plus:
			op = "+"
		default:
			return nil, c.errAtOff(n.OriginTextPosition(), "operator %s is not supported", n.Op)
		}
		x, err := c.expr(n.V)
		if err != nil {
			return nil, err
		}
		return &Unary{Pos: pos, Op: op, X: x}, nil
	case *ast.PatternRegexpExpr: // only produced by the IS DISTINCT FROM, IS JSON and SIMILAR TO rewrites
		l, err := c.expr(n.Expr)
		if err != nil {
			return nil, err
		}
		if f, ok := n.Pattern.(*ast.FuncCallExpr); ok && f.FnName.L == phFn+"overlaps_right" {
			left, ok := n.Expr.(*ast.RowExpr)
			if !ok || len(left.Values) != 2 || len(f.Args) != 2 || n.Not {
				return nil, c.errAtOff(n.OriginTextPosition(), "OVERLAPS needs the form (start1, end1) OVERLAPS (start2, end2)")
			}
			args, err := c.exprs(append(append([]ast.ExprNode(nil), left.Values...), f.Args...))
			if err != nil {
				return nil, err
			}
			return &Call{Pos: pos, Name: "OVERLAPS", Args: args}, nil
		}
		if f, ok := n.Pattern.(*ast.FuncCallExpr); ok && f.FnName.L == phFn+"similar_pattern" {
			args, err := c.exprs(f.Args)
			if err != nil {
				return nil, err
			}
			var e Expr = &Call{Pos: pos, Name: "SIMILAR_TO", Args: append([]Expr{l}, args...)}
			if n.Not {
				e = &Unary{Pos: pos, Op: "NOT", X: e}
			}
			return e, nil
		}
		if f, ok := n.Pattern.(*ast.FuncCallExpr); ok && f.FnName.L == phStr {
			if i, ok := c.indexArg(f, len(c.r.strs)); ok && strings.HasPrefix(c.r.strs[i], isJSONMark) {
				kind := &Literal{Pos: pos, Kind: StringLit, Text: strings.TrimPrefix(c.r.strs[i], isJSONMark)}
				var e Expr = &Call{Pos: pos, Name: "IS_JSON", Args: []Expr{l, kind}}
				if n.Not {
					e = &Unary{Pos: pos, Op: "NOT", X: e}
				}
				return e, nil
			}
		}
		r, err := c.expr(n.Pattern)
		if err != nil {
			return nil, err
		}
		var e Expr = &Binary{Pos: pos, Op: "IS DISTINCT FROM", L: l, R: r}
		if n.Not {
			e = &Unary{Pos: pos, Op: "NOT", X: e}
		}
		return e, nil
	case *ast.FuncCallExpr:
		return c.funcCall(n, pos)
	case *ast.AggregateFuncExpr:
		if n.Order != nil {
			return nil, c.errAtOff(n.OriginTextPosition(), "ORDER BY inside an aggregate is not supported")
		}
		name := strings.ToUpper(n.F)
		if name == "GROUP_CONCAT" || name == "BIT_AND" || name == "BIT_OR" || name == "BIT_XOR" || name == "JSON_ARRAYAGG" || name == "JSON_OBJECTAGG" || name == "APPROX_COUNT_DISTINCT" || name == "APPROX_PERCENTILE" {
			return nil, c.errAtOff(n.OriginTextPosition(), "aggregate %s is MySQL-only", name)
		}
		call := &Call{Pos: pos, Name: name, Distinct: n.Distinct}
		k := c.r.tokIndexAtOff(c.r.mapOff(n.OriginTextPosition()))
		// TiDB renames MySQL's synonyms (STDDEV and VARIANCE to their
		// population forms, which in Flink are the sample ones): keep the
		// name as written.
		if k < len(c.r.toks) && c.r.toks[k].kind == tIdent {
			call.Name = c.r.toks[k].upper()
		}
		// COUNT(*) reaches us as COUNT(1): look at the source tokens.
		if k+2 < len(c.r.toks) && c.r.toks[k+1].isOp("(") && c.r.toks[k+2].isOp("*") {
			call.Star = true
		}
		if !call.Star {
			args, err := c.exprs(n.Args)
			if err != nil {
				return nil, err
			}
			call.Args = args
		}
		return call, nil
	case *ast.WindowFuncExpr:
		return c.windowFunc(n, pos)
	case *ast.CaseExpr:
		ce := &Case{Pos: pos}
		var err *Error
		if n.Value != nil {
			if ce.Operand, err = c.expr(n.Value); err != nil {
				return nil, err
			}
		}
		for _, w := range n.WhenClauses {
			cond, err := c.expr(w.Expr)
			if err != nil {
				return nil, err
			}
			res, err := c.expr(w.Result)
			if err != nil {
				return nil, err
			}
			ce.Whens = append(ce.Whens, When{Cond: cond, Result: res})
		}
		if n.ElseClause != nil {
			if ce.Else, err = c.expr(n.ElseClause); err != nil {
				return nil, err
			}
		}
		return ce, nil
	case *ast.PatternInExpr:
		x, err := c.expr(n.Expr)
		if err != nil {
			return nil, err
		}
		in := &In{Pos: pos, X: x, Not: n.Not}
		if n.Sel != nil {
			sq, ok := n.Sel.(*ast.SubqueryExpr)
			if !ok {
				return nil, c.errAtOff(n.OriginTextPosition(), "unsupported IN operand")
			}
			if in.Query, err = c.query(sq.Query, 0); err != nil {
				return nil, err
			}
			return in, nil
		}
		if in.List, err = c.exprs(n.List); err != nil {
			return nil, err
		}
		return in, nil
	case *ast.BetweenExpr:
		x, err := c.expr(n.Expr)
		if err != nil {
			return nil, err
		}
		left, sym := n.Left, false
		if f, ok := left.(*ast.FuncCallExpr); ok && f.FnName.L == phSym && len(f.Args) == 1 {
			left, sym = f.Args[0], true
		}
		lo, err := c.expr(left)
		if err != nil {
			return nil, err
		}
		hi, err := c.expr(n.Right)
		if err != nil {
			return nil, err
		}
		return &Between{Pos: pos, X: x, Lo: lo, Hi: hi, Not: n.Not, Symmetric: sym}, nil
	case *ast.PatternLikeOrIlikeExpr:
		if !n.IsLike {
			return nil, c.errAtOff(n.OriginTextPosition(), "ILIKE is not supported")
		}
		x, err := c.expr(n.Expr)
		if err != nil {
			return nil, err
		}
		pat, err := c.expr(n.Pattern)
		if err != nil {
			return nil, err
		}
		l := &Like{Pos: pos, X: x, Pattern: pat, Not: n.Not}
		if n.EscapeExplicit {
			l.Escape = &Literal{Pos: pos, Kind: StringLit, Text: string([]byte{n.Escape})}
		}
		return l, nil
	case *ast.IsNullExpr:
		x, err := c.expr(n.Expr)
		if err != nil {
			return nil, err
		}
		return &IsNull{Pos: pos, X: x, Not: n.Not}, nil
	case *ast.IsTruthExpr:
		x, err := c.expr(n.Expr)
		if err != nil {
			return nil, err
		}
		v := "FALSE"
		if n.True != 0 {
			v = "TRUE"
		}
		return &IsBool{Pos: pos, X: x, Value: v, Not: n.Not}, nil
	case *ast.ExistsSubqueryExpr:
		sq, ok := n.Sel.(*ast.SubqueryExpr)
		if !ok {
			return nil, c.errAtOff(n.OriginTextPosition(), "unsupported EXISTS operand")
		}
		q, err := c.query(sq.Query, 0)
		if err != nil {
			return nil, err
		}
		return &Exists{Pos: pos, Query: q, Not: n.Not}, nil
	case *ast.SubqueryExpr:
		q, err := c.query(n.Query, 0)
		if err != nil {
			return nil, err
		}
		return &Subquery{Pos: pos, Query: q}, nil
	case *ast.RowExpr:
		args, err := c.exprs(n.Values)
		if err != nil {
			return nil, err
		}
		return &Call{Pos: pos, Name: "ROW", Args: args}, nil
	case *ast.CompareSubqueryExpr:
		return nil, c.errAtOff(n.OriginTextPosition(), "ANY / ALL / SOME subqueries are not supported")
	case *ast.VariableExpr:
		return nil, c.errAtOff(n.OriginTextPosition(), "variables are MySQL syntax, not Flink SQL")
	case *ast.FuncCastExpr:
		return nil, c.errAtOff(n.OriginTextPosition(), "MySQL CONVERT/BINARY casts are not supported; use CAST(x AS type)")
	case *ast.PositionExpr:
		return nil, c.errAtOff(n.OriginTextPosition(), "ordinal positions (ORDER BY 1) are not supported; name the column")
	}
	return nil, c.errAtOff(n.OriginTextPosition(), "unsupported expression (%T)", n)
}

func (c *converter) value(v *test_driver.ValueExpr, pos Pos) (Expr, *Error) {
	t := c.origTok(v)
	switch v.Kind() {
	case test_driver.KindNull:
		return &Literal{Pos: pos, Kind: NullLit}, nil
	case test_driver.KindInt64, test_driver.KindUint64:
		if t.is("TRUE") || t.is("FALSE") {
			return &Literal{Pos: pos, Kind: BoolLit, Bool: t.is("TRUE"), Text: t.upper()}, nil
		}
		if t.kind != tNumber {
			return nil, c.errAtOff(v.OriginTextPosition(), "unsupported literal")
		}
		if _, err := strconv.ParseInt(t.val, 10, 64); err != nil {
			return &Literal{Pos: pos, Kind: DecimalLit, Text: t.val}, nil
		}
		return &Literal{Pos: pos, Kind: IntLit, Text: t.val}, nil
	case test_driver.KindMysqlDecimal:
		if t.kind != tNumber {
			return nil, c.errAtOff(v.OriginTextPosition(), "unsupported literal")
		}
		return &Literal{Pos: pos, Kind: DecimalLit, Text: t.val}, nil
	case test_driver.KindFloat64, test_driver.KindFloat32:
		if t.kind != tNumber {
			return nil, c.errAtOff(v.OriginTextPosition(), "unsupported literal")
		}
		return &Literal{Pos: pos, Kind: FloatLit, Text: t.val}, nil
	case test_driver.KindString:
		if t.kind != tString {
			return nil, c.errAtOff(v.OriginTextPosition(), "unsupported literal (strings are written 'text')")
		}
		return &Literal{Pos: pos, Kind: StringLit, Text: v.GetString()}, nil
	}
	return nil, c.errAtOff(v.OriginTextPosition(), "unsupported literal")
}

// indexArg reads the side-table index a placeholder call carries.
func (c *converter) indexArg(n *ast.FuncCallExpr, limit int) (int, bool) {
	if len(n.Args) == 0 {
		return 0, false
	}
	v, ok := n.Args[0].(*test_driver.ValueExpr)
	if !ok || v.Kind() != test_driver.KindInt64 {
		return 0, false
	}
	i := int(v.GetInt64())
	return i, i >= 0 && i < limit
}

func (c *converter) funcCall(n *ast.FuncCallExpr, pos Pos) (Expr, *Error) {
	lname := n.FnName.L
	if strings.HasPrefix(lname, phPrefix) {
		return c.placeholder(n, pos)
	}
	if n.Schema.O != "" {
		return nil, c.errAtOff(n.OriginTextPosition(), "qualified function names are not supported")
	}
	switch lname {
	case ast.Concat:
		if n.FnName.O == ast.Concat && len(n.Args) >= 2 { // only '||' produces this spelling
			args, err := c.exprs(n.Args)
			if err != nil {
				return nil, err
			}
			e := args[0]
			for _, a := range args[1:] {
				e = &Binary{Pos: pos, Op: "||", L: e, R: a}
			}
			return e, nil
		}
	case ast.TimestampLiteral, ast.DateLiteral, ast.TimeLiteral:
		kind := map[string]LiteralKind{ast.TimestampLiteral: TimestampLit, ast.DateLiteral: DateLit, ast.TimeLiteral: TimeLit}[lname]
		if len(n.Args) == 1 {
			if v, ok := n.Args[0].(*test_driver.ValueExpr); ok && v.Kind() == test_driver.KindString {
				return &Literal{Pos: pos, Kind: kind, Text: v.GetString()}, nil
			}
		}
		return nil, c.errAtOff(n.OriginTextPosition(), "malformed date/time literal")
	case "extract":
		if len(n.Args) == 2 {
			if u, ok := n.Args[0].(*ast.TimeUnitExpr); ok {
				x, err := c.expr(n.Args[1])
				if err != nil {
					return nil, err
				}
				return &TimeUnitExpr{Pos: pos, Func: "EXTRACT", Unit: u.Unit.String(), X: x}, nil
			}
		}
	case "trim":
		// TiDB: [s], [s, chars], [s, chars, direction]. Ours: TRIM(direction, chars, s).
		args := n.Args
		dir, chars := "BOTH", Expr(&Literal{Pos: pos, Kind: StringLit, Text: " "})
		if len(args) == 3 {
			d, ok := args[2].(*ast.TrimDirectionExpr)
			if !ok {
				return nil, c.errAtOff(n.OriginTextPosition(), "malformed TRIM")
			}
			switch d.Direction {
			case ast.TrimLeading:
				dir = "LEADING"
			case ast.TrimTrailing:
				dir = "TRAILING"
			}
		}
		if len(args) < 1 {
			return nil, c.errAtOff(n.OriginTextPosition(), "malformed TRIM")
		}
		s, err := c.expr(args[0])
		if err != nil {
			return nil, err
		}
		if len(args) >= 2 {
			if chars, err = c.expr(args[1]); err != nil {
				return nil, err
			}
		}
		return &Call{Pos: pos, Name: "TRIM", Args: []Expr{&Literal{Pos: pos, Kind: StringLit, Text: dir}, chars, s}}, nil
	}
	call := &Call{Pos: pos, Name: strings.ToUpper(n.FnName.O)}
	if call.Name == "INSERT_FUNC" {
		call.Name = "INSERT"
	}
	for _, a := range n.Args {
		switch a := a.(type) {
		case *ast.TimeUnitExpr:
			// TIMESTAMPDIFF(SECOND, a, b), TIMESTAMPADD(...): the unit argument
			call.Args = append(call.Args, &TimeUnitExpr{Pos: pos, Func: call.Name, Unit: a.Unit.String()})
			continue
		case *ast.TrimDirectionExpr, *ast.GetFormatSelectorExpr:
			return nil, c.errAtOff(n.OriginTextPosition(), "unsupported form of %s", call.Name)
		}
		e, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		call.Args = append(call.Args, e)
	}
	return call, nil
}

func (c *converter) placeholder(n *ast.FuncCallExpr, pos Pos) (Expr, *Error) {
	lname := n.FnName.L
	bad := func() (Expr, *Error) {
		return nil, c.errAtOff(n.OriginTextPosition(), "malformed expression")
	}
	switch {
	case lname == phInterval:
		i, ok := c.indexArg(n, len(c.r.intervals))
		if !ok {
			return bad()
		}
		l := *c.r.intervals[i]
		return &l, nil
	case lname == phCast:
		i, ok := c.indexArg(n, len(c.r.casts))
		if !ok || len(n.Args) != 2 {
			return bad()
		}
		x, err := c.expr(n.Args[1])
		if err != nil {
			return nil, err
		}
		return &Cast{Pos: pos, X: x, Type: c.r.casts[i].typ, Try: c.r.casts[i].try}, nil
	case lname == phStr:
		i, ok := c.indexArg(n, len(c.r.strs))
		if !ok || len(n.Args) != 1 {
			return bad()
		}
		return &Literal{Pos: pos, Kind: StringLit, Text: c.r.strs[i]}, nil
	case lname == phFloor:
		i, ok := c.indexArg(n, len(c.r.units))
		if !ok || len(n.Args) != 2 {
			return bad()
		}
		x, err := c.expr(n.Args[1])
		if err != nil {
			return nil, err
		}
		u := *c.r.units[i]
		u.X = x
		return &u, nil
	case lname == phFilter:
		if len(n.Args) != 2 {
			return bad()
		}
		e, err := c.expr(n.Args[0])
		if err != nil {
			return nil, err
		}
		call, ok := e.(*Call)
		if !ok || call.Filter != nil {
			return nil, c.errAtOff(n.OriginTextPosition(), "FILTER (WHERE ...) must follow an aggregate call")
		}
		if call.Filter, err = c.expr(n.Args[1]); err != nil {
			return nil, err
		}
		return call, nil
	case strings.HasPrefix(lname, phGroup):
		return nil, c.errAtOff(n.OriginTextPosition(), "%s is only allowed as an item of GROUP BY", groupingName(lname))
	case strings.HasPrefix(lname, phFn):
		args, err := c.exprs(n.Args)
		if err != nil {
			return nil, err
		}
		name := strings.ToUpper(strings.TrimPrefix(lname, phFn))
		switch name {
		case "ITEM":
			name = Subscript
		case "FIELD":
			name = FieldAccess
		}
		return &Call{Pos: pos, Name: name, Args: args}, nil
	}
	return bad()
}

// windowFunc converts a window function call: ROW_NUMBER() OVER
// (PARTITION BY ... ORDER BY ...), the window function of Top-N and
// deduplication queries, and an aggregate OVER a window (OVER
// aggregation), inline or named (OVER w with WINDOW w AS (...)). The
// planner decides which functions it takes; the other ranking functions
// are refused by name before TiDB sees the query (unsupported.go).
func (c *converter) windowFunc(n *ast.WindowFuncExpr, pos Pos) (Expr, *Error) {
	name := strings.ToUpper(n.Name)
	s := &n.Spec
	if name == "ROW_NUMBER" {
		if len(n.Args) > 0 {
			return nil, c.errAtOff(n.OriginTextPosition(), "ROW_NUMBER() takes no arguments")
		}
		if s.Name.O != "" || s.Ref.O != "" {
			return nil, c.errAtOff(n.OriginTextPosition(), "a named window in ROW_NUMBER() OVER is not supported; write OVER (PARTITION BY ... ORDER BY ...)")
		}
		if s.Frame != nil {
			return nil, c.errAtOff(n.OriginTextPosition(), "ROW_NUMBER() OVER does not take a window frame (ROWS or RANGE)")
		}
	}
	if n.IgnoreNull || n.FromLast {
		return nil, c.errAtOff(n.OriginTextPosition(), "IGNORE NULLS and FROM LAST are not supported in %s() OVER", name)
	}
	over := &Over{Pos: pos}
	// the OVER keyword, for errors about the window as a whole, and the
	// function's name: TiDB gives an aggregate OVER a window the offset
	// of the window's end
	toks := c.r.toks
	if k := c.r.tokIndexAtOff(c.r.mapOff(n.OriginTextPosition())); name != "ROW_NUMBER" && k >= 0 && len(toks) > 0 {
		if k < len(toks) && toks[k].is(n.Name) {
			for j := k; j < len(toks); j++ {
				if toks[j].is("OVER") {
					over.Pos = c.r.s.tokPos(toks[j])
					break
				}
			}
		} else {
			j := min(k, len(toks)-1)
			for j > 0 && !(toks[j].is("OVER") && toks[j-1].isOp(")")) {
				j--
			}
			if j > 0 {
				over.Pos = c.r.s.tokPos(toks[j])
				depth := 0
				for x := j - 1; x >= 0; x-- {
					if toks[x].isOp(")") {
						depth++
					} else if toks[x].isOp("(") {
						if depth--; depth == 0 {
							if x > 0 && toks[x-1].is(n.Name) {
								pos = c.r.s.tokPos(toks[x-1])
							}
							break
						}
					}
				}
			}
		}
	}
	if s.Ref.O != "" {
		return nil, c.errAtOff(n.OriginTextPosition(), "a window that extends the named window %q is not supported; write the whole window in the WINDOW clause and use OVER %s", s.Ref.O, s.Ref.O)
	}
	if s.OnlyAlias || (s.Name.O != "" && s.PartitionBy == nil && s.OrderBy == nil && s.Frame == nil) {
		named := c.named[s.Name.L]
		if named == nil {
			return nil, &Error{Pos: over.Pos, Near: "OVER", Msg: fmt.Sprintf("window %q is not defined: add WINDOW %s AS (PARTITION BY ... ORDER BY ...) after the FROM, WHERE and GROUP BY clauses", s.Name.O, s.Name.O)}
		}
		if named.Ref.O != "" {
			return nil, c.errAtOff(named.OriginTextPosition(), "a window that extends the named window %q is not supported", named.Ref.O)
		}
		over.Name = s.Name.O
		s = named
	}
	if s.PartitionBy != nil {
		for _, it := range s.PartitionBy.Items {
			e, err := c.expr(it.Expr)
			if err != nil {
				return nil, err
			}
			over.PartitionBy = append(over.PartitionBy, e)
		}
	}
	if s.OrderBy != nil {
		for _, it := range s.OrderBy.Items {
			e, err := c.expr(it.Expr)
			if err != nil {
				return nil, err
			}
			over.OrderBy = append(over.OrderBy, OrderItem{Expr: e, Desc: it.Desc})
		}
	}
	if f := s.Frame; f != nil {
		fr := &Frame{Pos: over.Pos, Rows: f.Type == ast.Rows}
		st := f.Extent.Start
		switch {
		case st.Type == ast.CurrentRow:
			fr.CurrentStart = true
		case st.Type == ast.Following:
			return nil, &Error{Pos: over.Pos, Near: "OVER", Msg: "an OVER window frame must start at a PRECEDING bound or the CURRENT ROW; FOLLOWING is not supported on a stream"}
		case st.UnBounded:
		default:
			// TiDB keeps no position for a frame's row count
			if v, ok := st.Expr.(*test_driver.ValueExpr); ok && st.Unit == ast.TimeUnitInvalid {
				switch v.Kind() {
				case test_driver.KindInt64, test_driver.KindUint64:
					fr.Preceding = &Literal{Pos: over.Pos, Kind: IntLit, Text: fmt.Sprint(v.GetValue())}
				default:
					return nil, &Error{Pos: over.Pos, Near: "OVER", Msg: "a ROWS frame's PRECEDING bound must be a whole number of rows"}
				}
				break
			}
			e, err := c.expr(st.Expr)
			if err != nil {
				return nil, err
			}
			fr.Preceding = e
		}
		fr.EndFollowing = f.Extent.End.Type != ast.CurrentRow
		over.Frame = fr
	}
	call := &Call{Pos: pos, Name: name, Distinct: n.Distinct, Over: over}
	// COUNT(*) reaches us as COUNT(1): look at the source tokens.
	if k := c.r.tokIndexAtOff(c.r.mapOff(n.OriginTextPosition())); k+2 < len(c.r.toks) &&
		c.r.toks[k+1].isOp("(") && c.r.toks[k+2].isOp("*") {
		call.Star = true
		return call, nil
	}
	for _, a := range n.Args {
		e, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		call.Args = append(call.Args, e)
	}
	return call, nil
}
