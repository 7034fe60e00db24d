package planner

import (
	"strconv"
	"strings"
)

// EXPLAIN output: "== Logical Plan ==" and "== Physical Plan ==" trees,
// indented as Flink (Calcite) indents them:
//
//	Sink(...)
//	+- Calc(...)
//	   +- WindowJoin(...)
//	      :- Calc(...)
//	      +- Calc(...)
//
// Every node line ends with its output columns and types; physical nodes
// also print their changelog mode ([I]: insert-only).

// Explain prints the job's plan (all its sinks), or, when the file has
// nothing to run, the plans of its EXPLAIN statements.
func (j *Job) Explain() string {
	if j.Graph == nil {
		if s := j.ExplainStatements(); s != "" {
			return s
		}
		return "== Logical Plan ==\n(nothing to run: the file has no INSERT and no SELECT)\n"
	}
	return explainText(j.Logical, j.Graph)
}

// ExplainStatements prints the plans of the file's EXPLAIN statements, ""
// when it has none.
func (j *Job) ExplainStatements() string {
	var parts []string
	for _, e := range j.Explains {
		parts = append(parts, e.Text())
	}
	return strings.Join(parts, "\n")
}

// Text prints an EXPLAIN statement's plan.
func (e *Explained) Text() string { return explainText(e.Logical, e.Graph) }

func explainText(logical []*LogicalNode, g *Graph) string {
	var b strings.Builder
	b.WriteString("== Logical Plan ==\n")
	for i, l := range logical {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeLogical(&b, l, "", "")
	}
	b.WriteString("\n== Physical Plan ==\n")
	if g != nil {
		var sinks []*Node
		for _, n := range g.Nodes {
			if _, ok := n.Op.(*SinkOp); ok {
				sinks = append(sinks, n)
			}
		}
		rp := &reusePrinter{shared: map[*Node]bool{}, ids: map[*Node]int{}, parallel: runsParallel(g)}
		for n, cs := range consumerMap(g.Nodes) {
			rp.shared[n] = len(cs) > 1
		}
		for i, s := range sinks {
			if i > 0 {
				b.WriteByte('\n')
			}
			rp.write(&b, s, "", "")
		}
	}
	return b.String()
}

func schemaText(s Schema) string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.Name + " " + c.Type.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func writeLogical(b *strings.Builder, n *LogicalNode, first, rest string) {
	if n == nil {
		return
	}
	b.WriteString(first + n.Name + "(" + strings.Join(n.Attrs, ", ") + ") -> " + schemaText(n.Schema) + "\n")
	for i, in := range n.Inputs {
		if i < len(n.Inputs)-1 {
			writeLogical(b, in, rest+":- ", rest+":  ")
		} else {
			writeLogical(b, in, rest+"+- ", rest+"   ")
		}
	}
}

// reusePrinter prints a node read by several consumers (a shared source)
// once, as Flink does: the first time with (reuse_id=[N]) after it, later
// as Reused(reference_id=[N]).
type reusePrinter struct {
	shared map[*Node]bool
	ids    map[*Node]int
	// parallel: some node runs as several subtasks, so every node prints
	// its parallelism (a job of one subtask prints as Flink's EXPLAIN)
	parallel bool
}

// runsParallel reports whether some node of g runs as several subtasks.
func runsParallel(g *Graph) bool {
	for _, n := range g.Nodes {
		if n.subtasks() > 1 {
			return true
		}
	}
	return false
}

// subtasks is how many subtasks n runs as: what the runtime decided
// (Subtasks) once it built the job, the plan's parallelism before.
func (n *Node) subtasks() int {
	if n.Subtasks > 0 {
		return n.Subtasks
	}
	return max(1, n.Parallelism)
}

