package functions

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/sql/types"
)

// Temporal functions beyond those in timefn.go: the EXTRACT shorthands
// (YEAR, MONTH, ..., DAYOFWEEK), TIMESTAMPDIFF / TIMESTAMPADD, TO_DATE,
// CONVERT_TZ and the current-time functions, which Flink evaluates per
// record in streaming mode (so they are never folded to a constant).

func init() {
	field := func(name, unit, doc string, timeOK bool, ex ...Example) {
		Register(&Spec{Name: name, Category: "temporal", Syntax: name + "(date | timestamp)", Doc: doc, MinArgs: 1, MaxArgs: 1,
			Infer: func(a []Operand) (types.Type, *ArgError) {
				k := a[0].T.Kind
				if !k.IsTimestamp() && k != types.Date && k != types.Null && !(timeOK && k == types.Time) {
					return types.Type{}, &ArgError{0, fmt.Sprintf("argument 1 must be a date or a timestamp, not %s", a[0].T.WithoutRowtime())}
				}
				return withNull(types.TBigInt, a), nil
			},
			Build: func(env *Env, call *Call, args []Arg) (Eval, error) {
				c := *call
				c.Unit = unit
				return buildExtract(env, &c, args)
			}, Examples: ex})
	}
	field("YEAR", "YEAR", "The year; EXTRACT(YEAR FROM x).", false, Example{"YEAR(DATE '1994-09-27')", "1994"}, Example{"YEAR(ts)", "2023"}, Example{"YEAR(CAST(NULL AS DATE))", "NULL"})
	field("QUARTER", "QUARTER", "The quarter of the year, 1 to 4; EXTRACT(QUARTER FROM x).", false, Example{"QUARTER(DATE '1994-09-27')", "3"}, Example{"QUARTER(DATE '1994-01-01')", "1"})
	field("MONTH", "MONTH", "The month, 1 to 12; EXTRACT(MONTH FROM x).", false, Example{"MONTH(DATE '1994-09-27')", "9"}, Example{"MONTH(ts)", "11"})
	field("WEEK", "WEEK", "The ISO-8601 week of the year, 1 to 53; EXTRACT(WEEK FROM x).", false, Example{"WEEK(DATE '1994-09-27')", "39"}, Example{"WEEK(DATE '2021-01-01')", "53"})
	field("DAYOFYEAR", "DOY", "The day of the year, 1 to 366; EXTRACT(DOY FROM x).", false, Example{"DAYOFYEAR(DATE '1994-09-27')", "270"}, Example{"DAYOFYEAR(DATE '2020-12-31')", "366"})
	field("DAYOFMONTH", "DAY", "The day of the month, 1 to 31; EXTRACT(DAY FROM x).", false, Example{"DAYOFMONTH(DATE '1994-09-27')", "27"})
	field("DAYOFWEEK", "DOW", "The day of the week, 1 (Sunday) to 7; EXTRACT(DOW FROM x).", false, Example{"DAYOFWEEK(DATE '1994-09-27')", "3"}, Example{"DAYOFWEEK(DATE '2023-11-12')", "1"})
	field("HOUR", "HOUR", "The hour of the day, 0 to 23; EXTRACT(HOUR FROM x).", true, Example{"HOUR(TIMESTAMP '1994-09-27 13:14:15')", "13"}, Example{"HOUR(TIME '07:00:00')", "7"})
	field("MINUTE", "MINUTE", "The minute of the hour, 0 to 59; EXTRACT(MINUTE FROM x).", true, Example{"MINUTE(TIMESTAMP '1994-09-27 13:14:15')", "14"})
	field("SECOND", "SECOND", "The second of the minute, 0 to 59; EXTRACT(SECOND FROM x).", true, Example{"SECOND(TIMESTAMP '1994-09-27 13:14:15')", "15"}, Example{"SECOND(ts)", "20"})

	Register(&Spec{Name: "TIMESTAMPDIFF", Category: "temporal", Syntax: "TIMESTAMPDIFF(unit, timepoint1, timepoint2)", MinArgs: 3, MaxArgs: 3,
		Doc: "The signed number of whole units (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR) from timepoint1 to timepoint2, as an INT.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := unitArg(a, diffUnits); e != nil {
				return types.Type{}, e
			}
			for i := 1; i < 3; i++ {
				if k := a[i].T.Kind; !k.IsTimestamp() && k != types.Date && k != types.Null {
					return types.Type{}, &ArgError{i, fmt.Sprintf("argument %d must be a date or a timestamp, not %s", i+1, a[i].T.WithoutRowtime())}
				}
			}
			return withNull(types.TInt, a[1:]), nil
		},
		Build: buildTimestampDiff,
		Examples: []Example{{"TIMESTAMPDIFF(DAY, TIMESTAMP '2003-01-02 10:00:00', TIMESTAMP '2003-01-03 10:00:00')", "1"},
			{"TIMESTAMPDIFF(HOUR, TIMESTAMP '2003-01-02 10:00:00', TIMESTAMP '2003-01-02 08:30:00')", "-1"},
			{"TIMESTAMPDIFF(SECOND, ts, ts + INTERVAL '90' SECOND)", "90"}, {"TIMESTAMPDIFF(MONTH, DATE '2023-01-31', DATE '2023-02-28')", "1"},
			{"TIMESTAMPDIFF(MONTH, TIMESTAMP '2023-01-15 10:00:00', TIMESTAMP '2023-02-15 09:00:00')", "0"},
			{"TIMESTAMPDIFF(YEAR, DATE '2020-02-29', DATE '2021-02-28')", "1"}, {"TIMESTAMPDIFF(QUARTER, DATE '2023-01-01', DATE '2023-12-31')", "3"},
			{"TIMESTAMPDIFF(WEEK, DATE '2023-01-01', DATE '2023-01-14')", "1"}, {"TIMESTAMPDIFF(DAY, ts, CAST(NULL AS TIMESTAMP(3)))", "NULL"},
			{"TIMESTAMPDIFF(DAY, 1, ts)", "error: argument 2 must be a date or a timestamp"}}})
	Register(&Spec{Name: "TIMESTAMPADD", Category: "temporal", Syntax: "TIMESTAMPADD(unit, interval, timepoint)", MinArgs: 3, MaxArgs: 3,
		Doc: "timepoint plus interval units (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR); a DATE plus units below a day is a TIMESTAMP(3).",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(unitArg(a, diffUnits), wantInteger(a, 1)); e != nil {
				return types.Type{}, e
			}
			t := a[2].T.WithoutRowtime()
			switch {
			case t.Kind == types.Date && unitMs[strings.ToUpper(a[0].V.S)] != 0 && unitMs[strings.ToUpper(a[0].V.S)] < MsDay:
				t = types.TTimestamp3
			case t.Kind.IsTimestamp() || t.Kind == types.Date || t.Kind == types.Null:
			default:
				return types.Type{}, &ArgError{2, fmt.Sprintf("argument 3 must be a date or a timestamp, not %s", t)}
			}
			return withNull(t, a[1:]), nil
		},
		Build: buildTimestampAdd,
		Examples: []Example{{"TIMESTAMPADD(WEEK, 1, DATE '2003-01-02')", "2003-01-09"}, {"TIMESTAMPADD(HOUR, -2, TIMESTAMP '2003-01-02 01:00:00')", "2003-01-01 23:00:00.000"},
			{"TIMESTAMPADD(MONTH, 1, DATE '2023-01-31')", "2023-02-28"}, {"TIMESTAMPADD(MINUTE, 90, DATE '2023-01-31')", "2023-01-31 01:30:00.000"},
			{"TIMESTAMPADD(DAY, CAST(NULL AS INT), ts)", "NULL"}, {"TIMESTAMPADD(YEAR, 10000, DATE '2023-01-31')", "error: outside"}}})
	Register(&Spec{Name: "TO_DATE", Category: "temporal", Syntax: "TO_DATE(string[, format])", MinArgs: 1, MaxArgs: 2,
		Doc: "Parses a date string (default format 'yyyy-MM-dd') into a DATE; NULL when it does not parse.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			if e := first(wantString(a, 0), wantString(a, 1)); e != nil {
				return types.Type{}, e
			}
			return types.Type{Kind: types.Date}, nil
		},
		Build: buildToDate,
		Examples: []Example{{"TO_DATE('2023-11-14')", "2023-11-14"}, {"TO_DATE('14/11/2023', 'dd/MM/yyyy')", "2023-11-14"}, {"TO_DATE('garbage')", "NULL"},
			{"TO_DATE(ns)", "NULL"}}})
	Register(&Spec{Name: "CONVERT_TZ", Category: "temporal", Syntax: "CONVERT_TZ(string, from_zone, to_zone)",
		MinArgs: 3, MaxArgs: 3,
		Doc:   "Converts a date-time string 'yyyy-MM-dd HH:mm:ss' from one time zone (an IANA name such as 'America/Los_Angeles', 'UTC', or an offset such as 'GMT-08:00') to another.",
		Infer: nullable(StringFunc), Build: buildConvertTZ,
		Examples: []Example{{"CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'America/Los_Angeles')", "1969-12-31 16:00:00"},
			{"CONVERT_TZ('2023-07-01 12:00:00', 'Europe/Berlin', 'GMT+08:00')", "2023-07-01 18:00:00"}, {"CONVERT_TZ(ns, 'UTC', 'UTC')", "NULL"},
			{"CONVERT_TZ('garbage', 'UTC', 'UTC')", "NULL"}, {"CONVERT_TZ('1970-01-01 00:00:00', 'UTC', 'Mars/Base')", "error: unknown time zone"}}})

	Register(&Spec{Name: "OVERLAPS", Category: "temporal", Syntax: "(timepoint1, temporal1) OVERLAPS (timepoint2, temporal2)", MinArgs: 4, MaxArgs: 4,
		Doc: "Whether the two periods overlap; a period is a start and an end, or a start and an interval.",
		Infer: func(a []Operand) (types.Type, *ArgError) {
			for _, i := range []int{0, 2} {
				k := a[i].T.Kind
				if !k.IsTimestamp() && k != types.Date && k != types.Time {
					return types.Type{}, &ArgError{i, fmt.Sprintf("a period starts with a date, time or timestamp, not %s", a[i].T.WithoutRowtime())}
				}
				e := a[i+1].T.Kind
				if e != k && e != types.IntervalDayTime && e != types.IntervalYearMonth && !(k.IsTimestamp() && e.IsTimestamp()) {
					return types.Type{}, &ArgError{i + 1, fmt.Sprintf("a period of %s ends with a %s or an interval, not %s", a[i].T.WithoutRowtime(), a[i].T.WithoutRowtime(), a[i+1].T.WithoutRowtime())}
				}
			}
			return withNull(types.TBoolean, a), nil
		},
		Build: buildOverlaps,
		Examples: []Example{{"(TIME '2:55:00', INTERVAL '1' HOUR) OVERLAPS (TIME '3:30:00', INTERVAL '2' HOUR)", "TRUE"},
			{"(TIME '9:00:00', TIME '10:00:00') OVERLAPS (TIME '10:15:00', INTERVAL '3' HOUR)", "FALSE"},
			{"(DATE '2023-01-10', DATE '2023-01-01') OVERLAPS (DATE '2023-01-05', INTERVAL '1' DAY)", "TRUE"},
			{"(ts, INTERVAL '1' MINUTE) OVERLAPS (ts - INTERVAL '1' HOUR, ts - INTERVAL '30' MINUTE)", "FALSE"},
			{"(1, 2) OVERLAPS (3, 4)", "error: a period starts with a date, time or timestamp"}}})
	now := func(name, syntax, doc string, t types.Type, val func(ms int64, loc *time.Location) int64, ex ...Example) {
		t.NotNull = true
		Register(&Spec{Name: name, Category: "temporal", Syntax: syntax, Doc: doc, MinArgs: 0, MaxArgs: 0, Volatile: true,
			Infer: func([]Operand) (types.Type, *ArgError) { return t, nil },
			Build: func(env *Env, call *Call, args []Arg) (Eval, error) {
				k := t.Kind
				return func(ctx *Ctx, _ []types.Value) types.Value {
					return types.Value{K: k, I: val(time.Now().UnixMilli(), env.Zone(ctx))}
				}, nil
			}, Examples: ex})
	}
	instant := func(ms int64, _ *time.Location) int64 { return ms }
	now("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "The current time as a TIMESTAMP_LTZ(3), evaluated for each row (Flink's streaming mode).", types.TTimestampLTZ, instant,
		Example{"CURRENT_TIMESTAMP > TIMESTAMP '2024-01-01 00:00:00'", "TRUE"}, Example{"CAST(CURRENT_TIMESTAMP AS DATE) = CURRENT_DATE", "TRUE"})
	now("NOW", "NOW()", "A synonym of CURRENT_TIMESTAMP.", types.TTimestampLTZ, instant, Example{"NOW() > TIMESTAMP '2024-01-01 00:00:00'", "TRUE"})
	now("CURRENT_ROW_TIMESTAMP", "CURRENT_ROW_TIMESTAMP()", "The current time as a TIMESTAMP_LTZ(3), evaluated for each row.", types.TTimestampLTZ, instant,
		Example{"CURRENT_ROW_TIMESTAMP() > TIMESTAMP '2024-01-01 00:00:00'", "TRUE"})
	now("LOCALTIMESTAMP", "LOCALTIMESTAMP", "The current wall-clock time in the session time zone as a TIMESTAMP(3), evaluated for each row.", types.TTimestamp3,
		func(ms int64, loc *time.Location) int64 { return types.InstantToLocal(ms, loc) },
		Example{"LOCALTIMESTAMP > TIMESTAMP '2024-01-01 00:00:00'", "TRUE"})
	now("CURRENT_DATE", "CURRENT_DATE", "The current date in the session time zone, evaluated for each row.", types.Type{Kind: types.Date},
		func(ms int64, loc *time.Location) int64 { return FloorDiv(types.InstantToLocal(ms, loc), MsDay) },
		Example{"CURRENT_DATE > DATE '2024-01-01'", "TRUE"})
	localTime := func(ms int64, loc *time.Location) int64 {
		tod := FloorMod(types.InstantToLocal(ms, loc), MsDay)
		return tod - tod%1000
	}
	now("CURRENT_TIME", "CURRENT_TIME", "The current time of day in the session time zone as a TIME(0), evaluated for each row.", types.Type{Kind: types.Time}, localTime,
		Example{"CURRENT_TIME <= TIME '23:59:59'", "TRUE"})
	now("LOCALTIME", "LOCALTIME", "A synonym of CURRENT_TIME.", types.Type{Kind: types.Time}, localTime, Example{"LOCALTIME >= TIME '00:00:00'", "TRUE"})
}

