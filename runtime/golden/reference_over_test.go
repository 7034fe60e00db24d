package golden

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// This test checks the golden cases of OVER aggregations against a naive
// reference written from Flink's OVER functions (FLINK-FACTS §8,
// RowTime{Rows,Range}{Bounded,Unbounded}PrecedingFunction), declaratively
// rather than with timers:
//
//   - the watermark before row i is the largest rowtime before it minus
//     the case's delay (the golden runner moves it after every row);
//   - with an unbounded frame a row is late when its rowtime is not after
//     that watermark; with a bounded frame when it is not after the
//     largest rowtime of an earlier kept row of its key that the
//     watermark had passed (0 before any), that is the last timer its key
//     fired. The cases are chosen so that no RANGE cleanup timer fires
//     before their last row (runtime/ops/over_test.go covers those);
//   - the kept rows of a key, sorted by rowtime (arrival order within one
//     rowtime), give each row its frame: ROWS n: itself and the n rows
//     before it; RANGE interval: the rows whose rowtime is within
//     [ts - interval, ts]; unbounded: every row before it (RANGE: and
//     every row of its rowtime).
//
// The golden output is compared as a multiset, and every key's rows must
// come in rowtime order. It reads only the golden files; parallel_test.go
// runs the same files at parallelism 2 and 4 and restore_test.go with
// crashes and rescaling.

type overRefCase struct {
	file, table string
	key         string // partition field
	ts          func(ev map[string]any) (int64, bool)
	delay       int64
	rows        bool
	unbounded   bool
	preceding   int64 // rows, or ms
	// format is a kept row's output (print's text inside the brackets)
	// from the row and its frame.
	format func(ev map[string]any, frame []map[string]any) string
}

func overRefCases() []overRefCase {
	tsField := func(ev map[string]any) (int64, bool) {
		x, ok := ev["t"].(float64)
		return int64(x), ok
	}
	orderTime := func(ev map[string]any) (int64, bool) {
		s, ok := ev["order_time"].(string)
		if !ok {
			return 0, false
		}
		t, err := time.Parse("2006-01-02 15:04:05", s)
		if err != nil {
			return 0, false
		}
		return t.UnixMilli(), true
	}
	num := func(ev map[string]any, f string) string {
		if x, ok := ev[f].(float64); ok {
			return fmt.Sprint(int64(x))
		}
		return "null"
	}
	kvt := func(ev map[string]any) string {
		return evStr(ev, "k") + ", " + num(ev, "t") + ", " + num(ev, "v")
	}
	countSum := func(ev map[string]any, frame []map[string]any) string {
		vs := evInts(frame, "v", nil)
		return fmt.Sprintf("%s, %d, %s", kvt(ev), len(vs), nullOr(vs, sum))
	}
	return []overRefCase{
		{file: "over_rows.test", table: "out_rows", key: "k", ts: tsField, delay: 2000, rows: true, preceding: 2,
			format: func(ev map[string]any, frame []map[string]any) string {
				vs := evInts(frame, "v", nil)
				return fmt.Sprintf("%s, %d, %s, %s, %s", kvt(ev), len(frame), nullOr(vs, sum), nullOr(vs, slices.Min), nullOr(vs, slices.Max))
			}},
		{file: "over_range_docs.test", table: "out_range", key: "product", ts: orderTime, delay: 60000, preceding: 3600000,
			format: func(ev map[string]any, frame []map[string]any) string {
				t, _ := orderTime(ev)
				return fmt.Sprintf("%s, %s, %s, %s", num(ev, "order_id"), time.UnixMilli(t).UTC().Format("2006-01-02 15:04:05.000"),
					num(ev, "amount"), nullOr(evInts(frame, "amount", nil), sum))
			}},
		{file: "over_unbounded.test", table: "out_urange", key: "k", ts: tsField, delay: 1000, unbounded: true, format: countSum},
		{file: "over_unbounded.test", table: "out_urows", key: "k", ts: tsField, delay: 1000, unbounded: true, rows: true, format: countSum},
	}
}

type overRefRow struct {
	ev  map[string]any
	ts  int64
	seq int
}

// overReference computes the expected rows per key, in order.
func overReference(t *testing.T, rc overRefCase, in *Input) map[string][]string {
	wm := int64(math.MinInt64)
	maxTs := int64(math.MinInt64)
	kept := map[string][]overRefRow{}
	for i, r := range in.Records {
		var ev map[string]any
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatalf("line %d: %v", r.Line, err)
		}
		ts, ok := rc.ts(ev)
		if !ok {
			continue // NULL rowtime: skipped
		}
		k := evStr(ev, rc.key)
		var last int64
		if rc.unbounded {
			last = wm
		} else {
			for _, x := range kept[k] {
				if x.ts <= wm && x.ts > last {
					last = x.ts
				}
			}
		}
		if ts > last {
			kept[k] = append(kept[k], overRefRow{ev: ev, ts: ts, seq: i})
		}
		maxTs = max(maxTs, ts)
		wm = maxTs - rc.delay
	}
	out := map[string][]string{}
	for k, rows := range kept {
		sort.SliceStable(rows, func(a, b int) bool { return rows[a].ts < rows[b].ts })
		for i, r := range rows {
			var frame []map[string]any
			for j, x := range rows {
				var in bool
				switch {
				case rc.rows && rc.unbounded:
					in = j <= i
				case rc.rows:
					in = j <= i && j >= i-int(rc.preceding)
				case rc.unbounded:
					in = x.ts <= r.ts
				default:
					in = x.ts <= r.ts && x.ts >= r.ts-rc.preceding
				}
				if in {
					frame = append(frame, x.ev)
				}
			}
			out[k] = append(out[k], "+I["+rc.format(r.ev, frame)+"]")
		}
	}
	return out
}

func TestOverAgainstReference(t *testing.T) {
	for _, rc := range overRefCases() {
		t.Run(rc.file+"/"+rc.table, func(t *testing.T) {
			c, err := Parse(filepath.Join("..", "..", "testdata", "golden", rc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Inputs) != 1 {
				t.Fatalf("want one input section, got %d", len(c.Inputs))
			}
			want := overReference(t, rc, c.Inputs[0])
			golden := c.Outputs[rc.table]
			if len(golden) == 0 {
				t.Fatalf("golden file has no output for %s", rc.table)
			}
			// every key's rows in the golden file, in their order
			keyCol := 0
			if rc.table == "out_range" {
				keyCol = -1 // rows carry no product: compare all rows at once
			}
			got := map[string][]string{}
			for _, row := range golden {
				k := ""
				if keyCol >= 0 {
					k = strings.SplitN(row[strings.Index(row, "[")+1:], ", ", 2)[0]
				}
				got[k] = append(got[k], row)
			}
			if keyCol < 0 {
				var all []string
				for _, rows := range want {
					all = append(all, rows...)
				}
				sort.Strings(all)
				want = map[string][]string{"": all}
				sorted := slices.Clone(got[""])
				sort.Strings(sorted)
				got[""] = sorted
			}
			for k, rows := range want {
				if d := lineDiff(rows, got[k]); d != "" {
					t.Errorf("key %q: golden output disagrees with the reference (- reference, + golden file):\n%s", k, d)
				}
			}
			if len(got) != len(want) {
				t.Errorf("golden output has %d keys, the reference %d", len(got), len(want))
			}
		})
	}
}
