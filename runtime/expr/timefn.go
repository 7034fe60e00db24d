package expr

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

func registerTimeFuncs() {
	registry["TO_TIMESTAMP_LTZ"] = buildToTimestampLTZ
	registry["TO_TIMESTAMP"] = buildToTimestamp
	registry["DATE_FORMAT"] = buildDateFormat
	registry["UNIX_TIMESTAMP"] = buildUnixTimestamp
	registry["FROM_UNIXTIME"] = buildFromUnixtime
	registry["FLOOR_TO"] = buildFloorCeilTo
	registry["CEIL_TO"] = buildFloorCeilTo
	registry["EXTRACT"] = buildExtract
	registry["CURRENT_WATERMARK"] = buildCurrentWatermark
}

const msDay = 86400000

// addMonths adds months to a wall clock, clamping the day to the end of
// the target month (Jan 31 + 1 month = Feb 28/29), as Calcite's addMonths.
func addMonths(ms int64, months int64) int64 {
	days, tod := types.SplitMillis(ms)
	return addMonthsDays(days, months)*msDay + tod
}

func addMonthsDays(days int64, months int64) int64 {
	y, m, d := types.CivilFromDays(days)
	t := y*12 + int64(m-1) + months
	ny, nm := floorDivI(t, 12), int(floorModI(t, 12))+1
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
	minDay = types.DaysFromCivil(0, 1, 1)
	maxDay = types.DaysFromCivil(10000, 1, 1) - 1
	minTs  = minDay * msDay
	maxTs  = (maxDay+1)*msDay - 1
)

// maxMonths bounds an interval of months before any calendar arithmetic,
// so that year*12 + months cannot overflow; any larger shift leaves the
// supported range anyway.
const maxMonths = 12 * 1_000_000

