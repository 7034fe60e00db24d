package expr

import (
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Ctx is the per-call evaluation context. One Ctx is reused for a whole
// batch: evaluation never allocates it per row.
type Ctx struct {
	// Watermark is the current input watermark of the operator evaluating
	// (CURRENT_WATERMARK); core.MinWatermark when none yet.
	Watermark int64
	// TimeZone is table.local-time-zone.
	TimeZone *time.Location
	// Err is set by the first failing evaluation (CAST of a bad value,
	// division by zero as Flink defines it, ...). Callers check it after
	// a row or a batch and stop the job with it.
	Err error
}

// Func evaluates a compiled expression over one row.
type Func func(c *Ctx, row core.Row) types.Value

// Env is what compilation may need to know.
type Env struct {
	TimeZone *time.Location
}

// Compile turns a bound planner expression into a Func, resolving
// functions and operand types once so evaluation does no lookups.
// An unknown function or unsupported type combination is an error here,
// never at run time.
var Compile func(e planner.Expr, env *Env) (Func, error) = compile

// Predicate evaluates a BOOLEAN expression as a filter: NULL and FALSE
// reject the row.
func Predicate(f Func) func(c *Ctx, row core.Row) bool {
	return func(c *Ctx, row core.Row) bool {
		v := f(c, row)
		return v.K != types.Null && v.I != 0
	}
}
