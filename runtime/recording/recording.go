package recording

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Record is one recorded record.
type Record struct {
	Partition int
	Offset    int64 // -1 when the line gives none
	Timestamp int64
	Key       []byte // nil: no key
	Headers   []Header
	Value     []byte
}

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

// MaxPartition bounds p= (a typo like p=1767225600001 is an error, not a
// huge allocation of splits).
const MaxPartition = 1 << 16

// ParseLine reads one record line (see the package doc).
func ParseLine(l string) (Record, error) {
	r := Record{Offset: -1}
	rest := l
	for rest != "" {
		name, val, ok := strings.Cut(rest, "=")
		if !ok || strings.ContainsAny(name, " \t") {
			break
		}
		switch name {
		case "p", "off", "ts":
			tok, after, _ := strings.Cut(val, " ")
			n, err := strconv.ParseInt(tok, 10, 64)
			if err != nil {
				return r, fmt.Errorf("bad %s=%q: want a number", name, tok)
			}
			switch name {
			case "p":
				if n < 0 || n > MaxPartition {
					return r, fmt.Errorf("partition %d out of range (0..%d)", n, MaxPartition)
				}
				r.Partition = int(n)
			case "off":
				if n < 0 {
					return r, fmt.Errorf("offset %d is negative", n)
				}
				r.Offset = n
			default:
				r.Timestamp = n
			}
			rest = after
		case "key":
			s, after, err := quoted(name, val)
			if err != nil {
				return r, err
			}
			r.Key, rest = []byte(s), after
		case "h":
			k, after, err := quoted(name, val)
			if err != nil {
				return r, err
			}
			v, after2, err := quoted(name, strings.TrimPrefix(after, ":"))
			if err != nil || !strings.HasPrefix(after, ":") {
				return r, fmt.Errorf(`bad header: want h="name":"value"`)
			}
			r.Headers = append(r.Headers, Header{Key: k, Value: []byte(v)})
			rest = after2
		case "value":
			if !strings.HasPrefix(val, `"`) {
				r.Value = []byte(rest)
				return r, nil
			}
			s, after, err := quoted(name, val)
			if err != nil {
				return r, err
			}
			if after != "" {
				return r, fmt.Errorf("text after the quoted value: %q", after)
			}
			r.Value = []byte(s)
			return r, nil
		default:
			r.Value = []byte(rest)
			return r, nil
		}
	}
	r.Value = []byte(rest)
	return r, nil
}

// quoted reads a Go-quoted string at the start of s and what follows it
// (without the separating space).
func quoted(name, s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", fmt.Errorf("bad %s=: want a double-quoted string", name)
	}
	v, err := strconv.Unquote(q)
	if err != nil {
		return "", "", fmt.Errorf("bad %s=%s: %v", name, q, err)
	}
	after := s[len(q):]
	if after != "" && after[0] == ' ' {
		after = after[1:]
	}
	return v, after, nil
}

// AppendLine appends r as one line (no newline) that ParseLine reads back
// as r. Offsets < 0 and nil keys are left out.
func AppendLine(buf []byte, r *Record) []byte {
	buf = append(buf, "p="...)
	buf = strconv.AppendInt(buf, int64(r.Partition), 10)
	if r.Offset >= 0 {
		buf = append(buf, " off="...)
		buf = strconv.AppendInt(buf, r.Offset, 10)
	}
	buf = append(buf, " ts="...)
	buf = strconv.AppendInt(buf, r.Timestamp, 10)
	if r.Key != nil {
		buf = append(buf, " key="...)
		buf = strconv.AppendQuote(buf, string(r.Key))
	}
	for _, h := range r.Headers {
		buf = append(buf, " h="...)
		buf = strconv.AppendQuote(buf, h.Key)
		buf = append(buf, ':')
		buf = strconv.AppendQuote(buf, string(h.Value))
	}
	buf = append(buf, ' ')
	if needsQuote(r.Value) {
		buf = append(buf, "value="...)
		return strconv.AppendQuote(buf, string(r.Value))
	}
	return append(buf, r.Value...)
}

// needsQuote reports whether v cannot be written as the plain rest of a
// line and read back unchanged.
func needsQuote(v []byte) bool {
	if len(v) == 0 || !utf8.Valid(v) {
		return true
	}
	if v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' {
		return true
	}
	for _, c := range v {
		if c == '\n' || c == '\r' {
			return true
		}
	}
	// a value starting like a prefix (`p=1`, `key="x"`) would be read as one
	s := string(v)
	if name, _, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(name, " \t") {
		switch name {
		case "p", "off", "ts", "key", "h", "value":
			return true
		}
	}
	return false
}