// addMs is x + sign*y, false when it overflows an int64.
func addMs(x, y, sign int64) (int64, bool) {
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

// shiftDays adds months to a day number; false when the result leaves
// years 0000 to 9999.
func shiftDays(days, months int64) (int64, bool) {
	if months > maxMonths || months < -maxMonths || days < minDay-maxMonths*31 || days > maxDay+maxMonths*31 {
		return 0, false
	}
	d := addMonthsDays(days, months)
	return d, d >= minDay && d <= maxDay
}

// shiftMillis adds months to a timestamp's wall clock; false when the
// result leaves years 0000 to 9999.
func shiftMillis(ms, months int64) (int64, bool) {
	days, tod := types.SplitMillis(ms)
	d, ok := shiftDays(days, months)
	return d*msDay + tod, ok
}

// timeArith handles + and - on timestamps, dates, times and intervals.
// A TIMESTAMP or DATE result outside years 0000 to 9999 (Flink's range),
// or an int64 overflow on the way, is a runtime error naming what (the
// expression) and the operands, never a wrapped value.
func (c *compiler) timeArith(op string, a, b node, t types.Type, what string) (Func, error) {
	if op != "+" && op != "-" {
		return nil, fmt.Errorf("cannot apply %s to %s and %s", op, a.t, b.t)
	}
	ka, kb := a.t.Kind, b.t.Kind
	isIv := func(k types.Kind) bool { return k == types.IntervalDayTime || k == types.IntervalYearMonth }
	swapped := false
	if isIv(ka) && !isIv(kb) {
		if op == "-" {
			return nil, fmt.Errorf("cannot subtract %s from %s", b.t, a.t)
		}
		a, b = b, a
		ka, kb = kb, ka
		swapped = true
	}
	fa, fb := a.f, b.f
	sign := int64(1)
	if op == "-" {
		sign = -1
	}
	outOfRange := func(ctx *Ctx, x, y types.Value, k types.Kind) types.Value {
		l, r := types.FormatValue(x, a.t, c.zone(ctx)), types.FormatValue(y, b.t, c.zone(ctx))
		if swapped {
			l, r = r, l
		}
		return fail(ctx, fmt.Errorf("%s: %s %s %s is outside the %s range (years 0000 to 9999)", what, l, op, r, k))
	}
	// bin applies g to two non-NULL operands; g reports false when the
	// result is out of range.
	bin := func(g func(ctx *Ctx, x, y int64) (int64, bool), k types.Kind) Func {
		return func(ctx *Ctx, row core.Row) types.Value {
			x := fa(ctx, row)
			if x.K == types.Null {
				return nullV
			}
			y := fb(ctx, row)
			if y.K == types.Null {
				return nullV
			}
			r, ok := g(ctx, x.I, y.I)
			if !ok {
				return outOfRange(ctx, x, y, k)
			}
			return types.Value{K: k, I: r}
		}
	}
	tsAdd := func(_ *Ctx, x, y int64) (int64, bool) {
		r, ok := addMs(x, y, sign)
		return r, ok && r >= minTs && r <= maxTs
	}
	switch {
	case isIv(ka) && ka == kb:
		return bin(func(_ *Ctx, x, y int64) (int64, bool) { return x + sign*y, true }, ka), nil
	case kb == types.IntervalDayTime:
		switch ka {
		case types.Timestamp, types.TimestampLTZ:
			// (-y overflows for the least int64: the general path reports it)
			if a.col >= 0 && b.konst && b.v.K != types.Null && !(sign < 0 && b.v.I == math.MinInt64) {
				// the watermark's shape, `ts - INTERVAL '1' SECOND`: one
				// read, one addition and a range check, no calls
				i, y, k, d := a.col, b.v, ka, sign*b.v.I
				return func(ctx *Ctx, row core.Row) types.Value {
					x := &row[i]
					if x.K == types.Null {
						return nullV
					}
					r := x.I + d
					if (d > 0 && r < x.I) || (d < 0 && r > x.I) || r < minTs || r > maxTs {
						return outOfRange(ctx, *x, y, k)
					}
					return types.Value{K: k, I: r}
				}, nil
			}
			return bin(tsAdd, ka), nil
		case types.Date:
			if t.Kind == types.Timestamp {
				return bin(func(ctx *Ctx, x, y int64) (int64, bool) {
					if x < minDay || x > maxDay {
						return 0, false
					}
					return tsAdd(ctx, x*msDay, y)
				}, types.Timestamp), nil
			}
			return bin(func(_ *Ctx, x, y int64) (int64, bool) {
				if sign < 0 && y == math.MinInt64 {
					return 0, false
				}
				r, ok := addMs(x, floorDivI(sign*y, msDay), 1)
				return r, ok && r >= minDay && r <= maxDay
			}, types.Date), nil
		case types.Time:
			return bin(func(_ *Ctx, x, y int64) (int64, bool) { return floorModI(x+sign*y, msDay), true }, types.Time), nil
		}
	case kb == types.IntervalYearMonth:
		switch ka {
		case types.Timestamp:
			return bin(func(_ *Ctx, x, y int64) (int64, bool) { return shiftMillis(x, sign*y) }, ka), nil
		case types.TimestampLTZ:
			// months are calendar months of the session time zone
			return bin(func(ctx *Ctx, x, y int64) (int64, bool) {
				loc := c.zone(ctx)
				local, ok := shiftMillis(types.InstantToLocal(x, loc), sign*y)
				if !ok {
					return 0, false
				}
				return types.LocalToInstant(local, loc), true
			}, ka), nil
		case types.Date:
			return bin(func(_ *Ctx, x, y int64) (int64, bool) { return shiftDays(x, sign*y) }, types.Date), nil
		}
	}
	return nil, fmt.Errorf("cannot apply %s to %s and %s", op, a.t, b.t)
}

// TO_TIMESTAMP_LTZ(n[, precision]): n is epoch seconds (precision 0) or
// milliseconds (3, the default).
func buildToTimestampLTZ(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	mult := int64(1)
	if len(args) == 2 {
		if !args[1].konst || (args[1].v.I != 0 && args[1].v.I != 3) {
			return nil, fmt.Errorf("the precision must be the constant 0 or 3")
		}
		if args[1].v.I == 0 {
			mult = 1000
		}
	}
	f := args[0].f
	k := args[0].t.Kind
	switch {
	case k.IsInteger() && args[0].col >= 0:
		i := args[0].col // the common TO_TIMESTAMP_LTZ(event_time, 3): no call for the column
		return func(_ *Ctx, row core.Row) types.Value {
			v := &row[i]
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: types.TimestampLTZ, I: v.I * mult}
		}, nil
	case k.IsInteger():
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: types.TimestampLTZ, I: v.I * mult}
		}, nil
	case k.IsNumeric():
		conv, _ := f64Of(k)
		return func(ctx *Ctx, row core.Row) types.Value {
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
		return func(*Ctx, core.Row) types.Value { return nullV }, nil
	}
	return nil, fmt.Errorf("argument must be numeric, not %s", args[0].t)
}

