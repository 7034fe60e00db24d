package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/state"
)

// ---------------------------------------------------------------- uids and layouts

// planUIDs derives a stable uid, a state layout and a state definition
// for every node. The uid hashes the node's kind, its table (sources and
// sinks) and its inputs' uids, so it does not change when expressions
// change or when unrelated INSERTs are added. The layout describes how
// the node's state is encoded (window spec, key and aggregate types,
// buffered row types); the definition says what it computes (stateDefinition).
// Both must match for the state to be restored.
func planUIDs(g *planner.Graph) (uids, layouts []string, defs []map[string]string) {
	byNode := map[*planner.Node]string{}
	seen := map[string]int{}
	lin := planner.NewLineage()
	for _, n := range g.Nodes {
		var b strings.Builder
		b.WriteString(n.Name())
		switch op := n.Op.(type) {
		case *planner.SourceOp:
			b.WriteString(" table=" + op.Table.Name)
		case *planner.SinkOp:
			b.WriteString(" table=" + op.Table.Name)
		}
		for i, in := range n.Inputs {
			fmt.Fprintf(&b, " in%d=%s", i, byNode[in])
		}
		sum := sha256.Sum256([]byte(b.String()))
		uid := hex.EncodeToString(sum[:8])
		if k := seen[uid]; k > 0 {
			// identical branches: number them in plan order
			seen[uid] = k + 1
			sum = sha256.Sum256([]byte(b.String() + " #" + strconv.Itoa(k)))
			uid = hex.EncodeToString(sum[:8])
		} else {
			seen[uid] = 1
		}
		byNode[n] = uid
		uids = append(uids, uid)
		layouts = append(layouts, layoutOf(n, g.Settings["table.local-time-zone"]))
		defs = append(defs, stateDefinition(n, lin))
	}
	return uids, layouts, defs
}

// stateDefinition says what a stateful node's state computes, part by
// part, in terms of the source columns (planner.Lineage): for a window
// aggregation its window, group keys, aggregates and the WHERE
// conditions its input rows passed; for a window join the join, the
// buffered rows' columns and their filters. Two plans with equal layouts
// can still differ here (GROUP BY campaign_id vs GROUP BY ad_type, both
// STRING; SUM(a) vs SUM(b)); restoring such state would mix both
// keyings or both sums in one window, so a difference refuses the
// restore. Stateless nodes have none (nil).
func stateDefinition(n *planner.Node, lin *planner.Lineage) map[string]string {
	list := func(items []string) string { return "[" + strings.Join(items, ", ") + "]" }
	filter := func(in *planner.Node) string {
		if f := lin.Filter(in); f != "" {
			return "[" + f + "]"
		}
		return "none"
	}
	switch op := n.Op.(type) {
	case *planner.WindowAggOp:
		in := n.Inputs[0]
		aggs := make([]string, len(op.Aggs))
		for i, a := range op.Aggs {
			aggs[i] = lin.Agg(in, a)
		}
		return map[string]string{
			"window":       lin.Window(in, op.Window),
			"group keys":   list(lineageColumns(lin, in, op.GroupKeys)),
			"aggregates":   list(aggs),
			"input filter": filter(in),
		}
	case *planner.GroupAggOp:
		in := n.Inputs[0]
		aggs := make([]string, len(op.Aggs))
		for i, a := range op.Aggs {
			aggs[i] = lin.Agg(in, a)
		}
		return map[string]string{
			"group keys":   list(lineageColumns(lin, in, op.GroupKeys)),
			"aggregates":   list(aggs),
			"input filter": filter(in),
		}
	case *planner.ChangelogNormalizeOp:
		in := n.Inputs[0]
		return map[string]string{
			"keys":          list(lineageColumns(lin, in, op.Keys)),
			"input columns": list(lin.Columns(in)),
		}
	case *planner.RankOp:
		in := n.Inputs[0]
		order := make([]string, len(op.OrderKeys))
		for i, k := range op.OrderKeys {
			dir := " ASC"
			if k.Desc {
				dir = " DESC"
			}
			order[i] = lin.Column(in, k.Col) + dir
		}
		return map[string]string{
			"partition keys": list(lineageColumns(lin, in, op.PartitionKeys)),
			"order keys":     list(order),
			"input columns":  list(lin.Columns(in)),
			"input filter":   filter(in),
		}
	case *planner.OverAggOp:
		in := n.Inputs[0]
		aggs := make([]string, len(op.Aggs))
		for i, a := range op.Aggs {
			aggs[i] = lin.Agg(in, a)
		}
		return map[string]string{
			"partition keys": list(lineageColumns(lin, in, op.PartitionKeys)),
			"aggregates":     list(aggs),
			"input columns":  list(lin.Columns(in)),
			"input filter":   filter(in),
		}
	case *planner.WindowJoinOp:
		return joinDefinition(n, lin, op.Type, op.LeftKeys, op.RightKeys, op.NullSafe, op.Condition, list, filter)
	case *planner.JoinOp:
		return joinDefinition(n, lin, op.Type, op.LeftKeys, op.RightKeys, op.NullSafe, op.Condition, list, filter)
	case *planner.IntervalJoinOp:
		d := joinDefinition(n, lin, op.Type, op.LeftKeys, op.RightKeys, op.NullSafe, op.Condition, list, filter)
		d["bounds"] = fmt.Sprintf("%s - %s in [%d, %d] ms", lin.Column(n.Inputs[0], op.LeftTimeCol), lin.Column(n.Inputs[1], op.RightTimeCol), op.LowerBound, op.UpperBound)
		return d
	case *planner.TemporalJoinOp:
		d := joinDefinition(n, lin, op.Type, op.LeftKeys, op.RightKeys, op.NullSafe, op.Condition, list, filter)
		d["as of"] = fmt.Sprintf("%s AS OF %s", lin.Column(n.Inputs[1], op.RightTimeCol), lin.Column(n.Inputs[0], op.LeftTimeCol))
		return d
	}
	return nil
}

