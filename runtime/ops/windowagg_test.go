package ops

import (
	"math"
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// TUMBLE 10 s, hand-checked: rows at 0, 9999 and 10000; a late row; COUNT
// FILTER, COUNT(DISTINCT), SUM of no non-NULL rows, AVG of INT truncating.
func TestTumbleHandChecked(t *testing.T) {
	schema := planner.Schema{col("k", types.TString), col("ts", types.TTimestamp3), col("v", types.TInt), col("f", types.TBoolean)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Tumble, Size: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs: []planner.AggCall{
			{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
			{Func: "COUNT", Arg: -1, Filter: 3, T: types.TBigInt},
			{Func: "COUNT", Arg: 2, Distinct: true, Filter: -1, T: types.TBigInt},
			{Func: "SUM", Arg: 2, Filter: -1, T: types.TInt},
			{Func: "AVG", Arg: 2, Filter: -1, T: types.TInt},
		},
	}
	ctx := newCtx()
	op, err := NewWindowAgg(spec, schema, nil, ctx)
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{str("x"), ts(0), i32(7), boolv(true)},
		core.Row{str("y"), ts(9999), null, null},
		core.Row{str("x"), ts(9999), i32(7), boolv(false)},
		core.Row{str("x"), ts(10000), i32(-7), boolv(true)},
		core.Row{str("x"), ts(5), i32(2), null},
	), c))
	mustNoErr(t, op.ProcessWatermark(9998, c))
	if len(c.rows) != 0 {
		t.Fatalf("window [0,10000) fired at watermark 9998: %v", fmtRows(c.rows))
	}
	mustNoErr(t, op.ProcessWatermark(9999, c))
	want := []core.Row{
		// x: rows 7, 7, 2: count 3, filter 1, distinct 2, sum 16, avg 16/3 = 5
		{str("x"), bi(3), bi(1), bi(2), i32(16), i32(5), ts(0), ts(10000), ts(9999)},
		// y: one row with NULL v: SUM and AVG NULL, COUNT(DISTINCT) 0
		{str("y"), bi(1), bi(0), bi(0), null, null, ts(0), ts(10000), ts(9999)},
	}
	sameRows(t, "after 9999", c.rows, want)
	// late: t = 9999 after the window fired; t = 10000 still on time.
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{str("x"), ts(9999), i32(1), boolv(true)},
		core.Row{str("x"), ts(19999), i32(-2), boolv(true)},
		core.Row{str("y"), ts(0), i32(1), boolv(true)},
	), c))
	if got := ctx.Metrics.LateRecordsDropped.Load(); got != 2 {
		t.Errorf("late = %d, want 2", got)
	}
	if got := ctx.Metrics.OpenWindows.Load(); got != 1 {
		t.Errorf("open windows = %d, want 1", got)
	}
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	mustNoErr(t, op.Finish(c))
	// x in [10000,20000): -7 and -2: sum -9, avg -9/2 = -4 (toward zero)
	want = append(want, core.Row{str("x"), bi(2), bi(2), bi(2), i32(-9), i32(-4), ts(10000), ts(20000), ts(19999)})
	sameRows(t, "final", c.rows, want)
	if ctx.Metrics.CurrentWatermark.Load() != core.MaxWatermark {
		t.Errorf("CurrentWatermark not tracked")
	}
}

// A HOP row can be late for its earlier window and count in the later one.
func TestHopPartiallyLate(t *testing.T) {
	schema := planner.Schema{col("ts", types.TTimestampLTZ)}
	spec := &planner.WindowAggOp{
		Window: planner.WindowSpec{Kind: sql.Hop, Size: 10_000, Slide: 5_000, TimeCol: 0},
		Aggs:   []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt}},
	}
	ctx := newCtx()
	op, err := NewWindowAgg(spec, schema, nil, ctx)
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessWatermark(9_999, c))
	// t=7000 is in [0,10000) (fired) and [5000,15000) (open)
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{types.TimestampLTZValue(7000)}, core.Row{null}), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want := []core.Row{{bi(1), ts(5000), ts(15000), types.TimestampLTZValue(14999)}}
	sameRows(t, "hop", c.rows, want)
	if got := ctx.Metrics.LateRecordsDropped.Load(); got != 1 {
		t.Errorf("late = %d, want 1", got)
	}
	if got := ctx.Metrics.RecordsSkipped.Load(); got != 1 {
		t.Errorf("skipped = %d, want 1 (NULL time)", got)
	}
}

