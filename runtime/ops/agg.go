package ops

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

type aggKind uint8

const (
	aggCountStar aggKind = iota
	aggCount
	aggSumInt
	aggSumFloat
	aggSumDec
	aggAvgInt
	aggAvgFloat
	aggAvgDec
	aggMin
	aggMax
	aggVar        // VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP (aggfuncs.go)
	aggFirst      // FIRST_VALUE
	aggLast       // LAST_VALUE
	aggList       // LISTAGG
	aggArray      // ARRAY_AGG
	aggJSONArray  // JSON_ARRAYAGG
	aggJSONObject // JSON_OBJECTAGG (its argument is ROW(key, value))
)

// aggFn is one compiled planner.AggCall: what to read, how to accumulate,
// how to produce the result. It is shared by every group of an operator.
type aggFn struct {
	kind      aggKind
	arg       int    // input column; -1 for COUNT(*)
	filter    int    // BOOLEAN input column; -1 for none
	filterEq  bool   // fused Calc (fuse.go): filter is a STRING column, FILTER is filter = eq
	eq        string // the constant of filterEq
	distinct  bool
	floatOrd  bool           // MIN/MAX of FLOAT/DOUBLE: Java's primitive < and > (see order)
	intOrd    bool           // MIN/MAX (not DISTINCT) of a kind types.Compare orders by Value.I alone
	scale     int            // DECIMAL sums and averages: scale the sum is kept in
	out       types.Type     // result type (AggCall.T)
	sample    bool           // VAR_SAMP, STDDEV_SAMP: divide by n - 1
	sqrt      bool           // STDDEV_*: the square root of the variance
	sep       string         // LISTAGG's separator
	keepList  bool           // FIRST_VALUE, LAST_VALUE in a group aggregation: keep every value for retraction
	keepNull  bool           // ARRAY_AGG, JSON_ARRAYAGG NULL ON NULL: NULL values are kept
	noRetract bool           // group aggregation over an insert-only input: MIN/MAX keep no value counts
	argT      types.Type     // JSON_ARRAYAGG: the argument's type
	loc       *time.Location // JSON_ARRAYAGG: table.local-time-zone
	buf       []byte         // scratch for DISTINCT keys (operators are single-threaded)
}

// acc is one aggregate's state for one group. Fields are used per kind:
//
//	COUNT(*), COUNT(x)   n
//	SUM/AVG integer      n (non-NULL rows), i (sum, wrapping int64)
//	SUM/AVG float        n, f
//	SUM/AVG decimal      n, i (unscaled sum at aggFn.scale) or b once it overflows int64;
//	                     AVG: v is decOverflow once the sum left DECIMAL(38) (see checkDec)
//	MIN/MAX              n, v
//	VAR_*, STDDEV_*      n, i (integer sum) or f (float sum), v (sum of squares: BIGINT or DOUBLE)
//	FIRST/LAST_VALUE     n, v; with keepList v is an ARRAY of the values in arrival order
//	LISTAGG, ARRAY_AGG,  n, v: an ARRAY of the values in arrival order
//	JSON_ARRAYAGG
//	DISTINCT             seen: encoded value -> value, applied once each
type acc struct {
	n    int64
	i    int64
	f    float64
	b    *big.Int
	v    types.Value
	seen map[string]types.Value
}

func newAggFns(calls []planner.AggCall, in planner.Schema) ([]aggFn, error) {
	fns := make([]aggFn, len(calls))
	for i, c := range calls {
		f, err := newAggFn(c, in)
		if err != nil {
			name := c.Name
			if name == "" {
				name = fmt.Sprintf("#%d", i)
			}
			return nil, fmt.Errorf("aggregate %s (%s): %w", name, c.Func, err)
		}
		fns[i] = f
	}
	return fns, nil
}

