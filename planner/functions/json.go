package functions

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql/types"
)

// JSON functions (Flink's "JSON Functions"). The SQL clauses (RETURNING,
// ON EMPTY, ON ERROR, wrappers, KEY ... VALUE, ON NULL) are rewritten by
// the parser (sql/rewrite.go) into trailing constant arguments, which the
// specs below read: JSON_VALUE(json, path, on_empty, empty_default,
// on_error, error_default), JSON_QUERY(json, path, wrapper, on_empty,
// on_error), JSON_EXISTS(json, path, on_error), JSON_OBJECT(on_null, k1,
// v1, ...), JSON_ARRAY(on_null, v1, ...).

func init() {
	Register(&Spec{Name: "JSON_EXISTS", Category: "json", Syntax: "JSON_EXISTS(json, path [{TRUE | FALSE | UNKNOWN | ERROR} ON ERROR])", MinArgs: 2, MaxArgs: 3,
		Doc:   "Whether the JSON path (lax or strict; $, .key, ['key'], [n], [*], .*) finds something in the JSON string; FALSE ON ERROR by default.",
		Infer: nullable(sig(types.TBoolean, wantString, wantString, wantString)), Build: buildJSONExists,
		Examples: []Example{{`JSON_EXISTS('{"a": true}', '$.a')`, "TRUE"}, {`JSON_EXISTS('{"a": true}', '$.b')`, "FALSE"},
			{`JSON_EXISTS('{"a": [{ "b": 1 }]}', '$.a[0].b')`, "TRUE"}, {`JSON_EXISTS('{"a": true}', 'strict $.b' TRUE ON ERROR)`, "TRUE"},
			{`JSON_EXISTS('{"a": true}', 'strict $.b' FALSE ON ERROR)`, "FALSE"}, {`JSON_EXISTS('{"a": true}', 'strict $.b' UNKNOWN ON ERROR)`, "NULL"},
			{`JSON_EXISTS('{"a": true}', 'strict $.b' ERROR ON ERROR)`, "error: no member b"}, {`JSON_EXISTS('not json', '$')`, "FALSE"}, {"JSON_EXISTS(ns, '$')", "NULL"},
			{"JSON_EXISTS(s, '$' NULL ON ERROR)", "error: NULL ON ERROR is not a behaviour of JSON_EXISTS"}}})
	Register(&Spec{Name: "JSON_VALUE", Category: "json", Syntax: "JSON_VALUE(json, path [RETURNING type] [{NULL | ERROR | DEFAULT value} ON EMPTY] [{NULL | ERROR | DEFAULT value} ON ERROR])",
		MinArgs: 2, MaxArgs: 6,
		Doc:   "The scalar at the JSON path, as a STRING or the RETURNING type; NULL ON EMPTY and NULL ON ERROR by default (an object or array is an error).",
		Infer: nullable(sig(types.TString, wantString, wantString, wantString, nil, wantString)), Build: buildJSONValue,
		Examples: []Example{{`JSON_VALUE('{"a": true}', '$.a')`, "true"}, {`JSON_VALUE('{"a": true}', '$.a' RETURNING BOOLEAN)`, "TRUE"},
			{`JSON_VALUE('{"a": true}', 'lax $.b' DEFAULT FALSE ON EMPTY)`, "FALSE"}, {`JSON_VALUE('{"a": true}', 'strict $.b' DEFAULT FALSE ON ERROR)`, "FALSE"},
			{`JSON_VALUE('{"a.b": [0.998,0.996]}', '$.["a.b"][0]' RETURNING DOUBLE)`, "0.998"},
			{`JSON_VALUE('{"contains blank": "right"}', 'strict $.[''contains blank'']' NULL ON EMPTY DEFAULT 'wrong' ON ERROR)`, "right"},
			{`JSON_VALUE('{"a": {"b": 1}}', '$.a')`, "NULL"}, {`JSON_VALUE('{"a": 1.50}', '$.a')`, "1.5"}, {`JSON_VALUE('{"a": 7}', '$.a' RETURNING INT) + 1`, "8"},
			{`JSON_VALUE('{"a": "x"}', '$.a' RETURNING INT)`, "NULL"}, {`JSON_VALUE('{"a": null}', '$.a')`, "NULL"}, {`JSON_VALUE('[1, 2]', '$[5]' ERROR ON EMPTY)`, "error: empty"},
			{`JSON_VALUE('oops', '$.a' ERROR ON ERROR)`, "error: invalid JSON"}, {"JSON_VALUE(ns, '$.a')", "NULL"},
			{"JSON_VALUE(s, '$' RETURNING)", "error: expected a type after RETURNING"}, {"JSON_VALUE(s, 'a.b')", "error: it must start with $"}}})
	Register(&Spec{Name: "JSON_QUERY", Category: "json", Syntax: "JSON_QUERY(json, path [{WITHOUT | WITH CONDITIONAL | WITH UNCONDITIONAL} [ARRAY] WRAPPER] [{NULL | EMPTY ARRAY | EMPTY OBJECT | ERROR} ON EMPTY] [... ON ERROR])",
		MinArgs: 2, MaxArgs: 5,
		Doc:   "The JSON object or array at the path as a JSON string (a scalar needs a wrapper); NULL ON EMPTY and NULL ON ERROR by default.",
		Infer: nullable(sig(types.TString, wantString, wantString, wantString, wantString, wantString)), Build: buildJSONQuery,
		Examples: []Example{{`JSON_QUERY('{ "a": { "b": 1 } }', '$.a')`, `{"b":1}`}, {`JSON_QUERY('[1, 2]', '$')`, "[1,2]"}, {"JSON_QUERY(CAST(NULL AS STRING), '$')", "NULL"},
			{`JSON_QUERY('{"a":[{"c":"c1"},{"c":"c2"}]}', 'lax $.a[*].c')`, `["c1","c2"]`}, {`JSON_QUERY('{}', '$' WITH CONDITIONAL ARRAY WRAPPER)`, "[{}]"},
			{`JSON_QUERY('[1, 2]', '$' WITH CONDITIONAL ARRAY WRAPPER)`, "[1,2]"}, {`JSON_QUERY('[1, 2]', '$' WITH UNCONDITIONAL ARRAY WRAPPER)`, "[[1,2]]"},
			{"JSON_QUERY('1', '$')", "NULL"}, {"JSON_QUERY('1', '$' WITH CONDITIONAL ARRAY WRAPPER)", "[1]"},
			{`JSON_QUERY('{}', 'lax $.invalid' EMPTY OBJECT ON EMPTY)`, "{}"}, {`JSON_QUERY('{}', 'strict $.invalid' EMPTY ARRAY ON ERROR)`, "[]"},
			{"JSON_QUERY(s, '$' WITH ARRAY)", "error: expected WRAPPER"}}})
	Register(&Spec{Name: "IS_JSON", Category: "json", Syntax: "value IS [NOT] JSON [VALUE | SCALAR | ARRAY | OBJECT]", MinArgs: 1, MaxArgs: 2,
		Doc: "Whether the string is valid JSON (of the given kind; VALUE by default); FALSE for NULL.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantString(a, 0), wantString(a, 1)); e != nil {
				return types.Type{}, e
			}
			return types.Type{Kind: types.Boolean, NotNull: true}, nil
		},
		Build: buildIsJSON,
		Examples: []Example{{"'1' IS JSON", "TRUE"}, {"'[]' IS JSON", "TRUE"}, {"'{}' IS JSON", "TRUE"}, {`'"abc"' IS JSON`, "TRUE"}, {"'abc' IS JSON", "FALSE"},
			{"ns IS JSON", "FALSE"}, {"'1' IS JSON SCALAR", "TRUE"}, {"'1' IS JSON ARRAY", "FALSE"}, {"'1' IS JSON OBJECT", "FALSE"}, {"'{}' IS JSON SCALAR", "FALSE"},
			{"'{}' IS JSON ARRAY", "FALSE"}, {"'{}' IS JSON OBJECT", "TRUE"}, {"'abc' IS NOT JSON", "TRUE"}, {"'[1]' IS NOT JSON ARRAY AND b", "FALSE"},
			{"IS_JSON('{}', 'OBJECT')", "TRUE"}}})
	Register(&Spec{Name: "JSON_STRING", Category: "json", Syntax: "JSON_STRING(value)", MinArgs: 1, MaxArgs: 1,
		Doc:   "The value serialized as JSON; NULL for NULL.",
		Infer: func(a []Operand) (types.Type, *ArgError) { return withNull(types.TString, a), nil }, Build: buildJSONString,
		Examples: []Example{{"JSON_STRING(CAST(NULL AS INT))", "NULL"}, {"JSON_STRING(1)", "1"}, {"JSON_STRING(TRUE)", "true"},
			{"JSON_STRING('Hello, World!')", `"Hello, World!"`}, {"JSON_STRING(d)", "2.5"}, {`JSON_STRING('a"b')`, `"a\"b"`}}})
	Register(&Spec{Name: "JSON_OBJECT", Category: "json", Syntax: "JSON_OBJECT([[KEY] key VALUE value]* [{NULL | ABSENT} ON NULL])", MinArgs: 1, MaxArgs: -1,
		Doc:   "A JSON object string of the key-value pairs (NULL ON NULL by default); values made by JSON_OBJECT or JSON_ARRAY are nested as JSON.",
		Infer: jsonCtorType(true), Build: buildJSONObject,
		Examples: []Example{{"JSON_OBJECT()", "{}"}, {"JSON_OBJECT('K1' VALUE 'V1', 'K2' VALUE 'V2')", `{"K1":"V1","K2":"V2"}`}, {"JSON_OBJECT('n' VALUE i)", `{"n":7}`},
			{"JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) NULL ON NULL)", `{"K1":null}`}, {"JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) ABSENT ON NULL)", "{}"},
			{"JSON_OBJECT(KEY 'K1' VALUE JSON_OBJECT(KEY 'K2' VALUE 'V'))", `{"K1":{"K2":"V"}}`}, {"JSON_OBJECT(KEY ns VALUE 1)", "error: key"}}})
	Register(&Spec{Name: "JSON_ARRAY", Category: "json", Syntax: "JSON_ARRAY([value]* [{NULL | ABSENT} ON NULL])", MinArgs: 1, MaxArgs: -1,
		Doc:   "A JSON array string of the values (ABSENT ON NULL by default); values made by JSON_OBJECT or JSON_ARRAY are nested as JSON.",
		Infer: jsonCtorType(false), Build: buildJSONArray,
		Examples: []Example{{"JSON_ARRAY()", "[]"}, {"JSON_ARRAY(1, '2')", `[1,"2"]`}, {"JSON_ARRAY(CAST(NULL AS STRING) NULL ON NULL)", "[null]"},
			{"JSON_ARRAY(CAST(NULL AS STRING) ABSENT ON NULL)", "[]"}, {"JSON_ARRAY(JSON_ARRAY(1))", "[[1]]"}, {"JSON_ARRAY(i, s, b)", `[7,"hello",true]`}}})
}

