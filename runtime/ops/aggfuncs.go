package ops

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// The aggregates beyond COUNT, SUM, AVG, MIN and MAX: the variance family,
// FIRST_VALUE, LAST_VALUE, LISTAGG and ARRAY_AGG. Their types are inferred
// by planner.AggSpecs; each keeps its state in the fields of acc (no new
// field, so snapshots, spilling and restore need nothing new).

// newExtraAgg compiles one of them; done is false for an unknown name.
func (f *aggFn) newExtraAgg(fn string, c planner.AggCall, at types.Type) (done bool, err error) {
	switch fn {
	case "VAR_POP", "VAR_SAMP", "VARIANCE", "STDDEV_POP", "STDDEV_SAMP", "STDDEV":
		f.kind = aggVar
		f.sample = fn == "VAR_SAMP" || fn == "VARIANCE" || fn == "STDDEV_SAMP" || fn == "STDDEV"
		f.sqrt = strings.HasPrefix(fn, "STDDEV")
		if !(at.Kind.IsInteger() || at.Kind == types.Float || at.Kind == types.Double) || c.T.Kind != at.Kind {
			return true, fmt.Errorf("argument %q is %s with result %s, want an integer, FLOAT or DOUBLE argument of the result's type", c.Name, at, c.T)
		}
	case "FIRST_VALUE":
		f.kind = aggFirst
	case "LAST_VALUE":
		f.kind = aggLast
	case "LISTAGG":
		f.kind = aggList
		f.sep = c.Sep
		if at.Kind != types.String {
			return true, fmt.Errorf("LISTAGG argument is %s, want a string", at)
		}
	case "ARRAY_AGG":
		f.kind = aggArray
		f.keepNull = true
	case "JSON_ARRAYAGG", "JSON_OBJECTAGG":
		f.kind = aggJSONArray
		if fn == "JSON_OBJECTAGG" {
			f.kind = aggJSONObject
			if at.Kind != types.Row || len(at.Fields) != 2 {
				return true, fmt.Errorf("JSON_OBJECTAGG argument is %s, want ROW(key, value)", at)
			}
		}
		f.keepNull = !c.Absent
		f.argT = at
	default:
		return false, nil
	}
	if f.distinct && f.kind != aggVar {
		return true, fmt.Errorf("%s(DISTINCT ...) is not supported", fn)
	}
	return true, nil
}

// isFloatVar reports a variance over FLOAT or DOUBLE (sums in f and v as
// DOUBLE bits), as opposed to one over integers (sums in i and v.I).
func (f *aggFn) isFloatVar() bool { return f.out.Kind == types.Float || f.out.Kind == types.Double }

// roundF rounds to the result's precision: FLOAT arithmetic is Java float.
func (f *aggFn) roundF(x float64) float64 {
	if f.out.Kind == types.Float {
		return float64(float32(x))
	}
	return x
}

// applyExtra folds one value (non-NULL except for ARRAY_AGG) into a.
func (f *aggFn) applyExtra(a *acc, v types.Value) {
	switch f.kind {
	case aggVar:
		// Flink reduces VAR_POP(x) to SUM(x * x), SUM(x) and COUNT(x) in
		// the argument's type (Calcite's AggregateReduceFunctionsRule)
		a.n++
		if f.isFloatVar() {
			x := v.F()
			a.f = f.roundF(a.f + x)
			a.v = types.DoubleValue(f.roundF(a.v.F() + f.roundF(x*x)))
		} else {
			a.i += v.I
			a.v = types.BigIntValue(a.v.I + wrapInt(f.out.Kind, v.I*v.I))
		}
	case aggFirst:
		if f.keepList {
			a.v = appendElem(a.v, v)
		} else if a.n == 0 {
			a.v = v
		}
		a.n++
	case aggLast:
		if f.keepList {
			a.v = appendElem(a.v, v)
		} else {
			a.v = v
		}
		a.n++
	case aggList, aggArray, aggJSONArray, aggJSONObject:
		a.v = appendElem(a.v, v)
		a.n++
	}
}

// appendElem appends v to the ARRAY value list (NULL: empty).
func appendElem(list, v types.Value) types.Value {
	es, _ := list.X.([]types.Value)
	return types.Value{K: types.Array, X: append(es, v)}
}

// unapplyExtra removes one value from a whose n was already decremented
// (groupAgg.unapply). A list drops the earliest equal value, as Flink's
// retracting FIRST_VALUE, LAST_VALUE, LISTAGG and ARRAY_AGG do; a value
// that is not there changes nothing.
func (f *aggFn) unapplyExtra(a *acc, v types.Value) {
	switch f.kind {
	case aggVar:
		if f.isFloatVar() {
			x := v.F()
			a.f = f.roundF(a.f - x)
			a.v = types.DoubleValue(f.roundF(a.v.F() - f.roundF(x*x)))
		} else {
			a.i -= v.I
			a.v = types.BigIntValue(a.v.I - wrapInt(f.out.Kind, v.I*v.I))
		}
	case aggFirst, aggLast, aggList, aggArray, aggJSONArray, aggJSONObject:
		es, _ := a.v.X.([]types.Value)
		for j := range es {
			if es[j].K == v.K && types.Compare(es[j], v) == 0 || (v.K == types.Null && es[j].K == types.Null) {
				a.v = types.Value{K: types.Array, X: append(es[:j:j], es[j+1:]...)}
				return
			}
		}
		a.n++ // never accumulated
	}
}

