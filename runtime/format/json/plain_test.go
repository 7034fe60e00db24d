package json

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func TestPlainText(t *testing.T) {
	long := `{"user_id":"09bc585a-2448-43f2-9e44-31fa3c80db06","event_time":1704067199041}` // > 32 bytes: the unrolled loop
	for _, c := range []struct {
		in   string
		want bool
	}{
		{``, true},
		{`{"a":"x"}`, true},
		{long, true},
		{long + "\t", false},                   // control character in the tail
		{"\x1f" + long, false},                 // control character in the first word
		{long[:40] + "\x7f" + long[40:], true}, // DEL is printable for JSON
		{long[:40] + "\x80" + long[40:], false},
		{long[:40] + "é" + long[40:], false},
		{long[:40] + "\\" + long[40:], false},
		{long[:33] + " " + long[33:], true}, // 0x20 itself is plain
		{long[:33] + "\n" + long[33:], false},
		{long[:8] + "\x00" + long[8:], false},
	} {
		if got := plainText([]byte(c.in)); got != c.want {
			t.Errorf("plainText(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// TestPlainPath checks decodePlain on records it must take and records it
// must leave to the general path; expected rows worked out by hand.
func TestPlainPath(t *testing.T) {
	cols := planner.Schema{{Name: "event_type", Type: types.TString}, {Name: "event_time", Type: types.TBigInt}, {Name: "n", Type: types.TInt}}
	d, err := NewDecoder(cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		in   string
		want core.Row
	}{
		{`{"event_type":"view","event_time":1704067199041,"n":7}`, core.Row{types.StringValue("view"), types.BigIntValue(1704067199041), types.IntValue(7)}},
		{`{"x":-1.5e3,"event_time":0,"y":true,"z":null,"event_type":""}`, core.Row{types.StringValue(""), types.BigIntValue(0), types.NullValue}},
		{`{"event_time":999999999999999999,"event_type":"a","event_type":"b"}`, core.Row{types.StringValue("b"), types.BigIntValue(999999999999999999), types.NullValue}},
	}
	for _, c := range ok {
		row := make(core.Row, 3)
		if !plainDecode(d, c.in, row) {
			t.Errorf("%s: decodePlain declined", c.in)
			continue
		}
		for i := range row {
			if row[i] != c.want[i] && !(c.want[i].IsNull() && !d.seen[i]) {
				t.Errorf("%s: column %d = %#v, want %#v", c.in, i, row[i], c.want[i])
			}
		}
	}
	for _, in := range []string{
		`{}`, `{ "event_type":"v"}`, `{"event_type" :"v"}`, `{"event_type":"v" }`,
		`{"event_time":-1}`, `{"event_time":1.5}`, `{"event_time":1e3}`, `{"event_time":01}`,
		`{"event_time":1234567890123456789}`, `{"n":1234567890}`, `{"event_time":"12"}`,
		`{"event_type":1}`, `{"x":[1]}`, `{"x":{}}`, `{"x":tru}`, `{"x":1.}`, `{"x":"y"`,
		`{"x":"y"}}`, `{"x":"y",}`, `{"x":"y"`, `{"x"`, `{"x":`, `{"x":"`, `["x"]`,
	} {
		if plainDecode(d, in, make(core.Row, 3)) {
			t.Errorf("%s: decodePlain accepted it; the general path must decide", in)
		}
	}
}

// plainDecode runs decodePlain as Decode does, after marking the quotes.
func plainDecode(d *Decoder, in string, row core.Row) bool {
	var plain bool
	d.quotes, plain = plainQuotes([]byte(in), d.quotes)
	return plain && d.decodePlain([]byte(in), row)
}

// TestQuoteMask checks nextQuote against bytes.IndexByte on random plain
// texts of every length around the 64-byte words.
func TestQuoteMask(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	alphabet := []byte(`"#ab:,{}01 !~` + "\x7f")
	for n := 0; n < 200; n++ {
		for trial := 0; trial < 20; trial++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = alphabet[r.Intn(len(alphabet))]
			}
			mask, plain := plainQuotes(b, nil)
			if !plain {
				t.Fatalf("%q: not plain", b)
			}
			for from := 0; from <= n; from++ {
				want := bytes.IndexByte(b[from:], '"')
				if want >= 0 {
					want += from
				}
				if got := nextQuote(mask, from); got != want {
					t.Fatalf("%q from %d: nextQuote %d, want %d", b, from, got, want)
				}
			}
		}
	}
}

// FuzzPlainMatchesGeneral: the plain fast path and the general path give
// the same row and the same verdict on every input.
func FuzzPlainMatchesGeneral(f *testing.F) {
	for _, s := range []string{
		`{"a":"x","b":1,"c":2,"d":1.5}`, `{"a":"x","b":-1,"c":2147483648,"z":null}`, `{"b":123456789012345678901}`,
		`{"b":01}`, `{"a":"\u0041","b":1}`, `{"q":true,"a":"y","b":0}`, `{"b":1,"b":"2"}`, `{"a":"x","b":1`,
	} {
		f.Add([]byte(s))
	}
	cols := planner.Schema{{Name: "a", Type: types.TString}, {Name: "b", Type: types.TBigInt}, {Name: "c", Type: types.TInt}, {Name: "d", Type: types.TDouble}}
	fast, _ := NewDecoder(cols, Options{})
	slow, _ := NewDecoder(cols, Options{})
	slow.general = true
	f.Fuzz(func(t *testing.T, in []byte) {
		r1, r2 := make(core.Row, 4), make(core.Row, 4)
		e1, e2 := fast.Decode(in, r1), slow.Decode(in, r2)
		if (e1 == nil) != (e2 == nil) {
			t.Fatalf("%q: fast path error %v, general path error %v", in, e1, e2)
		}
		if e1 != nil {
			if e1.Error() != e2.Error() {
				t.Fatalf("%q: fast path error %v, general path error %v", in, e1, e2)
			}
			return
		}
		for i := range r1 {
			if r1[i] != r2[i] {
				t.Fatalf("%q: column %d: fast %#v, general %#v", in, i, r1[i], r2[i])
			}
		}
	})
}