// lineageColumns is what columns idx of in compute.
func lineageColumns(lin *planner.Lineage, in *planner.Node, idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = lin.Column(in, k)
	}
	return out
}

// joinDefinition is the state definition of a window or regular join.
func joinDefinition(n *planner.Node, lin *planner.Lineage, typ planner.JoinType, lk, rk []int, nullSafe []bool, cond planner.Expr, list func([]string) string, filter func(*planner.Node) string) map[string]string {
	left, right := n.Inputs[0], n.Inputs[1]
	keys := make([]string, len(lk))
	for i := range lk {
		eq := "="
		if nullSafe[i] {
			eq = "IS NOT DISTINCT FROM"
		}
		keys[i] = eq + "(" + lin.Column(left, lk[i]) + ", " + lin.Column(right, rk[i]) + ")"
	}
	join := typ.String() + " " + list(keys)
	if cond != nil {
		join += " WHERE " + planner.ExprOver(append(lin.Columns(left), lin.Columns(right)...), cond)
	}
	return map[string]string{
		"join":               join,
		"left columns":       list(lin.Columns(left)),
		"right columns":      list(lin.Columns(right)),
		"left input filter":  filter(left),
		"right input filter": filter(right),
	}
}

// definitionChanges lists, in a stable order, the parts of a state
// definition that differ: "group keys changed from [campaign_id] to
// [ad_type]".
func definitionChanges(old, cur map[string]string) []string {
	parts := map[string]bool{}
	for k := range old {
		parts[k] = true
	}
	for k := range cur {
		parts[k] = true
	}
	names := make([]string, 0, len(parts))
	for k := range parts {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []string
	for _, k := range names {
		o, c := old[k], cur[k]
		if o == c {
			continue
		}
		if o == "" {
			o = "(absent)"
		}
		if c == "" {
			c = "(absent)"
		}
		out = append(out, fmt.Sprintf("%s changed from %s to %s", k, o, c))
	}
	return out
}

// stateMismatch says why the state op recorded cannot be restored into
// node i of the current plan ("" when it can). Manifests written before
// definitions were recorded have none: only their layout is compared.
func (c *checkpointer) stateMismatch(i int, op *state.OperatorState) string {
	if op.Computes != nil {
		if ch := definitionChanges(op.Computes, c.defs[i]); len(ch) > 0 {
			return strings.Join(ch, "; ")
		}
	}
	if op.Layout != c.layouts[i] {
		return fmt.Sprintf("its state was written as [%s], the current plan needs [%s]", op.Layout, c.layouts[i])
	}
	return ""
}

func schemaTypes(s planner.Schema) string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.Type.WithoutRowtime().Nullable().String()
	}
	return strings.Join(parts, ",")
}

