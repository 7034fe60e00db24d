package types

import (
	"math"
	"math/big"
)

// Value is one datum. It is a small struct, not an interface, so rows are
// flat slices and the hot path does not box. K == Null means SQL NULL; the
// static Type of the column says what a non-NULL value holds:
//
//	Boolean                       I = 0 or 1
//	TinyInt..BigInt               I
//	Float, Double                 I = math.Float64bits (use F / Double())
//	Decimal                       I = unscaled value, Scale = scale; X = *big.Int when it does not fit in int64
//	String, Bytes                 S
//	Date                          I = days since 1970-01-01
//	Time                          I = millis of day
//	Timestamp, TimestampLTZ       I = epoch millis
//	IntervalDayTime               I = millis
//	IntervalYearMonth             I = months
//	Array, Row                    X = []Value
//	Map                           X = *MapValue
type Value struct {
	K     Kind
	Scale int8
	I     int64
	S     string
	X     any
}

// MapValue holds a MAP's entries in insertion order.
type MapValue struct {
	Keys, Values []Value
}

// NullValue is SQL NULL.
var NullValue = Value{}

// IsNull reports SQL NULL.
func (v Value) IsNull() bool { return v.K == Null }

// Constructors.
func BoolValue(b bool) Value {
	if b {
		return Value{K: Boolean, I: 1}
	}
	return Value{K: Boolean}
}
func IntValue(i int64) Value        { return Value{K: Int, I: i} }
func BigIntValue(i int64) Value     { return Value{K: BigInt, I: i} }
func IntOf(k Kind, i int64) Value   { return Value{K: k, I: i} }
func DoubleValue(f float64) Value   { return Value{K: Double, I: int64(math.Float64bits(f))} }
func FloatValue(f float32) Value    { return Value{K: Float, I: int64(math.Float64bits(float64(f)))} }
func StringValue(s string) Value    { return Value{K: String, S: s} }
func BytesValue(b []byte) Value     { return Value{K: Bytes, S: string(b)} }
func TimestampValue(ms int64) Value { return Value{K: Timestamp, I: ms} }
func TimestampLTZValue(ms int64) Value {
	return Value{K: TimestampLTZ, I: ms}
}
func DateValue(days int64) Value { return Value{K: Date, I: days} }
func IntervalMillisValue(ms int64) Value {
	return Value{K: IntervalDayTime, I: ms}
}
func IntervalMonthsValue(m int64) Value { return Value{K: IntervalYearMonth, I: m} }

// DecimalValue makes a DECIMAL from its unscaled value and scale.
func DecimalValue(unscaled int64, scale int) Value {
	return Value{K: Decimal, I: unscaled, Scale: int8(scale)}
}

// BigDecimalValue makes a DECIMAL from a big unscaled value; it stays in
// int64 form when it fits.
func BigDecimalValue(unscaled *big.Int, scale int) Value {
	if unscaled.IsInt64() {
		return DecimalValue(unscaled.Int64(), scale)
	}
	return Value{K: Decimal, Scale: int8(scale), X: new(big.Int).Set(unscaled)}
}

// Bool returns a BOOLEAN's value.
func (v Value) Bool() bool { return v.I != 0 }

// F returns a FLOAT or DOUBLE's value.
func (v Value) F() float64 { return math.Float64frombits(uint64(v.I)) }

// Unscaled returns a DECIMAL's unscaled value as a big.Int.
func (v Value) Unscaled() *big.Int {
	if b, ok := v.X.(*big.Int); ok {
		return new(big.Int).Set(b)
	}
	return big.NewInt(v.I)
}

// Elems returns an ARRAY or ROW's values.
func (v Value) Elems() []Value { e, _ := v.X.([]Value); return e }
