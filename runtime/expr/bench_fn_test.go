package expr

import (
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/sql/types"
)

// benchFunc evaluates a function call over a batch of rows (column 0
// BIGINT, 1 STRING, 2 DOUBLE): the per-row cost of a spec-built closure.
func benchFunc(b *testing.B, e planner.Expr) {
	f, err := Compile(e, nil)
	if err != nil {
		b.Fatal(err)
	}
	kinds := []string{"click", "view", "impression", "click"}
	batch := benchBatch(1024, func(i int) []types.Value {
		return []types.Value{types.BigIntValue(int64(i)), types.StringValue(kinds[i%4]), types.DoubleValue(float64(i) / 7)}
	})
	out := make([]types.Value, 1024)
	ctx := &Ctx{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, r := range batch.Rows {
			out[j] = f(ctx, r)
		}
	}
}

func BenchmarkFuncSubstring(b *testing.B) {
	benchFunc(b, call("SUBSTRING", tStr, col(1, tStr), i32(2), i32(3)))
}

func BenchmarkFuncRound(b *testing.B) {
	benchFunc(b, call("ROUND", tDbl, col(2, tDbl), i32(2)))
}

func BenchmarkFuncCoalesceAbs(b *testing.B) {
	benchFunc(b, call("COALESCE", tBig, call("ABS", tBig, col(0, tBig)), i64(0)))
}
