package ops

import (
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql/types"
)

// Join keys are matched by their types.AppendKey bytes, which encode a
// value in its own representation: INT and BIGINT share one, FLOAT and
// DOUBLE share one, but a DECIMAL encodes its scale and a TIMESTAMP is a
// wall clock while a TIMESTAMP_LTZ is an instant. The planner may equate
// two different comparable types (k1 = k2 with DECIMAL(5, 1) and
// DECIMAL(6, 2), or BIGINT and DOUBLE); Flink casts both sides to their
// common type, so the join converts the side that differs, per key,
// chosen once when the operator is built.

type keyConvKind uint8

const (
	convNone    keyConvKind = iota
	convDecimal             // an integer or DECIMAL to DECIMAL at scale (exact: the scale only grows)
	convDouble              // an integer or DECIMAL to DOUBLE
	convInstant             // a TIMESTAMP (wall clock in the session time zone) to its instant
)

type keyConv struct {
	kind  keyConvKind
	scale int
}

// joinKeyConvs returns the conversions of the left and right key columns
// (nil, nil when every pair already has one representation).
func joinKeyConvs(left, right planner.Schema, lk, rk []int) (lc, rc []keyConv) {
	for i := range lk {
		a, b := keyConvsFor(left[lk[i]].Type, right[rk[i]].Type)
		if a.kind == convNone && b.kind == convNone {
			continue
		}
		if lc == nil {
			lc, rc = make([]keyConv, len(lk)), make([]keyConv, len(rk))
		}
		lc[i], rc[i] = a, b
	}
	return lc, rc
}

// keyConvsFor returns how to bring a value of type a and one of type b
// to their common type.
func keyConvsFor(a, b types.Type) (ca, cb keyConv) {
	ka, kb := a.Kind, b.Kind
	isFloat := func(k types.Kind) bool { return k == types.Float || k == types.Double }
	switch {
	case ka.IsNumeric() && kb.IsNumeric() && (isFloat(ka) || isFloat(kb)):
		if !isFloat(ka) {
			ca.kind = convDouble
		}
		if !isFloat(kb) {
			cb.kind = convDouble
		}
	case ka.IsNumeric() && kb.IsNumeric() && (ka == types.Decimal || kb == types.Decimal):
		s := max(a.Scale, b.Scale) // an integer type's Scale is 0
		if ka != types.Decimal || a.Scale != s {
			ca = keyConv{convDecimal, s}
		}
		if kb != types.Decimal || b.Scale != s {
			cb = keyConv{convDecimal, s}
		}
	case ka == types.Timestamp && kb == types.TimestampLTZ:
		ca.kind = convInstant
	case ka == types.TimestampLTZ && kb == types.Timestamp:
		cb.kind = convInstant
	}
	return ca, cb
}

// apply converts a non-NULL key value; NULL stays NULL.
func (c keyConv) apply(v types.Value, loc *time.Location) types.Value {
	if v.K == types.Null {
		return v
	}
	switch c.kind {
	case convDecimal:
		// Twice Flink's maximum precision: raising the scale of a
		// DECIMAL(38, s) never overflows it.
		if v.K == types.Decimal {
			r, _ := types.DecimalRescale(v, 2*types.MaxDecimalPrecision, c.scale)
			return r
		}
		r, _ := types.DecimalFromInt(v.I, 2*types.MaxDecimalPrecision, c.scale)
		return r
	case convDouble:
		if v.K == types.Decimal {
			return types.DoubleValue(types.DecimalToFloat(v))
		}
		return types.DoubleValue(float64(v.I))
	case convInstant:
		return types.TimestampLTZValue(types.LocalToInstant(v.I, loc))
	}
	return v
}

// JoinKeyConverter returns what a hash exchange into side `side` (0 left,
// 1 right) of a window or regular join (keys lk and rk) applies to key i
// before hashing it, so that keys the join finds equal hash alike on both
// sides; nil when no key of that side needs converting.
func JoinKeyConverter(lk, rk []int, left, right planner.Schema, side int, loc *time.Location) func(i int, v types.Value) types.Value {
	lc, rc := joinKeyConvs(left, right, lk, rk)
	convs := lc
	if side == 1 {
		convs = rc
	}
	if convs == nil {
		return nil
	}
	return func(i int, v types.Value) types.Value { return convs[i].apply(v, loc) }
}
