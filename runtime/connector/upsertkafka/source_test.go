package upsertkafka_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/connector/kafka/kafkatest"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// userEvents writes a compacted-topic-like stream of users to topic
// 'users' (3 partitions, a key always in the same one): upserts that
// move users between regions, re-sends of a user's current row,
// tombstones of known and of unknown users. It returns, computed here
// from the records alone, the final number of users per region.
func userEvents(t *testing.T, addr string) map[string]int {
	var recs []kafkatest.Record
	cur := map[string]string{} // id -> region of its current row
	seed := uint32(7)
	rnd := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % n }
	for i := 0; i < 400; i++ {
		id := rnd(40)
		key := []byte(fmt.Sprintf(`{"id":"u%d"}`, id))
		r := kafkatest.Record{Topic: "users", Partition: int32(id % 3), Key: key}
		switch op := rnd(10); {
		case op == 0: // tombstone (of a known or an unknown user)
			delete(cur, fmt.Sprint(id))
		case op == 1 && cur[fmt.Sprint(id)] != "": // the same row again
			r.Value = []byte(fmt.Sprintf(`{"id":"u%d","region":"%s","score":%d}`, id, cur[fmt.Sprint(id)], id))
		default:
			reg := fmt.Sprintf("r%d", rnd(5))
			cur[fmt.Sprint(id)] = reg
			r.Value = []byte(fmt.Sprintf(`{"id":"u%d","region":"%s","score":%d}`, id, reg, id))
		}
		recs = append(recs, r)
	}
	kafkatest.Produce(t, addr, recs...)
	want := map[string]int{}
	for _, reg := range cur {
		want[reg]++
	}
	return want
}

const regionSQL = `SET 'parallelism.default' = '{P}';
CREATE TABLE users (id STRING, region STRING, score INT, PRIMARY KEY (id) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'users', 'properties.bootstrap.servers' = '{ADDR}',
  'key.format' = 'json', 'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset');
CREATE TABLE counts (region STRING, n BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = '{OUT}', 'properties.bootstrap.servers' = '{ADDR}',
  'key.format' = 'json', 'value.format' = 'json');
INSERT INTO counts SELECT region, COUNT(*) FROM users GROUP BY region;`

// compacted is a topic of JSON keys and values as Kafka compacts it:
// the last value per key, a tombstone deleting the key.
func compacted(t *testing.T, addr, topic string) map[string]string {
	t.Helper()
	table := map[string]string{}
	for _, m := range kafkatest.ReadAll(t, addr, topic, true) {
		if m.Value == nil {
			delete(table, string(m.Key))
			continue
		}
		table[string(m.Key)] = string(m.Value)
	}
	return table
}

func wantCounts(want map[string]int) map[string]string {
	out := map[string]string{}
	for reg, n := range want {
		out[fmt.Sprintf(`{"region":"%s"}`, reg)] = fmt.Sprintf(`{"region":"%s","n":%d}`, reg, n)
	}
	return out
}

func runJob(t *testing.T, src string, opts runtime.Options) error {
	t.Helper()
	var stderr bytes.Buffer
	opts.Stderr = &stderr
	rj, err := runtest.Build("users.sql", src, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := rj.Run(ctx); err != nil {
		return fmt.Errorf("%w\n%s", err, stderr.String())
	}
	return nil
}

// An upsert-kafka source (updates, identical re-sends, tombstones of
// known and unknown keys) aggregated by region into an upsert-kafka
// sink, at parallelism 1, 2 and 4, and once crashed after a checkpoint
// and restored at another parallelism: the compacted result is the
// count per region computed from the records.
func TestUpsertKafkaSourceEndToEnd(t *testing.T) {
	addr := kafkatest.Cluster(t, kfake.SeedTopics(3, "users"), kfake.SeedTopics(2, "o1", "o2", "o4", "ocrash"))
	want := wantCounts(userEvents(t, addr))
	job := func(p, out string) string {
		return strings.NewReplacer("{P}", p, "{ADDR}", addr, "{OUT}", out).Replace(regionSQL)
	}
	for _, p := range []string{"1", "2", "4"} {
		t.Run("p="+p, func(t *testing.T) {
			if err := runJob(t, job(p, "o"+p), runtime.Options{}); err != nil {
				t.Fatal(err)
			}
			if got := compacted(t, addr, "o"+p); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("compacted result\n got %v\nwant %v", got, want)
			}
		})
	}
	t.Run("crash p=2, restore p=4", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state")
		err := runJob(t, job("2", "ocrash"), runtime.Options{StateDir: dir, CheckpointEveryRecords: 50, CrashAfterRecords: 230})
		if err == nil || !strings.Contains(err.Error(), "crash") {
			t.Fatalf("want the simulated crash, got %v", err)
		}
		if err := runJob(t, job("4", "ocrash"), runtime.Options{StateDir: dir, CheckpointEveryRecords: 50}); err != nil {
			t.Fatal(err)
		}
		if got := compacted(t, addr, "ocrash"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("compacted result after restore\n got %v\nwant %v", got, want)
		}
	})
	// the sink's topic read back by an upsert-kafka source: its changelog,
	// applied in order, is the same table
	t.Run("round trip", func(t *testing.T) {
		src := strings.NewReplacer("{ADDR}", addr).Replace(`CREATE TABLE counts (region STRING, n BIGINT, PRIMARY KEY (region) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'o2', 'properties.bootstrap.servers' = '{ADDR}',
  'key.format' = 'json', 'value.format' = 'json', 'scan.bounded.mode' = 'latest-offset');
SELECT region, n FROM counts;`)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := runtest.Run(ctx, "rt.sql", src, runtime.Options{})
		if err != nil {
			t.Fatal(err)
		}
		table := applyChangelog(t, out.Stdout)
		got := map[string]string{}
		for row := range table {
			parts := strings.Split(row, ", ")
			got[fmt.Sprintf(`{"region":"%s"}`, parts[0])] = fmt.Sprintf(`{"region":"%s","n":%s}`, parts[0], parts[1])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("round trip\n got %v\nwant %v\nchangelog:\n%s", got, want, out.Stdout)
		}
	})
}

