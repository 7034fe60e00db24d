package sql

import (
	"strings"
)

// SQL hints: /*+ NAME(options) [, NAME(options)] */. The lexer reads a
// hint comment whole into one tHint token and parses it here; the parsed
// hints are kept by the source, under the token's offset, and attached
// to the SELECT they follow (convert.go). STATE_TTL is the one hint
// supported (Flink's operator-level idle state retention, for regular
// joins and group aggregations); every other hint is refused by name,
// since ignoring one would silently change what the query does.

// Hint is one query hint written after SELECT.
type Hint struct {
	Pos     Pos
	Name    string // upper case: STATE_TTL
	Options []HintOption
}

// HintOption is one 'key' = 'value' option of a hint.
type HintOption struct {
	Pos        Pos // the key
	Key, Value string
}

// refusedHints explains the hints Flink has and we do not.
var refusedHints = map[string]string{
	"OPTIONS":       "dynamic table options",
	"BROADCAST":     "a batch join strategy",
	"SHUFFLE_HASH":  "a batch join strategy",
	"SHUFFLE_MERGE": "a batch join strategy",
	"NEST_LOOP":     "a batch join strategy",
	"LOOKUP":        "lookup joins",
}

// lexHint reads the hint comment starting at src[i] ("/*+"): it returns
// the offset after its "*/" and the parsed hints.
func lexHint(s *source, i int) (int, []Hint, *Error) {
	src := s.src
	errAt := func(off int, msg, near string) *Error {
		return &Error{Pos: s.pos(off), Msg: msg, Near: near}
	}
	close := strings.Index(src[i+3:], "*/")
	if close < 0 {
		return 0, nil, errAt(i, "unterminated hint", "/*+")
	}
	end := i + 3 + close
	j := i + 3
	space := func() {
		for j < end && strings.IndexByte(" \t\r\n\f\v", src[j]) >= 0 {
			j++
		}
	}
	word := func() string {
		k := j
		for k < end && isIdentPart(src, k) {
			k++
		}
		w := src[j:k]
		j = k
		return w
	}
	// str reads a quoted string or a bare word.
	str := func(what string) (string, *Error) {
		space()
		if j < end && src[j] == '\'' {
			v, k, closed := quoted(src[:end], j)
			if !closed {
				return "", errAt(j, "unterminated string in hint", firstLine(src[j:end+2]))
			}
			j = k
			return v, nil
		}
		if j < end && isIdentStart(src, j) {
			return word(), nil
		}
		return "", errAt(j, "expected "+what+" in hint", firstLine(src[j:end+2]))
	}
	var hints []Hint
	for {
		space()
		at := j
		if j >= end || !isIdentStart(src, j) {
			return 0, nil, errAt(j, "expected a hint name after /*+", firstLine(src[j:end+2]))
		}
		name := strings.ToUpper(word())
		if name != "STATE_TTL" {
			msg := "SQL hint " + name + " is not supported"
			if why, ok := refusedHints[name]; ok {
				msg = "SQL hint " + name + " (" + why + ") is not supported"
			}
			return 0, nil, errAt(at, msg+"; the supported hint is STATE_TTL", name)
		}
		h := Hint{Pos: s.pos(at), Name: name}
		space()
		if j >= end || src[j] != '(' {
			return 0, nil, errAt(j, "STATE_TTL needs options: STATE_TTL('table' = 'duration', ...)", firstLine(src[j:end+2]))
		}
		j++
		for {
			space()
			kat := j
			k, err := str("a table name or alias")
			if err != nil {
				return 0, nil, err
			}
			space()
			if j >= end || src[j] != '=' {
				return 0, nil, errAt(j, "STATE_TTL options are 'table' = 'duration'", firstLine(src[j:end+2]))
			}
			j++
			v, err := str("a duration")
			if err != nil {
				return 0, nil, err
			}
			h.Options = append(h.Options, HintOption{Pos: s.pos(kat), Key: k, Value: v})
			space()
			if j < end && src[j] == ',' {
				j++
				continue
			}
			if j < end && src[j] == ')' {
				j++
				break
			}
			return 0, nil, errAt(j, "expected ',' or ')' in STATE_TTL", firstLine(src[j:end+2]))
		}
		hints = append(hints, h)
		space()
		if j < end && src[j] == ',' {
			j++
			continue
		}
		if j < end {
			return 0, nil, errAt(j, "expected ',' or the end of the hint (*/)", firstLine(src[j:end+2]))
		}
		return end + 2, hints, nil
	}
}
