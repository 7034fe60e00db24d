package functions

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/streamsql/streamsql/sql/types"
)

func init() {
	Register(&Spec{Name: "CONCAT", Category: "string", Syntax: "CONCAT(string1, string2, ...)", MinArgs: 1, MaxArgs: -1,
		Doc: "Concatenates the strings; NULL if any argument is NULL.", Infer: StringFunc, Build: buildConcat,
		Examples: []Example{{"CONCAT('AA', 'BB', 'CC')", "AABBCC"}, {"CONCAT('a', CAST(NULL AS STRING))", "NULL"}, {"CONCAT('', '')", ""}}})
	Register(&Spec{Name: "UPPER", Category: "string", Syntax: "UPPER(string)", MinArgs: 1, MaxArgs: 1,
		Doc: "The string in upper case.", Infer: StringFunc, Build: buildCase1(strings.ToUpper),
		Examples: []Example{{"UPPER('hello World')", "HELLO WORLD"}, {"UPPER(CAST(NULL AS STRING))", "NULL"}}})
	Register(&Spec{Name: "LOWER", Category: "string", Syntax: "LOWER(string)", MinArgs: 1, MaxArgs: 1,
		Doc: "The string in lower case.", Infer: StringFunc, Build: buildCase1(strings.ToLower),
		Examples: []Example{{"LOWER('Hello WORLD')", "hello world"}, {"LOWER(CAST(NULL AS STRING))", "NULL"}}})
	Register(&Spec{Name: "CHAR_LENGTH", Aliases: []string{"CHARACTER_LENGTH"}, Category: "string", Syntax: "CHAR_LENGTH(string)", MinArgs: 1, MaxArgs: 1,
		Doc: "The number of characters (code points) in the string.", Infer: sig(types.TInt, wantString), Build: buildCharLength,
		Examples: []Example{{"CHAR_LENGTH('héllo')", "5"}, {"CHARACTER_LENGTH('')", "0"}, {"CHAR_LENGTH(CAST(NULL AS STRING))", "NULL"}}})
	Register(&Spec{Name: "SUBSTRING", Aliases: []string{"SUBSTR"}, Category: "string", Syntax: "SUBSTRING(string FROM start [FOR length]), SUBSTR(string, start[, length])", MinArgs: 2, MaxArgs: 3,
		Doc:   "The substring from the 1-based position start (negative: from the end) with length characters (to the end by default).",
		Infer: nullable(sig(types.TString, wantString, wantInteger, wantInteger)), Build: buildSubstring, // NULL for a negative length, so always nullable (Flink: ARG0_VARCHAR_FORCE_NULLABLE)
		Examples: []Example{{"SUBSTRING('Hello World' FROM 7)", "World"}, {"SUBSTR('Hello World', 1, 5)", "Hello"}, {"SUBSTR('Hello', -3)", "llo"},
			{"SUBSTR('Hello', 0, 2)", "He"}, {"SUBSTR('Hello', 10)", ""}, {"SUBSTR('Hello', 2, -1)", "NULL"}, {"SUBSTR(CAST(NULL AS STRING), 1)", "NULL"}}})
	Register(&Spec{Name: "TRIM", Category: "string", Syntax: "TRIM([BOTH | LEADING | TRAILING] [characters FROM] string)", MinArgs: 1, MaxArgs: 2,
		Doc: "The string without the given characters (default: spaces) at both ends, the start or the end.", Infer: StringFunc, Build: buildTrim,
		Examples: []Example{{"TRIM('  hi  ')", "hi"}, {"TRIM(LEADING 'x' FROM 'xxhixx')", "hixx"}, {"TRIM(TRAILING 'x' FROM 'xxhixx')", "xxhi"},
			{"TRIM(BOTH 'xy' FROM 'xyhiyx')", "hi"}, {"TRIM(CAST(NULL AS STRING))", "NULL"}}})
	Register(&Spec{Name: "LTRIM", Category: "string", Syntax: "LTRIM(string)", MinArgs: 1, MaxArgs: 2,
		Doc: "The string without leading spaces.", Infer: StringFunc, Build: buildTrim,
		Examples: []Example{{"LTRIM(' This is a test String.')", "This is a test String."}, {"LTRIM('  a  ')", "a  "}}})
	Register(&Spec{Name: "RTRIM", Category: "string", Syntax: "RTRIM(string)", MinArgs: 1, MaxArgs: 2,
		Doc: "The string without trailing spaces.", Infer: StringFunc, Build: buildTrim,
		Examples: []Example{{"RTRIM('This is a test String. ')", "This is a test String."}, {"RTRIM('  a  ')", "  a"}}})
}

