// Package functions holds one Spec per built-in scalar function: its name
// and aliases, arity, Flink's type inference, the runtime implementation
// (a builder that returns a closure specialised on the operand types), a
// doc line and examples. The planner types calls with Spec.Infer, the
// runtime (runtime/expr) builds them with Spec.Build, docs/sql.md's
// function table is generated from the specs and a test runs every
// example through the whole stack (parse, plan, compile, evaluate).
//
// Adding a function is one Register call in one file of this package plus
// its examples; see docs/architecture.md for a worked example.
//
// The package imports only sql/types, so both the planner and the runtime
// can use it. Operators (+, =, AND, CASE, CAST, LIKE, IN, ...) stay in
// runtime/expr; what the runtime lends a builder (casts, comparisons,
// operators) comes through Env.
package functions

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql/types"
)

// MinWatermark is the watermark before the first one (runtime/core's
// MinWatermark has the same value).
const MinWatermark int64 = -1 << 63

// Ctx is the per-call evaluation context (runtime/expr.Ctx is this type).
// One Ctx is reused for a whole batch: evaluation never allocates it per
// row.
type Ctx struct {
	// Watermark is the current input watermark of the operator evaluating
	// (CURRENT_WATERMARK); MinWatermark when none yet.
	Watermark int64
	// TimeZone is table.local-time-zone.
	TimeZone *time.Location
	// Err is set by the first failing evaluation (CAST of a bad value,
	// division by zero as Flink defines it, ...). Callers check it after
	// a row or a batch and stop the job with it.
	Err error
}

// Eval evaluates a compiled expression over one row (runtime/expr.Func is
// this type, so a spec's closure is called directly, with no wrapper).
type Eval func(c *Ctx, row []types.Value) types.Value

// Operand is what type inference sees of one argument.
type Operand struct {
	T      types.Type  // its type (with the rowtime flag when it is one)
	Const  bool        // a literal
	V      types.Value // the literal's value when Const
	Column bool        // a plain column reference
}

// ArgError says which argument is wrong (index into the call's arguments,
// -1 for the call as a whole) and why.
type ArgError struct {
	Arg int
	Msg string
}

// Arg is one compiled argument handed to a builder.
type Arg struct {
	F     Eval
	T     types.Type
	Konst bool        // a constant (after folding)
	V     types.Value // the constant when Konst
	Col   int         // input column when a plain column read, else -1
	Func  string      // the function that computes it, when it is a call (JSON_OBJECT nests JSON_ARRAY's result as JSON)
}

// Call is what a builder learns of the call besides its arguments: the
// canonical name, its Unit (TRIM mode, EXTRACT unit, ...) and its result
// type as the planner inferred it.
type Call struct {
	Func string
	Unit string
	T    types.Type
}

// Builder compiles a call into a closure specialised on the argument
// types; called once per expression, never per row. env is what the
// runtime lends (casts, comparisons, the time zone).
type Builder func(env *Env, call *Call, args []Arg) (Eval, error)

// Env is what the runtime lends a builder: the session time zone known at
// compile time and the operators it compiles (implicit casts,
// comparisons, arithmetic).
type Env struct {
	Loc *time.Location
	// Cast converts a to type to as CAST (try: as TRY_CAST).
	Cast func(a Arg, to types.Type, try bool) (Eval, error)
	// Compare returns a three-way comparison of non-NULL values of types a
	// and b (Flink's comparison rules, as the < operator).
	Compare func(a, b types.Type) (func(c *Ctx, x, y types.Value) int, error)
	// Equal returns an equality test of non-NULL values of types a and b
	// (as the = operator).
	Equal func(a, b types.Type) (func(c *Ctx, x, y types.Value) bool, error)
	// Operator compiles an operator (+, -, *, /, %, =, ...) with result t.
	Operator func(op string, t types.Type, args []Arg) (Eval, error)
}

// Zone is the session time zone for evaluation.
func (e *Env) Zone(c *Ctx) *time.Location {
	if c.TimeZone != nil {
		return c.TimeZone
	}
	if e.Loc != nil {
		return e.Loc
	}
	return time.UTC
}

// Coerce converts a to type to when its representation differs (implicit
// widening, as Flink inserts for CASE, COALESCE, IF, ...).
func (e *Env) Coerce(a Arg, to types.Type) (Eval, error) {
	if SameRepr(a.T, to) {
		return a.F, nil
	}
	return e.Cast(a, to, false)
}

// Strings makes every argument a STRING (non-string arguments are cast as
// CAST(x AS STRING) would).
func (e *Env) Strings(args []Arg) ([]Eval, error) {
	fs := make([]Eval, len(args))
	for i, a := range args {
		if a.T.Kind == types.String || a.T.Kind == types.Bytes || a.T.Kind == types.Null {
			fs[i] = a.F
			continue
		}
		f, err := e.Cast(a, types.TString, false)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		fs[i] = f
	}
	return fs, nil
}

// SameRepr reports whether values of type a can be used as type b as is.
func SameRepr(a, b types.Type) bool {
	if a.Kind == types.Null {
		return true
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case types.Decimal:
		return a.Scale == b.Scale && a.Precision <= b.Precision
	case types.String:
		return b.Precision == 0 || (a.Precision > 0 && a.Precision <= b.Precision)
	case types.Timestamp, types.TimestampLTZ, types.Time:
		return a.Precision <= b.Precision || b.Precision >= 3
	}
	return true
}

// Example is one documented evaluation: Expr is a SQL expression (it may
// read the columns of the example table, see ExampleTable), Want the
// expected result as CAST(result AS STRING) prints it, "NULL", or
// "error: <text>" for an error whose message contains text (a planning,
// compile or run-time error).
type Example struct {
	Expr string
	Want string
}