func buildIsJSON(env *Env, call *Call, args []Arg) (Eval, error) {
	kind, err := modeArg(args, 1)
	if err != nil {
		return nil, err
	}
	want := map[string]string{"": "", "VALUE": "", "SCALAR": "snbz", "ARRAY": "a", "OBJECT": "o"}
	kinds, ok := want[kind]
	if !ok {
		return nil, fmt.Errorf("unknown JSON kind %s (VALUE, SCALAR, ARRAY or OBJECT)", kind)
	}
	fs, err := env.Strings(args[:1])
	if err != nil {
		return nil, err
	}
	f := fs[0]
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return BoolV(false)
		}
		n, err := parseJSON(v.S)
		return BoolV(err == nil && (kinds == "" || strings.IndexByte(kinds, n.kind) >= 0))
	}, nil
}

// ---- an order-keeping JSON tree

type jnode struct {
	kind byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' boolean, 'z' null
	s    string
	keys []string
	vals []*jnode // object values or array elements
}

var errBadJSON = errors.New("invalid JSON")

func parseJSON(s string) (*jnode, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	n, err := decodeJSON(d)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: text after the value", errBadJSON)
	}
	return n, nil
}

func decodeJSON(d *json.Decoder) (*jnode, error) {
	t, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: 'o'}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSON(d)
				if err != nil {
					return nil, err
				}
				n.keys, n.vals = append(n.keys, k.(string)), append(n.vals, v)
			}
			_, err := d.Token()
			return n, err
		case '[':
			n := &jnode{kind: 'a'}
			for d.More() {
				v, err := decodeJSON(d)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, v)
			}
			_, err := d.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case string:
		return &jnode{kind: 's', s: t}, nil
	case json.Number:
		return &jnode{kind: 'n', s: string(t)}, nil
	case bool:
		return &jnode{kind: 'b', s: strconv.FormatBool(t)}, nil
	case nil:
		return &jnode{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", t)
}

