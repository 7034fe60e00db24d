package print

import (
	"bytes"
	"context"
	"strings"
	"testing"
	_ "time/tzdata" // the zone test needs Asia/Kolkata on any machine

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

func formatter(t *testing.T, cols planner.Schema, settings map[string]string) *Formatter {
	t.Helper()
	f, err := NewFormatter(&planner.TableDesc{Name: "p", Columns: cols}, &connector.Env{Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TIMESTAMP_LTZ prints in the session time zone, TIMESTAMP as it is.
func TestPrintLocalTimeZone(t *testing.T) {
	cols := planner.Schema{{Name: "ltz", Type: types.TTimestampLTZ}, {Name: "ts", Type: types.TTimestamp3}}
	// 1767292199999 ms is 2026-01-01 18:29:59.999 UTC: 20454 days
	// (56 years, 14 of them leap) plus 66599.999 s.
	row := core.Row{types.TimestampLTZValue(1767292199999), types.TimestampValue(1767292199999)}
	cases := []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"table.local-time-zone": "Asia/Kolkata"}, "+I[2026-01-01 23:59:59.999, 2026-01-01 18:29:59.999]"}, // UTC+05:30
		{nil, "+I[2026-01-01 18:29:59.999, 2026-01-01 18:29:59.999]"},
		{map[string]string{"table.local-time-zone": "UTC"}, "+I[2026-01-01 18:29:59.999, 2026-01-01 18:29:59.999]"},
	}
	for _, c := range cases {
		if got := string(formatter(t, cols, c.settings).Format(nil, row)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.settings, got, c.want)
		}
	}
	// The golden harness passes an Env holding only the job's settings;
	// a nil Env means the defaults.
	f, err := NewFormatter(&planner.TableDesc{Name: "p", Columns: cols}, nil)
	if err != nil || string(f.Format(nil, row)) != cases[1].want {
		t.Errorf("nil env: %v", err)
	}
	_, err = NewFormatter(&planner.TableDesc{Name: "p", Columns: cols}, &connector.Env{Settings: map[string]string{"table.local-time-zone": "Mars/Olympus"}})
	if err == nil || !strings.Contains(err.Error(), "Mars/Olympus") || !strings.Contains(err.Error(), "table.local-time-zone") {
		t.Errorf("unknown zone: %v", err)
	}
}

// Values inside a row follow CAST(x AS STRING): a NULL nested in an
// ARRAY is NULL, only a NULL field is null.
func TestPrintCastForms(t *testing.T) {
	it := types.TInt
	cols := planner.Schema{
		{Name: "a", Type: types.Type{Kind: types.Array, Elem: &it}},
		{Name: "t", Type: types.Type{Kind: types.Time}},
		{Name: "t3", Type: types.Type{Kind: types.Time, Precision: 3}},
		{Name: "ts0", Type: types.Type{Kind: types.Timestamp, Precision: 0}},
		{Name: "iv", Type: types.Type{Kind: types.IntervalDayTime}},
		{Name: "f", Type: types.Type{Kind: types.Float}},
		{Name: "n", Type: types.TString},
	}
	tod := int64((20*3600+28*60+50)*1000 + 500)
	row := core.Row{
		{K: types.Array, X: []types.Value{types.IntValue(1), types.NullValue}},
		{K: types.Time, I: tod}, {K: types.Time, I: tod},
		types.TimestampValue(tod), // 1970-01-01 20:28:50.500
		types.IntervalMillisValue(-(86400000 + 1500)),
		types.FloatValue(0.1),
		types.NullValue,
	}
	want := "+I[[1, NULL], 20:28:50, 20:28:50.500, 1970-01-01 20:28:50, -1 00:00:01.500, 0.1, null]"
	if got := string(formatter(t, cols, nil).Format(nil, row)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// 'standard-error' writes to the job's stderr, not its stdout.
func TestPrintStandardError(t *testing.T) {
	td := &planner.TableDesc{Name: "p", Columns: planner.Schema{{Name: "n", Type: types.TBigInt}},
		Options: []sql.Option{{Key: "standard-error", Value: "true"}}}
	var out, errOut bytes.Buffer
	s, err := NewSink(td, &connector.Env{Stdout: &out, Stderr: &errOut})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(context.Background(), &core.Batch{Rows: []core.Row{{types.BigIntValue(7)}}}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || errOut.String() != "+I[7]\n" {
		t.Errorf("stdout %q, stderr %q; want nothing and \"+I[7]\\n\"", out.String(), errOut.String())
	}
}

// A changelog prints each row with its kind, as Flink's print sink does.
func TestPrintRowKinds(t *testing.T) {
	var out bytes.Buffer
	td := &planner.TableDesc{Name: "p", Columns: planner.Schema{{Name: "k", Type: types.TString}, {Name: "n", Type: types.TBigInt}}}
	s, err := NewSink(td, &connector.Env{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	row := func(k string, n int64) core.Row { return core.Row{types.StringValue(k), types.BigIntValue(n)} }
	b := &core.Batch{Rows: []core.Row{row("a", 1), row("a", 1), row("a", 2), row("a", 2)},
		Kinds: []core.RowKind{core.Insert, core.UpdateBefore, core.UpdateAfter, core.Delete}}
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	want := "+I[a, 1]\n-U[a, 1]\n+U[a, 2]\n-D[a, 2]\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}
