package sql

import (
	"fmt"
	"strings"
)

// Parse parses a whole .sql file into its statements. Every error is an
// *Error positioned in the user's own file.
func Parse(file string, src []byte) (*Script, error) {
	s := newSource(file, string(src))
	toks, lerr := lex(s)
	if lerr != nil {
		return nil, lerr
	}
	if err := checkParenDepth(s, toks); err != nil {
		return nil, err
	}
	groups := splitStatements(toks)
	script := &Script{File: file}
	for gi := 0; gi < len(groups); gi++ {
		g := groups[gi]
		p := &tparser{s: s, toks: g}
		first := p.peek()
		// Statement sets span several ';'-separated groups.
		if isStatementSetStart(g) || (first.is("EXPLAIN") && isStatementSetStart(skipExplainPrefix(g))) {
			explain := first.is("EXPLAIN")
			set, used, err := parseStatementSet(s, groups[gi:])
			if err != nil {
				return nil, err
			}
			gi += used - 1
			var st Statement = set
			if explain {
				st = &Explain{Pos: s.tokPos(first), Stmt: set}
			}
			script.Statements = append(script.Statements, st)
			continue
		}
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		script.Statements = append(script.Statements, st)
	}
	return script, nil
}

// ParseExpr parses one expression (used by tests and tools).
func ParseExpr(file string, src string) (Expr, error) {
	s := newSource(file, src)
	toks, lerr := lex(s)
	if lerr != nil {
		return nil, lerr
	}
	if err := checkParenDepth(s, toks); err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, &Error{Pos: s.tokPos(toks[0]), Msg: "empty expression"}
	}
	e, err := parseExprToks(s, toks[:len(toks)-1], toks[len(toks)-1])
	if err != nil {
		return nil, err
	}
	return e, nil
}

// splitStatements cuts the token stream at ';'. Each group ends with an
// EOF token placed at its ';' (or at the end of the file). Empty groups
// are dropped.
func splitStatements(toks []token) [][]token {
	var groups [][]token
	start := 0
	for i, t := range toks {
		if t.isOp(";") || t.kind == tEOF {
			if i > start {
				g := make([]token, 0, i-start+1)
				g = append(g, toks[start:i]...)
				g = append(g, token{kind: tEOF, off: t.off, end: t.off, line: t.line, col: t.col})
				groups = append(groups, g)
			}
			start = i + 1
		}
	}
	return groups
}

// ---------------------------------------------------------------- token parser

// tparser walks one statement's tokens; toks always ends with tEOF.
type tparser struct {
	s         *source
	toks      []token
	i         int
	typeDepth int // types entered (MaxTypeDepth)
}

func (p *tparser) peek() token        { return p.toks[p.i] }
func (p *tparser) peekAt(n int) token { return p.toks[min(p.i+n, len(p.toks)-1)] }
func (p *tparser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *tparser) acceptKw(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

func (p *tparser) acceptOp(op string) bool {
	if p.peek().isOp(op) {
		p.i++
		return true
	}
	return false
}

// errAt makes an *Error at t, quoting t as the offending text.
func (p *tparser) errAt(t token, format string, args ...any) *Error {
	e := &Error{Pos: p.s.tokPos(t), Msg: fmt.Sprintf(format, args...)}
	if t.kind == tEOF {
		e.Msg += " (found end of statement)"
	} else {
		e.Near = t.text
	}
	return e
}

func (p *tparser) expectKw(kw string) *Error {
	if !p.acceptKw(kw) {
		return p.errAt(p.peek(), "expected %s", kw)
	}
	return nil
}

func (p *tparser) expectOp(op string) *Error {
	if !p.acceptOp(op) {
		return p.errAt(p.peek(), "expected %q", op)
	}
	return nil
}

// ident reads an identifier (bare or back-quoted).
func (p *tparser) ident(what string) (string, token, *Error) {
	t := p.peek()
	if t.kind != tIdent && t.kind != tQIdent {
		return "", t, p.errAt(t, "expected %s", what)
	}
	p.i++
	return t.val, t, nil
}

// qualifiedName reads a[.b[.c]] and joins the parts with '.'.
func (p *tparser) qualifiedName(what string) (string, token, *Error) {
	name, first, err := p.ident(what)
	if err != nil {
		return "", first, err
	}
	for p.peek().isOp(".") {
		p.i++
		part, _, err := p.ident(what)
		if err != nil {
			return "", first, err
		}
		name += "." + part
	}
	return name, first, nil
}

// stringLit reads a single-quoted string.
func (p *tparser) stringLit(what string) (string, token, *Error) {
	t := p.peek()
	if t.kind != tString {
		return "", t, p.errAt(t, "expected %s as a quoted string", what)
	}
	p.i++
	return t.val, t, nil
}

// skipBalanced returns the index just past the token range that starts
// at i and ends at the first depth-0 token satisfying stop (or EOF).
func skipBalanced(toks []token, i int, stop func(token) bool) int {
	depth := 0
	for ; i < len(toks) && toks[i].kind != tEOF; i++ {
		t := toks[i]
		if depth == 0 && stop(t) {
			return i
		}
		switch {
		case t.isOp("(") || t.isOp("["):
			depth++
		case t.isOp(")") || t.isOp("]"):
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return i
}

// matchParen returns the index of the ')' matching the '(' at i, or -1.
func matchParen(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].isOp("("):
			depth++
		case toks[j].isOp(")"):
			depth--
			if depth == 0 {
				return j
			}
		case toks[j].kind == tEOF:
			return -1
		}
	}
	return -1
}

