package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This test checks the expected rows of the windowed golden cases against
// an independent, deliberately naive computation written from
// SEMANTICS.md: per-partition watermarks (max event time minus the delay)
// combined by minimum over the partitions of the input, a row judged
// against the watermark before it, each window a plain list of rows. It
// reads only the golden files, never the engine, so a wrong golden file
// fails here even if the engine agrees with it.

type refWindow struct{ start, end int64 }

type refCase struct {
	file   string
	table  string // output table name
	delay  int64  // watermark delay in ms
	assign func(t int64) []refWindow
	key    func(ev map[string]any) string
	keyed  bool // output has a key column after window_start/window_end
	row    func(w refWindow, key string, rows []refRow) string
	ignore bool // json.ignore-parse-errors
	// keys, when set, puts a row in several groups (one per grouping
	// set: reference_grouping_test.go) instead of key's one
	keys func(ev map[string]any) []string
	// eventTime, when set, reads a row's event time (default: the
	// event_time field, epoch milliseconds)
	eventTime func(ev map[string]any) (int64, bool)
}

type refRow struct {
	ev      map[string]any
	kafkaTS int64
}

func tumble(size, offset int64) func(int64) []refWindow {
	return func(t int64) []refWindow {
		start := t - mod(t-offset, size)
		return []refWindow{{start, start + size}}
	}
}

func hop(slide, size int64) func(int64) []refWindow {
	return func(t int64) []refWindow {
		var ws []refWindow
		// every window [s, s+size) with s a multiple of slide and s <= t < s+size
		for s := t - mod(t, slide); s > t-size; s -= slide {
			ws = append(ws, refWindow{s, s + size})
		}
		return ws
	}
}

