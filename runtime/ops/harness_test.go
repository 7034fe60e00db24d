package ops

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// collector records every emitted row, in order.
type collector struct {
	rows    []core.Row
	batches int
}

func (c *collector) Emit(b *core.Batch) error {
	c.batches++
	c.rows = append(c.rows, b.Rows...)
	return nil
}

func fmtVal(v types.Value) string {
	switch v.K {
	case types.Null:
		return "NULL"
	case types.String:
		return fmt.Sprintf("%q", v.S)
	case types.Double, types.Float:
		return fmt.Sprintf("%s:%g", v.K, v.F())
	case types.Decimal:
		return fmt.Sprintf("DEC:%s@%d", v.Unscaled(), v.Scale)
	}
	return fmt.Sprintf("%s:%d", v.K, v.I)
}

func fmtRow(r core.Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = fmtVal(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func fmtRows(rs []core.Row) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmtRow(r)
	}
	return out
}

func sameRows(t *testing.T, what string, got, want []core.Row) {
	t.Helper()
	g, w := fmtRows(got), fmtRows(want)
	n := max(len(g), len(w))
	bad := 0
	for i := 0; i < n; i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			if bad < 10 {
				t.Errorf("%s: row %d:\n got  %s\n want %s", what, i, a, b)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d rows differ (got %d rows, want %d)", what, bad, n, len(g), len(w))
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func batch(rows ...core.Row) *core.Batch { return &core.Batch{Rows: rows} }

func ts(ms int64) types.Value        { return types.TimestampValue(ms) }
func bi(i int64) types.Value         { return types.BigIntValue(i) }
func str(s string) types.Value       { return types.StringValue(s) }
func boolv(b bool) types.Value       { return types.BoolValue(b) }
func i32(i int64) types.Value        { return types.IntValue(i) }
func dec(u int64, s int) types.Value { return types.DecimalValue(u, s) }

var null = types.NullValue

func col(name string, t types.Type) planner.Column { return planner.Column{Name: name, Type: t} }

func newCtx() *core.Context { return &core.Context{Metrics: core.NewMetrics()} }
