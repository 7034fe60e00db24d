package functions

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/streamsql/streamsql/sql/types"
)

// String functions of Flink's "String Functions" section beyond those in
// string.go. Positions are 1-based and count characters (code points).

func init() {
	str := func(name, syntax, doc string, minArgs, maxArgs int, infer func([]Operand) (types.Type, *ArgError), b Builder, ex ...Example) {
		Register(&Spec{Name: name, Category: "string", Syntax: syntax, Doc: doc, MinArgs: minArgs, MaxArgs: maxArgs, Infer: infer, Build: b, Examples: ex})
	}
	str("CONCAT_WS", "CONCAT_WS(separator, string1, string2, ...)",
		"Concatenates the strings with the separator between them, skipping NULL strings; NULL if the separator is NULL.", 1, -1,
		func(a []Operand) (types.Type, *ArgError) {
			t, e := StringFunc(a)
			t.NotNull = a[0].T.NotNull
			return t, e
		}, buildConcatWS,
		Example{"CONCAT_WS('~', 'AA', CAST(NULL AS STRING), 'BB', '', 'CC')", "AA~BB~~CC"}, Example{"CONCAT_WS(CAST(NULL AS STRING), 'a')", "NULL"},
		Example{"CONCAT_WS('-', ns)", ""}, Example{"CONCAT_WS(',', 'a')", "a"})
	str("REPLACE", "REPLACE(string, search, replacement)", "string with every (non-overlapping) occurrence of search replaced.", 3, 3, StringFunc,
		strict(func(_ *Ctx, v [4]types.Value) types.Value {
			return types.StringValue(strings.ReplaceAll(v[0].S, v[1].S, v[2].S))
		}, "sss"),
		Example{"REPLACE('hello world', 'world', 'flink')", "hello flink"}, Example{"REPLACE('ababab', 'abab', 'z')", "zab"},
		Example{"REPLACE('abc', '', 'x')", "xaxbxcx"}, Example{"REPLACE('abc', 'b', CAST(NULL AS STRING))", "NULL"})
	str("REGEXP", "REGEXP(string, regex)", "TRUE if any substring of string matches the regular expression (RE2 syntax: Java's look-around and back-references are refused).", 2, 2,
		sig(types.TBoolean, wantString, wantString), buildRegexp,
		Example{"REGEXP('foobar', 'o+b')", "TRUE"}, Example{"REGEXP('foobar', '^o')", "FALSE"}, Example{"REGEXP('', '')", "TRUE"},
		Example{"REGEXP(ns, 'a')", "NULL"}, Example{"REGEXP('a', '(')", "error: invalid regular expression"})
	Register(&Spec{Name: "SIMILAR_TO", Category: "comparison", Syntax: "string [NOT] SIMILAR TO pattern [ESCAPE char]", MinArgs: 2, MaxArgs: 3,
		Doc:   "Whether the whole string matches the SQL regular expression: % and _ as in LIKE, plus | * + ? {m,n} ( ) [ ]; other characters are literal.",
		Infer: sig(types.TBoolean, wantString, wantString, wantString), Build: buildSimilarTo,
		Examples: []Example{{"'abc' SIMILAR TO 'a%'", "TRUE"}, {"'abc' SIMILAR TO '(a|x)bc'", "TRUE"}, {"'abc' SIMILAR TO 'a'", "FALSE"},
			{"'abc' SIMILAR TO 'a.c'", "FALSE"}, {"'a.c' SIMILAR TO 'a.c'", "TRUE"}, {"'ab' NOT SIMILAR TO 'a_'", "FALSE"}, {"'ab' SIMILAR TO '[a-c]{2}'", "TRUE"},
			{"'a%' SIMILAR TO 'a!%' ESCAPE '!'", "TRUE"}, {"'ab' SIMILAR TO 'a!%' ESCAPE '!'", "FALSE"}, {"ns SIMILAR TO 'a'", "NULL"},
			{"SIMILAR_TO('x', 'x')", "TRUE"}, {"'a' SIMILAR TO s", "error: SIMILAR TO with a pattern (or ESCAPE) that is not a string literal is not supported"}}})
	str("REGEXP_REPLACE", "REGEXP_REPLACE(string, regex, replacement)", "string with every match of the regular expression replaced by replacement (taken literally).", 3, 3,
		StringFunc, buildRegexpReplace,
		Example{"REGEXP_REPLACE('foobar', 'oo|ar', '')", "fb"}, Example{"REGEXP_REPLACE('a1b22', '[0-9]+', '$')", "a$b$"},
		Example{"REGEXP_REPLACE(ns, 'a', 'b')", "NULL"})
	str("REGEXP_EXTRACT", "REGEXP_EXTRACT(string, regex[, group])",
		"The given group (default 1; 0: the whole match) of the first match of the regular expression; NULL when there is no match or no such group.", 2, 3,
		nullable(sig(types.TString, wantString, wantString, wantInteger)), buildRegexpExtract,
		Example{"REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2)", "bar"}, Example{"REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)')", "the"},
		Example{"REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 0)", "foothebar"}, Example{"REGEXP_EXTRACT('foothebar', 'x(.)')", "NULL"},
		Example{"REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 3)", "NULL"})
	str("SPLIT_INDEX", "SPLIT_INDEX(string, delimiter, index)", "The index-th (0-based) piece of string split at delimiter; NULL when there is no such piece or index is negative.", 3, 3,
		nullable(sig(types.TString, wantString, wantString, wantInteger)), strict(splitIndex, "ssi"),
		Example{"SPLIT_INDEX('a,b,,c', ',', 1)", "b"}, Example{"SPLIT_INDEX('a,b,,c', ',', 2)", ""}, Example{"SPLIT_INDEX('a,b', ',', 2)", "NULL"},
		Example{"SPLIT_INDEX('a,b', ',', -1)", "NULL"}, Example{"SPLIT_INDEX('a||b', '||', 1)", "b"})
	str("LPAD", "LPAD(string, length, pad)", "string left-padded with pad to length characters, or cut to length; NULL for a negative length or an empty pad.", 3, 3,
		nullable(sig(types.TString, wantString, wantInteger, wantString)), strict(func(_ *Ctx, v [4]types.Value) types.Value { return pad(v, true) }, "sis"),
		Example{"LPAD('hi', 4, '??')", "??hi"}, Example{"LPAD('hi', 1, '??')", "h"}, Example{"LPAD('hi', 5, 'ab')", "abahi"},
		Example{"LPAD('hi', -1, '?')", "NULL"}, Example{"LPAD('hi', 4, '')", "NULL"}, Example{"LPAD('', 0, 'a')", ""})
	str("RPAD", "RPAD(string, length, pad)", "string right-padded with pad to length characters, or cut to length; NULL for a negative length or an empty pad.", 3, 3,
		nullable(sig(types.TString, wantString, wantInteger, wantString)), strict(func(_ *Ctx, v [4]types.Value) types.Value { return pad(v, false) }, "sis"),
		Example{"RPAD('hi', 4, '??')", "hi??"}, Example{"RPAD('hi', 1, '??')", "h"}, Example{"RPAD('hi', 5, 'ab')", "hiaba"}, Example{"RPAD(ns, 4, '?')", "NULL"})
	str("POSITION", "POSITION(string1 IN string2)", "The position of the first occurrence of string1 in string2, 0 if none.", 2, 2,
		sig(types.TInt, wantString, wantString), strict(func(_ *Ctx, v [4]types.Value) types.Value { return types.IntValue(indexFrom(v[1].S, v[0].S, 1)) }, "ss"),
		Example{"POSITION('b' IN 'abc')", "2"}, Example{"POSITION('x' IN 'abc')", "0"}, Example{"POSITION('' IN 'abc')", "1"}, Example{"POSITION('é' IN 'héé')", "2"})
	str("LOCATE", "LOCATE(string1, string2[, start])", "The position of the first occurrence of string1 in string2 at or after position start (default 1), 0 if none.", 2, 3,
		sig(types.TInt, wantString, wantString, wantInteger), buildLocate,
		Example{"LOCATE('b', 'abcb')", "2"}, Example{"LOCATE('b', 'abcb', 3)", "4"}, Example{"LOCATE('x', 'abc')", "0"}, Example{"LOCATE('b', 'abc', CAST(NULL AS INT))", "NULL"})
	str("INSTR", "INSTR(string1, string2)", "The position of the first occurrence of string2 in string1, 0 if none.", 2, 2,
		sig(types.TInt, wantString, wantString), strict(func(_ *Ctx, v [4]types.Value) types.Value { return types.IntValue(indexFrom(v[0].S, v[1].S, 1)) }, "ss"),
		Example{"INSTR('abcb', 'cb')", "3"}, Example{"INSTR('abc', 'x')", "0"}, Example{"INSTR(ns, 'a')", "NULL"})
	str("LEFT", "LEFT(string, length)", "The first length characters of string; empty for a negative length.", 2, 2,
		sig(types.TString, wantString, wantInteger), strict(func(_ *Ctx, v [4]types.Value) types.Value { return leftRight(v[0].S, v[1].I, true) }, "si"),
		Example{"LEFT('hello', 2)", "he"}, Example{"LEFT('hello', 10)", "hello"}, Example{"LEFT('hello', -1)", ""}, Example{"LEFT(ns, 1)", "NULL"})
	str("RIGHT", "RIGHT(string, length)", "The last length characters of string; empty for a negative length.", 2, 2,
		sig(types.TString, wantString, wantInteger), strict(func(_ *Ctx, v [4]types.Value) types.Value { return leftRight(v[0].S, v[1].I, false) }, "si"),
		Example{"RIGHT('hello', 2)", "lo"}, Example{"RIGHT('héllo', 4)", "éllo"}, Example{"RIGHT('hello', -1)", ""})
	Register(&Spec{Name: "REVERSE", Category: "string", Syntax: "REVERSE(string)",
		MinArgs: 1, MaxArgs: 1, Doc: "The string with its characters in reverse order.",
		Infer: StringFunc, // string arguments, a STRING result, NULL when an argument is
		Build: stringFn(func(s string) string { // NULL in, NULL out; once per row
			r := []rune(s)
			slices.Reverse(r)
			return string(r)
		}),
		Examples: []Example{{"REVERSE('abc')", "cba"}, {"REVERSE('')", ""},
			{"REVERSE(CAST(NULL AS STRING))", "NULL"}, {"REVERSE(1)", "error: must be a string"}},
	})
	str("INITCAP", "INITCAP(string)", "The string with the first letter of each word (run of ASCII letters and digits) in upper case and the rest in lower case.", 1, 1,
		StringFunc, stringFn(initcap),
		Example{"INITCAP('hello wORLD-foo 9ab')", "Hello World-Foo 9ab"}, Example{"INITCAP('')", ""}, Example{"INITCAP(ns)", "NULL"})
	str("REPEAT", "REPEAT(string, count)", "string repeated count times; empty for count <= 0.", 2, 2,
		sig(types.TString, wantString, wantInteger), strict(repeat, "si"),
		Example{"REPEAT('ab', 3)", "ababab"}, Example{"REPEAT('ab', 0)", ""}, Example{"REPEAT('ab', -2)", ""}, Example{"REPEAT(ns, 2)", "NULL"})
	str("TRANSLATE", "TRANSLATE(string, from, to)", "string with each character found in from replaced by the character at the same position in to (removed when to is shorter).", 3, 3,
		StringFunc, strict(func(_ *Ctx, v [4]types.Value) types.Value {
			return types.StringValue(translate(v[0].S, v[1].S, v[2].S))
		}, "sss"),
		Example{"TRANSLATE('hello', 'el', 'ip')", "hippo"}, Example{"TRANSLATE('abc', 'abc', 'x')", "x"}, Example{"TRANSLATE(ns, 'a', 'b')", "NULL"})
	str("TO_BASE64", "TO_BASE64(string)", "The base64 encoding of the string's UTF-8 bytes.", 1, 1, StringFunc,
		stringFn(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }),
		Example{"TO_BASE64('hello world')", "aGVsbG8gd29ybGQ="}, Example{"TO_BASE64('')", ""}, Example{"TO_BASE64(ns)", "NULL"})
	str("FROM_BASE64", "FROM_BASE64(string)", "The string whose UTF-8 bytes the base64 text encodes; invalid base64 is an error.", 1, 1, StringFunc,
		strict(func(ctx *Ctx, v [4]types.Value) types.Value {
			b, err := base64.StdEncoding.DecodeString(v[0].S)
			if err != nil {
				return Fail(ctx, fmt.Errorf("FROM_BASE64(%q): invalid base64: %v", v[0].S, err))
			}
			return types.StringValue(string(b))
		}, "s"),
		Example{"FROM_BASE64('aGVsbG8gd29ybGQ=')", "hello world"}, Example{"FROM_BASE64(ns)", "NULL"}, Example{"FROM_BASE64('!!')", "error: invalid base64"})
	str("ASCII", "ASCII(string)", "The code of the first character of string, 0 for an empty string.", 1, 1, sig(types.TInt, wantString),
		strict(func(_ *Ctx, v [4]types.Value) types.Value {
			r, _ := utf8.DecodeRuneInString(v[0].S)
			if v[0].S == "" {
				r = 0
			}
			return types.IntValue(int64(r))
		}, "s"),
		Example{"ASCII('abc')", "97"}, Example{"ASCII('')", "0"}, Example{"ASCII(CAST(NULL AS VARCHAR))", "NULL"})
	str("CHR", "CHR(integer)", "The character whose code is integer modulo 256; empty for a negative integer.", 1, 1, sig(types.TString, wantInteger),
		intToString(func(x int64) string {
			if x < 0 {
				return ""
			}
			return string(rune(x & 0xFF))
		}),
		Example{"CHR(97)", "a"}, Example{"CHR(353)", "a"}, Example{"CHR(-1)", ""}, Example{"CHR(CAST(NULL AS INT))", "NULL"})
	str("OVERLAY", "OVERLAY(string PLACING replacement FROM position [FOR length])",
		"string with length characters (default: the replacement's length) from the 1-based position replaced by replacement.", 3, 4,
		sig(types.TString, wantString, wantString, wantInteger, wantInteger), buildOverlay,
		Example{"OVERLAY('xxxxxtest' PLACING 'xxxx' FROM 6)", "xxxxxxxxx"}, Example{"OVERLAY('xxxxxtest' PLACING 'xxxx' FROM 6 FOR 2)", "xxxxxxxxxst"},
		Example{"OVERLAY('abc' PLACING 'Z' FROM 1 FOR 0)", "Zabc"}, Example{"OVERLAY('abc' PLACING 'Z' FROM 5)", "abcZ"}, Example{"OVERLAY(ns PLACING 'a' FROM 1)", "NULL"},
		Example{"OVERLAY('abc' PLACING 'Z')", "error: OVERLAY needs the form"})
	str("PARSE_URL", "PARSE_URL(url, part[, key])",
		"A part of the URL: HOST, PATH, QUERY, REF, PROTOCOL, AUTHORITY, FILE or USERINFO; with a key, that parameter of the QUERY. NULL when absent or the URL is malformed.", 2, 3,
		nullable(StringFunc), buildParseURL,
		Example{"PARSE_URL('http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'HOST')", "facebook.com"},
		Example{"PARSE_URL('http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'QUERY', 'k1')", "v1"},
		Example{"PARSE_URL('http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'QUERY')", "k1=v1&k2=v2"},
		Example{"PARSE_URL('http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1', 'FILE')", "/path1/p.php?k1=v1&k2=v2"},
		Example{"PARSE_URL('http://user:pw@facebook.com:8080/p?k=v#Ref1', 'AUTHORITY')", "user:pw@facebook.com:8080"},
		Example{"PARSE_URL('http://user:pw@facebook.com:8080/p', 'USERINFO')", "user:pw"},
		Example{"PARSE_URL('http://facebook.com/path1/p.php#Ref1', 'REF')", "Ref1"}, Example{"PARSE_URL('https://a.b/c', 'PROTOCOL')", "https"},
		Example{"PARSE_URL('http://facebook.com/p?k1=v1', 'QUERY', 'k3')", "NULL"}, Example{"PARSE_URL('facebook.com/p', 'HOST')", "NULL"},
		Example{"PARSE_URL('http://a.b/p', 'PORT')", "NULL"})
}

