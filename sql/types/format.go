package types

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Text forms of values, shared by CAST(x AS STRING), the print sink and the
// JSON format, so all three agree on how a value looks.

const msPerDay = 86400000

// floorDiv and floorMod divide rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// CivilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's algorithm).
func CivilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
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

// DaysFromCivil converts a date to days since 1970-01-01.
func DaysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mm := int64(m)
	if mm > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// SplitMillis splits epoch millis into days and millis of day.
func SplitMillis(ms int64) (days, msOfDay int64) {
	return floorDiv(ms, msPerDay), floorMod(ms, msPerDay)
}

// TimestampStyle selects a timestamp text form.
type TimestampStyle uint8

const (
	// TimestampCast is Flink's CAST(ts AS STRING): 'yyyy-MM-dd HH:mm:ss'
	// plus the fraction padded to the type's precision ('...50.500' for
	// TIMESTAMP(3), no fraction for TIMESTAMP(0)).
	TimestampCast TimestampStyle = iota
	// TimestampSQL is the JSON form (json.timestamp-format.standard SQL):
	// the fraction without trailing zeros, left out when zero.
	TimestampSQL
	// TimestampISO is TimestampSQL with a 'T' between date and time.
	TimestampISO
	// TimestampSQLZ and TimestampISOZ add a 'Z' (TIMESTAMP_LTZ in JSON,
	// printed in UTC).
	TimestampSQLZ
	TimestampISOZ
)

func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }

