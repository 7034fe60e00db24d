package planner

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/sql/window"
)

// Binding resolves AST expressions against a scope (the columns of a
// relation in the FROM clause) into typed planner expressions.

// scopeCol is one column visible by name.
type scopeCol struct {
	qual string // table name or alias ("" when anonymous)
	name string
	t    types.Type
	idx  int // column index in the relation's node
}

// rel is a relation being built: a physical node plus what binding needs.
type rel struct {
	node *Node
	lg   *LogicalNode
	cols []scopeCol
	win  *winInfo     // output carries window_start/window_end of one window spec
	tvf  *pendingTVF  // a window TVF not yet materialized: node is its input
	rank *pendingRank // ROW_NUMBER() OVER waiting for its rank range (rank.go): node is its input
	pos  []sql.Pos    // where each output column was written (select items), may be nil
	// outer is the enclosing query's scope of a correlated subquery: names
	// not found here are looked up there (inner names shadow outer ones).
	outer *rel
}

// winInfo describes the window columns of a windowed relation.
type winInfo struct {
	spec             WindowSpec
	text             string // TUMBLE(time_col=[ts], size=[10 s])
	start, end, time int    // column indexes; time may be -1
}

// pendingTVF is a window TVF in FROM whose fate (aggregation, join,
// plain labelling) is not known yet. Its scope has the input's columns
// followed by window_start, window_end, window_time at indexes n, n+1, n+2.
type pendingTVF struct {
	spec WindowSpec
	text string
	pos  sql.Pos
	n    int
	lg   *LogicalNode
	time types.Type
}

func errAt(pos sql.Pos, format string, args ...any) error {
	return sql.Errorf(pos, format, args...)
}

