package sql

import (
	"strconv"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Nesting limits. Every later stage (the planner's binder, EXPLAIN's
// printer, the runtime's expression compiler) walks expressions and
// queries recursively, so an unbounded depth would end in a Go stack
// overflow, which no recover can catch. The front-end therefore refuses
// SQL nested deeper than these limits, with the position where the limit
// is crossed (docs/sql.md, "Limits"). SQLite has the same kind of limit
// (SQLITE_MAX_EXPR_DEPTH, 1000); Flink has none and fails with a Java
// StackOverflowError instead.
const (
	// MaxDepth bounds how deeply parentheses nest in a statement, and
	// the depth of its syntax tree: each operator, function call, CASE,
	// subquery and join is one level, so a chain `a + b + c + ...` of n
	// terms is n-1 levels deep. Chains of AND or OR are the exception
	// (balanceChain): they nest only logarithmically.
	MaxDepth = 5000
	// MaxTypeDepth bounds how deeply types nest (ARRAY<ARRAY<...>>,
	// ROW<f ROW<...>>, MAP<K, MAP<...>>).
	MaxTypeDepth = 100
	// LeftDeepChain is the longest AND / OR chain kept in the parser's
	// left-deep shape ((a AND b) AND c), as EXPLAIN prints it; longer
	// chains are balanced. The planner follows the same rule when it
	// joins predicates itself.
	LeftDeepChain = 64
)

// checkParenDepth refuses a token stream whose parentheses nest deeper
// than MaxDepth, at the first '(' beyond the limit. It runs before
// the rewriter, whose handling of calls is recursive.
func checkParenDepth(s *source, toks []token) *Error {
	depth := 0
	for _, t := range toks {
		switch {
		case t.isOp("("):
			depth++
			if depth > MaxDepth {
				return &Error{Pos: s.tokPos(t), Msg: "parentheses nested more than " + strconv.Itoa(MaxDepth) + " levels deep", Near: t.text}
			}
		case t.isOp(")"):
			if depth > 0 {
				depth--
			}
		case t.isOp(";"):
			depth = 0
		}
	}
	return nil
}

// tooDeep is the error for a syntax tree deeper than MaxDepth.
func (c *converter) tooDeep(off int) *Error {
	return c.errAtOff(off, "expression nested more than %d levels deep (each operator of a chain such as a + b + c is one level; compute parts of it in a view or subquery)", MaxDepth)
}

// andOrChain converts a chain of one associative logical operator (op is
// AND or OR), left-deep as the parser builds it, without recursing once
// per term: the operands are collected iteratively, each converted on
// its own, and joined into a balanced tree when there are more than
// LeftDeepChain of them. SQL's AND and OR are associative, and the
// operands keep their order, so evaluation (including short-circuiting)
// is unchanged while a generated `id = 1 OR id = 2 OR ...` of any length
// stays far below MaxDepth.
func (c *converter) andOrChain(n *ast.BinaryOperationExpr, op string) (Expr, *Error) {
	var rights []ast.ExprNode
	var offs []int // chain nodes' offsets, outermost first
	var left ast.ExprNode = n
	for {
		b, ok := unparen(left).(*ast.BinaryOperationExpr)
		if !ok || b.Op != n.Op {
			break
		}
		rights = append(rights, b.R)
		offs = append(offs, b.OriginTextPosition())
		left = b.L
	}
	terms := make([]Expr, 0, len(rights)+1)
	for i := len(rights); i >= 0; i-- {
		x := left
		if i < len(rights) {
			x = rights[i]
		}
		e, err := c.expr(x)
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
	}
	if len(terms) <= LeftDeepChain {
		e := terms[0]
		for i, t := range terms[1:] {
			e = &Binary{Pos: c.pos(offs[len(offs)-1-i]), Op: op, L: e, R: t}
		}
		return e, nil
	}
	return Chain(op, terms), nil
}

// Chain joins terms with op (AND or OR): left-deep up to LeftDeepChain
// terms, balanced beyond, the larger half on the left, so that its depth
// stays logarithmic. Each node takes the position of its first term.
func Chain(op string, terms []Expr) Expr {
	if len(terms) <= LeftDeepChain {
		e := terms[0]
		for _, t := range terms[1:] {
			e = &Binary{Pos: e.Position(), Op: op, L: e, R: t}
		}
		return e
	}
	return balance(op, terms)
}

func balance(op string, terms []Expr) Expr {
	if len(terms) == 1 {
		return terms[0]
	}
	mid := (len(terms) + 1) / 2
	l := balance(op, terms[:mid])
	return &Binary{Pos: l.Position(), Op: op, L: l, R: balance(op, terms[mid:])}
}

// unparen strips the parentheses around n.
func unparen(n ast.ExprNode) ast.ExprNode {
	for {
		p, ok := n.(*ast.ParenthesesExpr)
		if !ok {
			return n
		}
		n = p.Expr
	}
}
