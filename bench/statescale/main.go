// Command statescale measures the window aggregation at growing state
// sizes: N distinct group keys in one 10-second TUMBLE window (COUNT(*),
// SUM, MAX per key, like the CTR query's aggregates), with and without
// SET 'state.backend.memory-limit'. For each N it runs a child process
// (so peak RSS is that run's own) which feeds the operator directly (no
// JSON decoding: this is the state's cost), takes one checkpoint into a
// Badger state directory while the window is open, fires the window and
// checks every count. It prints a table and writes
// bench/results/statescale.json.
//
//	go run ./bench/statescale                     # 1k, 100k, 1M, 10M keys, limit 1 gb
//	go run ./bench/statescale -keys 1000000 -limit '256 mb' -pattern uniform
//
// Patterns: "local" (default) gives each key its events within a span of
// about 20 000 events after its first (users active for a while, then
// gone: recently seen keys are hot); "uniform" draws every event's key
// uniformly from all N (no locality: once state exceeds the limit, most
// rows read their group back from disk, two point reads each).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/ops"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/streamsql/streamsql/state"
)

// Result is one run.
type Result struct {
	Keys           int64   `json:"keys"`
	Events         int64   `json:"events"`
	Pattern        string  `json:"pattern"`
	Limit          string  `json:"memory_limit"`
	EventsPerSec   float64 `json:"events_per_sec"`
	IngestSeconds  float64 `json:"ingest_seconds"`
	CheckpointSecs float64 `json:"checkpoint_seconds"`
	CheckpointMB   float64 `json:"checkpoint_entries_mib"`
	CheckpointDisk float64 `json:"checkpoint_disk_mib"`
	FireSeconds    float64 `json:"fire_seconds"`
	PeakRSSMB      float64 `json:"peak_rss_mib"`
	PeakAnonMB     float64 `json:"peak_anon_mib"` // anonymous memory (heap), without Badger's mapped files`
	GroupsSpilled  int64   `json:"groups_spilled"`
	GroupsReadBack int64   `json:"groups_read_back"`
	SpillWrittenMB float64 `json:"spill_written_mib"`
}

func main() {
	keysFlag := flag.String("keys", "1000,100000,1000000,10000000", "distinct keys per window (comma-separated)")
	limit := flag.String("limit", "1 gb", "state.backend.memory-limit ('' for none)")
	perKey := flag.Int("events-per-key", 3, "events per key")
	pattern := flag.String("pattern", "local", "key pattern: local or uniform")
	noCkpt := flag.Bool("no-checkpoint", false, "skip the checkpoint")
	one := flag.Int64("one", 0, "internal: run one size in this process")
	out := flag.String("out", "bench/results/statescale.json", "JSON results file ('' for none)")
	cpuProfile := flag.String("cpuprofile", "", "internal: write a CPU profile of a -one run")
	incr := flag.Bool("incremental", false, "measure incremental checkpoints of a group aggregation instead (-keys, -change, -rounds)")
	change := flag.Float64("change", 0.01, "with -incremental: fraction of the keys changed per checkpoint interval")
	rounds := flag.Int("rounds", 5, "with -incremental: incremental checkpoints to take")
	flag.Parse()
	if *incr {
		runIncrementalTable(*keysFlag, *change, *rounds, *out)
		return
	}
	if *one > 0 {
		if *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err == nil {
				pprof.StartCPUProfile(f)
				defer pprof.StopCPUProfile()
			}
		}
		r, err := runOne(*one, *perKey, *pattern, *limit, !*noCkpt)
		if err != nil {
			fmt.Fprintln(os.Stderr, "statescale:", err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	var results []Result
	fmt.Printf("%-10s %-8s %-8s %12s %10s %10s %10s %10s %10s %10s %12s %12s\n",
		"keys", "pattern", "limit", "events/s", "peak RSS", "peak anon", "ckpt s", "ckpt MiB", "disk MiB", "fire s", "spilled", "read back")
	for _, ks := range strings.Split(*keysFlag, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(ks), 10, 64)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "statescale: bad key count %q\n", ks)
			os.Exit(2)
		}
		args := []string{"-one", strconv.FormatInt(n, 10), "-limit", *limit, "-events-per-key", strconv.Itoa(*perKey), "-pattern", *pattern}
		if *noCkpt {
			args = append(args, "-no-checkpoint")
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Stderr = os.Stderr
		b, err := cmd.Output()
		if err != nil {
			fmt.Fprintf(os.Stderr, "statescale: %d keys: %v\n", n, err)
			os.Exit(1)
		}
		var r Result
		if err := json.Unmarshal(b, &r); err != nil {
			fmt.Fprintf(os.Stderr, "statescale: %d keys: bad child output %q\n", n, b)
			os.Exit(1)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.PeakRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
		}
		results = append(results, r)
		lim := r.Limit
		if lim == "" {
			lim = "none"
		}
		fmt.Printf("%-10d %-8s %-8s %12.0f %8.0f Mi %8.0f Mi %10.2f %10.1f %10.1f %10.2f %12d %12d\n",
			r.Keys, r.Pattern, lim, r.EventsPerSec, r.PeakRSSMB, r.PeakAnonMB, r.CheckpointSecs, r.CheckpointMB, r.CheckpointDisk, r.FireSeconds, r.GroupsSpilled, r.GroupsReadBack)
	}
	if *out != "" {
		os.MkdirAll(filepath.Dir(*out), 0o755)
		b, _ := json.MarshalIndent(results, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "statescale:", err)
		}
	}
}

