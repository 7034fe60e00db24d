package functions

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql/types"
)

func init() {
	Register(&Spec{Name: "TO_TIMESTAMP_LTZ", Category: "temporal", Syntax: "TO_TIMESTAMP_LTZ(numeric[, precision])", MinArgs: 1, MaxArgs: 2,
		Doc: "Epoch seconds (precision 0) or milliseconds (precision 3, the default) as a TIMESTAMP_LTZ(3).",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantNumeric(a, 0), wantInteger(a, 1)); e != nil {
				return types.Type{}, e
			}
			if len(a) == 2 {
				if !a[1].Const || a[1].V.IsNull() || (a[1].V.I != 0 && a[1].V.I != 3) {
					return types.Type{}, &ArgError{1, "the precision of TO_TIMESTAMP_LTZ must be the constant 0 (seconds) or 3 (milliseconds)"}
				}
			}
			return withNull(types.TTimestampLTZ, a[:1]), nil
		},
		Build: buildToTimestampLTZ,
		Examples: []Example{{"TO_TIMESTAMP_LTZ(1700000000123, 3)", "2023-11-14 22:13:20.123"}, {"TO_TIMESTAMP_LTZ(1700000000, 0)", "2023-11-14 22:13:20.000"},
			{"TO_TIMESTAMP_LTZ(-1000)", "1969-12-31 23:59:59.000"}, {"TO_TIMESTAMP_LTZ(CAST(NULL AS BIGINT), 3)", "NULL"}, {"TO_TIMESTAMP_LTZ(1, 6)", "error: the precision of TO_TIMESTAMP_LTZ must be the constant 0"}}})
	Register(&Spec{Name: "TO_TIMESTAMP", Category: "temporal", Syntax: "TO_TIMESTAMP(string[, format])", MinArgs: 1, MaxArgs: 2,
		Doc: "Parses a date-time string (default format 'yyyy-MM-dd HH:mm:ss') into a TIMESTAMP(3); NULL when it does not parse.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantString(a, 0), wantString(a, 1)); e != nil {
				return types.Type{}, e
			}
			return types.TTimestamp3, nil // NULL when the text does not parse
		},
		Build: buildToTimestamp,
		Examples: []Example{{"TO_TIMESTAMP('2023-11-14 22:13:20')", "2023-11-14 22:13:20.000"}, {"TO_TIMESTAMP('14/11/2023 22:13', 'dd/MM/yyyy HH:mm')", "2023-11-14 22:13:00.000"},
			{"TO_TIMESTAMP('not a time')", "NULL"}, {"TO_TIMESTAMP(CAST(NULL AS STRING))", "NULL"}}})
	Register(&Spec{Name: "DATE_FORMAT", Category: "temporal", Syntax: "DATE_FORMAT(timestamp | string, format)", MinArgs: 2, MaxArgs: 2,
		Doc: "Formats a timestamp (or a timestamp string) with a Java SimpleDateFormat pattern; TIMESTAMP_LTZ in the session time zone.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if !a[0].T.Kind.IsTimestamp() && !IsStringy(a[0].T) {
				return types.Type{}, &ArgError{0, fmt.Sprintf("argument 1 must be a timestamp or a string, not %s", a[0].T.WithoutRowtime())}
			}
			if e := wantString(a, 1); e != nil {
				return types.Type{}, e
			}
			return types.TString, nil
		},
		Build: buildDateFormat,
		Examples: []Example{{"DATE_FORMAT(TIMESTAMP '2023-11-14 22:13:20', 'yyyy/MM/dd HH:mm')", "2023/11/14 22:13"}, {"DATE_FORMAT('2023-11-14 22:13:20', 'HH')", "22"},
			{"DATE_FORMAT(CAST(NULL AS TIMESTAMP(3)), 'yyyy')", "NULL"}}})
	Register(&Spec{Name: "UNIX_TIMESTAMP", Category: "temporal", Syntax: "UNIX_TIMESTAMP([string[, format]])", MinArgs: 0, MaxArgs: 2, Volatile: true,
		Doc: "The current epoch second, or a date-time string (default format 'yyyy-MM-dd HH:mm:ss') parsed in the session time zone; Long.MIN_VALUE when it does not parse.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantString(a, 0), wantString(a, 1)); e != nil {
				return types.Type{}, e
			}
			return types.TBigInt, nil
		},
		Build: buildUnixTimestamp,
		Examples: []Example{{"UNIX_TIMESTAMP('1970-01-01 08:00:01')", "28801"}, {"UNIX_TIMESTAMP('1970-01-01 08:00:01.001', 'yyyy-MM-dd HH:mm:ss.SSS')", "28801"},
			{"UNIX_TIMESTAMP('garbage')", "-9223372036854775808"}, {"UNIX_TIMESTAMP() > 1700000000", "TRUE"}}})
	Register(&Spec{Name: "FROM_UNIXTIME", Category: "temporal", Syntax: "FROM_UNIXTIME(numeric[, format])", MinArgs: 1, MaxArgs: 2,
		Doc:   "Epoch seconds formatted (default 'yyyy-MM-dd HH:mm:ss') in the session time zone.",
		Infer: sig(types.TString, wantInteger, wantString), Build: buildFromUnixtime,
		Examples: []Example{{"FROM_UNIXTIME(44)", "1970-01-01 00:00:44"}, {"FROM_UNIXTIME(86400, 'yyyy-MM-dd')", "1970-01-02"}, {"FROM_UNIXTIME(CAST(NULL AS BIGINT))", "NULL"}}})
	Register(&Spec{Name: "CURRENT_WATERMARK", Category: "temporal", Syntax: "CURRENT_WATERMARK(rowtime)", MinArgs: 1, MaxArgs: 1, Volatile: true,
		Doc: "The operator's current watermark, typed as the rowtime attribute; NULL before the first watermark.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if !a[0].Column || !a[0].T.Rowtime {
				return types.Type{}, &ArgError{0, "CURRENT_WATERMARK takes a rowtime attribute (the column of a WATERMARK FOR clause)"}
			}
			return a[0].T.WithoutRowtime().Nullable(), nil
		},
		Build:    buildCurrentWatermark,
		Examples: []Example{{"CURRENT_WATERMARK(ts)", "NULL"}, {"CURRENT_WATERMARK(s)", "error: CURRENT_WATERMARK takes a rowtime attribute"}}})
	Register(&Spec{Name: "EXTRACT", Category: "temporal", Syntax: "EXTRACT(unit FROM temporal)", MinArgs: 1, MaxArgs: 1,
		Doc:   "A field of a date, time, timestamp or interval as a BIGINT: YEAR, QUARTER, MONTH, WEEK (ISO), DAY, DOW (1 = Sunday), ISODOW, DOY, HOUR, MINUTE, SECOND, MILLISECOND, EPOCH.",
		Build: buildExtract,
		Examples: []Example{{"EXTRACT(DAY FROM DATE '2006-06-05')", "5"}, {"EXTRACT(YEAR FROM TIMESTAMP '1994-09-27 13:14:15')", "1994"},
			{"EXTRACT(DOW FROM DATE '1994-09-27')", "3"}, {"EXTRACT(DOY FROM DATE '1994-09-27')", "270"}, {"EXTRACT(ISODOW FROM DATE '2023-11-12')", "7"},
			{"EXTRACT(EPOCH FROM TIMESTAMP '1970-01-02 00:00:01')", "86401"}, {"EXTRACT(MILLISECOND FROM TIMESTAMP '1970-01-01 00:00:01.234')", "1234"},
			{"EXTRACT(ISOYEAR FROM DATE '2021-01-01')", "2020"}, {"EXTRACT(DECADE FROM DATE '1994-09-27')", "199"}, {"EXTRACT(CENTURY FROM DATE '2000-12-31')", "20"},
			{"EXTRACT(MILLENNIUM FROM DATE '2001-01-01')", "3"}, {"EXTRACT(FORTNIGHT FROM ts)", "error: syntax error"},
			{"EXTRACT(HOUR FROM TIMESTAMP '1994-09-27 13:14:15')", "13"}, {"EXTRACT(DAY FROM CAST(NULL AS DATE))", "NULL"}}})
	Register(&Spec{Name: "FLOOR_TO", Internal: true, Category: "temporal", Syntax: "FLOOR(timepoint TO unit)", MinArgs: 1, MaxArgs: 1, Build: buildFloorCeilTo,
		Examples: []Example{{"FLOOR(TIME '12:44:31' TO MINUTE)", "12:44:00"}, {"FLOOR(TIMESTAMP '2023-11-14 22:13:20' TO HOUR)", "2023-11-14 22:00:00.000"}}})
	Register(&Spec{Name: "CEIL_TO", Internal: true, Category: "temporal", Syntax: "CEIL(timepoint TO unit)", MinArgs: 1, MaxArgs: 1, Build: buildFloorCeilTo,
		Examples: []Example{{"CEIL(TIME '12:44:31' TO MINUTE)", "12:45:00"}, {"CEIL(DATE '2023-11-14' TO MONTH)", "2023-12-01"}}})
}

