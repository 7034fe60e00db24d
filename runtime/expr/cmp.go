package expr

import (
	"fmt"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// cmpClass is how two operands are compared, chosen at compile time.
type cmpClass uint8

const (
	cmpInt     cmpClass = iota // I against I: integers, BOOLEAN, DATE, TIME, same-kind timestamps, intervals
	cmpFloat                   // as float64 with Java's primitive rules (NaN unequal to all)
	cmpDecimal                 // exact DECIMAL comparison
	cmpString                  // bytes
	cmpMixedTS                 // TIMESTAMP against TIMESTAMP_LTZ / DATE: converted at run time
	cmpOther                   // types.Compare (ARRAY, ROW, MAP)
	cmpNull                    // one side is the NULL type
)

func numericRank(k types.Kind) int {
	switch {
	case k.IsInteger():
		return 1
	case k == types.Decimal:
		return 2
	case k == types.Float || k == types.Double:
		return 3
	}
	return 0
}

func classify(a, b types.Type) (cmpClass, error) {
	ka, kb := a.Kind, b.Kind
	if ka == types.Null || kb == types.Null {
		return cmpNull, nil
	}
	ra, rb := numericRank(ka), numericRank(kb)
	if ra > 0 && rb > 0 {
		switch max(ra, rb) {
		case 3:
			return cmpFloat, nil
		case 2:
			return cmpDecimal, nil
		}
		return cmpInt, nil
	}
	isStr := func(k types.Kind) bool { return k == types.String || k == types.Bytes }
	switch {
	case isStr(ka) && isStr(kb):
		return cmpString, nil
	case ka == kb && (ka == types.Boolean || ka == types.Date || ka == types.Time || ka == types.Timestamp ||
		ka == types.TimestampLTZ || ka == types.IntervalDayTime || ka == types.IntervalYearMonth):
		return cmpInt, nil
	case (ka == types.Timestamp || ka == types.TimestampLTZ || ka == types.Date) &&
		(kb == types.Timestamp || kb == types.TimestampLTZ || kb == types.Date):
		return cmpMixedTS, nil
	case ka == kb && (ka == types.Array || ka == types.Row || ka == types.Map):
		return cmpOther, nil
	}
	return 0, fmt.Errorf("cannot compare %s with %s", a, b)
}

// comparator returns a three-way comparison of non-NULL operands; for
// cmpFloat use floatOps instead (NaN is unordered).
func (c *compiler) comparator(cl cmpClass, a, b types.Type) func(ctx *Ctx, x, y types.Value) int {
	switch cl {
	case cmpInt:
		return func(_ *Ctx, x, y types.Value) int { return cmp3(x.I, y.I) }
	case cmpDecimal:
		ca, _ := decOf(a.Kind)
		cb, _ := decOf(b.Kind)
		return func(_ *Ctx, x, y types.Value) int { return types.DecimalCompare(ca(x), cb(y)) }
	case cmpString:
		return func(_ *Ctx, x, y types.Value) int { return strings.Compare(x.S, y.S) }
	case cmpFloat:
		ca, _ := f64Of(a.Kind)
		cb, _ := f64Of(b.Kind)
		return func(_ *Ctx, x, y types.Value) int {
			p, q := ca(x), cb(y)
			switch {
			case p < q:
				return -1
			case p > q:
				return 1
			}
			return 0
		}
	case cmpMixedTS:
		// Both sides become instants: TIMESTAMP and DATE are wall clocks
		// in the session time zone.
		ta, tb := a.Kind, b.Kind
		return func(ctx *Ctx, x, y types.Value) int {
			loc := c.zone(ctx)
			return cmp3(toInstant(x.I, ta, loc), toInstant(y.I, tb, loc))
		}
	}
	return func(_ *Ctx, x, y types.Value) int { return types.Compare(x, y) }
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func opTest(op string) (func(int) bool, error) {
	switch op {
	case "=":
		return func(r int) bool { return r == 0 }, nil
	case "<>":
		return func(r int) bool { return r != 0 }, nil
	case "<":
		return func(r int) bool { return r < 0 }, nil
	case "<=":
		return func(r int) bool { return r <= 0 }, nil
	case ">":
		return func(r int) bool { return r > 0 }, nil
	case ">=":
		return func(r int) bool { return r >= 0 }, nil
	}
	return nil, fmt.Errorf("unknown comparison %s", op)
}

func buildCompare(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	return c.compare(call.Func, args[0], args[1])
}

func (c *compiler) compare(op string, a, b node) (Func, error) {
	cl, err := classify(a.t, b.t)
	if err != nil {
		return nil, err
	}
	if cl == cmpNull {
		return func(*Ctx, core.Row) types.Value { return nullV }, nil
	}
	fa, fb := a.f, b.f
	// Hot shapes: column against a constant string or integer.
	if cl == cmpString && op == "=" && b.konst && b.v.K != types.Null {
		s := b.v.S
		if a.col >= 0 {
			i := a.col
			return func(_ *Ctx, row core.Row) types.Value {
				x := row[i]
				if x.K == types.Null {
					return nullV
				}
				return boolV(x.S == s)
			}, nil
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			x := fa(ctx, row)
			if x.K == types.Null {
				return nullV
			}
			return boolV(x.S == s)
		}, nil
	}
	if cl == cmpFloat {
		ca, _ := f64Of(a.t.Kind)
		cb, _ := f64Of(b.t.Kind)
		var g func(p, q float64) bool
		switch op { // Java primitive comparisons: any NaN makes all but <> false
		case "=":
			g = func(p, q float64) bool { return p == q }
		case "<>":
			g = func(p, q float64) bool { return p != q }
		case "<":
			g = func(p, q float64) bool { return p < q }
		case "<=":
			g = func(p, q float64) bool { return p <= q }
		case ">":
			g = func(p, q float64) bool { return p > q }
		case ">=":
			g = func(p, q float64) bool { return p >= q }
		default:
			return nil, fmt.Errorf("unknown comparison %s", op)
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			x := fa(ctx, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(ctx, row)
			if y.K == types.Null {
				return nullV
			}
			return boolV(g(ca(x), cb(y)))
		}, nil
	}
	test, err := opTest(op)
	if err != nil {
		return nil, err
	}
	if cl == cmpInt {
		var g func(p, q int64) bool
		switch op {
		case "=":
			g = func(p, q int64) bool { return p == q }
		case "<>":
			g = func(p, q int64) bool { return p != q }
		case "<":
			g = func(p, q int64) bool { return p < q }
		case "<=":
			g = func(p, q int64) bool { return p <= q }
		case ">":
			g = func(p, q int64) bool { return p > q }
		default:
			g = func(p, q int64) bool { return p >= q }
		}
		return func(ctx *Ctx, row core.Row) types.Value {
			x := fa(ctx, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(ctx, row)
			if y.K == types.Null {
				return nullV
			}
			return boolV(g(x.I, y.I))
		}, nil
	}
	cmpf := c.comparator(cl, a.t, b.t)
	return func(ctx *Ctx, row core.Row) types.Value {
		x := fa(ctx, row)
		if x.K == types.Null {
			return nullV
		}
		y := fb(ctx, row)
		if y.K == types.Null {
			return nullV
		}
		return boolV(test(cmpf(ctx, x, y)))
	}, nil
}

// equality returns an equality test of non-NULL values for IN, NULLIF and
// IS DISTINCT FROM (Java primitive == for floats).
func (c *compiler) equality(a, b types.Type) (func(ctx *Ctx, x, y types.Value) bool, error) {
	cl, err := classify(a, b)
	if err != nil {
		return nil, err
	}
	switch cl {
	case cmpNull:
		return func(*Ctx, types.Value, types.Value) bool { return false }, nil
	case cmpFloat:
		ca, _ := f64Of(a.Kind)
		cb, _ := f64Of(b.Kind)
		return func(_ *Ctx, x, y types.Value) bool { return ca(x) == cb(y) }, nil
	case cmpInt:
		return func(_ *Ctx, x, y types.Value) bool { return x.I == y.I }, nil
	case cmpString:
		return func(_ *Ctx, x, y types.Value) bool { return x.S == y.S }, nil
	}
	cmpf := c.comparator(cl, a, b)
	return func(ctx *Ctx, x, y types.Value) bool { return cmpf(ctx, x, y) == 0 }, nil
}

func buildDistinct(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	eq, err := c.equality(args[0].t, args[1].t)
	if err != nil {
		return nil, err
	}
	distinct := call.Func == "IS DISTINCT FROM"
	fa, fb := args[0].f, args[1].f
	return func(ctx *Ctx, row core.Row) types.Value {
		x, y := fa(ctx, row), fb(ctx, row)
		var same bool
		switch {
		case x.K == types.Null || y.K == types.Null:
			same = x.K == y.K
		default:
			same = eq(ctx, x, y)
		}
		return boolV(same != distinct)
	}, nil
}