func newAggFn(c planner.AggCall, in planner.Schema) (aggFn, error) {
	f := aggFn{arg: c.Arg, filter: c.Filter, distinct: c.Distinct, out: c.T}
	if c.Filter >= 0 {
		if c.Filter >= len(in) {
			return f, fmt.Errorf("FILTER column %d out of range (input has %d columns)", c.Filter, len(in))
		}
		if k := in[c.Filter].Type.Kind; k != types.Boolean && k != types.Null {
			return f, fmt.Errorf("FILTER column %q is %s, want BOOLEAN", in[c.Filter].Name, in[c.Filter].Type)
		}
	}
	fn := strings.ToUpper(c.Func)
	if c.Arg < 0 {
		if fn != "COUNT" {
			return f, fmt.Errorf("%s needs an argument", fn)
		}
		if c.Distinct {
			return f, fmt.Errorf("COUNT(DISTINCT *) is not valid")
		}
		f.kind = aggCountStar
		return f, nil
	}
	if c.Arg >= len(in) {
		return f, fmt.Errorf("argument column %d out of range (input has %d columns)", c.Arg, len(in))
	}
	at := in[c.Arg].Type
	ok := true
	switch fn {
	case "COUNT":
		f.kind = aggCount
		return f, nil
	case "SUM", "AVG":
		avg := fn == "AVG"
		switch {
		case at.Kind.IsInteger():
			f.kind = pick(avg, aggAvgInt, aggSumInt)
			ok = c.T.Kind.IsInteger() || c.T.Kind == types.Double || c.T.Kind == types.Float || c.T.Kind == types.Decimal
		case at.Kind == types.Float || at.Kind == types.Double:
			f.kind = pick(avg, aggAvgFloat, aggSumFloat)
			ok = c.T.Kind == types.Double || c.T.Kind == types.Float
		case at.Kind == types.Decimal:
			f.kind = pick(avg, aggAvgDec, aggSumDec)
			f.scale = at.Scale
			if !avg {
				f.scale = max(at.Scale, c.T.Scale)
			}
			ok = c.T.Kind == types.Decimal || c.T.Kind == types.Double
		default:
			return f, fmt.Errorf("argument %q is %s, want a number", in[c.Arg].Name, at)
		}
	case "MIN", "MAX":
		f.kind = pick(fn == "MAX", aggMax, aggMin)
		if !orderable(at.Kind) {
			return f, fmt.Errorf("argument %q is %s, which has no order", in[c.Arg].Name, at)
		}
		f.floatOrd = at.Kind == types.Float || at.Kind == types.Double
		switch at.Kind {
		case types.Float, types.Double, types.Decimal, types.String, types.Bytes:
		default:
			f.intOrd = !c.Distinct
		}
	default:
		if done, err := f.newExtraAgg(fn, c, at); done {
			return f, err
		}
		return f, fmt.Errorf("unsupported aggregate function %q", c.Func)
	}
	if !ok {
		return f, fmt.Errorf("result type %s does not fit argument type %s", c.T, at)
	}
	return f, nil
}

// orderable reports the kinds MIN and MAX accept.
func orderable(k types.Kind) bool {
	switch k {
	case types.Boolean, types.Float, types.Double, types.Decimal, types.String, types.Bytes,
		types.Date, types.Time, types.Timestamp, types.TimestampLTZ, types.IntervalDayTime, types.IntervalYearMonth:
		return true
	}
	return k.IsInteger()
}

// beats reports whether MIN (MAX) takes the non-NULL v over cur: v is
// strictly smaller (larger) by types.Compare, except for FLOAT and
// DOUBLE. Flink's MIN/MAX are generated code comparing Java primitives
// (operand < min), where NaN is neither smaller nor larger than anything
// and -0.0 equals 0.0; types.Compare is Java's Double.compare (NaN
// largest, -0.0 < 0.0), the order for sorting, not for these aggregates.
func (f *aggFn) beats(v, cur types.Value) bool {
	if f.floatOrd {
		if f.kind == aggMin {
			return v.F() < cur.F()
		}
		return v.F() > cur.F()
	}
	c := types.Compare(v, cur)
	return (f.kind == aggMin && c < 0) || (f.kind == aggMax && c > 0)
}

