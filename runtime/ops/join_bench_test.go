package ops

import (
	"strconv"
	"testing"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql/types"
)

// sizeCounter counts the bytes of a snapshot.
type sizeCounter struct{ entries, bytes int }

func (s *sizeCounter) Put(_ uint8, k, v []byte) error {
	s.entries++
	s.bytes += len(k) + len(v)
	return nil
}

// BenchmarkRegularJoin (docs/performance.md): an INNER join of two
// streams of 1M rows each on a STRING key with 100k distinct values (10
// rows per key and side, so 10M joined rows), the two sides interleaved
// in batches of 1024; reports input events/s, output rows and the
// snapshot size of the state at the end.
func BenchmarkRegularJoin(b *testing.B) {
	const rows, keys, batchSize = 1_000_000, 100_000, 1024
	schema := planner.Schema{col("k", types.TString), col("v", types.TBigInt), col("s", types.TString)}
	spec := &planner.JoinOp{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0}, NullSafe: []bool{false}}
	var batches [2][]*core.Batch
	for side := range batches {
		for i := 0; i < rows; i += batchSize {
			n := min(batchSize, rows-i)
			bt := core.NewBatch(n, 3)
			for j := 0; j < n; j++ {
				x := i + j
				k := (x*7919 + side*31) % keys // keys spread over the stream
				bt.Rows[j] = core.Row{str("key-" + strconv.Itoa(k)), bi(int64(x)), str("payload-" + strconv.Itoa(x%97))}
			}
			batches[side] = append(batches[side], bt)
		}
	}
	b.ResetTimer()
	var out int
	var st sizeCounter
	start := time.Now()
	for it := 0; it < b.N; it++ {
		op, err := NewJoin(spec, schema, schema, newCtx())
		if err != nil {
			b.Fatal(err)
		}
		d := &discard{}
		for i := range batches[0] {
			for side := range batches {
				if err := op.ProcessBatch(side, batches[side][i], d); err != nil {
					b.Fatal(err)
				}
			}
		}
		out = d.n
		b.StopTimer()
		st = sizeCounter{}
		if err := op.(core.Snapshotter).Snapshot(&st); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(2*rows*b.N)/el, "events/s")
	b.ReportMetric(float64(out), "out-rows")
	b.ReportMetric(float64(st.bytes)/(1<<20), "state-MiB")
	b.ReportMetric(float64(st.entries), "state-entries")
}
