package expr_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // CONVERT_TZ's examples need their zones on any machine

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/planner/functions"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/expr"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// exampleTable is the table every function example reads from, and
// exampleRow its one row: i = 7, n = -3, s = 'hello', e = ” (empty),
// ns = NULL (STRING), d = 2.5, ts = 2023-11-14 22:13:20.123, b = TRUE.
const exampleTable = `CREATE TABLE t (i INT, n INT, s STRING, e STRING, ns STRING, d DOUBLE, ts TIMESTAMP(3), b BOOLEAN,
  WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');
`

var exampleRow = map[string]types.Value{
	"i":  types.IntValue(7),
	"n":  types.IntValue(-3),
	"s":  types.StringValue("hello"),
	"e":  types.StringValue(""),
	"ns": types.NullValue,
	"d":  types.DoubleValue(2.5),
	"ts": types.TimestampValue(time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC).UnixMilli()),
	"b":  types.BoolValue(true),
}

// evalSQL runs one expression through the whole stack: sql.Parse, the
// planner (name resolution and the spec's type inference), expr.Compile
// (the spec's builder) and evaluation over exampleRow. It returns the
// result as CAST(x AS STRING) prints it, "NULL", or "error: ...".
func evalSQL(t *testing.T, expression string) string {
	t.Helper()
	src := exampleTable + "SELECT " + expression + " AS x FROM t;\n"
	script, err := sql.Parse("example.sql", []byte(src))
	if err != nil {
		return "error: " + err.Error()
	}
	job, err := planner.Plan(script)
	if err != nil {
		return "error: " + err.Error()
	}
	var calc *planner.CalcOp
	var in *planner.Node
	for _, n := range job.Graph.Nodes {
		if c, ok := n.Op.(*planner.CalcOp); ok && len(c.Projections) > 0 {
			calc, in = c, n.Inputs[0]
			break
		}
	}
	if calc == nil {
		return "error: no Calc in the plan (the planner folded the expression away?)"
	}
	e := calc.Projections[len(calc.Projections)-1]
	row := make([]types.Value, len(in.Schema))
	for i, c := range in.Schema {
		v, ok := exampleRow[c.Name]
		if !ok {
			return fmt.Sprintf("error: the Calc's input has column %q, which the example row lacks", c.Name)
		}
		row[i] = v
	}
	f, err := expr.Compile(e, &expr.Env{TimeZone: time.UTC})
	if err != nil {
		return "error: " + err.Error()
	}
	ctx := &expr.Ctx{TimeZone: time.UTC, Watermark: core.MinWatermark}
	v := f(ctx, row)
	if ctx.Err != nil {
		return "error: " + ctx.Err.Error()
	}
	typ := e.Type()
	if v.K == types.Null {
		if typ.NotNull {
			return fmt.Sprintf("error: NULL from an expression typed %s", typ)
		}
		return "NULL"
	}
	if typ.Kind != types.Null && v.K != typ.Kind && !(v.K == types.String && typ.Kind == types.Bytes) {
		return fmt.Sprintf("error: the planner typed %s but the runtime returned a %s", typ, v.K)
	}
	return types.FormatValue(v, typ, time.UTC)
}

// TestFunctionExamples runs every example of every function spec through
// the whole stack; the expected values come from Flink's documentation
// (and its behaviour on edge cases), not from this engine.
func TestFunctionExamples(t *testing.T) {
	for _, s := range functions.All() {
		for _, ex := range s.Examples {
			got := evalSQL(t, ex.Expr)
			if want, isErr := strings.CutPrefix(ex.Want, "error: "); isErr {
				if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, want) {
					t.Errorf("%s: %s = %q, want an error containing %q", s.Name, ex.Expr, got, want)
				}
				continue
			}
			if got != ex.Want {
				t.Errorf("%s: %s = %q, want %q", s.Name, ex.Expr, got, ex.Want)
			}
		}
	}
}