// DECIMAL SUM/AVG (AVG rounds HALF_UP), MIN/MAX on strings and DOUBLE,
// several group keys, windows emitted by end then start (CUMULATE).
func TestAggTypesAndOrder(t *testing.T) {
	d := types.DecimalType(10, 2)
	schema := planner.Schema{col("ts", types.TTimestamp3), col("a", types.TString), col("b", types.TInt),
		col("d", d), col("s", types.TString), col("x", types.TDouble)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Cumulate, Size: 3000, Step: 1000, TimeCol: 0},
		GroupKeys: []int{1, 2},
		Aggs: []planner.AggCall{
			{Func: "SUM", Arg: 3, Filter: -1, T: types.DecimalType(38, 2)},
			{Func: "AVG", Arg: 3, Filter: -1, T: types.DecimalType(38, 6)},
			{Func: "MIN", Arg: 4, Filter: -1, T: types.TString},
			{Func: "MAX", Arg: 4, Filter: -1, T: types.TString},
			{Func: "AVG", Arg: 5, Filter: -1, T: types.TDouble},
			{Func: "AVG", Arg: 3, Filter: -1, T: types.DecimalType(38, 1)},
		},
	}
	op, err := NewWindowAgg(spec, schema, nil, newCtx())
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{ts(500), str("p"), i32(1), dec(100, 2), str("pear"), types.DoubleValue(1)},
		core.Row{ts(1500), str("p"), i32(1), dec(25, 2), str("apple"), types.DoubleValue(2)},
		core.Row{ts(1600), str("p"), i32(2), dec(-5, 2), str("fig"), null},
		core.Row{ts(2500), str("p"), i32(1), dec(1, 2), str("zed"), types.DoubleValue(4)},
	), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want := []core.Row{
		// [0,1000): p,1: 1.00
		{str("p"), i32(1), dec(100, 2), dec(1000000, 6), str("pear"), str("pear"), types.DoubleValue(1), dec(10, 1), ts(0), ts(1000), ts(999)},
		// [0,2000): p,1: 1.00+0.25 = 1.25, avg 0.625 -> 0.625000 and HALF_UP at 1 digit 0.6
		{str("p"), i32(1), dec(125, 2), dec(625000, 6), str("apple"), str("pear"), types.DoubleValue(1.5), dec(6, 1), ts(0), ts(2000), ts(1999)},
		// p,2: -0.05, avg at scale 1: -0.05 -> -0.1 (HALF_UP: away from zero)
		{str("p"), i32(2), dec(-5, 2), dec(-50000, 6), str("fig"), str("fig"), null, dec(-1, 1), ts(0), ts(2000), ts(1999)},
		// [0,3000): p,1: 1.26, avg 0.42; x avg (1+2+4)/3
		{str("p"), i32(1), dec(126, 2), dec(420000, 6), str("apple"), str("zed"), types.DoubleValue(7.0 / 3), dec(4, 1), ts(0), ts(3000), ts(2999)},
		{str("p"), i32(2), dec(-5, 2), dec(-50000, 6), str("fig"), str("fig"), null, dec(-1, 1), ts(0), ts(3000), ts(2999)},
	}
	sameRows(t, "cumulate", c.rows, want)
}