func cumulate(step, size int64) func(int64) []refWindow {
	return func(t int64) []refWindow {
		start := t - mod(t, size)
		var ws []refWindow
		for end := start + step; end <= start+size; end += step {
			if t < end {
				ws = append(ws, refWindow{start, end})
			}
		}
		return ws
	}
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func tsText(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000")
}

// javaDouble prints a double as Java's Double.toString does for the
// values these cases produce (plain decimals, at least one fraction digit).
func javaDouble(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func countType(rows []refRow, typ string) int64 {
	var n int64
	for _, r := range rows {
		if r.ev["event_type"] == typ {
			n++
		}
	}
	return n
}

func ctrRow(w refWindow, key string, rows []refRow) string {
	views, clicks := countType(rows, "view"), countType(rows, "click")
	ctr := "null"
	if views != 0 {
		ctr = javaDouble(float64(clicks) / float64(views))
	}
	maxTS := int64(math.MinInt64)
	for _, r := range rows {
		maxTS = max(maxTS, r.kafkaTS)
	}
	return fmt.Sprintf("+I[%s, %s, %s, %d, %d, %s, %s]", tsText(w.start), tsText(w.end), key, views, clicks, ctr, tsText(maxTS))
}

func byCampaign(ev map[string]any) string { s, _ := ev["campaign_id"].(string); return s }

func ctrCase(file string) refCase {
	return refCase{file: file, table: "results", delay: 1000, assign: tumble(10000, 0), key: byCampaign, keyed: true, row: ctrRow}
}

func TestGoldenAgainstReference(t *testing.T) {
	cases := []refCase{
		ctrCase("ctr_in_order.test"),
		ctrCase("ctr_out_of_order.test"),
		ctrCase("ctr_late_rows.test"),
		ctrCase("ctr_clicks_no_views.test"),
		ctrCase("ctr_window_boundaries.test"),
		ctrCase("ctr_partitions.test"),
		ctrCase("ctr_legacy_group_window.test"),
		ctrCase("ctr_spark_style_join.test"),
		ctrCase("ctr_cte.test"),
		ctrCase("null_rowtime.test"),
		func() refCase { c := ctrCase("malformed_ignored.test"); c.ignore = true; return c }(),
		{file: "hop_count_distinct.test", table: "out_users", delay: 1000, assign: hop(5000, 10000), key: byCampaign, keyed: true,
			row: func(w refWindow, key string, rows []refRow) string {
				users := map[string]bool{}
				for _, r := range rows {
					if u, ok := r.ev["user_id"].(string); ok {
						users[u] = true
					}
				}
				return fmt.Sprintf("+I[%s, %s, %s, %d, %d]", tsText(w.start), tsText(w.end), key, len(users), len(rows))
			}},
		{file: "cumulate.test", table: "out_cum", delay: 1000, assign: cumulate(5000, 15000), key: byCampaign, keyed: true,
			row: func(w refWindow, key string, rows []refRow) string {
				return fmt.Sprintf("+I[%s, %s, %s, %d]", tsText(w.start), tsText(w.end), key, len(rows))
			}},
		{file: "tumble_offset.test", table: "out_off", delay: 1000, assign: tumble(10000, 2000), key: func(map[string]any) string { return "" },
			row: func(w refWindow, _ string, rows []refRow) string {
				return fmt.Sprintf("+I[%s, %s, %d]", tsText(w.start), tsText(w.end), len(rows))
			}},
		{file: "window_aggs_stats.test", table: "out_stats", delay: 1000, assign: hop(5000, 10000),
			key: func(ev map[string]any) string { return evStr(ev, "k") }, keyed: true, row: statsRow},
		windowGroupingCase("out_sets", [][]string{{"supplier_id"}, {}}, []string{"supplier_id"}, false),
		windowGroupingCase("out_rollup", [][]string{{"supplier_id"}, {}}, []string{"supplier_id"}, false),
		windowGroupingCase("out_cube", [][]string{{"supplier_id", "item"}, {"supplier_id"}, {"item"}, {}}, []string{"item", "supplier_id"}, true),
		{file: "hop_late_one_window.test", table: "out_hop", delay: 1000, assign: hop(5000, 10000), key: func(map[string]any) string { return "" },
			row: func(w refWindow, _ string, rows []refRow) string {
				return fmt.Sprintf("+I[%s, %s, %d]", tsText(w.start), tsText(w.end), len(rows))
			}},
	}
	for _, rc := range cases {
		t.Run(rc.file, func(t *testing.T) {
			c, err := Parse(filepath.Join("..", "..", "testdata", "golden", rc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Inputs) != 1 {
				t.Fatalf("want one input section, got %d", len(c.Inputs))
			}
			want, late, skipped := reference(t, rc, c.Inputs[0])
			got := append([]string(nil), c.Outputs[rc.table]...)
			sort.Strings(got)
			if d := lineDiff(want, got); d != "" {
				t.Errorf("golden output of %s disagrees with the reference computation (- reference, + golden file):\n%s", rc.file, d)
			}
			if c.Counters["late_records_dropped"] != late {
				t.Errorf("late_records_dropped: reference %d, golden file %d", late, c.Counters["late_records_dropped"])
			}
			if c.Counters["records_skipped"] != skipped {
				t.Errorf("records_skipped: reference %d, golden file %d", skipped, c.Counters["records_skipped"])
			}
		})
	}
}

// reference computes the expected rows (sorted) and counters.
func reference(t *testing.T, rc refCase, in *Input) (rows []string, late, skipped int64) {
	partWM := map[int]int64{}
	for _, r := range in.Records {
		partWM[r.Partition] = math.MinInt64
	}
	combined := func() int64 {
		m := int64(math.MaxInt64)
		for _, w := range partWM {
			m = min(m, w)
		}
		return m
	}
	type bucketKey struct {
		w   refWindow
		key string
	}
	buckets := map[bucketKey][]refRow{}
	for _, r := range in.Records {
		var ev map[string]any
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			if !rc.ignore {
				t.Fatalf("line %d: malformed record in a case the reference expects to run", r.Line)
			}
			skipped++
			continue
		}
		et, ok := ev["event_time"].(float64)
		ts := int64(et)
		if rc.eventTime != nil {
			ts, ok = rc.eventTime(ev)
		}
		if !ok {
			skipped++ // NULL (missing or unconvertible) event time: NULL rowtime
			continue
		}
		wm := combined()
		keys := []string{}
		if rc.keys != nil {
			keys = rc.keys(ev)
		} else {
			keys = append(keys, rc.key(ev))
		}
		for _, w := range rc.assign(ts) {
			for _, key := range keys {
				if w.end-1 <= wm {
					late++ // each grouping set's row is judged (Expand runs before the window)
					continue
				}
				k := bucketKey{w, key}
				buckets[k] = append(buckets[k], refRow{ev: ev, kafkaTS: r.Timestamp})
			}
		}
		if ts-rc.delay > partWM[r.Partition] {
			partWM[r.Partition] = ts - rc.delay
		}
	}
	for k, rs := range buckets {
		rows = append(rows, rc.row(k.w, k.key, rs))
	}
	sort.Strings(rows)
	return rows, late, skipped
}

// statsRow is window_aggs_stats.test's row, from the definitions: VAR_POP
// of INT as Flink's reduction computes it ((SUM(x*x) - SUM(x)*SUM(x)/n) / n
// in integer arithmetic), STDDEV_SAMP of DOUBLE as the square root of
// (SUM(x*x) - SUM(x)*SUM(x)/n) / (n - 1), NULL for fewer than two values;
// FIRST_VALUE and LAST_VALUE the first and last non-NULL s in arrival
// order; LISTAGG the non-NULL s joined by '-'; ARRAY_AGG every v, NULLs
// kept (printed NULL inside an array).
func statsRow(w refWindow, key string, rows []refRow) string {
	var n, s, q int64
	var dn float64
	var ds, dq float64
	var strs, arr []string
	for _, r := range rows {
		if v, ok := r.ev["v"].(float64); ok {
			x := int64(v)
			n, s, q = n+1, s+x, q+x*x
			arr = append(arr, fmt.Sprint(x))
		} else {
			arr = append(arr, "NULL")
		}
		if d, ok := r.ev["d"].(float64); ok {
			dn, ds, dq = dn+1, ds+d, dq+d*d
		}
		if str, ok := r.ev["s"].(string); ok {
			strs = append(strs, str)
		}
	}
	vp, sd, fv, lv, la := "null", "null", "null", "null", "null"
	if n > 0 {
		vp = fmt.Sprint((q - s*s/n) / n)
	}
	if dn > 1 {
		sd = javaDouble(math.Sqrt((dq - ds*ds/dn) / (dn - 1)))
	}
	if len(strs) > 0 {
		fv, lv, la = strs[0], strs[len(strs)-1], strings.Join(strs, "-")
	}
	return fmt.Sprintf("+I[%s, %s, %s, %s, %s, %s, %s, %s, [%s]]", tsText(w.start), tsText(w.end), key, vp, sd, fv, lv, la, strings.Join(arr, ", "))
}
