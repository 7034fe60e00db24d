package main

import (
	"strings"
	"unicode"
)

// stmtText is one statement of a script or of interactive input, with
// the line and column where it starts, so that errors keep the place in
// the file.
type stmtText struct {
	Text      string // without the closing ';'
	Line, Col int    // 1-based
}

// padded returns the statement preceded by the blank lines and columns
// before it, so that positions the parser reports are the file's.
func (s stmtText) padded() []byte {
	return []byte(strings.Repeat("\n", s.Line-1) + strings.Repeat(" ", s.Col-1) + s.Text)
}

// splitStatements cuts SQL text at the semicolons that end statements:
// not inside quotes ('...', "...", `...`) or comments (-- and /* */), and
// not between BEGIN and END of a statement set (EXECUTE STATEMENT SET
// BEGIN ... END;), whose inner INSERTs end with semicolons of their own.
// It returns the complete statements (empty ones dropped) and the text
// after the last one, which is incomplete.
func splitStatements(src string) (stmts []stmtText, rest string) {
	line, col := 1, 1
	startLine, startCol, start := 1, 1, 0
	advance := func(s string) {
		for _, r := range s {
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(src) {
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(src) { // an open quote: incomplete
				return stmts, src[start:]
			}
			advance(src[i : j+1])
			i = j + 1
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			advance(src[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return stmts, src[start:]
			}
			advance(src[i : i+2+j+2])
			i += 2 + j + 2
		case c == ';':
			text := src[start:i]
			if statementSetOpen(text) {
				advance(";")
				i++
				continue
			}
			if t := strings.TrimSpace(stripComments(text)); t != "" {
				// Start at the first character that is not space or comment.
				lead := leadingBlank(text)
				l, cc := startLine, startCol
				for _, r := range text[:lead] {
					if r == '\n' {
						l, cc = l+1, 1
					} else {
						cc++
					}
				}
				stmts = append(stmts, stmtText{Text: strings.TrimRightFunc(text[lead:], unicode.IsSpace), Line: l, Col: cc})
			}
			advance(";")
			i++
			start, startLine, startCol = i, line, col
		default:
			advance(src[i : i+1])
			i++
		}
	}
	return stmts, src[start:]
}

// statementSetOpen reports whether text (a statement so far, without its
// last semicolon) is a statement set whose END has not come yet.
func statementSetOpen(text string) bool {
	w := strings.Fields(strings.ToUpper(stripComments(text)))
	isSet := len(w) >= 4 && w[0] == "EXECUTE" && w[1] == "STATEMENT" && w[2] == "SET" && w[3] == "BEGIN"
	if !isSet {
		return false
	}
	return w[len(w)-1] != "END"
}

// stripComments removes -- and /* */ comments (quotes respected) and
// blanks string literals, for looking at a statement's keywords.
func stripComments(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				j++
			}
			b.WriteString(s[i:min(j+1, len(s))])
			i = j
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i += j - 1
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return b.String()
			}
			b.WriteByte(' ')
			i += 2 + j + 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// leadingBlank is the length of the spaces and comments text starts with.
func leadingBlank(text string) int {
	i := 0
	for i < len(text) {
		switch {
		case unicode.IsSpace(rune(text[i])):
			i++
		case strings.HasPrefix(text[i:], "--"):
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return len(text)
			}
			i += j + 1
		case strings.HasPrefix(text[i:], "/*"):
			j := strings.Index(text[i+2:], "*/")
			if j < 0 {
				return len(text)
			}
			i += 2 + j + 2
		default:
			return i
		}
	}
	return i
}