// buildOverlay is Flink's OVERLAY: s[:pos-1] + r + s[pos-1+len:], over
// characters.
func buildOverlay(env *Env, call *Call, args []Arg) (Eval, error) {
	return strict(func(_ *Ctx, v [4]types.Value) types.Value {
		s, r := []rune(v[0].S), v[1].S
		pos, n := v[2].I, int64(utf8.RuneCountInString(r))
		if len(args) == 4 {
			n = v[3].I
		}
		start := min(max(pos-1, 0), int64(len(s)))
		end := min(max(start+max(n, 0), start), int64(len(s)))
		return types.StringValue(string(s[:start]) + r + string(s[end:]))
	}, "ssii")(env, call, args)
}

// similarToRegex translates a SQL regular expression (SIMILAR TO) into an
// anchored RE2 one, as Calcite's sqlToRegexSimilar.
func similarToRegex(pat string, esc rune) string {
	var b strings.Builder
	b.WriteString("^(?s:")
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case esc >= 0 && r == esc && i+1 < len(rs):
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		case strings.ContainsRune("|*+?{}()[]", r), r == '^' && i > 0 && rs[i-1] == '[', r == '-' && i > 0 && rs[i-1] != '[':
			b.WriteRune(r)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(")$")
	return b.String()
}

func buildSimilarTo(env *Env, call *Call, args []Arg) (Eval, error) {
	fs, err := env.Strings(args)
	if err != nil {
		return nil, err
	}
	esc := rune(-1)
	if len(args) == 3 {
		if !args[2].Konst || args[2].V.K != types.String || utf8.RuneCountInString(args[2].V.S) != 1 {
			return nil, fmt.Errorf("the ESCAPE of SIMILAR TO must be one constant character")
		}
		esc, _ = utf8.DecodeRuneInString(args[2].V.S)
	}
	if !args[1].Konst {
		return nil, fmt.Errorf("the pattern of SIMILAR TO must be a constant")
	}
	if args[1].V.K == types.Null {
		return func(*Ctx, []types.Value) types.Value { return nullV }, nil
	}
	re, err := regexp.Compile(similarToRegex(args[1].V.S, esc))
	if err != nil {
		return nil, fmt.Errorf("invalid SIMILAR TO pattern %q: %v", args[1].V.S, err)
	}
	f := fs[0]
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		return BoolV(re.MatchString(v.S))
	}, nil
}

