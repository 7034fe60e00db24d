package json

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 1000

// scanner walks one JSON text. It validates everything it passes over,
// including values it skips, so malformed records are always reported.
type scanner struct {
	b     []byte
	i     int
	err   error // first syntax error
	plain bool  // b is plainText: a string ends at its next quote
}

// plainText reports whether b holds only printable ASCII (0x20..0x7f)
// and no backslash. Then no string in it can hold an escape, a control
// character or a byte to check for UTF-8, so a string is valid exactly
// when a closing quote follows: str needs only to find it. One pass over
// the record replaces a check of every string (most records are plain).
func plainText(b []byte) bool {
	_, plain := plainQuotes(b, nil)
	return plain
}

// plainQuotes is plainText, and also marks where b's quotes are: bit i%64
// of mask[i/64] is set when b[i] is '"' (mask is reused; see nextQuote).
// The mask is complete only when b is plain.
func plainQuotes(b []byte, mask []uint64) ([]uint64, bool) {
	if bytes.IndexByte(b, '\\') >= 0 {
		return mask, false
	}
	n := (len(b) + 63) / 64
	if cap(mask) < n {
		mask = make([]uint64, n)
	}
	mask = mask[:n]
	// (x - 0x20 per byte) | x has a byte's high bit set when that byte is
	// below 0x20 (it borrows) or at least 0x80; a borrow can only mark
	// bytes above a byte that is itself marked. A quote byte is a zero
	// byte of x ^ quotes, found exactly (no borrow between bytes) and
	// gathered into one bit per byte by a multiplication.
	var acc uint64
	i := 0
	for ; i+64 <= len(b); i += 64 {
		w := b[i : i+64 : i+64]
		x0 := binary.LittleEndian.Uint64(w[0:8])
		x1 := binary.LittleEndian.Uint64(w[8:16])
		x2 := binary.LittleEndian.Uint64(w[16:24])
		x3 := binary.LittleEndian.Uint64(w[24:32])
		x4 := binary.LittleEndian.Uint64(w[32:40])
		x5 := binary.LittleEndian.Uint64(w[40:48])
		x6 := binary.LittleEndian.Uint64(w[48:56])
		x7 := binary.LittleEndian.Uint64(w[56:64])
		acc |= (x0 - ones*0x20) | x0 | (x1 - ones*0x20) | x1 | (x2 - ones*0x20) | x2 | (x3 - ones*0x20) | x3 |
			(x4 - ones*0x20) | x4 | (x5 - ones*0x20) | x5 | (x6 - ones*0x20) | x6 | (x7 - ones*0x20) | x7
		mask[i>>6] = quoteBits(x0) | quoteBits(x1)<<8 | quoteBits(x2)<<16 | quoteBits(x3)<<24 |
			quoteBits(x4)<<32 | quoteBits(x5)<<40 | quoteBits(x6)<<48 | quoteBits(x7)<<56
	}
	if i < len(b) {
		var m uint64
		k := 0
		for ; i+k+8 <= len(b); k += 8 {
			x := binary.LittleEndian.Uint64(b[i+k : i+k+8])
			acc |= (x - ones*0x20) | x
			m |= quoteBits(x) << k
		}
		for ; i+k < len(b); k++ {
			c := b[i+k]
			if c < 0x20 || c >= 0x80 {
				return mask, false
			}
			if c == '"' {
				m |= 1 << k
			}
		}
		mask[i>>6] = m
	}
	return mask, acc&highs == 0
}

// quoteBits has bit k set when byte k of x is '"'.
func quoteBits(x uint64) uint64 {
	const lo7 = ones * 0x7f
	q := x ^ quotes
	t := ^((q&lo7 + lo7) | q | lo7) // 0x80 in exactly the zero bytes of q
	return (t >> 7) * 0x0102040810204080 >> 56
}

// nextQuote is the index of the first quote at or after from in the text
// plainQuotes marked, or -1.
func nextQuote(mask []uint64, from int) int {
	w := from >> 6
	if w >= len(mask) {
		return -1
	}
	m := mask[w] & (^uint64(0) << (from & 63))
	for m == 0 {
		w++
		if w >= len(mask) {
			return -1
		}
		m = mask[w]
	}
	return w<<6 + bits.TrailingZeros64(m)
}

type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.off, e.msg)
}

func (s *scanner) fail(msg string) {
	if s.err == nil {
		s.err = &syntaxError{off: s.i, msg: msg}
	}
}

