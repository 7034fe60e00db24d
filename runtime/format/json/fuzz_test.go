package json

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"math"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// FuzzDecode checks that Decode never panics, and that on every input
// encoding/json accepts as an object it succeeds and extracts the same
// values encoding/json sees (strings exactly, numbers as float64 / text).
// Three differences are Jackson's (Flink's parser), not encoding/json's:
// a UTF-8 byte order mark in front is skipped, invalid UTF-8 is an error
// where encoding/json replaces it with U+FFFD, and a raw control
// character in a string is accepted (ALLOW_UNESCAPED_CONTROL_CHARS): the
// oracle sees it escaped.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"a":"x","b":1,"c":true}`, `{"a":"\u00e9\ud83d\ude00","b":-1.5e3,"z":[{"a":1}]}`, `{}`, `[]`, `{"a":null}`,
		`{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"b":12345678901234567890}`, `{"c":"true","b":"7"}`, ` {"a" : "x" } `,
		`{"n":{"a":"}","b":["]",{}]},"a":"y"}`, `{"a":1,"a":"2"}`, "\xef\xbb\xbf{\"a\":\"\xc3\xa9\"}",
		"{\"z\":\"\xc3\"}", "{\"a\":\"x\ty\x01\",\"c\":false}", "{\"a\":\"\\\"\x1f\"}",
	} {
		f.Add([]byte(s))
	}
	cols := planner.Schema{{Name: "a", Type: types.TString}, {Name: "b", Type: types.TDouble}, {Name: "c", Type: types.TBoolean}}
	d, err := NewDecoder(cols, Options{})
	if err != nil {
		f.Fatal(err)
	}
	d2, _ := NewDecoder(cols, Options{IgnoreParseErrors: true})
	f.Fuzz(func(t *testing.T, in []byte) {
		row := make(core.Row, 3)
		err := d.Decode(in, row)
		_ = d2.Decode(in, make(core.Row, 3))
		in = escapeControls(bytes.TrimPrefix(in, []byte("\xef\xbb\xbf")))
		if !stdjson.Valid(in) || !utf8.Valid(in) {
			if err == nil {
				t.Fatalf("%q: encoding/json rejects it, Decode accepted it", in)
			}
			return
		}
		var m map[string]any
		if stdjson.Unmarshal(in, &m) != nil || m == nil {
			var anyv any
			if stdjson.Unmarshal(in, &anyv) == nil {
				if _, isObj := anyv.(map[string]any); !isObj && err == nil {
					t.Fatalf("%q is valid JSON but not an object; Decode accepted it", in)
				}
			}
			return // valid JSON that encoding/json cannot hold (number out of range)
		}
		// valid object: the values match when Decode succeeds; an error
		// must come from a type mismatch (checked below)
		for i, name := range []string{"a", "b", "c"} {
			v, present := m[name]
			got := row[i]
			switch x := v.(type) {
			case nil:
				if err == nil && !got.IsNull() {
					t.Fatalf("%q: field %s: want NULL, got %#v", in, name, got)
				}
				_ = present
			case string:
				switch name {
				case "a":
					if err == nil && got.S != x {
						t.Fatalf("%q: field a: want %q, got %#v (err %v)", in, x, got, err)
					}
				}
			case float64:
				switch name {
				case "b":
					if err == nil && got.F() != x {
						t.Fatalf("%q: field b: want %v, got %v (err %v)", in, x, got.F(), err)
					}
				}
			case bool:
				if name == "c" && err == nil && got.Bool() != x {
					t.Fatalf("%q: field c: want %v, got %#v (err %v)", in, x, got, err)
				}
			}
		}
		if err == nil {
			return
		}
		// A decode error on a valid object is only allowed for a value
		// of a type that does not convert.
		ok := false
		if v, isStr := m["b"].(string); isStr {
			if _, perr := strconv.ParseFloat(v, 64); perr != nil {
				ok = true
			}
		}
		if v, isF := m["b"].(float64); isF && math.IsInf(v, 0) {
			ok = true
		}
		switch m["b"].(type) {
		case bool, map[string]any, []any:
			ok = true
		}
		// an earlier value of a duplicate key may not convert (the
		// decoder converts each as it comes; encoding/json keeps the last)
		if bytes.Count(in, []byte(`"b"`)) > 1 || bytes.Count(in, []byte(`"c"`)) > 1 {
			ok = true
		}
		switch m["c"].(type) {
		case float64, map[string]any, []any, string:
			ok = true
		}
		if !ok {
			t.Fatalf("%q: valid object rejected: %v", in, err)
		}
	})
}

// escapeControls writes every control character inside a JSON string of in
// as a \u escape (outside strings it is left: whitespace or an error).
func escapeControls(in []byte) []byte {
	var out []byte
	inStr, esc := false, false
	for _, c := range in {
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr && c < 0x20:
			out = append(out, fmt.Sprintf("\\u%04x", c)...)
			continue
		}
		out = append(out, c)
	}
	return out
}
