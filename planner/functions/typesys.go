package functions

import (
	"github.com/streamsql/streamsql/sql/types"
)

// Flink's type rules used by binding: arithmetic promotion, DECIMAL
// precision and scale, comparability, the least restrictive common type
// (CASE, COALESCE, UNION) and implicit casts (INSERT).

func numRank(k types.Kind) int {
	switch k {
	case types.TinyInt:
		return 1
	case types.SmallInt:
		return 2
	case types.Int:
		return 3
	case types.BigInt:
		return 4
	case types.Decimal:
		return 5
	case types.Float:
		return 6
	case types.Double:
		return 7
	}
	return 0
}

// asDecimal returns the DECIMAL an exact numeric converts to.
func asDecimal(t types.Type) types.Type {
	switch t.Kind {
	case types.TinyInt:
		return types.DecimalType(3, 0)
	case types.SmallInt:
		return types.DecimalType(5, 0)
	case types.Int:
		return types.DecimalType(10, 0)
	case types.BigInt:
		return types.DecimalType(19, 0)
	}
	return types.DecimalType(t.Precision, t.Scale)
}

// adjustPrecisionScale is Flink's LogicalTypeMerging.adjustPrecisionScale:
// results wider than 38 digits keep their integer digits and give up
// scale, but keep at least min(scale, 6) fraction digits.
func adjustPrecisionScale(p, s int) types.Type {
	if p <= types.MaxDecimalPrecision {
		return types.DecimalType(p, s)
	}
	digits := p - s
	minScale := min(s, 6)
	return types.DecimalType(types.MaxDecimalPrecision, max(types.MaxDecimalPrecision-digits, minScale))
}

// decimalArith is the DECIMAL result type of op on two exact numerics.
func decimalArith(op string, a, b types.Type) types.Type {
	a, b = asDecimal(a), asDecimal(b)
	p1, s1, p2, s2 := a.Precision, a.Scale, b.Precision, b.Scale
	switch op {
	case "*":
		return adjustPrecisionScale(p1+p2, s1+s2)
	case "/":
		s := max(6, s1+p2+1)
		return adjustPrecisionScale(p1-s1+s2+s, s)
	case "%":
		s := max(s1, s2)
		return adjustPrecisionScale(min(p1-s1, p2-s2)+s, s)
	default: // + -
		s := max(s1, s2)
		return adjustPrecisionScale(max(p1-s1, p2-s2)+s+1, s)
	}
}

// ArithType is the result of a numeric binary operator, or ok=false.
func ArithType(op string, a, b types.Type) (types.Type, bool) {
	if !a.Kind.IsNumeric() || !b.Kind.IsNumeric() {
		return types.Type{}, false
	}
	nn := a.NotNull && b.NotNull
	var t types.Type
	ra, rb := numRank(a.Kind), numRank(b.Kind)
	switch {
	case a.Kind == types.Double || b.Kind == types.Double:
		t = types.TDouble
	case a.Kind == types.Float || b.Kind == types.Float:
		if a.Kind == types.Decimal || b.Kind == types.Decimal {
			t = types.TDouble
		} else {
			t = types.Type{Kind: types.Float}
		}
	case a.Kind == types.Decimal || b.Kind == types.Decimal:
		t = decimalArith(op, a, b)
	default: // both integers: the wider one; `/` is integer division
		if ra >= rb {
			t = types.Type{Kind: a.Kind}
		} else {
			t = types.Type{Kind: b.Kind}
		}
	}
	t.NotNull = nn && op != "/" && op != "%"
	return t, true
}

// Comparable reports whether Flink compares values of a and b.
func Comparable(a, b types.Type) bool {
	if a.Kind == types.Null || b.Kind == types.Null {
		return true
	}
	switch {
	case a.Kind.IsNumeric() && b.Kind.IsNumeric():
		return true
	case a.Kind.IsTimestamp() && b.Kind.IsTimestamp():
		return true
	}
	return a.Kind == b.Kind
}

// CommonType is the least restrictive type of ts (CASE, COALESCE, IF,
// UNION ALL), or ok=false when there is none.
func CommonType(ts ...types.Type) (types.Type, bool) {
	var r types.Type
	have := false
	nullable := false
	for _, t := range ts {
		if !t.NotNull {
			nullable = true
		}
		t = t.WithoutRowtime()
		if t.Kind == types.Null {
			continue
		}
		if !have {
			r, have = t, true
			continue
		}
		var ok bool
		r, ok = merge2(r, t)
		if !ok {
			return types.Type{}, false
		}
	}
	if !have {
		return types.TNull, true
	}
	r.NotNull = !nullable
	return r, true
}

func merge2(a, b types.Type) (types.Type, bool) {
	switch {
	case a.Kind.IsNumeric() && b.Kind.IsNumeric():
		if a.Kind == types.Decimal || b.Kind == types.Decimal {
			if a.Kind == types.Double || b.Kind == types.Double || a.Kind == types.Float || b.Kind == types.Float {
				return types.TDouble, true
			}
			da, db := asDecimal(a), asDecimal(b)
			s := max(da.Scale, db.Scale)
			return adjustPrecisionScale(max(da.Precision-da.Scale, db.Precision-db.Scale)+s, s), true
		}
		if numRank(a.Kind) >= numRank(b.Kind) {
			return types.Type{Kind: a.Kind}, true
		}
		return types.Type{Kind: b.Kind}, true
	case a.Kind == types.String && b.Kind == types.String:
		return types.TString, true
	case a.Kind == b.Kind:
		if b.Precision > a.Precision {
			a.Precision = b.Precision
		}
		return a, true
	}
	return types.Type{}, false
}

// ImplicitCast reports whether Flink inserts a value of type from into a
// column of type to without an explicit CAST.
func ImplicitCast(from, to types.Type) bool {
	if from.Kind == types.Null {
		return true
	}
	switch {
	case from.Kind == to.Kind:
		return true
	case from.Kind.IsInteger() && to.Kind.IsInteger():
		return numRank(from.Kind) <= numRank(to.Kind)
	case from.Kind.IsNumeric() && to.Kind.IsNumeric():
		return numRank(from.Kind) <= numRank(to.Kind)
	}
	return false
}

// SameStorage reports whether a value of type a can be written as type b
// without any conversion (so no CAST is needed).
func SameStorage(a, b types.Type) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case types.Decimal:
		return a.Precision == b.Precision && a.Scale == b.Scale
	case types.String:
		return true
	}
	return true
}

func IsStringy(t types.Type) bool { return t.Kind == types.String || t.Kind == types.Null }
