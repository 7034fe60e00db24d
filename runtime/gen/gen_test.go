package gen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

type line struct {
	UserID     string `json:"user_id"`
	PageID     string `json:"page_id"`
	AdID       string `json:"ad_id"`
	AdType     string `json:"ad_type"`
	EventType  string `json:"event_type"`
	EventTime  int64  `json:"event_time"`
	CampaignID string `json:"campaign_id"`
	IPAddress  string `json:"ip_address"`
}

func mustNew(t testing.TB, c Config) *Generator {
	t.Helper()
	g, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSameSeedSameBytes(t *testing.T) {
	cfg := Config{Seed: 42, Start: DefaultFileStart, OutOfOrderMs: 500, LateFraction: 0.02}
	a := mustNew(t, cfg).AppendLines(nil, 5000)
	b := mustNew(t, cfg).AppendLines(nil, 5000)
	if !bytes.Equal(a, b) {
		t.Fatal("same config gave different bytes")
	}
	cfg.Seed = 43
	c := mustNew(t, cfg).AppendLines(nil, 5000)
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same bytes")
	}
	g := mustNew(t, Config{Seed: 42, Start: DefaultFileStart, OutOfOrderMs: 500, LateFraction: 0.02})
	g.AppendLines(nil, 100)
	g.Reset()
	if d := g.AppendLines(nil, 5000); !bytes.Equal(a, d) {
		t.Fatal("Reset did not rewind the stream")
	}
	// Batch boundaries do not change the stream.
	g.Reset()
	var parts []byte
	for _, n := range []int{1, 7, 992, 4000} {
		parts = g.AppendLines(parts, n)
	}
	if !bytes.Equal(a, parts) {
		t.Fatal("stream depends on how it is split into batches")
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
var ipRE = regexp.MustCompile(`^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$`)

// TestJSONShape parses lines with encoding/json (independent of the
// hand-written encoder) and checks each field against the Event.
func TestJSONShape(t *testing.T) {
	const n = 20_000
	g := mustNew(t, Config{Seed: 7, Start: DefaultFileStart, Campaigns: 10})
	ref := mustNew(t, Config{Seed: 7, Start: DefaultFileStart, Campaigns: 10})
	out := g.AppendLines(nil, n)
	adCampaign := map[string]string{}
	var e Event
	for i, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		ref.Next(&e)
		var ev line
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
		if !uuidRE.MatchString(ev.UserID) || !uuidRE.MatchString(ev.PageID) || !uuidRE.MatchString(ev.AdID) {
			t.Fatalf("line %d: ids are not UUIDs: %s", i+1, l)
		}
		if m := ipRE.FindStringSubmatch(ev.IPAddress); m == nil || m[1] == "0" {
			t.Fatalf("line %d: bad ip %q", i+1, ev.IPAddress)
		}
		// 1 event per ms by default, no delay configured.
		if want := DefaultFileStart + int64(i); ev.EventTime != want || e.EventTime != want {
			t.Fatalf("line %d: event_time %d (event %d), want %d", i+1, ev.EventTime, e.EventTime, want)
		}
		if ev.EventType != e.Type.String() || ev.CampaignID != g.CampaignID(e.Campaign) || ev.AdID != g.AdID(e.Campaign, e.Ad) ||
			ev.AdType != AdTypes[e.Ad%len(AdTypes)] {
			t.Fatalf("line %d %s does not match event %+v", i+1, l, e)
		}
		if prev, ok := adCampaign[ev.AdID]; ok && prev != ev.CampaignID {
			t.Fatalf("ad %s in campaigns %s and %s", ev.AdID, prev, ev.CampaignID)
		}
		adCampaign[ev.AdID] = ev.CampaignID
	}
	if len(adCampaign) != 10*AdsPerCampaign {
		t.Errorf("%d distinct ads, want %d", len(adCampaign), 10*AdsPerCampaign)
	}
}

// TestMix checks the event-type mix and the spread over campaigns.
func TestMix(t *testing.T) {
	const n = 200_000
	g := mustNew(t, Config{Seed: 11, Campaigns: 10})
	var e Event
	var types [3]int
	campaigns := map[string]int{}
	for range n {
		g.Next(&e)
		types[e.Type]++
		campaigns[g.CampaignID(e.Campaign)]++
	}
	if len(campaigns) != 10 || campaigns["campaign-01"] == 0 || campaigns["campaign-10"] == 0 {
		t.Fatalf("campaigns: %v", campaigns)
	}
	for c, k := range campaigns {
		if math.Abs(float64(k)/n-0.1) > 0.01 {
			t.Errorf("campaign %s has %d of %d events", c, k, n)
		}
	}
	for typ, want := range map[EventType]float64{View: 0.85, Click: 0.12, Purchase: 0.03} {
		if got := float64(types[typ]) / n; math.Abs(got-want) > 0.005 {
			t.Errorf("%s fraction %.4f, want %.2f", typ, got, want)
		}
	}
}

func TestDelays(t *testing.T) {
	const n = 100_000
	g := mustNew(t, Config{Seed: 1, Start: 1_000_000, EventRate: 2000, OutOfOrderMs: 300, LateFraction: 0.05})
	var e Event
	late := 0
	for i := range n {
		g.Next(&e)
		if want := int64(1_000_000) + int64(i)/2; e.Nominal != want {
			t.Fatalf("event %d nominal %d, want %d", i, e.Nominal, want)
		}
		d := e.Nominal - e.EventTime
		if e.Late {
			late++
			if d < 2000 || d > 5000 {
				t.Fatalf("late event %d delayed %d ms", i, d)
			}
		} else if d < 0 || d > 300 {
			t.Fatalf("event %d delayed %d ms", i, d)
		}
	}
	if f := float64(late) / n; math.Abs(f-0.05) > 0.005 {
		t.Errorf("late fraction %.4f, want 0.05", f)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{Campaigns: -1},
		{EventRate: -5},
		{EventRate: math.Inf(1)},
		{OutOfOrderMs: -1},
		{LateFraction: 1.5},
		{LateFraction: math.NaN()},
		{LateMinMs: 5000, LateMaxMs: 100},
		{ViewPct: 90, ClickPct: 20},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted a bad config", c)
		}
	}
}

