// Package textconv converts SQL values to and from text the way Flink
// does: timestamps ('2026-05-28 20:28:50.5'), dates, times, Java's
// Double.toString, and exact decimals. It serves the json format and the
// print connector.
//
// These are private stand-ins for sql/types' FormatTimestamp,
// ParseTimestamp, FormatDouble, DecimalFromString and DecimalString,
// which another package is adding; once those land, this package should
// delegate to them.
package textconv

import (
	"errors"
	"math"
	"math/big"
	"strconv"

	"github.com/streamsql/streamsql/sql/types"
)

const msPerDay = 86400000

// civil converts days since 1970-01-01 into a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return
}

// DaysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date.
func DaysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mm := int64(m)
	var mp int64
	if mm > 2 {
		mp = mm - 3
	} else {
		mp = mm + 9
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// AppendDate appends days since the epoch as yyyy-MM-dd.
func AppendDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	if y < 0 {
		b = append(b, '-')
		y = -y
	}
	if y < 1000 {
		b = append(b, "000"[:4-digits(y)]...)
	}
	b = strconv.AppendInt(b, y, 10)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

func digits(y int64) int {
	n := 1
	for y >= 10 {
		y /= 10
		n++
	}
	return n
}

// AppendTime appends millis of day as HH:mm:ss followed by the fraction:
// with precision < 0 trailing zeros are trimmed and a zero fraction is
// left out (JSON); otherwise exactly precision digits are written
// (CAST to STRING of TIMESTAMP(p)).
func AppendTime(b []byte, msOfDay int64, precision int) []byte {
	h := int(msOfDay / 3600000)
	mi := int(msOfDay / 60000 % 60)
	s := int(msOfDay / 1000 % 60)
	ms := int(msOfDay % 1000)
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	frac := [9]byte{byte('0' + ms/100), byte('0' + ms/10%10), byte('0' + ms%10), '0', '0', '0', '0', '0', '0'}
	n := precision
	if precision < 0 {
		n = 3
		for n > 0 && frac[n-1] == '0' {
			n--
		}
	}
	if n > 9 {
		n = 9
	}
	if n > 0 {
		b = append(b, '.')
		b = append(b, frac[:n]...)
	}
	return b
}

// AppendTimestamp appends epoch millis as 'yyyy-MM-dd HH:mm:ss[.fff]' with
// sep between date and time (' ' or 'T'); precision as in AppendTime.
func AppendTimestamp(b []byte, ms int64, sep byte, precision int) []byte {
	days, rem := floorDiv(ms, msPerDay)
	b = AppendDate(b, days)
	b = append(b, sep)
	return AppendTime(b, rem, precision)
}

var errSyntax = errors.New("syntax")

func num(s []byte, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range s[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// ParseDate reads yyyy-MM-dd (a 4-digit year) into days since the epoch.
func ParseDate(s []byte) (int64, error) {
	days, n, err := parseDate(s)
	if err != nil || n != len(s) {
		return 0, errSyntax
	}
	return days, nil
}

func parseDate(s []byte) (int64, int, error) {
	y, ok1 := num(s, 0, 4)
	m, ok2 := num(s, 5, 2)
	d, ok3 := num(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > monthDays(y, m) {
		return 0, 0, errSyntax
	}
	return DaysFromCivil(int64(y), m, d), 10, nil
}

func monthDays(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ParseTime reads HH:mm:ss[.f{1,9}] (HH:mm when minutesOK) into millis of
// day (the fraction beyond milliseconds is truncated); it returns how many
// bytes it read.
func parseTime(s []byte, minutesOK bool) (int64, int, error) {
	h, ok1 := num(s, 0, 2)
	mi, ok2 := num(s, 3, 2)
	if !ok1 || !ok2 || s[2] != ':' || h > 23 || mi > 59 {
		return 0, 0, errSyntax
	}
	ms := int64(h)*3600000 + int64(mi)*60000
	i := 5
	if i < len(s) && s[i] == ':' {
		sec, ok := num(s, 6, 2)
		if !ok || sec > 59 {
			return 0, 0, errSyntax
		}
		ms += int64(sec) * 1000
		i = 8
		if i < len(s) && s[i] == '.' {
			i++
			start := i
			scale := int64(100)
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				ms += int64(s[i]-'0') * scale
				scale /= 10
				i++
			}
			if i == start || i-start > 9 {
				return 0, 0, errSyntax
			}
		}
	} else if !minutesOK {
		return 0, 0, errSyntax
	}
	return ms, i, nil
}

// ParseTime reads HH:mm:ss[.fraction] into millis of day.
func ParseTime(s []byte) (int64, error) {
	ms, n, err := parseTime(s, false)
	if err != nil || n != len(s) {
		return 0, errSyntax
	}
	return ms, nil
}

// ParseTimestamp reads 'yyyy-MM-dd HH:mm:ss[.fraction]' or the ISO-8601
// form with a 'T' (where seconds may be left out), optionally followed by
// 'Z' (reported in z). The result is epoch millis of that wall clock; a
// fraction beyond milliseconds is truncated.
func ParseTimestamp(s []byte) (ms int64, z bool, err error) {
	days, n, err := parseDate(s)
	if err != nil || n >= len(s) || (s[n] != ' ' && s[n] != 'T') {
		return 0, false, errSyntax
	}
	tod, m, err := parseTime(s[n+1:], s[n] == 'T')
	if err != nil {
		return 0, false, errSyntax
	}
	end := n + 1 + m
	if end < len(s) && s[end] == 'Z' {
		z = true
		end++
	}
	if end != len(s) {
		return 0, false, errSyntax
	}
	return days*msPerDay + tod, z, nil
}

// AppendJavaDouble appends f as Java's Double.toString (bits 64) or
// Float.toString (bits 32) writes it: shortest digits, at least one
// fractional digit, scientific 'd.dddE-n' outside [1e-3, 1e7), NaN and
// Infinity spelled out.
func AppendJavaDouble(b []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bits) // -d.ddde±xx
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		b = append(b, '-')
	}
	// split mantissa digits and exponent
	var dig [24]byte
	nd := 0
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			dig[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		if exp >= 0 {
			// integer part: digits[0..exp]
			for k := 0; k <= exp; k++ {
				if k < nd {
					b = append(b, dig[k])
				} else {
					b = append(b, '0')
				}
			}
			b = append(b, '.')
			if exp+1 < nd {
				b = append(b, dig[exp+1:nd]...)
			} else {
				b = append(b, '0')
			}
			return b
		}
		b = append(b, '0', '.')
		for k := 0; k < -exp-1; k++ {
			b = append(b, '0')
		}
		return append(b, dig[:nd]...)
	}
	b = append(b, dig[0], '.')
	if nd > 1 {
		b = append(b, dig[1:nd]...)
	} else {
		b = append(b, '0')
	}
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(exp), 10)
}

// ---------------------------------------------------------------- decimals

// ErrDecimalOverflow reports a value with more digits than DECIMAL(p, s)
// holds.
var ErrDecimalOverflow = errors.New("decimal overflow")

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000}

