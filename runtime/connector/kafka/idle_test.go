package kafka_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
)

// A live (unbounded) job over two partitions, data in partition 0 only:
// the empty partition holds the watermark, so the window never fires,
// unless scan.watermark.idle-timeout marks it idle.
func TestIdlePartition(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(2, "t"))
	produce(t, addr,
		rec{topic: "t", partition: 0, value: `{"id": 1, "et": 1000}`},
		rec{topic: "t", partition: 0, value: `{"id": 2, "et": 5000}`},
		rec{topic: "t", partition: 0, value: `{"id": 3, "et": 12000}`},
	)
	q := `CREATE TABLE src (id INT, et BIGINT, ts AS TO_TIMESTAMP_LTZ(et, 3), WATERMARK FOR ts AS ts)
WITH ('connector' = 'kafka', 'topic' = 't', 'properties.bootstrap.servers' = '%s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset'%s);
CREATE TABLE out (ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;`
	// Partition 0 keeps receiving data during the run (event times past
	// the window), so only the empty partition 1 can go idle.
	et := int64(12000)
	run := func(extra string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		p, err := sarama.NewSyncProducer([]string{addr}, clientConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		stop := make(chan struct{})
		done := make(chan struct{})
		defer func() { close(stop); <-done }()
		go func() {
			defer close(done)
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					et += 10 // stays inside [10 s, 20 s)
					p.SendMessage(&sarama.ProducerMessage{Topic: "t", Partition: 0, Value: sarama.StringEncoder(fmt.Sprintf(`{"id": 9, "et": %d}`, et))})
				}
			}
		}()
		out, _, _, err := runSQL(t, ctx, fmt.Sprintf(q, addr, extra))
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		return out
	}
	if out := run(""); out != "" {
		t.Errorf("without idle timeout the empty partition must hold the window; got %q", out)
	}
	out := run(`, 'scan.watermark.idle-timeout' = '300 ms'`)
	sameSet(t, "with idle timeout", lines(out), []string{"+I[1970-01-01 00:00:00.000, 1970-01-01 00:00:10.000, 2]"})
}