// buildOverlaps: each period becomes [min, max] of its start and end
// (start plus the interval); they overlap when each starts no later than
// the other ends (Calcite's convertOverlaps).
func buildOverlaps(env *Env, call *Call, args []Arg) (Eval, error) {
	var at [4]func(ctx *Ctx, start, v types.Value) int64
	for i, a := range args {
		k := a.T.Kind
		switch {
		case k == types.IntervalDayTime:
			w := toWall(env, args[i-1].T.Kind)
			at[i] = func(ctx *Ctx, s, v types.Value) int64 { return w(ctx, s) + v.I }
		case k == types.IntervalYearMonth:
			w := toWall(env, args[i-1].T.Kind)
			at[i] = func(ctx *Ctx, s, v types.Value) int64 {
				r, _ := ShiftMillis(w(ctx, s), v.I)
				return r
			}
		default:
			w := toWall(env, k)
			at[i] = func(ctx *Ctx, _, v types.Value) int64 { return w(ctx, v) }
		}
	}
	fs := [4]Eval{args[0].F, args[1].F, args[2].F, args[3].F}
	return func(ctx *Ctx, row []types.Value) types.Value {
		var v [4]types.Value
		for i, f := range fs {
			if v[i] = f(ctx, row); v[i].K == types.Null {
				return nullV
			}
		}
		s1, e1 := at[0](ctx, v[0], v[0]), at[1](ctx, v[0], v[1])
		s2, e2 := at[2](ctx, v[2], v[2]), at[3](ctx, v[2], v[3])
		s1, e1 = min(s1, e1), max(s1, e1)
		s2, e2 = min(s2, e2), max(s2, e2)
		return BoolV(e1 >= s2 && e2 >= s1)
	}, nil
}

