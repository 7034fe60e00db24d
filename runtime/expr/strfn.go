package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// stringArgs makes every argument a STRING (non-string arguments are cast
// as CAST(x AS STRING) would), as function specs' Env.Strings does.
func (c *compiler) stringArgs(args []node) ([]Func, error) {
	return c.env.Strings(toArgs(args))
}

// ---------------------------------------------------------------- LIKE

// likePattern is a compiled LIKE pattern: runes with wildcard flags.
type likeElem struct {
	r    rune
	kind uint8 // 0 literal, 1 '_' (one code point), 2 '%' (any run)
}

type likePattern struct {
	elems []likeElem
	// fast paths for patterns of literals and '%' only
	mode   uint8 // 0 general, 1 exact, 2 prefix, 3 suffix, 4 contains
	needle string
}

// compileLike parses a pattern; escape < 0 means no escape character.
// As Flink: the escape character may only precede '%', '_' or itself.
func compileLike(pat string, escape rune) (*likePattern, error) {
	p := &likePattern{}
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case escape >= 0 && r == escape:
			if i+1 >= len(rs) {
				return nil, fmt.Errorf("invalid escape sequence %q at %d: the escape character ends the pattern", pat, i)
			}
			n := rs[i+1]
			if n != '%' && n != '_' && n != escape {
				return nil, fmt.Errorf("invalid escape sequence %q at %d", pat, i)
			}
			p.elems = append(p.elems, likeElem{r: n})
			i++
		case r == '%':
			if len(p.elems) == 0 || p.elems[len(p.elems)-1].kind != 2 {
				p.elems = append(p.elems, likeElem{kind: 2})
			}
		case r == '_':
			p.elems = append(p.elems, likeElem{kind: 1})
		default:
			p.elems = append(p.elems, likeElem{r: r})
		}
	}
	// Fast paths: lit, lit%, %lit, %lit%.
	e := p.elems
	lead := len(e) > 0 && e[0].kind == 2
	trail := len(e) > 0 && e[len(e)-1].kind == 2
	inner := e
	if lead {
		inner = inner[1:]
	}
	if trail && len(inner) > 0 {
		inner = inner[:len(inner)-1]
	}
	simple := true
	var b strings.Builder
	for _, x := range inner {
		if x.kind != 0 {
			simple = false
			break
		}
		b.WriteRune(x.r)
	}
	if simple && len(inner) > 0 {
		p.needle = b.String()
		switch {
		case lead && trail:
			p.mode = 4
		case lead:
			p.mode = 3
		case trail:
			p.mode = 2
		default:
			p.mode = 1
		}
	}
	return p, nil
}

func (p *likePattern) match(s string) bool {
	switch p.mode {
	case 1:
		return s == p.needle
	case 2:
		return strings.HasPrefix(s, p.needle)
	case 3:
		return strings.HasSuffix(s, p.needle)
	case 4:
		return strings.Contains(s, p.needle)
	}
	return likeMatch(p.elems, s)
}

// likeMatch is the iterative wildcard match with one backtrack point for
// the last '%' (linear for most patterns, O(n*m) worst case).
func likeMatch(pat []likeElem, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, w := utf8.DecodeRuneInString(s[si:])
		if pi < len(pat) {
			e := pat[pi]
			switch {
			case e.kind == 2:
				starP, starS = pi, si
				pi++
				continue
			case e.kind == 1 || e.r == r:
				pi++
				si += w
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// let the last '%' absorb one more code point
		_, w2 := utf8.DecodeRuneInString(s[starS:])
		starS += w2
		si = starS
		pi = starP + 1
	}
	for pi < len(pat) && pat[pi].kind == 2 {
		pi++
	}
	return pi == len(pat)
}

func likeEscape(s string) (rune, error) {
	if utf8.RuneCountInString(s) != 1 {
		return 0, fmt.Errorf("invalid escape character %q: it must be one character", s)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r, nil
}

// LIKE (x, pattern [, escape]); without ESCAPE there is no escape
// character (Flink's LikeCallGen passes null).
func buildLike(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, 3); err != nil {
		return nil, err
	}
	fs, err := c.stringArgs(args)
	if err != nil {
		return nil, err
	}
	not := call.Func == "NOT LIKE"
	fx := fs[0]
	res := func(m bool) types.Value { return boolV(m != not) }
	patConst := args[1].konst && (len(args) == 2 || args[2].konst)
	if patConst {
		if args[1].v.K == types.Null || (len(args) == 3 && args[2].v.K == types.Null) {
			return func(*Ctx, core.Row) types.Value { return nullV }, nil
		}
		esc := rune(-1)
		if len(args) == 3 {
			if esc, err = likeEscape(args[2].v.S); err != nil {
				return nil, err
			}
		}
		p, err := compileLike(args[1].v.S, esc)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			v := fx(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return res(p.match(v.S))
		}, nil
	}
	fp := fs[1]
	var fe Func
	if len(fs) == 3 {
		fe = fs[2]
	}
	// A pattern that changes per row: keep the last compiled one.
	var lastPat string
	var lastEsc rune = -2
	var last *likePattern
	return func(ctx *Ctx, row core.Row) types.Value {
		v := fx(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		pv := fp(ctx, row)
		if pv.K == types.Null {
			return nullV
		}
		esc := rune(-1)
		if fe != nil {
			ev := fe(ctx, row)
			if ev.K == types.Null {
				return nullV
			}
			var err error
			if esc, err = likeEscape(ev.S); err != nil {
				return fail(ctx, err)
			}
		}
		if last == nil || pv.S != lastPat || esc != lastEsc {
			p, err := compileLike(pv.S, esc)
			if err != nil {
				return fail(ctx, err)
			}
			last, lastPat, lastEsc = p, pv.S, esc
		}
		return res(last.match(v.S))
	}, nil
}