// mergeExtra folds src into dst (session windows merging, src after dst).
func (f *aggFn) mergeExtra(dst, src *acc) {
	if src.n == 0 {
		return
	}
	switch f.kind {
	case aggVar:
		dst.i += src.i
		dst.f = f.roundF(dst.f + src.f)
		if f.isFloatVar() {
			dst.v = types.DoubleValue(f.roundF(dst.v.F() + src.v.F()))
		} else {
			dst.v = types.BigIntValue(dst.v.I + src.v.I)
		}
	case aggFirst, aggLast:
		if f.keepList {
			dst.v = types.Value{K: types.Array, X: append(append([]types.Value(nil), dst.v.Elems()...), src.v.Elems()...)}
		} else if dst.n == 0 || f.kind == aggLast {
			dst.v = src.v
		}
	case aggList, aggArray, aggJSONArray, aggJSONObject:
		dst.v = types.Value{K: types.Array, X: append(append([]types.Value(nil), dst.v.Elems()...), src.v.Elems()...)}
	}
	dst.n += src.n
}

// resultExtra is the aggregate's value (a.n > 0).
func (f *aggFn) resultExtra(a *acc) types.Value {
	switch f.kind {
	case aggVar:
		return f.variance(a)
	case aggFirst, aggLast:
		if !f.keepList {
			return a.v
		}
		es := a.v.Elems()
		if len(es) == 0 {
			return types.NullValue
		}
		if f.kind == aggFirst {
			return es[0]
		}
		return es[len(es)-1]
	case aggList:
		var sb strings.Builder
		for j, e := range a.v.Elems() {
			if j > 0 {
				sb.WriteString(f.sep)
			}
			sb.WriteString(e.S)
		}
		return types.StringValue(sb.String())
	case aggArray:
		return types.Value{K: types.Array, X: append([]types.Value(nil), a.v.Elems()...)}
	case aggJSONArray:
		b := []byte{'['}
		for j, e := range a.v.Elems() {
			if j > 0 {
				b = append(b, ',')
			}
			b = functions.AppendJSON(b, e, f.argT, f.loc)
		}
		return types.StringValue(string(append(b, ']')))
	case aggJSONObject:
		return f.jsonObject(a.v.Elems())
	}
	return types.NullValue
}

// jsonObject is JSON_OBJECTAGG's result over its (key, value) rows in
// arrival order: keys sorted, a repeated key's latest value, NULL keys
// skipped, NULL values written null or (ABSENT ON NULL) left out.
func (f *aggFn) jsonObject(pairs []types.Value) types.Value {
	latest := map[string]types.Value{}
	for _, p := range pairs {
		kv, _ := p.X.([]types.Value)
		if len(kv) != 2 || kv[0].K == types.Null || kv[1].K == types.Null && !f.keepNull {
			continue
		}
		latest[kv[0].S] = kv[1]
	}
	keys := make([]string, 0, len(latest))
	for k := range latest {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := []byte{'{'}
	for j, k := range keys {
		if j > 0 {
			b = append(b, ',')
		}
		b = functions.AppendJSON(b, types.StringValue(k), types.TString, f.loc)
		b = append(b, ':')
		b = functions.AppendJSON(b, latest[k], f.argT.Fields[1].Type, f.loc)
	}
	return types.StringValue(string(append(b, '}')))
}

// variance evaluates Calcite's reduction of the variance family (which
// Flink plans): with s = SUM(x), q = SUM(x * x) and n = COUNT(x), all in
// the argument's type T,
//
//	(q - CAST(s AS T) * CAST(s AS T) / n) / (n or n - 1)
//
// then POWER(.., 0.5) for STDDEV_*, and the result cast to T. Over
// integers the divisions are integer divisions (BIGINT, for n is BIGINT)
// and the square root is truncated, as in Flink; VAR_SAMP and STDDEV_SAMP
// of a single value are NULL.
func (f *aggFn) variance(a *acc) types.Value {
	n := a.n
	den := n
	if f.sample {
		if n == 1 {
			return types.NullValue
		}
		den = n - 1
	}
	if f.isFloatVar() {
		s := a.f
		d := f.roundF(a.v.F() - f.roundF(f.roundF(s*s)/float64(n)))
		r := f.roundF(d / float64(den))
		if f.sqrt {
			r = math.Pow(r, 0.5)
		}
		return floatResult(f.out, r)
	}
	k := f.out.Kind
	s := wrapInt(k, a.i)
	q := wrapInt(k, a.v.I)
	r := (q - wrapInt(k, s*s)/n) / den
	if f.sqrt {
		return types.IntOf(k, javaDoubleToInt(k, math.Pow(float64(r), 0.5)))
	}
	return types.IntOf(k, wrapInt(k, r))
}

// javaDoubleToInt is Java's (T) d for an integer type T: NaN is 0, the
// value is truncated and saturates at the range of long (BIGINT) or int
// (the others, which then wrap to their width).
func javaDoubleToInt(k types.Kind, d float64) int64 {
	if math.IsNaN(d) {
		return 0
	}
	lo, hi := float64(math.MinInt32), float64(math.MaxInt32)
	if k == types.BigInt {
		lo, hi = math.MinInt64, math.MaxInt64
	}
	switch {
	case d <= lo:
		return wrapInt(k, int64(lo))
	case d >= hi:
		if k == types.BigInt {
			return math.MaxInt64
		}
		return wrapInt(k, math.MaxInt32)
	}
	return wrapInt(k, int64(d))
}

// setZone gives the aggregates table.local-time-zone (JSON_ARRAYAGG
// writes TIMESTAMP_LTZ values in it).
func setZone(fns []aggFn, ctx *core.Context) {
	_, loc := metricsOf(ctx)
	if loc == nil {
		loc = time.UTC
	}
	for i := range fns {
		fns[i].loc = loc
	}
}