// stringFn builds a STRING function of one string argument.
func stringFn(g func(string) string) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		fs, err := env.Strings(args)
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

// strict builds a function of up to four arguments that is NULL when any
// argument is NULL; kinds has one letter per argument: 's' converts it to
// a STRING, anything else takes it as is.
func strict(g func(ctx *Ctx, v [4]types.Value) types.Value, kinds string) Builder {
	return func(env *Env, call *Call, args []Arg) (Eval, error) {
		if len(args) > 4 {
			return nil, fmt.Errorf("takes at most 4 arguments, got %d", len(args))
		}
		fs := make([]Eval, len(args))
		for i, a := range args {
			fs[i] = a.F
			if i < len(kinds) && kinds[i] == 's' {
				f, err := env.Strings(args[i : i+1])
				if err != nil {
					return nil, fmt.Errorf("argument %d: %w", i+1, err)
				}
				fs[i] = f[0]
			}
		}
		return func(ctx *Ctx, row []types.Value) types.Value {
			var vs [4]types.Value
			for i, f := range fs {
				v := f(ctx, row)
				if v.K == types.Null {
					return nullV
				}
				vs[i] = v
			}
			return g(ctx, vs)
		}, nil
	}
}

func buildConcatWS(env *Env, call *Call, args []Arg) (Eval, error) {
	fs, err := env.Strings(args)
	if err != nil {
		return nil, err
	}
	sep, parts := fs[0], fs[1:]
	return func(ctx *Ctx, row []types.Value) types.Value {
		sv := sep(ctx, row)
		if sv.K == types.Null {
			return nullV
		}
		var b strings.Builder
		n := 0
		for _, f := range parts {
			v := f(ctx, row)
			if v.K == types.Null {
				continue
			}
			if n > 0 {
				b.WriteString(sv.S)
			}
			b.WriteString(v.S)
			n++
		}
		return types.StringValue(b.String())
	}, nil
}

