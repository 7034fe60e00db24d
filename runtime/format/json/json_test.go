package json

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func col(name string, t types.Type) planner.Column { return planner.Column{Name: name, Type: t} }

// ts builds epoch millis by hand: days since epoch for 2026-05-28 is
// 20601 (2026-01-01 is day 20454; plus 31+28+31+30 days of January..April and 27 of May).
const day20260528 = int64(20454 + 31 + 28 + 31 + 30 + 27)

func tsMillis(h, m, s, ms int64) int64 {
	return day20260528*86400000 + h*3600000 + m*60000 + s*1000 + ms
}

func decodeOne(t *testing.T, cols planner.Schema, opts Options, in string) (core.Row, error) {
	t.Helper()
	d, err := NewDecoder(cols, opts)
	if err != nil {
		t.Fatal(err)
	}
	row := make(core.Row, len(cols))
	for i := range row {
		row[i] = types.StringValue("garbage") // must be overwritten
	}
	err = d.Decode([]byte(in), row)
	return row, err
}

func TestDecodeTypes(t *testing.T) {
	cases := []struct {
		name string
		t    types.Type
		json string // the field's value
		want types.Value
	}{
		{"bigint", types.TBigInt, `42`, types.BigIntValue(42)},
		{"bigint neg", types.TBigInt, `-9223372036854775808`, types.BigIntValue(math.MinInt64)},
		{"bigint from string", types.TBigInt, `"12"`, types.BigIntValue(12)},
		{"bigint from string padded", types.TBigInt, `" 12 "`, types.BigIntValue(12)},
		{"int truncates fraction", types.TInt, `12.7`, types.IntValue(12)},
		{"int truncates negative", types.TInt, `-12.7`, types.IntValue(-12)},
		{"int exponent", types.TInt, `1.5e2`, types.IntValue(150)},
		{"int from string", types.TInt, `"12"`, types.IntValue(12)},
		{"smallint", types.Type{Kind: types.SmallInt}, `300`, types.IntOf(types.SmallInt, 300)},
		{"tinyint from string", types.Type{Kind: types.TinyInt}, `"-128"`, types.IntOf(types.TinyInt, -128)},
		{"double", types.TDouble, `1.25`, types.DoubleValue(1.25)},
		{"double from int", types.TDouble, `3`, types.DoubleValue(3)},
		{"double from string", types.TDouble, `"2.5"`, types.DoubleValue(2.5)},
		{"double NaN string", types.TDouble, `"NaN"`, types.DoubleValue(math.NaN())},
		{"float", types.Type{Kind: types.Float}, `0.1`, types.FloatValue(0.1)},
		{"string", types.TString, `"hello"`, types.StringValue("hello")},
		{"string escapes", types.TString, `"a\"b\\c\/d\n\t\u00e9\ud83d\ude00"`, types.StringValue("a\"b\\c/d\n\té😀")},
		{"string lone surrogate", types.TString, `"x\ud800y"`, types.StringValue("x\uFFFDy")},
		{"string from number keeps text", types.TString, `12.70`, types.StringValue("12.70")},
		{"string from bool", types.TString, `true`, types.StringValue("true")},
		{"string from object compacts", types.TString, `{ "a" : [1, 2] , "b":"x y" }`, types.StringValue(`{"a":[1,2],"b":"x y"}`)},
		{"string from array", types.TString, `[ 1 ,"2" ]`, types.StringValue(`[1,"2"]`)},
		{"bool true", types.TBoolean, `true`, types.BoolValue(true)},
		{"bool false", types.TBoolean, `false`, types.BoolValue(false)},
		{"bool from string", types.TBoolean, `"TRUE"`, types.BoolValue(true)},
		{"null", types.TBigInt, `null`, types.NullValue},
		{"decimal exact", types.DecimalType(10, 2), `11.1`, types.DecimalValue(1110, 2)},
		{"decimal rounds half up", types.DecimalType(10, 2), `1.005`, types.DecimalValue(101, 2)},
		{"decimal rounds half up negative", types.DecimalType(10, 2), `-1.005`, types.DecimalValue(-101, 2)},
		{"decimal from string", types.DecimalType(10, 3), `"0.125"`, types.DecimalValue(125, 3)},
		{"decimal exponent", types.DecimalType(10, 0), `1.2e3`, types.DecimalValue(1200, 0)},
		{"decimal no float rounding", types.DecimalType(20, 2), `123456789012345678.91`, types.BigDecimalValue(mustBig("12345678901234567891"), 2)},
		{"timestamp sql", types.TTimestamp3, `"2026-05-28 20:28:50.5"`, types.TimestampValue(tsMillis(20, 28, 50, 500))},
		{"timestamp iso", types.TTimestamp3, `"2026-05-28T20:28:50.5"`, types.TimestampValue(tsMillis(20, 28, 50, 500))},
		{"timestamp no fraction", types.TTimestamp3, `"2026-05-28 20:28:50"`, types.TimestampValue(tsMillis(20, 28, 50, 0))},
		{"timestamp nanos truncated", types.TTimestamp3, `"2026-05-28 20:28:50.123456789"`, types.TimestampValue(tsMillis(20, 28, 50, 123))},
		{"ltz with Z", types.TTimestampLTZ, `"2026-05-28 20:28:50.25Z"`, types.TimestampLTZValue(tsMillis(20, 28, 50, 250))},
		{"ltz iso with Z", types.TTimestampLTZ, `"2026-05-28T20:28:50Z"`, types.TimestampLTZValue(tsMillis(20, 28, 50, 0))},
		{"date", types.Type{Kind: types.Date}, `"2026-05-28"`, types.DateValue(day20260528)},
		{"time", types.Type{Kind: types.Time}, `"20:28:50.5"`, types.Value{K: types.Time, I: 20*3600000 + 28*60000 + 50500}},
		{"bytes base64", types.Type{Kind: types.Bytes}, `"aGk="`, types.BytesValue([]byte("hi"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row, err := decodeOne(t, planner.Schema{col("f", c.t)}, Options{}, `{"other":1,"f":`+c.json+`}`)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !sameValue(row[0], c.want) {
				t.Fatalf("got %#v, want %#v", row[0], c.want)
			}
		})
	}
}

func mustBig(s string) *big.Int {
	v, _ := new(big.Int).SetString(s, 10)
	return v
}

func sameValue(a, b types.Value) bool {
	if a.K != b.K || a.S != b.S || a.Scale != b.Scale {
		return false
	}
	if a.K == types.Double || a.K == types.Float {
		fa, fb := a.F(), b.F()
		return fa == fb || (fa != fa && fb != fb)
	}
	switch a.K {
	case types.Decimal:
		return a.Unscaled().Cmp(b.Unscaled()) == 0
	case types.Array, types.Row:
		ea, eb := a.Elems(), b.Elems()
		if len(ea) != len(eb) {
			return false
		}
		for i := range ea {
			if !sameValue(ea[i], eb[i]) {
				return false
			}
		}
		return true
	case types.Map:
		ma, mb := a.X.(*types.MapValue), b.X.(*types.MapValue)
		if len(ma.Keys) != len(mb.Keys) {
			return false
		}
		for i := range ma.Keys {
			if !sameValue(ma.Keys[i], mb.Keys[i]) || !sameValue(ma.Values[i], mb.Values[i]) {
				return false
			}
		}
		return true
	}
	return a.I == b.I
}

func TestDecodeNested(t *testing.T) {
	arr := types.Type{Kind: types.Array, Elem: &types.TBigInt}
	mp := types.Type{Kind: types.Map, Key: &types.TString, Elem: &types.TInt}
	row := types.Type{Kind: types.Row, Fields: []types.Field{{Name: "x", Type: types.TInt}, {Name: "y", Type: types.TString}}}
	cols := planner.Schema{col("a", arr), col("m", mp), col("r", row)}
	got, err := decodeOne(t, cols, Options{}, `{"a":[1,null,"3"],"m":{"k":1,"j":2},"r":{"y":"s","z":{"deep":[1,{"q":"}"}]}}}`)
	if err != nil {
		t.Fatal(err)
	}
	wantA := types.Value{K: types.Array, X: []types.Value{types.BigIntValue(1), types.NullValue, types.BigIntValue(3)}}
	wantM := types.Value{K: types.Map, X: &types.MapValue{Keys: []types.Value{types.StringValue("k"), types.StringValue("j")}, Values: []types.Value{types.IntValue(1), types.IntValue(2)}}}
	wantR := types.Value{K: types.Row, X: []types.Value{types.NullValue, types.StringValue("s")}}
	for i, w := range []types.Value{wantA, wantM, wantR} {
		if !sameValue(got[i], w) {
			t.Errorf("column %d: got %#v, want %#v", i, got[i], w)
		}
	}
}

func TestDecodeRecordRules(t *testing.T) {
	cols := planner.Schema{col("id", types.TBigInt), col("name", types.TString)}
	// skipping of nested and tricky unknown values, case-sensitive names
	row, err := decodeOne(t, cols, Options{}, ` {"ID":5,"skip":{"a":[1,2,{"b":"x\"}]"}],"c":null},"s2":"\\","id":7,"arr":[[],[{}]],"n":-0.5e-3} `)
	if err != nil {
		t.Fatal(err)
	}
	if row[0] != types.BigIntValue(7) || !row[1].IsNull() {
		t.Fatalf("got %v", row)
	}
	// duplicate keys: the last wins (as encoding/json and Jackson)
	row, err = decodeOne(t, cols, Options{}, `{"id":1,"id":2}`)
	if err != nil || row[0] != types.BigIntValue(2) {
		t.Fatalf("duplicate: %v %v", row, err)
	}
	// an escaped key matches
	row, err = decodeOne(t, cols, Options{}, `{"n\u0061me":"x"}`)
	if err != nil || row[1] != types.StringValue("x") {
		t.Fatalf("escaped key: %v %v", row, err)
	}

	malformed := []string{
		``, `   `, `[1,2]`, `"str"`, `12`, `null`, `{`, `{"id":}`, `{"id":1,}`, `{"id" 1}`, `{"id":1} x`,
		`{"id":1}{"id":2}`, `{"a":tru}`, `{"a":"x}`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`,
		`{"a":[1,2}`, `{'a':1}`, `{"id":- 1}`, `{"a":{"b":1]}`,
	}
	for _, in := range malformed {
		_, err := decodeOne(t, cols, Options{}, in)
		if err == nil {
			t.Errorf("%q: expected a parse error", in)
			continue
		}
		if errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%q: error must not be skippable without ignore-parse-errors: %v", in, err)
		}
		_, err = decodeOne(t, cols, Options{IgnoreParseErrors: true}, in)
		if !errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%q: with ignore-parse-errors the error must wrap ErrSkipRecord, got %v", in, err)
		}
	}
}

func TestDecodeConversionErrors(t *testing.T) {
	cols := planner.Schema{col("id", types.TBigInt), col("ts", types.TTimestamp3), col("name", types.TString)}
	bad := []string{
		`{"id":"yesterday","ts":null,"name":"a"}`,
		`{"id":1e30,"name":"a"}`,
		`{"id":true,"name":"a"}`,
		`{"id":"12.5","name":"a"}`,
		`{"id":[1],"name":"a"}`,
		`{"id":1,"ts":"2026-05-28 25:00:00","name":"a"}`,
		`{"id":1,"ts":"2026-02-30 01:00:00","name":"a"}`,
		`{"id":1,"ts":"2026-05-28 20:28:50Z","name":"a"}`, // Z only for TIMESTAMP_LTZ
		`{"id":1,"ts":1748464130000,"name":"a"}`,
	}
	for _, in := range bad {
		_, err := decodeOne(t, cols, Options{}, in)
		if err == nil || errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%s: want a plain conversion error, got %v", in, err)
		}
		// with ignore-parse-errors the bad field is NULL and the row kept
		row, err := decodeOne(t, cols, Options{IgnoreParseErrors: true}, in)
		if err != nil {
			t.Errorf("%s: with ignore-parse-errors: %v", in, err)
			continue
		}
		if row[2] != types.StringValue("a") {
			t.Errorf("%s: row not kept: %v", in, row)
		}
		if !row[0].IsNull() && !row[1].IsNull() {
			t.Errorf("%s: bad field not NULL: %v", in, row)
		}
	}
	_, err := decodeOne(t, cols, Options{}, `{"id":"yesterday"}`)
	if err == nil || !strings.Contains(err.Error(), `field "id"`) || !strings.Contains(err.Error(), `"yesterday"`) || !strings.Contains(err.Error(), "BIGINT") {
		t.Errorf("error should name field, value and type: %v", err)
	}
}

func TestDecodeMissingField(t *testing.T) {
	cols := planner.Schema{col("id", types.TBigInt), col("name", types.TString)}
	row, err := decodeOne(t, cols, Options{}, `{"id":1}`)
	if err != nil || !row[1].IsNull() {
		t.Fatalf("missing field should be NULL: %v %v", row, err)
	}
	_, err = decodeOne(t, cols, Options{FailOnMissingField: true}, `{"id":1}`)
	if err == nil || !strings.Contains(err.Error(), `"name"`) {
		t.Fatalf("fail-on-missing-field: %v", err)
	}
	if _, err := NewDecoder(cols, Options{FailOnMissingField: true, IgnoreParseErrors: true}); err == nil {
		t.Fatal("both options at once must be rejected")
	}
}

func TestEncode(t *testing.T) {
	arr := types.Type{Kind: types.Array, Elem: &types.TInt}
	rowT := types.Type{Kind: types.Row, Fields: []types.Field{{Name: "x", Type: types.TInt}}}
	cols := planner.Schema{
		col("b", types.TBigInt), col("i", types.TInt), col("d", types.TDouble), col("n", types.TString),
		col("dec", types.DecimalType(10, 2)), col("ts", types.TTimestamp3), col("ltz", types.TTimestampLTZ),
		col("s", types.TString), col("ok", types.TBoolean), col("a", arr), col("r", rowT),
	}
	row := core.Row{
		types.BigIntValue(-5), types.IntValue(7), types.DoubleValue(0.5), types.NullValue,
		types.DecimalValue(1110, 2), types.TimestampValue(tsMillis(20, 28, 50, 500)), types.TimestampLTZValue(tsMillis(20, 28, 50, 0)),
		types.StringValue("q\"\\\n\x01é<"), types.BoolValue(true),
		{K: types.Array, X: []types.Value{types.IntValue(1), types.NullValue}},
		{K: types.Row, X: []types.Value{types.IntValue(3)}},
	}
	e, err := NewEncoder(cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Encode([]byte("prefix:"), row)
	if err != nil {
		t.Fatal(err)
	}
	want := `prefix:{"b":-5,"i":7,"d":0.5,"n":null,"dec":11.10,"ts":"2026-05-28 20:28:50.5","ltz":"2026-05-28 20:28:50Z","s":"q\"\\\n\u0001é<","ok":true,"a":[1,null],"r":{"x":3}}`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	var m map[string]any
	if err := stdjson.Unmarshal(got[len("prefix:"):], &m); err != nil || m["s"] != "q\"\\\n\x01é<" {
		t.Fatalf("encoding/json reads it back differently: %v %q", err, m["s"])
	}

	e2, _ := NewEncoder(planner.Schema{col("ts", types.TTimestamp3), col("d", types.TDouble), col("x", types.TDouble), col("y", types.TDouble), col("z", types.TDouble)}, Options{ISO8601: true})
	got, _ = e2.Encode(nil, core.Row{types.TimestampValue(tsMillis(1, 2, 3, 40)), types.DoubleValue(1), types.DoubleValue(1e10), types.DoubleValue(math.NaN()), types.DoubleValue(1e-4)})
	want = `{"ts":"2026-05-28T01:02:03.04","d":1.0,"x":1.0E10,"y":"NaN","z":1.0E-4}`
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	cols := planner.Schema{col("ts", types.TTimestamp3), col("ltz", types.TTimestampLTZ), col("dec", types.DecimalType(12, 3)), col("s", types.TString)}
	in := core.Row{types.TimestampValue(-1), types.TimestampLTZValue(tsMillis(0, 0, 0, 7)), types.DecimalValue(-5, 3), types.StringValue("\u2028\t")}
	for _, iso := range []bool{false, true} {
		e, _ := NewEncoder(cols, Options{ISO8601: iso})
		d, _ := NewDecoder(cols, Options{})
		b, err := e.Encode(nil, in)
		if err != nil {
			t.Fatal(err)
		}
		out := make(core.Row, len(cols))
		if err := d.Decode(b, out); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		for i := range in {
			if !sameValue(in[i], out[i]) {
				t.Errorf("%s: column %d: %#v != %#v", b, i, out[i], in[i])
			}
		}
	}
	if !bytes.Contains(mustEncode(t, cols, in), []byte(`"1969-12-31 23:59:59.999"`)) {
		t.Errorf("negative timestamp: %s", mustEncode(t, cols, in))
	}
	if !bytes.Contains(mustEncode(t, cols, in), []byte(`"dec":-0.005`)) {
		t.Errorf("small decimal: %s", mustEncode(t, cols, in))
	}
}

func mustEncode(t *testing.T, cols planner.Schema, r core.Row) []byte {
	e, _ := NewEncoder(cols, Options{})
	b, err := e.Encode(nil, r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// What Flink's JSON format does, through Jackson, with five hostile inputs
// (docs/semantics.md, "JSON format"): invalid UTF-8 in a string is a parse
// error for the whole record (Jackson: "Invalid UTF-8 start byte"), in a
// field the query reads or not; a UTF-8 byte order mark in front of the
// object is skipped (Jackson's ByteSourceJsonBootstrapper); a duplicate key
// takes the last value (STRICT_DUPLICATE_DETECTION is off by default); 1e400
// is Infinity for DOUBLE and FLOAT (Double.parseDouble) and out of range
// for an integer; a raw control character in a string is taken as it is.
func TestDecodeJacksonEdgeCases(t *testing.T) {
	cols := planner.Schema{col("id", types.TBigInt), col("name", types.TString)}
	badUTF8 := []string{
		"{\"id\":1,\"name\":\"caf\xe9\"}",                // Latin-1 é
		"{\"id\":1,\"name\":\"x\xc3\"}",                  // truncated sequence
		"{\"id\":1,\"skipped\":\"\xff\",\"name\":\"a\"}", // in a field nobody reads
		"{\"id\":1,\"n\xa0me\":\"a\"}",                   // in a key
		"{\"id\":1,\"name\":\"\xed\xa0\x80\"}",           // an encoded surrogate
		"{\"id\":1,\"name\":\"a\\n\xc0\xaf\"}",           // overlong '/', after an escape
	}
	for _, in := range badUTF8 {
		_, err := decodeOne(t, cols, Options{}, in)
		if err == nil || !strings.Contains(err.Error(), "invalid UTF-8") || errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%q: want a record error naming invalid UTF-8, got %v", in, err)
		}
		if _, err := decodeOne(t, cols, Options{IgnoreParseErrors: true}, in); !errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("%q: with ignore-parse-errors the record must be skipped, got %v", in, err)
		}
	}
	row, err := decodeOne(t, cols, Options{}, "{\"id\":1,\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}")
	if err != nil || row[1] != types.StringValue("café 😀") {
		t.Errorf("valid UTF-8: got %v %v", row, err)
	}

	// control characters in strings are taken as they are (Flink enables
	// Jackson's ALLOW_UNESCAPED_CONTROL_CHARS), on every path
	for _, in := range []string{"{\"id\":1,\"name\":\"a\tb\x01\"}", "{\"id\":1,\"name\":\"a\tb\x01\",\"x\":\"\\n\x1f\"}", "{ \"id\":1, \"name\" : \"\\u0041\tb\x01\" }"} {
		row, err := decodeOne(t, cols, Options{}, in)
		if err != nil || row[1].S[len(row[1].S)-3:] != "\tb\x01" {
			t.Errorf("%q: control characters: got %v %v", in, row, err)
		}
	}

	// BOM: skipped in front (the fast path and the general one), an error elsewhere
	for _, in := range []string{"\xef\xbb\xbf{\"id\":7,\"name\":\"a\"}", "\xef\xbb\xbf { \"id\" : 7, \"name\" : \"a\" }"} {
		row, err := decodeOne(t, cols, Options{}, in)
		if err != nil || row[0] != types.BigIntValue(7) || row[1] != types.StringValue("a") {
			t.Errorf("%q: BOM in front: got %v %v", in, row, err)
		}
	}
	if _, err := decodeOne(t, cols, Options{}, "{\"id\":7,\xef\xbb\xbf\"name\":\"a\"}"); err == nil {
		t.Errorf("a BOM inside the object must be a parse error")
	}

	// duplicates: the last wins on the fast path, the general path, in a ROW and a MAP
	nested := planner.Schema{col("r", types.Type{Kind: types.Row, Fields: []types.Field{{Name: "a", Type: types.TBigInt}}}),
		col("m", types.Type{Kind: types.Map, Key: &types.TString, Elem: &types.TBigInt})}
	for _, c := range []struct {
		cols planner.Schema
		in   string
		want string
	}{
		{cols, `{"id":1,"name":"x","id":2}`, "[2 x]"},
		{cols, `{ "id" : 1 , "id" : 3 }`, "[3 NULL]"},
		{nested, `{"r":{"a":1,"a":4},"m":{"k":1,"k":5}}`, "[{4} {k:5}]"},
	} {
		row, err := decodeOne(t, c.cols, Options{}, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := fmtRow(row); got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
	}

	// 1e400
	fl := planner.Schema{col("d", types.TDouble), col("f", types.Type{Kind: types.Float})}
	row, err = decodeOne(t, fl, Options{}, `{"d":1e400,"f":-1e400}`)
	if err != nil || !math.IsInf(row[0].F(), 1) || !math.IsInf(row[1].F(), -1) {
		t.Errorf("1e400 as DOUBLE and FLOAT: want +Inf and -Inf, got %v %v", row, err)
	}
	for _, ty := range []types.Type{types.TBigInt, types.TInt, types.DecimalType(10, 2)} {
		_, err := decodeOne(t, planner.Schema{col("x", ty)}, Options{}, `{"x":1e400}`)
		if err == nil || errors.Is(err, connector.ErrSkipRecord) {
			t.Errorf("1e400 as %s: want a conversion error, got %v", ty, err)
		}
	}
}

// fmtRow renders a row compactly for the tests above.
func fmtRow(r core.Row) string {
	var parts []string
	for _, v := range r {
		parts = append(parts, fmtVal(v))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func fmtVal(v types.Value) string {
	switch v.K {
	case types.Null:
		return "NULL"
	case types.Row:
		var parts []string
		for _, e := range v.Elems() {
			parts = append(parts, fmtVal(e))
		}
		return "{" + strings.Join(parts, " ") + "}"
	case types.Map:
		m := v.X.(*types.MapValue)
		var parts []string
		for i := range m.Keys {
			parts = append(parts, fmtVal(m.Keys[i])+":"+fmtVal(m.Values[i]))
		}
		return "{" + strings.Join(parts, " ") + "}"
	case types.String:
		return v.S
	}
	return types.FormatValue(v, types.Type{Kind: v.K}, nil)
}