// TestEverySpecIsBuildable: the planner accepts exactly the names of the
// specs, so every spec (aliases included) must have a documented,
// working example the runtime builds and evaluates, and its doc fields.
func TestEverySpecIsBuildable(t *testing.T) {
	for _, s := range functions.All() {
		if s.Doc == "" && !s.Internal || s.Syntax == "" || s.Category == "" {
			t.Errorf("%s: missing Doc, Syntax or Category", s.Name)
		}
		names := append([]string{s.Name}, s.Aliases...)
		if s.Internal || s.Infer == nil {
			names = names[:0]
		}
		ok := false
		for _, ex := range s.Examples {
			if !strings.HasPrefix(ex.Want, "error: ") {
				ok = true
			}
			up := strings.ToUpper(ex.Expr)
			for i := 0; i < len(names); i++ {
				if regexp.MustCompile(`(^|[^A-Z_])` + names[i] + `($|[^A-Z_0-9])`).MatchString(up) {
					names = append(names[:i], names[i+1:]...)
					i--
				}
			}
		}
		if !ok {
			t.Errorf("%s: no example with a value", s.Name)
		}
		if len(names) > 0 {
			t.Errorf("%s: no example calls %v", s.Name, names)
		}
	}
	for _, n := range functions.UnsupportedNames() {
		if _, ok := functions.Lookup(n); ok {
			t.Errorf("%s is both supported and listed as not supported", n)
		}
	}
}

// TestUnsupportedFunctionRefusedByName: a Flink function we lack says so.
func TestUnsupportedFunctionRefusedByName(t *testing.T) {
	for _, n := range functions.UnsupportedNames() {
		got := evalSQL(t, n+"(1)")
		// the planner says "function X is not supported yet"; the parser
		// refuses some constructs (GROUPING with GROUPING SETS) itself
		if !strings.Contains(got, "function "+n+" is not supported yet") && !(strings.Contains(got, n) && strings.Contains(got, "is not supported")) {
			t.Errorf("%s(1): %q, want it refused by name", n, got)
		}
	}
	if got := evalSQL(t, "NO_SUCH_FUNC(1)"); !strings.Contains(got, "unknown function") {
		t.Errorf("NO_SUCH_FUNC(1): %q", got)
	}
}

// TestFlinkOperatorSyntax: Flink forms the MySQL grammar lacks, with the
// results Flink's documentation gives.
func TestFlinkOperatorSyntax(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{"12 BETWEEN 15 AND 12", "FALSE"},
		{"12 BETWEEN SYMMETRIC 15 AND 12", "TRUE"},
		{"12 BETWEEN ASYMMETRIC 15 AND 12", "FALSE"},
		{"12 BETWEEN 10 AND NULL", "NULL"},
		{"12 BETWEEN NULL AND 10", "FALSE"},
		{"12 BETWEEN SYMMETRIC NULL AND 12", "NULL"},
		{"12 NOT BETWEEN 15 AND 12", "TRUE"},
		{"12 NOT BETWEEN SYMMETRIC 15 AND 12", "FALSE"},
		{"12 NOT BETWEEN NULL AND 15", "NULL"},
		{"12 NOT BETWEEN 15 AND NULL", "TRUE"},
		{"12 NOT BETWEEN SYMMETRIC 12 AND NULL", "NULL"},
		{"i BETWEEN SYMMETRIC 10 AND 1 AND b", "TRUE"},
		{"CASE i WHEN 2, 7 THEN 'two or seven' ELSE 'other' END", "two or seven"},
		{"CASE i WHEN 1, 2, 3 THEN 'small' WHEN 7 THEN 'seven' END", "seven"},
		{"CASE i WHEN 1, 2 THEN 'small' END", "NULL"},
		{"CASE WHEN i = 1, 2 THEN 'x' END", "error: needs the form CASE value WHEN"},
		{"CASE i WHEN 1, 'a' THEN 'x' END", "error: cannot compare"},
		{"i BETWEEN SYMMETRIC 1", "error: expected BETWEEN SYMMETRIC low AND high"},
	} {
		got := evalSQL(t, c.expr)
		if want, isErr := strings.CutPrefix(c.want, "error: "); isErr {
			if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, want) {
				t.Errorf("%s = %q, want an error containing %q", c.expr, got, want)
			}
		} else if got != c.want {
			t.Errorf("%s = %q, want %q", c.expr, got, c.want)
		}
	}
}