func layoutOf(n *planner.Node, tz string) string {
	switch op := n.Op.(type) {
	case *planner.SourceOp:
		return "source v1"
	case *planner.SinkOp:
		return "sink v1 connector=" + op.Table.Connector
	case *planner.WindowAggOp:
		in := n.Inputs[0].Schema
		w := op.Window
		var b strings.Builder
		fmt.Fprintf(&b, "window-agg v1 kind=%d size=%d slide=%d step=%d gap=%d offset=%d time=%s ",
			w.Kind, w.Size, w.Slide, w.Step, w.Gap, w.Offset, in[w.TimeCol].Type.Kind)
		writeAggLayout(&b, in, op.GroupKeys, op.Aggs)
		if w.Attached {
			b.WriteString(" attached") // windows read from the rows (window propagation)
		}
		if in[w.TimeCol].Type.Kind == types.TimestampLTZ && tz != "" {
			b.WriteString(" tz=" + tz) // LTZ windows are kept in that zone's wall-clock time
		}
		return b.String()
	case *planner.GroupAggOp:
		var b strings.Builder
		b.WriteString("group-agg v1 ")
		writeAggLayout(&b, n.Inputs[0].Schema, op.GroupKeys, op.Aggs)
		return b.String()
	case *planner.IntervalJoinOp:
		return fmt.Sprintf("interval-join v1 type=%s keys=%d left=[%s] right=[%s]", op.Type, len(op.LeftKeys), schemaTypes(n.Inputs[0].Schema), schemaTypes(n.Inputs[1].Schema))
	case *planner.TemporalJoinOp:
		return fmt.Sprintf("temporal-join v1 type=%s keys=%d left=[%s] right=[%s]", op.Type, len(op.LeftKeys), schemaTypes(n.Inputs[0].Schema), schemaTypes(n.Inputs[1].Schema))
	case *planner.JoinOp:
		return fmt.Sprintf("join v1 type=%s left=[%s] right=[%s]", op.Type, schemaTypes(n.Inputs[0].Schema), schemaTypes(n.Inputs[1].Schema))
	case *planner.OverAggOp:
		var aggs []string
		for _, a := range op.Aggs {
			aggs = append(aggs, fmt.Sprintf("%s(%d,%d)->%s", a.Func, a.Arg, a.Filter, a.T.Nullable()))
		}
		return fmt.Sprintf("over-agg v1 %s keys=%v order=%d input=[%s] aggs=[%s]", op.FrameText(), op.PartitionKeys, op.OrderKey, schemaTypes(n.Inputs[0].Schema), strings.Join(aggs, ","))
	case *planner.WindowJoinOp:
		return fmt.Sprintf("window-join v1 left=[%s] right=[%s]", schemaTypes(n.Inputs[0].Schema), schemaTypes(n.Inputs[1].Schema))
	case *planner.ChangelogNormalizeOp:
		return fmt.Sprintf("changelog-normalize v1 in=[%s] keys=%v", schemaTypes(n.Inputs[0].Schema), op.Keys)
	case *planner.RankOp:
		return fmt.Sprintf("%s v1 in=[%s] partition=%v order=%v range=%d..%d rn=%t retract=%t", strings.ToLower(n.Name()),
			schemaTypes(n.Inputs[0].Schema), op.PartitionKeys, op.OrderKeys, op.RankStart, op.RankEnd, op.OutputRankNumber, op.Retract)
	}
	return strings.ToLower(n.Name()) + " (stateless)"
}

// writeAggLayout writes an aggregation's key and accumulator types:
// keys=[STRING] aggs=[COUNT(false,*,true)->BIGINT,...].
func writeAggLayout(b *strings.Builder, in planner.Schema, keys []int, aggs []planner.AggCall) {
	b.WriteString("keys=[")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(in[k].Type.WithoutRowtime().Nullable().String())
	}
	b.WriteString("] aggs=[")
	for i, a := range aggs {
		if i > 0 {
			b.WriteByte(',')
		}
		arg := "*"
		if a.Arg >= 0 {
			arg = in[a.Arg].Type.WithoutRowtime().Nullable().String()
		}
		fmt.Fprintf(b, "%s(%t,%s,%t)->%s", strings.ToUpper(a.Func), a.Distinct, arg, a.Filter >= 0, a.T.Nullable().String())
	}
	b.WriteByte(']')
}
