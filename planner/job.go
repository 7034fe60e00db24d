package planner

import (
	"sort"
	"strings"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Job is a planned .sql file.
type Job struct {
	File    string
	Catalog *Catalog
	// Settings are the SET and RESET statements in file order.
	Settings []Setting
	// Graph is the physical plan of all INSERTs of the file (or of its bare
	// SELECTs when it has no INSERT), nil when there is nothing to run.
	Graph *Graph
	// Logical holds one logical tree per sink, for EXPLAIN.
	Logical []*LogicalNode
	// Stdout is true when the Graph's sinks are implicit print sinks of
	// bare SELECT statements: results go to standard output.
	Stdout bool
	// Explains are the EXPLAIN statements of the file, planned on their own.
	Explains []*Explained
}

// Setting is one SET or RESET statement.
type Setting struct {
	Pos   sql.Pos
	Key   string // "" for RESET of everything (or a bare SET, which lists)
	Value string
	Reset bool
}

// Explained is the plan of one EXPLAIN statement's target.
type Explained struct {
	Pos     sql.Pos
	Logical []*LogicalNode
	Graph   *Graph
	Stdout  bool
}

// LogicalNode is one node of the logical plan (before physical
// translation), kept for EXPLAIN.
type LogicalNode struct {
	Name   string   // LogicalProject, LogicalAggregate, ...
	Attrs  []string // "key=[value]" items as EXPLAIN prints them
	Schema Schema
	Inputs []*LogicalNode
}

// ViewDesc is a CREATE VIEW: its query is planned anew at each use.
type ViewDesc struct {
	Name    string
	Pos     sql.Pos
	Columns []string
	Query   sql.Query
	Schema  Schema
}

// Catalog holds the tables and views a file defines, in definition order.
type Catalog struct {
	Tables []*TableDesc
	Views  []*ViewDesc
	tables map[string]*TableDesc
	views  map[string]*ViewDesc
	extra  map[string]*tableExtra
}

// tableExtra is what the source of a table needs beyond TableDesc.
type tableExtra struct {
	computed []Expr
	wmCol    int
	wm       Expr
}

func newCatalog() *Catalog {
	return &Catalog{tables: map[string]*TableDesc{}, views: map[string]*ViewDesc{}, extra: map[string]*tableExtra{}}
}

// Table returns a table by name.
func (c *Catalog) Table(name string) (*TableDesc, bool) {
	t, ok := c.tables[name]
	return t, ok
}

func (c *Catalog) names() []string {
	var n []string
	for _, t := range c.Tables {
		n = append(n, t.Name)
	}
	for _, v := range c.Views {
		n = append(n, v.Name)
	}
	return n
}

// Plan plans a parsed file: its catalog, settings, and one physical graph
// for all its INSERTs (or its bare SELECTs). Errors are *sql.Error.
func Plan(script *sql.Script) (*Job, error) {
	p := &planner{cat: newCatalog()}
	job := &Job{File: script.File, Catalog: p.cat}
	settings := map[string]string{}
	p.settings = settings
	main := &graphBuilder{}
	var selects []*sql.QueryStatement
	var graphSettings map[string]string
	snapshot := func() map[string]string {
		m := make(map[string]string, len(settings))
		for k, v := range settings {
			m[k] = v
		}
		return m
	}
	for _, st := range script.Statements {
		switch st := st.(type) {
		case *sql.CreateTable:
			if err := p.createTable(st); err != nil {
				return nil, err
			}
		case *sql.CreateView:
			if err := p.createView(st); err != nil {
				return nil, err
			}
		case *sql.Set:
			if err := CheckSetting(st); err != nil {
				return nil, err
			}
			job.Settings = append(job.Settings, Setting{Pos: st.Pos, Key: st.Key, Value: st.Value})
			if st.Key != "" {
				settings[st.Key] = st.Value
			}
		case *sql.Reset:
			job.Settings = append(job.Settings, Setting{Pos: st.Pos, Key: st.Key, Reset: true})
			if st.Key == "" {
				settings = map[string]string{}
				p.settings = settings
			} else {
				delete(settings, st.Key)
			}
		case *sql.Insert:
			if err := p.planInsert(main, st); err != nil {
				return nil, err
			}
			graphSettings = snapshot()
		case *sql.StatementSet:
			for _, ins := range st.Inserts {
				if err := p.planInsert(main, ins); err != nil {
					return nil, err
				}
			}
			graphSettings = snapshot()
		case *sql.QueryStatement:
			selects = append(selects, st)
		case *sql.Explain:
			gb := &graphBuilder{}
			ex := &Explained{Pos: st.Pos}
			var err error
			switch t := st.Stmt.(type) {
			case *sql.Insert:
				err = p.planInsert(gb, t)
			case *sql.StatementSet:
				for _, ins := range t.Inserts {
					if err = p.planInsert(gb, ins); err != nil {
						break
					}
				}
			case *sql.QueryStatement:
				err = p.planPrint(gb, t)
				ex.Stdout = true
			default:
				err = errAt(st.Pos, "EXPLAIN takes a query, an INSERT or a statement set")
			}
			if err != nil {
				return nil, err
			}
			ex.Graph = gb.finish(snapshot())
			if err := inferChangelog(ex.Graph); err != nil {
				return nil, err
			}
			if err := p.addSideOutputs(ex.Graph, lateSettingPos(job.Settings)); err != nil {
				return nil, err
			}
			if err := checkPathOverlap(ex.Graph); err != nil {
				return nil, err
			}
			if err := distribute(ex.Graph, job.Settings); err != nil {
				return nil, err
			}
			ex.Logical = gb.logical
			job.Explains = append(job.Explains, ex)
		default:
			return nil, errAt(st.Position(), "unsupported statement %T", st)
		}
	}
	if len(selects) > 0 {
		if len(main.sinks) > 0 {
			return nil, errAt(selects[0].Pos, "this file has INSERT statements, so a bare SELECT cannot also run in it: put the SELECT in a file of its own or INSERT its result into a table")
		}
		for _, s := range selects {
			if err := p.planPrint(main, s); err != nil {
				return nil, err
			}
		}
		job.Stdout = true
		graphSettings = snapshot()
	}
	if len(main.sinks) > 0 {
		job.Graph = main.finish(graphSettings)
		if err := inferChangelog(job.Graph); err != nil {
			return nil, err
		}
		if err := p.addSideOutputs(job.Graph, lateSettingPos(job.Settings)); err != nil {
			return nil, err
		}
		if err := checkPathOverlap(job.Graph); err != nil {
			return nil, err
		}
		if err := distribute(job.Graph, job.Settings); err != nil {
			return nil, err
		}
		job.Logical = main.logical
	}
	return job, nil
}

// ---------------------------------------------------------------- catalog

func (p *planner) nameTaken(name string) bool {
	_, t := p.cat.tables[name]
	_, v := p.cat.views[name]
	return t || v
}

func (p *planner) createTable(st *sql.CreateTable) error {
	if p.nameTaken(st.Name) {
		if st.IfNotExists {
			return nil
		}
		return errAt(st.Pos, "table or view %q already exists (use CREATE TABLE IF NOT EXISTS to keep the first definition)", st.Name)
	}
	t := &TableDesc{Name: st.Name, Pos: st.Pos, Options: st.Options, PrimaryKey: st.PrimaryKey}
	conn, ok := t.Option("connector")
	if !ok || strings.TrimSpace(conn) == "" {
		at := st.Pos
		if len(st.Options) > 0 {
			at = st.Options[0].Pos
		}
		return errAt(at, "table %q has no 'connector' option: add WITH ('connector' = '...') naming one of the connectors (e.g. kafka, filesystem, print, blackhole, datagen)", st.Name)
	}
	t.Connector = conn
	seen := map[string]bool{}
	n := len(st.Columns)
	t.Columns = make(Schema, n)
	t.Kinds = make([]sql.ColumnKind, n)
	t.MetadataKeys = make([]string, n)
	t.Virtual = make([]bool, n)
	x := &tableExtra{computed: make([]Expr, n), wmCol: -1}
	phys := &rel{}
	for i, c := range st.Columns {
		if seen[c.Name] {
			return errAt(c.Pos, "column %q is defined twice in table %q", c.Name, st.Name)
		}
		seen[c.Name] = true
		t.Kinds[i] = c.Kind
		t.Columns[i] = Column{Name: c.Name, Type: c.Type}
		if c.Kind == sql.MetadataColumn {
			t.MetadataKeys[i] = c.MetadataKey
			if t.MetadataKeys[i] == "" {
				t.MetadataKeys[i] = c.Name
			}
			t.Virtual[i] = c.Virtual
		}
		if c.Kind != sql.ComputedColumn {
			phys.cols = append(phys.cols, scopeCol{name: c.Name, t: c.Type, idx: i})
		}
	}
	// Computed columns: typed over the physical and metadata columns.
	for i, c := range st.Columns {
		if c.Kind != sql.ComputedColumn {
			continue
		}
		e, err := (&binder{r: phys}).bind(c.Expr)
		if err != nil {
			return err
		}
		if a := firstAggregate(c.Expr); a != nil {
			return errAt(a.Pos, "a computed column cannot use an aggregate function")
		}
		x.computed[i] = e
		t.Columns[i].Type = e.Type().WithoutRowtime()
	}
	for _, k := range st.PrimaryKey {
		if !seen[k] {
			return errAt(st.Pos, "PRIMARY KEY column %q is not a column of table %q", k, st.Name)
		}
	}
	if wm := st.Watermark; wm != nil {
		all := &rel{}
		for i, c := range t.Columns {
			all.cols = append(all.cols, scopeCol{name: c.Name, t: c.Type, idx: i})
		}
		idx := -1
		for i, c := range t.Columns {
			if c.Name == wm.Column {
				idx = i
			}
		}
		if idx < 0 {
			var names []string
			for _, c := range t.Columns {
				names = append(names, c.Name)
			}
			return errAt(wm.Pos, "the rowtime attribute field %q is not defined in the table schema%s", wm.Column, didYouMean(wm.Column, names, "fields"))
		}
		ct := t.Columns[idx].Type
		if !validRowtime(ct) {
			return errAt(wm.Pos, "invalid data type of time field for watermark definition: the field must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p) with precision p from 0 to 3, but the time field type of %q is %s", wm.Column, ct)
		}
		t.Columns[idx].Type.Rowtime = true
		all.cols[idx].t.Rowtime = true
		e, err := (&binder{r: all}).bind(wm.Expr)
		if err != nil {
			return err
		}
		if !validRowtime(e.Type()) {
			return errAt(wm.Expr.Position(), "invalid data type of expression for watermark definition: the expression must be of type TIMESTAMP(p) or TIMESTAMP_LTZ(p) with precision p from 0 to 3, but it is %s", e.Type().WithoutRowtime())
		}
		x.wmCol, x.wm = idx, e
	}
	p.cat.tables[t.Name] = t
	p.cat.extra[t.Name] = x
	p.cat.Tables = append(p.cat.Tables, t)
	return nil
}

func validRowtime(t types.Type) bool {
	return t.Kind.IsTimestamp() && t.Precision <= 3
}

func (p *planner) createView(st *sql.CreateView) error {
	if p.nameTaken(st.Name) {
		if st.IfNotExists {
			return nil
		}
		return errAt(st.Pos, "table or view %q already exists (use CREATE VIEW IF NOT EXISTS to keep the first definition)", st.Name)
	}
	// Bind now to report errors at the definition.
	r, err := p.planQuery(st.Query)
	if err != nil {
		return err
	}
	if r, err = p.materialize(r); err != nil {
		return err
	}
	schema := append(Schema(nil), r.node.Schema...)
	if len(st.Columns) > 0 {
		if len(st.Columns) != len(schema) {
			return errAt(st.Pos, "view %q names %d columns but its query has %d", st.Name, len(st.Columns), len(schema))
		}
		for i := range schema {
			schema[i].Name = st.Columns[i]
		}
	}
	v := &ViewDesc{Name: st.Name, Pos: st.Pos, Columns: st.Columns, Query: st.Query, Schema: schema}
	p.cat.views[v.Name] = v
	p.cat.Views = append(p.cat.Views, v)
	return nil
}

// ---------------------------------------------------------------- sinks

// graphBuilder collects the sinks of one job.
type graphBuilder struct {
	sinks   []*Node
	logical []*LogicalNode
}

func (p *planner) planInsert(g *graphBuilder, ins *sql.Insert) error {
	t, ok := p.cat.tables[ins.Table]
	if !ok {
		if _, isView := p.cat.views[ins.Table]; isView {
			return errAt(ins.TablePos, "cannot INSERT INTO view %q: insert into a table", ins.Table)
		}
		return errAt(ins.TablePos, "unknown table %q%s", ins.Table, didYouMean(ins.Table, p.cat.names(), "tables"))
	}
	r, err := p.planQuery(ins.Query)
	if err != nil {
		return err
	}
	if r, err = p.materialize(r); err != nil {
		return err
	}
	writable := func(i int) bool {
		return t.Kinds[i] == sql.PhysicalColumn || (t.Kinds[i] == sql.MetadataColumn && !t.Virtual[i])
	}
	var targets []int
	if len(ins.Columns) > 0 {
		for _, name := range ins.Columns {
			idx := t.Columns.Index(name)
			if idx < 0 {
				var names []string
				for i, c := range t.Columns {
					if writable(i) {
						names = append(names, c.Name)
					}
				}
				return errAt(ins.TablePos, "unknown column %q of table %q%s", name, t.Name, didYouMean(name, names, "columns"))
			}
			if !writable(idx) {
				return errAt(ins.TablePos, "column %q of table %q is computed or a virtual metadata column and cannot be written", name, t.Name)
			}
			targets = append(targets, idx)
		}
	} else {
		for i := range t.Columns {
			if writable(i) {
				targets = append(targets, i)
			}
		}
	}
	qs := r.node.Schema
	schemaText := func(s Schema, idx []int) string {
		var parts []string
		if idx == nil {
			for _, c := range s {
				parts = append(parts, c.Name+" "+c.Type.WithoutRowtime().String())
			}
		} else {
			for _, i := range idx {
				parts = append(parts, s[i].Name+" "+s[i].Type.WithoutRowtime().String())
			}
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if len(qs) != len(targets) {
		return errAt(ins.Query.Position(), "INSERT INTO %s: the query has %d columns but the sink takes %d; query schema: %s, sink schema: %s", t.Name, len(qs), len(targets), schemaText(qs, nil), schemaText(t.Columns, targets))
	}
	projs, names := identity(r)
	needCast := false
	for i, ti := range targets {
		from, to := qs[i].Type, t.Columns[ti].Type
		if !implicitCast(from, to) {
			at := ins.Query.Position()
			if i < len(r.pos) {
				at = r.pos[i]
			}
			return errAt(at, "INSERT INTO %s: column %q (position %d) has type %s in the query but %s in the sink, and Flink does not cast %s to %s implicitly; add an explicit CAST", t.Name, t.Columns[ti].Name, i+1, from.WithoutRowtime(), to.WithoutRowtime(), from.Kind, to.Kind)
		}
		if from.Kind == types.Null || !sameStorage(from, to) {
			ct := to.WithoutRowtime()
			ct.NotNull = false
			projs[i] = &Call{Func: "CAST", Args: []Expr{projs[i]}, T: ct}
			needCast = true
		}
		names[i] = t.Columns[ti].Name
	}
	if needCast {
		lg := r.lg
		r = p.calc(r, projs, names, nil)
		r.lg = lg
	}
	sinkSchema := make(Schema, len(targets))
	var fields []string
	for i, ti := range targets {
		sinkSchema[i] = Column{Name: t.Columns[ti].Name, Type: t.Columns[ti].Type.WithoutRowtime()}
		fields = append(fields, t.Columns[ti].Name)
	}
	sink := newNode(&SinkOp{Table: t, Columns: targets, Pos: ins.Pos}, sinkSchema, -1, r.node)
	g.sinks = append(g.sinks, sink)
	g.logical = append(g.logical, &LogicalNode{Name: "LogicalSink", Attrs: []string{"table=[" + t.Name + "]", "fields=[" + strings.Join(fields, ", ") + "]"}, Schema: sinkSchema, Inputs: []*LogicalNode{r.lg}})
	return nil
}

// planPrint plans a bare SELECT into an implicit print sink.
func (p *planner) planPrint(g *graphBuilder, q *sql.QueryStatement) error {
	r, err := p.planQuery(q.Query)
	if err != nil {
		return err
	}
	if r, err = p.materialize(r); err != nil {
		return err
	}
	t := &TableDesc{Name: "stdout", Pos: q.Pos, Connector: "print", Options: []sql.Option{{Pos: q.Pos, Key: "connector", Value: "print"}}}
	var targets []int
	var fields []string
	for i, c := range r.node.Schema {
		t.Columns = append(t.Columns, Column{Name: c.Name, Type: c.Type.WithoutRowtime()})
		t.Kinds = append(t.Kinds, sql.PhysicalColumn)
		t.MetadataKeys = append(t.MetadataKeys, "")
		t.Virtual = append(t.Virtual, false)
		targets = append(targets, i)
		fields = append(fields, c.Name)
	}
	sink := newNode(&SinkOp{Table: t, Columns: targets, Pos: q.Pos}, append(Schema(nil), t.Columns...), -1, r.node)
	g.sinks = append(g.sinks, sink)
	g.logical = append(g.logical, &LogicalNode{Name: "LogicalSink", Attrs: []string{"table=[*print*]", "fields=[" + strings.Join(fields, ", ") + "]"}, Schema: t.Columns, Inputs: []*LogicalNode{r.lg}})
	return nil
}

// ---------------------------------------------------------------- finishing

// finish prunes source columns, drops identity Calcs and numbers the nodes.
func (g *graphBuilder) finish(settings map[string]string) *Graph {
	nodes := topo(g.sinks)
	consumers := consumerMap(nodes)
	// Consumers before producers, so that pruning above a window TVF is
	// known when the TVF's own input is pruned.
	for i := len(nodes) - 1; i >= 0; i-- {
		if tvf, ok := nodes[i].Op.(*WindowTVFOp); ok {
			pruneTVF(nodes[i], tvf, consumers)
		}
	}
	shareSources(nodes)
	nodes = topo(g.sinks)
	consumers = consumerMap(nodes)
	for _, n := range nodes {
		if src, ok := n.Op.(*SourceOp); ok {
			pruneSource(n, src, consumers[n])
		}
	}
	normalizeUpsertSources(nodes)
	// Drop Calcs that project their input unchanged.
	for _, n := range nodes {
		for i, in := range n.Inputs {
			for isIdentityCalc(in) {
				in = in.Inputs[0]
			}
			n.Inputs[i] = in
		}
	}
	nodes = topo(g.sinks)
	for i, n := range nodes {
		n.ID = i
	}
	if settings == nil {
		settings = map[string]string{}
	}
	return &Graph{Nodes: nodes, Settings: settings}
}

func topo(sinks []*Node) []*Node {
	var out []*Node
	seen := map[*Node]bool{}
	var visit func(n *Node)
	visit = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, in := range n.Inputs {
			visit(in)
		}
		out = append(out, n)
	}
	for _, s := range sinks {
		visit(s)
	}
	return out
}

func isIdentityCalc(n *Node) bool {
	c, ok := n.Op.(*CalcOp)
	if !ok || c.Filter != nil || len(n.Inputs) != 1 {
		return false
	}
	in := n.Inputs[0]
	if len(c.Projections) != len(in.Schema) || n.Rowtime != in.Rowtime {
		return false
	}
	for i, e := range c.Projections {
		r, ok := e.(*ColRef)
		if !ok || r.Index != i || n.Schema[i].Name != in.Schema[i].Name || n.Schema[i].Type.String() != in.Schema[i].Type.String() {
			return false
		}
	}
	return true
}

// pruneSource restricts a source to the columns its consumers (Calcs) read,
// plus what its watermark and the computed columns it keeps need.
func pruneSource(n *Node, src *SourceOp, consumers []*Node) {
	need := map[int]bool{}
	for _, c := range consumers {
		calc, ok := c.Op.(*CalcOp)
		if !ok {
			return // keep every column
		}
		for _, e := range append(append([]Expr(nil), calc.Projections...), calc.Filter) {
			walkExpr(e, func(x Expr) {
				if r, ok := x.(*ColRef); ok {
					need[src.ReadColumns[r.Index]] = true
				}
			})
		}
	}
	if SourceChangelog(src.Table) == UpsertSource {
		for _, k := range primaryKeyColumns(src.Table) {
			need[k] = true // ChangelogNormalize is keyed by it
		}
	}
	if src.WatermarkColumn >= 0 {
		need[src.WatermarkColumn] = true
		walkExpr(src.Watermark, func(x Expr) {
			if r, ok := x.(*ColRef); ok {
				need[r.Index] = true
			}
		})
	}
	for i := range need {
		if src.Computed[i] != nil {
			walkExpr(src.Computed[i], func(x Expr) {
				if r, ok := x.(*ColRef); ok {
					need[r.Index] = true
				}
			})
		}
	}
	var read []int
	for i := range need {
		read = append(read, i)
	}
	sort.Ints(read)
	old := src.ReadColumns
	remap := map[int]int{} // old output index -> new output index
	for newI, ti := range read {
		for oldI, oti := range old {
			if oti == ti {
				remap[oldI] = newI
			}
		}
	}
	schema := make(Schema, len(read))
	rowtime := -1
	for i, ti := range read {
		schema[i] = src.Table.Columns[ti]
		if ti == src.WatermarkColumn {
			rowtime = i
		}
	}
	src.ReadColumns = read
	n.Schema = schema
	n.Rowtime = rowtime
	remapCalcs(consumers, remap)
}

// remapCalcs re-indexes the column references of Calc nodes after their
// input's columns moved (old index -> new index).
func remapCalcs(calcs []*Node, remap map[int]int) {
	f := func(r *ColRef) Expr { nr := *r; nr.Index = remap[r.Index]; return &nr }
	for _, c := range calcs {
		calc := c.Op.(*CalcOp)
		for i, e := range calc.Projections {
			calc.Projections[i] = rewriteColRefs(e, f)
		}
		if calc.Filter != nil {
			calc.Filter = rewriteColRefs(calc.Filter, f)
		}
	}
}

// consumerMap lists each node's distinct consumers, in topological order.
func consumerMap(nodes []*Node) map[*Node][]*Node {
	m := map[*Node][]*Node{}
	for _, n := range nodes {
		for _, in := range n.Inputs {
			if !containsNode(m[in], n) {
				m[in] = append(m[in], n)
			}
		}
	}
	return m
}

func containsNode(list []*Node, n *Node) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// shareSources makes every use of a table with the same watermark read one
// TableSourceScan: a Kafka topic is consumed once, its records decoded
// once, and records_skipped counts each bad record once. The executor
// sends a node's output to all its consumers; pruneSource then reads the
// union of the columns they need.
func shareSources(nodes []*Node) {
	first := map[string]*Node{}
	canon := map[*Node]*Node{}
	for _, n := range nodes {
		src, ok := n.Op.(*SourceOp)
		if !ok {
			continue
		}
		key := src.Table.Name
		if src.Watermark != nil {
			key += "\x00" + src.Watermark.String()
		}
		if c, ok := first[key]; ok && sameInts(c.Op.(*SourceOp).ReadColumns, src.ReadColumns) {
			canon[n] = c
			continue
		}
		first[key] = n
	}
	if len(canon) == 0 {
		return
	}
	for _, n := range nodes {
		for i, in := range n.Inputs {
			if c, ok := canon[in]; ok {
				n.Inputs[i] = c
			}
		}
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pruneTVF pushes projection below a window TVF that is not aggregated:
// when every consumer is a Calc and the TVF's input is a Calc feeding only
// it, that Calc keeps only the columns the consumers read (plus the time
// attribute and partition keys), and the consumers are re-indexed.
func pruneTVF(n *Node, tvf *WindowTVFOp, consumers map[*Node][]*Node) {
	in := n.Inputs[0]
	below, ok := in.Op.(*CalcOp)
	if !ok || len(consumers[in]) != 1 {
		return
	}
	for _, c := range consumers[n] {
		if _, ok := c.Op.(*CalcOp); !ok {
			return
		}
	}
	width := len(in.Schema)
	need := map[int]bool{tvf.Window.TimeCol: true}
	for _, k := range tvf.Window.PartitionKeys {
		need[k] = true
	}
	for _, c := range consumers[n] {
		calc := c.Op.(*CalcOp)
		for _, e := range append(append([]Expr(nil), calc.Projections...), calc.Filter) {
			walkExpr(e, func(x Expr) {
				if r, ok := x.(*ColRef); ok && r.Index < width {
					need[r.Index] = true
				}
			})
		}
	}
	if len(need) == width {
		return
	}
	var keep []int
	for i := range need {
		keep = append(keep, i)
	}
	sort.Ints(keep)
	remap := make(map[int]int, width+3)
	for j, i := range keep {
		remap[i] = j
	}
	for k := 0; k < 3; k++ {
		remap[width+k] = len(keep) + k
	}
	projs := make([]Expr, len(keep))
	schema := make(Schema, len(keep))
	for j, i := range keep {
		projs[j], schema[j] = below.Projections[i], in.Schema[i]
	}
	below.Projections, in.Schema = projs, schema
	if in.Rowtime >= 0 {
		in.Rowtime = remap[in.Rowtime]
	}
	tvf.Window.TimeCol = remap[tvf.Window.TimeCol]
	for i, k := range tvf.Window.PartitionKeys {
		tvf.Window.PartitionKeys[i] = remap[k]
	}
	out := make(Schema, 0, len(keep)+3)
	for _, i := range keep {
		out = append(out, n.Schema[i])
	}
	n.Schema = append(out, n.Schema[width:]...)
	n.Rowtime = len(keep) + 2
	remapCalcs(consumers[n], remap)
}
