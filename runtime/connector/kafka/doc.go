// Package kafka is the 'kafka' connector on github.com/IBM/sarama, with
// Flink's option names (see Spec; registry.Markdown renders them).
//
// Source. Every partition of the table's topics (a ';' list, or the
// topics matching 'topic-pattern' when the job starts) is one split,
// numbered in topic then partition order; all are reported in the first
// Poll's Started, so an empty partition holds the watermark as in Flink
// until 'scan.watermark.idle-timeout' marks it idle. Start offsets come
// from 'scan.startup.mode' (group-offsets falls back per
// 'properties.auto.offset.reset', default 'none' = error, as Flink).
// One sarama PartitionConsumer per partition feeds a pump goroutine that
// hands whole chunks of messages to Poll; Poll returns at most max
// records and waits at most 100 ms when nothing has arrived. sarama
// retries a failing broker with backoff (250 ms growing to 5 s); every
// failure is printed as a warning to Env.Stderr, and the partition
// resumes at its next offset, so nothing is lost or reordered.
//
// Bounded ('scan.bounded.mode'): the end offsets are captured when the
// source opens ('specific-offsets' are given, and waited for when not
// written yet); a partition ends (Poll.Ended) when the consumer's
// position reaches its end offset: with a record at end-1, or when the
// pump finds (skipTo, position.go) that only transaction markers,
// aborted records or compaction gaps remain before it. Poll.Done follows
// the last partition. The
// partitions are merged by Kafka timestamp (ties by split), waiting until
// every unfinished partition has its next record buffered, so a bounded
// read gives the same record order, hence the same results, on every run:
// a topic written in the order of a recorded stream replays like the
// golden tests. Each partition then has its own channel, and its consumer
// is paused (sarama stops fetching it) while 8 MiB of its records wait
// for the merge, so a partition far ahead of the others waits in Kafka,
// not in memory.
//
// Offsets: with 'properties.group.id' the source commits, every second
// and on Close, the offsets it has handed to the executor (without
// joining the group, like Flink's KafkaSource). With checkpointing
// (Env.Checkpointing) it commits only completed checkpoints' offsets
// (CheckpointComplete), or none when the exactly-once sink's transaction
// commits them.
//
// Checkpoints: Poll.Positions gives each partition read or ended in the
// poll as "topic/partition" and its next offset; Seek (before the first
// Poll, which is when the partition consumers start) resumes there, and
// refuses partitions the source does not read and offsets Kafka no
// longer (or not yet) has. Bounded, a poll ends right after the last
// record of a partition that ends.
//
// Exactly-once (txn.go): 'sink.delivery-guarantee' = 'exactly-once' makes
// the sink a connector.TransactionalSink with transactional id
// '<sink.transactional-id-prefix>-0'. Opening it fences an earlier
// instance; CommitCheckpoint commits the rows since the last checkpoint,
// the source offsets (TxnOffsetCommit) and a checkpoint marker (group
// '<prefix>-checkpoints') in one transaction; Committed reads them back
// (RequireStable) so the runtime restores the checkpoint that committed.
//
// Sink: one topic, sarama's async producer (1 MiB / 5 ms batches,
// WaitForAll for at-least-once, one request in flight so retries keep
// order). Records in flight are counted; Flush waits for every
// acknowledgement and returns the first failure, and Write fails once a
// record has failed. Producing is in Sink.send and waiting in Sink.Flush
// only, the two places a transactional mode will wrap. The key comes
// from 'key.fields' encoded with 'key.format'; a writable 'timestamp'
// (and 'headers') metadata column sets the record's timestamp (headers).
//
// Security: 'properties.security.protocol' with SASL PLAIN or SCRAM
// (SCRAM's client side is in scram.go on the standard library, as sarama
// leaves it to the caller) and TLS from PEM files. Passwords and JAAS
// lines are Secret options: never in errors, logs or EXPLAIN.
//
// Not yet: 'value.format' (write 'format'; the runtime builds the
// decoder from 'format' only), reading key columns of an EXCEPT_KEY table,
// more than one exactly-once sink per job, discovering partitions added
// while running, and telling
// LogAppendTime from CreateTime ('timestamp-type' reads CreateTime).
package kafka
