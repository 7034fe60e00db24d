package json

import (
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql/types"
)

// Text forms the decoder reads through sql/types' strict parsers, and
// numbers into integers, which truncate exactly (Jackson's asLong).
func TestDecodeTextForms(t *testing.T) {
	ok := []struct {
		name string
		t    types.Type
		json string
		want types.Value
	}{
		{"int truncates without carry", types.TInt, `12.96`, types.IntValue(12)},
		{"int truncates negative without carry", types.TInt, `-12.96`, types.IntValue(-12)},
		{"bigint exponent and fraction", types.TBigInt, `9.9999e1`, types.BigIntValue(99)},
		{"bigint tiny", types.TBigInt, `0.999`, types.BigIntValue(0)},
		{"iso timestamp without seconds", types.TTimestamp3, `"2026-05-28T20:28"`, types.TimestampValue(tsMillis(20, 28, 0, 0))},
		{"decimal big exponent rounds to zero", types.DecimalType(10, 2), `1e-5000`, types.DecimalValue(0, 2)},
	}
	for _, c := range ok {
		row, err := decodeOne(t, planner.Schema{col("f", c.t)}, Options{}, `{"f":`+c.json+`}`)
		if err != nil || !sameValue(row[0], c.want) {
			t.Errorf("%s: got %#v, %v; want %#v", c.name, row[0], err, c.want)
		}
	}
	bad := []struct {
		t    types.Type
		json string
	}{
		{types.Type{Kind: types.Date}, `"2026-5-28"`},
		{types.Type{Kind: types.Date}, `" 2026-05-28"`},
		{types.Type{Kind: types.Time}, `"20:28"`},
		{types.TTimestamp3, `"2026-05-28 20:28"`}, // the SQL form needs seconds
		{types.TTimestamp3, `"2026-05-28"`},
		{types.TTimestamp3, `"2026-05-28 2:28:50"`},
		{types.DecimalType(5, 2), `1e5000`},
		{types.DecimalType(5, 2), `999.995`},
	}
	for _, c := range bad {
		if row, err := decodeOne(t, planner.Schema{col("f", c.t)}, Options{}, `{"f":`+c.json+`}`); err == nil {
			t.Errorf("%s as %s: got %#v, want an error", c.json, c.t, row[0])
		}
	}
}

func TestDecodeTimestampDoesNotAllocate(t *testing.T) {
	cols := planner.Schema{col("ts", types.TTimestamp3), col("d", types.Type{Kind: types.Date}), col("ltz", types.TTimestampLTZ)}
	d, err := NewDecoder(cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := []byte(`{"ts":"2026-05-28 20:28:50.5","d":"2026-05-28","ltz":"2026-05-28T20:28:50.123Z"}`)
	row := make([]types.Value, len(cols))
	n := testing.AllocsPerRun(100, func() {
		if err := d.Decode(in, row); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per row", n)
	}
	if row[0] != types.TimestampValue(tsMillis(20, 28, 50, 500)) || row[1] != types.DateValue(day20260528) ||
		row[2] != types.TimestampLTZValue(tsMillis(20, 28, 50, 123)) {
		t.Errorf("decoded %v", row)
	}
}
