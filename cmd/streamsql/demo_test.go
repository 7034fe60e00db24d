package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/streamsql/streamsql/runtime/gen"
)

func f64(f float64) *float64 { return &f }

// TestRenderTable checks the live table against a string written by hand.
func TestRenderTable(t *testing.T) {
	const base = 1704067200000 // 2024-01-01 00:00:00 UTC
	v := demoView{
		SQL: "queries/ctr.sql", Broker: "127.0.0.1:9092", Elapsed: 42500 * time.Millisecond,
		Generated: 85000, GenRate: 1999.6, Results: 30, Late: 1234, Malformed: 0,
		Rows: []resultRow{
			{WindowStart: base + 10000, WindowEnd: base + 20000, Campaign: "campaign-01", Views: 170, Clicks: 25, CTR: f64(25.0 / 170),
				MaxKafkaTS: base + 19950, Consumed: base + 21380, RecordTS: base + 21300},
			{WindowStart: base + 10000, WindowEnd: base + 20000, Campaign: "campaign-02", Views: 0, Clicks: 0, CTR: nil,
				MaxKafkaTS: base + 19000, Consumed: base + 20000, RecordTS: base + 19990},
		},
	}
	want := "" +
		"streamsql demo: queries/ctr.sql  broker 127.0.0.1:9092  elapsed 0:42.5  (Ctrl-C to stop)\n" +
		"events generated: 85,000 (2,000/s)  results received: 30  late rows dropped: 1,234  malformed rows skipped: 0\n" +
		"\n" +
		"window_start  window_end  campaign          views  clicks      CTR   latency       job\n" +
		"00:00:10      00:00:20    campaign-01         170      25   14.71%     1.43s     1.35s\n" +
		"00:00:10      00:00:20    campaign-02           0       0        -     1.00s     0.99s\n" +
		"\n" +
		"windows are 10 s tumbling windows, times in UTC; latency: when the result was read minus\n" +
		"max_kafka_ts (the window's newest Kafka timestamp); job: the result record's timestamp minus max_kafka_ts\n"
	if got := renderTable(v); got != want {
		t.Errorf("table differs\n got:\n%s\nwant:\n%s", got, want)
	}
	// A window that began before the generator is marked partial.
	v.Start = base + 15000
	v.Rows[1].Partial = true
	got := renderTable(v)
	if !strings.Contains(got, "00:00:10*     00:00:20    campaign-02") || !strings.Contains(got, "00:00:10      00:00:20    campaign-01") ||
		!strings.HasSuffix(got, "* partial: the window began before the generator started, so it holds fewer events\n") {
		t.Errorf("partial window not marked:\n%s", got)
	}
	// Fitted to a 60-column terminal: no line longer than 59, words whole.
	v.Width = 60
	for _, l := range strings.Split(renderTable(v), "\n") {
		if len([]rune(l)) > 59 {
			t.Errorf("line of %d columns on a 60-column terminal: %q", len([]rune(l)), l)
		}
	}
	v.Width = 0
	v.Rows = nil
	v.Elapsed = 2 * time.Second
	if got, want := renderTable(v), "waiting for the first window (00:00:10-00:00:20, partial: it began before the generator) to close once the watermark, 1 s behind the newest event, passes 00:00:20: in about 4 s...\n"; !strings.HasSuffix(got, want) {
		t.Errorf("empty table should say what it waits for:\n%s\nwant suffix %s", got, want)
	}
	if got, want := resultLine(v2row()), "window 00:00:10-00:00:20 campaign-01 views=170 clicks=25 ctr=14.71% latency=1.43s job=1.35s"; got != want {
		t.Errorf("resultLine = %q, want %q", got, want)
	}
}

func TestFitWidth(t *testing.T) {
	in := "streamsql demo: 85,000 events generated in 0:42.5 (2,000/s); results received: 30; job: records read: 85,000, rows written: 30"
	got := fitWidth(in, 40)
	want := "streamsql demo: 85,000 events generated\n  in 0:42.5 (2,000/s); results\n  received: 30; job: records read:\n  85,000, rows written: 30"
	if got != want {
		t.Errorf("fitWidth:\n%s\nwant:\n%s", got, want)
	}
	if fitWidth(in, 0) != in {
		t.Errorf("width 0 must leave the text alone")
	}
}

