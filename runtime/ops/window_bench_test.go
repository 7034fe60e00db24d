package ops

import (
	"testing"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// BenchmarkWindowAssign measures window assignment alone, per row, for
// each kind that assigns windows to a row.
func BenchmarkWindowAssign(b *testing.B) {
	for _, c := range []struct {
		name string
		w    planner.WindowSpec
	}{
		{"tumble", planner.WindowSpec{Kind: sql.Tumble, Size: 10_000}},
		{"hop", planner.WindowSpec{Kind: sql.Hop, Size: 10_000, Slide: 2_000}},
		{"cumulate", planner.WindowSpec{Kind: sql.Cumulate, Size: 10_000, Step: 2_000}},
	} {
		b.Run(c.name, func(b *testing.B) {
			a, err := newAssigner(c.w, false)
			if err != nil {
				b.Fatal(err)
			}
			var spans []span
			n := 0
			for i := 0; i < b.N; i++ {
				spans = a.assign(int64(i)*37, spans[:0])
				n += len(spans)
			}
			if n == 0 {
				b.Fatal("no windows")
			}
		})
	}
}

// BenchmarkWindowTVFHop: 100k rows through a HOP window TVF (5 windows a row).
func BenchmarkWindowTVFHop(b *testing.B) {
	schema := planner.Schema{col("k", types.TString), col("ts", types.TTimestamp3)}
	spec := &planner.WindowTVFOp{Window: planner.WindowSpec{Kind: sql.Hop, Size: 10_000, Slide: 2_000, TimeCol: 1}}
	const rows, batchSize = 100_000, 1024
	var batches []*core.Batch
	for i := 0; i < rows; i += batchSize {
		n := min(batchSize, rows-i)
		bt := core.NewBatch(n, 2)
		for j := 0; j < n; j++ {
			bt.Rows[j][0] = str("k")
			bt.Rows[j][1] = ts(int64(i + j))
		}
		batches = append(batches, bt)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		op, err := NewWindowTVF(spec, schema, newCtx())
		if err != nil {
			b.Fatal(err)
		}
		out := &discard{}
		for _, bt := range batches {
			if err := op.ProcessBatch(0, bt, out); err != nil {
				b.Fatal(err)
			}
		}
		if out.n != 5*rows {
			b.Fatalf("emitted %d rows, want %d", out.n, 5*rows)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}
