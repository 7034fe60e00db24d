package sql

import (
	"fmt"

	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// Pos is a place in the user's own SQL file (1-based line and column,
// counted in runes). Every AST node carries the Pos of its first token.
type Pos struct {
	File   string
	Line   int
	Col    int
	Offset int // byte offset in the file
}

func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is an error at a place in the user's SQL. Every error the sql
// package returns is an *Error; the planner returns them too.
type Error struct {
	Pos  Pos
	Msg  string // what is wrong, e.g. `unknown column "campain_id" (did you mean "campaign_id"?)`
	Near string // the offending text, when known
}

func (e *Error) Error() string {
	if e.Near != "" {
		return fmt.Sprintf("%s: %s near %q", e.Pos, e.Msg, e.Near)
	}
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// Errorf makes an *Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ---------------------------------------------------------------- script

// Script is a parsed .sql file: its statements in order.
type Script struct {
	File       string
	Statements []Statement
}

// Statement is one of the statement types below.
type Statement interface {
	stmtNode()
	Position() Pos
}

// CreateTable is CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (...) WITH (...).
type CreateTable struct {
	Pos         Pos
	Name        string
	IfNotExists bool
	Temporary   bool
	Columns     []ColumnDef
	Watermark   *WatermarkDef // nil when none
	PrimaryKey  []string      // PRIMARY KEY (...) NOT ENFORCED
	Options     []Option      // WITH ('k' = 'v', ...), in order
}

// ColumnKind tells physical, computed and metadata columns apart.
type ColumnKind uint8

const (
	PhysicalColumn ColumnKind = iota // name TYPE: read from the payload
	ComputedColumn                   // name AS expr
	MetadataColumn                   // name TYPE METADATA [FROM 'key'] [VIRTUAL]
)

// ColumnDef is one column of a CREATE TABLE.
type ColumnDef struct {
	Pos         Pos
	Name        string
	Kind        ColumnKind
	Type        types.Type // physical and metadata columns; zero for computed (the planner infers it)
	Expr        Expr       // computed columns
	MetadataKey string     // metadata columns: the FROM key, or Name when FROM is absent
	Virtual     bool       // metadata columns: VIRTUAL (read-only, not written by sinks)
	Comment     string
}

// WatermarkDef is WATERMARK FOR column AS expr.
type WatermarkDef struct {
	Pos    Pos
	Column string
	Expr   Expr
}

// Option is one 'key' = 'value' pair of a WITH clause or a SET.
type Option struct {
	Pos      Pos // of the key
	Key      string
	Value    string
	ValuePos Pos
}

// CreateView is CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(cols)] AS query.
type CreateView struct {
	Pos         Pos
	Name        string
	Temporary   bool
	IfNotExists bool
	Columns     []string // optional column list
	Query       Query
}

// Set is SET 'key' = 'value' (or SET key = value). A bare SET with no key
// lists the settings; Key is empty then.
type Set struct {
	Pos Pos
	Option
}

// Reset is RESET ['key'].
type Reset struct {
	Pos Pos
	Key string
}

// Insert is INSERT INTO table [(cols)] query (INSERT OVERWRITE is refused:
// Flink overwrites in batch mode only).
type Insert struct {
	Pos      Pos
	Table    string
	TablePos Pos
	Columns  []string
	Query    Query
}

// StatementSet is EXECUTE STATEMENT SET BEGIN insert; ... END (also BEGIN
// STATEMENT SET; ... END;). Its inserts run as one job.
type StatementSet struct {
	Pos     Pos
	Inserts []*Insert
}

// Explain is EXPLAIN [PLAN FOR] statement (a query, an INSERT or a statement set).
type Explain struct {
	Pos  Pos
	Stmt Statement // *QueryStatement, *Insert or *StatementSet
}

// QueryStatement is a bare SELECT at the top level (run against print-like output).
type QueryStatement struct {
	Pos   Pos
	Query Query
}

func (*CreateTable) stmtNode()    {}
func (*CreateView) stmtNode()     {}
func (*Set) stmtNode()            {}
func (*Reset) stmtNode()          {}
func (*Insert) stmtNode()         {}
func (*StatementSet) stmtNode()   {}
func (*Explain) stmtNode()        {}
func (*QueryStatement) stmtNode() {}

func (s *CreateTable) Position() Pos    { return s.Pos }
func (s *CreateView) Position() Pos     { return s.Pos }
func (s *Set) Position() Pos            { return s.Pos }
func (s *Reset) Position() Pos          { return s.Pos }
func (s *Insert) Position() Pos         { return s.Pos }
func (s *StatementSet) Position() Pos   { return s.Pos }
func (s *Explain) Position() Pos        { return s.Pos }
func (s *QueryStatement) Position() Pos { return s.Pos }

// ---------------------------------------------------------------- queries

// Query is a *Select or a *SetOp.
type Query interface {
	queryNode()
	Position() Pos
}

// Select is one SELECT block.
type Select struct {
	Pos      Pos
	Distinct bool
	Items    []SelectItem
	From     FromItem // nil for SELECT without FROM
	Where    Expr
	GroupBy  []Expr
	// GroupingSets is nil for a plain GROUP BY. With GROUPING SETS,
	// ROLLUP or CUBE in GROUP BY it lists the grouping sets, each as
	// indices into GroupBy (which then holds every expression of every
	// set, in order of appearance, repeats included): GROUP BY a,
	// ROLLUP (b, c) has GroupBy [a, b, c] and sets [0 1 2] [0 1] [0].
	// GroupingPos is where the first grouping construct is written.
	GroupingSets [][]int
	GroupingPos  Pos
	Having       Expr
	OrderBy      []OrderItem
	Limit        Expr
	Hints        []Hint // written after SELECT (/*+ STATE_TTL(...) */)
}

// SelectItem is one entry of the select list: an expression with an
// optional alias, or a star (optionally qualified: t.*).
type SelectItem struct {
	Pos       Pos
	Expr      Expr // nil for a star
	Alias     string
	Star      bool
	Qualifier string // t in t.*
}

// OrderItem is one ORDER BY entry.
type OrderItem struct {
	Expr Expr
	Desc bool
}

// SetOp is UNION [ALL] / INTERSECT / EXCEPT.
type SetOp struct {
	Pos         Pos
	Op          string // "UNION", "INTERSECT", "EXCEPT"
	All         bool
	Left, Right Query
}

func (*Select) queryNode()      {}
func (*SetOp) queryNode()       {}
func (q *Select) Position() Pos { return q.Pos }
func (q *SetOp) Position() Pos  { return q.Pos }

// FromItem is a *TableRef, *SubqueryRef, *JoinRef or *WindowTVF.
type FromItem interface {
	fromNode()
	Position() Pos
}

// TableRef names a table or view: FROM name [AS alias], or, as the
// right side of a temporal join, FROM name FOR SYSTEM_TIME AS OF
// l.time_col [AS alias] (AsOf is then the column named).
type TableRef struct {
	Pos   Pos
	Name  string
	Alias string
	AsOf  *Ident
}

// SubqueryRef is FROM (query) [AS alias].
type SubqueryRef struct {
	Pos   Pos
	Query Query
	Alias string
}

// JoinKind is the kind of a join.
type JoinKind uint8

const (
	InnerJoin JoinKind = iota
	LeftJoin
	RightJoin
	FullJoin
	CrossJoin
)

func (k JoinKind) String() string {
	return [...]string{"INNER", "LEFT", "RIGHT", "FULL OUTER", "CROSS"}[k]
}

// JoinRef is left [kind] JOIN right ON cond | USING (cols). A comma join
// is a CrossJoin.
type JoinRef struct {
	Pos         Pos
	Kind        JoinKind
	Left, Right FromItem
	On          Expr
	Using       []string
}

// WindowKind is the windowing table function; sql/window describes each
// kind (parameters, usage, assigner).
type WindowKind = window.Kind

// The built-in window kinds.
const (
	Tumble   = window.Tumble
	Hop      = window.Hop
	Cumulate = window.Cumulate
	Session  = window.Session
)

// WindowTVF is FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset])) [AS alias]
// and its HOP / CUMULATE / SESSION siblings. Args are the arguments after
// the descriptor, in the kind's parameter order (window.Of(Kind).Params:
// HOP slide, size[, offset]), named arguments put in place.
type WindowTVF struct {
	Pos         Pos
	Kind        WindowKind
	Input       FromItem // a *TableRef (TABLE t) or *SubqueryRef
	PartitionBy []string // SESSION(TABLE t PARTITION BY k, ...)
	TimeCol     string   // DESCRIPTOR(ts)
	TimeColPos  Pos
	Args        []Expr
	Alias       string
}

func (*TableRef) fromNode()          {}
func (*SubqueryRef) fromNode()       {}
func (*JoinRef) fromNode()           {}
func (*WindowTVF) fromNode()         {}
func (f *TableRef) Position() Pos    { return f.Pos }
func (f *SubqueryRef) Position() Pos { return f.Pos }
func (f *JoinRef) Position() Pos     { return f.Pos }
func (f *WindowTVF) Position() Pos   { return f.Pos }

// ---------------------------------------------------------------- expressions

// Expr is any expression node below.
type Expr interface {
	exprNode()
	Position() Pos
}

// Ident is a column reference, optionally qualified: t.col.
type Ident struct {
	Pos       Pos
	Qualifier string
	Name      string
}

// LiteralKind tells literal forms apart.
type LiteralKind uint8

const (
	NullLit LiteralKind = iota
	BoolLit
	IntLit     // fits int64; Text holds the digits
	DecimalLit // 1.5 (Flink: DECIMAL)
	FloatLit   // 1.5e3 (Flink: DOUBLE)
	StringLit
	TimestampLit // TIMESTAMP '2026-01-01 00:00:00'
	DateLit      // DATE '2026-01-01'
	TimeLit      // TIME '12:00:00'
	IntervalLit  // INTERVAL '10' SECOND: Text is the quoted text, Unit the unit
)

// Literal is a constant as written.
type Literal struct {
	Pos  Pos
	Kind LiteralKind
	Text string // unquoted text: digits, string content, timestamp text
	Bool bool
	Unit string // IntervalLit: SECOND, MINUTE, HOUR, DAY, MONTH, YEAR, MILLISECOND, "DAY TO SECOND", ...
}

// Binary is a binary operator: + - * / % = <> < <= > >= AND OR || and
// "IS NOT DISTINCT FROM" / "IS DISTINCT FROM".
type Binary struct {
	Pos  Pos
	Op   string
	L, R Expr
}

// Unary is NOT, unary minus and unary plus.
type Unary struct {
	Pos Pos
	Op  string // "NOT", "-", "+"
	X   Expr
}

// Subscript and FieldAccess are the names of the Calls the parser makes
// of x[i] (Args x, i) and x.f (Args x, 'f'); no SQL text can call them.
const (
	Subscript   = "$ITEM"
	FieldAccess = "$FIELD"
)

// Call is a function call, aggregate calls included. Name is upper case.
type Call struct {
	Pos      Pos
	Name     string
	Args     []Expr
	Star     bool // COUNT(*)
	Distinct bool // COUNT(DISTINCT x)
	Filter   Expr // agg(...) FILTER (WHERE cond)
	// Over is the OVER (...) clause of a window function call
	// (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)), nil otherwise.
	Over *Over
}

// Over is a window function's OVER (PARTITION BY ... ORDER BY ...
// [frame]), or the named window it refers to (OVER w, WINDOW w AS (...)),
// resolved by the converter.
type Over struct {
	Pos         Pos // the window function call
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       *Frame // nil when no ROWS or RANGE clause is written
	Name        string // the named window it refers to, "" for an inline one
}

// Frame is an OVER window's frame: ROWS or RANGE BETWEEN <start> AND
// CURRENT ROW. Preceding is the start's offset (a number of rows, or an
// interval literal for RANGE), nil for UNBOUNDED PRECEDING or CURRENT ROW
// (CurrentStart says which).
type Frame struct {
	Pos          Pos
	Rows         bool
	Preceding    Expr
	CurrentStart bool // BETWEEN CURRENT ROW AND CURRENT ROW
	// EndFollowing is set when the end bound is not CURRENT ROW (n
	// FOLLOWING, UNBOUNDED FOLLOWING), which streams refuse.
	EndFollowing bool
}

// Case is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	Pos     Pos
	Operand Expr // nil for the searched form
	Whens   []When
	Else    Expr
}

// When is one WHEN cond THEN result.
type When struct {
	Cond, Result Expr
}

// Cast is CAST(x AS type) or TRY_CAST(x AS type).
type Cast struct {
	Pos  Pos
	X    Expr
	Type types.Type
	Try  bool
}

// In is x [NOT] IN (list) or x [NOT] IN (subquery).
type In struct {
	Pos   Pos
	X     Expr
	List  []Expr
	Query Query
	Not   bool
}

// Between is x [NOT] BETWEEN lo AND hi.
type Between struct {
	Pos       Pos
	X, Lo, Hi Expr
	Not       bool
	Symmetric bool // BETWEEN SYMMETRIC: the bounds in either order
}

// Like is x [NOT] LIKE pattern [ESCAPE e] (SIMILAR TO is a call of
// SIMILAR_TO).
type Like struct {
	Pos        Pos
	X, Pattern Expr
	Escape     Expr
	Not        bool
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	Pos Pos
	X   Expr
	Not bool
}

// IsBool is x IS [NOT] TRUE / FALSE / UNKNOWN.
type IsBool struct {
	Pos   Pos
	X     Expr
	Value string // "TRUE", "FALSE", "UNKNOWN"
	Not   bool
}

// Exists is [NOT] EXISTS (query).
type Exists struct {
	Pos   Pos
	Query Query
	Not   bool
}

// Subquery is a scalar subquery.
type Subquery struct {
	Pos   Pos
	Query Query
}

// TimeUnitExpr is FLOOR(x TO unit), CEIL(x TO unit), EXTRACT(unit FROM x)
// and TIMESTAMPADD/TIMESTAMPDIFF units: Func is "FLOOR", "CEIL" or "EXTRACT".
type TimeUnitExpr struct {
	Pos  Pos
	Func string
	Unit string // YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, DOW, DOY, EPOCH ...
	X    Expr
}

func (*Ident) exprNode()        {}
func (*Literal) exprNode()      {}
func (*Binary) exprNode()       {}
func (*Unary) exprNode()        {}
func (*Call) exprNode()         {}
func (*Case) exprNode()         {}
func (*Cast) exprNode()         {}
func (*In) exprNode()           {}
func (*Between) exprNode()      {}
func (*Like) exprNode()         {}
func (*IsNull) exprNode()       {}
func (*IsBool) exprNode()       {}
func (*Exists) exprNode()       {}
func (*Subquery) exprNode()     {}
func (*TimeUnitExpr) exprNode() {}

func (e *Ident) Position() Pos        { return e.Pos }
func (e *Literal) Position() Pos      { return e.Pos }
func (e *Binary) Position() Pos       { return e.Pos }
func (e *Unary) Position() Pos        { return e.Pos }
func (e *Call) Position() Pos         { return e.Pos }
func (e *Case) Position() Pos         { return e.Pos }
func (e *Cast) Position() Pos         { return e.Pos }
func (e *In) Position() Pos           { return e.Pos }
func (e *Between) Position() Pos      { return e.Pos }
func (e *Like) Position() Pos         { return e.Pos }
func (e *IsNull) Position() Pos       { return e.Pos }
func (e *IsBool) Position() Pos       { return e.Pos }
func (e *Exists) Position() Pos       { return e.Pos }
func (e *Subquery) Position() Pos     { return e.Pos }
func (e *TimeUnitExpr) Position() Pos { return e.Pos }