// MsDay is the number of milliseconds in a day.
const MsDay = 86400000

// addMonths adds months to a wall clock, clamping the day to the end of
// the target month (Jan 31 + 1 month = Feb 28/29), as Calcite's addMonths.
func addMonths(ms int64, months int64) int64 {
	days, tod := types.SplitMillis(ms)
	return addMonthsDays(days, months)*MsDay + tod
}

func addMonthsDays(days int64, months int64) int64 {
	y, m, d := types.CivilFromDays(days)
	t := y*12 + int64(m-1) + months
	ny, nm := FloorDiv(t, 12), int(FloorMod(t, 12))+1
	last := types.DaysFromCivil(ny+boolInt(nm == 12), nm%12+1, 1) - types.DaysFromCivil(ny, nm, 1)
	if int64(d) > last {
		d = int(last)
	}
	return types.DaysFromCivil(ny, nm, d)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// The range of TIMESTAMP and DATE Flink supports: years 0000 to 9999.
var (
	MinDay = types.DaysFromCivil(0, 1, 1)
	MaxDay = types.DaysFromCivil(10000, 1, 1) - 1
	MinTs  = MinDay * MsDay
	MaxTs  = (MaxDay+1)*MsDay - 1
)

// maxMonths bounds an interval of months before any calendar arithmetic,
// so that year*12 + months cannot overflow; any larger shift leaves the
// supported range anyway.
const maxMonths = 12 * 1_000_000

// AddMs is x + sign*y, false when it overflows an int64.
func AddMs(x, y, sign int64) (int64, bool) {
	if sign < 0 {
		if y == math.MinInt64 {
			return 0, false
		}
		y = -y
	}
	r := x + y
	if (y > 0 && r < x) || (y < 0 && r > x) {
		return 0, false
	}
	return r, true
}

// ShiftDays adds months to a day number; false when the result leaves
// years 0000 to 9999.
func ShiftDays(days, months int64) (int64, bool) {
	if months > maxMonths || months < -maxMonths || days < MinDay-maxMonths*31 || days > MaxDay+maxMonths*31 {
		return 0, false
	}
	d := addMonthsDays(days, months)
	return d, d >= MinDay && d <= MaxDay
}

// ShiftMillis adds months to a timestamp's wall clock; false when the
// result leaves years 0000 to 9999.
func ShiftMillis(ms, months int64) (int64, bool) {
	days, tod := types.SplitMillis(ms)
	d, ok := ShiftDays(days, months)
	return d*MsDay + tod, ok
}

// TO_TIMESTAMP_LTZ(n[, precision]): n is epoch seconds (precision 0) or
// milliseconds (3, the default).
func buildToTimestampLTZ(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	mult := int64(1)
	if len(args) == 2 {
		if !args[1].Konst || (args[1].V.I != 0 && args[1].V.I != 3) {
			return nil, fmt.Errorf("the precision must be the constant 0 or 3")
		}
		if args[1].V.I == 0 {
			mult = 1000
		}
	}
	f := args[0].F
	k := args[0].T.Kind
	switch {
	case k.IsInteger() && args[0].Col >= 0:
		i := args[0].Col // the common TO_TIMESTAMP_LTZ(event_time, 3): no call for the column
		return func(_ *Ctx, row []types.Value) types.Value {
			v := &row[i]
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: types.TimestampLTZ, I: v.I * mult}
		}, nil
	case k.IsInteger():
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: types.TimestampLTZ, I: v.I * mult}
		}, nil
	case k.IsNumeric():
		conv, _ := F64Of(k)
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			x := conv(v) * float64(mult)
			if x != x || math.Abs(x) >= 9.2e18 {
				return nullV
			}
			return types.Value{K: types.TimestampLTZ, I: int64(x)}
		}, nil
	case k == types.Null:
		return func(*Ctx, []types.Value) types.Value { return nullV }, nil
	}
	return nil, fmt.Errorf("argument must be numeric, not %s", args[0].T)
}