func (s *scanner) ws() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return // the common case: no whitespace (all of it is <= ' ')
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str scans a string starting at its opening quote and returns its raw
// content (between the quotes) and whether it needs unescape (escapes or
// bytes >= 0x80). Content that is not valid UTF-8 is a syntax error, as
// in Jackson, which Flink's JSON format reads with ("Invalid UTF-8 start
// byte", "Invalid UTF-8 middle byte"): the whole record is malformed.
// Control characters (below 0x20) are taken as they are, as Flink's
// Jackson does (it enables ALLOW_UNESCAPED_CONTROL_CHARS).
func (s *scanner) str() (raw []byte, esc bool, ok bool) {
	s.i++ // opening quote
	start := s.i
	b := s.b
	if s.plain {
		if q := bytes.IndexByte(b[start:], '"'); q >= 0 {
			s.i = start + q + 1
			return b[start : start+q], false, true
		}
		s.i = len(b)
		s.fail("unterminated string")
		return nil, false, false
	}
	// Fast path: find the closing quote with IndexByte (vectorised), then
	// check the span holds no backslash (then that quote really closes
	// the string).
	if q := bytes.IndexByte(b[start:], '"'); q >= 0 {
		span := b[start : start+q]
		if bytes.IndexByte(span, '\\') < 0 {
			high := hasHigh(span)
			if high && !s.validUTF8(start, span) {
				return nil, false, false
			}
			s.i = start + q + 1
			return span, high, true
		}
	}
	var high uint64
	i := s.i
	for {
		// eight bytes at a time while none is special
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			high |= x
			if hasZero(x^quotes)|hasZero(x^backslashes) != 0 {
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch c {
		default:
			high |= uint64(c)
			i++
		case '"':
			if high&highs != 0 {
				if !s.validUTF8(start, b[start:i]) {
					return nil, false, false
				}
				esc = true
			}
			s.i = i + 1
			return b[start:i], esc, true
		case '\\':
			esc = true
			if i+1 >= len(b) {
				s.i = i
				s.fail("unterminated string")
				return nil, false, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					s.i = i
					s.fail("invalid \\u escape in string")
					return nil, false, false
				}
				i += 6
			default:
				s.i = i
				s.fail("invalid escape in string")
				return nil, false, false
			}
		}
	}
	s.i = len(b)
	s.fail("unterminated string")
	return nil, false, false
}

// validUTF8 reports whether span, string content starting at byte start,
// is valid UTF-8 (RFC 3629, as utf8.Valid: no overlong forms, no encoded
// surrogates), failing at the first bad byte otherwise.
func (s *scanner) validUTF8(start int, span []byte) bool {
	if utf8.Valid(span) {
		return true
	}
	for i := 0; i < len(span); {
		r, n := utf8.DecodeRune(span[i:])
		if r == utf8.RuneError && n == 1 {
			s.i = start + i
			s.fail(fmt.Sprintf("invalid UTF-8 byte 0x%02X in string", span[i]))
			return false
		}
		i += n
	}
	return true // not reached: utf8.Valid said there is a bad byte
}

// hasHigh reports whether span has a byte >= 0x80 (to be checked for
// UTF-8).
func hasHigh(span []byte) bool {
	var h uint64
	i := 0
	for ; i+8 <= len(span); i += 8 {
		h |= binary.LittleEndian.Uint64(span[i:])
	}
	for ; i < len(span); i++ {
		h |= uint64(span[i])
	}
	return h&highs != 0
}

const (
	ones        = 0x0101010101010101
	highs       = 0x8080808080808080
	quotes      = ones * '"'
	backslashes = ones * '\\'
)

// hasZero is non-zero when some byte of x is 0. Bytes >= 0x80 can give
// false positives; the byte loop then decides.
func hasZero(x uint64) uint64 { return (x - ones) & ^x & highs }

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) rune {
	switch {
	case c <= '9':
		return rune(c - '0')
	case c >= 'a':
		return rune(c - 'a' + 10)
	}
	return rune(c - 'A' + 10)
}

// unescape decodes a validated raw string content (valid UTF-8, see str)
// into dst, replacing a lone surrogate escape (\ud800) with U+FFFD.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				dst = append(dst, c)
				i++
				continue
			}
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, raw[i:i+n]...)
			}
			i += n
			continue
		}
		switch raw[i+1] {
		case '"', '\\', '/':
			dst = append(dst, raw[i+1])
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hexVal(raw[i+2])<<12 | hexVal(raw[i+3])<<8 | hexVal(raw[i+4])<<4 | hexVal(raw[i+5])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 := hexVal(raw[i+2])<<12 | hexVal(raw[i+3])<<8 | hexVal(raw[i+4])<<4 | hexVal(raw[i+5])
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						dst = utf8.AppendRune(dst, d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		}
		i += 2
	}
	return dst
}

