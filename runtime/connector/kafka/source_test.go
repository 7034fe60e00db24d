package kafka_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime/golden"
	"github.com/twmb/franz-go/pkg/kfake"
)

// readBack is a bounded job copying a topic to the print connector.
func readBack(addr, topic, columns string) string {
	return fmt.Sprintf(`CREATE TABLE src (%s) WITH ('connector' = 'kafka', 'topic' = '%s',
  'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE out (%s) WITH ('connector' = 'print');
INSERT INTO out SELECT * FROM src;`, columns, topic, addr, columns)
}

// The recorded-stream golden case with four interleaved partitions, one
// late row and a lagging partition, produced to a real (in-process)
// broker and read with scan.bounded.mode: the rows must be the golden
// ones. The golden file is the independent reference (reviewed by hand
// when it was written).
func TestGoldenPartitionsThroughKafka(t *testing.T) {
	c, err := golden.Parse("../../../testdata/golden/ctr_partitions.test")
	if err != nil {
		t.Fatal(err)
	}
	addr := cluster(t, kfake.SeedTopics(4, "ad-events-2"), kfake.SeedTopics(2, "results"))
	var recs []rec
	for _, in := range c.Inputs {
		for _, r := range in.Records {
			recs = append(recs, rec{topic: "ad-events-2", partition: int32(r.Partition), ts: r.Timestamp, value: string(r.Value)})
		}
	}
	produce(t, addr, recs...)
	src := strings.ReplaceAll(c.SQL, "127.0.0.1:9092", addr)
	src = strings.Replace(src, "'topic' = 'ad-events-2',",
		"'topic' = 'ad-events-2', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',", 1)
	_, sum := mustRun(t, src)
	if sum.LateRecordsDropped != c.Counters["late_records_dropped"] {
		t.Errorf("late rows dropped: got %d, want %d", sum.LateRecordsDropped, c.Counters["late_records_dropped"])
	}
	out, _ := mustRun(t, readBack(addr, "results", `window_start TIMESTAMP(3), window_end TIMESTAMP(3), campaign_id STRING,
  views BIGINT, clicks BIGINT, ctr DOUBLE, max_kafka_ts TIMESTAMP_LTZ(3)`))
	sameSet(t, "results", lines(out), c.Outputs["results"])
}

// events makes n JSON records for partition p: {"id": p*100+i, "v": "..."}
// with timestamps base+i.
func events(topic string, p int32, n int, base int64) []rec {
	var out []rec
	for i := 0; i < n; i++ {
		id := int(p)*100 + i
		out = append(out, rec{topic: topic, partition: p, ts: base + int64(i), value: fmt.Sprintf(`{"id": %d}`, id)})
	}
	return out
}

func idsQuery(addr, topic, extra string) string {
	return fmt.Sprintf(`CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = '%s',
  'properties.bootstrap.servers' = '%s', 'format' = 'json', 'scan.bounded.mode' = 'latest-offset'%s);
CREATE TABLE out (id INT) WITH ('connector' = 'print');
INSERT INTO out SELECT id FROM src;`, topic, addr, extra)
}

func idLines(ids ...int) []string {
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprintf("+I[%d]", id))
	}
	return out
}