func pick(c bool, a, b aggKind) aggKind {
	if c {
		return a
	}
	return b
}

// update folds one input row (whose FILTER, if any, already passed) into a.
func (f *aggFn) update(a *acc, row core.Row) {
	if f.kind == aggCountStar {
		a.n++
		return
	}
	v := row[f.arg]
	if v.K == types.Null {
		if f.keepNull {
			f.apply(a, v) // ARRAY_AGG keeps NULLs (Flink: RESPECT NULLS by default)
		}
		return
	}
	if f.distinct {
		f.buf = types.AppendKey(f.buf[:0], v)
		if a.seen == nil {
			a.seen = make(map[string]types.Value)
		} else if _, dup := a.seen[string(f.buf)]; dup {
			return
		}
		a.seen[string(f.buf)] = v
	}
	f.apply(a, v)
}

// apply folds one non-NULL value into a.
func (f *aggFn) apply(a *acc, v types.Value) {
	switch f.kind {
	case aggCount:
		a.n++
	case aggSumInt, aggAvgInt:
		a.n++
		a.i += v.I
	case aggSumFloat, aggAvgFloat:
		a.n++
		a.f += v.F()
		if f.kind == aggSumFloat && f.out.Kind == types.Float {
			a.f = float64(float32(a.f)) // SUM(FLOAT) adds in Java float
		}
	case aggSumDec, aggAvgDec:
		a.n++
		if !a.overflowed() {
			addDec(a, v, f.scale)
			f.checkDec(a)
		}
	case aggMin:
		if a.n == 0 || f.beats(v, a.v) {
			a.v = v
		}
		a.n++
	case aggMax:
		if a.n == 0 || f.beats(v, a.v) {
			a.v = v
		}
		a.n++
	default:
		f.applyExtra(a, v)
	}
}

func addDec(a *acc, v types.Value, scale int) {
	if a.b == nil && v.X == nil && int(v.Scale) == scale {
		// signed overflow: operands share a sign the sum does not have
		if s := a.i + v.I; (a.i >= 0) != (v.I >= 0) || (s >= 0) == (a.i >= 0) {
			a.i = s
			return
		}
	}
	if a.b == nil {
		a.b = big.NewInt(a.i)
	}
	a.b.Add(a.b, rescaleBig(v.Unscaled(), int(v.Scale), scale))
}

// decOverflow (in acc.v) marks an AVG(DECIMAL) accumulator whose sum
// overflowed.
var decOverflow = types.BoolValue(true)

func (a *acc) overflowed() bool { return a.v.K == decOverflow.K }

// maxDec38 is 10^38: a DECIMAL(38, s) holds unscaled values below it.
var maxDec38 = pow10(types.MaxDecimalPrecision)

// checkDec applies Flink's DECIMAL overflow rule to a DECIMAL sum that
// just grew. Flink keeps SUM and AVG sums of DECIMAL(p, s) as
// DECIMAL(38, s) and adds with DecimalDataUtils.add, which gives NULL
// when the sum needs more than 38 digits (DecimalData.fromBigDecimal).
// For SUM the NULL sum is then restarted by the next non-NULL value
// (SumAggFunction: "sum IS NULL ? operand : sum + operand"), so a SUM
// that overflows is NULL until the next value arrives and counts only
// the values after it. For AVG the NULL sum stays NULL (AvgAggFunction:
// sum + operand, NULL + x is NULL) and the average is NULL.
func (f *aggFn) checkDec(a *acc) {
	if a.b == nil || a.b.CmpAbs(maxDec38) < 0 {
		return
	}
	a.i, a.b = 0, nil
	if f.kind == aggSumDec {
		a.n = 0 // NULL: the next value starts the sum again
	} else {
		a.v = decOverflow
	}
}

func (a *acc) decSum() *big.Int {
	if a.b != nil {
		return new(big.Int).Set(a.b)
	}
	return big.NewInt(a.i)
}