// AppendDate appends 'yyyy-MM-dd'.
func AppendDate(dst []byte, days int64) []byte {
	y, m, d := CivilFromDays(days)
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	if y < 1000 {
		for p := int64(1000); p > y && p > 1; p /= 10 {
			dst = append(dst, '0')
		}
	}
	dst = strconv.AppendInt(dst, y, 10)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendTimeOfDay appends 'HH:mm:ss' and a fraction: padded to precision
// when pad, else trimmed of trailing zeros.
func appendTimeOfDay(dst []byte, msOfDay int64, precision int, pad bool) []byte {
	h := int(msOfDay / 3600000)
	mi := int(msOfDay / 60000 % 60)
	s := int(msOfDay / 1000 % 60)
	ms := int(msOfDay % 1000)
	dst = append2(dst, h)
	dst = append(dst, ':')
	dst = append2(dst, mi)
	dst = append(dst, ':')
	dst = append2(dst, s)
	if pad {
		if precision > 0 {
			frac := [9]byte{byte('0' + ms/100), byte('0' + ms/10%10), byte('0' + ms%10), '0', '0', '0', '0', '0', '0'}
			if precision > 9 {
				precision = 9
			}
			dst = append(dst, '.')
			dst = append(dst, frac[:precision]...)
		}
		return dst
	}
	if ms != 0 {
		frac := [3]byte{byte('0' + ms/100), byte('0' + ms/10%10), byte('0' + ms%10)}
		n := 3
		for frac[n-1] == '0' {
			n--
		}
		dst = append(dst, '.')
		dst = append(dst, frac[:n]...)
	}
	return dst
}

// AppendTime appends a TIME (millis of day) as 'HH:mm:ss' and a fraction:
// with TimestampCast padded to precision digits (Flink's CAST, '20:28:50.500'
// for TIME(3)); with any other style as the JSON format writes it, trailing
// zeros trimmed and a zero fraction left out ('20:28:50.5', '20:28:50').
// The date separator and 'Z' of the styles do not apply to a TIME.
func AppendTime(dst []byte, msOfDay int64, precision int, style TimestampStyle) []byte {
	return appendTimeOfDay(dst, floorMod(msOfDay, msPerDay), precision, style == TimestampCast)
}

// AppendTimestamp appends the epoch millis ms (a wall clock in UTC; for a
// TIMESTAMP_LTZ convert with InstantToLocal first) in the given style.
func AppendTimestamp(dst []byte, ms int64, precision int, style TimestampStyle) []byte {
	days, tod := SplitMillis(ms)
	dst = AppendDate(dst, days)
	if style == TimestampISO || style == TimestampISOZ {
		dst = append(dst, 'T')
	} else {
		dst = append(dst, ' ')
	}
	dst = appendTimeOfDay(dst, tod, precision, style == TimestampCast)
	if style == TimestampSQLZ || style == TimestampISOZ {
		dst = append(dst, 'Z')
	}
	return dst
}

// FormatTimestamp is AppendTimestamp to a string.
func FormatTimestamp(ms int64, precision int, style TimestampStyle) string {
	var buf [40]byte
	return string(AppendTimestamp(buf[:0], ms, precision, style))
}

// ---------------------------------------------------------------- parsing

func parseUint(s string, i, minD, maxD int) (v, next int, ok bool) {
	j := i
	for j < len(s) && j-i < maxD && s[j] >= '0' && s[j] <= '9' {
		v = v*10 + int(s[j]-'0')
		j++
	}
	return v, j, j-i >= minD
}

var errBadDate = errors.New("bad date")

// parseDatePart parses '[+-]y-M-d' (a year of 1 to 9 digits) at the start
// of s, or with strict exactly 'yyyy-MM-dd'.
func parseDatePart(s string, strict bool) (days int64, rest int, err error) {
	i := 0
	neg := false
	yMin, yMax, mdMin := 1, 9, 1
	if strict {
		yMin, yMax, mdMin = 4, 4, 2
	} else if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	y, i, ok := parseUint(s, i, yMin, yMax)
	if !ok || i >= len(s) || s[i] != '-' {
		return 0, 0, errBadDate
	}
	m, i, ok := parseUint(s, i+1, mdMin, 2)
	if !ok || i >= len(s) || s[i] != '-' {
		return 0, 0, errBadDate
	}
	d, i, ok := parseUint(s, i+1, mdMin, 2)
	if !ok || m < 1 || m > 12 || d < 1 || d > daysInMonth(int64(y), m) {
		return 0, 0, errBadDate
	}
	yy := int64(y)
	if neg {
		yy = -yy
	}
	return DaysFromCivil(yy, m, d), i, nil
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseTimePart parses 'H:m[:s[.fffffffff]]' at s[i:]; returns millis of
// day. With strict every field has two digits ('HH:mm:ss'), and the
// seconds may be left out only when minutesOK.
func parseTimePart(s string, i int, strict, minutesOK bool) (int64, int, bool) {
	dMin := 1
	if strict {
		dMin = 2
	}
	h, i, ok := parseUint(s, i, dMin, 2)
	if !ok || i >= len(s) || s[i] != ':' || h > 23 {
		return 0, 0, false
	}
	mi, i, ok := parseUint(s, i+1, dMin, 2)
	if !ok || mi > 59 {
		return 0, 0, false
	}
	sec, ms := 0, 0
	if i >= len(s) || s[i] != ':' {
		if strict && !minutesOK {
			return 0, 0, false
		}
	} else {
		sec, i, ok = parseUint(s, i+1, dMin, 2)
		if !ok || sec > 59 {
			return 0, 0, false
		}
		if i < len(s) && s[i] == '.' {
			j := i + 1
			n := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if n < 3 {
					ms = ms*10 + int(s[j]-'0')
				}
				n++
				j++
			}
			if n == 0 || n > 9 {
				return 0, 0, false
			}
			for k := n; k < 3; k++ {
				ms *= 10
			}
			i = j
		}
	}
	return int64(h)*3600000 + int64(mi)*60000 + int64(sec)*1000 + int64(ms), i, true
}

// ParseDate parses 'yyyy-MM-dd' (surrounding spaces ignored).
func ParseDate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	d, n, err := parseDatePart(t, false)
	if err != nil || n != len(t) {
		return 0, errors.New("invalid DATE " + strconv.Quote(s) + ": want yyyy-MM-dd")
	}
	return d, nil
}

// ParseTime parses 'HH:mm:ss[.fff]' to millis of day.
func ParseTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	v, n, ok := parseTimePart(t, 0, false, true)
	if !ok || n != len(t) {
		return 0, errors.New("invalid TIME " + strconv.Quote(s) + ": want HH:mm:ss")
	}
	return v, nil
}

// ParseTimestamp parses 'yyyy-MM-dd HH:mm:ss[.fraction]', the ISO-8601
// form with 'T', either optionally followed by 'Z', or a bare date
// (midnight). The result is the wall clock as epoch millis in UTC;
// hasZ reports a trailing 'Z' (the text names a UTC instant). Fraction
// digits beyond milliseconds are truncated.
func ParseTimestampZ(s string) (ms int64, hasZ bool, err error) {
	t := strings.TrimSpace(s)
	days, i, err := parseDatePart(t, false)
	if err != nil {
		return 0, false, errors.New("invalid TIMESTAMP " + strconv.Quote(s) + ": want yyyy-MM-dd HH:mm:ss[.SSS]")
	}
	var tod int64
	if i < len(t) && (t[i] == ' ' || t[i] == 'T') {
		var ok bool
		tod, i, ok = parseTimePart(t, i+1, false, true)
		if !ok {
			return 0, false, errors.New("invalid TIMESTAMP " + strconv.Quote(s) + ": want yyyy-MM-dd HH:mm:ss[.SSS]")
		}
	}
	if i < len(t) && t[i] == 'Z' {
		hasZ = true
		i++
	}
	if i != len(t) {
		return 0, false, errors.New("invalid TIMESTAMP " + strconv.Quote(s) + ": want yyyy-MM-dd HH:mm:ss[.SSS]")
	}
	return days*msPerDay + tod, hasZ, nil
}

