package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsql/streamsql/sql/types"
)

// The function registry: every scalar function, operator and aggregate
// the planner accepts, with its arity, argument checks and result type.
// The runtime implements each one under the same canonical name. Adding a
// function means adding one entry here (and its implementation in the
// runtime).

// argError says which argument is wrong (index into the call's arguments,
// -1 for the call as a whole) and why.
type argError struct {
	arg int
	msg string
}

type funcDef struct {
	name    string // canonical name (Call.Func)
	minArgs int
	maxArgs int // -1: any number
	infer   func(args []Expr) (types.Type, *argError)
}

// aliases maps alternative spellings to canonical names.
var funcAliases = map[string]string{
	"SUBSTR":           "SUBSTRING",
	"CHARACTER_LENGTH": "CHAR_LENGTH",
	"CEILING":          "CEIL",
	"POW":              "POWER",
}

var scalarFuncs = map[string]*funcDef{}

func register(name string, minArgs, maxArgs int, infer func(args []Expr) (types.Type, *argError)) {
	scalarFuncs[name] = &funcDef{name: name, minArgs: minArgs, maxArgs: maxArgs, infer: infer}
}

// aggregateFuncs are the aggregate functions window aggregations support.
var aggregateFuncs = []string{"COUNT", "SUM", "AVG", "MIN", "MAX"}

// windowFuncs are the legacy group-window functions (GROUP BY TUMBLE(...))
// and their auxiliary functions; the planner handles them itself.
var windowFuncs = []string{"TUMBLE", "HOP", "SESSION", "CUMULATE",
	"TUMBLE_START", "TUMBLE_END", "TUMBLE_ROWTIME", "HOP_START", "HOP_END", "HOP_ROWTIME",
	"SESSION_START", "SESSION_END", "SESSION_ROWTIME"}

func isAggregate(name string) bool {
	for _, n := range aggregateFuncs {
		if n == name {
			return true
		}
	}
	return false
}

// allFunctionNames lists every name a user may call, for suggestions.
func allFunctionNames() []string {
	names := make([]string, 0, len(scalarFuncs)+16)
	for n := range scalarFuncs {
		names = append(names, n)
	}
	for n := range funcAliases {
		names = append(names, n)
	}
	names = append(names, aggregateFuncs...)
	names = append(names, windowFuncs...)
	names = append(names, "CAST", "TRY_CAST", "EXTRACT")
	sort.Strings(names)
	return names
}

func typeList(args []Expr) string {
	s := make([]string, len(args))
	for i, a := range args {
		s[i] = a.Type().WithoutRowtime().String()
	}
	return strings.Join(s, ", ")
}

// ---- argument checks

func wantString(args []Expr, i int) *argError {
	if i < len(args) && !isStringy(args[i].Type()) {
		return &argError{i, fmt.Sprintf("argument %d must be a string, not %s", i+1, args[i].Type().WithoutRowtime())}
	}
	return nil
}

func wantNumeric(args []Expr, i int) *argError {
	if i < len(args) && !args[i].Type().Kind.IsNumeric() && args[i].Type().Kind != types.Null {
		return &argError{i, fmt.Sprintf("argument %d must be numeric, not %s", i+1, args[i].Type().WithoutRowtime())}
	}
	return nil
}

func wantInteger(args []Expr, i int) *argError {
	if i < len(args) && !args[i].Type().Kind.IsInteger() && args[i].Type().Kind != types.Null {
		return &argError{i, fmt.Sprintf("argument %d must be an integer, not %s", i+1, args[i].Type().WithoutRowtime())}
	}
	return nil
}

func first(errs ...*argError) *argError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func allNotNull(args []Expr) bool {
	for _, a := range args {
		if !a.Type().NotNull {
			return false
		}
	}
	return true
}

func withNull(t types.Type, args []Expr) types.Type {
	t.NotNull = allNotNull(args)
	return t
}

func stringFunc(args []Expr) (types.Type, *argError) {
	for i := range args {
		if e := wantString(args, i); e != nil {
			return types.Type{}, e
		}
	}
	return withNull(types.TString, args), nil
}

