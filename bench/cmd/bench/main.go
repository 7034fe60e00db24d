// Command bench is the driver of `make bench`: it makes the recorded
// stream if it is missing (10 million ad events from runtime/gen with a
// fixed seed, JSON lines under bench/data/, never committed), runs the
// engine (streamsql run bench/ctr_bench.sql, results into blackhole) and
// the hand-written baseline (bench/baseline) on it, at GOMAXPROCS=1 and
// at all cores, measures each run from outside (wall time, user+system
// CPU and peak RSS from the child's rusage), checks that engine and
// baseline agree on rows written and late rows dropped, prints a table
// and writes it as JSON under bench/results/. It then measures the same
// query reading a topic preloaded into the development broker, and with
// -kafka-live only the live Kafka runs (kafka.go).
//
//	go run ./bench/cmd/bench [-events N] [-runs R] [-engine ./streamsql] [-baseline bin/baseline] [-kafka-events N]
//	go run ./bench/cmd/bench -kafka-live [-kafka-rates 50000,100000] [-kafka-duration 60s]
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/streamsql/streamsql/runtime/gen"
)

// The stream: 10 000 events per second of event time (so 10 million
// events span 1000 s, 100 windows of 10 s, 10 campaigns), delays up to
// 1 s (out of order but not late), 1 % late by 2-5 s.
var genConfig = gen.Config{
	Seed: 42, Start: gen.DefaultFileStart, EventRate: 10_000,
	OutOfOrderMs: 1000, LateFraction: 0.01,
}

// Measurement is one run.
type Measurement struct {
	Name            string  `json:"name"`
	GOMAXPROCS      int     `json:"gomaxprocs"`
	Events          int64   `json:"events"`
	WallSeconds     float64 `json:"wall_seconds"`
	CPUSeconds      float64 `json:"cpu_seconds"`
	EventsPerSec    float64 `json:"events_per_second"`
	CPUPerMillion   float64 `json:"cpu_seconds_per_million_events"`
	PeakRSSMiB      float64 `json:"peak_rss_mib"`
	RowsWritten     int64   `json:"rows_written"`
	LateDropped     int64   `json:"late_rows_dropped"`
	RatioToBaseline float64 `json:"ratio_to_baseline,omitempty"`
}

// Report is what bench/results/*.json hold.
type Report struct {
	Time         string            `json:"time"`
	Machine      Machine           `json:"machine"`
	DataFile     string            `json:"data_file"`
	Events       int64             `json:"events"`
	BytesPerEvt  float64           `json:"bytes_per_event"`
	Runs         int               `json:"runs_per_measurement"`
	Measurements []Measurement     `json:"measurements"`
	NotMeasured  map[string]string `json:"not_measured"`
	Kafka        *KafkaReport      `json:"kafka,omitempty"`
}

// Machine describes where the figures come from.
type Machine struct {
	CPUs      int    `json:"nproc"`
	CPUModel  string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	MemTotal  string `json:"mem_total"`
}