// ---------------------------------------------------------------- statements

func (p *tparser) statement() (Statement, *Error) {
	t := p.peek()
	switch t.upper() {
	case "CREATE":
		return p.create()
	case "SET":
		return p.set()
	case "RESET":
		return p.reset()
	case "INSERT":
		return p.insert()
	case "EXECUTE":
		if p.peekAt(1).is("INSERT") { // EXECUTE INSERT INTO ...: the same as INSERT INTO
			p.next()
			return p.insert()
		}
	case "EXPLAIN":
		p.next()
		p.skipExplainDetails()
		inner := p.peek()
		if !(inner.is("SELECT") || inner.is("WITH") || inner.is("INSERT") || inner.isOp("(")) {
			return nil, p.errAt(inner, "EXPLAIN expects a query, an INSERT or a STATEMENT SET")
		}
		st, err := p.statement()
		if err != nil {
			return nil, err
		}
		return &Explain{Pos: p.s.tokPos(t), Stmt: st}, nil
	case "SELECT", "WITH", "VALUES":
		q, err := p.queryRest()
		if err != nil {
			return nil, err
		}
		return &QueryStatement{Pos: p.s.tokPos(t), Query: q}, nil
	}
	if t.isOp("(") {
		q, err := p.queryRest()
		if err != nil {
			return nil, err
		}
		return &QueryStatement{Pos: p.s.tokPos(t), Query: q}, nil
	}
	if t.kind == tIdent {
		return nil, &Error{Pos: p.s.tokPos(t), Msg: statementName(p.toks[p.i:]) + " is not supported", Near: t.text}
	}
	return nil, p.errAt(t, "expected a statement (CREATE, SET, RESET, INSERT, EXECUTE STATEMENT SET, EXPLAIN or SELECT)")
}

// skipExplainDetails skips EXPLAIN's [PLAN FOR] and detail keywords.
func (p *tparser) skipExplainDetails() {
	if p.peek().is("PLAN") && p.peekAt(1).is("FOR") {
		p.i += 2
		return
	}
	for {
		switch p.peek().upper() {
		case "ESTIMATED_COST", "CHANGELOG_MODE", "JSON_EXECUTION_PLAN", "PLAN_ADVICE":
			p.next()
			p.acceptOp(",")
			continue
		}
		return
	}
}

func skipExplainPrefix(g []token) []token {
	p := &tparser{toks: g}
	p.next()
	p.skipExplainDetails()
	return g[p.i:]
}

// queryRest parses the rest of the statement as a query.
func (p *tparser) queryRest() (Query, *Error) {
	start := p.i
	end := len(p.toks) - 1
	q, err := parseQueryToks(p.s, p.toks[start:end], p.toks[end], nil)
	if err != nil {
		return nil, err
	}
	p.i = end
	return q, nil
}

func (p *tparser) set() (Statement, *Error) {
	t := p.next()
	st := &Set{Pos: p.s.tokPos(t)}
	if p.peek().kind == tEOF {
		return st, nil
	}
	key, kt, err := p.optionWord("SET key")
	if err != nil {
		return nil, err
	}
	st.Option.Key, st.Option.Pos = key, p.s.tokPos(kt)
	if !p.acceptOp("=") {
		return nil, p.errAt(p.peek(), "expected '=' after SET key %q", key)
	}
	if p.peek().kind == tEOF {
		return nil, p.errAt(p.peek(), "missing value for SET %q", key)
	}
	val, vt, err := p.optionWord("SET value")
	if err != nil {
		return nil, err
	}
	st.Option.Value, st.Option.ValuePos = val, p.s.tokPos(vt)
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected text after SET value")
	}
	return st, nil
}

// optionWord reads a quoted string, or an unquoted dotted word such as
// table.exec.source.idle-timeout (its raw text up to '=' or the end).
func (p *tparser) optionWord(what string) (string, token, *Error) {
	t := p.peek()
	if t.kind == tString {
		p.i++
		return t.val, t, nil
	}
	if t.kind == tEOF || t.isOp("=") {
		return "", t, p.errAt(t, "expected %s", what)
	}
	var b strings.Builder
	prevEnd := -1
	for {
		c := p.peek()
		if c.kind == tEOF || c.isOp("=") || (prevEnd >= 0 && c.off != prevEnd) {
			break
		}
		if c.kind == tString {
			return "", c, p.errAt(c, "unexpected string in %s", what)
		}
		b.WriteString(c.text)
		prevEnd = c.end
		p.i++
	}
	return b.String(), t, nil
}

