package types

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// DECIMAL arithmetic as Flink does it (DecimalDataUtils over Java's
// BigDecimal): the exact result is rounded HALF_UP to the result scale,
// and a result with more digits than the result precision is an overflow,
// which Flink turns into NULL (ok == false here). Values stay in int64
// form when they fit and fall back to *big.Int otherwise.

// ErrDivisionByZero is returned for integer and DECIMAL division or
// remainder by zero (Java throws ArithmeticException).
var ErrDivisionByZero = errors.New("division by zero")

var pow10i64 = func() (t [19]int64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return
}()

var pow10big = func() (t [80]*big.Int) {
	t[0] = big.NewInt(1)
	ten := big.NewInt(10)
	for i := 1; i < len(t); i++ {
		t[i] = new(big.Int).Mul(t[i-1], ten)
	}
	return
}()

func bigPow10(n int) *big.Int {
	if n < len(pow10big) {
		return pow10big[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

func isBig(v Value) (*big.Int, bool) {
	b, ok := v.X.(*big.Int)
	return b, ok
}

// bigOf returns v's unscaled value as a big.Int (shared when v holds one:
// callers must not modify it).
func bigOf(v Value) *big.Int {
	if b, ok := isBig(v); ok {
		return b
	}
	return big.NewInt(v.I)
}

func mulOverflows(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, false
	}
	c := a * b
	if (c < 0) != ((a < 0) != (b < 0)) || c/b != a {
		return 0, true
	}
	return c, false
}

func addOverflows(a, b int64) (int64, bool) {
	c := a + b
	return c, (c > a) != (b > 0)
}

// fitsPrecision reports whether |u| < 10^prec.
func fitsPrecision64(u int64, prec int) bool {
	if prec >= 19 {
		return true
	}
	if u < 0 {
		if u == math.MinInt64 {
			return false
		}
		u = -u
	}
	return u < pow10i64[prec]
}

func fitsPrecisionBig(u *big.Int, prec int) bool {
	return new(big.Int).Abs(u).Cmp(bigPow10(prec)) < 0
}

// decFinish turns an exact unscaled result at scale s into a DECIMAL(prec,
// scale) value, rounding HALF_UP.
func decFinish64(u int64, s, prec, scale int) (Value, bool) {
	if s == scale {
		if !fitsPrecision64(u, prec) {
			return NullValue, false
		}
		return DecimalValue(u, scale), true
	}
	if s > scale {
		d := s - scale
		if d > 18 {
			return decFinishBig(big.NewInt(u), s, prec, scale)
		}
		p := pow10i64[d]
		q, r := u/p, u%p
		if r < 0 {
			r = -r
		}
		if r >= p-r { // 2r >= p without overflow
			if u < 0 {
				q--
			} else {
				q++
			}
		}
		if !fitsPrecision64(q, prec) {
			return NullValue, false
		}
		return DecimalValue(q, scale), true
	}
	d := scale - s
	if d <= 18 {
		if m, of := mulOverflows(u, pow10i64[d]); !of {
			if !fitsPrecision64(m, prec) {
				return NullValue, false
			}
			return DecimalValue(m, scale), true
		}
	}
	return decFinishBig(big.NewInt(u), s, prec, scale)
}

func decFinishBig(u *big.Int, s, prec, scale int) (Value, bool) {
	r := roundBigHalfUp(u, s, scale)
	if !fitsPrecisionBig(r, prec) {
		return NullValue, false
	}
	return BigDecimalValue(r, scale), true
}

// roundBigHalfUp rescales u from scale s to scale t (HALF_UP); result is new.
func roundBigHalfUp(u *big.Int, s, t int) *big.Int {
	if t >= s {
		return new(big.Int).Mul(u, bigPow10(t-s))
	}
	p := bigPow10(s - t)
	q, r := new(big.Int).QuoRem(u, p, new(big.Int))
	r.Abs(r)
	r.Lsh(r, 1)
	if r.Cmp(p) >= 0 {
		if u.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// DecimalRescale converts a DECIMAL to DECIMAL(prec, scale), rounding
// HALF_UP; ok is false on overflow.
func DecimalRescale(a Value, prec, scale int) (Value, bool) {
	if b, ok := isBig(a); ok {
		return decFinishBig(b, int(a.Scale), prec, scale)
	}
	return decFinish64(a.I, int(a.Scale), prec, scale)
}

// align returns a and b's unscaled values at the common scale max(sa, sb)
// in int64 form, or ok=false when that does not fit.
func align64(a, b Value) (x, y int64, s int, ok bool) {
	if _, big := isBig(a); big {
		return 0, 0, 0, false
	}
	if _, big := isBig(b); big {
		return 0, 0, 0, false
	}
	sa, sb := int(a.Scale), int(b.Scale)
	x, y = a.I, b.I
	switch {
	case sa < sb:
		if sb-sa > 18 {
			return 0, 0, 0, false
		}
		var of bool
		if x, of = mulOverflows(x, pow10i64[sb-sa]); of {
			return 0, 0, 0, false
		}
		s = sb
	case sb < sa:
		if sa-sb > 18 {
			return 0, 0, 0, false
		}
		var of bool
		if y, of = mulOverflows(y, pow10i64[sa-sb]); of {
			return 0, 0, 0, false
		}
		s = sa
	default:
		s = sa
	}
	return x, y, s, true
}

func alignBig(a, b Value) (x, y *big.Int, s int) {
	sa, sb := int(a.Scale), int(b.Scale)
	x, y = bigOf(a), bigOf(b)
	if sa < sb {
		x = new(big.Int).Mul(x, bigPow10(sb-sa))
		return x, y, sb
	}
	if sb < sa {
		y = new(big.Int).Mul(y, bigPow10(sa-sb))
	}
	return x, y, sa
}

// DecimalAdd returns a + b as DECIMAL(prec, scale); ok is false on overflow.
func DecimalAdd(a, b Value, prec, scale int) (Value, bool) {
	if x, y, s, ok := align64(a, b); ok {
		if z, of := addOverflows(x, y); !of {
			return decFinish64(z, s, prec, scale)
		}
	}
	x, y, s := alignBig(a, b)
	return decFinishBig(new(big.Int).Add(x, y), s, prec, scale)
}

// DecimalSub returns a - b as DECIMAL(prec, scale).
func DecimalSub(a, b Value, prec, scale int) (Value, bool) {
	return DecimalAdd(a, DecimalNeg(b), prec, scale)
}

// DecimalNeg returns -a with a's scale.
func DecimalNeg(a Value) Value {
	if b, ok := isBig(a); ok {
		return BigDecimalValue(new(big.Int).Neg(b), int(a.Scale))
	}
	if a.I == math.MinInt64 {
		return Value{K: Decimal, Scale: a.Scale, X: new(big.Int).Neg(big.NewInt(a.I))}
	}
	return Value{K: Decimal, Scale: a.Scale, I: -a.I}
}

// DecimalSign returns -1, 0 or 1.
func DecimalSign(a Value) int {
	if b, ok := isBig(a); ok {
		return b.Sign()
	}
	switch {
	case a.I < 0:
		return -1
	case a.I > 0:
		return 1
	}
	return 0
}

// DecimalMul returns a * b as DECIMAL(prec, scale).
func DecimalMul(a, b Value, prec, scale int) (Value, bool) {
	_, ba := isBig(a)
	_, bb := isBig(b)
	s := int(a.Scale) + int(b.Scale)
	if !ba && !bb {
		if z, of := mulOverflows(a.I, b.I); !of {
			return decFinish64(z, s, prec, scale)
		}
	}
	return decFinishBig(new(big.Int).Mul(bigOf(a), bigOf(b)), s, prec, scale)
}

// DecimalDiv returns a / b as DECIMAL(prec, scale) the way Flink computes
// it: BigDecimal.divide(b, MathContext.DECIMAL128) (34 significant digits,
// HALF_EVEN), then setScale(scale, HALF_UP). Division by zero is an error.
func DecimalDiv(a, b Value, prec, scale int) (Value, bool, error) {
	if DecimalSign(b) == 0 {
		return NullValue, false, ErrDivisionByZero
	}
	_, ba := isBig(a)
	_, bb := isBig(b)
	if !ba && !bb && b.I != math.MinInt64 {
		den := b.I
		if den < 0 {
			den = -den
		}
		k := scale + int(b.Scale) - int(a.Scale)
		// With |b| < 10^15 and a quotient of at most 19 digits, rounding
		// to 34 digits first can never move the value across the HALF_UP
		// boundary, so one exact HALF_UP division gives Java's result.
		if den < 1e15 && k >= 0 && k <= 18 {
			if n, of := mulOverflows(a.I, pow10i64[k]); !of {
				q, r := n/b.I, n%b.I
				if r < 0 {
					r = -r
				}
				if r >= den-r {
					if (n < 0) != (b.I < 0) {
						q--
					} else {
						q++
					}
				}
				if !fitsPrecision64(q, prec) {
					return NullValue, false, nil
				}
				return DecimalValue(q, scale), true, nil
			}
		}
	}
	u, s := divDecimal128(bigOf(a), bigOf(b), int(a.Scale), int(b.Scale))
	v, ok := decFinishBig(u, s, prec, scale)
	return v, ok, nil
}

func numDigits(x *big.Int) int {
	if x.Sign() == 0 {
		return 1
	}
	d := int(float64(x.BitLen()) * 0.30102999566398)
	if d < 1 {
		d = 1
	}
	a := new(big.Int).Abs(x)
	for a.Cmp(bigPow10(d)) >= 0 {
		d++
	}
	for d > 1 && a.Cmp(bigPow10(d-1)) < 0 {
		d--
	}
	return d
}

// divDecimal128 divides (ua/10^sa) by (ub/10^sb) to 34 significant digits
// with HALF_EVEN; it returns the unscaled result and its scale.
func divDecimal128(ua, ub *big.Int, sa, sb int) (*big.Int, int) {
	num := new(big.Int).Abs(ua)
	den := new(big.Int).Abs(ub)
	neg := (ua.Sign() < 0) != (ub.Sign() < 0)
	if num.Sign() == 0 {
		return new(big.Int), 0
	}
	k := 35 - (numDigits(num) - numDigits(den))
	if k >= 0 {
		num.Mul(num, bigPow10(k))
	} else {
		den.Mul(den, bigPow10(-k))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// q has at least 35 digits; drop the extra ones with HALF_EVEN.
	extra := numDigits(q) - 34
	scale := k + sa - sb
	if extra > 0 {
		p := bigPow10(extra)
		q2, r2 := new(big.Int).QuoRem(q, p, new(big.Int))
		// compare the dropped tail (r2 + r/den) with p/2
		r2.Lsh(r2, 1)
		c := r2.Cmp(p)
		if c == 0 && r.Sign() != 0 {
			c = 1
		}
		if c > 0 || (c == 0 && q2.Bit(0) == 1) {
			q2.Add(q2, big.NewInt(1))
		}
		q = q2
		scale -= extra
	}
	if neg {
		q.Neg(q)
	}
	return q, scale
}

// DecimalMod returns the remainder of a / b (sign of a, as Java's
// BigDecimal.remainder) as DECIMAL(prec, scale).
func DecimalMod(a, b Value, prec, scale int) (Value, bool, error) {
	if DecimalSign(b) == 0 {
		return NullValue, false, ErrDivisionByZero
	}
	if x, y, s, ok := align64(a, b); ok && y != -1 {
		return mod64(x%y, s, prec, scale)
	}
	x, y, s := alignBig(a, b)
	v, ok := decFinishBig(new(big.Int).Rem(x, y), s, prec, scale)
	return v, ok, nil
}

func mod64(r int64, s, prec, scale int) (Value, bool, error) {
	v, ok := decFinish64(r, s, prec, scale)
	return v, ok, nil
}

// DecimalCompare compares two DECIMAL values of any scales.
func DecimalCompare(a, b Value) int {
	if x, y, _, ok := align64(a, b); ok {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	x, y, _ := alignBig(a, b)
	return x.Cmp(y)
}

// DecimalFromInt returns the integer i as DECIMAL(prec, scale).
func DecimalFromInt(i int64, prec, scale int) (Value, bool) {
	return decFinish64(i, 0, prec, scale)
}

// DecimalToInt64 truncates toward zero (BigDecimal.longValue without the
// wrap-around); ok is false when the integer part does not fit in int64.
func DecimalToInt64(a Value) (int64, bool) {
	s := int(a.Scale)
	if b, ok := isBig(a); ok {
		q := new(big.Int).Quo(b, bigPow10(max(s, 0)))
		if s < 0 {
			q = new(big.Int).Mul(b, bigPow10(-s))
		}
		if !q.IsInt64() {
			return 0, false
		}
		return q.Int64(), true
	}
	if s <= 0 {
		if s == 0 {
			return a.I, true
		}
		if -s > 18 {
			return 0, a.I == 0
		}
		m, of := mulOverflows(a.I, pow10i64[-s])
		return m, !of
	}
	if s > 18 {
		return 0, true
	}
	return a.I / pow10i64[s], true
}

var pow10f = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// DecimalToFloat converts to the nearest float64 (BigDecimal.doubleValue).
func DecimalToFloat(a Value) float64 {
	if _, ok := isBig(a); !ok && a.Scale >= 0 && int(a.Scale) < len(pow10f) {
		if a.I > -(1<<53) && a.I < 1<<53 {
			return float64(a.I) / pow10f[a.Scale] // both exact: one correctly rounded division
		}
	}
	f, _ := strconv.ParseFloat(DecimalString(a), 64)
	return f
}

// DecimalFromFloat converts a DOUBLE the way Flink does
// (BigDecimal.valueOf(d): the shortest decimal that reads back as d),
// rounded HALF_UP to scale; ok is false for NaN, infinities and overflow.
func DecimalFromFloat(f float64, prec, scale int) (Value, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return NullValue, false
	}
	v, ok, err := DecimalFromString(strconv.FormatFloat(f, 'e', -1, 64), prec, scale)
	if err != nil {
		return NullValue, false
	}
	return v, ok
}

// ParseDecimal parses a decimal literal ([+-]digits[.digits][E[+-]n],
// surrounding spaces ignored) exactly, returning its unscaled value and
// scale (which may be negative for large exponents).
func ParseDecimal(s string) (*big.Int, int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, 0, errors.New("empty string is not a number")
	}
	i := 0
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		i++
	}
	var digits []byte
	scale := 0
	seenDot, any := false, false
	for ; i < len(t); i++ {
		c := t[i]
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
			any = true
			if seenDot {
				scale++
			}
			continue
		}
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		break
	}
	if !any {
		return nil, 0, errors.New("not a number: " + strconv.Quote(s))
	}
	if i < len(t) {
		if t[i] != 'e' && t[i] != 'E' {
			return nil, 0, errors.New("not a number: " + strconv.Quote(s))
		}
		e, err := strconv.Atoi(t[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return nil, 0, errors.New("not a number: " + strconv.Quote(s))
		}
		scale -= e
	}
	u, _ := new(big.Int).SetString(string(digits), 10)
	if neg {
		u.Neg(u)
	}
	return u, scale, nil
}

// DecimalFromString parses text as DECIMAL(prec, scale) (rounded HALF_UP,
// as Java's new BigDecimal(s).setScale(scale, HALF_UP)); err for text that
// is not a number, ok false for overflow. Text with up to 18 significant
// digits is converted without allocating; there any exponent is accepted
// (1E-5000 rounds to zero, 1E5000 overflows).
func DecimalFromString(s string, prec, scale int) (Value, bool, error) {
	if v, ok, done := decimalFromString64(s, prec, scale); done {
		return v, ok, nil
	}
	u, sc, err := ParseDecimal(s)
	if err != nil {
		return NullValue, false, err
	}
	if sc < 0 {
		u.Mul(u, bigPow10(-sc))
		sc = 0
	}
	v, ok := decFinishBig(u, sc, prec, scale)
	return v, ok, nil
}

// decimalFromString64 is DecimalFromString for text whose significant
// digits fit in int64 and whose result does too; done is false for
// anything else, syntax errors included, which the exact big.Int path
// then decides.
func decimalFromString64(s string, prec, scale int) (v Value, ok, done bool) {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	t := s[i:j]
	i = 0
	neg := false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
	}
	var u int64 // significant digits, leading zeros skipped
	nd, frac := 0, 0
	seenDigit, seenDot := false, false
	for ; i < len(t); i++ {
		c := t[i]
		if c >= '0' && c <= '9' {
			seenDigit = true
			if seenDot {
				frac++
			}
			if nd == 0 && c == '0' {
				continue
			}
			if nd == 18 {
				return NullValue, false, false
			}
			u = u*10 + int64(c-'0')
			nd++
			continue
		}
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		break
	}
	if !seenDigit {
		return NullValue, false, false
	}
	exp := 0
	if i < len(t) {
		if t[i] != 'e' && t[i] != 'E' {
			return NullValue, false, false
		}
		i++
		eneg := false
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			eneg = t[i] == '-'
			i++
		}
		start := i
		for ; i < len(t) && t[i] >= '0' && t[i] <= '9'; i++ {
			if exp < 1e6 {
				exp = exp*10 + int(t[i]-'0')
			}
		}
		if i == start || i != len(t) {
			return NullValue, false, false
		}
		if eneg {
			exp = -exp
		}
	}
	if nd == 0 {
		return DecimalValue(0, scale), true, true
	}
	// value * 10^scale = u * 10^shift
	shift := scale + exp - frac
	if shift >= 0 {
		if nd+shift > prec {
			return NullValue, false, true
		}
		if nd+shift > 18 {
			return NullValue, false, false
		}
		u *= pow10i64[shift]
	} else {
		if nd+shift < 0 { // below half a unit of the last digit
			return DecimalValue(0, scale), true, true
		}
		p := pow10i64[-shift] // -shift <= nd <= 18
		q, r := u/p, u%p
		if r >= p-r {
			q++
		}
		if !fitsPrecision64(q, prec) {
			return NullValue, false, true
		}
		u = q
	}
	if neg {
		u = -u
	}
	return DecimalValue(u, scale), true, true
}

// isSpace is what strings.TrimSpace trims, for ASCII.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// DecimalString prints a DECIMAL as BigDecimal.toPlainString: every digit
// of its scale ("11.10", "-0.05").
func DecimalString(a Value) string {
	return string(AppendDecimal(nil, a))
}

// AppendDecimal appends DecimalString(a) to dst.
func AppendDecimal(dst []byte, a Value) []byte {
	var buf [24]byte
	var digits []byte
	neg := false
	if b, ok := isBig(a); ok {
		digits = []byte(b.String())
		if digits[0] == '-' {
			neg = true
			digits = digits[1:]
		}
	} else {
		u := uint64(a.I)
		if a.I < 0 {
			neg = true
			u = uint64(-a.I) // MinInt64 wraps to itself and reads as 2^63: correct
		}
		digits = strconv.AppendUint(buf[:0], u, 10)
	}
	if neg {
		dst = append(dst, '-')
	}
	s := int(a.Scale)
	if s <= 0 {
		dst = append(dst, digits...)
		if digits[0] != '0' {
			for i := 0; i < -s; i++ {
				dst = append(dst, '0')
			}
		}
		return dst
	}
	if len(digits) <= s {
		dst = append(dst, '0', '.')
		for i := len(digits); i < s; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-s]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-s:]...)
}