// patternArg compiles a constant pattern once, or a per-row pattern with
// a one-entry cache.
func patternArg(args []Arg, i int, def string) (func(ctx *Ctx, row []types.Value) (dtPattern, bool, error), error) {
	if i >= len(args) {
		p, err := compileDatePattern(def)
		if err != nil {
			return nil, err
		}
		return func(*Ctx, []types.Value) (dtPattern, bool, error) { return p, true, nil }, nil
	}
	a := args[i]
	if a.Konst {
		if a.V.K == types.Null {
			return func(*Ctx, []types.Value) (dtPattern, bool, error) { return nil, false, nil }, nil
		}
		p, err := compileDatePattern(a.V.S)
		if err != nil {
			return nil, err
		}
		return func(*Ctx, []types.Value) (dtPattern, bool, error) { return p, true, nil }, nil
	}
	f := a.F
	var lastS string
	var last dtPattern
	return func(ctx *Ctx, row []types.Value) (dtPattern, bool, error) {
		v := f(ctx, row)
		if v.K == types.Null {
			return nil, false, nil
		}
		if last == nil || v.S != lastS {
			p, err := compileDatePattern(v.S)
			if err != nil {
				return nil, false, err
			}
			last, lastS = p, v.S
		}
		return last, true, nil
	}, nil
}