func main() {
	events := flag.Int64("events", 10_000_000, "number of events in the recorded stream")
	data := flag.String("data", "", "the recorded stream (default bench/data/events-<N>.jsonl)")
	engine := flag.String("engine", "./streamsql", "the streamsql binary")
	baseline := flag.String("baseline", "bin/baseline", "the baseline binary")
	runs := flag.Int("runs", 2, "runs per measurement; the fastest is reported")
	out := flag.String("results", "bench/results", "directory for the JSON results")
	flag.Parse()
	if *kafkaLive {
		if err := runKafkaLiveAll(*engine, *out); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *data == "" {
		*data = fmt.Sprintf("bench/data/events-%s.jsonl", short(*events))
	}
	if err := run(*events, *data, *engine, *baseline, *runs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func short(n int64) string {
	switch {
	case n%1_000_000 == 0:
		return strconv.FormatInt(n/1_000_000, 10) + "m"
	case n%1000 == 0:
		return strconv.FormatInt(n/1000, 10) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func run(events int64, data, engine, baseline string, runs int, outDir string) error {
	size, err := ensureData(data, events)
	if err != nil {
		return err
	}
	// read the file once so every run finds it in the page cache
	if err := warm(data); err != nil {
		return err
	}
	sql, err := engineSQL(data, 0)
	if err != nil {
		return err
	}
	defer os.Remove(sql)
	sql2, err := engineSQL(data, 2)
	if err != nil {
		return err
	}
	defer os.Remove(sql2)
	cpus := runtime.NumCPU()
	rep := Report{
		Time: time.Now().UTC().Format(time.RFC3339), Machine: machine(), DataFile: data,
		Events: events, BytesPerEvt: float64(size) / float64(events), Runs: runs,
		NotMeasured: map[string]string{
			"kafka end to end":   "skipped (-kafka-events 0)",
			"kafka live latency": "not part of make bench (about 5 minutes): run make bench-kafka",
			"state scale":        "not part of make bench (minutes per size): go run ./bench/statescale; figures in docs/performance.md",
		},
	}
	procs := []int{1}
	if cpus > 1 {
		procs = append(procs, cpus)
	}
	var base Measurement
	for _, p := range procs {
		m, err := best(runs, func() (Measurement, error) { return runBaseline(baseline, data, p, events) })
		if err != nil {
			return err
		}
		if p == 1 {
			base = m
		}
		rep.Measurements = append(rep.Measurements, m)
	}
	for _, p := range procs {
		m, err := best(runs, func() (Measurement, error) { return runEngine(engine, sql, p, events) })
		if err != nil {
			return err
		}
		if m.RowsWritten != base.RowsWritten || m.LateDropped != base.LateDropped {
			return fmt.Errorf("engine and baseline disagree: engine wrote %d rows and dropped %d late rows, baseline %d and %d",
				m.RowsWritten, m.LateDropped, base.RowsWritten, base.LateDropped)
		}
		m.RatioToBaseline = m.EventsPerSec / base.EventsPerSec
		rep.Measurements = append(rep.Measurements, m)
	}
	if cpus > 1 {
		// parallelism 2 beside parallelism 1 (the engine rows above)
		m, err := best(runs, func() (Measurement, error) {
			r, err := measure(cpus, engine, "run", sql2)
			if err != nil {
				return Measurement{}, err
			}
			return engineMeasurement("engine p=2", r, cpus, events)
		})
		if err != nil {
			return err
		}
		if m.RowsWritten != base.RowsWritten || m.LateDropped != base.LateDropped {
			return fmt.Errorf("engine at parallelism 2 and baseline disagree: %d rows and %d late rows, baseline %d and %d",
				m.RowsWritten, m.LateDropped, base.RowsWritten, base.LateDropped)
		}
		m.RatioToBaseline = m.EventsPerSec / base.EventsPerSec
		rep.Measurements = append(rep.Measurements, m)
	}
	if *kafkaEvents > 0 {
		kp, err := runKafkaPreload(engine, runs)
		if err != nil {
			return fmt.Errorf("kafka, preloaded topic: %w", err)
		}
		rep.Kafka = &KafkaReport{Preload: kp}
		delete(rep.NotMeasured, "kafka end to end")
	}
	printTable(os.Stdout, &rep)
	return writeReport(outDir, "bench", "latest.json", &rep)
}

func best(runs int, f func() (Measurement, error)) (Measurement, error) {
	var b Measurement
	for i := 0; i < max(runs, 1); i++ {
		m, err := f()
		if err != nil {
			return m, err
		}
		if i == 0 || m.WallSeconds < b.WallSeconds {
			b = m
		}
	}
	return b, nil
}

// ensureData generates the stream unless a file of the right number of
// lines is there (the count is kept in a side file written last).
func ensureData(path string, events int64) (int64, error) {
	meta := path + ".meta"
	want := fmt.Sprintf("events=%d seed=%d rate=%g ooo=%d late=%g\n", events, genConfig.Seed,
		genConfig.EventRate, genConfig.OutOfOrderMs, genConfig.LateFraction)
	if got, err := os.ReadFile(meta); err == nil && string(got) == want {
		if st, err := os.Stat(path); err == nil {
			return st.Size(), nil
		}
	}
	fmt.Fprintf(os.Stderr, "generating %d events into %s ...\n", events, path)
	t0 := time.Now()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	g, err := gen.New(genConfig)
	if err != nil {
		return 0, err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for left := events; left > 0; {
		n := min(left, 10_000)
		buf = g.AppendLines(buf[:0], int(n))
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return 0, err
		}
		left -= n
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, err
	}
	if err := os.WriteFile(meta, []byte(want), 0o644); err != nil {
		return 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(os.Stderr, "generated %.1f MB in %.1f s\n", float64(st.Size())/1e6, time.Since(t0).Seconds())
	return st.Size(), nil
}

func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(io.Discard, f)
	return err
}

// engineSQL writes bench/ctr_bench.sql with its path pointing at data.
// engineSQL writes bench/ctr_bench.sql over data to a temporary file; with
// parallelism > 0 it SETs 'parallelism.default' to it.
func engineSQL(data string, parallelism int) (string, error) {
	src, err := os.ReadFile("bench/ctr_bench.sql")
	if err != nil {
		return "", fmt.Errorf("run from the repository root: %w", err)
	}
	s := strings.Replace(string(src), "'bench/data/events-10m.jsonl'", "'"+data+"'", 1)
	if parallelism > 0 {
		s = fmt.Sprintf("SET 'parallelism.default' = '%d';\n", parallelism) + s
	}
	f, err := os.CreateTemp("", "ctr_bench-*.sql")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.WriteString(s)
	return f.Name(), err
}

type result struct {
	wall, cpu float64
	rssMiB    float64
	out       string
}

func measure(procs int, name string, args ...string) (result, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0).Seconds()
	if err != nil {
		return result{}, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return result{}, errors.New("no rusage on this platform")
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return result{wall: wall, cpu: cpu, rssMiB: float64(ru.Maxrss) / 1024, out: out.String()}, nil
}

func fill(m *Measurement, r result) {
	m.WallSeconds, m.CPUSeconds, m.PeakRSSMiB = r.wall, r.cpu, r.rssMiB
	m.EventsPerSec = float64(m.Events) / r.wall
	m.CPUPerMillion = r.cpu / (float64(m.Events) / 1e6)
}

func runBaseline(bin, data string, procs int, events int64) (Measurement, error) {
	r, err := measure(procs, bin, data)
	if err != nil {
		return Measurement{}, err
	}
	var s struct {
		Events int64 `json:"events"`
		Rows   int64 `json:"rows_written"`
		Late   int64 `json:"late_rows_dropped"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.out)), &s); err != nil {
		return Measurement{}, fmt.Errorf("baseline output %q: %w", r.out, err)
	}
	if s.Events != events {
		return Measurement{}, fmt.Errorf("baseline read %d events, want %d", s.Events, events)
	}
	m := Measurement{Name: "baseline", GOMAXPROCS: procs, Events: events, RowsWritten: s.Rows, LateDropped: s.Late}
	fill(&m, r)
	return m, nil
}

var summaryRE = regexp.MustCompile(`records read: (\d+), rows written: (\d+), late rows dropped: (\d+)`)

func runEngine(bin, sql string, procs int, events int64) (Measurement, error) {
	r, err := measure(procs, bin, "run", sql)
	if err != nil {
		return Measurement{}, err
	}
	return engineMeasurement("engine", r, procs, events)
}

func printTable(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nCTR query, %d events (%.0f bytes each), %s, %d CPUs, %s; best of %d\n\n",
		r.Events, r.BytesPerEvt, r.Machine.CPUModel, r.Machine.CPUs, r.Machine.GoVersion, r.Runs)
	fmt.Fprintf(w, "%-10s %10s %14s %12s %16s %10s %10s\n", "run", "GOMAXPROCS", "events/s", "wall s", "CPU s / M events", "peak RSS", "/baseline")
	for _, m := range r.Measurements {
		ratio := ""
		if m.RatioToBaseline > 0 {
			ratio = fmt.Sprintf("%.2f", m.RatioToBaseline)
		}
		fmt.Fprintf(w, "%-10s %10d %14s %12.2f %16.3f %8.0f MiB %10s\n", m.Name, m.GOMAXPROCS,
			thousands(m.EventsPerSec), m.WallSeconds, m.CPUPerMillion, m.PeakRSSMiB, ratio)
	}
	printKafka(w, r)
	fmt.Fprintln(w)
	for _, k := range []string{"kafka end to end", "kafka live latency", "state scale"} {
		if r.NotMeasured[k] != "" {
			fmt.Fprintf(w, "%-20s %s\n", k+":", r.NotMeasured[k])
		}
	}
}

func thousands(f float64) string {
	s := strconv.FormatInt(int64(f+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: goVersion()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				if i := strings.Index(l, ":"); i >= 0 {
					m.CPUModel = strings.TrimSpace(l[i+1:])
				}
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				m.MemTotal = strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:"))
				break
			}
		}
	}
	return m
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}
