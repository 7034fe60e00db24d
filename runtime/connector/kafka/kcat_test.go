package kafka_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Interoperability with librdkafka through Debian's kcat: kcat produces
// the ad events, streamsql runs queries/ctr.sql unchanged except for the
// broker address and a bounded read, kcat consumes `results`, and the
// rows are checked against counts computed here from the events.
func TestKcatInterop(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("kcat is missing in CI: .ci/run installs it (apt-get install -y kcat); this test must run there")
		}
		t.Skip("skipped for a reason: kcat (librdkafka) is not installed on this machine; CI installs it and runs this test. " +
			"Interoperability with an independent client runs everywhere in TestKgoInterop (franz-go)")
	}
	addr := cluster(t, kfake.SeedTopics(4, "ad-events-2"), kfake.SeedTopics(1, "results"))
	const t0 = int64(1767225600000) // 2026-01-01 00:00:00 UTC, on a 10 s boundary
	type key struct {
		start    int64
		campaign string
	}
	views, clicks := map[key]int64{}, map[key]int64{}
	kinds := []string{"view", "view", "click", "purchase", "view"}
	started := time.Now().UnixMilli()
	for p := 0; p < 4; p++ {
		var in bytes.Buffer
		for i := 0; i < 60; i++ {
			// in event-time order within the partition: no row is late
			et := t0 + int64(i)*500 + int64(p)*37
			c := fmt.Sprintf("c%d", (i+p)%3)
			kind := kinds[(i*7+p)%len(kinds)]
			fmt.Fprintf(&in, `{"user_id":"u%d","page_id":"p","ad_id":"a","ad_type":"banner","event_type":"%s","event_time":%d,"campaign_id":"%s","ip_address":"10.0.0.1"}`+"\n", i, kind, et, c)
			k := key{et - et%10000, c}
			switch kind {
			case "view":
				views[k]++
			case "click":
				clicks[k]++
			}
			if _, ok := views[k]; !ok {
				views[k] = 0
			}
		}
		cmd := exec.Command(kcat, "-P", "-b", addr, "-t", "ad-events-2", "-p", fmt.Sprint(p))
		cmd.Stdin = &in
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kcat produce: %v: %s", err, out)
		}
	}
	src, err := os.ReadFile("../../../queries/ctr.sql")
	if err != nil {
		t.Fatal(err)
	}
	q := strings.ReplaceAll(string(src), "127.0.0.1:9092", addr)
	q = strings.Replace(q, "'scan.startup.mode' = 'earliest-offset',", "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset',", 1)
	if !strings.Contains(q, "'scan.bounded.mode'") {
		t.Fatal("queries/ctr.sql changed: cannot add the bounded mode")
	}
	_, sum := mustRun(t, q)
	if sum.LateRecordsDropped != 0 {
		t.Errorf("late rows dropped: %d, want 0", sum.LateRecordsDropped)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, kcat, "-C", "-b", addr, "-t", "results", "-e", "-q").Output()
	if err != nil {
		t.Fatalf("kcat consume: %v", err)
	}
	type row struct {
		WindowStart string   `json:"window_start"`
		WindowEnd   string   `json:"window_end"`
		Campaign    string   `json:"campaign_id"`
		Views       int64    `json:"views"`
		Clicks      int64    `json:"clicks"`
		CTR         *float64 `json:"ctr"`
		MaxKafkaTS  string   `json:"max_kafka_ts"`
	}
	seen := map[key]bool{}
	for _, l := range lines(string(out)) {
		var r row
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("result %q: %v", l, err)
		}
		ws, err := time.Parse("2006-01-02 15:04:05", r.WindowStart)
		if err != nil {
			t.Fatalf("window_start %q: %v", r.WindowStart, err)
		}
		k := key{ws.UnixMilli(), r.Campaign}
		if seen[k] {
			t.Errorf("window %v emitted twice", k)
		}
		seen[k] = true
		if r.Views != views[k] || r.Clicks != clicks[k] {
			t.Errorf("%s %s: views %d clicks %d, want %d %d", r.WindowStart, r.Campaign, r.Views, r.Clicks, views[k], clicks[k])
		}
		if views[k] == 0 {
			if r.CTR != nil {
				t.Errorf("%s %s: ctr %v, want null (no views)", r.WindowStart, r.Campaign, *r.CTR)
			}
		} else if r.CTR == nil || math.Abs(*r.CTR-float64(clicks[k])/float64(views[k])) > 1e-12 {
			t.Errorf("%s %s: ctr %v, want %v", r.WindowStart, r.Campaign, r.CTR, float64(clicks[k])/float64(views[k]))
		}
		mk, err := time.Parse("2006-01-02 15:04:05.999Z", r.MaxKafkaTS)
		if err != nil {
			t.Fatalf("max_kafka_ts %q: %v", r.MaxKafkaTS, err)
		}
		// kcat stamps records with the produce time
		if ms := mk.UnixMilli(); ms < started-1000 || ms > time.Now().UnixMilli() {
			t.Errorf("max_kafka_ts %s is not a produce time of this test", r.MaxKafkaTS)
		}
	}
	if len(seen) != len(views) {
		t.Errorf("got %d window rows, want %d", len(seen), len(views))
	}
}