func (rp *reusePrinter) write(b *strings.Builder, n *Node, first, rest string) {
	if id, ok := rp.ids[n]; ok {
		b.WriteString(first + "Reused(reference_id=[" + strconv.Itoa(id) + "])\n")
		return
	}
	attrs := append(nodeAttrs(n), "changelogMode="+n.ChangelogMode())
	if len(n.UpsertKeys) > 0 {
		attrs = append(attrs, "upsertKeys=[["+colNames(n.Schema, n.UpsertKeys)+"]]")
	}
	if rp.parallel {
		attrs = append(attrs, "parallelism=["+strconv.Itoa(n.subtasks())+"]")
	}
	reuse := ""
	if rp.shared[n] {
		rp.ids[n] = len(rp.ids) + 1
		reuse = "(reuse_id=[" + strconv.Itoa(rp.ids[n]) + "])"
	}
	b.WriteString(first + n.Name() + "(" + strings.Join(attrs, ", ") + ")" + reuse + " -> " + schemaText(n.Schema) + "\n")
	for i, in := range n.Inputs {
		first, next := rest+"+- ", rest+"   "
		if i < len(n.Inputs)-1 {
			first, next = rest+":- ", rest+":  "
		}
		if i < len(n.InputDists) && n.InputDists[i].exchanged() {
			// an Exchange node between the two, as Flink prints it
			b.WriteString(first + "Exchange(distribution=[" + n.InputDists[i].Text(in.Schema) + "], changelogMode=" + in.ChangelogMode() + ") -> " + schemaText(in.Schema) + "\n")
			first, next = next+"+- ", next+"   "
		}
		rp.write(b, in, first, next)
	}
}

// secretKeys are option-key fragments whose values are never printed:
// not by EXPLAIN, not in errors (connector.IsSecret), and the connector
// docs say so. "keystore.key" is Kafka's 'ssl.keystore.key', a PEM
// private key given inline.
var secretKeys = []string{"password", "secret", "jaas", "sasl", "keystore.key"}

