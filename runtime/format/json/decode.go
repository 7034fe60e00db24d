package json

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Options are the json format's options.
type Options struct {
	// IgnoreParseErrors: skip malformed records and NULL unconvertible
	// fields instead of failing (json.ignore-parse-errors).
	IgnoreParseErrors bool
	// FailOnMissingField: a missing field is an error instead of NULL
	// (json.fail-on-missing-field).
	FailOnMissingField bool
	// ISO8601 writes timestamps with a 'T' (json.timestamp-format.standard
	// = 'ISO-8601'); reading accepts both forms either way.
	ISO8601 bool
}

// Decoder decodes one JSON object per record into the columns it was
// built for. It keeps scratch state: one Decoder serves one goroutine.
type Decoder struct {
	cols  planner.Schema
	names []string
	index map[string]int // used when there are many columns
	opts  Options
	seen  []bool
	sc    scanner
	tmp   []byte
	strs  interner
	// fast maps keyHash of a key to the column of that name: -1 none,
	// -2 several (then lookup searches).
	fast [keySlots]int16
	// general turns decodePlain off (tests compare both paths).
	general bool
	quotes  []uint64 // the record's quote positions (plainQuotes)
	keys    keyTable // the fast path's key lookup (keys.go)
	// pos is where column i goes in the destination row (SetPositions;
	// the identity by default).
	pos []int
}

// SetPositions makes Decode write column i to dst[pos[i]] instead of
// dst[i], so a caller can decode straight into a wider row of its own
// layout. pos needs one entry per column (false and no change otherwise)
// and is not copied.
func (d *Decoder) SetPositions(pos []int) bool {
	if len(pos) != len(d.cols) {
		return false
	}
	d.pos = pos
	return true
}

// keySlots is the size of Decoder.fast.
const keySlots = 256

// keyHash mixes a key's length and its first and last bytes: enough to
// tell a table's column names apart without reading the whole key.
func keyHash(key []byte) int {
	if len(key) == 0 {
		return 0
	}
	n := len(key)
	return (n*37 + int(key[0])*7 + int(key[n-1]) + int(key[max(n-2, 0)])*3) & (keySlots - 1)
}

// NewDecoder builds a decoder for cols, the columns to read (projection
// pushdown: fields of other names are skipped without being converted).
func NewDecoder(cols planner.Schema, opts Options) (*Decoder, error) {
	if opts.IgnoreParseErrors && opts.FailOnMissingField {
		return nil, errors.New("json.fail-on-missing-field and json.ignore-parse-errors cannot both be true")
	}
	d := &Decoder{cols: cols, opts: opts, seen: make([]bool, len(cols)), pos: make([]int, len(cols))}
	for i, c := range cols {
		d.pos[i] = i
		if err := supported(c.Type); err != nil {
			return nil, fmt.Errorf("json format: column %q: %w", c.Name, err)
		}
		d.names = append(d.names, c.Name)
	}
	for i := range d.fast {
		d.fast[i] = -1
	}
	for i, n := range d.names {
		switch h := keyHash([]byte(n)); {
		case d.fast[h] == -1 && i <= math.MaxInt16:
			d.fast[h] = int16(i)
		default:
			d.fast[h] = -2
		}
	}
	d.keys.build(d.names)
	if len(cols) > 8 {
		d.index = make(map[string]int, len(cols))
		for i, c := range cols {
			d.index[c.Name] = i
		}
	}
	return d, nil
}