// TO_TIMESTAMP(s[, fmt]) -> TIMESTAMP(3); NULL when s does not parse.
func buildToTimestamp(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	fs, err := c.Strings(args[:1])
	if err != nil {
		return nil, err
	}
	f := fs[0]
	if len(args) == 1 {
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			ms, err := types.ParseTimestamp(v.S)
			if err != nil {
				return nullV
			}
			return types.TimestampValue(ms)
		}, nil
	}
	pat, err := patternArg(args, 1, "")
	if err != nil {
		return nil, err
	}
	return withParsed(f, pat, func(_ *Ctx, ms int64, ok bool) types.Value {
		if !ok {
			return nullV
		}
		return types.TimestampValue(ms)
	}), nil
}

// withParsed evaluates a string and a pattern argument and hands the wall
// clock parsed from the string to done (ok false: the text does not match
// the pattern). NULL in either argument gives NULL; a bad pattern fails.
func withParsed(f Eval, pat func(ctx *Ctx, row []types.Value) (dtPattern, bool, error), done func(ctx *Ctx, ms int64, ok bool) types.Value) Eval {
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		p, ok, err := pat(ctx, row)
		if err != nil {
			return Fail(ctx, err)
		}
		if !ok {
			return nullV
		}
		ms, ok := p.parse(v.S)
		return done(ctx, ms, ok)
	}
}

// wallClock returns a converter from a TIMESTAMP / TIMESTAMP_LTZ / DATE /
// STRING argument to a wall clock (ok false: NULL).
func (c *Env) wallClock(a Arg) (func(ctx *Ctx, v types.Value) (int64, bool), error) {
	switch a.T.Kind {
	case types.Timestamp:
		return func(_ *Ctx, v types.Value) (int64, bool) { return v.I, true }, nil
	case types.TimestampLTZ:
		return func(ctx *Ctx, v types.Value) (int64, bool) { return types.InstantToLocal(v.I, c.Zone(ctx)), true }, nil
	case types.Date:
		return func(_ *Ctx, v types.Value) (int64, bool) { return v.I * MsDay, true }, nil
	case types.String:
		return func(_ *Ctx, v types.Value) (int64, bool) {
			ms, err := types.ParseTimestamp(v.S)
			return ms, err == nil
		}, nil
	}
	return nil, fmt.Errorf("argument must be a timestamp, not %s", a.T)
}

// DATE_FORMAT(ts, fmt): TIMESTAMP_LTZ is formatted in the session time zone.
func buildDateFormat(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 2, 2); err != nil {
		return nil, err
	}
	wc, err := c.wallClock(args[0])
	if err != nil {
		return nil, err
	}
	pat, err := patternArg(args, 1, "")
	if err != nil {
		return nil, err
	}
	f := args[0].F
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		ms, ok := wc(ctx, v)
		if !ok {
			return nullV
		}
		p, ok, err := pat(ctx, row)
		if err != nil {
			return Fail(ctx, err)
		}
		if !ok {
			return nullV
		}
		var buf [64]byte
		return types.StringValue(string(p.format(buf[:0], ms)))
	}, nil
}

const defaultDatePattern = "yyyy-MM-dd HH:mm:ss"

