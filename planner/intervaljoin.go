package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Interval joins: a JOIN whose ON condition bounds the left input's time
// attribute by the right's from below and from above (Flink's
// IntervalJoin, found by its IntervalJoinUtil.extractWindowBounds):
//
//	l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND r.ts + INTERVAL '5' MINUTE
//	l.ts >= r.ts - INTERVAL '1' HOUR AND l.ts < r.ts + INTERVAL '5' MINUTE
//
// Each bound is a comparison (<, <=, >, >=, or one side of a BETWEEN) of
// a time attribute of one input, plus or minus interval literals, with a
// time attribute of the other; it is normalised to l.ts - r.ts >= lower
// or <= upper, a strict comparison moving the bound by 1 ms as Flink
// does. The other conjuncts are equi-join keys and a residual condition,
// as in a regular join. Both inputs must be append-only (changelog.go).

// IntervalJoinOp is an event-time interval join (Flink's
// RowTimeIntervalJoin): a left row l and a right row r of equal keys
// join when LowerBound <= l.ts - r.ts <= UpperBound and the residual
// condition holds. Each side keeps its rows while the other side may
// still bring a partner, and forgets them as the watermark passes
// (runtime/ops/intervaljoin.go). The output is insert-only: an outer
// side's unmatched row is emitted padded with NULLs when it expires.
// The output watermark lags the input's by max(-LowerBound, UpperBound),
// so joined rows are not late downstream.
// Output layout: left columns..., right columns...
type IntervalJoinOp struct {
	JoinOp
	LeftTimeCol, RightTimeCol int
	LowerBound, UpperBound    int64 // ms
	// Bounds are the ON conjuncts that gave the bounds, as written
	// (EXPLAIN prints them in where=[...]).
	Bounds []Expr
}

func (*IntervalJoinOp) opName() string { return "IntervalJoin" }

// OutputDelay is how far the join's output watermark lags its input's
// (Flink's RowTimeIntervalJoin.getMaxOutputDelay, allowed lateness 0).
func (op *IntervalJoinOp) OutputDelay() int64 { return max(-op.LowerBound, op.UpperBound) }

// timeTerm is a time attribute of one input plus a constant: side 0 is
// the left input, 1 the right; col is the input's column.
type timeTerm struct {
	side, col int
	offset    int64
	t         types.Type
}

// timeTermOf recognises col, col + interval, col - interval and
// interval + col (nested), where col is a time attribute of an input.
func timeTermOf(e Expr, l, r *rel) (timeTerm, bool) {
	nl := len(l.node.Schema)
	switch x := e.(type) {
	case *ColRef:
		switch {
		case x.Index >= 0 && x.Index < nl && l.node.Schema[x.Index].Type.Rowtime:
			return timeTerm{side: 0, col: x.Index, t: l.node.Schema[x.Index].Type}, true
		case x.Index >= nl && x.Index-nl < len(r.node.Schema) && r.node.Schema[x.Index-nl].Type.Rowtime:
			return timeTerm{side: 1, col: x.Index - nl, t: r.node.Schema[x.Index-nl].Type}, true
		}
	case *Call:
		if len(x.Args) != 2 || (x.Func != "+" && x.Func != "-") {
			break
		}
		if ms, ok := intervalMillis(x.Args[1]); ok {
			tt, ok := timeTermOf(x.Args[0], l, r)
			if x.Func == "-" {
				ms = -ms
			}
			tt.offset += ms
			return tt, ok
		}
		if ms, ok := intervalMillis(x.Args[0]); ok && x.Func == "+" {
			tt, ok := timeTermOf(x.Args[1], l, r)
			tt.offset += ms
			return tt, ok
		}
	}
	return timeTerm{}, false
}

// intervalMillis is a day-time interval literal's length.
func intervalMillis(e Expr) (int64, bool) {
	c, ok := e.(*Const)
	if !ok || c.T.Kind != types.IntervalDayTime || c.V.IsNull() {
		return 0, false
	}
	return c.V.I, true
}

// timeBound is one bound found in ON: l.ts - r.ts >= k (lower) or <= k.
type timeBound struct {
	lower      bool
	k          int64
	lcol, rcol int
	lt, rt     types.Type
}

// timeBoundsOf reads a conjunct as bounds on l.ts - r.ts: a comparison
// gives one, a BETWEEN two; ok is false when x is no such conjunct.
func timeBoundsOf(x Expr, l, r *rel) ([]timeBound, bool) {
	call, isCall := x.(*Call)
	if !isCall {
		return nil, false
	}
	if call.Func == "BETWEEN" && len(call.Args) == 3 {
		lo, ok1 := compareBound(">=", call.Args[0], call.Args[1], l, r)
		hi, ok2 := compareBound("<=", call.Args[0], call.Args[2], l, r)
		if ok1 && ok2 {
			return []timeBound{lo, hi}, true
		}
		return nil, false
	}
	if len(call.Args) != 2 {
		return nil, false
	}
	b, ok := compareBound(call.Func, call.Args[0], call.Args[1], l, r)
	if !ok {
		return nil, false
	}
	return []timeBound{b}, true
}

