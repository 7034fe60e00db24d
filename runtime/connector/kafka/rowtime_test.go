package kafka_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// A record whose rowtime is out of range (event_time = max BIGINT, year
// 292278994) is a bad record like a malformed one (issue 9): by default the
// job fails naming topic, partition and offset; with ignore-parse-errors it
// is skipped and counted; with a dead-letter table it lands there. The job
// gets past it, so a restart does not replay the same failure forever.
func TestRowtimeOutOfRangeRecord(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "t"))
	produce(t, addr,
		rec{topic: "t", value: `{"id": 1, "event_time": 1767225601000}`},
		rec{topic: "t", value: `{"id": 2, "event_time": 9223372036854775807}`},
		rec{topic: "t", value: `{"id": 3, "event_time": 1767225602000}`},
	)
	query := func(extra string) string {
		return fmt.Sprintf(`CREATE TABLE src (id INT, event_time BIGINT,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'%s);
CREATE TABLE bad (raw STRING, error STRING, `+"`partition`"+` INT, `+"`offset`"+` BIGINT) WITH ('connector' = 'print');
CREATE TABLE out (id INT) WITH ('connector' = 'print');
INSERT INTO out SELECT id FROM src;`, addr, extra)
	}
	_, _, _, err := runSQL(t, t.Context(), query(""))
	if err == nil || !strings.Contains(err.Error(), "topic t partition 0 offset 1") || !strings.Contains(err.Error(), "outside years 0000 to 9999") {
		t.Fatalf("want an error naming topic t partition 0 offset 1 and the range, got %v", err)
	}
	out, sum := mustRun(t, query(`, 'json.ignore-parse-errors' = 'true'`))
	sameSet(t, "ignore-parse-errors", lines(out), idLines(1, 3))
	if sum.RecordsSkipped != 1 {
		t.Errorf("records skipped: got %d, want 1", sum.RecordsSkipped)
	}
	out, sum = mustRun(t, query(`, 'dead-letter.table' = 'bad'`))
	got := lines(out)
	if len(got) != 3 || sum.RecordsSkipped != 1 {
		t.Fatalf("dead letter: got %q, %d skipped; want ids 1 and 3 and one dead letter", got, sum.RecordsSkipped)
	}
	var dead []string
	for _, l := range got {
		if strings.Contains(l, "event_time") {
			dead = append(dead, l)
		}
	}
	if len(dead) != 1 || !strings.Contains(dead[0], `"id": 2`) || !strings.Contains(dead[0], "outside years 0000 to 9999") || !strings.HasSuffix(dead[0], ", 0, 1]") {
		t.Errorf("dead letter row: got %q, want record id 2 at partition 0 offset 1 with the range error", dead)
	}
}