// IsSecretOption reports whether the value of option key must never be
// printed.
func IsSecretOption(key string) bool {
	k := strings.ToLower(key)
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// MaskOption returns value, or ****** when key names a secret.
func MaskOption(key, value string) string {
	if IsSecretOption(key) {
		return "******"
	}
	return value
}

func optionsText(t *TableDesc) string {
	var parts []string
	for _, o := range t.Options {
		parts = append(parts, o.Key+"="+MaskOption(o.Key, o.Value))
	}
	return "options=[" + strings.Join(parts, ", ") + "]"
}

func colNames(s Schema, idx []int) string {
	var parts []string
	for _, i := range idx {
		if i >= 0 && i < len(s) {
			parts = append(parts, s[i].Name)
		}
	}
	return strings.Join(parts, ", ")
}

func nodeAttrs(n *Node) []string {
	var in Schema
	if len(n.Inputs) > 0 {
		in = n.Inputs[0].Schema
	}
	switch op := n.Op.(type) {
	case *SourceOp:
		a := []string{"table=[" + op.Table.Name + "]"}
		var fields []string
		for _, i := range op.ReadColumns {
			fields = append(fields, op.Table.Columns[i].Name)
		}
		a = append(a, "project=["+strings.Join(fields, ", ")+"]")
		if op.Watermark != nil {
			a = append(a, "watermark=["+op.Watermark.String()+"]")
		}
		for i, c := range op.Computed {
			if c != nil && containsInt(op.ReadColumns, i) {
				a = append(a, "computed=["+c.String()+" AS "+op.Table.Columns[i].Name+"]")
			}
		}
		return append(a, optionsText(op.Table))
	case *CalcOp:
		var items []string
		for i, e := range op.Projections {
			items = append(items, aliased(e, n.Schema[i].Name))
		}
		a := []string{"select=[" + strings.Join(items, ", ") + "]"}
		if op.Filter != nil {
			a = append(a, "where=["+op.Filter.String()+"]")
		}
		return a
	case *WindowAggOp:
		sel := append(aggSelect(in, op.GroupKeys, op.Aggs), "start('w$) AS window_start", "end('w$) AS window_end", "rowtime('w$) AS window_time")
		a := []string{}
		if len(op.GroupKeys) > 0 {
			a = append(a, "groupBy=["+colNames(in, op.GroupKeys)+"]")
		}
		a = append(a, "window=["+windowSpecText(op.Window, in)+"]", "select=["+strings.Join(sel, ", ")+"]")
		return a
	case *ChangelogNormalizeOp:
		return []string{"key=[" + colNames(in, op.Keys) + "]"}
	case *GroupAggOp:
		return groupAggAttrs(in, op)
	case *ExpandOp:
		return expandAttrs(in, op)
	case *RankOp:
		return rankAttrs(n, op)
	case *OverAggOp:
		return overAttrs(in, op)
	case *WindowTVFOp:
		return []string{"window=[" + windowSpecText(op.Window, in) + "]"}
	case *JoinOp:
		return joinAttrs(n, op)
	case *IntervalJoinOp:
		return intervalJoinAttrs(n, op)
	case *TemporalJoinOp:
		return temporalJoinAttrs(n, op)
	case *WindowJoinOp:
		l, r := n.Inputs[0].Schema, n.Inputs[1].Schema
		var keys []string
		for i := range op.LeftKeys {
			eq := "="
			if op.NullSafe[i] {
				eq = "IS NOT DISTINCT FROM"
			}
			keys = append(keys, eq+"("+l[op.LeftKeys[i]].Name+", "+r[op.RightKeys[i]].Name+")")
		}
		a := []string{"joinType=[" + op.Type.String() + "]",
			"leftKeys=[" + colNames(l, op.LeftKeys) + "]", "rightKeys=[" + colNames(r, op.RightKeys) + "]"}
		if len(keys) > 0 {
			a = append(a, "keys=["+strings.Join(keys, ", ")+"]")
		}
		if op.Condition != nil {
			a = append(a, "where=["+op.Condition.String()+"]")
		}
		a = append(a,
			"leftWindow=[window_start=["+l[op.LeftWindowStart].Name+"], window_end=["+l[op.LeftWindowEnd].Name+"]]",
			"rightWindow=[window_start=["+r[op.RightWindowStart].Name+"], window_end=["+r[op.RightWindowEnd].Name+"]]")
		return a
	case *UnionOp:
		return []string{"all=[true]"}
	case *SideOutputOp:
		var fields []string
		for i := range op.Fields {
			fields = append(fields, n.Schema[i].Name)
		}
		return []string{"kind=[" + op.Kind.String() + "]", "fields=[" + strings.Join(fields, ", ") + "]"}
	case *SinkOp:
		var fields []string
		for _, i := range op.Columns {
			fields = append(fields, op.Table.Columns[i].Name)
		}
		a := []string{"table=[" + op.Table.Name + "]", "fields=[" + strings.Join(fields, ", ") + "]"}
		return append(a, optionsText(op.Table))
	}
	return nil
}

func windowSpecText(s WindowSpec, in Schema) string {
	name := "?"
	if s.TimeCol >= 0 && s.TimeCol < len(in) {
		name = in[s.TimeCol].Name
	}
	var parts []string
	for _, k := range s.PartitionKeys {
		parts = append(parts, in[k].Name)
	}
	return windowText(s, name, parts)
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// aggSelect is an aggregation's select list as Flink prints it: the group
// keys, then each aggregate (`COUNT(DISTINCT x) FILTER $f2 AS n`).
func aggSelect(in Schema, keys []int, aggs []AggCall) []string {
	var sel []string
	if len(keys) > 0 {
		sel = strings.Split(colNames(in, keys), ", ")
	}
	for _, ag := range aggs {
		arg := "*"
		if ag.Arg >= 0 {
			arg = in[ag.Arg].Name
		}
		if ag.Distinct {
			arg = "DISTINCT " + arg
		}
		s := ag.Func + "(" + arg + ")"
		if ag.Filter >= 0 {
			s += " FILTER " + in[ag.Filter].Name
		}
		sel = append(sel, s+" AS "+ag.Name)
	}
	return sel
}

// groupAggAttrs: GroupAggregate(groupBy=[k], select=[k, COUNT(*) AS n]).
func groupAggAttrs(in Schema, op *GroupAggOp) []string {
	var a []string
	if len(op.GroupKeys) > 0 {
		a = append(a, "groupBy=["+colNames(in, op.GroupKeys)+"]")
	}
	return append(a, "select=["+strings.Join(aggSelect(in, op.GroupKeys, op.Aggs), ", ")+"]")
}