// compareBound normalises a op b, with a and b time terms of different
// inputs, into a bound on l.ts - r.ts.
func compareBound(op string, a, b Expr, l, r *rel) (timeBound, bool) {
	switch op {
	case "<", "<=", ">", ">=":
	default:
		return timeBound{}, false
	}
	ta, ok1 := timeTermOf(a, l, r)
	tb, ok2 := timeTermOf(b, l, r)
	if !ok1 || !ok2 || ta.side == tb.side {
		return timeBound{}, false
	}
	if ta.side == 1 { // r + x op l + y  <=>  l + y flip(op) r + x
		ta, tb = tb, ta
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
	}
	// l + x op r + y  <=>  l - r op y - x
	k := tb.offset - ta.offset
	bd := timeBound{lcol: ta.col, rcol: tb.col, lt: ta.t, rt: tb.t}
	switch op {
	case ">=":
		bd.lower, bd.k = true, k
	case ">":
		bd.lower, bd.k = true, k+1
	case "<=":
		bd.k = k
	case "<":
		bd.k = k - 1
	}
	return bd, true
}

// planIntervalJoin plans j as an interval join when its ON condition
// bounds the inputs' time attributes (ok false when no conjunct does).
// xs are the conjuncts of ON bound over the joined row.
func planIntervalJoin(j *sql.JoinRef, l, r, comb *rel, xs []Expr) (out *rel, ok bool, err error) {
	op := &IntervalJoinOp{JoinOp: JoinOp{Type: joinTypeOf(j.Kind), Pos: j.Pos}}
	var bounds []timeBound
	var residual []Expr
	for _, x := range op.addKeys(xs, len(l.node.Schema)) {
		if bs, isBound := timeBoundsOf(x, l, r); isBound {
			bounds = append(bounds, bs...)
			op.Bounds = append(op.Bounds, x)
			continue
		}
		residual = append(residual, x)
	}
	if len(bounds) == 0 {
		return nil, false, nil
	}
	var lower, upper []timeBound
	for _, b := range bounds {
		if b.lower {
			lower = append(lower, b)
		} else {
			upper = append(upper, b)
		}
	}
	const shape = "l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND r.ts + INTERVAL '5' MINUTE"
	switch {
	case len(lower) != 1 || len(upper) != 1:
		what := "a lower"
		if len(lower) == 1 {
			what = "an upper"
		} else if len(lower) > 1 || len(upper) > 1 {
			what = "exactly one lower and one upper"
		}
		return nil, true, errAt(j.Pos, "an interval join needs %s bound on the distance between the two inputs' time attributes in ON (%s); a join that only orders them would keep every row forever and is not supported", what, shape)
	case lower[0].lcol != upper[0].lcol || lower[0].rcol != upper[0].rcol:
		return nil, true, errAt(j.Pos, "the bounds of an interval join must compare the same two time attributes (%s)", shape)
	case lower[0].lt.Kind != lower[0].rt.Kind:
		return nil, true, errAt(j.Pos, "an interval join of time attributes of different types (the left is %s, the right %s) is not supported: declare both time attributes with the same type", lower[0].lt.WithoutRowtime(), lower[0].rt.WithoutRowtime())
	}
	if timeBounded(residual, l, r) {
		return nil, true, errAt(j.Pos, "an interval join's other conditions may not compare the two inputs' time attributes again (only its two bounds: %s)", shape)
	}
	op.LeftTimeCol, op.RightTimeCol = lower[0].lcol, lower[0].rcol
	op.LowerBound, op.UpperBound = lower[0].k, upper[0].k
	op.Condition = conjunction(residual)
	out = joinOutput(op, op.Type, l, r, comb, xs)
	// the left time attribute stays the output's (windows may follow);
	// Flink keeps both, streamsql one per relation
	keepRowtime(out, op.LeftTimeCol)
	return out, true, nil
}

// keepRowtime makes column lt of a join's output its time attribute.
func keepRowtime(out *rel, lt int) {
	out.node.Schema[lt].Type.Rowtime = true
	out.node.Rowtime = lt
	for i, c := range out.cols {
		if c.idx == lt {
			out.cols[i].t = out.node.Schema[lt].Type
		}
	}
}

// intervalJoinChangelog: an interval join reads append-only inputs and
// writes inserts only (Flink's FlinkChangelogModeInferenceProgram).
func intervalJoinChangelog(n *Node) error {
	for _, in := range n.Inputs {
		if p := updateProducer(in); p != nil {
			return errAt(groupAggPos(p), "IntervalJoin doesn't support consuming update and delete changes which is produced by node %s; an interval join reads append-only inputs (a window aggregation's result is one, a GROUP BY without a window is not)", describeNode(p))
		}
	}
	return nil
}

// intervalJoinAttrs is the join as Flink's EXPLAIN prints it:
// IntervalJoin(joinType=[InnerJoin], windowBounds=[isRowTime=true,
// leftLowerBound=-3600000, leftUpperBound=300000, leftTimeIndex=2,
// rightTimeIndex=1], where=[...], select=[...]).
func intervalJoinAttrs(n *Node, op *IntervalJoinOp) []string {
	names := schemaNames(n.Schema)
	conds := joinKeyConds(n, &op.JoinOp, names)
	for _, b := range op.Bounds {
		conds = append(conds, ExprOver(names, b))
	}
	if op.Condition != nil {
		conds = append(conds, ExprOver(names, op.Condition))
	}
	wb := "isRowTime=true, leftLowerBound=" + strconv.FormatInt(op.LowerBound, 10) +
		", leftUpperBound=" + strconv.FormatInt(op.UpperBound, 10) +
		", leftTimeIndex=" + strconv.Itoa(op.LeftTimeCol) + ", rightTimeIndex=" + strconv.Itoa(op.RightTimeCol)
	return []string{"joinType=[" + op.Type.String() + "]", "windowBounds=[" + wb + "]",
		"where=[" + andText(conds) + "]", "select=[" + strings.Join(names, ", ") + "]"}
}