// appendJSONString appends s as a JSON string (Jackson's escaping).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch r {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		default:
			if r < 0x20 {
				b = fmt.Appendf(b, `\u%04X`, r)
			} else {
				b = append(b, string(r)...)
			}
		}
	}
	return append(b, '"')
}

func (n *jnode) append(b []byte) []byte {
	switch n.kind {
	case 'o':
		b = append(b, '{')
		for i, k := range n.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = n.vals[i].append(b)
		}
		return append(b, '}')
	case 'a':
		b = append(b, '[')
		for i, v := range n.vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = v.append(b)
		}
		return append(b, ']')
	case 's':
		return appendJSONString(b, n.s)
	case 'z':
		return append(b, "null"...)
	}
	return append(b, n.s...)
}

// scalarText is a scalar's text as Flink's JSON_VALUE returns it:
// strings unquoted, integers as written, other numbers as Java doubles.
func (n *jnode) scalarText() string {
	if n.kind == 'n' && strings.ContainsAny(n.s, ".eE") {
		if f, err := strconv.ParseFloat(n.s, 64); err == nil {
			return string(types.AppendDouble(nil, f, 64))
		}
	}
	return n.s
}

// ---- JSON paths

type jstep struct {
	key   string
	index int
	kind  byte // 'k' member, 'i' index, '*' any member or element
}

