package sql

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the lexical class of a token.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // bare identifier or keyword
	tQIdent         // `back-quoted identifier`
	tString         // 'single-quoted string'
	tNumber         // 12, 1.5, 1e3, .5
	tOp             // operator or punctuation
	tBadNum         // 5s, 12abc: only valid as an unquoted SET value
	tHint           // /*+ ... */: a whole hint comment (hints.go)
)

// token is one lexeme of the user's file. text is the raw source text;
// val is the identifier name (unquoted), the string content (quotes
// removed, ” folded) or the number text; op tokens have val == text.
type token struct {
	kind      tokKind
	text      string
	val       string
	off, end  int // byte offsets in the file
	line, col int // 1-based, col counted in runes
}

// is reports whether t is the bare keyword kw (case-insensitive).
func (t token) is(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.val, kw)
}

// isOp reports whether t is the operator/punctuation op.
func (t token) isOp(op string) bool { return t.kind == tOp && t.text == op }

// upper is the upper-cased identifier (keywords compare with it).
func (t token) upper() string { return strings.ToUpper(t.val) }

// source is a file being parsed: its text and line starts, so any byte
// offset can be turned into a Pos.
type source struct {
	file       string
	src        string
	lineStarts []int
	hints      map[int][]Hint // hint comments by offset (tHint tokens)
}

func newSource(file, src string) *source {
	s := &source{file: file, src: src, lineStarts: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	return s
}

// pos turns a byte offset into a Pos (column counted in runes).
func (s *source) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(s.src) {
		off = len(s.src)
	}
	lo, hi := 0, len(s.lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if s.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	col := utf8.RuneCountInString(s.src[s.lineStarts[lo]:off]) + 1
	return Pos{File: s.file, Line: lo + 1, Col: col, Offset: off}
}

func (s *source) tokPos(t token) Pos {
	return Pos{File: s.file, Line: t.line, Col: t.col, Offset: t.off}
}

// multi-character operators, longest first.
var multiOps = []string{"<=>", "<>", "<=", ">=", "!=", "||", "=>", "::"}

const singleOps = "(),;.+-*/%=<>[]{}?:!~&|^@$"

// quoted reads the text quoted by the character at src[i] (' or `), a
// doubled quote standing for one. It returns the text, the offset just
// past the closing quote, and whether there was one.
func quoted(src string, i int) (val string, end int, closed bool) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		if src[j] != q {
			b.WriteByte(src[j])
			continue
		}
		if j+1 < len(src) && src[j+1] == q {
			b.WriteByte(q)
			j++
			continue
		}
		return b.String(), j + 1, true
	}
	return "", len(src), false
}

// lex splits the whole file into tokens (comments dropped). The last
// token is always tEOF at the end of the file.
func lex(s *source) ([]token, *Error) {
	src := s.src
	var toks []token
	line, lineStart := 1, 0
	i := 0
	// col counts runes incrementally from the last asked offset on the
	// current line (offsets only grow), keeping lexing linear.
	colOff, colVal := 0, 1
	col := func(off int) int {
		if colOff < lineStart {
			colOff, colVal = lineStart, 1
		}
		colVal += utf8.RuneCountInString(src[colOff:off])
		colOff = off
		return colVal
	}
	// advance moves i to j, keeping line bookkeeping right.
	advance := func(j int) {
		for k := i; k < j; k++ {
			if src[k] == '\n' {
				line++
				lineStart = k + 1
			}
		}
		i = j
	}
	errAt := func(off int, msg, near string) *Error {
		return &Error{Pos: s.pos(off), Msg: msg, Near: near}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
			advance(i + 1)
			continue
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			advance(i + j)
			continue
		case c == '/' && i+2 < len(src) && src[i+1] == '*' && src[i+2] == '+':
			// Flink reads /*+ ... */ as a hint: STATE_TTL is parsed, the
			// others are refused by name (hints.go)
			tok := token{kind: tHint, off: i, line: line, col: col(i)}
			j, hints, err := lexHint(s, i)
			if err != nil {
				return nil, err
			}
			if s.hints == nil {
				s.hints = map[int][]Hint{}
			}
			s.hints[i] = hints
			advance(j)
			tok.end, tok.text = j, src[tok.off:j]
			toks = append(toks, tok)
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, errAt(i, "unterminated comment", "/*")
			}
			advance(i + 2 + j + 2)
			continue
		}
		start, tl, tc := i, line, col(i)
		tok := token{off: start, line: tl, col: tc}
		switch {
		case c == '\'':
			val, j, closed := quoted(src, i)
			if !closed {
				// Quote only the literal's start: the rest of the line may
				// be a password in a WITH option.
				return nil, errAt(start, "unterminated string literal", clip(firstLine(src[start:]), 12))
			}
			tok.kind, tok.val = tString, val
			advance(j)
		case c == '`':
			val, j, closed := quoted(src, i)
			if !closed {
				return nil, errAt(start, "unterminated quoted identifier", firstLine(src[start:]))
			}
			if val == "" {
				return nil, errAt(start, "empty quoted identifier", "``")
			}
			tok.kind, tok.val = tQIdent, val
			advance(j)
		case c == '"':
			j := strings.IndexByte(src[i+1:], '"')
			near := firstLine(src[i:])
			if j >= 0 && !strings.Contains(src[i:i+j+2], "\n") {
				near = src[i : i+j+2]
			}
			return nil, errAt(start, "double quotes are not string delimiters in Flink SQL: write strings as 'text' and identifiers as `name`", near)
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '.' {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					for k < len(src) && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			if j < len(src) && isIdentStart(src, j) {
				// 12abc: not a number Flink accepts
				k := j
				for k < len(src) && isIdentPart(src, k) {
					_, n := utf8.DecodeRuneInString(src[k:])
					k += n
				}
				j = k
				tok.kind, tok.val = tBadNum, src[i:j]
				advance(j)
				break
			}
			tok.kind, tok.val = tNumber, src[i:j]
			advance(j)
		case isIdentStart(src, i):
			j := i
			for j < len(src) && isIdentPart(src, j) {
				_, n := utf8.DecodeRuneInString(src[j:])
				j += n
			}
			tok.kind, tok.val = tIdent, src[i:j]
			advance(j)
		default:
			op := ""
			for _, m := range multiOps {
				if strings.HasPrefix(src[i:], m) {
					op = m
					break
				}
			}
			if op == "" && strings.IndexByte(singleOps, c) >= 0 {
				op = src[i : i+1]
			}
			if op == "" {
				r, n := utf8.DecodeRuneInString(src[i:])
				if r == utf8.RuneError && n <= 1 {
					return nil, errAt(start, "invalid UTF-8 in SQL text", "")
				}
				return nil, errAt(start, "unexpected character", string(r))
			}
			tok.kind, tok.val = tOp, op
			advance(i + len(op))
		}
		tok.end = i
		tok.text = src[start:i]
		toks = append(toks, tok)
	}
	toks = append(toks, token{kind: tEOF, off: len(src), end: len(src), line: line, col: col(len(src))})
	return toks, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentStart(src string, i int) bool {
	c := src[i]
	if c < utf8.RuneSelf {
		return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsLetter(r)
}

func isIdentPart(src string, i int) bool {
	c := src[i]
	if c < utf8.RuneSelf {
		return c == '_' || c == '$' || isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// firstLine returns s up to its first newline, at most 40 bytes.
func firstLine(s string) string {
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	if len(s) > 40 {
		s = s[:40]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// clip shortens text quoted in an error to n bytes (on a rune boundary),
// marking the cut with "...".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
