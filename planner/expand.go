package planner

import (
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// GROUPING SETS, ROLLUP and CUBE, as Flink plans them: the parser expands
// the constructs into the select's grouping sets (sql.Select.GroupingSets);
// here an aggregation with more than one set gets an Expand in front of
// it,
//
//	Calc (keys, arguments) -> Expand -> [Window|Group]Aggregate (keys..., $e) -> Calc
//
// which emits every input row once per grouping set, with the keys the
// set does not group by set to NULL and a BIGINT column $e, the expand id,
// telling the sets apart (two sets may null different keys that happen to
// be NULL in the data). The aggregation groups by the keys and $e. $e is
// the set's grouping id: bit k (the first key the most significant) is 1
// when key k is not in the set, so GROUPING_ID of all keys is $e itself;
// GROUPING(), GROUPING_ID() and GROUP_ID() are computed from it after the
// aggregation. A window aggregation's window_start and window_end must be
// in every set (GROUP BY window_start, window_end, GROUPING SETS (...)),
// as in Flink.

// groupingInfo is an aggregation's grouping sets over its keys.
type groupingInfo struct {
	keys int      // the number of group keys (window columns excluded)
	sets [][]bool // sets[s][k]: key k is grouped by set s
	at   sql.Pos
}

// groupingSets checks and returns s's grouping sets; itemKey maps each
// GROUP BY item to its key (-1: a window column or a legacy window). A
// plain GROUP BY is the one set of all keys.
func groupingSets(s *sql.Select, in *rel, itemKey []int, keys int, legacy sql.WindowKind) (*groupingInfo, error) {
	g := &groupingInfo{keys: keys, at: s.GroupingPos}
	if s.GroupingSets == nil {
		all := make([]bool, keys)
		for i := range all {
			all[i] = true
		}
		g.sets = [][]bool{all}
		return g, nil
	}
	if legacy != 0 {
		return nil, errAt(s.GroupingPos, "GROUPING SETS, ROLLUP and CUBE are not supported with a legacy group window (GROUP BY %s(...)), as in Flink; use a window TVF: GROUP BY window_start, window_end, GROUPING SETS (...)", legacy)
	}
	seen := map[string]bool{}
	for _, set := range s.GroupingSets {
		in := make([]bool, keys)
		window := 0
		for _, item := range set {
			if k := itemKey[item]; k >= 0 {
				in[k] = true
			} else {
				window++
			}
		}
		if winItems := countWindowItems(itemKey); window < winItems {
			return nil, errAt(s.GroupingPos, "window_start or window_end inside GROUPING SETS, ROLLUP or CUBE is not supported, as in Flink: a window aggregation has them in GROUP BY outside the grouping sets (GROUP BY window_start, window_end, GROUPING SETS (...))")
		}
		var b strings.Builder
		for _, x := range in {
			b.WriteString(strconv.FormatBool(x))
		}
		if seen[b.String()] {
			return nil, errAt(s.GroupingPos, "a grouping set is repeated; repeated grouping sets (told apart by GROUP_ID()) are not supported")
		}
		seen[b.String()] = true
		g.sets = append(g.sets, in)
	}
	return g, nil
}

// countWindowItems is the number of GROUP BY items that are window
// columns; each must be in every grouping set.
func countWindowItems(itemKey []int) int {
	n := 0
	for _, k := range itemKey {
		if k < 0 {
			n++
		}
	}
	return n
}

// expand reports whether the aggregation needs an Expand (several sets).
func (g *groupingInfo) expand() bool { return len(g.sets) > 1 }

// id is set s's grouping id over the keys ks (all keys: $e).
func (g *groupingInfo) id(s int, ks []int) int64 {
	var v int64
	for _, k := range ks {
		v <<= 1
		if k >= 0 && !g.sets[s][k] {
			v |= 1
		}
	}
	return v
}

func (g *groupingInfo) allKeys() []int {
	ks := make([]int, g.keys)
	for i := range ks {
		ks[i] = i
	}
	return ks
}

// idRef stands for $e among the aggregation's keys (it is no input
// expression: Index -1 keeps it apart from every bound key).
func (g *groupingInfo) idRef() *ColRef {
	return &ColRef{Index: -1, Name: "$e", T: types.Type{Kind: types.BigInt, NotNull: true}}
}

// expand puts the Expand over preRel, whose columns groupKeys are the keys.
func (p *planner) expand(preRel *rel, g *groupingInfo, groupKeys []int) (*rel, error) {
	in := preRel.node
	op := &ExpandOp{}
	schema := append(Schema(nil), in.Schema...)
	for s := range g.sets {
		var nulls []int
		for k, grouped := range g.sets[s] {
			if grouped {
				continue
			}
			col := groupKeys[k]
			if col == in.Rowtime {
				return nil, errAt(g.at, "the time attribute %s cannot be a key of a grouping set", in.Schema[col].Name)
			}
			if !containsInt(nulls, col) {
				nulls = append(nulls, col)
			}
			schema[col].Type = schema[col].Type.Nullable()
		}
		op.Nulls = append(op.Nulls, nulls)
		op.IDs = append(op.IDs, g.id(s, g.allKeys()))
	}
	schema = append(schema, Column{Name: "$e", Type: g.idRef().T})
	return &rel{node: newNode(op, schema, in.Rowtime, in)}, nil
}

// groupsText is the sets for EXPLAIN: [{a, b}, {a}, {}].
func (g *groupingInfo) groupsText(keys []Expr) string {
	var sets []string
	for _, set := range g.sets {
		var ks []string
		for k, in := range set {
			if in {
				ks = append(ks, keys[k].String())
			}
		}
		sets = append(sets, "{"+strings.Join(ks, ", ")+"}")
	}
	return "groups=[" + strings.Join(sets, ", ") + "]"
}

// isGroupingFunc: GROUPING, GROUPING_ID and GROUP_ID, bound over an
// aggregation's output (aggScope.groupingCall).
func isGroupingFunc(name string) bool {
	_, ok := functions.Grouping(name)
	return ok
}

// groupingCall binds GROUPING(e1, ...) / GROUPING_ID(e1, ...) (the bit
// vector of which arguments the row's grouping set does not group by, the
// first argument the most significant bit) and GROUP_ID() (0: repeated
// sets are refused) over the aggregation's output: a constant with one
// grouping set, else a CASE over $e.
func (a *aggScope) groupingCall(c *sql.Call, name string) (Expr, error) {
	bigint := types.Type{Kind: types.BigInt, NotNull: true}
	konst := func(v int64) Expr { return &Const{V: types.Value{K: types.BigInt, I: v}, T: bigint} }
	if name == "GROUP_ID" {
		if len(c.Args) != 0 {
			return nil, errAt(c.Pos, "GROUP_ID() takes no arguments")
		}
		return konst(0), nil
	}
	if len(c.Args) == 0 {
		return nil, errAt(c.Pos, "%s needs at least one argument, a GROUP BY expression", name)
	}
	if len(c.Args) > 63 {
		return nil, errAt(c.Pos, "%s takes at most 63 arguments", name)
	}
	g := a.grouping
	ks := make([]int, len(c.Args))
	for i, arg := range c.Args {
		x, err := a.argBind.bind(arg)
		if err != nil {
			return nil, err
		}
		if r, ok := x.(*ColRef); ok && a.in.tvf != nil && r.Index >= a.in.tvf.n {
			ks[i] = -1 // a window column: in every set
			continue
		}
		out, ok := a.keyOut[exprKey(x)]
		if !ok {
			return nil, errAt(arg.Position(), "the argument of %s must be a GROUP BY expression", name)
		}
		ks[i] = out // keys lead the aggregation's output, so out is the key's index
	}
	if !g.expand() {
		return konst(g.id(0, ks)), nil
	}
	e := a.colRef(a.keyOut[exprKey(g.idRef())])
	var args []Expr
	for s := range g.sets[:len(g.sets)-1] {
		cond := &Call{Func: "=", Args: []Expr{e, konst(g.id(s, g.allKeys()))}, T: types.Type{Kind: types.Boolean, NotNull: true}}
		args = append(args, cond, konst(g.id(s, ks)))
	}
	args = append(args, konst(g.id(len(g.sets)-1, ks)))
	return &Call{Func: "CASE", Args: args, T: bigint}, nil
}

// ExpandOp emits every input row once per grouping set: row i of the
// output for set s is the input row with the columns Nulls[s] set to NULL
// and IDs[s] ($e) appended. Rows keep their change kind. Output layout:
// input columns..., $e.
type ExpandOp struct {
	Nulls [][]int
	IDs   []int64
}

func (*ExpandOp) opName() string { return "Expand" }

// expandAttrs prints the projections as Flink does:
// projects=[{a, b, 0 AS $e}, {a, null AS b, 1 AS $e}].
func expandAttrs(in Schema, op *ExpandOp) []string {
	var ps []string
	for s, nulls := range op.Nulls {
		var fs []string
		for i, c := range in {
			if containsInt(nulls, i) {
				fs = append(fs, "null AS "+c.Name)
			} else {
				fs = append(fs, c.Name)
			}
		}
		fs = append(fs, strconv.FormatInt(op.IDs[s], 10)+" AS $e")
		ps = append(ps, "{"+strings.Join(fs, ", ")+"}")
	}
	return []string{"projects=[" + strings.Join(ps, ", ") + "]"}
}

// indexExpr is the index of the expression equal to e in es, or -1.
func indexExpr(es []Expr, e Expr) int {
	k := exprKey(e)
	for i, x := range es {
		if exprKey(x) == k {
			return i
		}
	}
	return -1
}