// On a terminal the demo draws on the alternate screen, every frame from
// the top-left corner over the last, never clearing by scrolling; it
// leaves the alternate screen and prints the final table once at the end.
func TestDemoRedrawsInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker")
	}
	var out syncBuf
	_, err := runDemo(context.Background(), demoOptions{
		Addr: "127.0.0.1:0", Partitions: 1, Rate: 200, EventRate: 2000, Start: gen.DefaultFileStart,
		Duration: 1500 * time.Millisecond, Campaigns: 2, Seed: 1, Out: &out, Err: io.Discard, TTY: true,
		Refresh: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.HasPrefix(s, enterAltScreen) {
		t.Fatalf("does not start on the alternate screen: %q", s[:min(len(s), 40)])
	}
	body, final, ok := strings.Cut(s[len(enterAltScreen):], leaveAltScreen)
	if !ok || strings.Contains(final, "\x1b[") || !strings.HasPrefix(final, "streamsql demo: ") {
		t.Fatalf("the final table should follow the alternate screen's end, plain: %q", final)
	}
	frames := strings.Split(body, "\x1b[H")
	if len(frames) < 5 || frames[0] != "" {
		t.Fatalf("want at least 4 frames, each starting at the top-left corner; got %d", len(frames)-1)
	}
	for _, f := range frames[1:] {
		if strings.Contains(f, "\x1b[2J") || !strings.HasSuffix(f, "\x1b[J") {
			t.Errorf("a frame should overwrite the last and clear what is left below it, not clear the screen: %q", f)
		}
		for _, l := range strings.SplitAfter(strings.TrimSuffix(f, "\x1b[J"), "\n") {
			if l != "" && !strings.HasSuffix(l, "\x1b[K\n") {
				t.Errorf("each line should clear the rest of the old one: %q", l)
			}
		}
	}
}

func v2row() resultRow {
	const base = 1704067200000
	return resultRow{WindowStart: base + 10000, WindowEnd: base + 20000, Campaign: "campaign-01", Views: 170, Clicks: 25, CTR: f64(25.0 / 170),
		MaxKafkaTS: base + 19950, Consumed: base + 21380, RecordTS: base + 21300}
}

func TestDecodeResult(t *testing.T) {
	r, err := decodeResult([]byte(`{"window_start":"2024-01-01 00:00:10","window_end":"2024-01-01 00:00:20.000","campaign_id":"campaign-03","views":9,"clicks":2,"ctr":0.2222222222222222,"max_kafka_ts":"2024-01-01 00:00:19.876Z"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.WindowStart != 1704067210000 || r.WindowEnd != 1704067220000 || r.MaxKafkaTS != 1704067219876 ||
		r.Campaign != "campaign-03" || r.Views != 9 || r.Clicks != 2 || r.CTR == nil || *r.CTR != 2.0/9 {
		t.Errorf("decoded %+v", r)
	}
	r, err = decodeResult([]byte(`{"window_start":"2024-01-01 00:00:10","window_end":"2024-01-01 00:00:20","campaign_id":"c","views":0,"clicks":0,"ctr":null,"max_kafka_ts":"2024-01-01 00:00:19Z"}`))
	if err != nil || r.CTR != nil {
		t.Errorf("null ctr: %+v %v", r, err)
	}
	for _, bad := range []string{`not json`, `{"window_start":"yesterday","window_end":"2024-01-01 00:00:20","max_kafka_ts":"2024-01-01 00:00:19Z"}`} {
		if _, err := decodeResult([]byte(bad)); err == nil {
			t.Errorf("decodeResult(%s) accepted it", bad)
		}
	}
}

// TestKafkaTopicsRewritesBootstrap checks that the demo points every
// Kafka table of queries/ctr.sql at its broker through the bound options.
func TestKafkaTopicsRewritesBootstrap(t *testing.T) {
	t.Chdir("../..")
	job, err := load("queries/ctr.sql")
	if err != nil {
		t.Fatal(err)
	}
	events, results, err := kafkaTopics(job, "127.0.0.1:1234")
	if err != nil {
		t.Fatal(err)
	}
	if events != "ad-events-2" || results != "results" {
		t.Errorf("topics %q %q, want ad-events-2 results", events, results)
	}
	if !strings.Contains(job.Explain(), "127.0.0.1:1234") {
		t.Errorf("EXPLAIN does not show the rewritten bootstrap servers:\n%s", job.Explain())
	}
	if strings.Contains(job.Explain(), "127.0.0.1:9092") {
		t.Errorf("EXPLAIN still shows the original bootstrap servers:\n%s", job.Explain())
	}
}

// TestDemoEndToEnd runs the demo wiring (broker, generator, the real
// queries/ctr.sql, results consumer) on a free port with event time sped
// up tenfold (a 10 s window passes in 1 s), then recounts views and
// clicks per window and campaign from the generator's events,
// independently of the engine, and compares every result row.
func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker and runs the pipeline for several seconds")
	}
	t.Chdir(t.TempDir()) // the built-in query: any working directory will do
	// Occupy a port so that the demo must fall back to a free one and
	// rewrite the query's bootstrap servers.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var mu sync.Mutex
	var rows []resultRow
	var out, errOut strings.Builder
	const start = gen.DefaultFileStart + 4321 // mid-window: the first window is partial
	rep, err := runDemo(context.Background(), demoOptions{
		Addr: busy.Addr().String(), Partitions: 4,
		Rate: 4000, EventRate: 400, Start: start, Duration: 4 * time.Second,
		Campaigns: 10, OutOfOrderMs: 300, LateFraction: 0, Seed: 77,
		Out: &out, Err: &errOut, TTY: false,
		OnResult: func(r resultRow) { mu.Lock(); rows = append(rows, r); mu.Unlock() },
	})
	if err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "is taken") || rep.Broker == busy.Addr().String() {
		t.Errorf("expected a fallback from the busy %s, broker %s; stderr: %s", busy.Addr(), rep.Broker, errOut.String())
	}
	if len(rows) == 0 {
		t.Fatalf("no result rows in 4 s (%d events generated)\nstdout:\n%s\nstderr:\n%s", rep.Generated.Sent, out.String(), errOut.String())
	}
	if int64(len(rows)) != rep.Results || len(strings.Split(strings.TrimSpace(out.String()), "\n")) != len(rows)+1 {
		t.Errorf("%d rows seen, report says %d; stdout has one line per result plus a header:\n%s", len(rows), rep.Results, out.String())
	}
	// Independent recount: regenerate exactly the events the demo sent.
	type key struct {
		window   int64
		campaign string
	}
	type counts struct{ views, clicks int64 }
	want := map[key]counts{}
	g, err := gen.New(rep.Gen)
	if err != nil {
		t.Fatal(err)
	}
	var e gen.Event
	for range rep.Generated.Sent {
		g.Next(&e)
		k := key{e.EventTime - ((e.EventTime%10000)+10000)%10000, g.CampaignID(e.Campaign)}
		c := want[k]
		switch e.Type {
		case gen.View:
			c.views++
		case gen.Click:
			c.clicks++
		}
		want[k] = c
	}
	seen := map[key]bool{}
	for _, r := range rows {
		k := key{r.WindowStart, r.Campaign}
		if seen[k] {
			t.Errorf("window %d campaign %s reported twice", r.WindowStart, r.Campaign)
		}
		seen[k] = true
		// The generator starts at 00:00:04.321: only the first window is partial.
		if wantPartial := r.WindowStart < start; r.Partial != wantPartial {
			t.Errorf("window %s: partial %v, want %v", clock(r.WindowStart), r.Partial, wantPartial)
		}
		w := want[k]
		if r.WindowEnd != r.WindowStart+10000 || r.Views != w.views || r.Clicks != w.clicks {
			t.Errorf("window %s campaign %s: got views %d clicks %d (end %d), generator produced views %d clicks %d",
				clock(r.WindowStart), r.Campaign, r.Views, r.Clicks, r.WindowEnd, w.views, w.clicks)
		}
		if w.views > 0 && (r.CTR == nil || fmt.Sprintf("%.12f", *r.CTR) != fmt.Sprintf("%.12f", float64(w.clicks)/float64(w.views))) {
			t.Errorf("window %s campaign %s: ctr %s, want %d/%d", clock(r.WindowStart), r.Campaign, pct(r.CTR), w.clicks, w.views)
		}
		if r.MaxKafkaTS <= 0 || r.Consumed < r.MaxKafkaTS {
			t.Errorf("latency fields: %+v", r)
		}
	}
	// 4 s at 10 event-time seconds per second: at least two full windows
	// of all ten campaigns must have closed.
	if len(rows) < 20 {
		t.Errorf("only %d result rows", len(rows))
	}
	if !strings.Contains(out.String(), "(partial: the window began before the generator started)") || rep.Partial == 0 {
		t.Errorf("no result line is marked partial:\n%s", out.String())
	}
	if rep.First <= 0 || !strings.Contains(rep.String(), fmt.Sprintf("the first after %.1f s", rep.First.Seconds())) {
		t.Errorf("the report does not say when the first result came: %s", rep)
	}
	if rep.Summary.LateRecordsDropped != 0 || rep.Summary.RecordsSkipped != 0 {
		t.Errorf("summary %v: nothing should be late or malformed", rep.Summary)
	}
}

// On a real (pseudo-)terminal 60 columns wide, the demo uses the
// alternate screen and every line it prints, its summary included, fits.
func TestDemoOnANarrowTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker")
	}
	master, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer master.Close()
	pty.Setsize(master, &pty.Winsize{Rows: 30, Cols: 60})
	var screen syncBuf
	copied := make(chan struct{})
	go func() { io.Copy(&screen, master); close(copied) }()
	app := newApp()
	app.Writer, app.ErrWriter = tty, tty
	if err := app.Run([]string{"streamsql", "demo", "--addr", "127.0.0.1:0", "--duration", "1500ms", "--rate", "500"}); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	<-copied
	s := screen.String()
	if !strings.Contains(s, enterAltScreen) || !strings.Contains(s, leaveAltScreen) {
		t.Errorf("the demo did not use the alternate screen")
	}
	_, final, _ := strings.Cut(s, leaveAltScreen)
	if !strings.Contains(final, "streamsql demo: ") || !strings.Contains(final, "events generated in") {
		t.Errorf("no final table and summary after the alternate screen:\n%s", final)
	}
	for _, l := range strings.Split(strings.ReplaceAll(final, "\r", ""), "\n") {
		if n := len([]rune(l)); n > 59 {
			t.Errorf("a line of %d columns on a 60-column terminal: %q", n, l)
		}
	}
}
