// Package kafkatest helps tests of the Kafka connectors: an in-process
// broker (kfake), a producer of records to given partitions and a reader
// of a whole topic.
package kafkatest

import (
	"sort"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// Cluster starts an in-process broker for one test and returns its address.
func Cluster(t testing.TB, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// Config is the clients' configuration: synchronous, manual partitioning.
func Config() *sarama.Config {
	sc := sarama.NewConfig()
	sc.Version = sarama.V2_8_0_0
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	return sc
}

// Record is one record to produce; a nil Key or Value is absent (a nil
// Value is a tombstone).
type Record struct {
	Topic     string
	Partition int32
	TS        int64 // epoch ms; 0 = now
	Key       []byte
	Value     []byte
	Headers   map[string]string
}

// Produce writes records synchronously, in order, to their partitions.
func Produce(t testing.TB, addr string, recs ...Record) {
	t.Helper()
	p, err := sarama.NewSyncProducer([]string{addr}, Config())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, r := range recs {
		m := &sarama.ProducerMessage{Topic: r.Topic, Partition: r.Partition}
		if r.Value != nil {
			m.Value = sarama.ByteEncoder(r.Value)
		}
		if r.Key != nil {
			m.Key = sarama.ByteEncoder(r.Key)
		}
		if r.TS != 0 {
			m.Timestamp = time.UnixMilli(r.TS)
		}
		keys := make([]string, 0, len(r.Headers))
		for k := range r.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(r.Headers[k])})
		}
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatalf("produce to %s/%d: %v", r.Topic, r.Partition, err)
		}
	}
}

// Message is one record read back; a nil Value is a tombstone.
type Message struct {
	Partition int32
	Offset    int64
	TS        int64
	Key       []byte
	Value     []byte
}

// ReadAll reads every record of a topic up to its current end, partition
// by partition; committed reads only committed transactions (a
// partition's last offsets may then be transaction markers, which end
// the read after a quiet second).
func ReadAll(t testing.TB, addr, topic string, committed bool) []Message {
	t.Helper()
	sc := Config()
	if committed {
		sc.Consumer.IsolationLevel = sarama.ReadCommitted
	}
	cl, err := sarama.NewClient([]string{addr}, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	parts, err := cl.Partitions(topic)
	if err != nil {
		t.Fatalf("partitions of %s: %v", topic, err)
	}
	cons, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	var out []Message
	for _, p := range parts {
		end, err := cl.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		timeout := time.After(10 * time.Second)
		for done := false; !done; {
			quiet := time.After(time.Second)
			select {
			case m := <-pc.Messages():
				out = append(out, Message{m.Partition, m.Offset, m.Timestamp.UnixMilli(), m.Key, m.Value})
				done = m.Offset >= end-1
			case <-quiet:
				if committed {
					done = true // the rest are transaction markers
				}
			case <-timeout:
				t.Fatalf("reading %s/%d: timed out", topic, p)
			}
		}
		pc.Close()
	}
	return out
}
