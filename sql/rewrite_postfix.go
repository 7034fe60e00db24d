package sql

import "strconv"

// Value access the MySQL grammar lacks: subscripts (arr[i], map['k'])
// and field access beyond its three-part names (t.r.f.g, f(x).f,
// arr[1].f). TiDB reads a.b and a.b.c as column names (the converter and
// the planner tell a table from a ROW column); everything else is
// rewritten as placeholder calls around the primary expression:
//
//	x[i]    → __ssql_fn_ITEM(x, i)      (Subscript)
//	x.f     → __ssql_fn_FIELD(x, 'f')   (FieldAccess) after ')' or ']'
//	a.b.c.d → __ssql_fn_FIELD(a.b.c, 'd')
//
// The rewriter cannot go back over text it wrote, so postfixes are found
// first (postfixes): each one's primary start gets the opening of its
// placeholder call, and the postfix itself the rest.

// postfixKeywords are words that cannot name a function, so a '(' after
// them opens a parenthesized expression, not a call.
var postfixKeywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "WHEN": true, "THEN": true, "ELSE": true, "CASE": true,
	"SELECT": true, "WHERE": true, "ON": true, "BY": true, "HAVING": true, "IS": true, "LIKE": true,
	"BETWEEN": true, "AS": true, "FROM": true, "JOIN": true, "EXISTS": true, "DISTINCT": true, "ALL": true,
	"END": true, "RETURNING": true, "VALUE": true, "KEY": true, "ESCAPE": true,
}

type postfixes struct {
	opens map[int][]string // token index -> placeholder calls opened before it, outermost first
	ops   map[int]bool     // token index of a postfix '[' or '.'
}

// findPostfixes scans toks for subscripts and field accesses.
func findPostfixes(toks []token) postfixes {
	p := postfixes{opens: map[int][]string{}, ops: map[int]bool{}}
	for b := 1; b < len(toks); b++ {
		prev := toks[b-1]
		var call string
		switch {
		case toks[b].isOp("[") && (isIdentTok(prev) && !prev.is("ARRAY") && !prev.is("MAP") || prev.isOp(")") || prev.isOp("]")):
			call = "ITEM"
		case toks[b].isOp(".") && b+1 < len(toks) && isIdentTok(toks[b+1]) && (prev.isOp(")") || prev.isOp("]")):
			call = "FIELD"
		case toks[b].isOp(".") && b+1 < len(toks) && isIdentTok(toks[b+1]) && (identChainLen(toks, b-1) >= 3 || b >= 2 && p.ops[b-2]):
			call = "FIELD" // the fourth part of a.b.c.d, or f(x).a.b
		default:
			continue
		}
		s := primaryStart(toks, b-1)
		if s < 0 {
			continue
		}
		// inner postfixes open after (inside) outer ones: prepend
		p.opens[s] = append([]string{call}, p.opens[s]...)
		p.ops[b] = true
	}
	return p
}

func isIdentTok(t token) bool { return t.kind == tIdent || t.kind == tQIdent }

// identChainLen counts the parts of the plain identifier chain a.b.c
// ending at toks[e].
func identChainLen(toks []token, e int) int {
	n := 0
	for e >= 0 && isIdentTok(toks[e]) {
		n++
		if e >= 2 && toks[e-1].isOp(".") {
			e -= 2
			continue
		}
		break
	}
	return n
}

// primaryStart is the index of the first token of the primary expression
// ending at toks[e] (with its own postfixes), or -1.
func primaryStart(toks []token, e int) int {
	for depth := 0; e >= 0 && depth < 1000; depth++ {
		t := toks[e]
		switch {
		case isIdentTok(t):
			if e >= 2 && toks[e-1].isOp(".") {
				e -= 2
				continue
			}
			return e
		case t.isOp(")"), t.isOp("]"):
			open, close := "(", ")"
			if t.isOp("]") {
				open, close = "[", "]"
			}
			d := 0
			m := e
			for ; m >= 0; m-- {
				if toks[m].isOp(close) {
					d++
				} else if toks[m].isOp(open) {
					d--
					if d == 0 {
						break
					}
				}
			}
			if m < 0 {
				return -1
			}
			if m > 0 && isIdentTok(toks[m-1]) && (open == "[" || !postfixKeywords[toks[m-1].upper()] || toks[m-1].kind == tQIdent) {
				e = m - 1 // a call's name, or what is subscripted
				continue
			}
			if open == "[" {
				if m > 0 && (toks[m-1].isOp(")") || toks[m-1].isOp("]")) {
					e = m - 1
					continue
				}
				return -1
			}
			return m
		case t.kind == tString || t.kind == tNumber:
			return e
		default:
			return -1
		}
	}
	return -1
}

// postfix writes the rest of the placeholder call a postfix at toks[k]
// closes: ", i)" for [i], ", 'f')" for .f. Returns the next index.
func (r *rewriter) postfix(k, j int) (int, *Error) {
	t := r.toks[k]
	if t.isOp(".") {
		r.strs = append(r.strs, r.toks[k+1].val)
		r.gen(","+phStr+"("+strconv.Itoa(len(r.strs)-1)+"))", r.toks[k+1])
		return k + 2, nil
	}
	end := r.matchBracket(k, j)
	if end < 0 {
		return 0, r.errAt(t, "unbalanced [")
	}
	if end == k+1 {
		return 0, r.errAt(r.toks[end], "expected an index or key inside [ ]")
	}
	r.gen(",", t)
	if err := r.rewrite(k+1, end); err != nil {
		return 0, err
	}
	r.gen(")", r.toks[end])
	return end + 1, nil
}