// UNIX_TIMESTAMP() is the current epoch second; UNIX_TIMESTAMP(s[, fmt])
// parses s in the session time zone. As Flink (DateTimeUtils.unixTimestamp),
// text that does not parse gives Long.MIN_VALUE, not NULL.
func buildUnixTimestamp(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 0, 2); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return func(*Ctx, []types.Value) types.Value { return types.BigIntValue(time.Now().Unix()) }, nil
	}
	fs, err := c.Strings(args[:1])
	if err != nil {
		return nil, err
	}
	pat, err := patternArg(args, 1, defaultDatePattern)
	if err != nil {
		return nil, err
	}
	return withParsed(fs[0], pat, func(ctx *Ctx, ms int64, ok bool) types.Value {
		if !ok {
			return types.BigIntValue(math.MinInt64)
		}
		return types.BigIntValue(types.LocalToInstant(ms, c.Zone(ctx)) / 1000)
	}), nil
}

// FROM_UNIXTIME(n[, fmt]): epoch seconds formatted in the session time zone.
func buildFromUnixtime(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	if !args[0].T.Kind.IsInteger() && args[0].T.Kind != types.Null {
		return nil, fmt.Errorf("argument must be an integer, not %s", args[0].T)
	}
	pat, err := patternArg(args, 1, defaultDatePattern)
	if err != nil {
		return nil, err
	}
	f := args[0].F
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		p, ok, err := pat(ctx, row)
		if err != nil {
			return Fail(ctx, err)
		}
		if !ok {
			return nullV
		}
		var buf [64]byte
		return types.StringValue(string(p.format(buf[:0], types.InstantToLocal(v.I*1000, c.Zone(ctx)))))
	}, nil
}

var unitMillis = map[string]int64{
	"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60000, "HOUR": 3600000, "DAY": MsDay, "WEEK": 7 * MsDay,
}

// floorWall floors a wall clock to a unit; WEEK starts on Sunday (Calcite's
// julianDateFloor).
func floorWall(ms int64, unit string) int64 {
	days, _ := types.SplitMillis(ms)
	switch unit {
	case "WEEK":
		dow := FloorMod(days+4, 7) // 0 = Sunday
		return (days - dow) * MsDay
	case "MONTH", "QUARTER", "YEAR":
		y, m, _ := types.CivilFromDays(days)
		switch unit {
		case "QUARTER":
			m = (m-1)/3*3 + 1
		case "YEAR":
			m = 1
		}
		return types.DaysFromCivil(y, m, 1) * MsDay
	}
	u := unitMillis[unit]
	return ms - FloorMod(ms, u)
}

func ceilWall(ms int64, unit string) int64 {
	f := floorWall(ms, unit)
	if f == ms {
		return ms
	}
	switch unit {
	case "MONTH":
		return addMonths(f, 1)
	case "QUARTER":
		return addMonths(f, 3)
	case "YEAR":
		return addMonths(f, 12)
	}
	if unit == "WEEK" {
		return f + 7*MsDay
	}
	return f + unitMillis[unit]
}

func validUnit(u string) bool {
	switch u {
	case "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR":
		return true
	}
	return false
}

// FLOOR_TO / CEIL_TO (FLOOR(ts TO unit)); TIMESTAMP_LTZ aligns in the
// session time zone.
func buildFloorCeilTo(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	unit := strings.ToUpper(call.Unit)
	if !validUnit(unit) {
		return nil, fmt.Errorf("unsupported time unit %q", call.Unit)
	}
	g := floorWall
	if call.Func == "CEIL_TO" {
		g = ceilWall
	}
	f := args[0].F
	k := args[0].T.Kind
	switch k {
	case types.Timestamp:
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: g(v.I, unit)}
		}, nil
	case types.TimestampLTZ:
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			loc := c.Zone(ctx)
			return types.Value{K: k, I: types.LocalToInstant(g(types.InstantToLocal(v.I, loc), unit), loc)}
		}, nil
	case types.Date:
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: FloorDiv(g(v.I*MsDay, unit), MsDay)}
		}, nil
	case types.Time:
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: FloorMod(g(v.I, unit), MsDay)}
		}, nil
	}
	return nil, fmt.Errorf("%s of %s", call.Func, args[0].T)
}

// isoWeek returns the ISO-8601 week number of a day.
func isoWeek(days int64) int64 {
	dowMon := FloorMod(days+3, 7) // 0 = Monday
	thursday := days - dowMon + 3
	y, _, _ := types.CivilFromDays(thursday)
	return (thursday-types.DaysFromCivil(y, 1, 1))/7 + 1
}