func init() {
	register("UPPER", 1, 1, stringFunc)
	register("LOWER", 1, 1, stringFunc)
	register("CONCAT", 1, -1, stringFunc)
	register("TRIM", 1, 2, stringFunc)
	register("LTRIM", 1, 2, stringFunc)
	register("RTRIM", 1, 2, stringFunc)
	register("SUBSTRING", 2, 3, func(a []Expr) (types.Type, *argError) {
		if e := first(wantString(a, 0), wantInteger(a, 1), wantInteger(a, 2)); e != nil {
			return types.Type{}, e
		}
		return withNull(types.TString, a), nil
	})
	register("CHAR_LENGTH", 1, 1, func(a []Expr) (types.Type, *argError) {
		if e := wantString(a, 0); e != nil {
			return types.Type{}, e
		}
		return withNull(types.TInt, a), nil
	})
	register("TO_TIMESTAMP_LTZ", 1, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantNumeric(a, 0), wantInteger(a, 1)); e != nil {
			return types.Type{}, e
		}
		if len(a) == 2 {
			c, ok := a[1].(*Const)
			if !ok || c.V.IsNull() || (c.V.I != 0 && c.V.I != 3) {
				return types.Type{}, &argError{1, "the precision of TO_TIMESTAMP_LTZ must be the constant 0 (seconds) or 3 (milliseconds)"}
			}
		}
		return withNull(types.TTimestampLTZ, a[:1]), nil
	})
	register("TO_TIMESTAMP", 1, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantString(a, 0), wantString(a, 1)); e != nil {
			return types.Type{}, e
		}
		return types.TTimestamp3, nil // NULL when the text does not parse
	})
	register("DATE_FORMAT", 2, 2, func(a []Expr) (types.Type, *argError) {
		if !a[0].Type().Kind.IsTimestamp() && !isStringy(a[0].Type()) {
			return types.Type{}, &argError{0, fmt.Sprintf("argument 1 must be a timestamp or a string, not %s", a[0].Type().WithoutRowtime())}
		}
		if e := wantString(a, 1); e != nil {
			return types.Type{}, e
		}
		return types.TString, nil
	})
	register("UNIX_TIMESTAMP", 0, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantString(a, 0), wantString(a, 1)); e != nil {
			return types.Type{}, e
		}
		return types.TBigInt, nil
	})
	register("FROM_UNIXTIME", 1, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantInteger(a, 0), wantString(a, 1)); e != nil {
			return types.Type{}, e
		}
		return withNull(types.TString, a), nil
	})
	register("CURRENT_WATERMARK", 1, 1, func(a []Expr) (types.Type, *argError) {
		if _, ok := a[0].(*ColRef); !ok || !a[0].Type().Rowtime {
			return types.Type{}, &argError{0, "CURRENT_WATERMARK takes a rowtime attribute (the column of a WATERMARK FOR clause)"}
		}
		return a[0].Type().WithoutRowtime().Nullable(), nil
	})
	register("ABS", 1, 1, func(a []Expr) (types.Type, *argError) {
		if e := wantNumeric(a, 0); e != nil {
			return types.Type{}, e
		}
		return a[0].Type().WithoutRowtime(), nil
	})
	floorCeil := func(a []Expr) (types.Type, *argError) {
		if e := wantNumeric(a, 0); e != nil {
			return types.Type{}, e
		}
		t := a[0].Type()
		if t.Kind == types.Decimal {
			return types.Type{Kind: types.Decimal, Precision: min(types.MaxDecimalPrecision, t.Precision-t.Scale+1), NotNull: t.NotNull}, nil
		}
		return t, nil
	}
	register("FLOOR", 1, 1, floorCeil)
	register("CEIL", 1, 1, floorCeil)
	register("MOD", 2, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantNumeric(a, 0), wantNumeric(a, 1)); e != nil {
			return types.Type{}, e
		}
		t, _ := arithType("%", a[0].Type(), a[1].Type())
		return t, nil
	})
	register("POWER", 2, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantNumeric(a, 0), wantNumeric(a, 1)); e != nil {
			return types.Type{}, e
		}
		return withNull(types.TDouble, a), nil
	})
	register("ROUND", 1, 2, func(a []Expr) (types.Type, *argError) {
		if e := first(wantNumeric(a, 0), wantInteger(a, 1)); e != nil {
			return types.Type{}, e
		}
		t := a[0].Type().WithoutRowtime()
		if t.Kind == types.Decimal {
			n := 0
			if len(a) == 2 {
				if c, ok := a[1].(*Const); ok && !c.V.IsNull() {
					n = int(c.V.I)
				}
			}
			s := max(0, min(t.Scale, n))
			t = types.Type{Kind: types.Decimal, Precision: min(types.MaxDecimalPrecision, t.Precision-t.Scale+s+1), Scale: s, NotNull: t.NotNull}
		}
		return t, nil
	})
	register("COALESCE", 1, -1, func(a []Expr) (types.Type, *argError) {
		ts := make([]types.Type, len(a))
		for i, x := range a {
			ts[i] = x.Type()
		}
		t, ok := commonType(ts...)
		if !ok {
			return types.Type{}, &argError{-1, "cannot find a common type for COALESCE(" + typeList(a) + ")"}
		}
		t.NotNull = false
		for _, x := range a {
			if x.Type().NotNull {
				t.NotNull = true
			}
		}
		return t, nil
	})
	register("NULLIF", 2, 2, func(a []Expr) (types.Type, *argError) {
		if !comparable(a[0].Type(), a[1].Type()) {
			return types.Type{}, &argError{-1, "cannot compare " + typeList(a) + " in NULLIF"}
		}
		return a[0].Type().WithoutRowtime().Nullable(), nil
	})
	register("IF", 3, 3, func(a []Expr) (types.Type, *argError) {
		if k := a[0].Type().Kind; k != types.Boolean && k != types.Null {
			return types.Type{}, &argError{0, "the condition of IF must be BOOLEAN, not " + a[0].Type().String()}
		}
		t, ok := commonType(a[1].Type(), a[2].Type())
		if !ok {
			return types.Type{}, &argError{-1, "cannot find a common type for the results of IF(" + typeList(a[1:]) + ")"}
		}
		return t, nil
	})
}