// indexFrom is the 1-based character position of needle in s at or
// after character position from (< 1: from the start), 0 if none.
func indexFrom(s, needle string, from int64) int64 {
	if from < 1 {
		from = 1
	}
	off := runeOffset(s, from-1)
	if off == len(s) && from-1 > int64(utf8.RuneCountInString(s)) {
		return 0
	}
	i := strings.Index(s[off:], needle)
	if i < 0 {
		return 0
	}
	return from + int64(utf8.RuneCountInString(s[off:off+i]))
}

func buildLocate(env *Env, call *Call, args []Arg) (Eval, error) {
	return strict(func(_ *Ctx, v [4]types.Value) types.Value {
		from := int64(1)
		if len(args) == 3 {
			from = v[2].I
		}
		return types.IntValue(indexFrom(v[1].S, v[0].S, from))
	}, "ss")(env, call, args)
}

func leftRight(s string, n int64, left bool) types.Value {
	if n <= 0 {
		return types.StringValue("")
	}
	c := int64(utf8.RuneCountInString(s))
	if n >= c {
		return types.StringValue(s)
	}
	if left {
		return types.StringValue(s[:runeOffset(s, n)])
	}
	return types.StringValue(s[runeOffset(s, c-n):])
}

// pad is Flink's lpad / rpad over characters.
func pad(v [4]types.Value, left bool) types.Value {
	s, n, p := []rune(v[0].S), v[1].I, []rune(v[2].S)
	if n < 0 || len(p) == 0 {
		return nullV
	}
	if n <= int64(len(s)) {
		return types.StringValue(string(s[:n]))
	}
	if n > maxResultLen {
		return nullV
	}
	fill := make([]rune, 0, n)
	for need := int(n) - len(s); len(fill) < need; {
		fill = append(fill, p[:min(len(p), need-len(fill))]...)
	}
	if left {
		return types.StringValue(string(fill) + string(s))
	}
	return types.StringValue(string(s) + string(fill))
}