// extractWall extracts a field of a wall clock as Calcite/Flink define it:
// DOW is 1 (Sunday) to 7, MILLISECOND includes the seconds (seconds*1000 +
// millis, Calcite's rule), WEEK is the ISO week, EPOCH is seconds.
func extractWall(ms int64, unit string) int64 {
	days, tod := types.SplitMillis(ms)
	y, m, d := types.CivilFromDays(days)
	switch unit {
	case "YEAR":
		return y
	case "QUARTER":
		return int64((m-1)/3 + 1)
	case "MONTH":
		return int64(m)
	case "WEEK":
		return isoWeek(days)
	case "DAY":
		return int64(d)
	case "DOW":
		return FloorMod(days+4, 7) + 1
	case "ISODOW":
		return FloorMod(days+3, 7) + 1
	case "DOY":
		return days - types.DaysFromCivil(y, 1, 1) + 1
	case "HOUR":
		return tod / 3600000
	case "MINUTE":
		return tod / 60000 % 60
	case "SECOND":
		return tod / 1000 % 60
	case "MILLISECOND":
		return tod % 60000
	case "EPOCH":
		return FloorDiv(ms, 1000)
	case "NANOSECOND":
		return tod % 60000 * 1000000
	case "ISOYEAR":
		th := days - FloorMod(days+3, 7) + 3 // the Thursday of its ISO week
		iy, _, _ := types.CivilFromDays(th)
		return iy
	case "DECADE":
		return FloorDiv(y, 10)
	case "CENTURY":
		if y > 0 {
			return (y + 99) / 100
		}
		return -((-y + 99) / 100)
	case "MILLENNIUM":
		if y > 0 {
			return (y + 999) / 1000
		}
		return -((-y + 999) / 1000)
	}
	return 0
}

func buildExtract(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	unit := strings.ToUpper(call.Unit)
	switch unit {
	case "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DOW", "ISODOW", "DOY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "EPOCH",
		"NANOSECOND", "ISOYEAR", "DECADE", "CENTURY", "MILLENNIUM":
	default:
		return nil, fmt.Errorf("unsupported EXTRACT unit %q", call.Unit)
	}
	f := args[0].F
	k := args[0].T.Kind
	rk := call.T.Kind
	if !rk.IsInteger() {
		rk = types.BigInt
	}
	var wall func(ctx *Ctx, v types.Value) int64
	switch k {
	case types.Timestamp, types.Time:
		wall = func(_ *Ctx, v types.Value) int64 { return v.I }
	case types.TimestampLTZ:
		if unit == "EPOCH" {
			wall = func(_ *Ctx, v types.Value) int64 { return v.I }
		} else {
			wall = func(ctx *Ctx, v types.Value) int64 { return types.InstantToLocal(v.I, c.Zone(ctx)) }
		}
	case types.Date:
		wall = func(_ *Ctx, v types.Value) int64 { return v.I * MsDay }
	case types.IntervalDayTime:
		// EXTRACT(DAY FROM interval) and friends: fields of the duration
		return func(ctx *Ctx, row []types.Value) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			ms := v.I
			var r int64
			switch unit {
			case "DAY":
				r = ms / MsDay
			case "HOUR":
				r = ms / 3600000 % 24
			case "MINUTE":
				r = ms / 60000 % 60
			case "SECOND":
				r = ms / 1000 % 60
			case "MILLISECOND":
				r = ms % 60000
			case "EPOCH":
				r = ms / 1000
			}
			return types.Value{K: rk, I: r}
		}, nil
	default:
		return nil, fmt.Errorf("cannot EXTRACT from %s", args[0].T)
	}
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		return types.Value{K: rk, I: extractWall(wall(ctx, v), unit)}
	}, nil
}

// CURRENT_WATERMARK(rowtime): the operator's current watermark typed as
// the argument, NULL before the first watermark.
func buildCurrentWatermark(c *Env, call *Call, args []Arg) (Eval, error) {
	if err := WantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	k := args[0].T.Kind
	if !k.IsTimestamp() {
		return nil, fmt.Errorf("argument must be a rowtime attribute, not %s", args[0].T)
	}
	return func(ctx *Ctx, _ []types.Value) types.Value {
		if ctx.Watermark == MinWatermark {
			return nullV
		}
		return types.Value{K: k, I: ctx.Watermark}
	}, nil
}

// FloorMod is Java's Math.floorMod.
func FloorMod(a, b int64) int64 {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// FloorDiv is Java's Math.floorDiv.
func FloorDiv(a, b int64) int64 { return (a - FloorMod(a, b)) / b }