type jpath struct {
	strict bool
	steps  []jstep
}

func parseJSONPath(p string) (*jpath, error) {
	jp := &jpath{}
	s := strings.TrimSpace(p)
	switch {
	case strings.HasPrefix(s, "strict "):
		jp.strict, s = true, strings.TrimSpace(s[7:])
	case strings.HasPrefix(s, "lax "):
		s = strings.TrimSpace(s[4:])
	}
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("invalid JSON path %q: it must start with $", p)
	}
	s = s[1:]
	for s != "" {
		switch {
		case strings.HasPrefix(s, ".*"):
			jp.steps, s = append(jp.steps, jstep{kind: '*'}), s[2:]
		case strings.HasPrefix(s, ".["):
			s = s[1:]
		case s[0] == '.':
			end := strings.IndexAny(s[1:], ".[")
			if end < 0 {
				end = len(s) - 1
			}
			if end == 0 {
				return nil, fmt.Errorf("invalid JSON path %q: empty member name", p)
			}
			jp.steps, s = append(jp.steps, jstep{kind: 'k', key: s[1 : end+1]}), s[end+1:]
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("invalid JSON path %q: missing ]", p)
			}
			in := strings.TrimSpace(s[1:end])
			switch {
			case in == "*":
				jp.steps = append(jp.steps, jstep{kind: '*'})
			case len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0]:
				jp.steps = append(jp.steps, jstep{kind: 'k', key: in[1 : len(in)-1]})
			default:
				i, err := strconv.Atoi(in)
				if err != nil || i < 0 {
					return nil, fmt.Errorf("invalid JSON path %q: bad subscript [%s]", p, in)
				}
				jp.steps = append(jp.steps, jstep{kind: 'i', index: i})
			}
			s = s[end+1:]
		default:
			return nil, fmt.Errorf("invalid JSON path %q at %q", p, s)
		}
	}
	return jp, nil
}

