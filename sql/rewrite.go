package sql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// The dialect layer: it rewrites the TOKENS of one Flink query (or
// expression) into text the TiDB (MySQL) parser accepts, and records
// where every byte of that text came from, so TiDB's positions map back
// to the user's file. Flink-only constructs become calls to placeholder
// functions (or a placeholder table name) whose payload is kept in the
// rewriter's side tables; the converter turns them back into our AST.

const phPrefix = "__ssql_"

// Placeholder names (always followed by '(' except the TVF table name).
const (
	phInterval = phPrefix + "interval" // __ssql_interval(N): intervals[N]
	phCast     = phPrefix + "cast"     // __ssql_cast(N, x): casts[N]
	phFloor    = phPrefix + "unit"     // __ssql_unit(N, x): units[N]
	phFilter   = phPrefix + "filter"   // __ssql_filter(aggcall, cond)
	phFn       = phPrefix + "fn_"      // __ssql_fn_NAME(...): a function TiDB treats specially
	phTVF      = phPrefix + "tvf_"     // __ssql_tvf_N: tvfs[N] as a table name
	phStr      = phPrefix + "str"      // __ssql_str(N): strs[N] as a string literal (a clause keyword turned argument)
	phSym      = phPrefix + "sym"      // x BETWEEN __ssql_sym(lo) AND hi: BETWEEN SYMMETRIC
	phGroup    = phPrefix + "group_"   // __ssql_group_sets/rollup/cube/set(...): GROUP BY's grouping constructs
	phAsOf     = phPrefix + "asof_"    // __ssql_asof_N: asofs[N] (t FOR SYSTEM_TIME AS OF col) as a table name
)

// renamedFuncs are Flink functions whose names the MySQL grammar treats
// as keywords or as window/aggregate functions with other rules. CONCAT
// is renamed so that TiDB's "concat" can only come from '||'.
var renamedFuncs = map[string]bool{
	"FIRST_VALUE": true, "LAST_VALUE": true, "REGEXP": true,
	"CARDINALITY": true, "SPLIT": true, "CONCAT": true,
	// window functions and aggregates TiDB parses by its own rules: as
	// plain calls the planner refuses them by name
	"RANK": true, "DENSE_RANK": true, "ROW_NUMBER": true, "LEAD": true, "LAG": true, "NTILE": true,
	"CUME_DIST": true, "PERCENT_RANK": true, "JSON_OBJECTAGG": true, "JSON_ARRAYAGG": true, "VARIANCE": true,
	"GROUPING": true, "GROUPING_ID": true, "GROUP_ID": true, "ROW": true,
}

// isJSONMark prefixes the string the IS JSON rewrite passes to the
// converter (it cannot occur in SQL text).
const isJSONMark = "\x00IS JSON "

// flinkOnlyUnits are EXTRACT units Flink (Calcite) has and MySQL lacks.
var flinkOnlyUnits = map[string]bool{
	"DOW": true, "ISODOW": true, "DOY": true, "EPOCH": true, "ISOYEAR": true, "MILLISECOND": true,
	"NANOSECOND": true, "DECADE": true, "CENTURY": true, "MILLENNIUM": true,
}

// seg maps rewritten bytes [out, out+n) to original bytes [orig, orig+n);
// generated text has n == 0 and maps to orig (its anchor token).
type seg struct {
	out, orig, n int
	gen          bool
}

type castInfo struct {
	typ types.Type
	try bool
}

type rewriter struct {
	s     *source
	toks  []token // the range being rewritten
	after token   // the token following the range (for end-of-input errors)

	out     strings.Builder
	segs    []seg
	lastEnd int // original end offset of the last emitted token; -1 after generated text

	intervals []*Literal
	casts     []castInfo
	units     []*TimeUnitExpr
	strs      []string
	tvfs      []*WindowTVF
	tvfData   [][2]int    // tvfs[i]'s table argument (tokens), parsed by the converter in its WITH scope
	asofs     []*TableRef // t FOR SYSTEM_TIME AS OF col (without alias)
	post      *postfixes  // subscripts and field accesses (rewrite_postfix.go), found on first use
}

func newRewriter(s *source, toks []token, after token) *rewriter {
	return &rewriter{s: s, toks: toks, after: after, lastEnd: -1}
}

func (r *rewriter) tokAt(i int) token {
	if i < len(r.toks) {
		return r.toks[i]
	}
	return r.after
}

