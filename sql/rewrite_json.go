package sql

import "strconv"

// The SQL/JSON clauses Flink's JSON functions take (Flink's
// sql_functions.yml), rewritten into trailing constant arguments that the
// function specs in planner/functions read:
//
//	JSON_VALUE(j, p [RETURNING t] [b ON EMPTY] [b ON ERROR])
//	  -> [TRY_]CAST(JSON_VALUE(j, p, 'b', default, 'b', default) AS t)
//	JSON_QUERY(j, p [wrapper] [b ON EMPTY] [b ON ERROR])
//	  -> JSON_QUERY(j, p, 'wrapper', 'b', 'b')
//	JSON_EXISTS(j, p [b ON ERROR]) -> JSON_EXISTS(j, p, 'b')
//	JSON_OBJECT([KEY] k VALUE v, ... [b ON NULL]) -> JSON_OBJECT('b', k, v, ...)
//	JSON_ARRAY(v, ... [b ON NULL]) -> JSON_ARRAY('b', v, ...)

// topLevel returns the first index x in [i, j) outside parentheses for
// which ok(x) holds, or j.
func (r *rewriter) topLevel(i, j int, ok func(x int) bool) int {
	depth := 0
	for x := i; x < j; x++ {
		switch {
		case r.toks[x].isOp("("):
			depth++
		case r.toks[x].isOp(")"):
			depth--
		case depth == 0 && ok(x):
			return x
		}
	}
	return j
}

// onClause reports whether toks[x] ends a behaviour followed by
// ON <what> (what: EMPTY, ERROR or NULL).
func (r *rewriter) onAt(x int, what ...string) bool {
	if !r.tokAt(x).is("ON") {
		return false
	}
	for _, w := range what {
		if r.tokAt(x + 1).is(w) {
			return true
		}
	}
	return false
}

