package expr

import (
	"fmt"
	"math"

	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

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
		r, ok := functions.AddMs(x, y, sign)
		return r, ok && r >= functions.MinTs && r <= functions.MaxTs
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
					if (d > 0 && r < x.I) || (d < 0 && r > x.I) || r < functions.MinTs || r > functions.MaxTs {
						return outOfRange(ctx, *x, y, k)
					}
					return types.Value{K: k, I: r}
				}, nil
			}
			return bin(tsAdd, ka), nil
		case types.Date:
			if t.Kind == types.Timestamp {
				return bin(func(ctx *Ctx, x, y int64) (int64, bool) {
					if x < functions.MinDay || x > functions.MaxDay {
						return 0, false
					}
					return tsAdd(ctx, x*functions.MsDay, y)
				}, types.Timestamp), nil
			}
			return bin(func(_ *Ctx, x, y int64) (int64, bool) {
				if sign < 0 && y == math.MinInt64 {
					return 0, false
				}
				r, ok := functions.AddMs(x, floorDivI(sign*y, functions.MsDay), 1)
				return r, ok && r >= functions.MinDay && r <= functions.MaxDay
			}, types.Date), nil
		case types.Time:
			return bin(func(_ *Ctx, x, y int64) (int64, bool) { return floorModI(x+sign*y, functions.MsDay), true }, types.Time), nil
		}
	case kb == types.IntervalYearMonth:
		switch ka {
		case types.Timestamp:
			return bin(func(_ *Ctx, x, y int64) (int64, bool) { return functions.ShiftMillis(x, sign*y) }, ka), nil
		case types.TimestampLTZ:
			// months are calendar months of the session time zone
			return bin(func(ctx *Ctx, x, y int64) (int64, bool) {
				loc := c.zone(ctx)
				local, ok := functions.ShiftMillis(types.InstantToLocal(x, loc), sign*y)
				if !ok {
					return 0, false
				}
				return types.LocalToInstant(local, loc), true
			}, ka), nil
		case types.Date:
			return bin(func(_ *Ctx, x, y int64) (int64, bool) { return functions.ShiftDays(x, sign*y) }, types.Date), nil
		}
	}
	return nil, fmt.Errorf("cannot apply %s to %s and %s", op, a.t, b.t)
}