// Spec is one built-in function.
type Spec struct {
	Name     string   // canonical upper-case name (planner.Call.Func)
	Aliases  []string // other names of the same function
	Category string   // the section of Flink's function page
	Syntax   string   // how it is called, e.g. "LPAD(string, length, pad)"
	Doc      string   // one line
	MinArgs  int
	MaxArgs  int // -1: any number
	// Infer checks the operands and returns the result type (Flink's
	// type inference, nullability included). Nil for a function the
	// planner binds from its own syntax (EXTRACT, FLOOR(x TO unit)).
	Infer func(args []Operand) (types.Type, *ArgError)
	Build Builder
	// Volatile: the result depends on more than the arguments (time,
	// randomness, the watermark), so it is never folded to a constant.
	Volatile bool
	// Internal: a name the planner produces itself, not callable by name
	// and not listed in the docs (FLOOR_TO for FLOOR(ts TO unit)).
	Internal bool
	Examples []Example
}

var (
	specs   = map[string]*Spec{}
	aliases = map[string]string{}
)

// Register adds a spec; a duplicate name panics at start-up (a
// programming error, caught by every test).
func Register(s *Spec) {
	if s.Name == "" || s.Build == nil {
		panic("functions: spec without name or Build: " + s.Name)
	}
	for _, n := range append([]string{s.Name}, s.Aliases...) {
		if _, dup := specs[n]; dup {
			panic("functions: duplicate function " + n)
		}
		if _, dup := aliases[n]; dup {
			panic("functions: duplicate function " + n)
		}
	}
	specs[s.Name] = s
	for _, a := range s.Aliases {
		aliases[a] = s.Name
	}
}

// Lookup finds a spec by upper-case name or alias.
func Lookup(name string) (*Spec, bool) {
	if c, ok := aliases[name]; ok {
		name = c
	}
	s, ok := specs[name]
	return s, ok
}

// All returns every spec sorted by name.
func All() []*Spec {
	out := make([]*Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names lists every callable name (aliases included), for suggestions.
func Names() []string {
	var out []string
	for n, s := range specs {
		if !s.Internal && s.Infer != nil {
			out = append(out, n)
		}
	}
	for a := range aliases {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// ---- helpers for builders

// Fail records the first run-time error and returns NULL.
func Fail(c *Ctx, err error) types.Value {
	if c.Err == nil {
		c.Err = err
	}
	return types.NullValue
}

var nullV = types.NullValue

// BoolV is a BOOLEAN value.
func BoolV(b bool) types.Value {
	if b {
		return types.Value{K: types.Boolean, I: 1}
	}
	return types.Value{K: types.Boolean}
}

// WantArgs checks the number of compiled arguments.
func WantArgs(args []Arg, lo, hi int) error {
	if len(args) < lo || (hi >= 0 && len(args) > hi) {
		if lo == hi {
			return fmt.Errorf("takes %d arguments, got %d", lo, len(args))
		}
		return fmt.Errorf("takes %d to %d arguments, got %d", lo, hi, len(args))
	}
	return nil
}

// ---- helpers for type inference

func typeList(args []Operand) string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = a.T.WithoutRowtime().String()
	}
	return strings.Join(s, ", ")
}

func wantString(args []Operand, i int) *ArgError {
	if i < len(args) && !IsStringy(args[i].T) {
		return &ArgError{i, fmt.Sprintf("argument %d must be a string, not %s", i+1, args[i].T.WithoutRowtime())}
	}
	return nil
}

func wantNumeric(args []Operand, i int) *ArgError {
	if i < len(args) && !args[i].T.Kind.IsNumeric() && args[i].T.Kind != types.Null {
		return &ArgError{i, fmt.Sprintf("argument %d must be numeric, not %s", i+1, args[i].T.WithoutRowtime())}
	}
	return nil
}

func wantInteger(args []Operand, i int) *ArgError {
	if i < len(args) && !args[i].T.Kind.IsInteger() && args[i].T.Kind != types.Null {
		return &ArgError{i, fmt.Sprintf("argument %d must be an integer, not %s", i+1, args[i].T.WithoutRowtime())}
	}
	return nil
}

func first(errs ...*ArgError) *ArgError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func allNotNull(args []Operand) bool {
	for _, a := range args {
		if !a.T.NotNull {
			return false
		}
	}
	return true
}

func withNull(t types.Type, args []Operand) types.Type {
	t.NotNull = allNotNull(args)
	return t
}

// StringFunc types a function of strings returning a STRING that is NULL
// when any argument is.
func StringFunc(args []Operand) (types.Type, *ArgError) {
	for i := range args {
		if e := wantString(args, i); e != nil {
			return types.Type{}, e
		}
	}
	return withNull(types.TString, args), nil
}

// sig builds an Infer from argument checks and a result type that is
// nullable when any argument is (the common case).
func sig(ret types.Type, checks ...func(args []Operand, i int) *ArgError) func([]Operand) (types.Type, *ArgError) {
	return func(args []Operand) (types.Type, *ArgError) {
		for i, ch := range checks {
			if ch == nil {
				continue
			}
			if e := ch(args, i); e != nil {
				return types.Type{}, e
			}
		}
		return withNull(ret, args), nil
	}
}

// nullable makes an Infer's result always nullable (functions that give
// NULL on bad input).
func nullable(f func([]Operand) (types.Type, *ArgError)) func([]Operand) (types.Type, *ArgError) {
	return func(args []Operand) (types.Type, *ArgError) {
		t, e := f(args)
		return t.Nullable(), e
	}
}

// TypeList prints operand types for error messages.
func TypeList(args []Operand) string { return typeList(args) }

// Msg is the message of an ArgError (nil-safe).
func (e *ArgError) Error() string { return e.Msg }
