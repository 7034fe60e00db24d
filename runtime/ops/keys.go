package ops

import (
	"encoding/binary"
	"math"
	"math/big"
	"strings"

	"github.com/streamsql/streamsql/sql/types"
)

// TODO(types): switch to types.AppendKey / types.Compare once sql/types
// grows them; these private versions keep the package self-contained.

// Key family tags: values that compare equal in SQL get the same bytes, so
// INT 1 and BIGINT 1 meet in a join, and DECIMAL 1.0 equals 1.00.
const (
	tagNull  byte = iota
	tagInt        // boolean, integer kinds, date, time, intervals (I)
	tagFloat      // FLOAT, DOUBLE
	tagDec        // DECIMAL, normalised (trailing zeros stripped)
	tagDecBig
	tagStr
	tagBytes
	tagTS
	tagTSLTZ
	tagList
	tagMap
)

// appendKey appends an injective, equality-preserving encoding of v.
func appendKey(b []byte, v types.Value) []byte {
	switch v.K {
	case types.Null:
		return append(b, tagNull)
	case types.Float, types.Double:
		f := v.F()
		if f == 0 {
			f = 0 // fold -0 into +0
		}
		b = append(b, tagFloat)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case types.Decimal:
		if v.X == nil {
			u, s := v.I, int(v.Scale)
			for s > 0 && u%10 == 0 {
				u /= 10
				s--
			}
			b = append(b, tagDec, byte(s))
			return binary.BigEndian.AppendUint64(b, uint64(u))
		}
		u := v.Unscaled()
		s := int(v.Scale)
		ten := big.NewInt(10)
		var q, r big.Int
		for s > 0 {
			q.QuoRem(u, ten, &r)
			if r.Sign() != 0 {
				break
			}
			u.Set(&q)
			s--
		}
		if u.IsInt64() {
			b = append(b, tagDec, byte(s))
			return binary.BigEndian.AppendUint64(b, uint64(u.Int64()))
		}
		b = append(b, tagDecBig, byte(s), byte(u.Sign()+1))
		bs := u.Bytes()
		b = binary.AppendUvarint(b, uint64(len(bs)))
		return append(b, bs...)
	case types.String:
		b = append(b, tagStr)
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		return append(b, v.S...)
	case types.Bytes:
		b = append(b, tagBytes)
		b = binary.AppendUvarint(b, uint64(len(v.S)))
		return append(b, v.S...)
	case types.Timestamp:
		b = append(b, tagTS)
		return binary.BigEndian.AppendUint64(b, uint64(v.I))
	case types.TimestampLTZ:
		b = append(b, tagTSLTZ)
		return binary.BigEndian.AppendUint64(b, uint64(v.I))
	case types.Array, types.Row:
		e := v.Elems()
		b = append(b, tagList)
		b = binary.AppendUvarint(b, uint64(len(e)))
		for _, x := range e {
			b = appendKey(b, x)
		}
		return b
	case types.Map:
		b = append(b, tagMap)
		m, _ := v.X.(*types.MapValue)
		if m == nil {
			return append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(len(m.Keys)))
		for i := range m.Keys {
			b = appendKey(b, m.Keys[i])
			b = appendKey(b, m.Values[i])
		}
		return b
	default:
		b = append(b, tagInt)
		return binary.BigEndian.AppendUint64(b, uint64(v.I))
	}
}

// cmpKind says how MIN/MAX compare two non-NULL values of one column.
type cmpKind uint8

const (
	cmpInt cmpKind = iota
	cmpFloat
	cmpString
	cmpDec
)

func cmpKindOf(k types.Kind) (cmpKind, bool) {
	switch {
	case k == types.Boolean || k.IsInteger() || k == types.Date || k == types.Time ||
		k.IsTimestamp() || k == types.IntervalDayTime || k == types.IntervalYearMonth:
		return cmpInt, true
	case k == types.Float || k == types.Double:
		return cmpFloat, true
	case k == types.String || k == types.Bytes:
		return cmpString, true
	case k == types.Decimal:
		return cmpDec, true
	}
	return 0, false
}

func compareVals(c cmpKind, a, b types.Value) int {
	switch c {
	case cmpInt:
		return cmp64(a.I, b.I)
	case cmpFloat:
		x, y := a.F(), b.F()
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case cmpString:
		return strings.Compare(a.S, b.S)
	default:
		if a.X == nil && b.X == nil && a.Scale == b.Scale {
			return cmp64(a.I, b.I)
		}
		s := max(int(a.Scale), int(b.Scale))
		x := rescaleBig(a.Unscaled(), int(a.Scale), s)
		y := rescaleBig(b.Unscaled(), int(b.Scale), s)
		return x.Cmp(y)
	}
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

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
