package kafka_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/connector/kafka"
	"github.com/twmb/franz-go/pkg/kfake"
)

// A bounded read of a topic whose partition 0 is three times larger and
// mostly earlier than partition 1: partition 1 is fetched long before the
// merge needs it. Its records must wait in Kafka (the partition consumer
// paused), not in the source: the source's queued bytes stay under the
// limits, and the records come out in (timestamp, partition) order.
func TestBoundedMergeBackpressure(t *testing.T) {
	const (
		chunkRecs  = 8
		chunkBytes = 1 << 10
		pause      = 4 << 10
		resume     = 2 << 10
		fetch      = 2 << 10
		chanBuf    = 8
	)
	restore := kafka.SetTestLimits(chunkRecs, chunkBytes, pause, resume, fetch, chanBuf)
	defer restore()

	addr := cluster(t, kfake.SeedTopics(2, "ad-events-2"))
	pad := strings.Repeat("x", 80)
	type key struct {
		ts     int64
		part   int32
		offset int
	}
	var recs []rec
	var want []key
	msgSize := 0
	add := func(part int32, n int, ts0 int64) {
		for i := 0; i < n; i++ {
			v := fmt.Sprintf(`{"id": %d, "pad": "%s"}`, int(part)*10000+i, pad)
			msgSize = max(msgSize, len(v))
			recs = append(recs, rec{topic: "ad-events-2", partition: part, ts: ts0 + 2*int64(i), value: v})
			want = append(want, key{ts0 + 2*int64(i), part, i})
		}
	}
	add(0, 3000, 1000) // ts 1000, 1002, ..., 6998
	add(1, 1000, 5001) // ts 5001, 5003, ..., 6999: after p0's first 2000
	produce(t, addr, recs...)
	sort.Slice(want, func(i, j int) bool {
		if want[i].ts != want[j].ts {
			return want[i].ts < want[j].ts
		}
		return want[i].part < want[j].part
	})
	var wantOffsets []string
	for _, k := range want {
		wantOffsets = append(wantOffsets, fmt.Sprintf("%d/%d", k.part, k.offset))
	}

	tb := tables(t, readBack(addr, "ad-events-2", "id INT"))["src"]
	s, err := kafka.OpenSource(context.Background(), tb, &connector.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := drain(t, s, 50)
	if strings.Join(got.offsets, " ") != strings.Join(wantOffsets, " ") {
		t.Fatalf("merge order: got %d records, want %d; first difference at %d", len(got.offsets), len(wantOffsets), firstDiff(got.offsets, wantOffsets))
	}
	now, peak := kafka.QueuedBytes(s)
	// Per partition: up to pause bytes counted when its consumer is
	// paused, plus what was fetched or buffered by sarama then (one fetch,
	// passed by at most one record, and chanBuf records) and the chunk
	// being sent (passed by at most one record).
	limit := int64(2 * (pause + fetch + msgSize + chanBuf*msgSize + chunkBytes + msgSize))
	if peak <= 0 || peak > limit {
		t.Errorf("peak queued bytes %d, want 1..%d (partition 1 alone is %d bytes)", peak, limit, 1000*msgSize)
	}
	if now != 0 {
		t.Errorf("queued bytes after the end: %d, want 0", now)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
