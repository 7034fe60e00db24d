package functions

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/streamsql/streamsql/sql/types"
)

// ENCODE / DECODE with the character sets Flink accepts: US-ASCII,
// ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16 (big-endian with a byte
// order mark when encoding, as Java). Unmappable characters become '?'
// and malformed input U+FFFD, as Java's String methods do.

func init() {
	Register(&Spec{Name: "ENCODE", Category: "string", Syntax: "ENCODE(string, charset)", MinArgs: 2, MaxArgs: 2,
		Doc:   "The string's bytes in the character set ('US-ASCII', 'ISO-8859-1', 'UTF-8', 'UTF-16BE', 'UTF-16LE', 'UTF-16'), as a BYTES.",
		Infer: sig(types.Type{Kind: types.Bytes}, wantString, wantString), Build: buildCharset(true),
		Examples: []Example{{"HEX(ENCODE('é', 'UTF-8'))", "C3A9"}, {"HEX(ENCODE('é', 'ISO-8859-1'))", "E9"}, {"HEX(ENCODE('aé', 'US-ASCII'))", "613F"},
			{"HEX(ENCODE('a', 'UTF-16'))", "FEFF0061"}, {"HEX(ENCODE('a', 'UTF-16LE'))", "6100"}, {"ENCODE(ns, 'UTF-8')", "NULL"},
			{"ENCODE('a', 'EBCDIC')", "error: unsupported character set"}}})
	Register(&Spec{Name: "DECODE", Category: "string", Syntax: "DECODE(binary, charset)", MinArgs: 2, MaxArgs: 2,
		Doc: "The string the bytes encode in the character set (as ENCODE).",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if k := a[0].T.Kind; k != types.Bytes && !IsStringy(a[0].T) {
				return types.Type{}, &ArgError{0, "argument 1 must be BYTES, not " + a[0].T.WithoutRowtime().String()}
			}
			if e := wantString(a, 1); e != nil {
				return types.Type{}, e
			}
			return withNull(types.TString, a), nil
		},
		Build: buildCharset(false),
		Examples: []Example{{"DECODE(ENCODE('héllo', 'UTF-16LE'), 'UTF-16LE')", "héllo"}, {"DECODE(ENCODE('héllo', 'UTF-16'), 'UTF-16')", "héllo"},
			{"DECODE(ENCODE('é', 'ISO-8859-1'), 'ISO-8859-1')", "é"}, {"DECODE(ENCODE('é', 'ISO-8859-1'), 'UTF-8')", "\uFFFD"}, {"DECODE(ENCODE(ns, 'UTF-8'), 'UTF-8')", "NULL"}}})
}

func buildCharset(encode bool) Builder {
	return strict(func(ctx *Ctx, v [4]types.Value) types.Value {
		cs := strings.ToUpper(strings.TrimSpace(v[1].S))
		var r string
		var ok bool
		if encode {
			r, ok = encodeCharset(v[0].S, cs)
		} else {
			r, ok = decodeCharset(v[0].S, cs)
		}
		if !ok {
			return Fail(ctx, fmt.Errorf("unsupported character set %q (use US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE or UTF-16)", v[1].S))
		}
		if encode {
			return types.Value{K: types.Bytes, S: r}
		}
		return types.StringValue(r)
	}, "ss")
}

func encodeCharset(s, cs string) (string, bool) {
	var b []byte
	switch cs {
	case "UTF-8", "UTF8":
		return strings.ToValidUTF8(s, "\uFFFD"), true
	case "US-ASCII", "ASCII", "ISO-8859-1", "LATIN1":
		limit := rune(0x7F)
		if cs == "ISO-8859-1" || cs == "LATIN1" {
			limit = 0xFF
		}
		for _, r := range s {
			if r > limit {
				r = '?'
			}
			b = append(b, byte(r))
		}
	case "UTF-16", "UTF-16BE", "UTF-16LE":
		if cs == "UTF-16" {
			b = append(b, 0xFE, 0xFF)
		}
		for _, u := range utf16.Encode([]rune(s)) {
			if cs == "UTF-16LE" {
				b = append(b, byte(u), byte(u>>8))
			} else {
				b = append(b, byte(u>>8), byte(u))
			}
		}
	default:
		return "", false
	}
	return string(b), true
}

func decodeCharset(s, cs string) (string, bool) {
	switch cs {
	case "UTF-8", "UTF8":
		return strings.ToValidUTF8(s, "\uFFFD"), true
	case "US-ASCII", "ASCII", "ISO-8859-1", "LATIN1":
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := rune(s[i])
			if c > 0x7F && (cs == "US-ASCII" || cs == "ASCII") {
				c = utf8.RuneError
			}
			b.WriteRune(c)
		}
		return b.String(), true
	case "UTF-16", "UTF-16BE", "UTF-16LE":
		le := cs == "UTF-16LE"
		if cs == "UTF-16" && len(s) >= 2 {
			switch {
			case s[0] == 0xFE && s[1] == 0xFF:
				s = s[2:]
			case s[0] == 0xFF && s[1] == 0xFE:
				s, le = s[2:], true
			}
		}
		u := make([]uint16, 0, len(s)/2)
		for i := 0; i+1 < len(s); i += 2 {
			if le {
				u = append(u, uint16(s[i])|uint16(s[i+1])<<8)
			} else {
				u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
			}
		}
		r := string(utf16.Decode(u))
		if len(s)%2 == 1 {
			r += "\uFFFD"
		}
		return r, true
	}
	return "", false
}
