package types

import (
	"encoding/binary"
	"math"
	"math/big"
	"strings"
)

// Compare orders two values of the same static type: -1, 0 or 1. NULL
// sorts before every value. FLOAT/DOUBLE follow Java's Double.compare
// (-0.0 < 0.0, NaN above everything and equal to itself); strings compare
// by bytes (UTF-8 order is code point order); BOOLEAN false < true.
func Compare(a, b Value) int {
	if a.K == Null || b.K == Null {
		switch {
		case a.K == b.K:
			return 0
		case a.K == Null:
			return -1
		}
		return 1
	}
	switch a.K {
	case Float, Double:
		return compareJavaDouble(a.F(), b.F())
	case Decimal:
		return DecimalCompare(a, b)
	case String, Bytes:
		return strings.Compare(a.S, b.S)
	case Array, Row:
		x, y := a.Elems(), b.Elems()
		for i := 0; i < len(x) && i < len(y); i++ {
			if c := Compare(x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(x)), int64(len(y)))
	case Map:
		x, _ := a.X.(*MapValue)
		y, _ := b.X.(*MapValue)
		if x == nil || y == nil {
			return 0
		}
		for i := 0; i < len(x.Keys) && i < len(y.Keys); i++ {
			if c := Compare(x.Keys[i], y.Keys[i]); c != 0 {
				return c
			}
			if c := Compare(x.Values[i], y.Values[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(x.Keys)), int64(len(y.Keys)))
	}
	return cmpInt(a.I, b.I)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareJavaDouble(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	// equal, or NaN involved, or ±0: order by canonical bits like Java.
	xb, yb := javaDoubleBits(x), javaDoubleBits(y)
	return cmpInt(xb, yb)
}

// javaDoubleBits is Double.doubleToLongBits: NaNs collapse to one value.
func javaDoubleBits(f float64) int64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return int64(math.Float64bits(f))
}

// Key tags of AppendKey: one per representation, so values of different
// kinds never collide and NULL differs from everything.
const (
	keyNull byte = iota
	keyInt
	keyFloat
	keyDecimal
	keyDecimalBig
	keyString
	keyList
	keyMap
)

// AppendKey appends a canonical encoding of v for grouping and join keys:
// equal values give equal bytes, NULL is distinct from every value, and
// the encoding is self-delimiting so a sequence of keys can be
// concatenated. Keys of one column have one static type; a DECIMAL
// encodes its scale, which that type fixes. Floats use Java's
// doubleToLongBits (all NaNs equal; -0.0 and 0.0 differ, as in Flink's
// binary rows).
func AppendKey(buf []byte, v Value) []byte {
	switch v.K {
	case Null:
		return append(buf, keyNull)
	case Float, Double:
		buf = append(buf, keyFloat)
		return binary.BigEndian.AppendUint64(buf, uint64(javaDoubleBits(v.F())))
	case Decimal:
		if b, ok := v.X.(*big.Int); ok && !b.IsInt64() {
			buf = append(buf, keyDecimalBig, byte(v.Scale), byte(b.Sign()+1))
			bs := b.Bytes()
			buf = binary.AppendUvarint(buf, uint64(len(bs)))
			return append(buf, bs...)
		} else if ok {
			v.I = b.Int64()
		}
		buf = append(buf, keyDecimal, byte(v.Scale))
		return binary.BigEndian.AppendUint64(buf, uint64(v.I))
	case String, Bytes:
		buf = append(buf, keyString)
		buf = binary.AppendUvarint(buf, uint64(len(v.S)))
		return append(buf, v.S...)
	case Array, Row:
		e := v.Elems()
		buf = append(buf, keyList)
		buf = binary.AppendUvarint(buf, uint64(len(e)))
		for _, x := range e {
			buf = AppendKey(buf, x)
		}
		return buf
	case Map:
		buf = append(buf, keyMap)
		m, _ := v.X.(*MapValue)
		if m == nil {
			return binary.AppendUvarint(buf, 0)
		}
		buf = binary.AppendUvarint(buf, uint64(len(m.Keys)))
		for i := range m.Keys {
			buf = AppendKey(buf, m.Keys[i])
			buf = AppendKey(buf, m.Values[i])
		}
		return buf
	}
	buf = append(buf, keyInt)
	return binary.BigEndian.AppendUint64(buf, uint64(v.I))
}
