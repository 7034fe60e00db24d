package json

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Encoder writes rows as JSON objects, fields in column order.
type Encoder struct {
	cols     planner.Schema
	prefix   [][]byte             // `{"name":` then `,"name":`
	tsStyle  types.TimestampStyle // TIMESTAMP (and TIME's fraction)
	ltzStyle types.TimestampStyle // TIMESTAMP_LTZ: the same form in UTC with a 'Z'
}

// NewEncoder builds an encoder writing cols in order.
func NewEncoder(cols planner.Schema, opts Options) (*Encoder, error) {
	e := &Encoder{cols: cols, tsStyle: types.TimestampSQL, ltzStyle: types.TimestampSQLZ}
	if opts.ISO8601 {
		e.tsStyle, e.ltzStyle = types.TimestampISO, types.TimestampISOZ
	}
	for i, c := range cols {
		if err := supported(c.Type); err != nil {
			return nil, fmt.Errorf("json format: column %q: %w", c.Name, err)
		}
		p := []byte{','}
		if i == 0 {
			p[0] = '{'
		}
		p = appendString(p, c.Name)
		e.prefix = append(e.prefix, append(p, ':'))
	}
	return e, nil
}

// Encode appends row as one JSON object (no newline) to buf.
func (e *Encoder) Encode(buf []byte, row core.Row) ([]byte, error) {
	if len(row) != len(e.cols) {
		return buf, fmt.Errorf("json encoder: row has %d values, expected %d", len(row), len(e.cols))
	}
	if len(e.cols) == 0 {
		return append(buf, '{', '}'), nil
	}
	for i := range e.cols {
		buf = append(buf, e.prefix[i]...)
		buf = e.value(buf, row[i], &e.cols[i].Type)
	}
	return append(buf, '}'), nil
}

func (e *Encoder) value(b []byte, v types.Value, t *types.Type) []byte {
	if v.IsNull() {
		return append(b, "null"...)
	}
	switch t.Kind {
	case types.Boolean:
		if v.Bool() {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case types.TinyInt, types.SmallInt, types.Int, types.BigInt:
		return strconv.AppendInt(b, v.I, 10)
	case types.Float, types.Double:
		f := v.F()
		bits := 64
		if t.Kind == types.Float {
			bits = 32
		}
		// Jackson writes NaN and the infinities as strings (WRITE_NAN_AS_STRINGS).
		if f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
			b = append(b, '"')
			b = types.AppendDouble(b, f, bits)
			return append(b, '"')
		}
		return types.AppendDouble(b, f, bits)
	case types.Decimal:
		return types.AppendDecimal(b, v)
	case types.String:
		return appendString(b, v.S)
	case types.Bytes:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, []byte(v.S))
		return append(b, '"')
	case types.Date:
		b = append(b, '"')
		b = types.AppendDate(b, v.I)
		return append(b, '"')
	case types.Time:
		b = append(b, '"')
		b = types.AppendTime(b, v.I, t.Precision, e.tsStyle)
		return append(b, '"')
	case types.Timestamp, types.TimestampLTZ:
		b = append(b, '"')
		style := e.tsStyle
		if t.Kind == types.TimestampLTZ {
			style = e.ltzStyle
		}
		b = types.AppendTimestamp(b, v.I, t.Precision, style)
		return append(b, '"')
	case types.Array:
		b = append(b, '[')
		for i, x := range v.Elems() {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.value(b, x, t.Elem)
		}
		return append(b, ']')
	case types.Row:
		b = append(b, '{')
		for i, x := range v.Elems() {
			if i >= len(t.Fields) {
				break
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t.Fields[i].Name)
			b = append(b, ':')
			b = e.value(b, x, &t.Fields[i].Type)
		}
		return append(b, '}')
	case types.Map:
		b = append(b, '{')
		m, _ := v.X.(*types.MapValue)
		if m != nil {
			var kb []byte
			for i := range m.Keys {
				if i > 0 {
					b = append(b, ',')
				}
				// keys are written as JSON strings of their text
				kb = e.value(kb[:0], m.Keys[i], t.Key)
				if len(kb) > 0 && kb[0] == '"' {
					b = append(b, kb...)
				} else {
					b = appendString(b, string(kb))
				}
				b = append(b, ':')
				b = e.value(b, m.Values[i], t.Elem)
			}
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: '"' and '\\' escaped, control
// characters as \b \f \n \r \t or \u00XX, invalid UTF-8 as \ufffd (what
// Jackson writes, and what encoding/json reads back identically).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += n
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
