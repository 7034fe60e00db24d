package kafka_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector/kafka/kafkatest"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// cluster starts an in-process broker for one test.
func cluster(t *testing.T, opts ...kfake.Opt) string {
	t.Helper()
	return kafkatest.Cluster(t, opts...)
}

// rec is one record to produce ("" key: none).
type rec struct {
	topic     string
	partition int32
	ts        int64 // epoch ms; 0 = now
	key       string
	value     string
	headers   map[string]string
}

func clientConfig() *sarama.Config { return kafkatest.Config() }

// produce writes records synchronously, in order, to the given partitions.
func produce(t *testing.T, addr string, recs ...rec) {
	t.Helper()
	out := make([]kafkatest.Record, len(recs))
	for i, r := range recs {
		out[i] = kafkatest.Record{Topic: r.topic, Partition: r.partition, TS: r.ts, Value: []byte(r.value), Headers: r.headers}
		if r.key != "" {
			out[i].Key = []byte(r.key)
		}
	}
	kafkatest.Produce(t, addr, out...)
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
	var out []consumed
	for _, m := range kafkatest.ReadAll(t, addr, topic, false) {
		out = append(out, consumed{m.Partition, m.Offset, m.TS, string(m.Key), string(m.Value)})
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