// merge folds src into dst (session windows merging).
func (f *aggFn) merge(dst, src *acc) {
	if f.distinct {
		if len(src.seen) == 0 {
			return
		}
		keys := make([]string, 0, len(src.seen))
		for k := range src.seen {
			if _, dup := dst.seen[k]; !dup {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys) // deterministic float sums
		if dst.seen == nil {
			dst.seen = make(map[string]types.Value, len(keys))
		}
		for _, k := range keys {
			v := src.seen[k]
			dst.seen[k] = v
			f.apply(dst, v)
		}
		return
	}
	switch f.kind {
	case aggCountStar, aggCount:
		dst.n += src.n
	case aggSumInt, aggAvgInt:
		dst.n += src.n
		dst.i += src.i
	case aggSumFloat, aggAvgFloat:
		dst.n += src.n
		dst.f += src.f
		if f.kind == aggSumFloat && f.out.Kind == types.Float {
			dst.f = float64(float32(dst.f))
		}
	case aggSumDec, aggAvgDec:
		if src.n == 0 {
			return
		}
		dst.n += src.n
		if src.overflowed() {
			dst.v = decOverflow // Flink: NULL + sum is NULL
		}
		if dst.overflowed() {
			dst.i, dst.b = 0, nil
			return
		}
		if dst.b == nil && src.b == nil {
			s := dst.i + src.i
			if (dst.i >= 0) != (src.i >= 0) || (s >= 0) == (dst.i >= 0) {
				dst.i = s
				return
			}
		}
		sum := dst.decSum()
		dst.b = sum.Add(sum, src.decSum())
		f.checkDec(dst)
	case aggMin, aggMax:
		if src.n == 0 {
			return
		}
		if dst.n == 0 || f.beats(src.v, dst.v) {
			dst.v = src.v
		}
		dst.n += src.n
	default:
		f.mergeExtra(dst, src)
	}
}

// result produces the aggregate's value: COUNT of nothing is 0, anything
// else of nothing is NULL.
func (f *aggFn) result(a *acc) types.Value {
	k := f.out.Kind
	switch f.kind {
	case aggCountStar, aggCount:
		return intResult(f.out, a.n)
	}
	if a.n == 0 && f.kind != aggJSONArray && f.kind != aggJSONObject { // JSON_ARRAYAGG of no values is [], JSON_OBJECTAGG's {}
		return types.NullValue
	}
	switch f.kind {
	case aggSumInt:
		return intResult(f.out, a.i)
	case aggAvgInt:
		if k == types.Double || k == types.Float || k == types.Decimal {
			if k == types.Decimal {
				return types.BigDecimalValue(divHalfUp(new(big.Int).Mul(big.NewInt(a.i), pow10(f.out.Scale)), big.NewInt(a.n)), f.out.Scale)
			}
			return floatResult(f.out, float64(a.i)/float64(a.n))
		}
		return intResult(f.out, a.i/a.n) // truncates toward zero, as Flink
	case aggSumFloat:
		return floatResult(f.out, a.f)
	case aggAvgFloat:
		return floatResult(f.out, a.f/float64(a.n))
	case aggSumDec:
		if k == types.Double {
			return floatResult(f.out, ratFloat(a.decSum(), f.scale, 1))
		}
		return types.BigDecimalValue(rescaleBig(a.decSum(), f.scale, f.out.Scale), f.out.Scale)
	case aggAvgDec:
		if a.overflowed() {
			return types.NullValue
		}
		if k == types.Double {
			return floatResult(f.out, ratFloat(a.decSum(), f.scale, a.n))
		}
		num := a.decSum()
		den := big.NewInt(a.n)
		if d := f.out.Scale - f.scale; d > 0 {
			num.Mul(num, pow10(d))
		} else if d < 0 {
			den.Mul(den, pow10(-d))
		}
		q := divHalfUp(num, den)
		if q.CmpAbs(maxDec38) >= 0 {
			return types.NullValue // Flink: the cast to DECIMAL(38, s) overflows
		}
		return types.BigDecimalValue(q, f.out.Scale)
	case aggMin, aggMax:
		return a.v
	}
	return f.resultExtra(a)
}

func intResult(t types.Type, i int64) types.Value {
	switch {
	case t.Kind.IsInteger():
		return types.IntOf(t.Kind, wrapInt(t.Kind, i))
	case t.Kind == types.Double || t.Kind == types.Float:
		return floatResult(t, float64(i))
	case t.Kind == types.Decimal:
		return types.BigDecimalValue(new(big.Int).Mul(big.NewInt(i), pow10(t.Scale)), t.Scale)
	}
	return types.BigIntValue(i)
}

func floatResult(t types.Type, f float64) types.Value {
	if t.Kind == types.Float {
		return types.FloatValue(float32(f))
	}
	return types.DoubleValue(f)
}

func ratFloat(unscaled *big.Int, scale int, n int64) float64 {
	r := new(big.Rat).SetFrac(unscaled, new(big.Int).Mul(pow10(scale), big.NewInt(n)))
	f, _ := r.Float64()
	return f
}

// aggregator is the per-operator view: the compiled calls and how a row
// updates a group's accumulators.
type aggregator struct {
	fns []aggFn
}

func (g *aggregator) newAccs() []acc { return make([]acc, len(g.fns)) }

func (g *aggregator) update(accs []acc, row core.Row) {
	for i := range g.fns {
		f := &g.fns[i]
		if f.filter >= 0 {
			v := &row[f.filter]
			if v.K == types.Null || (f.filterEq && v.S != f.eq) || (!f.filterEq && v.I == 0) {
				continue
			}
		}
		a := &accs[i]
		switch {
		case f.kind == aggCountStar:
			a.n++
		case f.intOrd:
			// MIN/MAX by Value.I: what apply and beats do, without the calls
			v := &row[f.arg]
			if v.K == types.Null {
				continue
			}
			if a.n == 0 || (f.kind == aggMax && v.I > a.v.I) || (f.kind == aggMin && v.I < a.v.I) {
				a.v = *v
			}
			a.n++
		default:
			f.update(a, row)
		}
	}
}

func (g *aggregator) merge(dst, src []acc) {
	for i := range g.fns {
		g.fns[i].merge(&dst[i], &src[i])
	}
}

func (g *aggregator) results(dst []types.Value, accs []acc) {
	for i := range g.fns {
		dst[i] = g.fns[i].result(&accs[i])
	}
}

// ---------------------------------------------------------------- arithmetic

var bigTen = big.NewInt(10)

func pow10(n int) *big.Int {
	return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil)
}

