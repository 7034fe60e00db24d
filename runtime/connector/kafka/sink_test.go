package kafka_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// sinkQuery copies ids from a bounded source topic into topic out.
func sinkQuery(addr, outOpts string) string {
	return fmt.Sprintf(`CREATE TABLE src (id INT, name STRING, ts_ms BIGINT) WITH ('connector' = 'kafka', 'topic' = 'in',
  'properties.bootstrap.servers' = '%[1]s', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE dst (id INT, name STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH ('connector' = 'kafka', 'topic' = 'out',
  'properties.bootstrap.servers' = '%[1]s', 'format' = 'json'%[2]s);
INSERT INTO dst SELECT id, name, TO_TIMESTAMP_LTZ(ts_ms, 3) FROM src;`, addr, outOpts)
}

func sinkInput(t *testing.T, addr string, n int) {
	var recs []rec
	for i := 0; i < n; i++ {
		recs = append(recs, rec{topic: "in", value: fmt.Sprintf(`{"id": %d, "name": "n%d", "ts_ms": %d}`, i, i%3, 1767225600000+int64(i))})
	}
	produce(t, addr, recs...)
}

func TestSinkKeyFieldsAndPartitioners(t *testing.T) {
	const n = 12
	cases := []struct {
		name, opts string
		check      func(t *testing.T, got []consumed)
	}{
		{"default-key-hash", `, 'key.format' = 'json', 'key.fields' = 'name'`, func(t *testing.T, got []consumed) {
			// the same key always lands on the same partition
			part := map[string]int32{}
			for _, c := range got {
				if p, ok := part[c.key]; ok && p != c.partition {
					t.Errorf("key %s on partitions %d and %d", c.key, p, c.partition)
				}
				part[c.key] = c.partition
				var id int
				fmt.Sscanf(c.value, `{"id":%d`, &id)
				if want := fmt.Sprintf(`{"name":"n%d"}`, id%3); c.key != want {
					t.Errorf("record %s: key %s, want %s", c.value, c.key, want)
				}
			}
			if len(part) != 3 {
				t.Errorf("want 3 distinct keys, got %v", part)
			}
		}},
		{"fixed", `, 'sink.partitioner' = 'fixed'`, func(t *testing.T, got []consumed) {
			for _, c := range got {
				if c.partition != 0 {
					t.Errorf("fixed partitioner wrote to partition %d", c.partition)
				}
				if c.key != "" {
					t.Errorf("no key.fields but key %q", c.key)
				}
			}
		}},
		{"round-robin", `, 'sink.partitioner' = 'round-robin'`, func(t *testing.T, got []consumed) {
			count := map[int32]int{}
			for _, c := range got {
				count[c.partition]++
			}
			for p := int32(0); p < 3; p++ {
				if count[p] != n/3 {
					t.Errorf("round-robin: partition %d has %d records, want %d (%v)", p, count[p], n/3, count)
				}
			}
		}},
		{"except-key-prefix", `, 'key.format' = 'json', 'key.fields' = 'name', 'value.fields-include' = 'EXCEPT_KEY'`, func(t *testing.T, got []consumed) {
			for _, c := range got {
				if strings.Contains(c.value, "name") {
					t.Errorf("EXCEPT_KEY value holds the key: %s", c.value)
				}
				if !strings.HasPrefix(c.key, `{"name":"n`) {
					t.Errorf("key %q", c.key)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := cluster(t, kfake.SeedTopics(1, "in"), kfake.SeedTopics(3, "out"))
			sinkInput(t, addr, n)
			mustRun(t, sinkQuery(addr, c.opts))
			got := consumeAll(t, addr, "out")
			if len(got) != n {
				t.Fatalf("got %d records, want %d", len(got), n)
			}
			for _, g := range got {
				var id int
				fmt.Sscanf(g.value, `{"id":%d`, &id)
				if want := 1767225600000 + int64(id); g.ts != want {
					t.Errorf("record %s: timestamp %d, want %d (from the 'timestamp' metadata column)", g.value, g.ts, want)
				}
			}
			c.check(t, got)
		})
	}
}
