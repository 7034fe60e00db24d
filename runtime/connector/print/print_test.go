package print

import (
	"bytes"
	"context"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

func TestPrint(t *testing.T) {
	// 2026-05-28 is day 20601 since 1970-01-01.
	ts := int64(20601)*86400000 + (20*3600+28*60+50)*1000 + 500
	td := &planner.TableDesc{Name: "p", Columns: planner.Schema{
		{Name: "s", Type: types.TString}, {Name: "n", Type: types.TBigInt}, {Name: "ts", Type: types.TTimestamp3},
		{Name: "x", Type: types.TDouble}, {Name: "d", Type: types.DecimalType(5, 2)}, {Name: "b", Type: types.TBoolean}, {Name: "z", Type: types.TInt},
	}}
	var out bytes.Buffer
	for _, id := range []string{"", "job"} {
		out.Reset()
		td.Options = nil
		if id != "" {
			td.Options = []sql.Option{{Key: "print-identifier", Value: id}}
		}
		s, err := NewSink(td, &connector.Env{Stdout: &out})
		if err != nil {
			t.Fatal(err)
		}
		b := &core.Batch{Rows: []core.Row{
			{types.StringValue("a"), types.BigIntValue(1), types.TimestampValue(ts), types.DoubleValue(1), types.DecimalValue(1110, 2), types.BoolValue(true), types.NullValue},
			{types.StringValue("b"), types.BigIntValue(-2), types.TimestampValue(ts - 500), types.DoubleValue(0.25), types.DecimalValue(-5, 2), types.BoolValue(false), types.IntValue(3)},
		}}
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		prefix := ""
		if id != "" {
			prefix = id + "> "
		}
		want := prefix + "+I[a, 1, 2026-05-28 20:28:50.500, 1.0, 11.10, TRUE, null]\n" +
			prefix + "+I[b, -2, 2026-05-28 20:28:50.000, 0.25, -0.05, FALSE, 3]\n"
		if out.String() != want {
			t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
		}
	}
}