// eval returns the matches; wild reports a wildcard (the matches form a
// list); a strict path that does not match is an error.
func (jp *jpath) eval(root *jnode) (out []*jnode, wild bool, err error) {
	cur := []*jnode{root}
	for _, st := range jp.steps {
		var next []*jnode
		for _, n := range cur {
			switch st.kind {
			case '*':
				wild = true
				if n.kind == 'o' || n.kind == 'a' {
					next = append(next, n.vals...)
				} else if jp.strict {
					return nil, wild, errors.New("wildcard on a scalar")
				}
			case 'k':
				found := false
				if n.kind == 'o' {
					for i, k := range n.keys {
						if k == st.key {
							next, found = append(next, n.vals[i]), true
							break
						}
					}
				}
				if !found && jp.strict {
					return nil, wild, fmt.Errorf("no member %s", st.key)
				}
			case 'i':
				if n.kind == 'a' && st.index < len(n.vals) {
					next = append(next, n.vals[st.index])
				} else if jp.strict {
					return nil, wild, fmt.Errorf("no element [%d]", st.index)
				}
			}
		}
		cur = next
	}
	return cur, wild, nil
}

// pathArg compiles a constant path once or a per-row one.
func pathArg(a Arg, f Eval) (func(ctx *Ctx, row []types.Value) (*jpath, bool, error), error) {
	if a.Konst {
		if a.V.K == types.Null {
			return func(*Ctx, []types.Value) (*jpath, bool, error) { return nil, false, nil }, nil
		}
		p, err := parseJSONPath(a.V.S)
		if err != nil {
			return nil, err
		}
		return func(*Ctx, []types.Value) (*jpath, bool, error) { return p, true, nil }, nil
	}
	return func(ctx *Ctx, row []types.Value) (*jpath, bool, error) {
		v := f(ctx, row)
		if v.K == types.Null {
			return nil, false, nil
		}
		p, err := parseJSONPath(v.S)
		return p, true, err
	}, nil
}

// modeArg is the constant mode argument i ("" when absent).
func modeArg(args []Arg, i int) (string, error) {
	if i >= len(args) || args[i].Konst && args[i].V.K == types.Null {
		return "", nil
	}
	if !args[i].Konst || args[i].V.K != types.String {
		return "", fmt.Errorf("argument %d must be a constant behaviour (as the ON EMPTY / ON ERROR / WRAPPER clauses give)", i+1)
	}
	return strings.ToUpper(args[i].V.S), nil
}

// jsonQuery evaluates the json and path arguments: matches, or NULL input
// (ok false), or an error (bad JSON, bad or strict path).
func jsonQuery(env *Env, args []Arg) (func(ctx *Ctx, row []types.Value) ([]*jnode, bool, bool, error), error) {
	fs, err := env.Strings(args[:2])
	if err != nil {
		return nil, err
	}
	path, err := pathArg(args[1], fs[1])
	if err != nil {
		return nil, err
	}
	fj := fs[0]
	return func(ctx *Ctx, row []types.Value) ([]*jnode, bool, bool, error) {
		v := fj(ctx, row)
		if v.K == types.Null {
			return nil, false, false, nil
		}
		p, ok, err := path(ctx, row)
		if err != nil || !ok {
			return nil, false, ok, err
		}
		root, err := parseJSON(v.S)
		if err != nil {
			return nil, false, true, err
		}
		m, wild, err := p.eval(root)
		return m, wild, true, err
	}, nil
}

func buildJSONExists(env *Env, call *Call, args []Arg) (Eval, error) {
	onErr, err := modeArg(args, 2)
	if err != nil {
		return nil, err
	}
	q, err := jsonQuery(env, args)
	if err != nil {
		return nil, err
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		m, _, ok, err := q(ctx, row)
		if err != nil {
			switch onErr {
			case "TRUE":
				return BoolV(true)
			case "UNKNOWN":
				return nullV
			case "ERROR":
				return Fail(ctx, fmt.Errorf("JSON_EXISTS: %w", err))
			}
			return BoolV(false)
		}
		if !ok {
			return nullV
		}
		return BoolV(len(m) > 0)
	}, nil
}

