package devbroker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
)

func saramaConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = sarama.V2_8_0_0
	c.Producer.Return.Successes = true
	c.Metadata.Retry.Backoff = 10 * time.Millisecond
	c.Consumer.MaxWaitTime = 50 * time.Millisecond
	return c
}

func startT(t *testing.T, cfg Config) *Broker {
	t.Helper()
	b, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func produce(t *testing.T, addr, topic string, n int) {
	t.Helper()
	p, err := sarama.NewSyncProducer([]string{addr}, saramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range n {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(fmt.Sprint(i)), Value: sarama.StringEncoder(fmt.Sprintf("v%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
}

func consumeAll(t *testing.T, addr, topic string) []string {
	t.Helper()
	c, err := sarama.NewConsumer([]string{addr}, saramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	parts, err := c.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := sarama.NewClient([]string{addr}, saramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []string
	for _, p := range parts {
		hw, err := cl.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if hw == 0 {
			continue
		}
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		for m := range pc.Messages() {
			out = append(out, string(m.Value))
			if m.Offset == hw-1 {
				break
			}
		}
		pc.Close()
	}
	return out
}

func TestAutoCreateAndExplicitTopics(t *testing.T) {
	b := startT(t, Config{Addr: "127.0.0.1:0", Partitions: 3})
	produce(t, b.Addr(), "auto", 20)
	if n := b.Partitions("auto"); n != 3 {
		t.Fatalf("auto-created topic has %d partitions, want 3", n)
	}
	if got := consumeAll(t, b.Addr(), "auto"); len(got) != 20 {
		t.Fatalf("read back %d records, want 20", len(got))
	}
	if err := b.CreateTopic("explicit", 7); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateTopic("explicit", 2); err != nil {
		t.Fatalf("existing topic: %v", err)
	}
	if n := b.Partitions("explicit"); n != 7 {
		t.Fatalf("explicit topic has %d partitions, want 7", n)
	}
	if n := b.Partitions("missing"); n != 0 {
		t.Fatalf("missing topic has %d partitions", n)
	}
}

func TestBusyPort(t *testing.T) {
	a := startT(t, Config{Addr: "127.0.0.1:0"})
	_, err := Start(Config{Addr: a.Addr()})
	if !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("second broker on %s: err %v, want ErrAddrInUse", a.Addr(), err)
	}
	b := startT(t, Config{Addr: a.Addr(), FallbackToFreePort: true})
	if !b.FellBack() || b.Addr() == a.Addr() {
		t.Fatalf("fallback: FellBack %v addr %s (busy %s)", b.FellBack(), b.Addr(), a.Addr())
	}
	if a.FellBack() {
		t.Fatal("first broker reports a fallback")
	}
	produce(t, b.Addr(), "t", 1)
}

func TestBadConfig(t *testing.T) {
	for _, c := range []Config{{Addr: "nonsense"}, {Addr: "127.0.0.1:http"}, {Addr: "127.0.0.1:70000"}, {Partitions: -1}} {
		if _, err := Start(c); err == nil {
			t.Errorf("Start(%+v) accepted a bad config", c)
		}
	}
}

func TestDataDirSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	b, err := Start(Config{Addr: "127.0.0.1:0", Partitions: 2, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, b.Addr(), "kept", 10)
	b.Close()
	b.Close() // idempotent
	b2 := startT(t, Config{Addr: "127.0.0.1:0", Partitions: 2, DataDir: dir})
	if got := consumeAll(t, b2.Addr(), "kept"); len(got) != 10 {
		t.Fatalf("after restart read %d records, want 10", len(got))
	}
}