func TestStartupModes(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "t"))
	// partition 0: ids 0..4 at ts 1000..1004; partition 1: ids 100..104 at ts 2000..2004
	produce(t, addr, append(events("t", 0, 5, 1000), events("t", 1, 5, 2000)...)...)
	all := idLines(0, 1, 2, 3, 4, 100, 101, 102, 103, 104)
	cases := []struct {
		name, extra string
		want        []string
	}{
		{"earliest", `, 'scan.startup.mode' = 'earliest-offset'`, all},
		// latest with a bounded end at the same latest offsets reads nothing
		{"latest", `, 'scan.startup.mode' = 'latest-offset'`, nil},
		// the first record at or after ts 1003 in p0 is offset 3; in p1 every record qualifies
		{"timestamp", `, 'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '1003'`, idLines(3, 4, 100, 101, 102, 103, 104)},
		// past every record: nothing
		{"timestamp-after-all", `, 'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '9000'`, nil},
		// p0 from offset 2, p1 from offset 4
		{"specific", `, 'scan.startup.mode' = 'specific-offsets', 'scan.startup.specific-offsets' = 'partition:0,offset:2;partition:1,offset:4'`, idLines(2, 3, 4, 104)},
		// p1 not listed and no group: from the earliest
		{"specific-partial", `, 'scan.startup.mode' = 'specific-offsets', 'scan.startup.specific-offsets' = 'partition:0,offset:4'`, idLines(4, 100, 101, 102, 103, 104)},
		// group without commits, reset earliest: everything
		{"group-reset-earliest", `, 'properties.group.id' = 'g-new', 'properties.auto.offset.reset' = 'earliest'`, all},
		{"group-reset-latest", `, 'properties.group.id' = 'g-new2', 'properties.auto.offset.reset' = 'latest'`, nil},
		// bounded by timestamp: p0 stops before ts 1002, p1 before ts 2001
		{"bounded-timestamp", `, 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'timestamp', 'scan.bounded.timestamp-millis' = '1002'`, idLines(0, 1)},
		{"bounded-specific", `, 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:0,offset:1;partition:1,offset:2'`, idLines(0, 100, 101)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := idsQuery(addr, "t", c.extra)
			if strings.Contains(c.extra, "scan.bounded.mode") {
				src = strings.Replace(src, ", 'scan.bounded.mode' = 'latest-offset'", "", 1)
			}
			out, _ := mustRun(t, src)
			sameSet(t, c.name, lines(out), c.want)
		})
	}
}

// group-offsets: a second run starts where the first stopped.
func TestGroupOffsetsResume(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "t"))
	produce(t, addr, append(events("t", 0, 3, 1000), events("t", 1, 2, 2000)...)...)
	q := idsQuery(addr, "t", `, 'properties.group.id' = 'resume', 'properties.auto.offset.reset' = 'earliest'`)
	out, _ := mustRun(t, q)
	sameSet(t, "first run", lines(out), idLines(0, 1, 2, 100, 101))
	produce(t, addr, rec{topic: "t", partition: 0, ts: 1100, value: `{"id": 7}`}, rec{topic: "t", partition: 1, ts: 2100, value: `{"id": 107}`})
	out, _ = mustRun(t, q)
	sameSet(t, "second run", lines(out), idLines(7, 107))
	out, _ = mustRun(t, q)
	sameSet(t, "third run", lines(out), nil)
	// Flink's default reset is 'none': a group without commits is an error.
	_, _, _, err := runSQL(t, t.Context(), idsQuery(addr, "t", `, 'properties.group.id' = 'fresh'`))
	if err == nil || !strings.Contains(err.Error(), "no committed offset for group 'fresh'") || !strings.Contains(err.Error(), "topic 't' partition 0") {
		t.Fatalf("want a no-committed-offset error naming the partition, got %v", err)
	}
}

func TestMetadataColumns(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "m"))
	produce(t, addr,
		rec{topic: "m", partition: 1, ts: 1767225600123, key: "k1", value: `{"id": 1}`, headers: map[string]string{"h": "x"}},
		rec{topic: "m", partition: 1, ts: 1767225600456, value: `{"id": 2}`},
		rec{topic: "m", partition: 0, ts: 1767225601000, value: `{"id": 3}`},
	)
	q := fmt.Sprintf(`CREATE TABLE src (
  id INT,
  t STRING METADATA FROM 'topic' VIRTUAL,
  p INT METADATA FROM 'partition' VIRTUAL,
  o BIGINT METADATA FROM 'offset' VIRTUAL,
  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  tt STRING METADATA FROM 'timestamp-type' VIRTUAL,
  hs MAP<STRING, BYTES> METADATA FROM 'headers' VIRTUAL
) WITH ('connector' = 'kafka', 'topic' = 'm', 'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE out (id INT, t STRING, p INT, o BIGINT, ts TIMESTAMP_LTZ(3), tt STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT id, t, p, o, ts, tt FROM src;`, addr)
	out, _ := mustRun(t, q)
	sameSet(t, "metadata", lines(out), []string{
		"+I[1, m, 1, 0, 2026-01-01 00:00:00.123, CreateTime]",
		"+I[2, m, 1, 1, 2026-01-01 00:00:00.456, CreateTime]",
		"+I[3, m, 0, 0, 2026-01-01 00:00:01.000, CreateTime]",
	})
}