func (r *rewriter) errAt(t token, format string, args ...any) *Error {
	e := &Error{Pos: r.s.tokPos(t), Msg: fmt.Sprintf(format, args...)}
	if t.kind == tEOF || t.off == r.after.off && t.kind == r.after.kind && t.text == r.after.text {
		if t.kind == tEOF {
			e.Msg += " (found end of statement)"
			return e
		}
	}
	e.Near = t.text
	return e
}

// emit writes an original token.
func (r *rewriter) emit(t token) {
	if r.out.Len() > 0 && t.off != r.lastEnd {
		r.out.WriteByte(' ')
	}
	r.segs = append(r.segs, seg{out: r.out.Len(), orig: t.off, n: len(t.text)})
	r.out.WriteString(t.text)
	r.lastEnd = t.end
}

// gen writes generated text attributed to the anchor token.
func (r *rewriter) gen(text string, anchor token) {
	if r.out.Len() > 0 {
		r.out.WriteByte(' ')
	}
	r.segs = append(r.segs, seg{out: r.out.Len(), orig: anchor.off, n: len(text), gen: true})
	r.out.WriteString(text)
	r.lastEnd = -1
}

// mapOff turns an offset in the rewritten text into a file offset.
func (r *rewriter) mapOff(o int) int {
	lo, hi := 0, len(r.segs)-1
	if hi < 0 || o < r.segs[0].out {
		if len(r.toks) > 0 {
			return r.toks[0].off
		}
		return r.after.off
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if r.segs[mid].out <= o {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	sg := r.segs[lo]
	if o >= r.out.Len() {
		return r.after.off
	}
	if d := o - sg.out; d < sg.n {
		if sg.gen {
			return sg.orig
		}
		return sg.orig + d
	}
	// in the space after a token: attribute to the next segment's origin
	if lo+1 < len(r.segs) {
		return r.segs[lo+1].orig
	}
	return r.after.off
}

// tokIndexAtOff is the index of the first token of the range ending after
// off (the token containing off, or the next one); len(toks) if none.
func (r *rewriter) tokIndexAtOff(off int) int {
	lo, hi := 0, len(r.toks)
	for lo < hi {
		mid := (lo + hi) / 2
		if r.toks[mid].end <= off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// tokenAtOff finds the original token containing off, or the next one.
func (r *rewriter) tokenAtOff(off int) token {
	if i := r.tokIndexAtOff(off); i < len(r.toks) {
		return r.toks[i]
	}
	return r.after
}

var unitWords = map[string]string{
	"SECOND": "SECOND", "SECONDS": "SECOND", "MINUTE": "MINUTE", "MINUTES": "MINUTE",
	"HOUR": "HOUR", "HOURS": "HOUR", "DAY": "DAY", "DAYS": "DAY", "WEEK": "WEEK", "WEEKS": "WEEK",
	"MONTH": "MONTH", "MONTHS": "MONTH", "YEAR": "YEAR", "YEARS": "YEAR",
	"MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND",
	"MICROSECOND": "MICROSECOND", "MICROSECONDS": "MICROSECOND", "QUARTER": "QUARTER",
}

// timeUnits are the units of FLOOR/CEIL(x TO unit).
var timeUnits = map[string]bool{
	"YEAR": true, "QUARTER": true, "MONTH": true, "WEEK": true, "DAY": true, "HOUR": true,
	"MINUTE": true, "SECOND": true, "MILLISECOND": true, "MICROSECOND": true,
	"MILLENNIUM": true, "CENTURY": true, "DECADE": true,
}

// rewrite emits toks[i:j], rewriting Flink constructs.
func (r *rewriter) rewrite(i, j int) *Error {
	if r.post == nil {
		p := findPostfixes(r.toks)
		r.post = &p
	}
	for k := i; k < j; {
		t := r.toks[k]
		next := r.tokAt(k + 1)
		if f := r.refusedAt(k, j); f != nil { // unsupported.go
			return r.errAt(t, "%s is not supported", f.what)
		}
		for _, call := range r.post.opens[k] {
			r.gen(phFn+call+"(", t)
		}
		if r.post.ops[k] {
			n, err := r.postfix(k, j)
			if err != nil {
				return err
			}
			k = n
			continue
		}
		if isIdentTok(t) && next.is("FOR") && r.tokAt(k+2).is("SYSTEM_TIME") && r.tokAt(k+3).is("AS") && r.tokAt(k+4).is("OF") && k+4 < j {
			n, err := r.asOf(k, j)
			if err != nil {
				return err
			}
			k = n
			continue
		}
		switch t.kind {
		case tIdent:
			if strings.HasPrefix(strings.ToLower(t.val), phPrefix) {
				return r.errAt(t, "identifiers starting with %s are reserved", phPrefix)
			}
			u := t.upper()
			switch {
			case u == "INTERVAL":
				n, err := r.interval(k, j)
				if err != nil {
					return err
				}
				k = n
				continue
			case u == "TABLE" && next.isOp("("):
				n, err := r.tvf(k, j)
				if err != nil {
					return err
				}
				k = n
				continue
			case u == "IS" && next.is("NOT") && r.tokAt(k+2).is("DISTINCT") && r.tokAt(k+3).is("FROM"):
				r.gen("<=>", t)
				k += 4
				continue
			case u == "IS" && (next.is("JSON") || next.is("NOT") && r.tokAt(k+2).is("JSON")):
				// x IS [NOT] JSON [kind]: RLIKE with a marker the converter
				// turns into IS_JSON(x, kind)
				at := k + 2
				not := next.is("NOT")
				if not {
					at++
				}
				kind := "VALUE"
				if kw := r.tokAt(at).upper(); r.tokAt(at).kind == tIdent && (kw == "VALUE" || kw == "SCALAR" || kw == "ARRAY" || kw == "OBJECT") && at < j {
					kind = kw
					at++
				}
				if not {
					r.gen("NOT", t)
				}
				r.strs = append(r.strs, isJSONMark+kind)
				r.gen("RLIKE "+phStr+"("+strconv.Itoa(len(r.strs)-1)+")", t)
				k = at
				continue
			case u == "IS" && next.is("DISTINCT") && r.tokAt(k+2).is("FROM"):
				r.gen("RLIKE", t)
				k += 3
				continue
			case (u == "ARRAY" || u == "MAP") && next.isOp("["):
				// ARRAY[a, b] / MAP[k, v]: the constructor functions
				end := r.matchBracket(k+1, j)
				if end < 0 {
					return r.errAt(next, "unbalanced [")
				}
				r.gen(phFn+u+"(", t)
				if err := r.rewrite(k+2, end); err != nil {
					return err
				}
				r.gen(")", r.toks[end])
				k = end + 1
				continue
			case u == "GROUPING" && next.is("SETS") && r.tokAt(k+2).isOp("(") && k+2 < j,
				(u == "ROLLUP" || u == "CUBE") && next.isOp("(") && k+1 < j:
				n, err := r.grouping(k, j)
				if err != nil {
					return err
				}
				k = n
				continue
			case u == "SIMILAR" && next.is("TO"):
				// x [NOT] SIMILAR TO 'p' [ESCAPE 'e']: RLIKE with a marker call
				// the converter turns into SIMILAR_TO(x, 'p'[, 'e'])
				p := r.tokAt(k + 2)
				hasEsc := r.tokAt(k+3).is("ESCAPE") && k+4 < j
				if p.kind != tString || k+2 >= j || hasEsc && r.tokAt(k+4).kind != tString {
					return r.errAt(p, "SIMILAR TO with a pattern (or ESCAPE) that is not a string literal is not supported")
				}
				r.gen("RLIKE "+phFn+"SIMILAR_PATTERN(", t)
				r.emit(p)
				k += 3
				if hasEsc {
					r.gen(",", r.toks[k])
					r.emit(r.toks[k+1])
					k += 2
				}
				r.gen(")", p)
				continue
			case u == "OVERLAPS" && next.isOp("("):
				// (s1, e1) OVERLAPS (s2, e2): RLIKE with a marker call the
				// converter turns into OVERLAPS(s1, e1, s2, e2)
				end := matchParen(r.toks[:j], k+1)
				if end < 0 {
					return r.errAt(next, "unbalanced parenthesis")
				}
				r.gen("RLIKE "+phFn+"OVERLAPS_RIGHT(", t)
				if err := r.rewrite(k+2, end); err != nil {
					return err
				}
				r.gen(")", r.toks[end])
				k = end + 1
				continue
			case u == "BETWEEN" && next.is("ASYMMETRIC"):
				r.emit(t)
				k += 2
				continue
			case u == "BETWEEN" && next.is("SYMMETRIC"):
				and := r.topLevel(k+2, j, func(x int) bool { return r.toks[x].is("AND") })
				if and >= j || and == k+2 {
					return r.errAt(next, "expected BETWEEN SYMMETRIC low AND high")
				}
				r.emit(t)
				r.gen(phSym+"(", next)
				if err := r.rewrite(k+2, and); err != nil {
					return err
				}
				r.gen(")", r.toks[and])
				k = and
				continue
			case u == "WHEN":
				// CASE x WHEN a, b THEN ...: the list becomes one argument
				then := r.topLevel(k+1, j, func(x int) bool { return r.toks[x].is("THEN") })
				comma := r.topLevel(k+1, then, func(x int) bool { return r.toks[x].isOp(",") })
				if then < j && comma < then {
					r.emit(t)
					r.gen(phFn+"WHEN_LIST(", next)
					if err := r.rewrite(k+1, then); err != nil {
						return err
					}
					r.gen(")", r.toks[then])
					k = then
					continue
				}
			case u == "FULL" && (next.is("JOIN") || next.is("OUTER") && r.tokAt(k+2).is("JOIN")):
				r.gen("STRAIGHT_JOIN", t)
				if next.is("JOIN") {
					k += 2
				} else {
					k += 3
				}
				continue
			case (u == "REGEXP" || u == "RLIKE") && !next.isOp("("), u == "STRAIGHT_JOIN", u == "DIV", u == "XOR":
				return r.errAt(t, "%s is MySQL syntax, not Flink SQL", u)
			case u == "NATURAL":
				return r.errAt(t, "NATURAL JOIN is not supported")
			case next.isOp("(") && k+1 < j:
				m := matchParen(r.toks[:j], k+1)
				if m < 0 {
					return r.errAt(next, "unbalanced parenthesis")
				}
				n, err := r.call(k, m, j)
				if err != nil {
					return err
				}
				k = n
				continue
			}
			r.emit(t)
		case tOp:
			switch t.text {
			case "<=>":
				return r.errAt(t, "<=> is MySQL syntax; write IS NOT DISTINCT FROM")
			case "&", "|", "^", "~", "!", "@", "?", "{", "}", "$", "::", ":":
				return r.errAt(t, "unsupported operator %q", t.text)
			case "[", "]":
				return r.errAt(t, "unexpected %q: a subscript follows an expression (arr[1], map['k'])", t.text)
			case "=>":
				return r.errAt(t, "named arguments (=>) are only supported in window table functions")
			case ";":
				return r.errAt(t, "unexpected ';'")
			}
			r.emit(t)
		case tBadNum:
			return r.errAt(t, "malformed number")
		case tHint:
			// attached to its SELECT by the converter; TiDB does not see it
			if k == 0 || !r.toks[k-1].is("SELECT") {
				return r.errAt(t, "a hint (/*+ ... */) is only supported right after SELECT")
			}
		default:
			r.emit(t)
		}
		k++
	}
	return nil
}

// grouping handles GROUPING SETS (...), ROLLUP (...) and CUBE (...) at
// toks[k]: __ssql_group_sets/rollup/cube( elements ), each element in
// parentheses (a grouping set: (a, b), (a), ()) as __ssql_group_set(...);
// the converter expands them into the select's grouping sets. Returns the
// next index.
func (r *rewriter) grouping(k, j int) (int, *Error) {
	t := r.toks[k]
	open, name := k+1, strings.ToLower(t.upper())
	if t.is("GROUPING") {
		open, name = k+2, "sets"
	}
	end := matchParen(r.toks[:j], open)
	if end < 0 {
		return 0, r.errAt(r.toks[open], "unbalanced parenthesis")
	}
	r.gen(phGroup+name+"(", t)
	for a := open + 1; a < end; {
		b := r.topLevel(a, end, func(x int) bool { return r.toks[x].isOp(",") })
		if r.toks[a].isOp("(") && matchParen(r.toks[:b], a) == b-1 {
			r.gen(phGroup+"set(", r.toks[a])
			if err := r.rewrite(a+1, b-1); err != nil {
				return 0, err
			}
			r.gen(")", r.toks[b-1])
		} else if err := r.rewrite(a, b); err != nil {
			return 0, err
		}
		if b < end {
			r.emit(r.toks[b])
		}
		a = b + 1
	}
	r.gen(")", r.toks[end])
	return end + 1, nil
}

// matchBracket returns the index of the ']' closing toks[i] ('['), or -1.
func (r *rewriter) matchBracket(i, j int) int {
	depth := 0
	for x := i; x < j; x++ {
		switch {
		case r.toks[x].isOp("["):
			depth++
		case r.toks[x].isOp("]"):
			depth--
			if depth == 0 {
				return x
			}
		}
	}
	return -1
}

// lastTopLevel returns the index of the last keyword kw among toks[i:j]
// outside parentheses, or -1.
func (r *rewriter) lastTopLevel(i, j int, kw string) int {
	at, depth := -1, 0
	for x := i; x < j; x++ {
		switch {
		case r.toks[x].isOp("("):
			depth++
		case r.toks[x].isOp(")"):
			depth--
		case depth == 0 && r.toks[x].is(kw):
			at = x
		}
	}
	return at
}

// call handles NAME ( ... ) with its ')' at m; returns the next index.
func (r *rewriter) call(k, m, j int) (int, *Error) {
	t := r.toks[k]
	u := t.upper()
	switch u {
	case "CAST", "TRY_CAST":
		as := r.lastTopLevel(k+2, m, "AS")
		if as < 0 || as == k+2 {
			return 0, r.errAt(t, "%s needs the form %s(value AS type)", u, u)
		}
		typToks := append(append([]token(nil), r.toks[as+1:m]...), token{kind: tEOF, off: r.toks[m].off, line: r.toks[m].line, col: r.toks[m].col})
		if as+1 == m {
			return 0, r.errAt(r.toks[m], "expected a type after AS")
		}
		typ, err := parseTypeToks(r.s, typToks)
		if err != nil {
			return 0, err
		}
		r.casts = append(r.casts, castInfo{typ: typ, try: u == "TRY_CAST"})
		r.gen(phCast+"("+strconv.Itoa(len(r.casts)-1)+",", t)
		if err := r.rewrite(k+2, as); err != nil {
			return 0, err
		}
		r.gen(")", r.toks[m])
		return m + 1, nil
	case "EXTRACT":
		// units MySQL lacks: EXTRACT(DOW FROM x) and friends
		if unit := r.tokAt(k + 2).upper(); flinkOnlyUnits[unit] && r.tokAt(k+3).is("FROM") && k+4 < m {
			r.units = append(r.units, &TimeUnitExpr{Pos: r.s.tokPos(t), Func: "EXTRACT", Unit: unit})
			r.gen(phFloor+"("+strconv.Itoa(len(r.units)-1)+",", t)
			if err := r.rewrite(k+4, m); err != nil {
				return 0, err
			}
			r.gen(")", r.toks[m])
			return m + 1, nil
		}
	case "OVERLAY":
		// OVERLAY(s PLACING r FROM n [FOR len]) -> OVERLAY(s, r, n[, len])
		placing := r.topLevel(k+2, m, func(x int) bool { return r.toks[x].is("PLACING") })
		from := r.topLevel(placing, m, func(x int) bool { return r.toks[x].is("FROM") })
		if placing < m {
			if from >= m {
				return 0, r.errAt(t, "OVERLAY needs the form OVERLAY(string PLACING replacement FROM position [FOR length])")
			}
			forAt := r.topLevel(from, m, func(x int) bool { return r.toks[x].is("FOR") })
			r.gen(phFn+"OVERLAY(", t)
			bounds := []int{k + 1, placing, from, forAt, m}
			for b := 0; b+1 < len(bounds) && bounds[b] < m; b++ {
				if b > 0 {
					r.gen(",", r.toks[bounds[b]])
				}
				if err := r.rewrite(bounds[b]+1, bounds[b+1]); err != nil {
					return 0, err
				}
			}
			r.gen(")", r.toks[m])
			return m + 1, nil
		}
	case "FLOOR", "CEIL", "CEILING":
		to := r.lastTopLevel(k+2, m, "TO")
		if to >= 0 {
			if to+2 != m || !timeUnits[r.toks[to+1].upper()] {
				return 0, r.errAt(r.tokAt(to+1), "expected a time unit (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND) after TO")
			}
			fn := "FLOOR"
			if u != "FLOOR" {
				fn = "CEIL"
			}
			r.units = append(r.units, &TimeUnitExpr{Pos: r.s.tokPos(t), Func: fn, Unit: r.toks[to+1].upper()})
			r.gen(phFloor+"("+strconv.Itoa(len(r.units)-1)+",", t)
			if err := r.rewrite(k+2, to); err != nil {
				return 0, err
			}
			r.gen(")", r.toks[m])
			return m + 1, nil
		}
	}
	if handled, err := r.jsonCall(k, m); handled || err != nil {
		return m + 1, err
	}
	// agg(...) FILTER (WHERE cond)
	if r.tokAt(m+1).is("FILTER") && m+1 < j {
		if !r.tokAt(m+2).isOp("(") || !r.tokAt(m+3).is("WHERE") {
			return 0, r.errAt(r.tokAt(m+2), "expected FILTER (WHERE condition)")
		}
		fm := matchParen(r.toks[:j], m+2)
		if fm < 0 {
			return 0, r.errAt(r.tokAt(m+2), "unbalanced parenthesis")
		}
		if fm == m+4 {
			return 0, r.errAt(r.toks[fm], "expected a condition after FILTER (WHERE")
		}
		r.gen(phFilter+"(", t)
		if err := r.plainCall(k, m); err != nil {
			return 0, err
		}
		r.gen(",", r.toks[m+1])
		if err := r.rewrite(m+4, fm); err != nil {
			return 0, err
		}
		r.gen(")", r.toks[fm])
		return fm + 1, nil
	}
	if err := r.plainCall(k, m); err != nil {
		return 0, err
	}
	return m + 1, nil
}

// plainCall emits NAME ( args ) with a renamed NAME when needed. Window
// kinds (GROUP BY SESSION(...)) are always renamed, whatever MySQL makes
// of their names.
func (r *rewriter) plainCall(k, m int) *Error {
	t := r.toks[k]
	if t.kind == tIdent && (renamedFuncs[t.upper()] && !r.tokAt(m+1).is("OVER") || window.ByName(t.upper()) != nil) {
		r.gen(phFn+t.upper(), t)
	} else {
		r.emit(t)
	}
	r.emit(r.toks[k+1])
	if err := r.rewrite(k+2, m); err != nil {
		return err
	}
	r.emit(r.toks[m])
	return nil
}

// interval handles INTERVAL ['-'] 'text' unit [(p)] [TO unit [(p)]].
func (r *rewriter) interval(k, j int) (int, *Error) {
	t := r.toks[k]
	x := k + 1
	neg := ""
	if x < j && (r.toks[x].isOp("-") || r.toks[x].isOp("+")) {
		if r.toks[x].isOp("-") {
			neg = "-"
		}
		x++
	}
	v := r.tokAt(x)
	if x >= j || (v.kind != tString && v.kind != tNumber) {
		return 0, r.errAt(v, "INTERVAL needs a quoted value and a unit, e.g. INTERVAL '10' SECOND")
	}
	x++
	unitTok := r.tokAt(x)
	unit, ok := unitWords[unitTok.upper()]
	if x >= j || unitTok.kind != tIdent || !ok {
		return 0, r.errAt(unitTok, "expected an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH, YEAR, ...) after INTERVAL %s", v.text)
	}
	x++
	skipPrec := func() {
		if x < j && r.toks[x].isOp("(") && x+2 < j && r.toks[x+1].kind == tNumber && r.toks[x+2].isOp(")") {
			x += 3
		}
	}
	skipPrec()
	if x < j && r.toks[x].is("TO") {
		u2t := r.tokAt(x + 1)
		u2, ok := unitWords[u2t.upper()]
		if x+1 >= j || !ok {
			return 0, r.errAt(u2t, "expected an interval unit after TO")
		}
		unit += " TO " + u2
		x += 2
		skipPrec()
	}
	text := v.val
	if neg != "" {
		text = "-" + text
	}
	r.intervals = append(r.intervals, &Literal{Pos: r.s.tokPos(t), Kind: IntervalLit, Text: text, Unit: unit})
	ph := phInterval + "(" + strconv.Itoa(len(r.intervals)-1) + ")"
	if x < j && (r.toks[x].is("PRECEDING") || r.toks[x].is("FOLLOWING")) {
		// an OVER frame bound (RANGE BETWEEN INTERVAL '1' HOUR PRECEDING):
		// TiDB's grammar wants INTERVAL expr unit there; the unit is ours
		ph = "INTERVAL " + ph + " SECOND"
	}
	r.gen(ph, t)
	return x, nil
}

// ---------------------------------------------------------------- window TVFs

// tvf handles TABLE ( KIND ( args ) ) at k; returns the next index.
func (r *rewriter) tvf(k, j int) (int, *Error) {
	t := r.toks[k]
	close := matchParen(r.toks[:j], k+1)
	if close < 0 {
		return 0, r.errAt(r.toks[k+1], "unbalanced parenthesis")
	}
	fn := r.tokAt(k + 2)
	desc := window.ByName(fn.upper())
	if fn.kind == tIdent && desc == nil && r.tokAt(k+3).isOp("(") {
		return 0, r.errAt(fn, "table function %s is not supported: TABLE(...) takes a window function %s", fn.upper(), window.Names())
	}
	if fn.kind != tIdent || desc == nil {
		return 0, r.errAt(fn, "expected a window function %s in TABLE(...)", window.Names())
	}
	if !r.tokAt(k + 3).isOp("(") {
		return 0, r.errAt(r.tokAt(k+3), "expected '(' after %s", fn.upper())
	}
	fclose := matchParen(r.toks[:close], k+3)
	if fclose < 0 {
		return 0, r.errAt(r.tokAt(k+3), "unbalanced parenthesis")
	}
	if fclose+1 != close {
		return 0, r.errAt(r.toks[fclose+1], "unexpected text after %s(...)", fn.upper())
	}
	w := &WindowTVF{Pos: r.s.tokPos(t), Kind: desc.Kind}
	// split arguments at depth-0 commas
	var args [][2]int
	for a := k + 4; a < fclose; {
		e := skipBalanced(r.toks[:fclose], a, func(t token) bool { return t.isOp(",") })
		if e == a {
			return 0, r.errAt(r.toks[a], "empty argument in %s(...)", fn.upper())
		}
		args = append(args, [2]int{a, e})
		a = e + 1
		if e < fclose && a == fclose {
			return 0, r.errAt(r.toks[e], "missing argument after ','")
		}
	}
	params := desc.ParamNames()
	named := make([][2]int, len(params))
	var dataArg, timeArg [2]int
	haveData, haveTime := false, false
	anyNamed := false
	for idx, a := range args {
		start := a[0]
		name := ""
		if r.toks[start].kind == tIdent && start+1 < a[1] && r.toks[start+1].isOp("=>") {
			name = r.toks[start].upper()
			start += 2
			anyNamed = true
			if start >= a[1] {
				return 0, r.errAt(r.toks[start-1], "missing value after =>")
			}
		} else if anyNamed {
			return 0, r.errAt(r.toks[start], "positional argument after a named argument")
		}
		rng := [2]int{start, a[1]}
		switch {
		case name == "DATA" || (name == "" && idx == 0):
			dataArg, haveData = rng, true
		case name == "TIMECOL" || (name == "" && idx == 1):
			timeArg, haveTime = rng, true
		case name == "":
			if idx-2 >= len(params) {
				return 0, r.errAt(r.toks[start], "too many arguments for %s", fn.upper())
			}
			named[idx-2] = rng
		default:
			found := false
			for pi, pn := range params {
				if pn == name {
					named[pi], found = rng, true
				}
			}
			if !found {
				return 0, r.errAt(r.toks[a[0]], "unknown parameter %s for %s (expected DATA, TIMECOL, %s)", name, fn.upper(), strings.Join(params, ", "))
			}
		}
	}
	if !haveData {
		return 0, r.errAt(fn, "%s needs a table argument: TABLE t", fn.upper())
	}
	if !haveTime {
		return 0, r.errAt(fn, "%s needs a time attribute argument: DESCRIPTOR(ts)", fn.upper())
	}
	// DESCRIPTOR(col)
	d := timeArg[0]
	if !r.toks[d].is("DESCRIPTOR") || !r.tokAt(d+1).isOp("(") || d+4 != timeArg[1] || !r.tokAt(d+3).isOp(")") ||
		(r.tokAt(d+2).kind != tIdent && r.tokAt(d+2).kind != tQIdent) {
		return 0, r.errAt(r.toks[d], "expected DESCRIPTOR(time_column)")
	}
	w.TimeCol, w.TimeColPos = r.toks[d+2].val, r.s.tokPos(r.toks[d+2])
	last := -1
	for pi := range params {
		if named[pi] != [2]int{} {
			last = pi
		}
	}
	for pi := 0; pi <= last; pi++ {
		rng := named[pi]
		if rng == [2]int{} {
			return 0, r.errAt(fn, "%s is missing its %s argument", fn.upper(), params[pi])
		}
		e, err := parseExprToks(r.s, r.toks[rng[0]:rng[1]], r.toks[rng[1]])
		if err != nil {
			return 0, err
		}
		w.Args = append(w.Args, e)
	}
	if min := desc.MinArgs(); len(w.Args) < min {
		return 0, r.errAt(r.toks[fclose], "%s needs %s", fn.upper(), strings.Join(params[:min], " and "))
	}
	r.tvfs = append(r.tvfs, w)
	r.tvfData = append(r.tvfData, dataArg)
	r.gen(phTVF+strconv.Itoa(len(r.tvfs)-1), t)
	return close + 1, nil
}

// tvfData parses a window TVF's table argument: TABLE name [PARTITION BY k
// | (k1, k2)], TABLE (query) or (query). It runs in the converter, not the
// rewriter, so that a name or a subquery can refer to the WITH queries in
// scope (WITH c AS (...) SELECT ... FROM TABLE(TUMBLE(TABLE c, ...))).
func (c *converter) tvfData(w *WindowTVF, rng [2]int) *Error {
	r := c.r
	p := &tparser{s: r.s, toks: append(append([]token(nil), r.toks[rng[0]:rng[1]]...), token{kind: tEOF, off: r.toks[rng[1]].off, line: r.toks[rng[1]].line, col: r.toks[rng[1]].col})}
	p.acceptKw("TABLE")
	if p.peek().isOp("(") {
		open := p.i
		cl := matchParen(p.toks, open)
		if cl < 0 {
			return p.errAt(p.peek(), "unbalanced parenthesis")
		}
		q, err := parseQueryToks(r.s, p.toks[open+1:cl], p.toks[cl], c)
		if err != nil {
			return err
		}
		w.Input = &SubqueryRef{Pos: r.s.tokPos(p.toks[open]), Query: q}
		p.i = cl + 1
	} else {
		name, nt, err := p.qualifiedName("table name after TABLE")
		if err != nil {
			return err
		}
		if def, ok := c.lookupCTE(name); ok && !strings.Contains(name, ".") {
			w.Input = &SubqueryRef{Pos: r.s.tokPos(nt), Query: def.query, Alias: name}
		} else {
			w.Input = &TableRef{Pos: r.s.tokPos(nt), Name: name}
		}
	}
	if p.acceptKw("PARTITION") {
		if !window.Of(w.Kind).Merging {
			return p.errAt(p.toks[p.i-1], "PARTITION BY is only allowed in %s windows", window.MergingNames())
		}
		if err := p.expectKw("BY"); err != nil {
			return err
		}
		paren := p.acceptOp("(")
		for {
			k, _, err := p.ident("partition column")
			if err != nil {
				return err
			}
			w.PartitionBy = append(w.PartitionBy, k)
			if paren && p.acceptOp(",") {
				continue
			}
			break
		}
		if paren {
			if err := p.expectOp(")"); err != nil {
				return err
			}
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return p.errAt(t, "unexpected text in the table argument")
	}
	return nil
}

// asOf handles name FOR SYSTEM_TIME AS OF col at toks[k] (a temporal
// join's versioned table): the table becomes the placeholder table name
// __ssql_asof_N, the converter turning it back into a TableRef with AsOf
// set. Flink takes only a column there (the left input's time
// attribute, optionally qualified). Returns the next index.
func (r *rewriter) asOf(k, j int) (int, *Error) {
	t := r.toks[k]
	if strings.HasPrefix(strings.ToLower(t.val), phPrefix) {
		return 0, r.errAt(t, "identifiers starting with %s are reserved", phPrefix)
	}
	if k > 0 && r.toks[k-1].isOp(".") {
		return 0, r.errAt(t, "FOR SYSTEM_TIME AS OF after a qualified table name is not supported: name the table alone")
	}
	x := k + 5
	shape := "FOR SYSTEM_TIME AS OF takes the left input's time attribute column (FOR SYSTEM_TIME AS OF o.order_time)"
	if r.toks[x].is("TIMESTAMP") && r.tokAt(x+1).kind == tString {
		return 0, r.errAt(r.toks[x], "FOR SYSTEM_TIME AS OF a point in time (time travel) is not supported; a temporal join takes the left input's time attribute (FOR SYSTEM_TIME AS OF o.order_time)")
	}
	if x >= j || !isIdentTok(r.toks[x]) {
		return 0, r.errAt(r.tokAt(x), "%s", shape)
	}
	col := &Ident{Pos: r.s.tokPos(r.toks[x]), Name: r.toks[x].val}
	if x+2 < j && r.toks[x+1].isOp(".") && isIdentTok(r.toks[x+2]) {
		col.Qualifier, col.Name = col.Name, r.toks[x+2].val
		x += 2
	}
	if nt := r.tokAt(x + 1); x+1 < j && (nt.kind == tOp && !nt.isOp(",") && !nt.isOp(")") || nt.kind == tString || nt.kind == tNumber) {
		return 0, r.errAt(nt, "an expression after FOR SYSTEM_TIME AS OF is not supported: it takes the left input's time attribute column (FOR SYSTEM_TIME AS OF o.order_time)")
	}
	r.asofs = append(r.asofs, &TableRef{Pos: r.s.tokPos(t), Name: t.val, AsOf: col})
	r.gen(phAsOf+strconv.Itoa(len(r.asofs)-1), t)
	return x + 1, nil
}