// DecimalRound rounds to d fractional digits HALF_UP (d may be negative)
// and returns the value as DECIMAL(prec, scale).
func DecimalRound(a Value, d, prec, scale int) (Value, bool) {
	s := int(a.Scale)
	if d >= s {
		return DecimalRescale(a, prec, scale)
	}
	r := roundBigHalfUp(bigOf(a), s, d) // at scale d
	if d < 0 {
		r.Mul(r, bigPow10(-d))
		d = 0
	}
	return decFinishBig(r, d, prec, scale)
}

// DecimalFloor and DecimalCeil round toward -inf / +inf to an integer,
// returned as DECIMAL(prec, scale).
func DecimalFloor(a Value, prec, scale int) (Value, bool) { return decIntegral(a, -1, prec, scale) }
func DecimalCeil(a Value, prec, scale int) (Value, bool)  { return decIntegral(a, 1, prec, scale) }

func decIntegral(a Value, dir int, prec, scale int) (Value, bool) {
	s := int(a.Scale)
	if s <= 0 {
		return DecimalRescale(a, prec, scale)
	}
	u := bigOf(a)
	q, r := new(big.Int).QuoRem(u, bigPow10(s), new(big.Int))
	if r.Sign() != 0 && r.Sign() == dir {
		q.Add(q, big.NewInt(int64(dir)))
	}
	return decFinishBig(q, 0, prec, scale)
}

// DecimalAbs returns |a|.
func DecimalAbs(a Value) Value {
	if DecimalSign(a) < 0 {
		return DecimalNeg(a)
	}
	return a
}