// applyChangelog applies print's lines (+I[..], -U[..], +U[..], -D[..])
// to a multiset of rows, failing on a retraction of a row not there.
func applyChangelog(t *testing.T, out string) map[string]int {
	t.Helper()
	table := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if len(l) < 4 {
			continue
		}
		row := l[3 : len(l)-1]
		switch l[:2] {
		case "+I", "+U":
			table[row]++
		case "-U", "-D":
			if table[row] == 0 {
				t.Fatalf("%s retracts a row not in the table", l)
			}
			if table[row]--; table[row] == 0 {
				delete(table, row)
			}
		}
	}
	return table
}

// ChangelogNormalize's exact output for one key, as Flink's: +I for a new
// key, nothing for an identical row, -U/+U for a change, nothing for a
// tombstone of an unknown key, -D with the kept row for a tombstone; the
// plan shows the source's upsert mode and the operator hashed by the key.
func TestUpsertKafkaSourceChangelog(t *testing.T) {
	addr := kafkatest.Cluster(t, kfake.SeedTopics(1, "u"))
	rec := func(k, v string) kafkatest.Record {
		r := kafkatest.Record{Topic: "u", Key: []byte(`{"k":"` + k + `"}`)}
		if v != "" {
			r.Value = []byte(v)
		}
		return r
	}
	kafkatest.Produce(t, addr,
		rec("a", `{"k":"a","v":1}`), rec("a", `{"k":"a","v":1}`), rec("a", `{"k":"a","v":2}`),
		rec("b", ""), rec("a", ""), rec("a", `{"k":"a","v":3}`), rec("c", `{"v":9}`))
	src := strings.ReplaceAll(`CREATE TABLE u (k STRING, v INT, PRIMARY KEY (k) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'u', 'properties.bootstrap.servers' = '{ADDR}',
  'key.format' = 'json', 'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY', 'scan.bounded.mode' = 'latest-offset');
SELECT k, v FROM u WHERE v > 0;`, "{ADDR}", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := runtest.Run(ctx, "u.sql", src, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "+I[a, 1]\n-U[a, 1]\n+U[a, 2]\n-D[a, 2]\n+I[a, 3]\n+I[c, 9]\n"
	if out.Stdout != want {
		t.Errorf("changelog\n got %q\nwant %q", out.Stdout, want)
	}
	job, err := runtest.Plan("u.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	plan := job.Explain()
	for _, w := range []string{
		"ChangelogNormalize(key=[k], changelogMode=[I,UB,UA,D], upsertKeys=[[k]])",
		"Exchange(distribution=[hash[k]], changelogMode=[UA,D])",
		"TableSourceScan(table=[u], project=[k, v]",
		"changelogMode=[UA,D], upsertKeys=[[k]])",
	} {
		if !strings.Contains(plan, w) {
			t.Errorf("plan lacks %q:\n%s", w, plan)
		}
	}
	if strings.Index(plan, "Calc(") > strings.Index(plan, "ChangelogNormalize(") {
		t.Errorf("the filter must be above ChangelogNormalize:\n%s", plan)
	}
}

// A window aggregation over an upsert source is refused, naming the
// source that produces the updates.
func TestUpsertKafkaSourceUpdatesRefusedByWindow(t *testing.T) {
	src := `CREATE TABLE u (k STRING, v INT, ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED, WATERMARK FOR ts AS ts) WITH (
  'connector' = 'upsert-kafka', 'topic' = 'u', 'properties.bootstrap.servers' = '127.0.0.1:1',
  'key.format' = 'json', 'value.format' = 'json');
SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;`
	_, err := runtest.Plan("w.sql", src)
	if err == nil || !strings.Contains(err.Error(), "TableSourceScan(table=[u]") {
		t.Fatalf("want the window refused naming the upsert source, got %v", err)
	}
}