// TIMESTAMP_LTZ windows align to the local time zone; window_start/end are
// wall-clock TIMESTAMPs, window_time an instant.
func TestTumbleLTZTimeZone(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	schema := planner.Schema{col("ts", types.TTimestampLTZ)}
	spec := &planner.WindowAggOp{
		Window: planner.WindowSpec{Kind: sql.Tumble, Size: 24 * 3600_000, TimeCol: 0},
		Aggs:   []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt}},
	}
	ctx := newCtx()
	ctx.TimeZone = loc
	op, err := NewWindowAgg(spec, schema, nil, ctx)
	mustNoErr(t, err)
	c := &collector{}
	const h = 3600_000
	// 1970-01-01 17:00Z is 1970-01-02 01:00 local: day [1970-01-02, 1970-01-03) local
	mustNoErr(t, op.ProcessBatch(0, batch(core.Row{types.TimestampLTZValue(17 * h)}, core.Row{types.TimestampLTZValue(15 * h)}), c))
	// local day 1970-01-01 ends at 1970-01-01 16:00Z: fires at 16:00Z - 1 ms
	mustNoErr(t, op.ProcessWatermark(16*h-2, c))
	if len(c.rows) != 0 {
		t.Fatalf("fired early: %v", fmtRows(c.rows))
	}
	mustNoErr(t, op.ProcessWatermark(16*h-1, c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want := []core.Row{
		{bi(1), ts(0), ts(24 * h), types.TimestampLTZValue(16*h - 1)},
		{bi(1), ts(24 * h), ts(48 * h), types.TimestampLTZValue(40*h - 1)},
	}
	sameRows(t, "ltz", c.rows, want)
}

func TestWindowAggErrors(t *testing.T) {
	schema := planner.Schema{col("ts", types.TTimestamp3), col("s", types.TString), col("m", types.Type{Kind: types.Map})}
	cases := []struct {
		name string
		spec planner.WindowAggOp
	}{
		{"time col not timestamp", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1, TimeCol: 1}}},
		{"zero size", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, TimeCol: 0}}},
		{"cumulate not multiple", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Cumulate, Size: 10, Step: 3, TimeCol: 0}}},
		{"sum of string", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1, TimeCol: 0},
			Aggs: []planner.AggCall{{Func: "SUM", Arg: 1, Filter: -1, T: types.TString}}}},
		{"max of map", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1, TimeCol: 0},
			Aggs: []planner.AggCall{{Func: "MAX", Arg: 2, Filter: -1, T: types.TString}}}},
		{"unknown func", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1, TimeCol: 0},
			Aggs: []planner.AggCall{{Func: "MEDIAN", Arg: 1, Filter: -1, T: types.TString}}}},
		{"key out of range", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1, TimeCol: 0}, GroupKeys: []int{9}}},
		{"filter not boolean", planner.WindowAggOp{Window: planner.WindowSpec{Kind: sql.Tumble, Size: 1, TimeCol: 0},
			Aggs: []planner.AggCall{{Func: "COUNT", Arg: -1, Filter: 1, T: types.TBigInt}}}},
	}
	for _, tc := range cases {
		if _, err := NewWindowAgg(&tc.spec, schema, nil, newCtx()); err == nil {
			t.Errorf("%s: no error", tc.name)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
	}
}

// MIN/MAX of DOUBLE follow Flink's generated code (operand < min with
// Java primitives): NaN never replaces a value and -0.0 equals 0.0, so
// the first of equal values stays. COUNT(DISTINCT) keys are Flink's
// (Double.equals): every NaN is one value, -0.0 and 0.0 are two.
func TestFloatMinMaxAndDistinct(t *testing.T) {
	schema := planner.Schema{col("ts", types.TTimestamp3), col("k", types.TString), col("x", types.TDouble)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Tumble, Size: 1000, TimeCol: 0},
		GroupKeys: []int{1},
		Aggs: []planner.AggCall{
			{Func: "MIN", Arg: 2, Filter: -1, T: types.TDouble},
			{Func: "MAX", Arg: 2, Filter: -1, T: types.TDouble},
			{Func: "COUNT", Arg: 2, Filter: -1, Distinct: true, T: types.TBigInt},
		},
	}
	op, err := NewWindowAgg(spec, schema, nil, newCtx())
	mustNoErr(t, err)
	c := &collector{}
	d := types.DoubleValue
	nan1 := types.Value{K: types.Double, I: int64(math.Float64bits(math.NaN()))}
	nan2 := types.Value{K: types.Double, I: int64(math.Float64bits(math.NaN()) | 1)} // another NaN payload
	negZero := d(math.Copysign(0, -1))
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{ts(1), str("a"), d(2)}, core.Row{ts(2), str("a"), nan1}, core.Row{ts(3), str("a"), d(1)}, core.Row{ts(4), str("a"), nan2},
		core.Row{ts(5), str("z"), d(0)}, core.Row{ts(6), str("z"), negZero},
		core.Row{ts(7), str("n"), nan1}, core.Row{ts(8), str("n"), d(5)},
	), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want := []core.Row{
		// a: 2, NaN, 1, NaN -> MIN 1 (NaN never smaller), MAX 2 (never larger); NaN twice counts once
		{str("a"), d(1), d(2), bi(3), ts(0), ts(1000), ts(999)},
		// z: 0.0 then -0.0: equal under <, so 0.0 stays for both; as keys they are two values
		{str("z"), d(0), d(0), bi(2), ts(0), ts(1000), ts(999)},
		// n: NaN first: nothing compares below or above it
		{str("n"), nan1, nan1, bi(2), ts(0), ts(1000), ts(999)},
	}
	sameRows(t, "float min/max", c.rows, want)
}