// patternArg compiles a constant pattern once, or a per-row pattern with
// a one-entry cache.
func patternArg(args []node, i int, def string) (func(ctx *Ctx, row core.Row) (dtPattern, bool, error), error) {
	if i >= len(args) {
		p, err := compileDatePattern(def)
		if err != nil {
			return nil, err
		}
		return func(*Ctx, core.Row) (dtPattern, bool, error) { return p, true, nil }, nil
	}
	a := args[i]
	if a.konst {
		if a.v.K == types.Null {
			return func(*Ctx, core.Row) (dtPattern, bool, error) { return nil, false, nil }, nil
		}
		p, err := compileDatePattern(a.v.S)
		if err != nil {
			return nil, err
		}
		return func(*Ctx, core.Row) (dtPattern, bool, error) { return p, true, nil }, nil
	}
	f := a.f
	var lastS string
	var last dtPattern
	return func(ctx *Ctx, row core.Row) (dtPattern, bool, error) {
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
func buildToTimestamp(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	fs, err := c.stringArgs(args[:1])
	if err != nil {
		return nil, err
	}
	f := fs[0]
	if len(args) == 1 {
		return func(ctx *Ctx, row core.Row) types.Value {
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
func withParsed(f Func, pat func(ctx *Ctx, row core.Row) (dtPattern, bool, error), done func(ctx *Ctx, ms int64, ok bool) types.Value) Func {
	return func(ctx *Ctx, row core.Row) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		p, ok, err := pat(ctx, row)
		if err != nil {
			return fail(ctx, err)
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
func (c *compiler) wallClock(a node) (func(ctx *Ctx, v types.Value) (int64, bool), error) {
	switch a.t.Kind {
	case types.Timestamp:
		return func(_ *Ctx, v types.Value) (int64, bool) { return v.I, true }, nil
	case types.TimestampLTZ:
		return func(ctx *Ctx, v types.Value) (int64, bool) { return types.InstantToLocal(v.I, c.zone(ctx)), true }, nil
	case types.Date:
		return func(_ *Ctx, v types.Value) (int64, bool) { return v.I * msDay, true }, nil
	case types.String:
		return func(_ *Ctx, v types.Value) (int64, bool) {
			ms, err := types.ParseTimestamp(v.S)
			return ms, err == nil
		}, nil
	}
	return nil, fmt.Errorf("argument must be a timestamp, not %s", a.t)
}

// DATE_FORMAT(ts, fmt): TIMESTAMP_LTZ is formatted in the session time zone.
func buildDateFormat(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 2, 2); err != nil {
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
	f := args[0].f
	return func(ctx *Ctx, row core.Row) types.Value {
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
			return fail(ctx, err)
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
func buildUnixTimestamp(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 0, 2); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return func(*Ctx, core.Row) types.Value { return types.BigIntValue(time.Now().Unix()) }, nil
	}
	fs, err := c.stringArgs(args[:1])
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
		return types.BigIntValue(types.LocalToInstant(ms, c.zone(ctx)) / 1000)
	}), nil
}

// FROM_UNIXTIME(n[, fmt]): epoch seconds formatted in the session time zone.
func buildFromUnixtime(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 2); err != nil {
		return nil, err
	}
	if !args[0].t.Kind.IsInteger() && args[0].t.Kind != types.Null {
		return nil, fmt.Errorf("argument must be an integer, not %s", args[0].t)
	}
	pat, err := patternArg(args, 1, defaultDatePattern)
	if err != nil {
		return nil, err
	}
	f := args[0].f
	return func(ctx *Ctx, row core.Row) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		p, ok, err := pat(ctx, row)
		if err != nil {
			return fail(ctx, err)
		}
		if !ok {
			return nullV
		}
		var buf [64]byte
		return types.StringValue(string(p.format(buf[:0], types.InstantToLocal(v.I*1000, c.zone(ctx)))))
	}, nil
}

var unitMillis = map[string]int64{
	"MILLISECOND": 1, "SECOND": 1000, "MINUTE": 60000, "HOUR": 3600000, "DAY": msDay, "WEEK": 7 * msDay,
}

// floorWall floors a wall clock to a unit; WEEK starts on Sunday (Calcite's
// julianDateFloor).
func floorWall(ms int64, unit string) int64 {
	days, _ := types.SplitMillis(ms)
	switch unit {
	case "WEEK":
		dow := floorModI(days+4, 7) // 0 = Sunday
		return (days - dow) * msDay
	case "MONTH", "QUARTER", "YEAR":
		y, m, _ := types.CivilFromDays(days)
		switch unit {
		case "QUARTER":
			m = (m-1)/3*3 + 1
		case "YEAR":
			m = 1
		}
		return types.DaysFromCivil(y, m, 1) * msDay
	}
	u := unitMillis[unit]
	return ms - floorModI(ms, u)
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
		return f + 7*msDay
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
func buildFloorCeilTo(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
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
	f := args[0].f
	k := args[0].t.Kind
	switch k {
	case types.Timestamp:
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: g(v.I, unit)}
		}, nil
	case types.TimestampLTZ:
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			loc := c.zone(ctx)
			return types.Value{K: k, I: types.LocalToInstant(g(types.InstantToLocal(v.I, loc), unit), loc)}
		}, nil
	case types.Date:
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: floorDivI(g(v.I*msDay, unit), msDay)}
		}, nil
	case types.Time:
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			return types.Value{K: k, I: floorModI(g(v.I, unit), msDay)}
		}, nil
	}
	return nil, fmt.Errorf("%s of %s", call.Func, args[0].t)
}