// maxResultLen bounds the strings REPEAT and the pads build (a larger
// result is an error / NULL rather than an out-of-memory crash).
const maxResultLen = 1 << 28

func repeat(ctx *Ctx, v [4]types.Value) types.Value {
	n := v[1].I
	if n <= 0 || v[0].S == "" {
		return types.StringValue("")
	}
	if n > maxResultLen/int64(len(v[0].S)) {
		return Fail(ctx, fmt.Errorf("REPEAT: the result of %d repetitions of a %d-byte string is too large", n, len(v[0].S)))
	}
	return types.StringValue(strings.Repeat(v[0].S, int(n)))
}

func translate(s, from, to string) string {
	fr, tr := []rune(from), []rune(to)
	m := map[rune]int{}
	for i, r := range fr {
		if _, dup := m[r]; !dup {
			m[r] = i
		}
	}
	var b strings.Builder
	for _, r := range s {
		i, ok := m[r]
		switch {
		case !ok:
			b.WriteRune(r)
		case i < len(tr):
			b.WriteRune(tr[i])
		}
	}
	return b.String()
}

// initcap is Calcite's SqlFunctions.initcap (Flink's INITCAP): ASCII
// letters and digits form words; anything else separates them.
func initcap(s string) string {
	start := true
	var b strings.Builder
	for _, c := range s {
		isDigit, isUpper, isLower := c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z'
		switch {
		case start && (isDigit || isUpper):
			start = false
		case start && isLower:
			start = false
			c -= 32
		case !start && isUpper:
			c += 32
		case !start && !isDigit && !isLower:
			start = true
		}
		b.WriteRune(c)
	}
	return b.String()
}

