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

// BenchmarkIntervalJoin (docs/performance.md): an INNER interval join of
// two streams of 1M rows each on a STRING key with 10k distinct values,
// l.ts BETWEEN r.ts - 10 s AND r.ts + 10 s. Each side has a row every
// 1 ms of event time, out of order by up to 1 s, so a key has a row every
// 10 s per side and each left row has about 2 partners; the watermark is 2 s
// behind the largest time, the sides interleaved in batches of 1024.
// Reports input events/s (processing only), output rows, and the largest
// snapshot of the state (taken every 64 batches, not timed).
func BenchmarkIntervalJoin(b *testing.B) {
	const rows, keys, batchSize = 1_000_000, 10_000, 1024
	const delay = 2000
	schema := planner.Schema{col("k", types.TString), col("ts", types.Type{Kind: types.Timestamp, Precision: 3, Rowtime: true}), col("s", types.TString)}
	spec := &planner.IntervalJoinOp{JoinOp: planner.JoinOp{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0}, NullSafe: []bool{false}},
		LeftTimeCol: 1, RightTimeCol: 1, LowerBound: -10000, UpperBound: 10000}
	var batches [2][]*core.Batch
	for side := range batches {
		maxTs := int64(core.MinWatermark)
		for i := 0; i < rows; i += batchSize {
			n := min(batchSize, rows-i)
			bt := core.NewBatch(n, 3)
			bt.Watermarks = make([]int64, n)
			for j := 0; j < n; j++ {
				x := i + j
				k := x % keys
				t := int64(x) - int64((x*131+side*7)%1000) // up to 1 s out of order
				bt.Watermarks[j] = max(maxTs-delay, core.MinWatermark)
				if maxTs == core.MinWatermark {
					bt.Watermarks[j] = core.MinWatermark
				}
				maxTs = max(maxTs, t)
				bt.Rows[j] = core.Row{str("key-" + strconv.Itoa(k)), ts(t), str("payload-" + strconv.Itoa(x%97))}
			}
			batches[side] = append(batches[side], bt)
		}
	}
	b.ResetTimer()
	var out, peakBytes, peakEntries int
	var busy time.Duration
	for it := 0; it < b.N; it++ {
		start := time.Now()
		op, err := NewIntervalJoin(spec, schema, schema, newCtx())
		if err != nil {
			b.Fatal(err)
		}
		d := &discard{}
		for i := range batches[0] {
			for side := range batches {
				// the join's watermark is the smaller input's: both sides
				// advance together here, so each batch's own will do
				if err := op.ProcessBatch(side, batches[side][i], d); err != nil {
					b.Fatal(err)
				}
			}
			if i%64 == 63 {
				b.StopTimer()
				busy += time.Since(start)
				st := sizeCounter{}
				if err := op.(core.Snapshotter).Snapshot(&st); err != nil {
					b.Fatal(err)
				}
				if st.bytes > peakBytes {
					peakBytes, peakEntries = st.bytes, st.entries
				}
				start = time.Now()
				b.StartTimer()
			}
		}
		if err := op.ProcessWatermark(core.MaxWatermark, d); err != nil {
			b.Fatal(err)
		}
		busy += time.Since(start)
		out = d.n
	}
	b.ReportMetric(float64(2*rows*b.N)/busy.Seconds(), "events/s")
	b.ReportMetric(float64(out), "out-rows")
	b.ReportMetric(float64(peakBytes)/(1<<20), "peak-state-MiB")
	b.ReportMetric(float64(peakEntries), "peak-state-keys")
}