// uint reads a number that is a plain integer of 1 to 18 digits (at
// most 9 when !big, so it fits an INT), not followed by a fraction or
// exponent, and moves past it. Otherwise it reports false and leaves
// the position unchanged: the caller scans the number the general way.
func (s *scanner) uint(big bool) (int64, bool) {
	b := s.b
	i := s.i
	lim := 18
	if !big {
		lim = 9
	}
	if i >= len(b) || b[i] == '0' && i+1 < len(b) && b[i+1]-'0' <= 9 {
		return 0, false // a leading zero is invalid JSON: the general scan reports it
	}
	var n int64
	j := i
	// eight bytes at a time while eight remain (13-digit epoch millis:
	// eight digits, then five before the comma); too many digits wrap n
	// but are rejected by length below
	for j+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[j:])
		t := nonDigits(x)
		if t == 0 {
			n = n*100000000 + int64(parseEightDigits(x))
			j += 8
			continue
		}
		// the first k bytes are digits: move them to the top and fill
		// the bottom (the leading positions) with '0'
		if k := bits.TrailingZeros64(t) >> 3; k > 0 {
			n = n*pow10i[k] + int64(parseEightDigits(x<<(64-8*k)|0x3030303030303030>>(8*k)))
			j += k
		}
		break
	}
	for j < len(b) && b[j]-'0' <= 9 {
		n = n*10 + int64(b[j]-'0')
		j++
	}
	if j == i || j-i > lim {
		return 0, false
	}
	if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
		return 0, false
	}
	s.i = j
	return n, true
}

// nonDigits is zero when the eight bytes of x (little endian) are all
// ASCII digits; otherwise its lowest non-zero byte is the first byte
// that is not one. A digit's high nibble is 3, and stays 3 when 6 is
// added (0x3A-0x3F would carry into it); a carry out of a byte can only
// follow a non-digit, so it never hides the first one.
func nonDigits(x uint64) uint64 {
	return (x&0xF0F0F0F0F0F0F0F0 ^ 0x3030303030303030) |
		((x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0 ^ 0x3030303030303030)
}

var pow10i = [9]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// parseEightDigits is the value of eight ASCII digits loaded little
// endian (the first digit in the low byte): pairs, then quads, then the
// whole, by multiplications (Lemire's parse_eight_digits_unrolled).
func parseEightDigits(x uint64) uint32 {
	const mask = 0x000000FF000000FF
	const mul1 = 100 + 1000000<<32
	const mul2 = 1 + 10000<<32
	x -= 0x3030303030303030
	x = x*10 + x>>8
	x = ((x&mask)*mul1 + (x>>16&mask)*mul2) >> 32
	return uint32(x)
}

// num scans a number and returns its text.
func (s *scanner) num() ([]byte, bool) {
	b := s.b
	start := s.i
	i := s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		s.i = i
		s.fail("invalid number")
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.i = i
			s.fail("invalid number")
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.i = i
			s.fail("invalid number")
			return nil, false
		}
	}
	s.i = i
	return b[start:i], true
}

// lit scans true, false or null.
func (s *scanner) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	s.fail("invalid literal")
	return false
}

// skip scans over one value of any kind, validating it.
func (s *scanner) skip(depth int) bool {
	if s.i >= len(s.b) {
		s.fail("unexpected end of input, expected a value")
		return false
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, _, ok := s.str()
		return ok
	case '{':
		if depth >= maxDepth {
			s.fail("nesting too deep")
			return false
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == '}' {
			s.i++
			return true
		}
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				s.fail("expected a string key in object")
				return false
			}
			if _, _, ok := s.str(); !ok {
				return false
			}
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				s.fail("expected ':' after object key")
				return false
			}
			s.i++
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.b) && s.b[s.i] == '}' {
				s.i++
				return true
			}
			s.fail("expected ',' or '}' in object")
			return false
		}
	case '[':
		if depth >= maxDepth {
			s.fail("nesting too deep")
			return false
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.b) && s.b[s.i] == ']' {
				s.i++
				return true
			}
			s.fail("expected ',' or ']' in array")
			return false
		}
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			_, ok := s.num()
			return ok
		}
		s.fail(fmt.Sprintf("unexpected character %q", c))
		return false
	}
}

// compact appends a validated JSON text without insignificant whitespace.
func compact(dst, raw []byte) []byte {
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if in {
			dst = append(dst, c)
			if c == '\\' {
				i++
				dst = append(dst, raw[i])
			} else if c == '"' {
				in = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
		case '"':
			in = true
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
