package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime/recording"
	"github.com/twmb/franz-go/pkg/kfake"
)

// The record/replay round trip: records produced to a 3-partition topic
// are captured with `streamsql record`; the same windowed query (event
// time = the Kafka record timestamp; partition and offset metadata in the
// result) then reads the topic directly, replays the recording with the
// filesystem connector, and runs as a `streamsql test` case over it. All
// three must give the rows computed here from what was produced.
func TestRecordReplay(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "events"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := c.ListenAddrs()[0]

	// Per partition p, 20 events in time order (so none is late whatever
	// the interleaving): record timestamp base + p*137 + i*1500 ms.
	const base = int64(1767225600000) // 2026-01-01 00:00:00 UTC, a 10 s boundary
	type ev struct {
		p        int32
		i        int
		ts       int64
		campaign string
	}
	var evs []ev
	for p := int32(0); p < 3; p++ {
		for i := 0; i < 20; i++ {
			evs = append(evs, ev{p, i, base + int64(p)*137 + int64(i)*1500, fmt.Sprintf("c%d", i%int(p+2))})
		}
	}
	pc := sarama.NewConfig()
	pc.Version = sarama.V2_8_0_0
	pc.Producer.Return.Successes = true
	pc.Producer.Partitioner = sarama.NewManualPartitioner
	prod, err := sarama.NewSyncProducer([]string{addr}, pc)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		m := &sarama.ProducerMessage{Topic: "events", Partition: e.p, Timestamp: time.UnixMilli(e.ts),
			Key:     sarama.StringEncoder(fmt.Sprintf("u%d", e.i)),
			Headers: []sarama.RecordHeader{{Key: []byte("n"), Value: []byte(fmt.Sprint(e.i))}},
			Value:   sarama.StringEncoder(fmt.Sprintf(`{"campaign_id": "%s"}`, e.campaign))}
		part, off, err := prod.SendMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		if part != e.p || off != int64(e.i) {
			t.Fatalf("produced to %d@%d, want %d@%d", part, off, e.p, e.i)
		}
	}
	prod.Close()

	// Expected rows: per 10 s window and partition, the count, the largest
	// offset and the number of distinct campaigns.
	type agg struct {
		n, maxOff int
		camps     map[string]bool
	}
	groups := map[string]*agg{}
	for _, e := range evs {
		w := time.UnixMilli(e.ts - (e.ts-base)%10000).UTC().Format("2006-01-02 15:04:05")
		k := fmt.Sprintf("%s|%d", w, e.p)
		g := groups[k]
		if g == nil {
			g = &agg{camps: map[string]bool{}}
			groups[k] = g
		}
		g.n++
		g.maxOff = max(g.maxOff, e.i)
		g.camps[e.campaign] = true
	}
	var want []string
	for k, g := range groups {
		want = append(want, fmt.Sprintf("%s|%d|%d|%d", k, g.n, g.maxOff, len(g.camps)))
	}
	sort.Strings(want)

	dir := t.TempDir()
	rec := filepath.Join(dir, "events.rec")
	if _, stderr, err := runApp(t, "record", "--brokers", addr, "--topic", "events", "--out", rec); err != nil {
		t.Fatalf("record: %v\n%s", err, stderr)
	}
	// The recording holds every record once, each partition in offset order,
	// with its timestamp, key and header.
	lines := readLines(t, rec)
	if len(lines) != len(evs) {
		t.Fatalf("recorded %d lines, want %d", len(lines), len(evs))
	}
	next := map[int]int64{}
	for _, l := range lines {
		r, err := recording.ParseLine(l)
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if r.Offset != next[r.Partition] {
			t.Fatalf("%s: offset %d, want %d", l, r.Offset, next[r.Partition])
		}
		next[r.Partition]++
		i := int(r.Offset)
		if r.Timestamp != base+int64(r.Partition)*137+int64(i)*1500 || string(r.Key) != fmt.Sprintf("u%d", i) ||
			len(r.Headers) != 1 || string(r.Headers[0].Value) != fmt.Sprint(i) {
			t.Fatalf("%s: timestamp, key or header differ from what was produced", l)
		}
	}

	query := func(source, out string) string {
		return fmt.Sprintf(`CREATE TABLE ev (
  campaign_id STRING,
  kafka_ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  part INT METADATA FROM 'partition' VIRTUAL,
  off BIGINT METADATA FROM 'offset' VIRTUAL,
  WATERMARK FOR kafka_ts AS kafka_ts - INTERVAL '1' SECOND
) WITH (%s, 'format' = 'json');
CREATE TABLE results (ws STRING, part INT, n BIGINT, max_off BIGINT, campaigns BIGINT)
WITH ('connector' = 'filesystem', 'path' = '%s', 'format' = 'json');
INSERT INTO results
SELECT DATE_FORMAT(window_start, 'yyyy-MM-dd HH:mm:ss'), part, COUNT(*), MAX(off), COUNT(DISTINCT campaign_id)
FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(kafka_ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, part;
`, source, out)
	}
	run := func(name, source string) []string {
		out := filepath.Join(dir, name+".json")
		sqlFile := filepath.Join(dir, name+".sql")
		if err := os.WriteFile(sqlFile, []byte(query(source, out)), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, stderr, err := runApp(t, "run", sqlFile); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr)
		}
		var rows []string
		for _, l := range readLines(t, out) {
			var r struct {
				WS        string `json:"ws"`
				Part      int64  `json:"part"`
				N         int64  `json:"n"`
				MaxOff    int64  `json:"max_off"`
				Campaigns int64  `json:"campaigns"`
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%s: %s: %v", name, l, err)
			}
			rows = append(rows, fmt.Sprintf("%s|%d|%d|%d|%d", r.WS, r.Part, r.N, r.MaxOff, r.Campaigns))
		}
		sort.Strings(rows)
		return rows
	}
	direct := run("direct", fmt.Sprintf(`'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = '%s',
  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'`, addr))
	replayed := run("replayed", fmt.Sprintf(`'connector' = 'filesystem', 'path' = '%s', 'source.recording' = 'true'`, rec))
	check := func(name string, got []string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s rows differ\nwant:\n%s\ngot:\n%s", name, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
	check("topic read directly", direct)
	check("recording replayed by the filesystem connector", replayed)

	// As a `streamsql test` case: the Kafka table's input is the recording
	// pasted as is; the expected rows are written here in print form.
	// A window's rows come out in the order its groups were first seen:
	// windows in time order, then partitions as they first appear in the
	// recording within that window.
	firstSeen := map[string]int{}
	for i, l := range lines {
		r, _ := recording.ParseLine(l)
		w := time.UnixMilli(r.Timestamp - (r.Timestamp-base)%10000).UTC().Format("2006-01-02 15:04:05")
		k := fmt.Sprintf("%s|%d", w, r.Partition)
		if _, ok := firstSeen[k]; !ok {
			firstSeen[k] = i
		}
	}
	ordered := append([]string(nil), want...)
	sort.SliceStable(ordered, func(i, j int) bool {
		wi, wj := ordered[i][:19], ordered[j][:19]
		if wi != wj {
			return wi < wj
		}
		pi, pj := strings.Split(ordered[i], "|"), strings.Split(ordered[j], "|")
		return firstSeen[pi[0]+"|"+pi[1]] < firstSeen[pj[0]+"|"+pj[1]]
	})
	var expected []string
	for _, w := range ordered {
		expected = append(expected, "+I["+strings.ReplaceAll(w, "|", ", ")+"]")
	}
	src, _ := os.ReadFile(rec)
	tc := "Recorded from a 3-partition topic by streamsql record.\n--- sql\n" +
		query(fmt.Sprintf(`'connector' = 'kafka', 'topic' = 'events', 'properties.bootstrap.servers' = '%s'`, addr), filepath.Join(dir, "unused.json")) +
		"--- input ev\n" + string(src) + "--- output results\n" + strings.Join(expected, "\n") + "\n"
	caseFile := filepath.Join(dir, "recorded.test")
	if err := os.WriteFile(caseFile, []byte(tc), 0o644); err != nil {
		t.Fatal(err)
	}
	if stdout, stderr, err := runApp(t, "test", caseFile); err != nil {
		t.Fatalf("streamsql test over the recording: %v\n%s%s", err, stdout, stderr)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			out = append(out, sc.Text())
		}
	}
	return out
}