// fakeClock advances only when Drive sleeps.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }
func (f *fakeClock) sleep(_ context.Context, d time.Duration) {
	f.t = f.t.Add(d)
}

func TestDrivePacing(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	g := mustNew(t, Config{Seed: 3})
	var batches []int
	var seqs []int64
	st, err := Drive(context.Background(), g, Pace{Rate: 1000, Count: 100, Now: clk.now, Sleep: clk.sleep}, func(evs []Event) error {
		batches = append(batches, len(evs))
		for _, e := range evs {
			seqs = append(seqs, e.Seq)
		}
		// Event k is due at k ms: nothing may be sent before its time.
		if last := evs[len(evs)-1].Seq; clk.t.Sub(time.Unix(0, 0)) < time.Duration(last)*time.Millisecond {
			t.Fatalf("event %d sent at %v, before its time", last, clk.t.Sub(time.Unix(0, 0)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 100 || len(seqs) != 100 {
		t.Fatalf("sent %d (%d seen), want 100", st.Sent, len(seqs))
	}
	for i, s := range seqs {
		if s != int64(i) {
			t.Fatalf("event %d has seq %d", i, s)
		}
	}
	// 2 ms minimum sleep: event 0 alone, then pairs.
	if batches[0] != 1 || batches[1] != 2 {
		t.Errorf("batches start %v, want [1 2 ...]", batches[:3])
	}
	// The last event (99) is due at 99 ms; with 2 ms steps it goes at 100 ms.
	if st.Elapsed != 100*time.Millisecond {
		t.Errorf("elapsed %v, want 100ms", st.Elapsed)
	}
}

func TestDriveCatchesUp(t *testing.T) {
	// A sink that takes 50 ms per batch: Drive sends bigger batches and
	// keeps the average rate.
	clk := &fakeClock{t: time.Unix(0, 0)}
	g := mustNew(t, Config{Seed: 3})
	var batches []int
	st, err := Drive(context.Background(), g, Pace{Rate: 1000, Duration: time.Second, Now: clk.now, Sleep: clk.sleep}, func(evs []Event) error {
		batches = append(batches, len(evs))
		clk.t = clk.t.Add(50 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 1000 {
		t.Fatalf("sent %d, want rate × duration = 1000", st.Sent)
	}
	if batches[1] != 50 {
		t.Errorf("second batch %d, want the 50 events due after a 50 ms send", batches[1])
	}
	if st.Elapsed > 1100*time.Millisecond {
		t.Errorf("elapsed %v: fell behind", st.Elapsed)
	}
}

func TestDriveUnpacedAndStops(t *testing.T) {
	g := mustNew(t, Config{Seed: 3})
	var batches []int
	st, err := Drive(context.Background(), g, Pace{Count: 10000, MaxBatch: 4096}, func(evs []Event) error {
		batches = append(batches, len(evs))
		return nil
	})
	if err != nil || st.Sent != 10000 || len(batches) != 3 || batches[2] != 10000-2*4096 {
		t.Fatalf("st %+v err %v batches %v", st, err, batches)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	st, err = Drive(ctx, g, Pace{}, func(evs []Event) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if err != nil || st.Sent != 3*4096 {
		t.Fatalf("cancel: st %+v err %v", st, err)
	}
	boom := errors.New("boom")
	_, err = Drive(context.Background(), g, Pace{Count: 5}, func([]Event) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
}

func TestDriveProgress(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	g := mustNew(t, Config{Seed: 3})
	var seen []Progress
	_, err := Drive(context.Background(), g, Pace{Rate: 100, Count: 100, Now: clk.now, Sleep: clk.sleep,
		Progress: func(p Progress) { seen = append(seen, p) }}, func([]Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	// 100 events at 100/s take about 1 s: progress every 250 ms.
	if len(seen) < 3 || len(seen) > 4 {
		t.Fatalf("%d progress calls: %+v", len(seen), seen)
	}
	p := seen[0]
	if p.Total != 100 || p.Elapsed < 250*time.Millisecond || math.Abs(p.Rate()-100) > 10 {
		t.Errorf("first progress %+v rate %.1f", p, p.Rate())
	}
}

func BenchmarkGenerate(b *testing.B) {
	g := mustNew(b, Config{Seed: 1, Start: DefaultFileStart, OutOfOrderMs: 500, LateFraction: 0.02})
	buf := make([]byte, 0, 1<<20)
	const per = 4096
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		buf = g.AppendLines(buf[:0], per)
		n += per
	}
	b.SetBytes(int64(len(buf))) // bytes per op (one batch)
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
