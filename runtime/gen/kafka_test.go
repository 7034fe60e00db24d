package gen

import (
	"context"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime/devbroker"
)

type rec struct {
	key, value string
	partition  int32
}

// readTopic reads every record of a topic, partition by partition.
func readTopic(t *testing.T, addr, topic string) []rec {
	t.Helper()
	cfg := SaramaConfig()
	cfg.Consumer.MaxWaitTime = 50 * time.Millisecond
	client, err := sarama.NewClient([]string{addr}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	cons, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	var out []rec
	for _, p := range parts {
		hw, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if hw == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		for m := range pc.Messages() {
			out = append(out, rec{string(m.Key), string(m.Value), p})
			if m.Offset == hw-1 {
				break
			}
		}
		pc.Close()
	}
	return out
}

func TestKafkaSink(t *testing.T) {
	b, err := devbroker.Start(devbroker.Config{Addr: "127.0.0.1:0", Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cfg := Config{Seed: 9, Start: DefaultFileStart, EventRate: 1000, OutOfOrderMs: 200}
	run := func(topic string) []rec {
		g := mustNew(t, cfg)
		sink, err := NewKafkaSink(context.Background(), g, KafkaConfig{Brokers: []string{b.Addr()}, Topic: topic, Partitions: 4})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Drive(context.Background(), g, Pace{Count: 3000, MaxBatch: 500}, sink.Send); err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		if q := sink.Queued(); q != 3000 {
			t.Fatalf("Queued() = %d, want 3000", q)
		}
		return readTopic(t, b.Addr(), topic)
	}
	got := run("ad-events")
	if n := b.Partitions("ad-events"); n != 4 {
		t.Fatalf("topic created with %d partitions, want 4 (--partitions), not the broker's 1", n)
	}
	if len(got) != 3000 {
		t.Fatalf("read %d records, want 3000", len(got))
	}
	// Independently: the expected JSON of each campaign, in order.
	g := mustNew(t, cfg)
	want := map[string][]string{}
	var e Event
	for range 3000 {
		g.Next(&e)
		id := g.CampaignID(e.Campaign)
		want[id] = append(want[id], string(g.AppendJSON(nil, &e)))
	}
	partOf := map[string]int32{}
	gotBy := map[string][]string{}
	for _, r := range got {
		if p, ok := partOf[r.key]; ok && p != r.partition {
			t.Fatalf("campaign %s in partitions %d and %d", r.key, p, r.partition)
		}
		partOf[r.key] = r.partition
		gotBy[r.key] = append(gotBy[r.key], r.value)
	}
	used := map[int32]bool{}
	for id, vals := range want {
		used[partOf[id]] = true
		if len(gotBy[id]) != len(vals) {
			t.Fatalf("campaign %s: %d records, want %d", id, len(gotBy[id]), len(vals))
		}
		for i := range vals {
			if gotBy[id][i] != vals[i] {
				t.Fatalf("campaign %s record %d:\n got %s\nwant %s", id, i, gotBy[id][i], vals[i])
			}
		}
	}
	if len(used) < 2 {
		t.Errorf("10 campaigns all landed in %d partition(s)", len(used))
	}
	// Same seed, same flags: the same records in each partition.
	again := run("ad-events-again")
	for i := range got {
		if got[i] != again[i] {
			t.Fatalf("second run differs at record %d: %+v vs %+v", i, got[i], again[i])
		}
	}
}

func TestKafkaSinkUnreachable(t *testing.T) {
	b, err := devbroker.Start(devbroker.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr := b.Addr()
	b.Close()
	g := mustNew(t, Config{})
	start := time.Now()
	_, err = NewKafkaSink(context.Background(), g, KafkaConfig{Brokers: []string{addr}, Topic: "x"})
	if err == nil {
		t.Fatal("no error for a broker that is not there")
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("took %v to fail", time.Since(start))
	}
	t.Log(err)
}
