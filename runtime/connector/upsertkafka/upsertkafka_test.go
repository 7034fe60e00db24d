package upsertkafka_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector/kafka/kafkatest"
	_ "github.com/streamsql/streamsql/runtime/connector/registry"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

const upsertSQL = `SET 'parallelism.default' = '{P}';
{SETS}
CREATE TABLE ev (k STRING, v INT) WITH (
  'connector' = 'kafka', 'topic' = 'ev', 'properties.bootstrap.servers' = '{ADDR}',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE totals (k STRING, n BIGINT, s INT, PRIMARY KEY (k) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = '{OUT}', 'properties.bootstrap.servers' = '{ADDR}',
  'key.format' = 'json', 'value.format' = 'json'{SINK});
INSERT INTO totals SELECT k, COUNT(*), SUM(v) FROM ev GROUP BY k HAVING COUNT(*) < 4;`

// An updating query (GROUP BY with HAVING: keys leave the result when
// their count reaches 4) written to upsert-kafka on the development
// broker, at parallelism 1 and 2 and exactly-once: the topic read back
// and compacted as Kafka compacts it (the last record per key, a
// tombstone deleting the key) is the final table computed here from the
// events; every key's records carry the key as JSON and land in one
// partition; deletes are tombstones.
func TestUpsertKafkaEndToEnd(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "ev"), kfake.SeedTopics(2, "out1", "out2", "out3"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]
	// the events and, computed from them, the final table
	count, sum := map[string]int{}, map[string]int{}
	var recs []kafkatest.Record
	for i := 0; i < 120; i++ {
		k := fmt.Sprintf("k%d", (i*7)%10) // 10 events each: deleted at the 4th
		if i >= 100 {
			k = fmt.Sprintf("x%d", i%8) // 2 or 3 events each: kept
		}
		v := i % 10
		count[k]++
		sum[k] += v
		recs = append(recs, kafkatest.Record{Topic: "ev", Partition: int32(i % 3), Value: []byte(fmt.Sprintf(`{"k": %q, "v": %d}`, k, v))})
	}
	kafkatest.Produce(t, addr, recs...)
	want := map[string]string{}
	for k, n := range count {
		if n < 4 {
			want[`{"k":"`+k+`"}`] = fmt.Sprintf(`{"k":"%s","n":%d,"s":%d}`, k, n, sum[k])
		}
	}
	if len(want) == 0 || len(want) == len(count) {
		t.Fatalf("the events must leave some keys and delete others: %d of %d", len(want), len(count))
	}
	for _, c := range []struct {
		name, p, out, sets, sink string
	}{
		{"p=1", "1", "out1", "", ""},
		{"p=2", "2", "out2", "", ""},
		{"exactly-once p=2", "2", "out3", "SET 'execution.checkpointing.interval' = '50 ms';",
			", 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'up'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := strings.NewReplacer("{P}", c.p, "{ADDR}", addr, "{OUT}", c.out, "{SETS}", c.sets, "{SINK}", c.sink).Replace(upsertSQL)
			var stderr bytes.Buffer
			rj, err := runtest.Build("upsert.sql", src, runtime.Options{Stderr: &stderr, StateDir: filepath.Join(t.TempDir(), "state")})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := rj.Run(ctx); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			recs := kafkatest.ReadAll(t, addr, c.out, true)
			table := map[string]string{}
			partOf := map[string]int32{}
			tombstones := 0
			for _, r := range recs {
				if r.Key == nil {
					t.Fatalf("a record without key: %q", r.Value)
				}
				k := string(r.Key)
				if p, ok := partOf[k]; ok && p != r.Partition {
					t.Errorf("key %s in partitions %d and %d", k, p, r.Partition)
				}
				partOf[k] = r.Partition
				if r.Value == nil {
					tombstones++
					delete(table, k)
					continue
				}
				var row map[string]any
				if err := json.Unmarshal(r.Value, &row); err != nil {
					t.Fatalf("value %q: %v", r.Value, err)
				}
				table[k] = string(r.Value)
			}
			if tombstones == 0 {
				t.Errorf("no tombstone written for the %d deleted keys", len(count)-len(want))
			}
			if fmt.Sprint(table) != fmt.Sprint(want) {
				t.Errorf("compacted topic\n got %v\nwant %v", table, want)
			}
		})
	}
}

// A table without PRIMARY KEY is refused with Flink's message.
func TestUpsertKafkaNeedsPrimaryKey(t *testing.T) {
	src := `CREATE TABLE ev (k STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');
CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'upsert-kafka', 'topic' = 'o',
  'properties.bootstrap.servers' = '127.0.0.1:1', 'key.format' = 'json', 'value.format' = 'json');
INSERT INTO out SELECT k, COUNT(*) FROM ev GROUP BY k;`
	_, err := runtest.Build("pk.sql", src, runtime.Options{})
	if err == nil || !strings.Contains(err.Error(), "'upsert-kafka' tables require to define a PRIMARY KEY constraint") || !strings.Contains(err.Error(), "pk.sql:2:") {
		t.Fatalf("want the PRIMARY KEY refusal at the table, got %v", err)
	}
}