// rescaleBig changes u's scale from `from` to `to`, rounding HALF_UP when
// digits are dropped. It may modify and return u.
func rescaleBig(u *big.Int, from, to int) *big.Int {
	switch {
	case to > from:
		return u.Mul(u, pow10(to-from))
	case to < from:
		return divHalfUp(u, pow10(from-to))
	}
	return u
}

// divHalfUp returns num/den (den > 0) rounded HALF_UP (ties away from
// zero, as Java's BigDecimal), in a new big.Int.
func divHalfUp(num, den *big.Int) *big.Int {
	var q, r big.Int
	q.QuoRem(num, den, &r)
	r.Abs(&r)
	r.Lsh(&r, 1)
	if r.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(&q, big.NewInt(1))
		} else {
			q.Add(&q, big.NewInt(1))
		}
	}
	return &q
}

// wrapInt truncates i to the width of integer kind k, as Java's
// arithmetic wraps.
func wrapInt(k types.Kind, i int64) int64 {
	switch k {
	case types.TinyInt:
		return int64(int8(i))
	case types.SmallInt:
		return int64(int16(i))
	case types.Int:
		return int64(int32(i))
	}
	return i
}

func isTrue(v types.Value) bool { return v.K != types.Null && v.I != 0 }

// passes reports whether v, the value of f's FILTER column, lets a row
// in: TRUE, or with a fused Calc (fuse.go) the string f.eq.
func (f *aggFn) passes(v types.Value) bool {
	if f.filterEq {
		return v.K != types.Null && v.S == f.eq
	}
	return isTrue(v)
}