// Overflow follows Flink (docs/semantics.md, "Numbers that overflow"):
// SUM and AVG of BIGINT wrap as Java's long arithmetic does; a DECIMAL sum
// that needs more than 38 digits is NULL (DecimalData.fromBigDecimal), SUM
// then restarting at the next value (SumAggFunction) and AVG staying NULL
// (AvgAggFunction). Expected values worked out by hand.
func TestSumAvgOverflowFlinkRules(t *testing.T) {
	d38 := types.DecimalType(38, 0)
	schema := planner.Schema{col("k", types.TString), col("ts", types.TTimestamp3), col("d", d38), col("b", types.TBigInt)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Tumble, Size: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs: []planner.AggCall{
			{Func: "SUM", Arg: 2, Filter: -1, T: d38},
			{Func: "AVG", Arg: 2, Filter: -1, T: types.DecimalType(38, 6)},
			{Func: "SUM", Arg: 3, Filter: -1, T: types.TBigInt},
			{Func: "AVG", Arg: 3, Filter: -1, T: types.TBigInt},
		},
	}
	big := func(s string) types.Value {
		v, ok, err := types.DecimalFromString(s, 38, 0)
		if err != nil || !ok {
			t.Fatalf("decimal %s", s)
		}
		return v
	}
	six := big("60000000000000000000000000000000000000") // 6e37: two make 1.2e38, 39 digits
	nines := big("99999999999999999999999999999999999999")
	op, err := NewWindowAgg(spec, schema, nil, newCtx())
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(
		// a: 6e37 + 6e37 overflows (NULL), 5 restarts the SUM; AVG stays NULL.
		// BIGINT: MaxInt64 + 1 wraps to MinInt64; AVG MinInt64 / 2.
		core.Row{str("a"), ts(1), six, bi(math.MaxInt64)},
		core.Row{str("a"), ts(2), six, bi(1)},
		core.Row{str("a"), ts(3), dec(5, 0), null},
		// z: the overflow is the last value: SUM NULL
		core.Row{str("z"), ts(4), six, bi(math.MinInt64)},
		core.Row{str("z"), ts(5), six, bi(-1)},
		// n: 38 nines - 1 fits DECIMAL(38, 0); its average at scale 6 needs
		// 44 digits: NULL. BIGINT: MinInt64 - 1 wraps to MaxInt64.
		core.Row{str("n"), ts(6), nines, bi(math.MinInt64)},
		core.Row{str("n"), ts(7), dec(-1, 0), bi(-1)},
	), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	want := []core.Row{
		{str("a"), dec(5, 0), null, bi(math.MinInt64), bi(math.MinInt64 / 2), ts(0), ts(10000), ts(9999)},
		{str("z"), null, null, bi(math.MaxInt64), bi(math.MaxInt64 / 2), ts(0), ts(10000), ts(9999)},
		{str("n"), big("99999999999999999999999999999999999998"), null, bi(math.MaxInt64), bi(math.MaxInt64 / 2), ts(0), ts(10000), ts(9999)},
	}
	sameRows(t, "overflow", c.rows, want)
}

// SUM keeps the argument's type, as Flink's findSumAggType: SUM(TINYINT)
// wraps at 8 bits and SUM(FLOAT) adds in Java float, where 2^24 + 1 is 2^24
// again (float has 24 bits of mantissa): 16777216 + 1 + 1 stays 16777216.
func TestSumKeepsNarrowTypes(t *testing.T) {
	tiny, fl := types.Type{Kind: types.TinyInt}, types.Type{Kind: types.Float}
	schema := planner.Schema{col("ts", types.TTimestamp3), col("b", tiny), col("f", fl)}
	spec := &planner.WindowAggOp{
		Window: planner.WindowSpec{Kind: sql.Tumble, Size: 10_000, TimeCol: 0},
		Aggs: []planner.AggCall{
			{Func: "SUM", Arg: 1, Filter: -1, T: tiny},
			{Func: "SUM", Arg: 2, Filter: -1, T: fl},
			{Func: "AVG", Arg: 2, Filter: -1, T: fl},
		},
	}
	op, err := NewWindowAgg(spec, schema, nil, newCtx())
	mustNoErr(t, err)
	c := &collector{}
	mustNoErr(t, op.ProcessBatch(0, batch(
		core.Row{ts(1), types.IntOf(types.TinyInt, 100), types.FloatValue(16777216)},
		core.Row{ts(2), types.IntOf(types.TinyInt, 100), types.FloatValue(1)},
		core.Row{ts(3), types.IntOf(types.TinyInt, 1), types.FloatValue(1)},
	), c))
	mustNoErr(t, op.ProcessWatermark(core.MaxWatermark, c))
	// 201 as a byte: 201 - 256; AVG(FLOAT) sums in DOUBLE (AvgAggFunction):
	// 16777218 / 3 = 5592406 (exact in float)
	want := []core.Row{{types.IntOf(types.TinyInt, -55), types.FloatValue(16777216), types.FloatValue(5592406), ts(0), ts(10000), ts(9999)}}
	sameRows(t, "narrow sums", c.rows, want)
}
