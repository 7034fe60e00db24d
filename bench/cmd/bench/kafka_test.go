package main

import (
	"strings"
	"testing"
)

func TestPercentileNearestRank(t *testing.T) {
	v := []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	for _, c := range []struct {
		q    float64
		want float64
	}{
		{0.5, 50},   // ceil(5) = 5th value
		{0.99, 100}, // ceil(9.9) = 10th
		{0.1, 10},
		{0.11, 20}, // ceil(1.1) = 2nd
		{0, 10},
	} {
		if got := percentile(v, c.q); got != c.want {
			t.Errorf("percentile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := percentile([]float64{7}, 0.99); got != 7 {
		t.Errorf("one value: got %v", got)
	}
}

// Three 10 s windows; the first (partial) one is reported apart, the
// percentiles come from the other two; a gap is a missing window.
func TestJudgeLive(t *testing.T) {
	const w0 = 1_700_000_000_000 // a window end, epoch ms
	res := func(we int64, camp string, lat int64) liveResult {
		return liveResult{windowEnd: we, campaign: camp, recordTS: we + watermarkDelay + lat, consumed: we + watermarkDelay + lat + 5}
	}
	lv := &KafkaLive{Rate: 1000, AchievedRate: 1000, DurationSeconds: 40, Sent: 40_000, EngineRead: 40_000, MaxLagSeconds: 1}
	rs := []liveResult{
		res(w0, "a", 3000),
		res(w0+10_000, "a", 100), res(w0+10_000, "b", 120),
		res(w0+20_000, "a", 90), res(w0+20_000, "b", 400),
		res(w0+30_000, "a", 80), res(w0+30_000, "b", 95),
	}
	judgeLive(lv, rs)
	if lv.FirstWindowMs != 3000 {
		t.Errorf("first window latency %v, want 3000", lv.FirstWindowMs)
	}
	// the other six latencies sorted: 80 90 95 100 120 400
	if lv.LatencyP50 != 95 || lv.LatencyP99 != 400 || lv.LatencyMax != 400 {
		t.Errorf("p50/p99/max = %v/%v/%v, want 95/400/400", lv.LatencyP50, lv.LatencyP99, lv.LatencyMax)
	}
	if lv.ConsumeP99 != 405 {
		t.Errorf("consume p99 %v, want 405", lv.ConsumeP99)
	}
	if lv.Windows != 4 || lv.MissingWindows != 0 || !lv.KeptUp {
		t.Errorf("windows %d missing %d kept up %v (%s), want 4, 0, true", lv.Windows, lv.MissingWindows, lv.KeptUp, lv.Why)
	}

	gap := &KafkaLive{Rate: 1000, AchievedRate: 900, DurationSeconds: 40, Sent: 36_000, EngineRead: 36_000, MaxLagSeconds: 3.5}
	judgeLive(gap, []liveResult{res(w0, "a", 10), res(w0+10_000, "a", 10), res(w0+30_000, "a", 10)})
	if gap.MissingWindows != 1 || gap.KeptUp {
		t.Fatalf("missing %d kept up %v, want 1 and false", gap.MissingWindows, gap.KeptUp)
	}
	for _, want := range []string{"generator reached 900 of 1,000", "lag reached 3.5 s", "1 missing"} {
		if !strings.Contains(gap.Why, want) {
			t.Errorf("reason %q lacks %q", gap.Why, want)
		}
	}
	none := &KafkaLive{Rate: 1000}
	judgeLive(none, nil)
	if none.KeptUp || none.Why != "no results arrived" {
		t.Errorf("no results: kept up %v, %q", none.KeptUp, none.Why)
	}
}