func splitIndex(_ *Ctx, v [4]types.Value) types.Value {
	s, sep, idx := v[0].S, v[1].S, v[2].I
	if idx < 0 || s == "" {
		return nullV
	}
	var parts []string
	if sep == "" {
		parts = strings.FieldsFunc(s, unicode.IsSpace)
	} else {
		parts = strings.Split(s, sep)
	}
	if idx >= int64(len(parts)) {
		return nullV
	}
	return types.StringValue(parts[idx])
}

// ---- regular expressions

// regexArg compiles a constant pattern once (an invalid one is an error
// at compile time) or a per-row pattern with a one-entry cache (an
// invalid one gives NULL, as Flink's functions do).
func regexArg(a Arg, f Eval) (func(ctx *Ctx, row []types.Value) (*regexp.Regexp, bool), error) {
	if a.Konst {
		if a.V.K == types.Null {
			return func(*Ctx, []types.Value) (*regexp.Regexp, bool) { return nil, false }, nil
		}
		re, err := regexp.Compile(a.V.S)
		if err != nil {
			return nil, fmt.Errorf("invalid regular expression %q: %v", a.V.S, err)
		}
		return func(*Ctx, []types.Value) (*regexp.Regexp, bool) { return re, true }, nil
	}
	var last *regexp.Regexp
	var lastS string
	return func(ctx *Ctx, row []types.Value) (*regexp.Regexp, bool) {
		v := f(ctx, row)
		if v.K == types.Null {
			return nil, false
		}
		if last == nil || v.S != lastS {
			re, err := regexp.Compile(v.S)
			if err != nil {
				return nil, false
			}
			last, lastS = re, v.S
		}
		return last, true
	}, nil
}