// unitMs is the length of the fixed-length units; months, quarters and
// years are calendar units (0 here).
var unitMs = map[string]int64{"SECOND": 1000, "MINUTE": 60000, "HOUR": 3600000, "DAY": MsDay, "WEEK": 7 * MsDay}

var diffUnits = []string{"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}

// unitArg checks that argument 0 is one of the units (the planner passes
// the unit keyword as a constant string).
func unitArg(a []Operand, units []string) *ArgError {
	if a[0].Const && a[0].V.K == types.String {
		for _, u := range units {
			if strings.ToUpper(a[0].V.S) == u {
				return nil
			}
		}
	}
	return &ArgError{0, "the unit must be one of " + strings.Join(units, ", ")}
}

func monthsOfUnit(u string) int64 {
	switch u {
	case "MONTH":
		return 1
	case "QUARTER":
		return 3
	case "YEAR":
		return 12
	}
	return 0
}

// subtractMonths is Calcite's DateTimeUtils.subtractMonths: the whole
// months from wall clock t1 to t0.
func subtractMonths(t0, t1 int64) int64 {
	if t0 < t1 {
		return -subtractMonths(t1, t0)
	}
	d0, ms0 := types.SplitMillis(t0)
	d1, ms1 := types.SplitMillis(t1)
	m := (d0 - d1) / 31
	for {
		if addMonthsDays(d1, m) >= d0 || addMonthsDays(d1, m+1) > d0 {
			break
		}
		m++
	}
	if addMonthsDays(d1, m) == d0 && ms0 < ms1 {
		m--
	}
	return m
}

// toWall returns a converter of a DATE / TIMESTAMP / TIMESTAMP_LTZ
// argument to a wall clock in milliseconds.
func toWall(env *Env, k types.Kind) func(ctx *Ctx, v types.Value) int64 {
	switch k {
	case types.Date:
		return func(_ *Ctx, v types.Value) int64 { return v.I * MsDay }
	case types.TimestampLTZ:
		return func(ctx *Ctx, v types.Value) int64 { return types.InstantToLocal(v.I, env.Zone(ctx)) }
	}
	return func(_ *Ctx, v types.Value) int64 { return v.I }
}

func buildTimestampDiff(env *Env, call *Call, args []Arg) (Eval, error) {
	unit := strings.ToUpper(args[0].V.S)
	w1, w2 := toWall(env, args[1].T.Kind), toWall(env, args[2].T.Kind)
	f1, f2 := args[1].F, args[2].F
	ms, months := unitMs[unit], monthsOfUnit(unit)
	return func(ctx *Ctx, row []types.Value) types.Value {
		a := f1(ctx, row)
		if a.K == types.Null {
			return nullV
		}
		b := f2(ctx, row)
		if b.K == types.Null {
			return nullV
		}
		x, y := w1(ctx, a), w2(ctx, b)
		if ms != 0 {
			return types.IntValue(int64(int32((y - x) / ms)))
		}
		return types.IntValue(int64(int32(subtractMonths(y, x) / months)))
	}, nil
}

func buildTimestampAdd(env *Env, call *Call, args []Arg) (Eval, error) {
	unit := strings.ToUpper(args[0].V.S)
	fn, ft := args[1].F, args[2].F
	k, rk := args[2].T.Kind, call.T.Kind
	ms, months := unitMs[unit], monthsOfUnit(unit)
	wall := toWall(env, k)
	return func(ctx *Ctx, row []types.Value) types.Value {
		n := fn(ctx, row)
		if n.K == types.Null {
			return nullV
		}
		t := ft(ctx, row)
		if t.K == types.Null {
			return nullV
		}
		w := wall(ctx, t)
		var r int64
		ok := true
		if ms != 0 {
			d := n.I * ms
			if n.I != 0 && d/n.I != ms {
				ok = false
			} else {
				r, ok = AddMs(w, d, 1)
				ok = ok && r >= MinTs && r <= MaxTs
			}
		} else if n.I > maxMonths/months || n.I < -maxMonths/months {
			ok = false
		} else {
			r, ok = ShiftMillis(w, n.I*months)
		}
		if !ok {
			return Fail(ctx, fmt.Errorf("TIMESTAMPADD(%s, %d, %s) is outside the supported range (years 0000 to 9999)", unit, n.I, types.FormatValue(t, args[2].T, env.Zone(ctx))))
		}
		switch {
		case rk == types.Date:
			return types.DateValue(FloorDiv(r, MsDay))
		case k == types.TimestampLTZ:
			return types.Value{K: rk, I: types.LocalToInstant(r, env.Zone(ctx))}
		}
		return types.Value{K: rk, I: r}
	}, nil
}

func buildToDate(env *Env, call *Call, args []Arg) (Eval, error) {
	fs, err := env.Strings(args[:1])
	if err != nil {
		return nil, err
	}
	pat, err := patternArg(args, 1, "yyyy-MM-dd")
	if err != nil {
		return nil, err
	}
	return withParsed(fs[0], pat, func(_ *Ctx, ms int64, ok bool) types.Value {
		if !ok {
			return nullV
		}
		return types.DateValue(FloorDiv(ms, MsDay))
	}), nil
}

// ZoneByName resolves a time-zone ID as Java's ZoneId / TimeZone do for
// the common forms: IANA names ('Europe/Berlin'), 'UTC' / 'GMT' / 'Z',
// and offsets ('+08:00', 'GMT-8', 'UTC+05:30').
func ZoneByName(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	off := n
	for _, p := range []string{"GMT", "UTC", "UT"} {
		if strings.HasPrefix(n, p) && len(n) > len(p) && (n[len(p)] == '+' || n[len(p)] == '-') {
			off = n[len(p):]
			break
		}
	}
	if off != "" && (off[0] == '+' || off[0] == '-') {
		h, m, _ := strings.Cut(off[1:], ":")
		hh, err1 := strconv.Atoi(h)
		mm := 0
		var err2 error
		if m != "" {
			mm, err2 = strconv.Atoi(m)
		}
		if err1 == nil && err2 == nil && hh <= 18 && mm < 60 {
			secs := (hh*60 + mm) * 60
			if off[0] == '-' {
				secs = -secs
			}
			return time.FixedZone(n, secs), nil
		}
	}
	if n == "Z" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(n)
	if err != nil || n == "" || n == "Local" {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

// zoneArg resolves a constant zone once (unknown: an error at compile
// time) or a per-row one (unknown: a run-time error).
func zoneArg(a Arg, f Eval) (func(ctx *Ctx, row []types.Value) (*time.Location, bool), error) {
	if a.Konst {
		if a.V.K == types.Null {
			return func(*Ctx, []types.Value) (*time.Location, bool) { return nil, false }, nil
		}
		loc, err := ZoneByName(a.V.S)
		if err != nil {
			return nil, err
		}
		return func(*Ctx, []types.Value) (*time.Location, bool) { return loc, true }, nil
	}
	return func(ctx *Ctx, row []types.Value) (*time.Location, bool) {
		v := f(ctx, row)
		if v.K == types.Null {
			return nil, false
		}
		loc, err := ZoneByName(v.S)
		if err != nil {
			Fail(ctx, fmt.Errorf("CONVERT_TZ: %w", err))
			return nil, false
		}
		return loc, true
	}, nil
}

func buildConvertTZ(env *Env, call *Call, args []Arg) (Eval, error) {
	fs, err := env.Strings(args)
	if err != nil {
		return nil, err
	}
	from, err := zoneArg(args[1], fs[1])
	if err != nil {
		return nil, err
	}
	to, err := zoneArg(args[2], fs[2])
	if err != nil {
		return nil, err
	}
	p, err := compileDatePattern(defaultDatePattern)
	if err != nil {
		return nil, err
	}
	fx := fs[0]
	return func(ctx *Ctx, row []types.Value) types.Value {
		v := fx(ctx, row)
		if v.K == types.Null {
			return nullV
		}
		lf, ok := from(ctx, row)
		if !ok {
			return nullV
		}
		lt, ok := to(ctx, row)
		if !ok {
			return nullV
		}
		ms, err := types.ParseTimestamp(v.S)
		if err != nil {
			return nullV
		}
		var buf [32]byte
		return types.StringValue(string(p.format(buf[:0], types.InstantToLocal(types.LocalToInstant(ms, lf), lt))))
	}, nil
}