// jsonCall rewrites the JSON functions' clauses; handled is false for
// other functions.
func (r *rewriter) jsonCall(k, m int) (handled bool, err *Error) {
	t := r.toks[k]
	u := t.upper()
	lit := func(s string, at token) {
		r.strs = append(r.strs, s)
		r.gen(phStr+"("+strconv.Itoa(len(r.strs)-1)+")", at)
	}
	switch u {
	case "JSON_OBJECT", "JSON_ARRAY", "JSON_ARRAYAGG", "JSON_OBJECTAGG":
		end, mode := m, "NULL"
		if u == "JSON_ARRAY" || u == "JSON_ARRAYAGG" {
			mode = "ABSENT"
		}
		if m-3 >= k+2 && r.onAt(m-2, "NULL") && (r.toks[m-3].is("NULL") || r.toks[m-3].is("ABSENT")) {
			end, mode = m-3, r.toks[m-3].upper()
		}
		if u == "JSON_ARRAYAGG" || u == "JSON_OBJECTAGG" {
			r.gen(phFn+u, t) // a plain call: TiDB's JSON_ARRAYAGG and JSON_OBJECTAGG are MySQL's
		} else {
			r.emit(t)
		}
		r.emit(r.toks[k+1])
		lit(mode, t)
		start := k + 2
		for start < end {
			r.gen(",", r.toks[start])
			object := u == "JSON_OBJECT" || u == "JSON_OBJECTAGG"
			if object && r.toks[start].is("KEY") {
				start++
			}
			next := r.topLevel(start, end, func(x int) bool {
				return r.toks[x].isOp(",") || object && r.toks[x].is("VALUE")
			})
			if err := r.rewrite(start, next); err != nil {
				return true, err
			}
			start = next
			if start < end && r.toks[start].is("VALUE") {
				r.gen(",", r.toks[start])
				start++
				next = r.topLevel(start, end, func(x int) bool { return r.toks[x].isOp(",") })
				if err := r.rewrite(start, next); err != nil {
					return true, err
				}
				start = next
			}
			if start < end { // the comma
				start++
			}
		}
		r.emit(r.toks[m])
		return true, nil
	case "JSON_VALUE", "JSON_QUERY", "JSON_EXISTS":
	default:
		return false, nil
	}
	c1 := r.topLevel(k+2, m, func(x int) bool { return r.toks[x].isOp(",") })
	if c1 >= m {
		return false, nil // let the function report its arity
	}
	// the first clause keyword after the path
	clause := func(x int) bool {
		tk := r.toks[x]
		switch {
		case tk.is("RETURNING") || tk.is("DEFAULT") || tk.is("WITH") || tk.is("WITHOUT"):
			return true
		case tk.is("EMPTY") && (r.tokAt(x+1).is("ARRAY") || r.tokAt(x+1).is("OBJECT")):
			return true
		}
		return r.onAt(x+1, "EMPTY", "ERROR")
	}
	pathEnd := r.topLevel(c1+1, m, clause)
	var cast *castInfo
	behaviour := map[string]string{} // EMPTY / ERROR -> NULL, ERROR, DEFAULT, TRUE, ...
	defaults := map[string][2]int{}  // EMPTY / ERROR -> token range of DEFAULT's value
	wrapper := ""
	for x := pathEnd; x < m; {
		tk := r.toks[x]
		switch {
		case tk.is("RETURNING") && u == "JSON_VALUE":
			e := r.topLevel(x+1, m, clause)
			if e == x+1 {
				return true, r.errAt(r.tokAt(x+1), "expected a type after RETURNING")
			}
			typToks := append(append([]token(nil), r.toks[x+1:e]...), token{kind: tEOF, off: r.toks[e].off, line: r.toks[e].line, col: r.toks[e].col})
			typ, err := parseTypeToks(r.s, typToks)
			if err != nil {
				return true, err
			}
			cast = &castInfo{typ: typ}
			x = e
		case (tk.is("WITH") || tk.is("WITHOUT")) && u == "JSON_QUERY":
			e := x + 1
			wrapper = "WITHOUT"
			if tk.is("WITH") {
				wrapper = "UNCONDITIONAL"
				if r.tokAt(e).is("CONDITIONAL") || r.tokAt(e).is("UNCONDITIONAL") {
					wrapper = r.tokAt(e).upper()
					e++
				}
			}
			if r.tokAt(e).is("ARRAY") {
				e++
			}
			if !r.tokAt(e).is("WRAPPER") || e >= m {
				return true, r.errAt(r.tokAt(e), "expected WRAPPER")
			}
			x = e + 1
		default:
			// a behaviour ... ON EMPTY | ON ERROR
			on := r.topLevel(x, m, func(y int) bool { return r.onAt(y, "EMPTY", "ERROR") })
			if on >= m {
				return true, r.errAt(tk, "unexpected %q in %s", tk.text, u)
			}
			what := r.toks[on+1].upper()
			b := ""
			for y := x; y < on; y++ {
				if b != "" {
					b += " "
				}
				b += r.toks[y].upper()
			}
			if r.toks[x].is("DEFAULT") && u == "JSON_VALUE" {
				if on == x+1 {
					return true, r.errAt(r.toks[on], "expected a value after DEFAULT")
				}
				b = "DEFAULT"
				defaults[what] = [2]int{x + 1, on}
			}
			if !validBehaviour(u, b) {
				return true, r.errAt(tk, "%s ON %s is not a behaviour of %s", b, what, u)
			}
			behaviour[what] = b
			x = on + 2
		}
	}
	if cast != nil {
		cast.try = behaviour["ERROR"] != "ERROR"
		r.casts = append(r.casts, *cast)
		r.gen(phCast+"("+strconv.Itoa(len(r.casts)-1)+",", t)
	}
	r.emit(t)
	r.emit(r.toks[k+1])
	if err := r.rewrite(k+2, pathEnd); err != nil {
		return true, err
	}
	arg := func(s string) {
		r.gen(",", r.toks[m])
		if s == "" {
			r.gen("NULL", r.toks[m])
		} else {
			lit(s, r.toks[m])
		}
	}
	switch u {
	case "JSON_EXISTS":
		arg(behaviour["ERROR"])
	case "JSON_QUERY":
		arg(wrapper)
		arg(behaviour["EMPTY"])
		arg(behaviour["ERROR"])
	case "JSON_VALUE":
		for _, what := range []string{"EMPTY", "ERROR"} {
			arg(behaviour[what])
			r.gen(",", r.toks[m])
			if d, ok := defaults[what]; ok {
				if err := r.rewrite(d[0], d[1]); err != nil {
					return true, err
				}
			} else {
				r.gen("NULL", r.toks[m])
			}
		}
	}
	r.emit(r.toks[m])
	if cast != nil {
		r.gen(")", r.toks[m])
	}
	return true, nil
}

func validBehaviour(fn, b string) bool {
	switch fn {
	case "JSON_EXISTS":
		return b == "TRUE" || b == "FALSE" || b == "UNKNOWN" || b == "ERROR"
	case "JSON_QUERY":
		return b == "NULL" || b == "EMPTY ARRAY" || b == "EMPTY OBJECT" || b == "ERROR"
	}
	return b == "NULL" || b == "ERROR" || b == "DEFAULT"
}
