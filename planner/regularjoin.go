package planner

import (
	"slices"
	"strings"

	"github.com/streamsql/streamsql/sql"
)

// Regular joins: a JOIN of two inputs that are not both windows on the
// same window (Flink's StreamingJoinOperator, EXPLAIN name Join). Every
// equality between a left and a right column is a join key (both sides
// are hashed by them); the other conjuncts of ON are a residual
// condition, part of the join condition as in Flink: a pair that fails it
// does not match (an outer row stays padded). A join with no such
// equality is refused (Flink would run it as one subtask behind a global
// exchange).

// JoinOp is a regular join. Each side keeps all its rows (a multiset per
// join key, retractions take a row out); a row joins the other side's
// rows of its key at once. Outer joins emit the NULL-padded row while a
// row has no match and retract it (-D) when the first match arrives
// (FLINK-FACTS; Flink's StreamingJoinOperator).
// Output layout: left columns..., right columns... (semi/anti: left only).
type JoinOp struct {
	Type                JoinType
	LeftKeys, RightKeys []int
	NullSafe            []bool // per key: IS NOT DISTINCT FROM
	// Condition is the residual predicate over the concatenated row
	// (left columns then right columns), or nil.
	Condition Expr
	// LeftUnique / RightUnique: the side's upsert key lies within its
	// join keys (each key matches at most one row of that side); EXPLAIN
	// shows it as Flink's input spec.
	LeftUnique, RightUnique bool
	// LeftStateTTL / RightStateTTL: each side's idle state retention in
	// milliseconds (0: none), from the STATE_TTL hint or
	// table.exec.state.ttl (statettl.go).
	LeftStateTTL, RightStateTTL int64
	// Pos is where the JOIN is written.
	Pos sql.Pos
}

func (*JoinOp) opName() string { return "Join" }

// EquiJoinKeys returns the join keys of a regular or window join.
func EquiJoinKeys(op Op) (left, right []int, ok bool) {
	switch op := op.(type) {
	case *JoinOp:
		return op.LeftKeys, op.RightKeys, true
	case *WindowJoinOp:
		return op.LeftKeys, op.RightKeys, true
	case *IntervalJoinOp:
		return op.LeftKeys, op.RightKeys, true
	case *TemporalJoinOp:
		return op.LeftKeys, op.RightKeys, true
	}
	return nil, nil, false
}

func (p *planner) planRegularJoin(j *sql.JoinRef, l, r, comb *rel, xs []Expr) (*rel, error) {
	if out, ok, err := planIntervalJoin(j, l, r, comb, xs); ok || err != nil {
		return out, err
	}
	op := &JoinOp{Type: joinTypeOf(j.Kind), Pos: j.Pos, LeftStateTTL: p.stateTTL(j.Left), RightStateTTL: p.stateTTL(j.Right)}
	residual := op.addKeys(xs, len(l.node.Schema))
	if len(op.LeftKeys) == 0 {
		return nil, errAt(j.Pos, "a regular %s JOIN without an equality between a left and a right column (a cross join) is not supported: add one to ON (l.k = r.k), or use a window join", j.Kind)
	}
	if timeBounded(residual, l, r) {
		return nil, errAt(j.Pos, "a condition in ON compares the two inputs' time attributes without bounding their distance from both sides; an interval join needs a lower and an upper bound (l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND r.ts + INTERVAL '5' MINUTE)")
	}
	op.Condition = conjunction(residual)
	return joinOutput(op, op.Type, l, r, comb, xs), nil
}

// addKeys makes every equality of a left and a right column among xs a
// join key of op and returns the other conjuncts.
func (op *JoinOp) addKeys(xs []Expr, nl int) (rest []Expr) {
	for _, x := range xs {
		li, ri, nullSafe, ok := equiPair(x, nl)
		if !ok {
			rest = append(rest, x)
			continue
		}
		op.LeftKeys = append(op.LeftKeys, li)
		op.RightKeys = append(op.RightKeys, ri)
		op.NullSafe = append(op.NullSafe, nullSafe)
	}
	return rest
}

// timeBounded reports whether a conjunct reads a time attribute of both
// inputs (Flink plans such a join as an interval join).
func timeBounded(xs []Expr, l, r *rel) bool {
	nl := len(l.node.Schema)
	for _, x := range xs {
		var left, right bool
		rewriteColRefs(x, func(c *ColRef) Expr {
			switch {
			case c.Index >= 0 && c.Index < nl:
				left = left || l.node.Schema[c.Index].Type.Rowtime
			case c.Index >= nl && c.Index-nl < len(r.node.Schema):
				right = right || r.node.Schema[c.Index-nl].Type.Rowtime
			}
			return c
		})
		if left && right {
			return true
		}
	}
	return false
}

