package planner

import (
	"sort"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Side outputs (streamsql extensions, docs/operations.md): rows Flink
// only counts can be kept in a table the user declares.
//
//   - SET 'table.exec.late-rows.table' = 'T': every window aggregation and
//     window join hands the rows it drops as late to T.
//   - 'dead-letter.table' = 'T' on a source table: records that fail to
//     decode go to T and never stop the job.
//
// The declared table's columns are matched by name. The pass runs after
// the graph is finished (pruned, shared sources): it adds a SideOutputOp
// node per producing operator, a CAST Calc when a declared type differs,
// a Union when several operators feed one table, and one SinkOp per table.
// Source columns a late table wants that the query does not read are
// passed through the Calcs below the window operator, appended at the end
// so no existing column moves; none of this happens when the options are
// not set.

// LateRowsSetting names the late-rows table (SET).
const LateRowsSetting = "table.exec.late-rows.table"

// DeadLetterOption names a source's dead-letter table (WITH).
const DeadLetterOption = "dead-letter.table"

// deadLetterFields are the dead-letter columns and their types; "raw" is
// STRING or BYTES as declared.
var deadLetterFields = map[string]types.Type{
	"raw": types.TString, "error": types.TString, "location": types.TString, "topic": types.TString,
	"partition": types.TInt, "offset": types.TBigInt, "line": types.TBigInt,
}

// sideTarget collects the side outputs writing to one table.
type sideTarget struct {
	table *TableDesc
	cols  []int   // table columns written, in order
	nodes []*Node // side output nodes (after any CAST Calc), schema = cols
}

// addSideOutputs adds late-row and dead-letter outputs to a finished graph.
// settingPos is where the late-rows SET statement is (for errors).
func (p *planner) addSideOutputs(g *Graph, settingPos sql.Pos) error {
	if g == nil {
		return nil
	}
	var targets []*sideTarget
	target := func(name string, pos sql.Pos, what string) (*sideTarget, error) {
		for _, t := range targets {
			if t.table.Name == name {
				return t, nil
			}
		}
		t, ok := p.cat.tables[name]
		if !ok {
			return nil, errAt(pos, "%s: unknown table %q%s", what, name, didYouMean(name, p.cat.names(), "tables"))
		}
		st := &sideTarget{table: t}
		targets = append(targets, st)
		return st, nil
	}
	for _, n := range g.Nodes {
		src, ok := n.Op.(*SourceOp)
		if !ok {
			continue
		}
		name, ok := src.Table.Option(DeadLetterOption)
		if !ok {
			continue
		}
		pos := optionPos(src.Table, DeadLetterOption)
		what := "table " + src.Table.Name + ": '" + DeadLetterOption + "'"
		if name == src.Table.Name {
			return errAt(pos, "%s names the table itself; declare a separate table for malformed records", what)
		}
		t, err := target(name, pos, what)
		if err != nil {
			return err
		}
		if err := p.deadLetter(t, n, pos, what); err != nil {
			return err
		}
	}
	if name, ok := g.Settings[LateRowsSetting]; ok && name != "" {
		what := "SET '" + LateRowsSetting + "'"
		var t *sideTarget
		for _, n := range g.Nodes {
			switch n.Op.(type) {
			case *WindowAggOp, *WindowJoinOp, *OverAggOp:
			default:
				continue
			}
			if t == nil {
				var err error
				if t, err = target(name, settingPos, what); err != nil {
					return err
				}
			}
			if err := p.lateRows(t, n, settingPos, what); err != nil {
				return err
			}
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var sinks []*Node
	for _, n := range g.Nodes {
		if _, ok := n.Op.(*SinkOp); ok {
			sinks = append(sinks, n)
		}
	}
	for _, t := range targets {
		in := t.nodes[0]
		if len(t.nodes) > 1 {
			in = newNode(&UnionOp{}, in.Schema, -1, t.nodes...)
		}
		sinks = append(sinks, newNode(&SinkOp{Table: t.table, Columns: t.cols}, in.Schema, -1, in))
	}
	g.Nodes = topo(sinks)
	for i, n := range g.Nodes {
		n.ID = i
	}
	return nil
}

func optionPos(t *TableDesc, key string) sql.Pos {
	for _, o := range t.Options {
		if o.Key == key {
			return o.Pos
		}
	}
	return t.Pos
}

// sideColumns lists the declared table's writable physical columns.
func sideColumns(t *TableDesc) []int {
	var cols []int
	for i := range t.Columns {
		if t.Kinds[i] == sql.PhysicalColumn {
			cols = append(cols, i)
		}
	}
	return cols
}

// deadLetter adds the dead-letter output of source node n.
func (p *planner) deadLetter(t *sideTarget, n *Node, pos sql.Pos, what string) error {
	var fields []SideField
	var schema Schema
	cols := sideColumns(t.table)
	for _, ci := range cols {
		c := t.table.Columns[ci]
		nat, ok := deadLetterFields[c.Name]
		if !ok {
			return errAt(pos, "%s: column %q of table %q matches no dead-letter field (raw, error, location, topic, partition, offset, line)", what, c.Name, t.table.Name)
		}
		if c.Name == "raw" {
			if c.Type.Kind != types.String && c.Type.Kind != types.Bytes {
				return errAt(pos, "%s: column \"raw\" of table %q must be STRING or BYTES, not %s", what, t.table.Name, c.Type)
			}
			nat = types.Type{Kind: c.Type.Kind}
		}
		fields = append(fields, SideField{Special: c.Name, Input: [2]int{-1, -1}})
		schema = append(schema, Column{Name: c.Name, Type: nat})
	}
	return p.addSide(t, cols, newNode(&SideOutputOp{Kind: SideDeadLetter, Fields: fields}, schema, -1, n), pos, what)
}

// lateRows adds the late-row output of window operator n.
func (p *planner) lateRows(t *sideTarget, n *Node, pos sql.Pos, what string) error {
	wmType := types.TTimestampLTZ
	if agg, ok := n.Op.(*WindowAggOp); ok {
		if tc := agg.Window.TimeCol; tc >= 0 && tc < len(n.Inputs[0].Schema) {
			wmType = types.Type{Kind: n.Inputs[0].Schema[tc].Type.Kind, Precision: 3}
		}
	} else if r := n.Inputs[0].Rowtime; r >= 0 {
		wmType = types.Type{Kind: n.Inputs[0].Schema[r].Type.Kind, Precision: 3}
	}
	var fields []SideField
	var schema Schema
	cols := sideColumns(t.table)
	for _, ci := range cols {
		c := t.table.Columns[ci]
		f := SideField{Input: [2]int{-1, -1}}
		var nat types.Type
		switch c.Name {
		case "window_start", "window_end":
			f.Special, nat = c.Name, types.TTimestamp3
		case "current_watermark":
			f.Special, nat = c.Name, wmType
		default:
			found := false
			for side, in := range n.Inputs {
				idx := sourceColumn(in, c.Name)
				if idx < 0 {
					continue
				}
				f.Input[side] = idx
				if !found {
					nat = in.Schema[idx].Type.WithoutRowtime().Nullable()
				}
				found = true
			}
			if !found {
				var avail []string
				for _, in := range n.Inputs {
					avail = append(avail, sourceNames(in)...)
				}
				avail = append(avail, "window_start", "window_end", "current_watermark")
				return errAt(pos, "%s: column %q of table %q matches no column of the late rows of %s (columns: %s)%s", what, c.Name, t.table.Name, n.Name(), strings.Join(avail, ", "), didYouMean(c.Name, avail, "columns"))
			}
		}
		fields = append(fields, f)
		schema = append(schema, Column{Name: c.Name, Type: nat})
	}
	return p.addSide(t, cols, newNode(&SideOutputOp{Kind: SideLateRows, Fields: fields}, schema, -1, n), pos, what)
}

// addSide checks the side output's types against the table, adds a CAST
// Calc where they differ, and records the node under its target.
func (p *planner) addSide(t *sideTarget, cols []int, side *Node, pos sql.Pos, what string) error {
	if t.cols == nil {
		t.cols = cols
	}
	projs := make([]Expr, len(cols))
	schema := make(Schema, len(cols))
	cast := false
	for i, ci := range cols {
		from, to := side.Schema[i].Type, t.table.Columns[ci].Type.WithoutRowtime()
		var e Expr = &ColRef{Index: i, Name: side.Schema[i].Name, T: from}
		timeCast := from.Kind.IsTimestamp() && to.Kind.IsTimestamp() && side.Schema[i].Name == "current_watermark"
		if !implicitCast(from, to) && !timeCast {
			return errAt(pos, "%s: column %q of table %q is %s but the value written there is %s; declare it as %s", what, t.table.Columns[ci].Name, t.table.Name, to, from, from.WithoutRowtime().Nullable())
		}
		if !sameStorage(from, to) {
			ct := to
			ct.NotNull = false
			e = &Call{Func: "CAST", Args: []Expr{e}, T: ct}
			cast = true
		}
		projs[i] = e
		schema[i] = Column{Name: t.table.Columns[ci].Name, Type: to}
	}
	out := side
	if cast {
		out = newNode(&CalcOp{Projections: projs}, schema, -1, side)
	}
	t.nodes = append(t.nodes, out)
	return nil
}

// sourceColumn returns the column of n's output that carries, unchanged,
// the source table column called name, passing it through the Calcs
// down to the source when the query does not read it; -1 when n's
// lineage (Calcs down to one source) has no such column.
func sourceColumn(n *Node, name string) int {
	for i, c := range n.Schema {
		if c.Name == name {
			if tn, ok := traceSource(n, i); ok && tn == name {
				return i
			}
		}
	}
	return passThrough(n, name)
}

// traceSource follows column i of n through pass-through Calcs to the
// source table column it is, and returns that column's name.
func traceSource(n *Node, i int) (string, bool) {
	for {
		switch op := n.Op.(type) {
		case *SourceOp:
			return op.Table.Columns[op.ReadColumns[i]].Name, true
		case *CalcOp:
			r, ok := op.Projections[i].(*ColRef)
			if !ok {
				return "", false
			}
			n, i = n.Inputs[0], r.Index
		case *WindowTVFOp:
			if i >= len(n.Inputs[0].Schema) {
				return "", false // window_start, window_end, window_time
			}
			n = n.Inputs[0]
		default:
			return "", false
		}
	}
}

// passThrough appends the source column called name to n's output (and
// to the Calcs and source below it), returning its index, or -1 when n is
// not a chain of Calcs over a source with such a column.
func passThrough(n *Node, name string) int {
	switch op := n.Op.(type) {
	case *SourceOp:
		ti := op.Table.Columns.Index(name)
		if ti < 0 {
			return -1
		}
		for i, r := range op.ReadColumns {
			if r == ti {
				return i
			}
		}
		op.ReadColumns = append(op.ReadColumns, ti)
		n.Schema = append(n.Schema, Column{Name: name, Type: op.Table.Columns[ti].Type.WithoutRowtime()})
		return len(n.Schema) - 1
	case *CalcOp:
		below := passThrough(n.Inputs[0], name)
		if below < 0 {
			return -1
		}
		for i, e := range op.Projections {
			if r, ok := e.(*ColRef); ok && r.Index == below && n.Schema[i].Name == name {
				return i
			}
		}
		t := n.Inputs[0].Schema[below].Type.WithoutRowtime()
		op.Projections = append(op.Projections, &ColRef{Index: below, Name: name, T: t})
		n.Schema = append(n.Schema, Column{Name: name, Type: t})
		return len(n.Schema) - 1
	}
	return -1
}

// sourceNames lists the source table columns n's lineage can pass on.
func sourceNames(n *Node) []string {
	for {
		switch op := n.Op.(type) {
		case *SourceOp:
			var names []string
			for _, c := range op.Table.Columns {
				names = append(names, c.Name)
			}
			sort.Strings(names)
			return names
		case *CalcOp:
			n = n.Inputs[0]
		default:
			var names []string
			for i, c := range n.Schema {
				if tn, ok := traceSource(n, i); ok && tn == c.Name {
					names = append(names, c.Name)
				}
			}
			return names
		}
	}
}

// lateSettingPos is where the (last) SET of the late-rows table is.
func lateSettingPos(settings []Setting) sql.Pos {
	var pos sql.Pos
	for _, s := range settings {
		if s.Key == LateRowsSetting && !s.Reset {
			pos = s.Pos
		}
	}
	return pos
}
