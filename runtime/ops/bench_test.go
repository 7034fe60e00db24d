package ops

import (
	"strconv"
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

type discard struct{ n int }

func (d *discard) Emit(b *core.Batch) error { d.n += len(b.Rows); return nil }

// BenchmarkTumbleCount: 1M rows, 100 keys, 10 s tumbling windows, COUNT(*),
// COUNT(*) FILTER and MAX, batches of 1024, a watermark after each batch.
func BenchmarkTumbleCount(b *testing.B) {
	schema := planner.Schema{col("k", types.TString), col("ts", types.TTimestamp3), col("v", types.TBigInt), col("f", types.TBoolean)}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Tumble, Size: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs: []planner.AggCall{
			{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
			{Func: "COUNT", Arg: -1, Filter: 3, T: types.TBigInt},
			{Func: "MAX", Arg: 2, Filter: -1, T: types.TBigInt},
		},
	}
	const rows, batchSize = 1_000_000, 1024
	keys := make([]types.Value, 100)
	for i := range keys {
		keys[i] = str("key-" + strconv.Itoa(i))
	}
	var batches []*core.Batch
	var wms []int64
	for i := 0; i < rows; i += batchSize {
		n := min(batchSize, rows-i)
		bt := core.NewBatch(n, 4)
		for j := 0; j < n; j++ {
			r := int64(i + j)
			bt.Rows[j][0] = keys[(r*7)%100]
			bt.Rows[j][1] = ts(r)
			bt.Rows[j][2] = bi(r % 1000)
			bt.Rows[j][3] = boolv(r%3 == 0)
		}
		batches = append(batches, bt)
		wms = append(wms, int64(i+n)-1000)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		op, err := NewWindowAgg(spec, schema, nil, newCtx())
		if err != nil {
			b.Fatal(err)
		}
		out := &discard{}
		for i, bt := range batches {
			if err := op.ProcessBatch(0, bt, out); err != nil {
				b.Fatal(err)
			}
			if err := op.ProcessWatermark(wms[i], out); err != nil {
				b.Fatal(err)
			}
		}
		if err := op.ProcessWatermark(core.MaxWatermark, out); err != nil {
			b.Fatal(err)
		}
		if out.n != 100*100 {
			b.Fatalf("emitted %d rows, want 10000", out.n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}
