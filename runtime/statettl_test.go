package runtime_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// table.exec.state.ttl through the whole stack, at parallelism 1 and 2:
// an injected clock that moves 10 s on every read is past the 1 s TTL at
// every batch, so every row finds its key expired and starts it anew
// (+I each time, never -U/+U), and every key written is counted once
// when it expires (the last ones at the final watermark): a 3 times, b
// once. With a clock that stands still nothing expires.
func TestStateTTLEndToEnd(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	data := `{"k": "a", "v": 1}
{"k": "a", "v": 2}
{"k": "b", "v": 3}
{"k": "a", "v": 4}
`
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{1, 2} {
		for _, moving := range []bool{true, false} {
			src := `SET 'table.exec.state.ttl' = '1 s';
SET 'parallelism.default' = '` + string(rune('0'+p)) + `';
CREATE TABLE src (k STRING, v BIGINT) WITH ('connector' = 'filesystem', 'path' = '` + in + `', 'format' = 'json');
CREATE TABLE out (k STRING, n BIGINT, s BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT k, COUNT(*), SUM(v) FROM src GROUP BY k;`
			var ticks atomic.Int64
			clock := func() int64 {
				if moving {
					return ticks.Add(10_000)
				}
				return 5
			}
			var stdout bytes.Buffer
			rj, err := runtest.Build("ttl.sql", src, runtime.Options{Clock: clock, BatchSize: 1, Stdout: &stdout, Stderr: &bytes.Buffer{}})
			if err != nil {
				t.Fatal(err)
			}
			if err := rj.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := stripSubtask(strings.Split(strings.TrimSpace(stdout.String()), "\n"))
			slices.Sort(got)
			want := []string{"+I[a, 1, 1]", "+I[a, 1, 2]", "+I[a, 1, 4]", "+I[b, 1, 3]"}
			wantExpired := int64(4)
			if !moving {
				want = []string{"+I[a, 1, 1]", "+I[b, 1, 3]", "+U[a, 2, 3]", "+U[a, 3, 7]", "-U[a, 1, 1]", "-U[a, 2, 3]"}
				wantExpired = 0
			}
			if !slices.Equal(got, want) {
				t.Errorf("p=%d moving=%v: got %q\nwant %q", p, moving, got, want)
			}
			if n := rj.Progress().StateExpiredKeys; n != wantExpired {
				t.Errorf("p=%d moving=%v: %d keys expired, want %d", p, moving, n, wantExpired)
			}
		}
	}
}

// stripSubtask removes print's "N> " subtask prefix.
func stripSubtask(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if j := strings.Index(l, "> "); j >= 0 && j < 4 {
			l = l[j+2:]
		}
		out[i] = l
	}
	return out
}
