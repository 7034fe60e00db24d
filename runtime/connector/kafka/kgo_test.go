package kafka_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// kgoRead reads topic from the start with franz-go's client: until it has
// want records and half a second more (to see extra ones), at most 10 s.
func kgoRead(t *testing.T, addr, topic string, iso kgo.IsolationLevel, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(iso), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var enough time.Time
	for ctx.Err() == nil && (enough.IsZero() || time.Since(enough) < 500*time.Millisecond) {
		pctx, pcancel := context.WithTimeout(ctx, 100*time.Millisecond)
		fs := cl.PollFetches(pctx)
		pcancel()
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
		if len(out) >= want && enough.IsZero() {
			enough = time.Now()
		}
	}
	return out
}

// ids decodes {"id": N} values.
func ids(t *testing.T, recs []*kgo.Record) []string {
	t.Helper()
	var out []string
	for _, r := range recs {
		var v struct{ ID int }
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("record %s/%d@%d: %q: %v", r.Topic, r.Partition, r.Offset, r.Value, err)
		}
		out = append(out, fmt.Sprintf("+I[%d]", v.ID))
	}
	return out
}

// Interoperability with an independent Kafka client that needs nothing
// installed: franz-go's kgo (its own protocol code, not sarama's)
// produces, compressed with zstd, what the sarama source reads, and reads
// what the sarama sink writes, at-least-once and exactly-once
// (read_committed sees the committed transactions only). TestKcatInterop
// does the same with librdkafka where kcat is installed.
func TestKgoInterop(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "in"), kfake.SeedTopics(2, "out"), kfake.SeedTopics(1, "txout"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	p, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression()))
	if err != nil {
		t.Fatal(err)
	}
	const t0 = int64(1767225600000) // 2026-01-01 00:00:00 UTC
	var want []string
	for part := int32(0); part < 2; part++ {
		for i := int64(0); i < 5; i++ {
			id := int64(part)*100 + i
			ts := t0 + int64(part)*1000 + i
			r := &kgo.Record{Topic: "in", Partition: part, Key: fmt.Appendf(nil, "k%d", id), Value: fmt.Appendf(nil, `{"id": %d}`, id),
				Timestamp: time.UnixMilli(ts), Headers: []kgo.RecordHeader{{Key: "h", Value: fmt.Appendf(nil, "v%d", id)}}}
			if err := p.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatal(err)
			}
			want = append(want, fmt.Sprintf("+I[%d, %d, %d, %s]", id, part, i, time.UnixMilli(ts).UTC().Format("2006-01-02 15:04:05.000")))
		}
	}
	p.Close()

	// kgo -> the sarama source
	q := fmt.Sprintf(`CREATE TABLE src (
  id INT,
  p INT METADATA FROM 'partition' VIRTUAL,
  o BIGINT METADATA FROM 'offset' VIRTUAL,
  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH ('connector' = 'kafka', 'topic' = 'in', 'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE shown (id INT, p INT, o BIGINT, ts TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO shown SELECT id, p, o, ts FROM src;`, addr)
	out, _ := mustRun(t, q)
	sameSet(t, "rows the sarama source read from kgo's records", lines(out), want)

	// the sarama sink -> kgo
	out, _ = mustRun(t, fmt.Sprintf(`CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = 'in',
  'properties.bootstrap.servers' = '%[1]s', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE out (id INT) WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '%[1]s', 'format' = 'json');
INSERT INTO out SELECT id FROM src;`, addr))
	sameSet(t, "records kgo read from the sarama sink", ids(t, kgoRead(t, addr, "out", kgo.ReadUncommitted(), 10)),
		idLines(0, 1, 2, 3, 4, 100, 101, 102, 103, 104))

	// the exactly-once sink -> kgo, read_committed and read_uncommitted
	s := txnSink(t, addr, "txout", "kgo")
	write(t, s, 1, 2, 3)
	commit(t, s, 1)
	write(t, s, 4, 5) // open: never committed
	sameSet(t, "read_committed", ids(t, kgoRead(t, addr, "txout", kgo.ReadCommitted(), 3)), idLines(1, 2, 3))
	sameSet(t, "read_uncommitted", ids(t, kgoRead(t, addr, "txout", kgo.ReadUncommitted(), 5)), idLines(1, 2, 3, 4, 5))
}