var schema = planner.Schema{
	{Name: "k", Type: types.TString}, {Name: "ts", Type: types.TTimestamp3}, {Name: "v", Type: types.TBigInt},
}

type countOut struct {
	rows, count, sum int64
	bad              string
}

func (c *countOut) Emit(b *core.Batch) error {
	for _, r := range b.Rows {
		c.rows++
		c.count += r[1].I
		c.sum += r[2].I
	}
	return nil
}

func runOne(n int64, perKey int, pattern, limit string, ckpt bool) (res Result, err error) {
	res = Result{Keys: n, Events: n * int64(perKey), Pattern: pattern, Limit: limit}
	stop := make(chan struct{})
	peak := make(chan int64)
	go samplePeakAnon(stop, peak)
	defer func() {
		close(stop)
		res.PeakAnonMB = float64(<-peak) / (1 << 20)
	}()
	settings := map[string]string{}
	if limit != "" {
		settings["state.backend.memory-limit"] = limit
	}
	ctx := &core.Context{Metrics: core.NewMetrics(), Settings: settings}
	spec := &planner.WindowAggOp{
		Window:    planner.WindowSpec{Kind: sql.Tumble, Size: 10_000, TimeCol: 1},
		GroupKeys: []int{0},
		Aggs: []planner.AggCall{
			{Func: "COUNT", Arg: -1, Filter: -1, T: types.TBigInt},
			{Func: "SUM", Arg: 2, Filter: -1, T: types.TBigInt},
			{Func: "MAX", Arg: 2, Filter: -1, T: types.TBigInt},
		},
	}
	op, err := ops.NewWindowAgg(spec, schema, nil, ctx)
	if err != nil {
		return res, err
	}
	rng := rand.New(rand.NewSource(42))
	const batchSize = 1024
	const span = 20_000
	out := &countOut{}
	var sumV int64
	start := time.Now()
	for i := int64(0); i < res.Events; {
		m := min(batchSize, res.Events-i)
		b := core.NewBatch(int(m), len(schema))
		for j := range b.Rows {
			var k int64
			if pattern == "uniform" {
				k = rng.Int63n(n)
			} else if i%int64(perKey) == 0 {
				k = i / int64(perKey) // every key is seen
			} else {
				// key i/perKey, or one of the keys introduced in the last `span` events
				k = max(0, (i-rng.Int63n(span))/int64(perKey))
			}
			v := (i * 7) % 1000
			sumV += v
			b.Rows[j][0] = types.StringValue("user-" + strconv.FormatInt(k+100_000_000, 10))
			b.Rows[j][1] = types.TimestampValue(i % 10_000)
			b.Rows[j][2] = types.BigIntValue(v)
			i++
		}
		if err := op.ProcessBatch(0, b, out); err != nil {
			return res, err
		}
	}
	res.IngestSeconds = time.Since(start).Seconds()
	res.EventsPerSec = float64(res.Events) / res.IngestSeconds
	if ckpt {
		dir, err := os.MkdirTemp("", "statescale-ckpt-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(dir)
		st, err := state.Open(dir, state.Options{})
		if err != nil {
			return res, err
		}
		t0 := time.Now()
		w, err := st.NewCheckpoint(1)
		if err != nil {
			return res, err
		}
		if err := op.(core.Snapshotter).Snapshot(w.Operator("window-agg")); err != nil {
			w.Abort()
			return res, err
		}
		res.CheckpointMB = float64(w.Bytes()) / (1 << 20)
		if err := w.Commit(&state.Manifest{Job: "statescale"}); err != nil {
			return res, err
		}
		res.CheckpointSecs = time.Since(t0).Seconds()
		res.CheckpointDisk = float64(dirSize(dir)) / (1 << 20)
		st.Close()
	}
	if s, ok := ops.SpillStatsOf(op); ok {
		res.GroupsSpilled, res.GroupsReadBack = s.GroupsOut, s.GroupsIn
		res.SpillWrittenMB = float64(s.BytesWritten) / (1 << 20)
	}
	t0 := time.Now()
	if err := op.ProcessWatermark(core.MaxWatermark, out); err != nil {
		return res, err
	}
	if err := op.Finish(out); err != nil {
		return res, err
	}
	res.FireSeconds = time.Since(t0).Seconds()
	if out.count != res.Events || out.sum != sumV {
		return res, fmt.Errorf("wrong results: counts add up to %d (want %d), sums to %d (want %d)", out.count, res.Events, out.sum, sumV)
	}
	if pattern != "uniform" && out.rows != n {
		return res, fmt.Errorf("%d groups emitted, want %d", out.rows, n)
	}
	return res, nil
}

// dirSize is the disk space used under dir (allocated blocks: Badger
// preallocates its log files sparsely).
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			n += st.Blocks * 512
		} else {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// samplePeakAnon samples RssAnon in /proc/self/status every 50 ms (peak
// RSS also counts the pages of Badger's memory-mapped table files, which
// the kernel can drop at any time) and sends the largest when stopped.
func samplePeakAnon(stop <-chan struct{}, peak chan<- int64) {
	var top int64
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					top = max(top, kb<<10)
				}
			}
		}
		select {
		case <-stop:
			peak <- top
			return
		case <-t.C:
		}
	}
}