func buildJSONValue(env *Env, call *Call, args []Arg) (Eval, error) {
	var modes [2]string
	var defs [2]Eval
	for i := range modes {
		m, err := modeArg(args, 2+2*i)
		if err != nil {
			return nil, err
		}
		modes[i] = m
		if m == "DEFAULT" && 3+2*i < len(args) {
			f, err := env.Strings(args[3+2*i : 4+2*i])
			if err != nil {
				return nil, err
			}
			defs[i] = f[0]
		}
	}
	q, err := jsonQuery(env, args)
	if err != nil {
		return nil, err
	}
	// behave applies ON EMPTY (0) or ON ERROR (1).
	behave := func(ctx *Ctx, row []types.Value, which int, why error) types.Value {
		switch modes[which] {
		case "ERROR":
			return Fail(ctx, fmt.Errorf("JSON_VALUE: %w", why))
		case "DEFAULT":
			return defs[which](ctx, row)
		}
		return nullV
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		m, wild, ok, err := q(ctx, row)
		switch {
		case err != nil:
			return behave(ctx, row, 1, err)
		case !ok:
			return nullV
		case len(m) == 0 || !wild && len(m) == 1 && m[0].kind == 'z':
			return behave(ctx, row, 0, errors.New("the path found nothing (empty)"))
		case wild || m[0].kind == 'o' || m[0].kind == 'a':
			return behave(ctx, row, 1, errors.New("the path found an object or array, not a scalar"))
		}
		return types.StringValue(m[0].scalarText())
	}, nil
}

func buildJSONQuery(env *Env, call *Call, args []Arg) (Eval, error) {
	var modes [3]string
	for i := range modes {
		m, err := modeArg(args, 2+i)
		if err != nil {
			return nil, err
		}
		modes[i] = m
	}
	wrapper, onEmpty, onErr := modes[0], modes[1], modes[2]
	q, err := jsonQuery(env, args)
	if err != nil {
		return nil, err
	}
	behave := func(ctx *Ctx, mode string, why error) types.Value {
		switch mode {
		case "EMPTY ARRAY":
			return types.StringValue("[]")
		case "EMPTY OBJECT":
			return types.StringValue("{}")
		case "ERROR":
			return Fail(ctx, fmt.Errorf("JSON_QUERY: %w", why))
		}
		return nullV
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		m, wild, ok, err := q(ctx, row)
		switch {
		case err != nil:
			return behave(ctx, onErr, err)
		case !ok:
			return nullV
		case len(m) == 0:
			return behave(ctx, onEmpty, errors.New("the path found nothing (empty)"))
		}
		r := m[0]
		if wild {
			r = &jnode{kind: 'a', vals: m}
		}
		switch {
		case wrapper == "UNCONDITIONAL", wrapper == "CONDITIONAL" && r.kind != 'a':
			r = &jnode{kind: 'a', vals: []*jnode{r}}
		case r.kind != 'o' && r.kind != 'a':
			return behave(ctx, onErr, errors.New("the path found a scalar, which needs WITH ARRAY WRAPPER"))
		}
		return types.StringValue(string(r.append(nil)))
	}, nil
}

// jsonCtorType types JSON_OBJECT / JSON_ARRAY: argument 0 is the ON NULL
// behaviour; JSON_OBJECT's keys must be strings.
func jsonCtorType(object bool) func([]Operand) (types.Type, *ArgError) {
	return func(a []Operand) (types.Type, *ArgError) {
		if object {
			if len(a)%2 != 1 {
				return types.Type{}, &ArgError{-1, "JSON_OBJECT takes key VALUE value pairs"}
			}
			for i := 1; i < len(a); i += 2 {
				if e := wantString(a, i); e != nil {
					return types.Type{}, &ArgError{i, "a JSON_OBJECT key must be a string, not " + a[i].T.WithoutRowtime().String()}
				}
			}
		}
		return types.Type{Kind: types.String, NotNull: true}, nil
	}
}