func (p *tparser) reset() (Statement, *Error) {
	t := p.next()
	st := &Reset{Pos: p.s.tokPos(t)}
	if p.peek().kind == tEOF {
		return st, nil
	}
	key, _, err := p.optionWord("RESET key")
	if err != nil {
		return nil, err
	}
	st.Key = key
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t, "unexpected text after RESET key")
	}
	return st, nil
}

func (p *tparser) insert() (*Insert, *Error) {
	t := p.next()
	ins := &Insert{Pos: p.s.tokPos(t)}
	switch {
	case p.acceptKw("INTO"):
	case p.peek().is("OVERWRITE"):
		// Flink overwrites in batch mode only ("Streaming mode not
		// support overwrite", FileSystemTableSink).
		return nil, p.errAt(p.peek(), "INSERT OVERWRITE is not supported in streaming mode; use INSERT INTO")
	default:
		return nil, p.errAt(p.peek(), "expected INTO or OVERWRITE after INSERT")
	}
	name, nt, err := p.qualifiedName("table name")
	if err != nil {
		return nil, err
	}
	ins.Table, ins.TablePos = name, p.s.tokPos(nt)
	if p.peek().is("PARTITION") {
		return nil, p.errAt(p.peek(), "INSERT ... PARTITION is not supported")
	}
	if p.peek().isOp("(") && !(p.peekAt(1).is("SELECT") || p.peekAt(1).is("WITH") || p.peekAt(1).isOp("(")) {
		p.next()
		for {
			c, _, err := p.ident("column name")
			if err != nil {
				return nil, err
			}
			ins.Columns = append(ins.Columns, c)
			if p.acceptOp(",") {
				continue
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			break
		}
	}
	q := p.peek()
	if !(q.is("SELECT") || q.is("WITH") || q.is("VALUES") || q.isOp("(")) {
		return nil, p.errAt(q, "expected a query after INSERT INTO %s", name)
	}
	query, err := p.queryRest()
	if err != nil {
		return nil, err
	}
	ins.Query = query
	return ins, nil
}

// isStatementSetStart reports EXECUTE STATEMENT SET BEGIN ... or
// BEGIN STATEMENT SET.
func isStatementSetStart(g []token) bool {
	if len(g) >= 4 && g[0].is("EXECUTE") && g[1].is("STATEMENT") && g[2].is("SET") && g[3].is("BEGIN") {
		return true
	}
	return len(g) >= 3 && g[0].is("BEGIN") && g[1].is("STATEMENT") && g[2].is("SET")
}

// parseStatementSet parses a statement set starting at groups[0] (after
// an optional EXPLAIN prefix) and returns how many groups it used.
func parseStatementSet(s *source, groups [][]token) (*StatementSet, int, *Error) {
	g := groups[0]
	p := &tparser{s: s, toks: g}
	if p.peek().is("EXPLAIN") {
		p.next()
		p.skipExplainDetails()
	}
	startTok := p.peek()
	set := &StatementSet{Pos: s.tokPos(startTok)}
	var first []token // the INSERT sharing the BEGIN group (EXECUTE form)
	if p.acceptKw("EXECUTE") {
		p.i += 3 // STATEMENT SET BEGIN
		first = p.toks[p.i:]
	} else {
		p.i += 3 // BEGIN STATEMENT SET
		if t := p.peek(); t.kind != tEOF {
			return nil, 0, p.errAt(t, "expected ';' after BEGIN STATEMENT SET")
		}
	}
	addInsert := func(toks []token) *Error {
		ip := &tparser{s: s, toks: toks}
		if !ip.peek().is("INSERT") {
			return ip.errAt(ip.peek(), "a statement set may contain only INSERT statements")
		}
		ins, err := ip.insert()
		if err != nil {
			return err
		}
		set.Inserts = append(set.Inserts, ins)
		return nil
	}
	if len(first) > 1 {
		if first[0].is("END") && len(first) == 2 {
			return set, 1, nil
		}
		if err := addInsert(first); err != nil {
			return nil, 0, err
		}
	}
	for i := 1; i < len(groups); i++ {
		g := groups[i]
		if g[0].is("END") {
			if len(g) > 2 {
				return nil, 0, (&tparser{s: s, toks: g}).errAt(g[1], "unexpected text after END")
			}
			if len(set.Inserts) == 0 {
				return nil, 0, &Error{Pos: set.Pos, Msg: "empty statement set"}
			}
			return set, i + 1, nil
		}
		if err := addInsert(g); err != nil {
			return nil, 0, err
		}
	}
	return nil, 0, &Error{Pos: set.Pos, Msg: "statement set is missing its END", Near: startTok.text}
}