// equiPair recognises l = r and l IS NOT DISTINCT FROM r between a left
// column and a right column (the right one as a right-input column).
func equiPair(x Expr, nl int) (li, ri int, nullSafe, ok bool) {
	call, isCall := x.(*Call)
	if !isCall || (call.Func != "=" && call.Func != "IS NOT DISTINCT FROM") {
		return 0, 0, false, false
	}
	a, aok := call.Args[0].(*ColRef)
	b, bok := call.Args[1].(*ColRef)
	if !aok || !bok || (a.Index < nl) == (b.Index < nl) {
		return 0, 0, false, false
	}
	if a.Index >= nl {
		a, b = b, a
	}
	return a.Index, b.Index - nl, call.Func == "IS NOT DISTINCT FROM", true
}

// joinChangelog is the changelog rule of a regular join (Flink's
// FlinkChangelogModeInferenceProgram): an inner or semi join forwards its
// inputs' kinds (insert-only when both are), an outer or anti join
// produces every kind.
// Upsert keys (Flink's FlinkRelMdUpsertKeys of a join): when one side's
// upsert key lies within its join keys, each row of the other side
// matches at most one row of it, so the other side's upsert key stays a
// key of the output, unless that other side is padded with NULLs (the
// right of a LEFT join and so on).
func joinChangelog(n *Node, op *JoinOp) {
	l, r := n.Inputs[0], n.Inputs[1]
	n.AppendOnly = (op.Type == JoinInner || op.Type == JoinSemi) && l.AppendOnly && r.AppendOnly
	op.LeftUnique = len(l.UpsertKeys) > 0 && subset(l.UpsertKeys, op.LeftKeys)
	op.RightUnique = len(r.UpsertKeys) > 0 && subset(r.UpsertKeys, op.RightKeys)
	nl := len(l.Schema)
	switch {
	case op.Type == JoinSemi || op.Type == JoinAnti:
		n.UpsertKeys = slices.Clone(l.UpsertKeys) // the output is left rows
	case op.RightUnique && len(l.UpsertKeys) > 0 && (op.Type == JoinInner || op.Type == JoinLeft):
		n.UpsertKeys = slices.Clone(l.UpsertKeys)
	case op.LeftUnique && len(r.UpsertKeys) > 0 && (op.Type == JoinInner || op.Type == JoinRight):
		for _, k := range r.UpsertKeys {
			n.UpsertKeys = append(n.UpsertKeys, k+nl)
		}
	}
}

// subset reports whether every element of a is in b.
func subset(a, b []int) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// joinAttrs is a regular join as Flink's EXPLAIN prints it:
// Join(joinType=[LeftOuterJoin], where=[=(k, k0)], select=[...],
// leftInputSpec=[NoUniqueKey], rightInputSpec=[JoinKeyContainsUniqueKey]).
func joinAttrs(n *Node, op *JoinOp) []string {
	names := schemaNames(n.Schema) // left then right columns, renamed apart
	if op.Type == JoinSemi || op.Type == JoinAnti {
		used := map[string]bool{}
		for _, x := range names {
			used[x] = true
		}
		for _, x := range schemaNames(n.Inputs[1].Schema) {
			for used[x] {
				x += "0"
			}
			used[x] = true
			names = append(names, x)
		}
	}
	conds := joinKeyConds(n, op, names)
	if op.Condition != nil {
		conds = append(conds, ExprOver(names, op.Condition))
	}
	where := andText(conds)
	spec := func(unique bool) string {
		if unique {
			return "JoinKeyContainsUniqueKey"
		}
		return "NoUniqueKey"
	}
	return []string{"joinType=[" + op.Type.String() + "]", "where=[" + where + "]",
		"select=[" + strings.Join(schemaNames(n.Schema), ", ") + "]",
		"leftInputSpec=[" + spec(op.LeftUnique) + "]", "rightInputSpec=[" + spec(op.RightUnique) + "]"}
}

// joinKeyConds are a join's key equalities over names (left columns,
// then right columns): =(k, k0), IS NOT DISTINCT FROM(k, k0).
func joinKeyConds(n *Node, op *JoinOp, names []string) []string {
	nl := len(n.Inputs[0].Schema)
	var conds []string
	for i := range op.LeftKeys {
		eq := "="
		if op.NullSafe[i] {
			eq = "IS NOT DISTINCT FROM"
		}
		conds = append(conds, eq+"("+names[op.LeftKeys[i]]+", "+names[nl+op.RightKeys[i]]+")")
	}
	return conds
}

// andText is conditions as Flink prints their conjunction: true, c or
// AND(c1, c2, ...).
func andText(conds []string) string {
	switch len(conds) {
	case 0:
		return "true"
	case 1:
		return conds[0]
	}
	return "AND(" + strings.Join(conds, ", ") + ")"
}

func schemaNames(s Schema) []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.Name
	}
	return out
}
