package metrics

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/golden"
	"github.com/streamsql/streamsql/runtime/runtest"
)

// sample is one scraped line: name, labels and value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseExposition reads Prometheus text format by hand (comments skipped;
// label values here contain no escaped quotes or commas).
func parseExposition(t *testing.T, r io.Reader) []sample {
	t.Helper()
	var out []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		head, val := line[:sp], line[sp+1:]
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			t.Fatalf("bad value in %q: %v", line, err)
		}
		s := sample{labels: map[string]string{}, value: v}
		if i := strings.IndexByte(head, '{'); i >= 0 {
			s.name = head[:i]
			for _, kv := range strings.Split(strings.TrimSuffix(head[i+1:], "}"), ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("bad label in %q", line)
				}
				s.labels[k] = strings.Trim(v, `"`)
			}
		} else {
			s.name = head
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// find returns the samples named name whose labels include want.
func find(samples []sample, name string, want map[string]string) []sample {
	var out []sample
next:
	for _, s := range samples {
		if s.name != name {
			continue
		}
		for k, v := range want {
			if s.labels[k] != v {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

// TestScrapeAfterRun runs the CTR query over the input of
// testdata/golden/ctr_late_rows.test (6 events in one partition, of which
// the click at 00:09 and the view at 00:05 arrive after window
// [00:00, 00:10) fired: 2 late rows, 2 result rows) through a filesystem
// source and sink, then scrapes /metrics over HTTP and checks the counters.
func TestScrapeAfterRun(t *testing.T) {
	c, err := golden.Parse(filepath.Join("..", "..", "testdata", "golden", "ctr_late_rows.test"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Inputs) != 1 {
		t.Fatalf("want one input in the golden case, got %d", len(c.Inputs))
	}
	dir := t.TempDir()
	var in strings.Builder
	for _, r := range c.Inputs[0].Records {
		in.Write(r.Value)
		in.WriteByte('\n')
	}
	inputRows := len(c.Inputs[0].Records)
	if inputRows != 6 {
		t.Fatalf("the golden input changed: %d records, this test expects 6", inputRows)
	}
	inPath, outPath := filepath.Join(dir, "events.jsonl"), filepath.Join(dir, "results.jsonl")
	if err := os.WriteFile(inPath, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `CREATE TABLE ad_events (
  event_type STRING, event_time BIGINT, campaign_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '` + inPath + `', 'format' = 'json');
CREATE TABLE results (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), campaign_id STRING,
  views BIGINT, clicks BIGINT
) WITH ('connector' = 'filesystem', 'path' = '` + outPath + `', 'format' = 'json');
INSERT INTO results
SELECT window_start, window_end, campaign_id,
  COUNT(*) FILTER (WHERE event_type = 'view') AS views,
  COUNT(*) FILTER (WHERE event_type = 'click') AS clicks
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;
`
	job, srv := runServed(t, "late", src)
	job.ReportCheckpoint(runtime.CheckpointInfo{ID: 7, Duration: 1500 * 1e6, Size: 2048})

	resp, err := http.Get("http://" + srv.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s", resp.Status)
	}
	samples := parseExposition(t, resp.Body)

	// The sink file is the independent count of output rows.
	outBytes, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	outputRows := strings.Count(string(outBytes), "\n")
	if outputRows != 2 {
		t.Fatalf("sink file has %d rows, want 2:\n%s", outputRows, outBytes)
	}

	one := func(name string, labels map[string]string) float64 {
		t.Helper()
		got := find(samples, name, labels)
		if len(got) != 1 {
			t.Fatalf("%s%v: %d samples, want 1", name, labels, len(got))
		}
		return got[0].value
	}
	job1 := map[string]string{"job": "late"}
	var late float64
	for _, s := range find(samples, "streamsql_numLateRecordsDropped", job1) {
		late += s.value
	}
	if late != 2 {
		t.Errorf("numLateRecordsDropped summed over operators = %v, want 2", late)
	}
	if v := one("streamsql_numLateRecordsDropped", map[string]string{"operator_name": "WindowAggregate"}); v != 2 {
		t.Errorf("WindowAggregate numLateRecordsDropped = %v, want 2", v)
	}
	if v := one("streamsql_numRecordsIn", map[string]string{"operator_name": "Source: ad_events", "job": "late"}); v != float64(inputRows) {
		t.Errorf("source numRecordsIn = %v, want %d", v, inputRows)
	}
	if v := one("streamsql_numRecordsOut", map[string]string{"operator_name": "Source: ad_events"}); v != float64(inputRows) {
		t.Errorf("source numRecordsOut = %v, want %d", v, inputRows)
	}
	if v := one("streamsql_numRecordsIn", map[string]string{"operator_name": "Sink: results"}); v != float64(outputRows) {
		t.Errorf("sink numRecordsIn = %v, want %d", v, outputRows)
	}
	if v := one("streamsql_numRecordsOut", map[string]string{"operator_name": "Sink: results"}); v != float64(outputRows) {
		t.Errorf("sink numRecordsOut = %v, want %d", v, outputRows)
	}
	// The window aggregate received every row (late ones included) and
	// emitted the two results.
	if v := one("streamsql_numRecordsIn", map[string]string{"operator_name": "WindowAggregate"}); v != float64(inputRows) {
		t.Errorf("WindowAggregate numRecordsIn = %v, want %d", v, inputRows)
	}
	if v := one("streamsql_numRecordsOut", map[string]string{"operator_name": "WindowAggregate"}); v != 2 {
		t.Errorf("WindowAggregate numRecordsOut = %v, want 2", v)
	}
	if v := one("streamsql_numRecordsSkipped", map[string]string{"operator_name": "Source: ad_events"}); v != 0 {
		t.Errorf("numRecordsSkipped = %v, want 0", v)
	}
	if v := one("streamsql_openWindows", map[string]string{"operator_name": "WindowAggregate"}); v != 0 {
		t.Errorf("openWindows after the end = %v, want 0", v)
	}
	// Bounded input: the watermark reached +infinity everywhere.
	if v := one("streamsql_currentInputWatermark", map[string]string{"operator_name": "Sink: results"}); v != 9223372036854775807 {
		t.Errorf("sink watermark = %v, want Long.MAX_VALUE", v)
	}
	// The split ended: no lag is reported for it.
	if got := find(samples, "streamsql_watermarkLag", nil); len(got) != 0 {
		t.Errorf("watermarkLag for an ended split: %v", got)
	}
	if v := one("streamsql_numberOfCompletedCheckpoints", job1); v != 1 {
		t.Errorf("numberOfCompletedCheckpoints = %v, want 1", v)
	}
	if v := one("streamsql_lastCheckpointDuration", job1); v != 1500 {
		t.Errorf("lastCheckpointDuration = %v ms, want 1500", v)
	}
	if v := one("streamsql_lastCheckpointSize", job1); v != 2048 {
		t.Errorf("lastCheckpointSize = %v, want 2048", v)
	}
	// Standard Go metrics come along.
	if len(find(samples, "go_goroutines", nil)) != 1 {
		t.Error("go_goroutines missing")
	}
}

func TestListenAddr(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{in: "9249", want: "127.0.0.1:9249"},
		{in: ":9249", want: "127.0.0.1:9249"},
		{in: "0.0.0.0:9249", want: "0.0.0.0:9249"},
		{in: "localhost:80", want: "localhost:80"},
		{in: "[::1]:9249", want: "[::1]:9249"},
		{in: "", err: "empty address"},
		{in: "abc", err: "not a number"},
		{in: "99999", err: "not a number from 0 to 65535"},
		{in: "a:b:c", err: "too many colons"},
	}
	for _, c := range cases {
		got, err := ListenAddr(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ListenAddr(%q) = %q, %v; want error containing %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ListenAddr(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestServeBusyPort(t *testing.T) {
	a, err := Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := Serve(a.Addr()); err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("second server on %s: %v, want an error naming --metrics-addr", a.Addr(), err)
	}
}

// TestScrapeSubtasks runs the query of TestScrapeAfterRun at parallelism
// 2 and checks the per-subtask metrics: the window aggregation's two
// subtasks, whose records add up to the operator's (every input row
// reaches exactly one of them), their watermarks, and backpressure,
// whose per-second rate needs a previous scrape.
func TestScrapeSubtasks(t *testing.T) {
	dir := t.TempDir()
	var in strings.Builder
	const n = 200
	for i := 0; i < n; i++ {
		// ten campaigns, one event every 100 ms of event time
		in.WriteString(`{"event_type":"view","event_time":` + strconv.Itoa(i*100) + `,"campaign_id":"c` + strconv.Itoa(i%10) + `"}` + "\n")
	}
	inPath := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(inPath, []byte(in.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `SET 'parallelism.default' = '2';
CREATE TABLE ad_events (
  event_type STRING, event_time BIGINT, campaign_id STRING,
  ts AS TO_TIMESTAMP_LTZ(event_time, 3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '` + inPath + `', 'format' = 'json');
CREATE TABLE results (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), campaign_id STRING, views BIGINT
) WITH ('connector' = 'blackhole');
INSERT INTO results
SELECT window_start, window_end, campaign_id, COUNT(*) AS views
FROM TABLE(TUMBLE(TABLE ad_events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, campaign_id;
`
	_, srv := runServed(t, "sub", src)
	scrape := func() []sample {
		t.Helper()
		resp, err := http.Get("http://" + srv.Addr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return parseExposition(t, resp.Body)
	}
	agg := map[string]string{"job": "sub", "operator_name": "WindowAggregate"}
	first := scrape()
	subs := find(first, "streamsql_subtaskNumRecordsIn", agg)
	if len(subs) != 2 {
		t.Fatalf("WindowAggregate subtaskNumRecordsIn: %d samples, want 2 (one per subtask): %v", len(subs), subs)
	}
	seen := map[string]bool{}
	var sum float64
	for _, s := range subs {
		seen[s.labels["subtask_index"]] = true
		sum += s.value
		if s.value == 0 {
			t.Errorf("subtask %s received no rows (ten keys over two subtasks)", s.labels["subtask_index"])
		}
	}
	if !seen["0"] || !seen["1"] {
		t.Errorf("subtask_index labels %v, want 0 and 1", seen)
	}
	if sum != n {
		t.Errorf("subtaskNumRecordsIn summed = %v, want %d (every row once)", sum, n)
	}
	if got := find(first, "streamsql_numRecordsIn", agg); len(got) != 1 || got[0].value != n {
		t.Errorf("operator numRecordsIn = %v, want %d", got, n)
	}
	var out float64
	for _, s := range find(first, "streamsql_subtaskNumRecordsOut", agg) {
		out += s.value
	}
	if out != 20 { // 2 windows of 10 s x 10 campaigns
		t.Errorf("subtaskNumRecordsOut summed = %v, want 20", out)
	}
	for _, s := range find(first, "streamsql_subtaskCurrentInputWatermark", agg) {
		if s.value != 9223372036854775807 {
			t.Errorf("subtask %s watermark = %v, want Long.MAX_VALUE after the end", s.labels["subtask_index"], s.value)
		}
	}
	if got := find(first, "streamsql_backPressuredTimeMsTotal", agg); len(got) != 2 {
		t.Errorf("backPressuredTimeMsTotal: %d samples, want 2", len(got))
	}
	if got := find(first, "streamsql_backPressuredTimeMsPerSecond", nil); len(got) != 0 {
		t.Errorf("backPressuredTimeMsPerSecond on the first scrape: %v", got)
	}
	second := scrape()
	got := find(second, "streamsql_backPressuredTimeMsPerSecond", agg)
	if len(got) != 2 {
		t.Fatalf("backPressuredTimeMsPerSecond on the second scrape: %d samples, want 2", len(got))
	}
	for _, s := range got {
		if s.value != 0 { // the job had ended: nothing waited between the scrapes
			t.Errorf("backPressuredTimeMsPerSecond = %v after the end, want 0", s.value)
		}
	}
	// the source runs as one subtask: no subtask metrics
	if got := find(second, "streamsql_subtaskNumRecordsIn", map[string]string{"operator_name": "Source: ad_events"}); len(got) != 0 {
		t.Errorf("source subtask samples: %v", got)
	}
}

// runServed builds the job named name from src, serves its metrics and
// runs it to its end; the server closes with the test.
func runServed(t *testing.T, name, src string) (*runtime.Job, *Server) {
	t.Helper()
	job, err := runtest.Build(name+".sql", src, runtime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Serve("127.0.0.1:0", NewCollector(job, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return job, srv
}
