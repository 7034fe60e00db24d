package recording

import (
	"bytes"
	"context"
	"testing"

	"github.com/streamsql/streamsql/runtime/connector"
)

func TestParseLine(t *testing.T) {
	cases := []struct {
		line string
		want Record
	}{
		{`{"a":1}`, Record{Offset: -1, Value: []byte(`{"a":1}`)}},
		{`p=2 ts=1000 {"a":1}`, Record{Partition: 2, Offset: -1, Timestamp: 1000, Value: []byte(`{"a":1}`)}},
		{`ts=5 p=1 off=7 key="u 1" h="trace":"x y" h="n":"" {"a": "b=c"}`, Record{Partition: 1, Offset: 7, Timestamp: 5, Key: []byte("u 1"),
			Headers: []Header{{"trace", []byte("x y")}, {"n", []byte{}}}, Value: []byte(`{"a": "b=c"}`)}},
		{`p=0 value="line\nbreak"`, Record{Offset: -1, Value: []byte("line\nbreak")}},
		{`p=0 ts=1 a=b`, Record{Offset: -1, Timestamp: 1, Value: []byte("a=b")}},
		{`p=0 "just a string"`, Record{Offset: -1, Value: []byte(`"just a string"`)}},
	}
	for _, c := range cases {
		got, err := ParseLine(c.line)
		if err != nil {
			t.Errorf("%s: %v", c.line, err)
			continue
		}
		if !same(got, c.want) {
			t.Errorf("%s:\n got  %+v\n want %+v", c.line, got, c.want)
		}
	}
}

func TestParseLineErrors(t *testing.T) {
	for _, l := range []string{`p=x {}`, `p=-1 {}`, `p=70000 {}`, `off=-2 {}`, `key=abc {}`, `h="a" {}`, `value="x" trailing`} {
		if _, err := ParseLine(l); err == nil {
			t.Errorf("%s: want an error", l)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	recs := []Record{
		{Partition: 3, Offset: 10, Timestamp: 1767225600001, Key: []byte("k"), Value: []byte(`{"x":1}`)},
		{Partition: 0, Offset: -1, Value: []byte("two\nlines")},
		{Partition: 1, Offset: 0, Value: []byte{0xff, 0x00, 'a'}, Key: []byte{}},
		{Partition: 1, Offset: 1, Value: []byte(" padded ")},
		{Partition: 1, Offset: 2, Value: []byte("p=1 looks like a prefix")},
		{Partition: 1, Offset: 3, Value: []byte{}, Headers: []Header{{"h\"q", []byte("v\x01")}}},
	}
	for _, r := range recs {
		line := AppendLine(nil, &r)
		if bytes.ContainsAny(line, "\n\r") {
			t.Errorf("%q: line break in %q", r.Value, line)
		}
		got, err := ParseLine(string(line))
		if err != nil {
			t.Errorf("%s: %v", line, err)
			continue
		}
		if !same(got, r) {
			t.Errorf("%s:\n got  %+v\n want %+v", line, got, r)
		}
	}
}

func TestReaderOffsetsAndSeek(t *testing.T) {
	in := []Located{
		{Record: Record{Partition: 1, Offset: -1, Value: []byte("a")}},
		{Record: Record{Partition: 0, Offset: 5, Value: []byte("b")}},
		{Record: Record{Partition: 1, Offset: -1, Value: []byte("c")}},
		{Record: Record{Partition: 0, Offset: -1, Value: []byte("d")}},
	}
	r := NewReader(in, "t")
	p, _ := r.Poll(context.Background(), 3)
	if len(p.Started) != 2 || p.Started[0] != 0 || p.Started[1] != 1 {
		t.Fatalf("started %v, want [0 1]", p.Started)
	}
	// offsets: p1 counts from 0; p0 continues after the recorded 5
	wantOff := []int64{0, 5, 1}
	for i, rec := range p.Records {
		if rec.Offset != wantOff[i] || rec.Topic != "t" {
			t.Errorf("record %d: offset %d topic %q, want %d t", i, rec.Offset, rec.Topic, wantOff[i])
		}
	}
	p2, _ := r.Poll(context.Background(), 3)
	if len(p2.Records) != 1 || p2.Records[0].Offset != 6 || !p2.Done {
		t.Fatalf("second poll %+v", p2)
	}
	// resume after the first poll: p0 had 1 record, p1 2
	r2 := NewReader(in, "t")
	if err := r2.Seek(p.Positions); err != nil {
		t.Fatal(err)
	}
	p3, _ := r2.Poll(context.Background(), 10)
	if len(p3.Records) != 1 || string(p3.Records[0].Value) != "d" {
		t.Fatalf("after seek: %+v", p3.Records)
	}
	// a position that does not match the recording's order is refused
	bad := []connector.Position{{Split: 0, Offset: 2}}
	if err := NewReader(in, "t").Seek(bad); err == nil {
		t.Error("seek to 2 records of p0 (the first 2 records hold 1): want an error")
	}
}

func same(a, b Record) bool {
	if a.Partition != b.Partition || a.Offset != b.Offset || a.Timestamp != b.Timestamp ||
		!bytes.Equal(a.Value, b.Value) || (a.Key == nil) != (b.Key == nil) || !bytes.Equal(a.Key, b.Key) || len(a.Headers) != len(b.Headers) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i].Key != b.Headers[i].Key || !bytes.Equal(a.Headers[i].Value, b.Headers[i].Value) {
			return false
		}
	}
	return true
}