// ParseDecimal reads a decimal number (JSON number syntax, a leading '+'
// and a fraction without integer digits also allowed) exactly and
// rounds it HALF_UP to scale, as Java's BigDecimal.setScale does. It fails
// with ErrDecimalOverflow when the result needs more than precision digits.
func ParseDecimal(s []byte, precision, scale int) (types.Value, error) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var digs [64]byte
	dg := digs[:0]
	fracDigits := 0
	seenDigit, seenDot := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			seenDigit = true
			if len(dg) == 0 && c == '0' {
				if seenDot {
					fracDigits++
				}
				continue // leading zero
			}
			dg = append(dg, c)
			if seenDot {
				fracDigits++
			}
		} else if c == '.' && !seenDot {
			seenDot = true
		} else {
			break
		}
	}
	if !seenDigit {
		return types.Value{}, errSyntax
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if i == start {
			return types.Value{}, errSyntax
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return types.Value{}, errSyntax
	}
	// value = dg × 10^(exp - fracDigits); we want unscaled at `scale`.
	shift := scale + exp - fracDigits // multiply dg by 10^shift
	if len(dg) == 0 {
		return types.DecimalValue(0, scale), nil
	}
	if shift >= 0 {
		if len(dg)+shift > precision {
			return types.Value{}, ErrDecimalOverflow
		}
	} else {
		keep := len(dg) + shift // digits kept before rounding
		if keep > precision {
			return types.Value{}, ErrDecimalOverflow
		}
		if keep < 0 {
			return types.DecimalValue(0, scale), nil
		}
		roundUp := dg[keep] >= '5'
		dg = dg[:keep]
		shift = 0
		if roundUp {
			dg = incDigits(dg)
			if len(dg) > precision {
				return types.Value{}, ErrDecimalOverflow
			}
		}
		if len(dg) == 0 {
			return types.DecimalValue(0, scale), nil
		}
	}
	if len(dg)+shift <= 18 {
		var u int64
		for _, c := range dg {
			u = u*10 + int64(c-'0')
		}
		u *= pow10[shift]
		if neg {
			u = -u
		}
		return types.DecimalValue(u, scale), nil
	}
	u, _ := new(big.Int).SetString(string(dg), 10)
	if shift > 0 {
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	}
	if neg {
		u.Neg(u)
	}
	return types.BigDecimalValue(u, scale), nil
}

// incDigits adds one to a decimal digit string (it may grow by a digit).
func incDigits(dg []byte) []byte {
	for k := len(dg) - 1; k >= 0; k-- {
		if dg[k] < '9' {
			dg[k]++
			return dg
		}
		dg[k] = '0'
	}
	return append([]byte{'1'}, dg...)
}

// AppendDecimal appends a DECIMAL value in plain notation keeping its
// scale: unscaled 1110 at scale 2 is 11.10.
func AppendDecimal(b []byte, v types.Value) []byte {
	scale := int(v.Scale)
	var tmp [48]byte
	var d []byte
	if v.X != nil {
		d = v.Unscaled().Append(tmp[:0], 10)
	} else {
		d = strconv.AppendInt(tmp[:0], v.I, 10)
	}
	if d[0] == '-' {
		b = append(b, '-')
		d = d[1:]
	}
	if scale <= 0 {
		b = append(b, d...)
		for k := 0; k < -scale; k++ {
			b = append(b, '0')
		}
		return b
	}
	if len(d) <= scale {
		b = append(b, '0', '.')
		for k := len(d); k < scale; k++ {
			b = append(b, '0')
		}
		return append(b, d...)
	}
	b = append(b, d[:len(d)-scale]...)
	b = append(b, '.')
	return append(b, d[len(d)-scale:]...)
}