// lookupFunc finds a scalar function by (upper case) name, aliases included.
func lookupFunc(name string) (*funcDef, bool) {
	if c, ok := funcAliases[name]; ok {
		name = c
	}
	f, ok := scalarFuncs[name]
	return f, ok
}

// aggType is the result type of an aggregate over an argument of type t
// (Flink's rules; COUNT ignores t).
func aggType(name string, t types.Type) (types.Type, string) {
	t = t.WithoutRowtime()
	switch name {
	case "COUNT":
		return types.Type{Kind: types.BigInt, NotNull: true}, ""
	case "SUM":
		switch {
		case t.Kind == types.TinyInt || t.Kind == types.SmallInt || t.Kind == types.Int:
			return types.TInt, ""
		case t.Kind == types.BigInt:
			return types.TBigInt, ""
		case t.Kind == types.Decimal:
			return types.DecimalType(types.MaxDecimalPrecision, t.Scale), ""
		case t.Kind == types.Float || t.Kind == types.Double:
			return types.TDouble, ""
		}
		return types.Type{}, "SUM needs a numeric argument, not " + t.String()
	case "AVG":
		switch {
		case t.Kind.IsInteger():
			return types.Type{Kind: t.Kind}, ""
		case t.Kind == types.Decimal:
			return types.DecimalType(types.MaxDecimalPrecision, max(6, t.Scale)), ""
		case t.Kind == types.Float || t.Kind == types.Double:
			return types.TDouble, ""
		}
		return types.Type{}, "AVG needs a numeric argument, not " + t.String()
	case "MIN", "MAX":
		switch t.Kind {
		case types.Array, types.Map, types.Row:
			return types.Type{}, name + " cannot compare values of type " + t.String()
		}
		return t.Nullable(), ""
	}
	return types.Type{}, "unknown aggregate " + name
}
