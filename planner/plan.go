package planner

import (
	"fmt"

	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// This file is the contract between the planner and the runtime: the
// physical operator graph the runtime executes. Everything here is plain
// data, resolved and typed; the runtime never looks at the SQL AST.

// Column is one named, typed column of a schema.
type Column struct {
	Name string
	Type types.Type
}

// Schema is the ordered columns of a node's output.
type Schema []Column

// Index returns the position of the named column (case-sensitive), or -1.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ---------------------------------------------------------------- bound expressions

// Expr is a resolved, typed expression over the input row of the node that
// holds it. The runtime compiles it once into a closure.
type Expr interface {
	Type() types.Type
	String() string // readable form for EXPLAIN, e.g. `($2 = 'click')`, `CAST($0 AS BIGINT)`
}

// ColRef reads input column Index.
type ColRef struct {
	Index int
	Name  string // for EXPLAIN
	T     types.Type
}

// Const is a literal, already converted to its type (intervals are
// IntervalDayTime millis or IntervalYearMonth months).
type Const struct {
	V types.Value
	T types.Type
}

// Call applies a scalar function or operator. Func is the canonical upper
// case name of a function spec (planner/functions) or an operator: "+", "-", "*", "/", "%", "NEG", "=", "<>", "<", "<=", ">", ">=",
// "AND", "OR", "NOT", "IS NULL", "IS NOT NULL", "IS TRUE", "IS NOT TRUE",
// "IS FALSE", "IS NOT FALSE", "IS NOT DISTINCT FROM", "IS DISTINCT FROM",
// "||", "LIKE", "NOT LIKE", "IN", "NOT IN" (Args[0] is the operand, the rest
// the list), "BETWEEN", "NOT BETWEEN", "CASE" (Args = cond1, res1, cond2,
// res2, ..., else; the searched form; the planner rewrites the simple form),
// "CAST", "TRY_CAST" (target type in T), "COALESCE", "NULLIF", "IF",
// "UPPER", "LOWER", "CONCAT", "SUBSTRING", "TRIM" / "LTRIM" / "RTRIM",
// "CHAR_LENGTH", "TO_TIMESTAMP_LTZ", "TO_TIMESTAMP", "DATE_FORMAT",
// "UNIX_TIMESTAMP", "FROM_UNIXTIME", "FLOOR_TO" / "CEIL_TO" / "EXTRACT"
// (Unit set), "CURRENT_WATERMARK", and arithmetic on timestamps and
// intervals with "+" / "-". Numeric functions: "ABS", "MOD", "POWER",
// "ROUND" (1 or 2 args), "FLOOR", "CEIL" (1 numeric arg; the TO-unit forms
// are FLOOR_TO / CEIL_TO). Aliases are resolved by the planner (SUBSTR ->
// SUBSTRING, CHARACTER_LENGTH -> CHAR_LENGTH, CEILING -> CEIL, POW ->
// POWER). IS UNKNOWN is planned as "IS NULL"; LIKE's ESCAPE is a third arg.
type Call struct {
	Func string
	Args []Expr
	Unit string // FLOOR_TO, CEIL_TO, EXTRACT: YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, MILLISECOND, ...; TRIM: BOTH/LEADING/TRAILING
	T    types.Type
}

func (e *ColRef) Type() types.Type { return e.T }
func (e *Const) Type() types.Type  { return e.T }
func (e *Call) Type() types.Type   { return e.T }

func (e *ColRef) String() string {
	if e.Name != "" {
		return e.Name
	}
	return fmt.Sprintf("$%d", e.Index)
}

// ---------------------------------------------------------------- physical graph

// Graph is a planned job: operator nodes in topological order (every
// node's inputs come before it) plus the settings (SET) in force.
type Graph struct {
	Nodes    []*Node
	Settings map[string]string
	// Parallelism is 'parallelism.default'; MaxParallelism is
	// 'pipeline.max-parallelism', the number of key groups
	// (parallelism.go).
	Parallelism, MaxParallelism int
}

// Node is one physical operator.
type Node struct {
	ID         int
	Op         Op      // *SourceOp, *ChangelogNormalizeOp, *CalcOp, *GroupAggOp, *WindowAggOp, *WindowTVFOp, *WindowJoinOp, *UnionOp, *SinkOp
	Inputs     []*Node // data inputs in order (a join has left then right)
	Schema     Schema  // output columns
	AppendOnly bool    // output is insert-only ([I]); set by the changelog rule (changelog.go)
	// UpsertKeys are the output columns that identify a row of an
	// updating result (a group aggregation's keys), nil when unknown or
	// insert-only (changelog.go).
	UpsertKeys []int
	// Upsert marks an upsert stream by UpsertKeys ([UA,D]: no insert, no
	// update-before): an upsert source before its ChangelogNormalize
	// (changelogsource.go).
	Upsert bool
	// Rowtime is the index in Schema of the event-time attribute, or -1.
	Rowtime int
	// Parallelism is the number of subtasks the node runs as, and
	// InputDists[i] how rows of Inputs[i] reach them (parallelism.go).
	Parallelism int
	InputDists  []Distribution
	// Subtasks is how many subtasks the runtime runs the node as, set
	// by runtime.Build (0 before): a bounded source, for one, runs as one
	// whatever its Parallelism. EXPLAIN prints it.
	Subtasks int
}

// Op is one of the operator specs below.
type Op interface {
	opName() string
}

// Name returns the operator's name for EXPLAIN and errors.
func (n *Node) Name() string { return n.Op.opName() }

// Attrs returns the node's attributes as EXPLAIN prints them
// ("table=[t]", "window=[TUMBLE(...)]"), without the changelog mode.
func (n *Node) Attrs() []string { return nodeAttrs(n) }

// ChangelogMode is the kinds of change the node emits, in EXPLAIN's
// notation: [I] for insert-only, [I,UB,UA,D] when rows may be updated.
func (n *Node) ChangelogMode() string {
	switch {
	case n.AppendOnly:
		return "[I]"
	case n.Upsert:
		return "[UA,D]"
	}
	return "[I,UB,UA,D]"
}

// TableDesc is a resolved CREATE TABLE, as the runtime needs it.
type TableDesc struct {
	Name      string
	Pos       sql.Pos
	Connector string
	Options   []sql.Option // all WITH options, in order, with positions for errors
	// Columns is the table's full schema in declared order.
	Columns Schema
	Kinds   []sql.ColumnKind
	// MetadataKeys[i] is the metadata key of column i (metadata columns only).
	MetadataKeys []string
	Virtual      []bool
	PrimaryKey   []string
}

// Option returns a WITH option by key.
func (t *TableDesc) Option(key string) (string, bool) {
	for _, o := range t.Options {
		if o.Key == key {
			return o.Value, true
		}
	}
	return "", false
}

// SourceOp reads a table. The runtime decodes the payload into the
// physical columns, fills metadata columns, evaluates computed columns,
// then the watermark: its output schema is Node.Schema, which is
// Table.Columns restricted to ReadColumns (projection pushdown) in that order.
type SourceOp struct {
	Table *TableDesc
	// ReadColumns lists the indices into Table.Columns the query needs, in output order.
	ReadColumns []int
	// Computed[i] is the expression of table column i when it is computed
	// (nil otherwise), over the table's full column list (ColRef.Index
	// indexes Table.Columns).
	Computed []Expr
	// WatermarkColumn is the index into Table.Columns of the rowtime column, or -1.
	WatermarkColumn int
	// Watermark is the watermark expression over Table.Columns.
	Watermark Expr
}

// CalcOp projects and filters: for each input row where Filter is true
// (Filter nil: all rows), it outputs Projections evaluated over that row.
type CalcOp struct {
	Projections []Expr
	Filter      Expr
}

// WindowSpec describes a window assignment. Durations in milliseconds;
// which of them a kind uses is its descriptor's (sql/window) business.
type WindowSpec struct {
	Kind   sql.WindowKind
	Size   int64 // TUMBLE, HOP, CUMULATE (max size)
	Slide  int64 // HOP
	Step   int64 // CUMULATE
	Gap    int64 // SESSION
	Offset int64
	// TimeCol is the index of the time attribute in the input.
	TimeCol int
	// PartitionKeys: SESSION's PARTITION BY columns (window TVF form).
	PartitionKeys []int
	// Attached: the rows carry their window (window propagation,
	// windowprop.go): StartCol holds its window_start and TimeCol its
	// window_end, rather than a time to assign windows from.
	Attached bool
	StartCol int
}

// Sizes returns the window's parameters as sql/window's descriptors read them.
func (s WindowSpec) Sizes() window.Sizes {
	return window.Sizes{Size: s.Size, Slide: s.Slide, Step: s.Step, Gap: s.Gap, Offset: s.Offset}
}

func (s *WindowSpec) setSizes(z window.Sizes) {
	s.Size, s.Slide, s.Step, s.Gap, s.Offset = z.Size, z.Slide, z.Step, z.Gap, z.Offset
}

// AggCall is one aggregate over input columns. The planner computes
// arguments and FILTER conditions into input columns with a CalcOp below.
type AggCall struct {
	Func     string // the aggregate's name (planner/functions.AggSpec)
	Arg      int    // input column, -1 for COUNT(*)
	Sep      string // LISTAGG's separator
	Absent   bool   // JSON_ARRAYAGG: ABSENT ON NULL
	Distinct bool
	Filter   int // input column holding the FILTER condition (BOOLEAN), -1 for none
	T        types.Type
	Name     string // output column name, for EXPLAIN
}

// WindowAggOp groups rows by GroupKeys within windows and emits one row
// per (key, window) when the watermark passes window_end - 1 ms.
// Output layout: GroupKeys..., Aggs..., window_start, window_end, window_time.
type WindowAggOp struct {
	Window    WindowSpec
	GroupKeys []int
	Aggs      []AggCall
}

// GroupAggOp is a group aggregation without a window (Flink's
// GroupAggregate): it keeps one group per key and, for each input row,
// emits the change of that group's result row: +I for a new group, -U
// (old) and +U (new) when its result changed, -D when the group's last
// row was retracted. Its input may itself be a changelog. Output layout:
// GroupKeys..., Aggs.... With no aggregates it is SELECT DISTINCT.
type GroupAggOp struct {
	GroupKeys []int
	Aggs      []AggCall
	// StateTTL is the idle state retention in milliseconds (0: none):
	// the STATE_TTL hint, else table.exec.state.ttl (statettl.go).
	StateTTL int64
	// MiniBatchLatency (ms) and MiniBatchSize (rows): the mini-batch the
	// output waits for (table.exec.mini-batch.*; minibatch.go), 0 = off.
	MiniBatchLatency, MiniBatchSize int64
	// Pos is where the aggregation is written (its GROUP BY, or the
	// SELECT), for errors about the updates it produces.
	Pos sql.Pos
	// InsertOnlyInput: the input never retracts (set by the changelog
	// rule, changelog.go), so MIN and MAX keep their extreme alone, as
	// Flink's MinAggFunction/MaxAggFunction, instead of every value with
	// its count (MinWithRetractAggFunction), which only a retraction needs.
	InsertOnlyInput bool
}

// RankOp is a ROW_NUMBER() pattern (planner/rank.go): Flink's Rank
// (Top-N), Deduplicate, WindowRank and WindowDeduplicate, told apart by
// Dedup and Window. Within each partition (PartitionKeys) rows are
// ordered by OrderKeys (ties in arrival order) and numbered from 1; the
// rows numbered RankStart..RankEnd are the result. Output layout: input
// columns..., then the row number (BIGINT) when OutputRankNumber.
//
//   - Rank: every input change emits the change of the partition's
//     result at once (Flink's AppendOnlyTopNFunction, or
//     RetractableTopNFunction when Retract: an updating input).
//   - Deduplicate (RankStart = RankEnd = 1, ordered by the rowtime
//     alone): KeepFirst emits a key's earliest row once the watermark
//     passes it (insert-only); KeepLast emits +I, then -U/+U for each
//     later row.
//   - With Window: rows are buffered per window and partition and the
//     result is emitted once, insert-only, when the watermark passes
//     window_end - 1 ms; rows of a fired window are late (dropped).
type RankOp struct {
	PartitionKeys      []int
	OrderKeys          []SortKey
	RankStart, RankEnd int64
	OutputRankNumber   bool
	Dedup              DedupKeep
	Window             *RankWindow
	// Retract is set by the changelog rule when the input is updating
	// (Flink's RetractStrategy; AppendFastStrategy otherwise).
	Retract bool
	// StateTTL: as GroupAggOp's (Rank and Deduplicate, not the window forms).
	StateTTL int64
	// Pos is the ROW_NUMBER() call, for errors about the operator.
	Pos sql.Pos
}

// SortKey is one ORDER BY column.
type SortKey struct {
	Col  int
	Desc bool
}

// DedupKeep is which row a deduplication keeps.
type DedupKeep uint8

const (
	NoDedup   DedupKeep = iota // a Top-N
	KeepFirst                  // ORDER BY rowtime ASC
	KeepLast                   // ORDER BY rowtime DESC
)

// RankWindow is the window of a window rank: the input's window_start and
// window_end columns (both among the partition keys) and the window's
// EXPLAIN text.
type RankWindow struct {
	Start, End int
	Text       string
}

// WindowTVFOp labels each input row with its window(s) and emits it at
// once (one output row per window the row falls in). Late rows are kept.
// Output layout: input columns..., window_start, window_end, window_time.
type WindowTVFOp struct {
	Window WindowSpec
}

// JoinType of a window join.
type JoinType uint8

const (
	JoinInner JoinType = iota
	JoinLeft
	JoinRight
	JoinFull
	JoinSemi // IN / EXISTS
	JoinAnti // NOT IN / NOT EXISTS
)

func (j JoinType) String() string {
	return [...]string{"InnerJoin", "LeftOuterJoin", "RightOuterJoin", "FullOuterJoin", "LeftSemiJoin", "LeftAntiJoin"}[j]
}

// WindowJoinOp joins two windowed inputs on equal keys and equal windows.
// Each side buffers rows per window until its own watermark (the minimum
// of both inputs) passes window_end - 1 ms, then joins and emits, and
// drops the window. Rows arriving for a window that has already been
// joined are late: dropped and counted.
// Output layout: left columns..., right columns... (semi/anti: left only).
type WindowJoinOp struct {
	Type                             JoinType
	LeftKeys, RightKeys              []int
	NullSafe                         []bool // per key: IS NOT DISTINCT FROM
	LeftWindowStart, LeftWindowEnd   int
	RightWindowStart, RightWindowEnd int
	// Condition is a residual predicate over the concatenated row
	// (left columns then right columns), or nil.
	Condition Expr
}

// UnionOp forwards the rows of all inputs (UNION ALL).
type UnionOp struct{}

// SinkOp writes its input to a table. Input column i goes to
// Table.Columns[Columns[i]].
type SinkOp struct {
	Table   *TableDesc
	Columns []int
	// Pos is the INSERT INTO (or the bare SELECT) writing to the sink.
	Pos sql.Pos
}

func (*SourceOp) opName() string     { return "TableSourceScan" }
func (*CalcOp) opName() string       { return "Calc" }
func (*WindowAggOp) opName() string  { return "WindowAggregate" }
func (*WindowTVFOp) opName() string  { return "WindowTableFunction" }
func (*GroupAggOp) opName() string   { return "GroupAggregate" }
func (*WindowJoinOp) opName() string { return "WindowJoin" }
func (*UnionOp) opName() string      { return "Union" }

func (op *RankOp) opName() string {
	switch {
	case op.Window != nil && op.Dedup != NoDedup:
		return "WindowDeduplicate"
	case op.Window != nil:
		return "WindowRank"
	case op.Dedup != NoDedup:
		return "Deduplicate"
	}
	return "Rank"
}
func (*SinkOp) opName() string { return "Sink" }

// SideOutputOp receives the rows its single input sets aside instead of
// dropping them (a streamsql extension, docs/operations.md): the late rows
// of a WindowAggOp or WindowJoinOp (SET 'table.exec.late-rows.table'), or
// the records a SourceOp could not decode (table option
// 'dead-letter.table'). It never sees its input's regular output: the
// runtime hands it the side rows through the input operator. Fields[i]
// says what fills output column i (Node.Schema[i]); a SinkOp (possibly
// after a CAST Calc) writes them to the declared table.
type SideOutputOp struct {
	Kind   SideOutputKind
	Fields []SideField
}

// SideOutputKind is what a side output carries.
type SideOutputKind uint8

const (
	SideLateRows   SideOutputKind = iota // rows a window operator found late
	SideDeadLetter                       // records a source failed to decode
)

func (k SideOutputKind) String() string {
	return [...]string{"late-rows", "dead-letter"}[k]
}

// SideField fills one column of a side output.
type SideField struct {
	// Special is "" for a column copied from the late row, or one of
	// "window_start", "window_end", "current_watermark" (late rows) and
	// "raw", "error", "location", "topic", "partition", "offset", "line"
	// (dead letters).
	Special string
	// Input[s] is the column of the window operator's input s (0; a
	// join's right side is 1) copied into this column, -1 when that side
	// has no such column (NULL). Unused for special fields.
	Input [2]int
}

func (*SideOutputOp) opName() string { return "SideOutput" }