// isoWeek returns the ISO-8601 week number of a day.
func isoWeek(days int64) int64 {
	dowMon := floorModI(days+3, 7) // 0 = Monday
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
		return floorModI(days+4, 7) + 1
	case "ISODOW":
		return floorModI(days+3, 7) + 1
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
		return floorDivI(ms, 1000)
	}
	return 0
}

func buildExtract(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	unit := strings.ToUpper(call.Unit)
	switch unit {
	case "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DOW", "ISODOW", "DOY", "HOUR", "MINUTE", "SECOND", "MILLISECOND", "EPOCH":
	default:
		return nil, fmt.Errorf("unsupported EXTRACT unit %q", call.Unit)
	}
	f := args[0].f
	k := args[0].t.Kind
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
			wall = func(ctx *Ctx, v types.Value) int64 { return types.InstantToLocal(v.I, c.zone(ctx)) }
		}
	case types.Date:
		wall = func(_ *Ctx, v types.Value) int64 { return v.I * msDay }
	case types.IntervalDayTime:
		// EXTRACT(DAY FROM interval) and friends: fields of the duration
		return func(ctx *Ctx, row core.Row) types.Value {
			v := f(ctx, row)
			if v.K == types.Null {
				return nullV
			}
			ms := v.I
			var r int64
			switch unit {
			case "DAY":
				r = ms / msDay
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
		return nil, fmt.Errorf("cannot EXTRACT from %s", args[0].t)
	}
	return func(ctx *Ctx, row core.Row) types.Value {
		v := f(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		return types.Value{K: rk, I: extractWall(wall(ctx, v), unit)}
	}, nil
}

// CURRENT_WATERMARK(rowtime): the operator's current watermark typed as
// the argument, NULL before the first watermark.
func buildCurrentWatermark(c *compiler, call *planner.Call, args []node) (Func, error) {
	if err := wantArgs(args, 1, 1); err != nil {
		return nil, err
	}
	k := args[0].t.Kind
	if !k.IsTimestamp() {
		return nil, fmt.Errorf("argument must be a rowtime attribute, not %s", args[0].t)
	}
	return func(ctx *Ctx, _ core.Row) types.Value {
		if ctx.Watermark == core.MinWatermark {
			return nullV
		}
		return types.Value{K: k, I: ctx.Watermark}
	}, nil
}
