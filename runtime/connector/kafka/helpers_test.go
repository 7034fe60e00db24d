package kafka_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// cluster starts an in-process broker for one test.
func cluster(t *testing.T, opts ...kfake.Opt) string {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// rec is one record to produce.
type rec struct {
	topic     string
	partition int32
	ts        int64 // epoch ms; 0 = now
	key       string
	value     string
	headers   map[string]string
}

func clientConfig() *sarama.Config {
	sc := sarama.NewConfig()
	sc.Version = sarama.V2_8_0_0
	sc.Producer.Return.Successes = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Partitioner = sarama.NewManualPartitioner
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	return sc
}

// produce writes records synchronously, in order, to the given partitions.
func produce(t *testing.T, addr string, recs ...rec) {
	t.Helper()
	p, err := sarama.NewSyncProducer([]string{addr}, clientConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, r := range recs {
		m := &sarama.ProducerMessage{Topic: r.topic, Partition: r.partition, Value: sarama.StringEncoder(r.value)}
		if r.key != "" {
			m.Key = sarama.StringEncoder(r.key)
		}
		if r.ts != 0 {
			m.Timestamp = time.UnixMilli(r.ts)
		}
		keys := make([]string, 0, len(r.headers))
		for k := range r.headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.Headers = append(m.Headers, sarama.RecordHeader{Key: []byte(k), Value: []byte(r.headers[k])})
		}
		if _, _, err := p.SendMessage(m); err != nil {
			t.Fatalf("produce to %s/%d: %v", r.topic, r.partition, err)
		}
	}
}

// consumed is one record read back.
type consumed struct {
	partition int32
	offset    int64
	ts        int64
	key       string
	value     string
}

// consumeAll reads every record of a topic up to its current end.
func consumeAll(t *testing.T, addr, topic string) []consumed {
	t.Helper()
	cl, err := sarama.NewClient([]string{addr}, clientConfig())
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
	var out []consumed
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
			select {
			case m := <-pc.Messages():
				out = append(out, consumed{m.Partition, m.Offset, m.Timestamp.UnixMilli(), string(m.Key), string(m.Value)})
				done = m.Offset >= end-1
			case <-timeout:
				t.Fatalf("reading %s/%d: timed out", topic, p)
			}
		}
		pc.Close()
	}
	return out
}

// runSQL plans and runs a script; stdout is what print sinks wrote.
func runSQL(t *testing.T, ctx context.Context, src string) (stdout, stderr string, sum runtime.Summary, err error) {
	t.Helper()
	o, err := runtest.Run(ctx, "test.sql", src, runtime.Options{})
	return o.Stdout, o.Stderr, o.Summary, err
}

// mustRun runs a script that must succeed within 20 s.
func mustRun(t *testing.T, src string) (string, runtime.Summary) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, _, sum, err := runSQL(t, ctx, src)
	if err != nil {
		t.Fatalf("run: %v\nSQL:\n%s", err, src)
	}
	if ctx.Err() != nil {
		t.Fatalf("run did not end by itself within 20 s")
	}
	return out, sum
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g := append([]string(nil), got...)
	w := append([]string(nil), want...)
	sort.Strings(g)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("%s:\ngot:\n%s\nwant:\n%s", what, strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}