// ParseTimestamp is ParseTimestampZ ignoring a trailing 'Z'.
func ParseTimestamp(s string) (int64, error) {
	ms, _, err := ParseTimestampZ(s)
	return ms, err
}

// The strict parsers read exactly the forms Flink's JSON format reads
// (Java's ISO_LOCAL_DATE with a four-digit year, 'HH:mm:ss' with an
// optional fraction): two digits per field, no sign, no surrounding
// spaces. CAST from a string uses the lenient ParseDate, ParseTime and
// ParseTimestampZ instead.

// ParseDateStrict parses exactly 'yyyy-MM-dd'.
func ParseDateStrict(s string) (int64, error) {
	d, n, err := parseDatePart(s, true)
	if err != nil || n != len(s) {
		return 0, errors.New("invalid DATE " + strconv.Quote(s) + ": want yyyy-MM-dd")
	}
	return d, nil
}

// ParseTimeStrict parses exactly 'HH:mm:ss[.fraction]' (1 to 9 fraction
// digits, truncated to milliseconds) to millis of day.
func ParseTimeStrict(s string) (int64, error) {
	v, n, ok := parseTimePart(s, 0, true, false)
	if !ok || n != len(s) {
		return 0, errors.New("invalid TIME " + strconv.Quote(s) + ": want HH:mm:ss[.fraction]")
	}
	return v, nil
}

// ParseTimestampStrict parses 'yyyy-MM-dd HH:mm:ss[.fraction]' (the SQL
// form) or 'yyyy-MM-ddTHH:mm[:ss[.fraction]]' (ISO-8601, where the seconds
// may be left out), either optionally followed by 'Z' (hasZ). A bare date
// is not accepted. The result is as ParseTimestampZ's.
func ParseTimestampStrict(s string) (ms int64, hasZ bool, err error) {
	days, i, err := parseDatePart(s, true)
	ok := err == nil && i < len(s) && (s[i] == ' ' || s[i] == 'T')
	var tod int64
	if ok {
		tod, i, ok = parseTimePart(s, i+1, true, s[i] == 'T')
	}
	if ok && i < len(s) && s[i] == 'Z' {
		hasZ = true
		i++
	}
	if !ok || i != len(s) {
		return 0, false, errors.New("invalid TIMESTAMP " + strconv.Quote(s) + ": want yyyy-MM-dd HH:mm:ss[.fraction]")
	}
	return days*msPerDay + tod, hasZ, nil
}

// ---------------------------------------------------------------- time zones

// ZoneOffsetMillis returns loc's UTC offset at the instant ms.
func ZoneOffsetMillis(ms int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return 0
	}
	_, off := time.UnixMilli(ms).In(loc).Zone()
	return int64(off) * 1000
}

// InstantToLocal converts an instant (TIMESTAMP_LTZ millis) to the wall
// clock in loc, as epoch millis of that wall clock in UTC.
func InstantToLocal(ms int64, loc *time.Location) int64 {
	return ms + ZoneOffsetMillis(ms, loc)
}

// LocalToInstant converts a wall clock in loc to an instant as Java's
// LocalDateTime.atZone does: in an overlap the earlier offset wins, in a
// gap the time is moved forward by the gap's length.
func LocalToInstant(local int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC {
		return local
	}
	before := ZoneOffsetMillis(local-msPerDay, loc)
	if ZoneOffsetMillis(local-before, loc) == before {
		return local - before
	}
	after := ZoneOffsetMillis(local+msPerDay, loc)
	if ZoneOffsetMillis(local-after, loc) == after {
		return local - after
	}
	return local - before
}

// ---------------------------------------------------------------- numbers

// FormatDouble prints a DOUBLE as Java's Double.toString: "0.5", "100.0",
// "1.0E10", "1.234E-5", "NaN", "Infinity".
func FormatDouble(f float64) string { return string(AppendDouble(nil, f, 64)) }

// FormatFloat prints a FLOAT as Java's Float.toString.
func FormatFloat(f float32) string { return string(AppendDouble(nil, float64(f), 32)) }