func supported(t types.Type) error {
	switch t.Kind {
	case types.Null, types.IntervalDayTime, types.IntervalYearMonth:
		return fmt.Errorf("type %s is not supported by the json format", t)
	case types.Array:
		return supported(*t.Elem)
	case types.Map:
		if err := supported(*t.Key); err != nil {
			return err
		}
		return supported(*t.Elem)
	case types.Row:
		for _, f := range t.Fields {
			if err := supported(f.Type); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *Decoder) lookup(key []byte) int {
	switch c := d.fast[keyHash(key)]; c {
	case -1:
		return -1
	case -2:
	default:
		if n := d.names[c]; len(n) == len(key) && n == string(key) {
			return int(c)
		}
		return -1
	}
	if d.index != nil {
		if i, ok := d.index[string(key)]; ok {
			return i
		}
		return -1
	}
	for i, n := range d.names {
		if len(n) == len(key) && n == string(key) {
			return i
		}
	}
	return -1
}

// SkipsParseErrors reports json.ignore-parse-errors (see
// connector.SkipsParseErrors).
func (d *Decoder) SkipsParseErrors() bool { return d.opts.IgnoreParseErrors }

// recordErr makes a whole-record error: skippable when configured.
func (d *Decoder) recordErr(err error) error {
	if d.opts.IgnoreParseErrors {
		return fmt.Errorf("%w: %v", connector.ErrSkipRecord, err)
	}
	return err
}

// Decode parses value (one JSON object) into dst, one slot per column. A
// UTF-8 byte order mark in front of the object is skipped, as Jackson's
// byte-source bootstrapper does.
func (d *Decoder) Decode(value []byte, dst core.Row) error {
	if len(value) >= 3 && value[0] == 0xEF && value[1] == 0xBB && value[2] == 0xBF {
		value = value[3:]
	}
	var plain bool
	d.quotes, plain = plainQuotes(value, d.quotes)
	if plain && !d.general && d.decodePlain(value, dst) {
		return d.missing(dst)
	}
	seen := d.seen
	for i := range seen {
		seen[i] = false
	}
	s := &d.sc
	*s = scanner{b: value, plain: plain}
	s.ws()
	if s.i >= len(value) {
		return d.recordErr(errors.New("empty record: expected a JSON object"))
	}
	if value[s.i] != '{' {
		if !s.skip(0) {
			return d.recordErr(s.err)
		}
		return d.recordErr(fmt.Errorf("expected a JSON object, found %s", kindOf(value[bytesIndex(value)])))
	}
	s.i++
	s.ws()
	if s.i < len(value) && value[s.i] == '}' {
		s.i++
	} else {
		for {
			s.ws()
			if s.i >= len(value) || value[s.i] != '"' {
				s.fail("expected a string key in object")
				return d.recordErr(s.err)
			}
			raw, esc, ok := s.str()
			if !ok {
				return d.recordErr(s.err)
			}
			key := raw
			if esc {
				d.tmp = unescape(d.tmp[:0], raw)
				key = d.tmp
			}
			s.ws()
			if s.i >= len(value) || value[s.i] != ':' {
				s.fail("expected ':' after object key")
				return d.recordErr(s.err)
			}
			s.i++
			s.ws()
			if c := d.lookup(key); c >= 0 {
				if d.cols[c].Type.Kind == types.String && s.i < len(value) && value[s.i] == '"' {
					// the common case, a plain JSON string: interned
					raw, esc, ok := s.str()
					if !ok {
						return d.recordErr(s.err)
					}
					if esc {
						d.tmp = unescape(d.tmp[:0], raw)
						raw = d.tmp
					}
					dst[d.pos[c]] = types.StringValue(d.strs.get(c, raw))
					seen[c] = true
				} else {
					v, cerr := d.value(s, &d.cols[c].Type, 1)
					if s.err != nil {
						return d.recordErr(s.err)
					}
					if cerr != nil {
						if !d.opts.IgnoreParseErrors {
							return fmt.Errorf("field %q: %v", d.cols[c].Name, cerr)
						}
						v = types.NullValue
					}
					dst[d.pos[c]] = v
					seen[c] = true
				}
			} else if !s.skip(1) {
				return d.recordErr(s.err)
			}
			s.ws()
			if s.i < len(value) && value[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(value) && value[s.i] == '}' {
				s.i++
				break
			}
			s.fail("expected ',' or '}' in object")
			return d.recordErr(s.err)
		}
	}
	s.ws()
	if s.i != len(value) {
		s.fail("unexpected data after the JSON object")
		return d.recordErr(s.err)
	}
	return d.missing(dst)
}

// missing sets the columns no field named to NULL, or reports the first
// with json.fail-on-missing-field.
func (d *Decoder) missing(dst core.Row) error {
	for i, ok := range d.seen {
		if !ok {
			if d.opts.FailOnMissingField {
				return fmt.Errorf("field %q is missing (json.fail-on-missing-field is true)", d.cols[i].Name)
			}
			dst[d.pos[i]] = types.NullValue
		}
	}
	return nil
}

// decodePlain decodes a plainText record of the common shape: an object
// without whitespace whose read fields are strings (into STRING columns)
// or non-negative integers (into INT/BIGINT columns) and whose other
// fields are strings, numbers or literals. It reports false as soon as it
// meets anything else, valid or not; Decode then decodes the record the
// general way, which redoes everything and reports errors. In a plainText
// record a string is exactly a quote, bytes without a quote, a quote; the
// quotes come from the bitmap plainQuotes made in the same pass.
func (d *Decoder) decodePlain(b []byte, dst core.Row) bool {
	seen := d.seen
	for i := range seen {
		seen[i] = false
	}
	if len(b) < 2 || b[0] != '{' || b[1] != '"' {
		return false
	}
	i := 1
	for {
		// at a key's opening quote
		q := nextQuote(d.quotes, i+1)
		if q < 0 {
			return false
		}
		var c int
		if d.keys.ok {
			c = d.keys.find(b, i+1, q)
		} else {
			c = d.lookup(b[i+1 : q])
		}
		i = q + 1
		if i+1 >= len(b) || b[i] != ':' {
			return false
		}
		i++
		switch ch := b[i]; {
		case ch == '"':
			q := nextQuote(d.quotes, i+1)
			if q < 0 {
				return false
			}
			if c >= 0 {
				if d.cols[c].Type.Kind != types.String {
					return false
				}
				dst[d.pos[c]] = types.StringValue(d.strs.get(c, b[i+1:q]))
				seen[c] = true
			}
			i = q + 1
		case c >= 0:
			k := d.cols[c].Type.Kind
			if ch-'0' > 9 || k != types.BigInt && k != types.Int {
				return false
			}
			s := scanner{b: b, i: i}
			n, ok := s.uint(k == types.BigInt)
			if !ok {
				return false
			}
			dst[d.pos[c]] = types.IntOf(k, n)
			seen[c] = true
			i = s.i
		case ch == '-' || ch-'0' <= 9:
			s := scanner{b: b, i: i}
			if _, ok := s.num(); !ok {
				return false
			}
			i = s.i
		case ch == 't' || ch == 'f' || ch == 'n':
			s := scanner{b: b, i: i}
			if !s.skip(1) {
				return false
			}
			i = s.i
		default:
			return false
		}
		if i >= len(b) {
			return false
		}
		if b[i] == ',' {
			i++
			if i >= len(b) || b[i] != '"' {
				return false
			}
			continue
		}
		return b[i] == '}' && i == len(b)-1
	}
}

func bytesIndex(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return 0
}

func kindOf(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// token kinds of a scalar JSON value
const (
	tokString = iota
	tokNumber
	tokBool
)

// conversion errors (the field becomes NULL with ignore-parse-errors)
type convError struct {
	text string
	t    *types.Type
	why  string
}

func (e *convError) Error() string {
	s := fmt.Sprintf("cannot convert %s to %s", quoteShort(e.text), e.t)
	if e.why != "" {
		s += ": " + e.why
	}
	return s
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return strconv.Quote(s)
}

// value reads the value at s.i as type t. A syntax error is left in s.err
// (whole record); a conversion error is returned (that field only), with
// the scanner positioned after the value either way.
func (d *Decoder) value(s *scanner, t *types.Type, depth int) (types.Value, error) {
	if s.i >= len(s.b) {
		s.fail("unexpected end of input, expected a value")
		return types.NullValue, nil
	}
	c := s.b[s.i]
	switch {
	case c == 'n':
		s.lit("null")
		return types.NullValue, nil
	case c == '[' && t.Kind == types.Array:
		return d.array(s, t, depth)
	case c == '{' && (t.Kind == types.Row || t.Kind == types.Map):
		return d.object(s, t, depth)
	case c == '{' || c == '[':
		start := s.i
		if !s.skip(depth) {
			return types.NullValue, nil
		}
		if t.Kind == types.String {
			return types.StringValue(string(compact(nil, s.b[start:s.i]))), nil
		}
		return types.NullValue, &convError{text: string(s.b[start:s.i]), t: t}
	case c == '"':
		raw, esc, ok := s.str()
		if !ok {
			return types.NullValue, nil
		}
		if esc {
			d.tmp = unescape(d.tmp[:0], raw)
			raw = d.tmp
		}
		return scalar(raw, tokString, t)
	case c == 't':
		if s.lit("true") {
			return scalar(s.b[s.i-4:s.i], tokBool, t)
		}
		return types.NullValue, nil
	case c == 'f':
		if s.lit("false") {
			return scalar(s.b[s.i-5:s.i], tokBool, t)
		}
		return types.NullValue, nil
	case c == '-' || c >= '0' && c <= '9':
		raw, ok := s.num()
		if !ok {
			return types.NullValue, nil
		}
		return scalar(raw, tokNumber, t)
	}
	s.fail(fmt.Sprintf("unexpected character %q", c))
	return types.NullValue, nil
}

func (d *Decoder) array(s *scanner, t *types.Type, depth int) (types.Value, error) {
	if depth >= maxDepth {
		s.fail("nesting too deep")
		return types.NullValue, nil
	}
	s.i++
	elems := []types.Value{}
	var firstErr error
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return types.Value{K: types.Array, X: elems}, nil
	}
	for {
		s.ws()
		v, err := d.value(s, t.Elem, depth+1)
		if s.err != nil {
			return types.NullValue, nil
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		elems = append(elems, v)
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ',' {
			s.i++
			continue
		}
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			break
		}
		s.fail("expected ',' or ']' in array")
		return types.NullValue, nil
	}
	if firstErr != nil {
		return types.NullValue, firstErr
	}
	return types.Value{K: types.Array, X: elems}, nil
}

// object reads a ROW (fields by name) or a MAP (every key).
func (d *Decoder) object(s *scanner, t *types.Type, depth int) (types.Value, error) {
	if depth >= maxDepth {
		s.fail("nesting too deep")
		return types.NullValue, nil
	}
	s.i++
	var firstErr error
	var fields []types.Value
	var seen []bool
	var m *types.MapValue
	if t.Kind == types.Row {
		fields = make([]types.Value, len(t.Fields))
		seen = make([]bool, len(t.Fields))
	} else {
		m = &types.MapValue{}
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
	} else {
		for {
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != '"' {
				s.fail("expected a string key in object")
				return types.NullValue, nil
			}
			raw, _, ok := s.str()
			if !ok {
				return types.NullValue, nil
			}
			key := string(unescape(nil, raw))
			s.ws()
			if s.i >= len(s.b) || s.b[s.i] != ':' {
				s.fail("expected ':' after object key")
				return types.NullValue, nil
			}
			s.i++
			s.ws()
			if t.Kind == types.Row {
				f := -1
				for k := range t.Fields {
					if t.Fields[k].Name == key {
						f = k
						break
					}
				}
				if f < 0 {
					if !s.skip(depth + 1) {
						return types.NullValue, nil
					}
				} else {
					v, err := d.value(s, &t.Fields[f].Type, depth+1)
					if s.err != nil {
						return types.NullValue, nil
					}
					if err != nil && firstErr == nil {
						firstErr = fmt.Errorf("field %q: %w", key, err)
					}
					fields[f], seen[f] = v, true
				}
			} else {
				kv, kerr := scalar([]byte(key), tokString, t.Key)
				v, err := d.value(s, t.Elem, depth+1)
				if s.err != nil {
					return types.NullValue, nil
				}
				if kerr != nil && firstErr == nil {
					firstErr = kerr
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				replaced := false
				for k := range m.Keys {
					if m.Keys[k] == kv {
						m.Values[k], replaced = v, true
					}
				}
				if !replaced {
					m.Keys = append(m.Keys, kv)
					m.Values = append(m.Values, v)
				}
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.b) && s.b[s.i] == '}' {
				s.i++
				break
			}
			s.fail("expected ',' or '}' in object")
			return types.NullValue, nil
		}
	}
	if firstErr != nil {
		return types.NullValue, firstErr
	}
	if t.Kind == types.Map {
		return types.Value{K: types.Map, X: m}, nil
	}
	for k, ok := range seen {
		if !ok && d.opts.FailOnMissingField {
			return types.NullValue, fmt.Errorf("nested field %q is missing", t.Fields[k].Name)
		}
	}
	return types.Value{K: types.Row, X: fields}, nil
}

// scalar converts the text of a string, number or boolean token to t,
// leniently as Flink's JsonToRowDataConverters do.
func scalar(raw []byte, tok int, t *types.Type) (types.Value, error) {
	bad := func(why string) (types.Value, error) {
		return types.NullValue, &convError{text: string(raw), t: t, why: why}
	}
	switch t.Kind {
	case types.String:
		return types.StringValue(string(raw)), nil
	case types.Boolean:
		// Flink: a JSON boolean, or the text true/false (case-insensitive,
		// trimmed). Flink reads any other text as false; we report it.
		if tok == tokBool {
			return types.BoolValue(raw[0] == 't'), nil
		}
		if tok == tokString {
			switch strings.ToLower(strings.TrimSpace(string(raw))) {
			case "true":
				return types.BoolValue(true), nil
			case "false":
				return types.BoolValue(false), nil
			}
		}
		return bad("expected true or false")
	case types.TinyInt, types.SmallInt:
		// Flink parses the text (Byte.parseByte / Short.parseShort).
		n, err := strconv.ParseInt(trimJava(raw), 10, 64)
		lim := int64(math.MaxInt8)
		if t.Kind == types.SmallInt {
			lim = math.MaxInt16
		}
		if err != nil || n > lim || n < -lim-1 {
			return bad("")
		}
		return types.IntOf(t.Kind, n), nil
	case types.Int, types.BigInt:
		lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
		if t.Kind == types.BigInt {
			lo, hi = math.MinInt64, math.MaxInt64
		}
		if tok == tokNumber {
			// Flink: a number in range converts truncating its fraction
			// (asInt / asLong).
			if n, ok := truncInt(raw); ok && n >= lo && n <= hi {
				return types.IntOf(t.Kind, n), nil
			}
			return bad("out of range")
		}
		// Flink: Integer.parseInt / Long.parseLong of the trimmed text.
		n, err := strconv.ParseInt(trimJava(raw), 10, 64)
		if err != nil || n < lo || n > hi {
			return bad("")
		}
		return types.IntOf(t.Kind, n), nil
	case types.Float, types.Double:
		if tok == tokBool {
			return bad("")
		}
		bits := 64
		if t.Kind == types.Float {
			bits = 32
		}
		f, err := parseJavaDouble(trimJava(raw), bits)
		if err != nil {
			return bad("")
		}
		if t.Kind == types.Float {
			return types.FloatValue(float32(f)), nil
		}
		return types.DoubleValue(f), nil
	case types.Decimal:
		if tok == tokBool {
			return bad("")
		}
		v, ok, err := types.DecimalFromString(trimJava(raw), t.Precision, t.Scale)
		if err != nil {
			return bad("")
		}
		if !ok {
			return bad(fmt.Sprintf("more than %d digits", t.Precision))
		}
		return v, nil
	case types.Bytes:
		if tok != tokString {
			return bad("expected a base64 string")
		}
		b, err := base64.StdEncoding.DecodeString(string(raw))
		if err != nil {
			return bad("invalid base64")
		}
		return types.BytesValue(b), nil
	case types.Date:
		days, err := types.ParseDateStrict(string(raw))
		if err != nil || tok != tokString {
			return bad("expected yyyy-MM-dd")
		}
		return types.DateValue(days), nil
	case types.Time:
		ms, err := types.ParseTimeStrict(string(raw))
		if err != nil || tok != tokString {
			return bad("expected HH:mm:ss[.fraction]")
		}
		return types.Value{K: types.Time, I: ms}, nil
	case types.Timestamp, types.TimestampLTZ:
		if tok != tokString {
			return bad("expected a string 'yyyy-MM-dd HH:mm:ss[.fraction]'")
		}
		ms, z, err := types.ParseTimestampStrict(string(raw))
		if err != nil || (z && t.Kind == types.Timestamp) {
			if t.Kind == types.TimestampLTZ {
				return bad("expected 'yyyy-MM-dd HH:mm:ss[.fraction]Z'")
			}
			return bad("expected 'yyyy-MM-dd HH:mm:ss[.fraction]'")
		}
		if t.Kind == types.TimestampLTZ {
			return types.TimestampLTZValue(ms), nil
		}
		return types.TimestampValue(ms), nil
	case types.Array, types.Map, types.Row:
		return bad("")
	}
	return bad("unsupported type")
}

// trimJava trims what Java's String.trim does (chars <= ' ').
func trimJava(b []byte) string {
	i, j := 0, len(b)
	for i < j && b[i] <= ' ' {
		i++
	}
	for j > i && b[j-1] <= ' ' {
		j--
	}
	return string(b[i:j])
}

// truncInt converts a JSON number to an integer truncating toward zero,
// reporting false when it does not fit in int64.
func truncInt(raw []byte) (int64, bool) {
	// fastest path: up to 18 digits cannot overflow
	if d := raw; len(d) > 0 && len(d) <= 19 {
		neg := d[0] == '-'
		if neg {
			d = d[1:]
		}
		if len(d) > 0 && len(d) <= 18 {
			var n int64
			for _, c := range d {
				if c < '0' || c > '9' {
					n = -1
					break
				}
				n = n*10 + int64(c-'0')
			}
			if n >= 0 {
				if neg {
					n = -n
				}
				return n, true
			}
		}
	}
	// fast path: plain integer
	plain := true
	for _, c := range raw {
		if c == '.' || c == 'e' || c == 'E' {
			plain = false
			break
		}
	}
	if plain {
		n, err := strconv.ParseInt(string(raw), 10, 64)
		return n, err == nil
	}
	return truncViaDecimal(raw)
}

func truncViaDecimal(raw []byte) (int64, bool) {
	// Exactly, as Jackson's DecimalNode.asLong (BigDecimal.longValue):
	// no rounding may carry into the integer part (12.96 gives 12).
	u, scale, err := types.ParseDecimal(string(raw))
	if err != nil {
		return 0, false
	}
	p := new(big.Int).Exp(bigTen, big.NewInt(int64(abs(scale))), nil)
	if scale > 0 {
		u.Quo(u, p) // truncates toward zero
	} else {
		u.Mul(u, p)
	}
	if !u.IsInt64() {
		return 0, false
	}
	return u.Int64(), true
}

// parseJavaDouble reads a number as Java's Double.parseDouble: NaN,
// Infinity, overflow to infinity.
func parseJavaDouble(s string, bits int) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	if s == "" || (s[0] != '-' && s[0] != '+' && s[0] != '.' && (s[0] < '0' || s[0] > '9')) {
		return 0, errors.New("syntax")
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return 0, err
	}
	return f, nil
}

var bigTen = big.NewInt(10)

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}
