package runtime_test

import (
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
)

const targetJob = `SET 'pipeline.name' = 'ctr';
%s
CREATE TABLE t (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '3');
CREATE TABLE o (x INT) WITH ('connector' = 'blackhole');
INSERT INTO o SELECT x FROM t;`

// A job for several instances is refused, naming what is not built, not
// run in this process alone: each instance would read every partition and
// the job's answer would be multiplied. 'local' is today's behaviour.
func TestExecutionTargetKafkaGroupRefused(t *testing.T) {
	job := func(set string) string { return strings.Replace(targetJob, "%s", set, 1) }
	_, err := runtest.Build("target.sql", job("SET 'execution.target' = 'kafka-group';"), runtime.Options{})
	if err == nil {
		t.Fatal("a 'kafka-group' job was built to run locally")
	}
	for _, want := range []string{"SET 'execution.target' = 'kafka-group'", "not built yet", "repartition topics", "changelog state", "exactly-once", "docs/scale-out.md", "'local'"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
	for _, set := range []string{"", "SET 'execution.target' = 'local';", "SET 'execution.target' = 'kafka-group';\nRESET 'execution.target';"} {
		if _, err := runtest.Build("target.sql", job(set), runtime.Options{}); err != nil {
			t.Errorf("%q: %v", set, err)
		}
	}
}
