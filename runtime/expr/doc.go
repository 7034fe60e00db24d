// Package expr compiles bound planner expressions into closures.
//
// Compile walks a planner.Expr once. Operators are resolved through the
// registry in compile.go (name -> builder); functions through their specs
// in planner/functions (Spec.Build, called with the compiled arguments
// and a functions.Env that lends casts and comparisons). Each builder
// inspects the
// static operand types and returns a closure specialised for them:
// BIGINT+BIGINT, DOUBLE/DOUBLE, DECIMAL*DECIMAL, STRING = constant and so
// on are separate closures, so evaluation does no lookups, no reflection and
// no type switches per row, and fixed-width results never allocate
// (types.Value is a plain struct). Calls whose arguments are all constants
// are evaluated once at compile time (unless that fails, so a bad constant
// CAST still errors when the row is evaluated, as in Flink).
//
// Semantics follow Flink (see SEMANTICS.md): NULL propagates; AND/OR/NOT
// are three-valued; integer arithmetic wraps in the result type's width
// and `/` truncates, division by zero is an error; FLOAT rounds to float32
// after each operation; DECIMAL arithmetic rounds HALF_UP to the planner's
// result scale and overflow gives NULL (helpers in sql/types/decimal.go);
// comparisons promote numerics (any DOUBLE -> double compare with Java's
// NaN rules, else DECIMAL, else int64); CASE/COALESCE/IF branches are
// widened to the result type. CAST errors on bad input, TRY_CAST gives
// NULL; text forms come from sql/types/format.go so CAST, print and JSON
// agree. TIMESTAMP_LTZ conversions, FLOOR_TO/CEIL_TO and EXTRACT use the
// session time zone (Ctx.TimeZone, falling back to Env.TimeZone, then UTC).
//
// Run-time failures set Ctx.Err (first error wins) and return NULL; the
// caller checks Ctx.Err after a row or a batch. Compile-time failures
// (unknown function, impossible type combination, bad LIKE escape or date
// pattern constant) are returned by Compile.
//
// Files: compile.go (driver, operator registry, spec calls, folding),
// arith.go, cmp.go, logic.go (AND/OR/IS/CASE/IN/BETWEEN), cast.go,
// strfn.go (LIKE), timefn.go (timestamp ± interval). The functions
// themselves live in planner/functions; spec_test.go runs their examples.
package expr