// resolve finds the column an identifier names.
func (r *rel) resolve(id *sql.Ident) (scopeCol, error) {
	var hits []scopeCol
	qualSeen := false
	for _, c := range r.cols {
		if id.Qualifier != "" {
			if c.qual != id.Qualifier {
				continue
			}
			qualSeen = true
		}
		if c.name == id.Name {
			hits = append(hits, c)
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	if len(hits) == 0 && r.outer != nil {
		if c, err := r.outer.resolve(id); err == nil {
			return c, nil
		}
	}
	if len(hits) > 1 {
		return scopeCol{}, errAt(id.Pos, "column reference %q is ambiguous: qualify it with one of its tables", id.Name)
	}
	if id.Qualifier != "" && !qualSeen {
		var quals []string
		for _, c := range r.cols {
			if c.qual != "" {
				quals = append(quals, c.qual)
			}
		}
		return scopeCol{}, errAt(id.Pos, "unknown table or alias %q%s", id.Qualifier, didYouMean(id.Qualifier, quals, "tables"))
	}
	var names []string
	for _, c := range r.cols {
		if id.Qualifier == "" || c.qual == id.Qualifier {
			names = append(names, c.name)
		}
	}
	name := id.Name
	if id.Qualifier != "" {
		name = id.Qualifier + "." + id.Name
	}
	return scopeCol{}, errAt(id.Pos, "unknown column %q%s", name, didYouMean(id.Name, names, "columns"))
}

// binder binds expressions over a relation's scope.
type binder struct {
	r   *rel
	agg *aggScope // non-nil after GROUP BY: binds over the aggregate's output
	// over maps each OVER call of a select list to its aggregate's
	// column of the OverAggregate (over.go).
	over map[*sql.Call]*ColRef
}

func (b *binder) bind(e sql.Expr) (Expr, error) {
	if b.agg != nil {
		if x, ok, err := b.agg.intercept(b, e); ok || err != nil {
			return x, err
		}
	}
	switch e := e.(type) {
	case *sql.Ident:
		c, err := b.r.resolve(e)
		if err != nil {
			if f := rowField(b.r, e); f != nil {
				return b.bind(f) // r.f on a ROW column r
			}
			return nil, err
		}
		return &ColRef{Index: c.idx, Name: c.name, T: c.t}, nil
	case *sql.Literal:
		return bindLiteral(e)
	case *sql.Binary:
		return b.bindBinary(e)
	case *sql.Unary:
		x, err := b.bind(e.X)
		if err != nil {
			return nil, err
		}
		t := x.Type().WithoutRowtime()
		switch e.Op {
		case "NOT":
			if t.Kind != types.Boolean && t.Kind != types.Null {
				return nil, errAt(e.Pos, "NOT needs a BOOLEAN operand, not %s", t)
			}
			return &Call{Func: "NOT", Args: []Expr{x}, T: withNull(types.TBoolean, []Expr{x})}, nil
		case "-":
			if !t.Kind.IsNumeric() && t.Kind != types.IntervalDayTime && t.Kind != types.IntervalYearMonth && t.Kind != types.Null {
				return nil, errAt(e.Pos, "cannot negate a value of type %s", t)
			}
			if c, ok := x.(*Const); ok && !c.V.IsNull() && t.Kind != types.Float && t.Kind != types.Double && t.Kind != types.Decimal {
				v := c.V
				v.I = -v.I
				return &Const{V: v, T: t}, nil
			}
			return &Call{Func: "NEG", Args: []Expr{x}, T: t}, nil
		case "+":
			return x, nil
		}
		return nil, errAt(e.Pos, "unknown unary operator %q", e.Op)
	case *sql.Call:
		if e.Over != nil {
			if c := b.over[e]; c != nil {
				return c, nil
			}
			return nil, errAt(e.Pos, "%s() OVER is only allowed in the SELECT list", strings.ToUpper(e.Name))
		}
		return b.bindCall(e)
	case *sql.Case:
		return b.bindCase(e)
	case *sql.Cast:
		x, err := b.bind(e.X)
		if err != nil {
			return nil, err
		}
		if err := checkCast(x.Type(), e.Type); err != "" {
			return nil, errAt(e.Pos, "%s", err)
		}
		t := e.Type
		t.NotNull = x.Type().NotNull && !e.Try
		f := "CAST"
		if e.Try {
			f = "TRY_CAST"
		}
		return &Call{Func: f, Args: []Expr{x}, T: t}, nil
	case *sql.In:
		if e.Query != nil {
			return nil, errAt(e.Pos, "IN (subquery) is only supported as a top-level condition of the WHERE of a query without GROUP BY, planned as a semi/anti join (%s)", semiJoinForm)
		}
		x, err := b.bind(e.X)
		if err != nil {
			return nil, err
		}
		args := []Expr{x}
		for _, l := range e.List {
			a, err := b.bind(l)
			if err != nil {
				return nil, err
			}
			if !comparable(x.Type(), a.Type()) {
				return nil, errAt(l.Position(), "cannot compare %s with %s in IN list", x.Type().WithoutRowtime(), a.Type().WithoutRowtime())
			}
			args = append(args, a)
		}
		f := "IN"
		if e.Not {
			f = "NOT IN"
		}
		return &Call{Func: f, Args: args, T: withNull(types.TBoolean, args)}, nil
	case *sql.Between:
		args, err := b.bindAll(e.X, e.Lo, e.Hi)
		if err != nil {
			return nil, err
		}
		for i := 1; i < 3; i++ {
			if !comparable(args[0].Type(), args[i].Type()) {
				return nil, errAt(e.Pos, "cannot apply BETWEEN to arguments of type %s and %s", args[0].Type().WithoutRowtime(), args[i].Type().WithoutRowtime())
			}
		}
		f := "BETWEEN"
		if e.Not && !e.Symmetric {
			f = "NOT BETWEEN"
		}
		t := withNull(types.TBoolean, args)
		if !e.Symmetric {
			return &Call{Func: f, Args: args, T: t}, nil
		}
		// x BETWEEN SYMMETRIC a AND b: (x BETWEEN a AND b) OR (x BETWEEN b AND a)
		var c Expr = &Call{Func: "OR", T: t, Args: []Expr{
			&Call{Func: f, Args: args, T: t},
			&Call{Func: f, Args: []Expr{args[0], args[2], args[1]}, T: t}}}
		if e.Not {
			c = &Call{Func: "NOT", Args: []Expr{c}, T: t}
		}
		return c, nil
	case *sql.Like:
		args, err := b.bindAll(e.X, e.Pattern)
		if err != nil {
			return nil, err
		}
		if e.Escape != nil {
			esc, err := b.bind(e.Escape)
			if err != nil {
				return nil, err
			}
			args = append(args, esc)
		}
		for i, a := range args {
			if !isStringy(a.Type()) {
				return nil, errAt(e.Pos, "cannot apply LIKE to a value of type %s (operand %d)", a.Type().WithoutRowtime(), i+1)
			}
		}
		f := "LIKE"
		if e.Not {
			f = "NOT LIKE"
		}
		return &Call{Func: f, Args: args, T: withNull(types.TBoolean, args)}, nil
	case *sql.IsNull:
		x, err := b.bind(e.X)
		if err != nil {
			return nil, err
		}
		f := "IS NULL"
		if e.Not {
			f = "IS NOT NULL"
		}
		return &Call{Func: f, Args: []Expr{x}, T: types.Type{Kind: types.Boolean, NotNull: true}}, nil
	case *sql.IsBool:
		x, err := b.bind(e.X)
		if err != nil {
			return nil, err
		}
		if k := x.Type().Kind; k != types.Boolean && k != types.Null {
			return nil, errAt(e.Pos, "IS %s needs a BOOLEAN operand, not %s", e.Value, x.Type().WithoutRowtime())
		}
		f := "IS " + e.Value
		if e.Value == "UNKNOWN" {
			f = "IS NULL"
		}
		if e.Not {
			f = strings.Replace(f, "IS ", "IS NOT ", 1)
		}
		return &Call{Func: f, Args: []Expr{x}, T: types.Type{Kind: types.Boolean, NotNull: true}}, nil
	case *sql.Exists:
		return nil, errAt(e.Pos, "EXISTS (subquery) is only supported as a top-level condition of the WHERE of a query without GROUP BY, planned as a semi/anti join (%s)", semiJoinForm)
	case *sql.Subquery:
		return nil, errAt(e.Pos, "scalar subqueries are not supported: they would make the result depend on a changing table")
	case *sql.TimeUnitExpr:
		x, err := b.bind(e.X)
		if err != nil {
			return nil, err
		}
		t := x.Type().WithoutRowtime()
		switch e.Func {
		case "FLOOR", "CEIL":
			timeOK := t.Kind == types.Time && (e.Unit == "MILLISECOND" || e.Unit == "SECOND" || e.Unit == "MINUTE" || e.Unit == "HOUR")
			if !t.Kind.IsTimestamp() && t.Kind != types.Date && t.Kind != types.Null && !timeOK {
				return nil, errAt(e.Pos, "%s(x TO %s) needs a TIMESTAMP, TIMESTAMP_LTZ or DATE (or a TIME with a unit up to HOUR), not %s", e.Func, e.Unit, t)
			}
			return &Call{Func: e.Func + "_TO", Args: []Expr{x}, Unit: e.Unit, T: t}, nil
		case "EXTRACT":
			switch t.Kind {
			case types.Timestamp, types.TimestampLTZ, types.Date, types.Time, types.IntervalDayTime, types.IntervalYearMonth, types.Null:
			default:
				return nil, errAt(e.Pos, "EXTRACT(%s FROM x) needs a date, time, timestamp or interval, not %s", e.Unit, t)
			}
			return &Call{Func: "EXTRACT", Args: []Expr{x}, Unit: e.Unit, T: types.Type{Kind: types.BigInt, NotNull: t.NotNull}}, nil
		}
		return nil, errAt(e.Pos, "unknown function %s", e.Func)
	}
	return nil, errAt(e.Position(), "unsupported expression %T", e)
}

func (b *binder) bindAll(es ...sql.Expr) ([]Expr, error) {
	out := make([]Expr, len(es))
	for i, e := range es {
		x, err := b.bind(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func typeOp(op string) string { return "'" + op + "'" }

func (b *binder) bindBinary(e *sql.Binary) (Expr, error) {
	args, err := b.bindAll(e.L, e.R)
	if err != nil {
		return nil, err
	}
	l, r := args[0].Type().WithoutRowtime(), args[1].Type().WithoutRowtime()
	ln, rn := l.Nullable(), r.Nullable()
	mismatch := func() error {
		return errAt(e.Pos, "cannot apply %s to arguments of type %s and %s", typeOp(e.Op), ln, rn)
	}
	nn := l.NotNull && r.NotNull
	switch e.Op {
	case "+", "-", "*", "/", "%":
		if t, ok := arithType(e.Op, l, r); ok {
			return &Call{Func: e.Op, Args: args, T: t}, nil
		}
		isIv := func(t types.Type) bool {
			return t.Kind == types.IntervalDayTime || t.Kind == types.IntervalYearMonth
		}
		isTime := func(t types.Type) bool { return t.Kind.IsTimestamp() || t.Kind == types.Date || t.Kind == types.Time }
		switch {
		case (e.Op == "+" || e.Op == "-") && isTime(l) && isIv(r):
			t := l
			t.NotNull = nn
			return &Call{Func: e.Op, Args: args, T: t}, nil
		case e.Op == "+" && isIv(l) && isTime(r):
			t := r
			t.NotNull = nn
			return &Call{Func: e.Op, Args: args, T: t}, nil
		case (e.Op == "+" || e.Op == "-") && isIv(l) && l.Kind == r.Kind:
			return &Call{Func: e.Op, Args: args, T: types.Type{Kind: l.Kind, NotNull: nn}}, nil
		case (e.Op == "*" || e.Op == "/") && isIv(l) && r.Kind.IsNumeric():
			return &Call{Func: e.Op, Args: args, T: types.Type{Kind: l.Kind, NotNull: nn}}, nil
		case e.Op == "*" && l.Kind.IsNumeric() && isIv(r):
			return &Call{Func: e.Op, Args: args, T: types.Type{Kind: r.Kind, NotNull: nn}}, nil
		case l.Kind == types.Null || r.Kind == types.Null:
			t := l
			if t.Kind == types.Null {
				t = r
			}
			return &Call{Func: e.Op, Args: args, T: t.Nullable()}, nil
		}
		if isStringy(l) && isStringy(r) && e.Op == "+" {
			return nil, errAt(e.Pos, "cannot apply '+' to arguments of type %s and %s (use || to concatenate strings)", ln, rn)
		}
		return nil, mismatch()
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		op := e.Op
		if op == "!=" {
			op = "<>"
		}
		if !comparable(l, r) {
			return nil, errAt(e.Pos, "cannot compare %s with %s: cannot apply %s to arguments of type %s and %s", ln, rn, typeOp(op), ln, rn)
		}
		return &Call{Func: op, Args: args, T: types.Type{Kind: types.Boolean, NotNull: nn}}, nil
	case "IS DISTINCT FROM", "IS NOT DISTINCT FROM":
		if !comparable(l, r) {
			return nil, errAt(e.Pos, "cannot compare %s with %s in %s", ln, rn, e.Op)
		}
		return &Call{Func: e.Op, Args: args, T: types.Type{Kind: types.Boolean, NotNull: true}}, nil
	case "AND", "OR":
		for i, t := range []types.Type{l, r} {
			if t.Kind != types.Boolean && t.Kind != types.Null {
				return nil, errAt([]sql.Pos{e.L.Position(), e.R.Position()}[i], "%s needs BOOLEAN operands, not %s", e.Op, t)
			}
		}
		return &Call{Func: e.Op, Args: args, T: types.Type{Kind: types.Boolean, NotNull: nn}}, nil
	case "||":
		if !isStringy(l) || !isStringy(r) {
			return nil, mismatch()
		}
		return &Call{Func: "||", Args: args, T: types.Type{Kind: types.String, NotNull: nn}}, nil
	}
	return nil, errAt(e.Pos, "unknown operator %q", e.Op)
}

func (b *binder) bindCase(e *sql.Case) (Expr, error) {
	var args []Expr
	var operand Expr
	if e.Operand != nil {
		o, err := b.bind(e.Operand)
		if err != nil {
			return nil, err
		}
		operand = o
	}
	var results []types.Type
	for _, w := range e.Whens {
		if l, ok := w.Cond.(*sql.Call); ok && l.Name == "WHEN_LIST" {
			// CASE x WHEN a, b THEN: x IN (a, b)
			if operand == nil {
				return nil, errAt(w.Cond.Position(), "WHEN a, b, ... needs the form CASE value WHEN value1, value2 THEN ...")
			}
			list, err := b.bindAll(l.Args...)
			if err != nil {
				return nil, err
			}
			for i, x := range list {
				if !comparable(operand.Type(), x.Type()) {
					return nil, errAt(l.Args[i].Position(), "cannot compare %s with %s in CASE", operand.Type().WithoutRowtime(), x.Type().WithoutRowtime())
				}
			}
			res, err := b.bind(w.Result)
			if err != nil {
				return nil, err
			}
			in := &Call{Func: "IN", Args: append([]Expr{operand}, list...), T: types.TBoolean}
			args = append(args, in, res)
			results = append(results, res.Type())
			continue
		}
		c, err := b.bind(w.Cond)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			if !comparable(operand.Type(), c.Type()) {
				return nil, errAt(w.Cond.Position(), "cannot compare %s with %s in CASE", operand.Type().WithoutRowtime(), c.Type().WithoutRowtime())
			}
			c = &Call{Func: "=", Args: []Expr{operand, c}, T: types.TBoolean}
		} else if k := c.Type().Kind; k != types.Boolean && k != types.Null {
			return nil, errAt(w.Cond.Position(), "a CASE WHEN condition must be BOOLEAN, not %s", c.Type().WithoutRowtime())
		}
		res, err := b.bind(w.Result)
		if err != nil {
			return nil, err
		}
		args = append(args, c, res)
		results = append(results, res.Type())
	}
	var els Expr = &Const{V: types.NullValue, T: types.TNull}
	if e.Else != nil {
		x, err := b.bind(e.Else)
		if err != nil {
			return nil, err
		}
		els = x
	}
	results = append(results, els.Type())
	t, ok := commonType(results...)
	if !ok {
		var s []string
		for _, r := range results {
			s = append(s, r.WithoutRowtime().String())
		}
		return nil, errAt(e.Pos, "CASE results have no common type: %s", strings.Join(s, ", "))
	}
	args = append(args, els)
	return &Call{Func: "CASE", Args: args, T: t}, nil
}

func (b *binder) bindCall(e *sql.Call) (Expr, error) {
	switch e.Name {
	case sql.Subscript:
		f, _ := functions.Lookup("ITEM")
		return b.applySpec(e, f)
	case sql.FieldAccess:
		if id, ok := e.Args[0].(*sql.Ident); ok && id.Qualifier != "" {
			// a.b.c: column b of table a, else field b of the ROW column a
			if _, err := b.r.resolve(id); err != nil {
				if f := rowField(b.r, id); f != nil {
					e = &sql.Call{Pos: e.Pos, Name: e.Name, Args: []sql.Expr{f, e.Args[1]}}
				}
			}
		}
		f, _ := functions.Lookup("FIELD")
		return b.applySpec(e, f)
	}
	name := strings.ToUpper(e.Name)
	if isAggregate(name) {
		return nil, errAt(e.Pos, "aggregate function %s is not allowed here", name)
	}
	for _, w := range window.FunctionNames() {
		if w == name {
			return nil, errAt(e.Pos, "%s can only be used with a group window (GROUP BY %s(...))", name, window.GroupWindowNames())
		}
	}
	if name == "TRIM" && len(e.Args) == 3 {
		// The parser writes TRIM([BOTH|LEADING|TRAILING] chars FROM s) as
		// TRIM('dir', chars, s); the runtime takes TRIM(s, chars) with Unit.
		if l, ok := e.Args[0].(*sql.Literal); ok && l.Kind == sql.StringLit && (l.Text == "BOTH" || l.Text == "LEADING" || l.Text == "TRAILING") {
			args, err := b.bindAll(e.Args[2], e.Args[1])
			if err != nil {
				return nil, err
			}
			t, aerr := functions.StringFunc(operands(args))
			if aerr != nil {
				return nil, errAt(e.Pos, "cannot apply TRIM to arguments of type (%s): %s", typeList(args), aerr.Msg)
			}
			return &Call{Func: "TRIM", Args: args, Unit: l.Text, T: t}, nil
		}
	}
	f, ok := functions.Lookup(name)
	if !ok || f.Internal || f.Infer == nil {
		if q, ok := functions.QueryFunc(name); ok {
			if q.Category == "grouping" {
				return nil, errAt(e.Pos, "%s() is only allowed in the SELECT list or HAVING of an aggregation (GROUP BY)", name)
			}
			return nil, errAt(e.Pos, "%s is only supported as %s in the Top-N and deduplication patterns", name, q.Syntax)
		}
		if why, known := functions.Unsupported(name); known {
			return nil, errAt(e.Pos, "function %s is not supported yet%s", name, why)
		}
		return nil, errAt(e.Pos, "unknown function %q%s", name, didYouMean(name, allFunctionNames(), ""))
	}
	if e.Star || e.Distinct || e.Filter != nil {
		return nil, errAt(e.Pos, "%s is not an aggregate function: it takes no *, DISTINCT or FILTER", name)
	}
	return b.applySpec(e, f)
}

// rowField is r.f as a field access when r is not a table of the scope
// but a ROW column, else nil.
func rowField(r *rel, id *sql.Ident) *sql.Call {
	if id.Qualifier == "" {
		return nil
	}
	for _, c := range r.cols {
		if c.qual == id.Qualifier {
			return nil // a table: an unknown column of it
		}
	}
	base := &sql.Ident{Pos: id.Pos, Name: id.Qualifier}
	if c, err := r.resolve(base); err != nil || c.t.Kind != types.Row {
		return nil
	}
	return &sql.Call{Pos: id.Pos, Name: sql.FieldAccess, Args: []sql.Expr{base, &sql.Literal{Pos: id.Pos, Kind: sql.StringLit, Text: id.Name}}}
}

// applySpec binds a call of the function spec f: arity, arguments, type
// inference.
func (b *binder) applySpec(e *sql.Call, f *functions.Spec) (Expr, error) {
	name := f.Name
	if len(e.Args) > 0 {
		// TIMESTAMPDIFF(DAY, a, b), TIMESTAMPADD(HOUR, n, t): the unit is
		// a keyword; the spec takes it as a constant string.
		if u, ok := e.Args[0].(*sql.TimeUnitExpr); ok && u.X == nil {
			args := append([]sql.Expr{&sql.Literal{Pos: u.Pos, Kind: sql.StringLit, Text: strings.ToUpper(u.Unit)}}, e.Args[1:]...)
			e = &sql.Call{Pos: e.Pos, Name: e.Name, Args: args}
		}
	}
	if len(e.Args) < f.MinArgs || (f.MaxArgs >= 0 && len(e.Args) > f.MaxArgs) {
		want := fmt.Sprintf("%d", f.MinArgs)
		switch {
		case f.MaxArgs < 0:
			want = fmt.Sprintf("at least %d", f.MinArgs)
		case f.MaxArgs != f.MinArgs:
			want = fmt.Sprintf("%d to %d", f.MinArgs, f.MaxArgs)
		}
		return nil, errAt(e.Pos, "function %s takes %s arguments, got %d", name, want, len(e.Args))
	}
	args, err := b.bindAll(e.Args...)
	if err != nil {
		return nil, err
	}
	t, aerr := f.Infer(operands(args))
	if aerr != nil {
		pos := e.Pos
		if aerr.Arg >= 0 && aerr.Arg < len(e.Args) {
			pos = e.Args[aerr.Arg].Position()
		}
		what := f.Name
		if f.Internal {
			what = f.Syntax
		}
		return nil, errAt(pos, "cannot apply %s to arguments of type (%s): %s", what, typeList(args), aerr.Msg)
	}
	return &Call{Func: f.Name, Args: args, T: t}, nil
}

// checkCast rejects casts Flink never allows.
func checkCast(from, to types.Type) string {
	if from.Kind == types.Null || from.Kind == to.Kind {
		return ""
	}
	scalar := func(k types.Kind) bool { return k != types.Array && k != types.Map && k != types.Row }
	if !scalar(from.Kind) || !scalar(to.Kind) {
		return fmt.Sprintf("cannot cast %s to %s", from.WithoutRowtime(), to)
	}
	if from.Kind == types.Boolean && (to.Kind.IsTimestamp() || to.Kind == types.Date || to.Kind == types.Time) ||
		to.Kind == types.Boolean && (from.Kind.IsTimestamp() || from.Kind == types.Date || from.Kind == types.Time) {
		return fmt.Sprintf("cannot cast %s to %s", from.WithoutRowtime(), to)
	}
	return ""
}

// ---------------------------------------------------------------- literals

func bindLiteral(l *sql.Literal) (Expr, error) {
	nn := func(t types.Type) types.Type { t.NotNull = true; return t }
	switch l.Kind {
	case sql.NullLit:
		return &Const{V: types.NullValue, T: types.TNull}, nil
	case sql.BoolLit:
		return &Const{V: types.BoolValue(l.Bool), T: nn(types.TBoolean)}, nil
	case sql.IntLit:
		i, err := strconv.ParseInt(l.Text, 10, 64)
		if err != nil {
			return decimalLiteral(l)
		}
		if i >= math.MinInt32 && i <= math.MaxInt32 {
			return &Const{V: types.IntValue(i), T: nn(types.TInt)}, nil
		}
		return &Const{V: types.BigIntValue(i), T: nn(types.TBigInt)}, nil
	case sql.DecimalLit:
		return decimalLiteral(l)
	case sql.FloatLit:
		f, err := strconv.ParseFloat(l.Text, 64)
		if err != nil {
			return nil, errAt(l.Pos, "bad floating point literal %q", l.Text)
		}
		return &Const{V: types.DoubleValue(f), T: nn(types.TDouble)}, nil
	case sql.StringLit:
		return &Const{V: types.StringValue(l.Text), T: nn(types.TString)}, nil
	case sql.TimestampLit:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02"} {
			if ts, err := time.Parse(layout, strings.TrimSpace(l.Text)); err == nil {
				return &Const{V: types.TimestampValue(ts.UnixMilli()), T: nn(types.TTimestamp3)}, nil
			}
		}
		return nil, errAt(l.Pos, "bad TIMESTAMP literal %q (want 'yyyy-MM-dd HH:mm:ss[.SSS]')", l.Text)
	case sql.DateLit:
		d, err := time.Parse("2006-01-02", strings.TrimSpace(l.Text))
		if err != nil {
			return nil, errAt(l.Pos, "bad DATE literal %q (want 'yyyy-MM-dd')", l.Text)
		}
		return &Const{V: types.DateValue(d.Unix() / 86400), T: nn(types.Type{Kind: types.Date})}, nil
	case sql.TimeLit:
		for _, layout := range []string{"15:04:05.999999999", "15:04:05", "15:04"} {
			if ts, err := time.Parse(layout, strings.TrimSpace(l.Text)); err == nil {
				ms := int64(ts.Hour())*3600000 + int64(ts.Minute())*60000 + int64(ts.Second())*1000 + int64(ts.Nanosecond()/1e6)
				return &Const{V: types.Value{K: types.Time, I: ms}, T: nn(types.Type{Kind: types.Time})}, nil
			}
		}
		return nil, errAt(l.Pos, "bad TIME literal %q (want 'HH:mm:ss')", l.Text)
	case sql.IntervalLit:
		v, t, err := parseInterval(l.Text, l.Unit)
		if err != nil {
			return nil, errAt(l.Pos, "%v", err)
		}
		return &Const{V: v, T: nn(t)}, nil
	}
	return nil, errAt(l.Pos, "unsupported literal")
}

func decimalLiteral(l *sql.Literal) (Expr, error) {
	text := strings.TrimPrefix(l.Text, "+")
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	intPart, frac, _ := strings.Cut(text, ".")
	digits := strings.TrimLeft(intPart, "0") + frac
	u, ok := new(big.Int).SetString(strings.TrimLeft(intPart+frac, "0")+"0", 10)
	if !ok {
		return nil, errAt(l.Pos, "bad numeric literal %q", l.Text)
	}
	u.Div(u, big.NewInt(10))
	if neg {
		u.Neg(u)
	}
	p, s := max(len(digits), 1), len(frac)
	if p < s {
		p = s
	}
	if p > types.MaxDecimalPrecision {
		return nil, errAt(l.Pos, "numeric literal %q has more than %d digits", l.Text, types.MaxDecimalPrecision)
	}
	return &Const{V: types.BigDecimalValue(u, s), T: types.Type{Kind: types.Decimal, Precision: p, Scale: s, NotNull: true}}, nil
}

var dayTimeUnits = []string{"DAY", "HOUR", "MINUTE", "SECOND"}
var dayTimeMillis = map[string]float64{"DAY": 86400000, "HOUR": 3600000, "MINUTE": 60000, "SECOND": 1000, "MILLISECOND": 1}

// parseInterval converts INTERVAL 'text' unit into milliseconds (day-time)
// or months (year-month).
func parseInterval(text, unit string) (types.Value, types.Type, error) {
	unit = strings.ToUpper(strings.TrimSpace(unit))
	if i := strings.IndexByte(unit, '('); i >= 0 { // SECOND(3)
		if j := strings.IndexByte(unit[i:], ')'); j >= 0 {
			unit = unit[:i] + unit[i+j+1:]
		}
	}
	from, to, _ := strings.Cut(unit, " TO ")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	norm := func(u string) string {
		if strings.HasSuffix(u, "S") && u != "S" {
			return strings.TrimSuffix(u, "S")
		}
		return u
	}
	from, to = norm(from), norm(to)
	if to == "" {
		to = from
	}
	text = strings.TrimSpace(text)
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimLeft(text, "+-")
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ':' || r == '-' })
	bad := fmt.Errorf("bad interval literal INTERVAL '%s' %s", text, unit)
	for _, f := range fields { // digits and a decimal point only (ParseFloat also takes 1e3, NaN, Inf, hex)
		if strings.Trim(f, "0123456789.") != "" {
			return types.Value{}, types.Type{}, bad
		}
	}
	tooLarge := fmt.Errorf("interval literal INTERVAL '%s' %s is out of range", text, unit)
	sign := int64(1)
	if neg {
		sign = -1
	}
	if from == "YEAR" || from == "MONTH" {
		units := []string{"YEAR", "MONTH"}
		i0, i1 := indexOf(units, from), indexOf(units, to)
		if i1 < i0 || len(fields) != i1-i0+1 {
			return types.Value{}, types.Type{}, bad
		}
		var months int64
		for k, f := range fields {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return types.Value{}, types.Type{}, bad
			}
			if units[i0+k] == "YEAR" {
				if n > math.MaxInt64/12 {
					return types.Value{}, types.Type{}, tooLarge
				}
				n *= 12
			}
			if n > math.MaxInt64-months {
				return types.Value{}, types.Type{}, tooLarge
			}
			months += n
		}
		return types.IntervalMonthsValue(sign * months), types.Type{Kind: types.IntervalYearMonth}, nil
	}
	if from == "MILLISECOND" {
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return types.Value{}, types.Type{}, bad
		}
		if n >= math.MaxInt64 {
			return types.Value{}, types.Type{}, tooLarge
		}
		return types.IntervalMillisValue(sign * int64(n)), types.Type{Kind: types.IntervalDayTime}, nil
	}
	i0, i1 := indexOf(dayTimeUnits, from), indexOf(dayTimeUnits, to)
	if i0 < 0 || i1 < i0 || len(fields) != i1-i0+1 {
		return types.Value{}, types.Type{}, bad
	}
	var ms float64
	for k, f := range fields {
		n, err := strconv.ParseFloat(f, 64)
		if err != nil || (k < len(fields)-1 && strings.Contains(f, ".")) {
			return types.Value{}, types.Type{}, bad
		}
		ms += n * dayTimeMillis[dayTimeUnits[i0+k]]
	}
	if math.Round(ms) >= math.MaxInt64 {
		return types.Value{}, types.Type{}, tooLarge
	}
	return types.IntervalMillisValue(sign * int64(math.Round(ms))), types.Type{Kind: types.IntervalDayTime}, nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
