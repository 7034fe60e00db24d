package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/connector/kafka"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// txnSink opens the exactly-once sink on topic (transactional id
// '<prefix>-0').
func txnSink(t *testing.T, addr, topic, prefix string) *kafka.Sink {
	t.Helper()
	tbs := tables(t, fmt.Sprintf(`CREATE TABLE src (id INT) WITH ('connector' = 'datagen');
CREATE TABLE out (id INT) WITH ('connector' = 'kafka', 'topic' = '%s', 'properties.bootstrap.servers' = '%s',
  'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = '%s');
INSERT INTO out SELECT * FROM src;`, topic, addr, prefix))
	s, err := kafka.OpenSink(context.Background(), tbs["out"], &connector.Env{Encoder: idEncoder{}, Settings: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// boundedQuery prints the ids of topic from its earliest offset, with the
// given (bounded) options.
func boundedQuery(addr, topic, opts string) string {
	return fmt.Sprintf(`CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = '%s',
  'properties.bootstrap.servers' = '%s', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', %s);
CREATE TABLE out (id INT) WITH ('connector' = 'print');
INSERT INTO out SELECT id FROM src;`, topic, addr, opts)
}

// write writes ids into the sink's open transaction; commit commits it
// as checkpoint id.
func write(t *testing.T, s *kafka.Sink, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	if err := s.Write(ctx, batchOf(ids...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, s *kafka.Sink, id int64) {
	t.Helper()
	if err := s.CommitCheckpoint(context.Background(), id, nil); err != nil {
		t.Fatal(err)
	}
}

func newest(t *testing.T, addr, topic string, p int32) int64 {
	t.Helper()
	cl, err := sarama.NewClient([]string{addr}, clientConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	o, err := cl.GetOffset(topic, p, sarama.OffsetNewest)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// commitGroup commits offset for group in partition 0 of topic (a
// simple commit, outside any group generation).
func commitGroup(t *testing.T, addr, group, topic string, offset int64) {
	t.Helper()
	// by topic name (v10 names topics by id)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.MaxVersions(kversion.V3_0_0()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset = 0, offset
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	if err := kerr.ErrorForCode(resp.Topics[0].Partitions[0].ErrorCode); err != nil {
		t.Fatal(err)
	}
}

// Defect 5 of issue 9: a bounded read of a topic the exactly-once sink
// wrote never ended, because the last offset holds the commit (or abort)
// marker, not a record. Every bounded mode must end at the end offset,
// with both isolation levels, whatever markers or aborted records stand
// before it. The expected rows are the ones the test committed (and, for
// read_uncommitted, aborted) itself.
func TestBoundedReadEndsAtTransactionMarkers(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "committed", "aborted"))
	s := txnSink(t, addr, "committed", "tx1")
	write(t, s, 1, 2, 3)
	commit(t, s, 1)
	write(t, s, 4, 5)
	commit(t, s, 2) // the topic ends with a commit marker

	a := txnSink(t, addr, "aborted", "tx2")
	write(t, a, 1, 2, 3)
	commit(t, a, 1)
	write(t, a, 6, 7)
	txnSink(t, addr, "aborted", "tx2") // fences a: its open transaction is aborted, the topic ends with an abort marker

	for _, topic := range []string{"committed", "aborted"} {
		end := newest(t, addr, topic, 0)
		modes := map[string]string{
			"latest-offset":    `'scan.bounded.mode' = 'latest-offset'`,
			"timestamp":        `'scan.bounded.mode' = 'timestamp', 'scan.bounded.timestamp-millis' = '4102444800000'`, // 2100: after every record
			"specific-offsets": fmt.Sprintf(`'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:0,offset:%d'`, end),
			"group-offsets":    `'scan.bounded.mode' = 'group-offsets', 'properties.group.id' = '%s'`,
		}
		for mode, opts := range modes {
			for _, iso := range []string{"read_committed", "read_uncommitted"} {
				t.Run(topic+"/"+mode+"/"+iso, func(t *testing.T) {
					want := idLines(1, 2, 3, 4, 5)
					switch {
					case topic == "aborted" && iso == "read_committed":
						want = idLines(1, 2, 3)
					case topic == "aborted":
						want = idLines(1, 2, 3, 6, 7)
					}
					opts := opts
					if mode == "group-offsets" {
						// the source commits to its group: one per run
						group := topic + "-" + iso
						commitGroup(t, addr, group, topic, end)
						opts = fmt.Sprintf(opts, group)
					}
					out, _ := mustRun(t, boundedQuery(addr, topic, fmt.Sprintf("'properties.isolation.level' = '%s', %s", iso, opts)))
					sameSet(t, "rows", lines(out), want)
				})
			}
		}
	}
}

// With read_committed the end offset of 'latest-offset' is the last
// stable offset, as in Flink (the enumerator lists offsets at the
// consumer's isolation level): a transaction still open at the end is
// not waited for.
func TestBoundedReadCommittedStopsBeforeOpenTransaction(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "open"))
	s := txnSink(t, addr, "open", "tx")
	write(t, s, 1, 2)
	commit(t, s, 1)
	write(t, s, 3) // stays open
	out, _ := mustRun(t, boundedQuery(addr, "open", "'properties.isolation.level' = 'read_committed', 'scan.bounded.mode' = 'latest-offset'"))
	sameSet(t, "rows", lines(out), idLines(1, 2))
}

// Defect 6 of issue 9: 'specific-offsets' stopped at the partition's
// latest offset when it started. As Flink's reader, it waits for the
// records up to the given offset: the rest is produced after the job
// started, and the record at the stop offset itself is not read.
func TestBoundedSpecificOffsetsWaitsForRecords(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "t"))
	produce(t, addr, append(events("t", 0, 3, 1000), events("t", 1, 1, 2000)...)...)
	q := boundedQuery(addr, "t", "'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = 'partition:0,offset:6;partition:1,offset:1'")
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		out, _, _, err := runSQL(t, ctx, q)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("the job ended before offset 6 of partition 0 was written (err %v), with rows:\n%s", r.err, r.out)
	case <-time.After(1500 * time.Millisecond):
	}
	// offsets 3..6 of partition 0: ids 3..6; 6 is at the stop offset
	produce(t, addr, events("t", 0, 7, 1000)[3:]...)
	r := <-done
	if r.err != nil || ctx.Err() != nil {
		t.Fatalf("run: %v (context: %v)", r.err, ctx.Err())
	}
	sameSet(t, "rows", lines(r.out), idLines(0, 1, 2, 3, 4, 5, 100))
}

// 'timestamp': the stop offsets are resolved when the job starts (as
// Flink's offsets-for-times); where no record is that late yet, the
// partition's end offset then. A record written later is not waited for.
func TestBoundedTimestampResolvedAtStart(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "t"))
	produce(t, addr, append(events("t", 0, 3, 1000), events("t", 1, 3, 2000)...)...)
	q := boundedQuery(addr, "t", "'scan.bounded.mode' = 'timestamp', 'scan.bounded.timestamp-millis' = '2001'")
	// partition 0 has no record at or after 2001: it ends at its end
	// offset (3); partition 1 stops before offset 1 (ts 2001)
	out, _ := mustRun(t, q)
	sameSet(t, "rows", lines(out), idLines(0, 1, 2, 100))
}
