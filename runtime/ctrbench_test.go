package runtime_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// BenchmarkCTRFile runs bench/ctr_bench.sql over the file named by
// STREAMSQL_BENCH_FILE (make bench generates bench/data/events-10m.jsonl),
// for profiling the engine path:
//
//	STREAMSQL_BENCH_FILE=$PWD/bench/data/events-1m.jsonl go test ./runtime \
//	  -run '^$' -bench CTRFile -benchtime 1x -cpuprofile cpu.prof
//
// STREAMSQL_BENCH_PARALLELISM sets 'parallelism.default'. It is skipped
// when STREAMSQL_BENCH_FILE is unset: the file is too big to commit.
func BenchmarkCTRFile(b *testing.B) { benchCTR(b, "../bench/ctr_bench.sql") }

// BenchmarkCTRGroupFile is the same without a window
// (bench/ctr_group_bench.sql: GROUP BY campaign_id, a GroupAggregate whose
// changelog goes to blackhole). STREAMSQL_BENCH_MINIBATCH=N adds
// table.exec.mini-batch.* with N rows and a 1 s latency. It reports the
// rows the aggregation emitted too.
func BenchmarkCTRGroupFile(b *testing.B) { benchCTR(b, "../bench/ctr_group_bench.sql") }

func benchCTR(b *testing.B, sqlPath string) {
	path := os.Getenv("STREAMSQL_BENCH_FILE")
	if path == "" {
		b.Skip("STREAMSQL_BENCH_FILE is not set (a JSON-lines file of ad events, see make bench)")
	}
	src, err := os.ReadFile(sqlPath)
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Replace(string(src), "bench/data/events-10m.jsonl", path, 1)
	if p := os.Getenv("STREAMSQL_BENCH_PARALLELISM"); p != "" {
		text = "SET 'parallelism.default' = '" + p + "';\n" + text
	}
	if n := os.Getenv("STREAMSQL_BENCH_MINIBATCH"); n != "" {
		text = "SET 'table.exec.mini-batch.enabled' = 'true';\nSET 'table.exec.mini-batch.allow-latency' = '1 s';\nSET 'table.exec.mini-batch.size' = '" + n + "';\n" + text
	}
	for i := 0; i < b.N; i++ {
		rj, err := runtest.Build("ctr_bench.sql", text, runtime.Options{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
		if err != nil {
			b.Fatal(err)
		}
		if err := rj.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rj.Summary().RecordsRead)/b.Elapsed().Seconds()*float64(i+1)/float64(b.N), "events/s")
		b.ReportMetric(float64(rj.Summary().RowsWritten), "rows-out")
	}
}
