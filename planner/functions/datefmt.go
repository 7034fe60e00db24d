package functions

import (
	"fmt"
	"strconv"

	"github.com/streamsql/streamsql/sql/types"
)

// Java date-time patterns (DateTimeFormatter / SimpleDateFormat letters)
// as DATE_FORMAT, TO_TIMESTAMP, UNIX_TIMESTAMP and FROM_UNIXTIME take
// them: y M d H h k m s S a E D, 'quoted text', '' for a quote; other
// letters are rejected when the pattern is compiled.

type dtTok struct {
	letter byte // 0 for literal text
	count  int
	lit    string
}

type dtPattern []dtTok

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func compileDatePattern(p string) (dtPattern, error) {
	var toks dtPattern
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			j := i + 1
			var lit []byte
			for {
				if j >= len(p) {
					return nil, fmt.Errorf("unterminated quote in date pattern %q", p)
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit = append(lit, '\'')
						j += 2
						continue
					}
					break
				}
				lit = append(lit, p[j])
				j++
			}
			if j == i+1 {
				lit = []byte{'\''} // '' is a quote
			}
			toks = append(toks, dtTok{lit: string(lit)})
			i = j + 1
		case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			switch c {
			case 'y', 'M', 'd', 'H', 'h', 'k', 'm', 's', 'S', 'a', 'E', 'D':
			default:
				return nil, fmt.Errorf("unsupported letter %q in date pattern %q", c, p)
			}
			toks = append(toks, dtTok{letter: c, count: j - i})
			i = j
		default:
			toks = append(toks, dtTok{lit: string(c)})
			i++
		}
	}
	return toks, nil
}

func appendPadded(dst []byte, v int64, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var buf [20]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// format prints a wall clock (epoch millis of the wall clock in UTC).
func (p dtPattern) format(dst []byte, ms int64) []byte {
	days, tod := types.SplitMillis(ms)
	y, m, d := types.CivilFromDays(days)
	h := tod / 3600000
	mi := tod / 60000 % 60
	s := tod / 1000 % 60
	frac := tod % 1000
	for _, t := range p {
		switch t.letter {
		case 0:
			dst = append(dst, t.lit...)
		case 'y':
			if t.count == 2 {
				dst = appendPadded(dst, FloorMod(y, 100), 2)
			} else {
				dst = appendPadded(dst, y, t.count)
			}
		case 'M':
			switch {
			case t.count == 3:
				dst = append(dst, monthNames[m-1][:3]...)
			case t.count >= 4:
				dst = append(dst, monthNames[m-1]...)
			default:
				dst = appendPadded(dst, int64(m), t.count)
			}
		case 'd':
			dst = appendPadded(dst, int64(d), t.count)
		case 'D':
			dst = appendPadded(dst, days-types.DaysFromCivil(y, 1, 1)+1, t.count)
		case 'H':
			dst = appendPadded(dst, h, t.count)
		case 'k':
			hh := h
			if hh == 0 {
				hh = 24
			}
			dst = appendPadded(dst, hh, t.count)
		case 'h':
			hh := h % 12
			if hh == 0 {
				hh = 12
			}
			dst = appendPadded(dst, hh, t.count)
		case 'm':
			dst = appendPadded(dst, mi, t.count)
		case 's':
			dst = appendPadded(dst, s, t.count)
		case 'S':
			// fraction of second, t.count digits (millisecond precision)
			digs := [9]byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10), '0', '0', '0', '0', '0', '0'}
			n := min(t.count, 9)
			dst = append(dst, digs[:n]...)
		case 'a':
			if h < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case 'E':
			dow := FloorMod(days+4, 7) // 1970-01-01 was a Thursday
			if t.count >= 4 {
				dst = append(dst, dayNames[dow]...)
			} else {
				dst = append(dst, dayNames[dow][:3]...)
			}
		}
	}
	return dst
}

func isNumLetter(c byte) bool {
	switch c {
	case 'y', 'M', 'd', 'H', 'h', 'k', 'm', 's', 'S', 'D':
		return true
	}
	return false
}

// parse reads text in the pattern as a wall clock (epoch millis in UTC).
// A numeric field directly followed by another numeric field takes
// exactly its letter count of digits (yyyyMMdd); otherwise any number.
func (p dtPattern) parse(s string) (int64, bool) {
	y, mo, d := int64(1970), 1, 1
	var h, mi, sec, ms int64
	pm, hasAmPm := false, false
	h12 := false
	i := 0
	for ti, t := range p {
		if t.letter == 0 {
			if len(s)-i < len(t.lit) || s[i:i+len(t.lit)] != t.lit {
				return 0, false
			}
			i += len(t.lit)
			continue
		}
		if t.letter == 'a' {
			if len(s)-i < 2 {
				return 0, false
			}
			switch s[i : i+2] {
			case "AM", "am":
			case "PM", "pm":
				pm = true
			default:
				return 0, false
			}
			hasAmPm = true
			i += 2
			continue
		}
		if t.letter == 'E' || (t.letter == 'M' && t.count >= 3) {
			matched := false
			if t.letter == 'E' {
				for _, n := range dayNames {
					for _, cand := range []string{n, n[:3]} {
						if len(s)-i >= len(cand) && s[i:i+len(cand)] == cand {
							i += len(cand)
							matched = true
							break
						}
					}
					if matched {
						break
					}
				}
			} else {
				for k, n := range monthNames {
					for _, cand := range []string{n, n[:3]} {
						if len(s)-i >= len(cand) && s[i:i+len(cand)] == cand {
							i += len(cand)
							mo = k + 1
							matched = true
							break
						}
					}
					if matched {
						break
					}
				}
			}
			if !matched {
				return 0, false
			}
			continue
		}
		fixed := ti+1 < len(p) && p[ti+1].letter != 0 && isNumLetter(p[ti+1].letter)
		maxD := 9
		if fixed {
			maxD = t.count
		}
		j := i
		var v int64
		for j < len(s) && j-i < maxD && s[j] >= '0' && s[j] <= '9' {
			v = v*10 + int64(s[j]-'0')
			j++
		}
		if j == i || (fixed && j-i != t.count) {
			return 0, false
		}
		n := j - i
		i = j
		switch t.letter {
		case 'y':
			y = v
			if t.count == 2 && n == 2 {
				y = 2000 + v // DateTimeFormatter's 'yy' base year 2000
			}
		case 'M':
			mo = int(v)
		case 'd':
			d = int(v)
		case 'D':
			mo, d = 1, int(v)
		case 'H', 'k':
			h = v
			if t.letter == 'k' && v == 24 {
				h = 0
			}
		case 'h':
			h, h12 = v, true
		case 'm':
			mi = v
		case 's':
			sec = v
		case 'S':
			for k := n; k < 3; k++ {
				v *= 10
			}
			for k := n; k > 3; k-- {
				v /= 10
			}
			ms = v
		}
	}
	if i != len(s) {
		return 0, false
	}
	if h12 || hasAmPm {
		if h == 12 {
			h = 0
		}
		if pm {
			h += 12
		}
	}
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	days := types.DaysFromCivil(y, mo, 1) + int64(d) - 1
	if d > 31 && mo == 1 && d <= 366 {
		// day of year
	} else if _, m2, _ := types.CivilFromDays(days); m2 != mo {
		return 0, false
	}
	return days*86400000 + h*3600000 + mi*60000 + sec*1000 + ms, true
}
