package runtime_test

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// EXPLAIN shows how many subtasks each node runs as, once the runtime
// built the job: a live Kafka source at 'scan.parallelism', a bounded one
// (a replay, one reader) as 1, whatever the plan's parallelism.
func TestExplainShowsSubtasks(t *testing.T) {
	q := `SET 'parallelism.default' = '2';
CREATE TABLE ev (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'kafka', 'topic' = 't',
  'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset'%s);
CREATE TABLE o (k STRING, c BIGINT) WITH ('connector' = 'print');
INSERT INTO o SELECT k, COUNT(*) FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;`
	for _, c := range []struct{ opts, source string }{
		{", 'scan.parallelism' = '3'", "parallelism=[3]"},
		{", 'scan.bounded.mode' = 'latest-offset'", "parallelism=[1]"},
	} {
		job, err := runtest.Plan("q.sql", strings.Replace(q, "%s", c.opts, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runtime.Build(job.Graph, runtime.Options{}); err != nil {
			t.Fatal(err)
		}
		text := job.Explain()
		for _, want := range []string{"WindowAggregate(", "Sink("} {
			line := lineWith(text, want)
			if !strings.Contains(line, "parallelism=[2]") {
				t.Errorf("%s: %s", c.opts, line)
			}
		}
		if line := lineWith(text, "TableSourceScan("); !strings.Contains(line, c.source) {
			t.Errorf("%s: want %s in %s", c.opts, c.source, line)
		}
	}
}

func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, " +-:"), s) {
			return l
		}
	}
	return ""
}