// AppendDouble appends Java's Double.toString (bitSize 64) or
// Float.toString (bitSize 32) of f.
func AppendDouble(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, bitSize) // [-]d[.ddd]e±XX
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		dst = append(dst, '-')
	}
	ePos := 0
	for e[ePos] != 'e' {
		ePos++
	}
	exp, _ := strconv.Atoi(string(e[ePos+1:]))
	var digits [24]byte
	nd := 0
	for _, c := range e[:ePos] {
		if c != '.' {
			digits[nd] = c
			nd++
		}
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		if exp >= 0 {
			for i := 0; i <= exp; i++ {
				if i < nd {
					dst = append(dst, digits[i])
				} else {
					dst = append(dst, '0')
				}
			}
			dst = append(dst, '.')
			if nd > exp+1 {
				return append(dst, digits[exp+1:nd]...)
			}
			return append(dst, '0')
		}
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits[:nd]...)
	}
	dst = append(dst, digits[0], '.')
	if nd > 1 {
		dst = append(dst, digits[1:nd]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// ---------------------------------------------------------------- values

// FormatValue prints a non-NULL value as Flink's CAST(x AS STRING) does
// (NULL prints "NULL", as inside Flink's ARRAY/ROW text): TIMESTAMP padded
// to its precision, TIMESTAMP_LTZ in loc, BOOLEAN as TRUE/FALSE, DOUBLE as
// Java prints it, DECIMAL with all digits of its scale, ARRAY "[1, 2]",
// MAP "{a=1}", ROW "(1, a)".
func FormatValue(v Value, t Type, loc *time.Location) string {
	if v.K == String && (t.Kind == String || t.Kind == Null) {
		return v.S
	}
	return string(AppendValue(nil, v, t, loc))
}

// AppendValue appends FormatValue(v, t, loc) to dst.
func AppendValue(dst []byte, v Value, t Type, loc *time.Location) []byte {
	if v.K == Null {
		return append(dst, "NULL"...)
	}
	k := t.Kind
	if k == Null {
		k = v.K
	}
	switch k {
	case Boolean:
		if v.I != 0 {
			return append(dst, "TRUE"...)
		}
		return append(dst, "FALSE"...)
	case TinyInt, SmallInt, Int, BigInt:
		return strconv.AppendInt(dst, v.I, 10)
	case Float:
		return AppendDouble(dst, v.F(), 32)
	case Double:
		return AppendDouble(dst, v.F(), 64)
	case Decimal:
		return AppendDecimal(dst, v)
	case String, Bytes:
		return append(dst, v.S...)
	case Date:
		return AppendDate(dst, v.I)
	case Time:
		return appendTimeOfDay(dst, floorMod(v.I, msPerDay), t.Precision, true)
	case Timestamp:
		return AppendTimestamp(dst, v.I, t.Precision, TimestampCast)
	case TimestampLTZ:
		return AppendTimestamp(dst, InstantToLocal(v.I, loc), t.Precision, TimestampCast)
	case IntervalDayTime:
		ms := v.I
		if ms < 0 {
			dst = append(dst, '-')
			ms = -ms
		} else {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, ms/msPerDay, 10)
		dst = append(dst, ' ')
		return appendTimeOfDay(dst, ms%msPerDay, 3, true)
	case IntervalYearMonth:
		m := v.I
		if m < 0 {
			dst = append(dst, '-')
			m = -m
		} else {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, m/12, 10)
		dst = append(dst, '-')
		return append2(dst, int(m%12))
	case Array:
		dst = append(dst, '[')
		et := Type{}
		if t.Elem != nil {
			et = *t.Elem
		}
		for i, e := range v.Elems() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendValue(dst, e, et, loc)
		}
		return append(dst, ']')
	case Row:
		dst = append(dst, '(')
		for i, e := range v.Elems() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			ft := Type{}
			if i < len(t.Fields) {
				ft = t.Fields[i].Type
			}
			dst = AppendValue(dst, e, ft, loc)
		}
		return append(dst, ')')
	case Map:
		dst = append(dst, '{')
		kt, vt := Type{}, Type{}
		if t.Key != nil {
			kt = *t.Key
		}
		if t.Elem != nil {
			vt = *t.Elem
		}
		if m, ok := v.X.(*MapValue); ok {
			for i := range m.Keys {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = AppendValue(dst, m.Keys[i], kt, loc)
				dst = append(dst, '=')
				dst = AppendValue(dst, m.Values[i], vt, loc)
			}
		}
		return append(dst, '}')
	}
	return append(dst, "?"...)
}