// jsonValueOf returns a serializer of one SQL argument to JSON: values
// made by JSON_OBJECT / JSON_ARRAY are inserted as JSON, others encoded.
func jsonValueOf(a Arg) func(b []byte, v types.Value, loc *time.Location) []byte {
	if a.Func == "JSON_OBJECT" || a.Func == "JSON_ARRAY" {
		return func(b []byte, v types.Value, _ *time.Location) []byte { return append(b, v.S...) }
	}
	t := a.T
	return func(b []byte, v types.Value, loc *time.Location) []byte { return appendSQLAsJSON(b, v, t, loc) }
}

// appendSQLAsJSON encodes a non-NULL SQL value as JSON.
func appendSQLAsJSON(b []byte, v types.Value, t types.Type, loc *time.Location) []byte {
	k := t.Kind
	if k == types.Null {
		k = v.K
	}
	switch {
	case v.K == types.Null:
		return append(b, "null"...)
	case k == types.Boolean:
		return strconv.AppendBool(b, v.I != 0)
	case k.IsNumeric():
		return types.AppendValue(b, v, t, loc)
	case k == types.Array:
		b = append(b, '[')
		xs, _ := v.X.([]types.Value)
		var et types.Type
		if t.Elem != nil {
			et = *t.Elem
		}
		for i, x := range xs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendSQLAsJSON(b, x, et, loc)
		}
		return append(b, ']')
	}
	return appendJSONString(b, types.FormatValue(v, t, loc))
}

func buildJSONString(env *Env, call *Call, args []Arg) (Eval, error) {
	f, t := args[0].F, args[0].T
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		return types.StringValue(string(appendSQLAsJSON(nil, v, t, env.Zone(ctx))))
	}, nil
}

func onNull(args []Arg, def string) (bool, error) {
	m, err := modeArg(args, 0)
	if err != nil {
		return false, err
	}
	if m == "" {
		m = def
	}
	return m == "ABSENT", nil
}

func buildJSONObject(env *Env, call *Call, args []Arg) (Eval, error) {
	absent, err := onNull(args, "NULL")
	if err != nil {
		return nil, err
	}
	n := (len(args) - 1) / 2
	keys, vals := make([]Eval, n), make([]Eval, n)
	enc := make([]func([]byte, types.Value, *time.Location) []byte, n)
	for i := 0; i < n; i++ {
		ks, err := env.Strings(args[1+2*i : 2+2*i])
		if err != nil {
			return nil, err
		}
		keys[i], vals[i], enc[i] = ks[0], args[2+2*i].F, jsonValueOf(args[2+2*i])
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		b := []byte{'{'}
		first := true
		for i := range keys {
			k := keys[i](ctx, row)
			if k.K == types.Null {
				return Fail(ctx, errors.New("JSON_OBJECT: a key is NULL"))
			}
			v := vals[i](ctx, row)
			if v.K == types.Null && absent {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, k.S)
			b = append(b, ':')
			b = enc[i](b, v, env.Zone(ctx))
		}
		return types.StringValue(string(append(b, '}')))
	}, nil
}

func buildJSONArray(env *Env, call *Call, args []Arg) (Eval, error) {
	absent, err := onNull(args, "ABSENT")
	if err != nil {
		return nil, err
	}
	vals := make([]Eval, len(args)-1)
	enc := make([]func([]byte, types.Value, *time.Location) []byte, len(vals))
	for i, a := range args[1:] {
		vals[i], enc[i] = a.F, jsonValueOf(a)
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		b := []byte{'['}
		first := true
		for i, f := range vals {
			v := f(ctx, row)
			if v.K == types.Null && absent {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = enc[i](b, v, env.Zone(ctx))
		}
		return types.StringValue(string(append(b, ']')))
	}, nil
}

// AppendJSON encodes a SQL value of type t as JSON (JSON_ARRAYAGG's
// elements, in runtime/ops).
func AppendJSON(b []byte, v types.Value, t types.Type, loc *time.Location) []byte {
	return appendSQLAsJSON(b, v, t, loc)
}