// || and CONCAT: NULL if any argument is NULL (Flink's CONCAT).
func buildConcat(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, -1); err != nil {
		return nil, err
	}
	fs, err := c.Strings(args)
	if err != nil {
		return nil, err
	}
	if len(fs) == 2 {
		fa, fb := fs[0], fs[1]
		return func(ctx *Ctx, row []types.Value) types.Value {
			x := fa(ctx, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(ctx, row)
			if y.K == types.Null {
				return nullV
			}
			return types.StringValue(x.S + y.S)
		}, nil
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		var b strings.Builder
		for _, f := range fs {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			b.WriteString(v.S)
		}
		return types.StringValue(b.String())
	}, nil
}

func buildCase1(g func(string) string) Builder {
	return func(c *Env, call *Call, args []Arg) (Eval, error) {
		if err := WantArgs(args, 1, 1); err != nil {
			return nil, err
		}
		fs, err := c.Strings(args)
		if err != nil {
			return nil, err
		}
		f := fs[0]
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.StringValue(g(v.S))
		}, nil
	}
}

// CHAR_LENGTH counts code points.
func buildCharLength(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	fs, err := c.Strings(args)
	if err != nil {
		return nil, err
	}
	f := fs[0]
	k := call.T.Kind
	if !k.IsInteger() {
		k = types.Int
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		return types.Value{K: k, I: int64(utf8.RuneCountInString(v.S))}
	}, nil
}

// runeOffset returns the byte offset of the n-th code point (n >= 0), or
// len(s) when s has fewer.
func runeOffset(s string, n int64) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

// substringSQL is Flink's BinaryStringDataUtil.substringSQL: 1-based start;
// 0 means 1; a negative start counts from the end; a negative length
// gives NULL.
func substringSQL(s string, pos, length int64) (string, bool) {
	if length < 0 {
		return "", false
	}
	if s == "" {
		return "", true
	}
	n := int64(utf8.RuneCountInString(s))
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
		if start >= n {
			return "", true
		}
	case pos < 0:
		start = n + pos
		if start < 0 {
			return "", true
		}
	}
	end := n
	if n-start >= length {
		end = start + length
	}
	b := runeOffset(s, start)
	e := b + runeOffset(s[b:], end-start)
	return s[b:e], true
}

func buildSubstring(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 2, 3); err != nil {
		return nil, err
	}
	fs, err := c.Strings(args[:1])
	if err != nil {
		return nil, err
	}
	for i, a := range args[1:] {
		if !a.T.Kind.IsInteger() && a.T.Kind != types.Null {
			return nil, fmt.Errorf("argument %d must be an integer, not %s", i+2, a.T)
		}
	}
	fs0, fpos := fs[0], args[1].F
	var flen Eval
	if len(args) == 3 {
		flen = args[2].F
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		s := fs0(ctx, row)
		if s.K == types.Null {
			return nullV
		}
		p := fpos(ctx, row)
		if p.K == types.Null {
			return nullV
		}
		length := int64(1<<31 - 1)
		if flen != nil {
			l := flen(ctx, row)
			if l.K == types.Null {
				return nullV
			}
			length = l.I
		}
		r, ok := substringSQL(s.S, p.I, length)
		if !ok {
			return nullV
		}
		return types.StringValue(r)
	}, nil
}

// TRIM([BOTH|LEADING|TRAILING] [chars] FROM s): Args are s and the
// optional chars (default a single space); every code point of chars is
// removed from the chosen ends. LTRIM/RTRIM are LEADING/TRAILING.
func buildTrim(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	leading, trailing := true, true
	switch call.Func {
	case "LTRIM":
		trailing = false
	case "RTRIM":
		leading = false
	default:
		switch strings.ToUpper(call.Unit) {
		case "", "BOTH":
		case "LEADING":
			trailing = false
		case "TRAILING":
			leading = false
		default:
			return nil, fmt.Errorf("unknown TRIM mode %s", call.Unit)
		}
	}
	fs, err := c.Strings(args)
	if err != nil {
		return nil, err
	}
	fs0 := fs[0]
	var fchars Eval
	if len(fs) == 2 {
		fchars = fs[1]
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := fs0(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		cut := " "
		if fchars != nil {
			cv := fchars(ctx, row)
			if cv.K == types.Null {
				return nullV
			}
			cut = cv.S
		}
		s := v.S
		if leading {
			s = strings.TrimLeft(s, cut)
		}
		if trailing {
			s = strings.TrimRight(s, cut)
		}
		return types.StringValue(s)
	}, nil
}
