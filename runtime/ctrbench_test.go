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
func BenchmarkCTRFile(b *testing.B) {
	path := os.Getenv("STREAMSQL_BENCH_FILE")
	if path == "" {
		b.Skip("STREAMSQL_BENCH_FILE is not set (a JSON-lines file of ad events, see make bench)")
	}
	src, err := os.ReadFile("../bench/ctr_bench.sql")
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Replace(string(src), "bench/data/events-10m.jsonl", path, 1)
	if p := os.Getenv("STREAMSQL_BENCH_PARALLELISM"); p != "" {
		text = "SET 'parallelism.default' = '" + p + "';\n" + text
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
	}
}
