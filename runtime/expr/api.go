package expr

import (
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// Ctx is the per-call evaluation context (functions.Ctx: the function
// specs' closures take it directly). One Ctx is reused for a whole batch.
type Ctx = functions.Ctx

// Func evaluates a compiled expression over one row. It is functions.Eval,
// so a function spec's closure is used as is, with no wrapper.
type Func = functions.Eval

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