// withRegex builds a function of a string (argument 0) and a pattern
// (argument 1) plus further arguments (integers as they are, others as
// strings), NULL when any is NULL.
func withRegex(env *Env, args []Arg, g func(ctx *Ctx, s string, re *regexp.Regexp, rest [2]types.Value) types.Value) (Eval, error) {
	fs := make([]Eval, len(args))
	for i, a := range args {
		fs[i] = a.F
		if !a.T.Kind.IsInteger() {
			f, err := env.Strings(args[i : i+1])
			if err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
			fs[i] = f[0]
		}
	}
	pat, err := regexArg(args[1], fs[1])
	if err != nil {
		return nil, err
	}
	fx, rest := fs[0], fs[2:]
	return func(ctx *Ctx, row []types.Value) types.Value {
		x := fx(ctx, row)
		if x.K == types.Null {
			return nullV
		}
		re, ok := pat(ctx, row)
		if !ok {
			return nullV
		}
		var rv [2]types.Value
		for i, f := range rest {
			if rv[i] = f(ctx, row); rv[i].K == types.Null {
				return nullV
			}
		}
		return g(ctx, x.S, re, rv)
	}, nil
}

func buildRegexp(env *Env, call *Call, args []Arg) (Eval, error) {
	return withRegex(env, args, func(_ *Ctx, s string, re *regexp.Regexp, _ [2]types.Value) types.Value {
		return BoolV(re.MatchString(s))
	})
}

func buildRegexpReplace(env *Env, call *Call, args []Arg) (Eval, error) {
	return withRegex(env, args, func(_ *Ctx, s string, re *regexp.Regexp, r [2]types.Value) types.Value {
		return types.StringValue(re.ReplaceAllLiteralString(s, r[0].S))
	})
}

func buildRegexpExtract(env *Env, call *Call, args []Arg) (Eval, error) {
	hasGroup := len(args) == 3
	return withRegex(env, args, func(ctx *Ctx, s string, re *regexp.Regexp, rest [2]types.Value) types.Value {
		g := int64(1)
		if hasGroup {
			g = rest[0].I
		}
		if g < 0 || g > int64(re.NumSubexp()) {
			return nullV
		}
		m := re.FindStringSubmatchIndex(s)
		if m == nil || m[2*g] < 0 {
			return nullV
		}
		return types.StringValue(s[m[2*g]:m[2*g+1]])
	})
}

func buildParseURL(env *Env, call *Call, args []Arg) (Eval, error) {
	return strict(func(_ *Ctx, v [4]types.Value) types.Value {
		u, err := url.Parse(v[0].S)
		if err != nil || u.Scheme == "" || u.Opaque != "" {
			return nullV
		}
		opt := func(s string, present bool) types.Value {
			if !present {
				return nullV
			}
			return types.StringValue(s)
		}
		switch strings.ToUpper(v[1].S) {
		case "HOST":
			return opt(u.Hostname(), u.Host != "")
		case "PATH":
			return types.StringValue(u.EscapedPath())
		case "QUERY":
			if len(args) == 3 {
				for _, kv := range strings.Split(u.RawQuery, "&") {
					if k, val, ok := strings.Cut(kv, "="); ok && k == v[2].S {
						return types.StringValue(val)
					}
				}
				return nullV
			}
			return opt(u.RawQuery, u.RawQuery != "" || u.ForceQuery)
		case "REF":
			return opt(u.EscapedFragment(), u.Fragment != "")
		case "PROTOCOL":
			return types.StringValue(u.Scheme)
		case "AUTHORITY":
			a := u.Host
			if u.User != nil {
				a = u.User.String() + "@" + a
			}
			return opt(a, a != "")
		case "FILE":
			f := u.EscapedPath()
			if u.RawQuery != "" || u.ForceQuery {
				f += "?" + u.RawQuery
			}
			return types.StringValue(f)
		case "USERINFO":
			if u.User == nil {
				return nullV
			}
			return types.StringValue(u.User.String())
		}
		return nullV
	}, "sss")(env, call, args)
}
