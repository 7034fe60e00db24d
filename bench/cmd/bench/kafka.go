package main

// The Kafka rows of the benchmark. Every process is separate, as in a
// deployment: the development broker (`streamsql kafka`, kfake in memory)
// on a free 127.0.0.1 port, the generator (`streamsql gen`) and the engine
// (`streamsql run`); the driver itself only creates topics, reads offsets
// and, in the live runs, consumes the results topic.
//
// Preloaded (part of `make bench`): -kafka-events ad events are written
// to ad-events-2 (4 partitions) as fast as the generator goes, then the
// engine reads them with 'scan.bounded.mode' = 'latest-offset'
// (bench/ctr_kafka_bounded.sql, results into blackhole), at GOMAXPROCS=1
// and at all cores: events/s, CPU seconds of the engine process per
// million events (its rusage) and its peak RSS.
//
// Live (`make bench-kafka`, -kafka-live): for each rate a fresh broker;
// queries/ctr.sql (bootstrap servers pointed at the broker) runs
// unbounded while the generator writes at the rate for -kafka-duration
// with event time = now; the driver reads `results` and takes, per
// result, its Kafka timestamp (set when the engine's producer batched it)
// minus window_end minus the 1 s watermark delay. Whether the engine kept
// up: the generator's achieved rate, the source group's lag (end offsets
// minus the committed offsets the engine commits every second) sampled
// every second, and a result for every 10 s window.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/sql/types"
)

var (
	kafkaEvents    = flag.Int64("kafka-events", 5_000_000, "events preloaded into the Kafka topic for the bounded Kafka rows (0 skips them)")
	kafkaLive      = flag.Bool("kafka-live", false, "run only the live Kafka runs (make bench-kafka): generator at -kafka-rates for -kafka-duration each")
	kafkaRates     = flag.String("kafka-rates", "50000,100000,200000,400000", "live runs: generator rates in events/s, comma-separated")
	kafkaDuration  = flag.Duration("kafka-duration", 60*time.Second, "live runs: how long the generator writes at each rate")
	kafkaRSSLimit  = flag.Int64("kafka-broker-rss-mib", 10240, "live runs: stop the generator early when the broker's RSS passes this (it keeps every record in memory)")
	kafkaPartition = flag.Int("kafka-partitions", 4, "partitions of the events topic")
	kafkaLiveSQL   = flag.String("kafka-sql", "queries/ctr.sql", "live runs: the job (the CTR query's tables, topics and group; its '127.0.0.1:9092' is pointed at the bench broker)")
)

const (
	eventsTopic    = "ad-events-2"
	resultsTopic   = "results"
	sourceGroup    = "streamsql-ctr" // queries/ctr.sql's properties.group.id
	watermarkDelay = 1000            // ms: WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
	windowMs       = 10_000
)

// KafkaReport holds the Kafka rows.
type KafkaReport struct {
	Preload *KafkaPreload `json:"preload,omitempty"`
	Live    []KafkaLive   `json:"live,omitempty"`
}

// KafkaPreload is the bounded read of a preloaded topic.
type KafkaPreload struct {
	Events          int64         `json:"events"`
	Partitions      int           `json:"partitions"`
	GenWallSeconds  float64       `json:"generator_wall_seconds"`
	GenCPUSeconds   float64       `json:"generator_cpu_seconds"`
	BrokerRSSMiB    float64       `json:"broker_rss_mib_after_preload"`
	BrokerPeakMiB   float64       `json:"broker_peak_rss_mib"`
	Engine          []Measurement `json:"engine"`
	Load            Load          `json:"load"`
	EventsPerCPUSec float64       `json:"engine_events_per_cpu_second_all_cores"`
}

// KafkaLive is one live run at a fixed rate.
type KafkaLive struct {
	Query           string          `json:"query"`
	Rate            float64         `json:"requested_rate"`
	DurationSeconds float64         `json:"duration_seconds"`
	Sent            int64           `json:"events_sent"`
	AchievedRate    float64         `json:"achieved_rate"`
	StoppedEarly    string          `json:"stopped_early,omitempty"`
	EngineRead      int64           `json:"engine_records_read"`
	EngineWall      float64         `json:"engine_wall_seconds"`
	EngineCPU       float64         `json:"engine_cpu_seconds"`
	EngineCPUPerM   float64         `json:"engine_cpu_seconds_per_million_events"`
	EnginePeakMiB   float64         `json:"engine_peak_rss_mib"`
	GenCPU          float64         `json:"generator_cpu_seconds"`
	BrokerCPU       float64         `json:"broker_cpu_seconds"`
	BrokerPeakMiB   float64         `json:"broker_peak_rss_mib"`
	MaxLag          int64           `json:"max_source_lag_events"`
	MaxLagSeconds   float64         `json:"max_source_lag_seconds_of_events"`
	LagAtGenEnd     int64           `json:"source_lag_when_generator_stopped"`
	DrainSeconds    float64         `json:"seconds_to_drain_after_generator_stopped"`
	Results         int             `json:"results"`
	Windows         int             `json:"windows"`
	MissingWindows  int             `json:"missing_windows"`
	ShortWindows    int             `json:"windows_with_fewer_campaigns"`
	LatencyP50      float64         `json:"latency_p50_ms"`
	LatencyP99      float64         `json:"latency_p99_ms"`
	LatencyMax      float64         `json:"latency_max_ms"`
	ConsumeP99      float64         `json:"consume_latency_p99_ms"`
	FirstWindowMs   float64         `json:"first_window_latency_ms"`
	PerWindow       []WindowLatency `json:"per_window"`
	KeptUp          bool            `json:"kept_up"`
	Why             string          `json:"kept_up_reason"`
	Load            Load            `json:"load"`
}

// WindowLatency is one window's results: how many and their latencies
// (result Kafka timestamp - window end - watermark delay), in ms.
type WindowLatency struct {
	WindowEnd string  `json:"window_end"`
	Results   int     `json:"results"`
	MinMs     float64 `json:"min_latency_ms"`
	MaxMs     float64 `json:"max_latency_ms"`
}

// Load is what else ran on the machine: the 1-minute load average sampled
// every second, and the CPU time of all processes (from /proc/stat) minus
// that of the processes the run started.
type Load struct {
	Min, Mean, Max float64 // 1-minute load average samples
	OtherCPU       float64 // CPU seconds used by processes outside the run
	Seconds        float64 // length of the window OtherCPU covers
	samples        int
	busy0          float64
}

// MarshalJSON writes the load with explicit names.
func (l Load) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]float64{"loadavg1_min": l.Min, "loadavg1_mean": l.Mean, "loadavg1_max": l.Max,
		"other_processes_cpu_seconds": l.OtherCPU, "window_seconds": l.Seconds,
		"other_processes_cores": l.OtherCPU / math.Max(l.Seconds, 1e-9)})
}

func (l *Load) sample() {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return
	}
	if l.samples == 0 || v < l.Min {
		l.Min = v
	}
	l.Max = max(l.Max, v)
	l.Mean = (l.Mean*float64(l.samples) + v) / float64(l.samples+1)
	l.samples++
}

// busyCPU is the machine's busy CPU seconds since boot (/proc/stat).
func busyCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy float64
	for i, s := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 8 { // guest times are already in user
			break
		}
		v, _ := strconv.ParseFloat(s, 64)
		busy += v
	}
	return busy / 100 // USER_HZ
}

func (l *Load) begin() { l.busy0 = busyCPU(); l.sample() }

// end closes the window: ours is the CPU the run's processes used in it.
func (l *Load) end(seconds, ours float64) {
	l.sample()
	l.Seconds = seconds
	l.OtherCPU = max(busyCPU()-l.busy0-ours, 0)
}

// proc is a child process whose output is kept for error messages.
type proc struct {
	cmd  *exec.Cmd
	out  *syncBuf
	done chan struct{}
	err  error
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startProc(procs int, name string, args ...string) (*proc, error) {
	p := &proc{cmd: exec.Command(name, args...), out: &syncBuf{}, done: make(chan struct{})}
	if procs > 0 {
		p.cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	return p, nil
}

// stop interrupts the process (Ctrl-C: the engine flushes and prints its
// summary) and kills it if it has not ended within grace.
func (p *proc) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s of an interrupt; killed\n%s", p.cmd.Path, grace, p.out.String())
	}
}

// wait waits at most limit for the process to end by itself.
func (p *proc) wait(limit time.Duration) error {
	select {
	case <-p.done:
	case <-time.After(limit):
		_ = p.stop(10 * time.Second)
		return fmt.Errorf("%s %s: still running after %s; stopped\n%s", p.cmd.Path, strings.Join(p.cmd.Args[1:], " "), limit, p.out.String())
	}
	if p.err != nil {
		return fmt.Errorf("%s %s: %w\n%s", p.cmd.Path, strings.Join(p.cmd.Args[1:], " "), p.err, p.out.String())
	}
	return nil
}

func (p *proc) cpu() float64 {
	if p.cmd.ProcessState == nil {
		return 0
	}
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func (p *proc) peakMiB() float64 {
	if p.cmd.ProcessState == nil {
		return procStatusMiB(p.cmd.Process.Pid, "VmHWM:")
	}
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

// procStatusMiB reads a kB field of /proc/PID/status (VmRSS, VmHWM).
func procStatusMiB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field) {
			f := strings.Fields(strings.TrimPrefix(l, field))
			if len(f) > 0 {
				kb, _ := strconv.ParseFloat(f[0], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

var listeningRE = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

// startBroker runs `streamsql kafka` on a free port and returns its address.
func startBroker(engine string) (*proc, string, error) {
	p, err := startProc(0, engine, "kafka", "--addr", "127.0.0.1:0", "--partitions", strconv.Itoa(*kafkaPartition))
	if err != nil {
		return nil, "", err
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listeningRE.FindStringSubmatch(p.out.String()); m != nil {
			return p, m[1], nil
		}
		select {
		case <-p.done:
			return nil, "", fmt.Errorf("the broker exited: %v\n%s", p.err, p.out.String())
		default:
		}
	}
	_ = p.stop(5 * time.Second)
	return nil, "", fmt.Errorf("the broker did not say where it listens within 15 s:\n%s", p.out.String())
}

// sqlFor writes a copy of the query file with its bootstrap servers
// pointed at addr.
func sqlFor(path, addr string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("run from the repository root: %w", err)
	}
	const def = "'127.0.0.1:9092'"
	if !strings.Contains(string(src), def) {
		return "", fmt.Errorf("%s: no %s bootstrap server to point at the bench broker", path, def)
	}
	f, err := os.CreateTemp("", "kafka_bench-*.sql")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.WriteString(strings.ReplaceAll(string(src), def, "'"+addr+"'"))
	return f.Name(), err
}

func saramaConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "streamsql-bench"
	c.Version = sarama.V2_8_0_0
	c.Net.DialTimeout = 5 * time.Second
	c.Consumer.Return.Errors = true
	return c
}

func createTopics(addr string, topics map[string]int32) error {
	admin, err := sarama.NewClusterAdmin([]string{addr}, saramaConfig())
	if err != nil {
		return fmt.Errorf("connecting to the bench broker at %s: %w", addr, err)
	}
	defer admin.Close()
	for t, n := range topics {
		err := admin.CreateTopic(t, &sarama.TopicDetail{NumPartitions: n, ReplicationFactor: -1}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("creating topic %s: %w", t, err)
		}
	}
	return nil
}

// runKafkaPreload measures the engine reading a preloaded topic, bounded.
func runKafkaPreload(engine string, runs int) (*KafkaPreload, error) {
	events := *kafkaEvents
	kp := &KafkaPreload{Events: events, Partitions: *kafkaPartition}
	var load Load
	load.begin()
	t0 := time.Now()
	broker, addr, err := startBroker(engine)
	if err != nil {
		return nil, err
	}
	defer broker.stop(10 * time.Second)
	fmt.Fprintf(os.Stderr, "kafka: broker at %s; preloading %d events into %s ...\n", addr, events, eventsTopic)
	g, err := measure(runtime.NumCPU(), engine, "gen", "--brokers", addr, "--topic", eventsTopic,
		"--partitions", strconv.Itoa(*kafkaPartition), "--count", strconv.FormatInt(events, 10), "--rate", "0",
		"--seed", "42", "--start", "2024-01-01T00:00:00Z", "--out-of-order", "1000", "--late-fraction", "0.01")
	if err != nil {
		return nil, err
	}
	kp.GenWallSeconds, kp.GenCPUSeconds = g.wall, g.cpu
	kp.BrokerRSSMiB = procStatusMiB(broker.cmd.Process.Pid, "VmRSS:")
	sql, err := sqlFor("bench/ctr_kafka_bounded.sql", addr)
	if err != nil {
		return nil, err
	}
	defer os.Remove(sql)
	var ours float64
	var ref *Measurement
	procs := []int{1}
	if runtime.NumCPU() > 1 {
		procs = append(procs, runtime.NumCPU())
	}
	for _, p := range procs {
		m, err := best(runs, func() (Measurement, error) {
			load.sample()
			r, err := measure(p, engine, "run", "--progress=off", sql)
			if err != nil {
				return Measurement{}, err
			}
			ours += r.cpu
			m, err := engineMeasurement("engine (Kafka)", r, p, events)
			// The bounded read merges the partitions by Kafka timestamp,
			// so every run over the same topic must give the same counts.
			if err == nil && ref != nil && (m.RowsWritten != ref.RowsWritten || m.LateDropped != ref.LateDropped) {
				err = fmt.Errorf("two bounded reads of the same topic disagree: %d rows written and %d late rows dropped, then %d and %d",
					ref.RowsWritten, ref.LateDropped, m.RowsWritten, m.LateDropped)
			}
			if err == nil && ref == nil {
				ref = &m
			}
			return m, err
		})
		if err != nil {
			return nil, err
		}
		kp.Engine = append(kp.Engine, m)
		kp.EventsPerCPUSec = 1e6 / m.CPUPerMillion
	}
	kp.BrokerPeakMiB = procStatusMiB(broker.cmd.Process.Pid, "VmHWM:")
	if err := broker.stop(10 * time.Second); err != nil {
		return nil, fmt.Errorf("stopping the broker: %w", err)
	}
	load.end(time.Since(t0).Seconds(), ours+g.cpu+broker.cpu())
	kp.Load = load
	return kp, nil
}

// engineMeasurement checks the engine's summary and fills a Measurement.
func engineMeasurement(name string, r result, procs int, events int64) (Measurement, error) {
	read, rows, late, err := engineSummary(r.out)
	if err != nil {
		return Measurement{}, err
	}
	if read != events {
		return Measurement{}, fmt.Errorf("engine read %d records, want %d", read, events)
	}
	m := Measurement{Name: name, GOMAXPROCS: procs, Events: events, RowsWritten: rows, LateDropped: late}
	fill(&m, r)
	return m, nil
}

func engineSummary(out string) (read, rows, late int64, err error) {
	sm := summaryRE.FindStringSubmatch(out)
	if sm == nil {
		return 0, 0, 0, fmt.Errorf("no run summary in the engine's output:\n%s", out)
	}
	read, _ = strconv.ParseInt(sm[1], 10, 64)
	rows, _ = strconv.ParseInt(sm[2], 10, 64)
	late, _ = strconv.ParseInt(sm[3], 10, 64)
	return read, rows, late, nil
}

// liveResult is one record read from the results topic.
type liveResult struct {
	windowEnd int64 // epoch ms
	campaign  string
	recordTS  int64 // the record's Kafka timestamp, epoch ms
	consumed  int64 // when the driver read it, epoch ms
}

// consumeResults reads the results topic until stop is closed.
func consumeResults(addr string, stop <-chan struct{}) (<-chan []liveResult, error) {
	c, err := sarama.NewConsumer([]string{addr}, saramaConfig())
	if err != nil {
		return nil, fmt.Errorf("consuming %s: %w", resultsTopic, err)
	}
	pc, err := c.ConsumePartition(resultsTopic, 0, sarama.OffsetOldest)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("consuming %s: %w", resultsTopic, err)
	}
	out := make(chan []liveResult, 1)
	go func() {
		defer c.Close()
		defer pc.Close()
		var rs []liveResult
		var bad int
		for {
			select {
			case <-stop:
				if bad > 0 {
					fmt.Fprintf(os.Stderr, "kafka: %d result records could not be read\n", bad)
				}
				out <- rs
				return
			case e := <-pc.Errors():
				fmt.Fprintln(os.Stderr, "kafka: results consumer:", e)
			case m := <-pc.Messages():
				now := time.Now().UnixMilli()
				var raw struct {
					WindowEnd string `json:"window_end"`
					Campaign  string `json:"campaign_id"`
				}
				if json.Unmarshal(m.Value, &raw) != nil {
					bad++
					continue
				}
				we, err := types.ParseTimestamp(raw.WindowEnd)
				if err != nil {
					bad++
					continue
				}
				rs = append(rs, liveResult{windowEnd: we, campaign: raw.Campaign, recordTS: m.Timestamp.UnixMilli(), consumed: now})
			}
		}
	}()
	return out, nil
}

// lagReader reads the source group's lag: end offsets minus committed.
type lagReader struct {
	client sarama.Client
	admin  sarama.ClusterAdmin
	parts  []int32
}

func newLagReader(addr string) (*lagReader, error) {
	client, err := sarama.NewClient([]string{addr}, saramaConfig())
	if err != nil {
		return nil, err
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		client.Close()
		return nil, err
	}
	parts, err := client.Partitions(eventsTopic)
	if err != nil {
		client.Close()
		return nil, err
	}
	return &lagReader{client: client, admin: admin, parts: parts}, nil
}

// lag returns the total lag; a partition the group has not committed
// yet counts from offset 0.
func (l *lagReader) lag() (int64, error) {
	got, err := l.admin.ListConsumerGroupOffsets(sourceGroup, map[string][]int32{eventsTopic: l.parts})
	if err != nil {
		return 0, err
	}
	var total int64
	for _, p := range l.parts {
		end, err := l.client.GetOffset(eventsTopic, p, sarama.OffsetNewest)
		if err != nil {
			return 0, err
		}
		done := int64(0)
		if b := got.GetBlock(eventsTopic, p); b != nil && b.Offset >= 0 {
			done = b.Offset
		}
		total += max(end-done, 0)
	}
	return total, nil
}

func (l *lagReader) close() { l.client.Close() } // the admin shares the client

// runKafkaLiveAll runs every rate and writes the report.
func runKafkaLiveAll(engine, outDir string) error {
	var rates []float64
	for _, s := range strings.Split(*kafkaRates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || r <= 0 {
			return fmt.Errorf("-kafka-rates: %q is not a positive number", s)
		}
		rates = append(rates, r)
	}
	if *kafkaDuration < 20*time.Second || *kafkaDuration > 30*time.Minute {
		return errors.New("-kafka-duration: give 20s to 30m (a run needs a few 10 s windows)")
	}
	rep := Report{Time: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Kafka: &KafkaReport{}}
	for _, r := range rates {
		fmt.Fprintf(os.Stderr, "kafka live: %s events/s for %s ...\n", thousands(r), *kafkaDuration)
		lv, err := runKafkaLive(engine, r, *kafkaDuration)
		if err != nil {
			return fmt.Errorf("live run at %s events/s: %w", thousands(r), err)
		}
		rep.Kafka.Live = append(rep.Kafka.Live, *lv)
		printLive(os.Stderr, rep.Kafka.Live[len(rep.Kafka.Live)-1:], false)
	}
	printKafka(os.Stdout, &rep)
	return writeReport(outDir, "kafka-live", "kafka-live-latest.json", &rep)
}

// writeReport writes rep as <outDir>/<prefix>-<time>.json and again
// as <outDir>/<latest>.
func writeReport(outDir, prefix, latest string, rep *Report) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	js = append(js, '\n')
	name := filepath.Join(outDir, prefix+"-"+time.Now().UTC().Format("20060102-150405")+".json")
	if err := os.WriteFile(name, js, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, latest), js, 0o644); err != nil {
		return err
	}
	fmt.Printf("\nwritten to %s (and %s)\n", name, latest)
	return nil
}

var genDoneRE = regexp.MustCompile(`streamsql gen: ([\d,]+) events to .* in (\d+):(\d+)\.(\d)`)

func runKafkaLive(engine string, rate float64, dur time.Duration) (*KafkaLive, error) {
	lv := &KafkaLive{Query: *kafkaLiveSQL, Rate: rate, DurationSeconds: dur.Seconds()}
	var load Load
	load.begin()
	t0 := time.Now()
	broker, addr, err := startBroker(engine)
	if err != nil {
		return nil, err
	}
	defer broker.stop(10 * time.Second)
	if err := createTopics(addr, map[string]int32{eventsTopic: int32(*kafkaPartition), resultsTopic: 1}); err != nil {
		return nil, err
	}
	sql, err := sqlFor(*kafkaLiveSQL, addr)
	if err != nil {
		return nil, err
	}
	defer os.Remove(sql)
	stopConsumer := make(chan struct{})
	results, err := consumeResults(addr, stopConsumer)
	if err != nil {
		return nil, err
	}
	consumerStopped := false
	defer func() {
		if !consumerStopped {
			close(stopConsumer)
		}
	}()
	lr, err := newLagReader(addr)
	if err != nil {
		return nil, err
	}
	defer lr.close()
	eng, err := startProc(0, engine, "run", "--progress=off", sql)
	if err != nil {
		return nil, err
	}
	defer eng.stop(15 * time.Second)
	engStart := time.Now()
	time.Sleep(2 * time.Second) // the engine plans, connects and starts its partition consumers
	select {
	case <-eng.done:
		return nil, fmt.Errorf("the engine exited at start: %v\n%s", eng.err, eng.out.String())
	default:
	}
	gen, err := startProc(0, engine, "gen", "--brokers", addr, "--topic", eventsTopic,
		"--rate", strconv.FormatFloat(rate, 'f', -1, 64), "--duration", dur.String(),
		"--start", "now", "--out-of-order", "500", "--late-fraction", "0.01", "--seed", "1")
	if err != nil {
		return nil, err
	}
	// Watch while the generator runs: load, lag, the broker's memory.
	tick := time.NewTicker(time.Second)
	// A generator behind its schedule would go on until it has sent
	// rate x duration events: stop it 10 s after the duration.
	deadline := time.After(dur + 10*time.Second)
	half := time.Now().Add(dur / 2)
watch:
	for {
		select {
		case <-gen.done:
			break watch
		case <-deadline:
			_ = gen.stop(10 * time.Second)
			lv.StoppedEarly = fmt.Sprintf("generator behind its schedule, stopped %s after the start", dur+10*time.Second)
			break watch
		case <-tick.C:
			load.sample()
			if lag, err := lr.lag(); err == nil {
				if time.Now().After(half) || lag > lv.MaxLag { // the start is warm-up, but a growing lag counts
					lv.MaxLag = max(lv.MaxLag, lag)
				}
			}
			if rss := procStatusMiB(broker.cmd.Process.Pid, "VmRSS:"); rss > float64(*kafkaRSSLimit) {
				_ = gen.stop(10 * time.Second)
				lv.StoppedEarly = fmt.Sprintf("broker RSS passed %d MiB after %.0f s; generator stopped", *kafkaRSSLimit, time.Since(t0).Seconds())
				break watch
			}
		}
	}
	tick.Stop()
	genEnd := time.Now()
	if gen.err != nil && lv.StoppedEarly == "" {
		return nil, fmt.Errorf("generator: %v\n%s", gen.err, gen.out.String())
	}
	m := genDoneRE.FindStringSubmatch(gen.out.String())
	if m == nil {
		return nil, fmt.Errorf("no summary in the generator's output:\n%s", gen.out.String())
	}
	lv.Sent, _ = strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	mins, _ := strconv.Atoi(m[2])
	secs, _ := strconv.Atoi(m[3])
	tenths, _ := strconv.Atoi(m[4])
	if el := float64(mins*60+secs) + float64(tenths)/10; el > 0 {
		lv.AchievedRate = float64(lv.Sent) / el
	}
	lv.LagAtGenEnd, _ = lr.lag()
	// Drain: wait (at most 60 s) until the engine has committed every
	// offset, then a little longer for the last windows to reach results.
	for limit := time.Now().Add(60 * time.Second); time.Now().Before(limit); time.Sleep(250 * time.Millisecond) {
		if lag, err := lr.lag(); err == nil && lag == 0 {
			break
		}
	}
	lv.DrainSeconds = time.Since(genEnd).Seconds()
	time.Sleep(2 * time.Second)
	if err := eng.stop(15 * time.Second); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	lv.EngineWall = time.Since(engStart).Seconds()
	lv.EngineRead, _, _, err = engineSummary(eng.out.String())
	if err != nil {
		return nil, err
	}
	lv.EngineCPU, lv.EnginePeakMiB, lv.GenCPU = eng.cpu(), eng.peakMiB(), gen.cpu()
	lv.EngineCPUPerM = lv.EngineCPU / math.Max(float64(lv.EngineRead)/1e6, 1e-9)
	lv.MaxLagSeconds = float64(lv.MaxLag) / math.Max(lv.AchievedRate, 1)
	close(stopConsumer)
	consumerStopped = true
	rs := <-results
	lv.BrokerPeakMiB = procStatusMiB(broker.cmd.Process.Pid, "VmHWM:")
	if err := broker.stop(10 * time.Second); err != nil {
		return nil, fmt.Errorf("stopping the broker: %w", err)
	}
	lv.BrokerCPU = broker.cpu()
	load.end(time.Since(t0).Seconds(), lv.EngineCPU+lv.GenCPU+lv.BrokerCPU)
	lv.Load = load
	judgeLive(lv, rs)
	return lv, nil
}

// judgeLive computes latencies, window coverage and the verdict.
func judgeLive(lv *KafkaLive, rs []liveResult) {
	lv.Results = len(rs)
	if len(rs) == 0 {
		lv.Why = "no results arrived"
		return
	}
	first := rs[0].windowEnd
	for _, r := range rs {
		first = min(first, r.windowEnd)
	}
	// The first window began before the generator and holds its start
	// (connecting, the first batches to each partition): its latency is
	// reported on its own, the percentiles are over the others.
	var lat, cons []float64
	perWindow := map[int64]int{}
	span := map[int64][2]float64{}
	for _, r := range rs {
		l := float64(r.recordTS - (r.windowEnd + watermarkDelay))
		if r.windowEnd != first {
			lat = append(lat, l)
			cons = append(cons, float64(r.consumed-(r.windowEnd+watermarkDelay)))
		} else {
			lv.FirstWindowMs = max(lv.FirstWindowMs, l)
		}
		sp, seen := span[r.windowEnd]
		if !seen {
			sp = [2]float64{l, l}
		}
		span[r.windowEnd] = [2]float64{min(sp[0], l), max(sp[1], l)}
		perWindow[r.windowEnd]++
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		slices.Sort(cons)
		lv.LatencyP50, lv.LatencyP99, lv.LatencyMax = percentile(lat, 0.50), percentile(lat, 0.99), lat[len(lat)-1]
		lv.ConsumeP99 = percentile(cons, 0.99)
	}
	ends := make([]int64, 0, len(perWindow))
	most := 0
	for we, n := range perWindow {
		ends = append(ends, we)
		most = max(most, n)
	}
	slices.Sort(ends)
	for _, we := range ends {
		lv.PerWindow = append(lv.PerWindow, WindowLatency{WindowEnd: time.UnixMilli(we).UTC().Format("15:04:05"),
			Results: perWindow[we], MinMs: span[we][0], MaxMs: span[we][1]})
	}
	lv.Windows = len(ends)
	lv.MissingWindows = int((ends[len(ends)-1]-ends[0])/windowMs) + 1 - len(ends)
	for _, we := range ends[1:] { // the first window is partial
		if perWindow[we] < most {
			lv.ShortWindows++
		}
	}
	// Whole windows the run covered: from the first full one to the last
	// whose end + 1 s the generator's event time passed.
	wantWindows := int(lv.DurationSeconds*lv.AchievedRate/lv.Rate/10) - 1
	var why []string
	if lv.StoppedEarly != "" {
		why = append(why, lv.StoppedEarly)
	}
	if lv.AchievedRate < 0.97*lv.Rate {
		why = append(why, fmt.Sprintf("generator reached %s of %s events/s", thousands(lv.AchievedRate), thousands(lv.Rate)))
	}
	// The engine commits its offsets every second, so the lag read from
	// the group holds up to a second of events that are already read.
	if lv.MaxLagSeconds > 3 {
		why = append(why, fmt.Sprintf("source lag reached %.1f s of events", lv.MaxLagSeconds))
	}
	if lv.MissingWindows > 0 || lv.Windows < wantWindows {
		why = append(why, fmt.Sprintf("%d windows with results, %d missing in between, about %d expected", lv.Windows, lv.MissingWindows, wantWindows))
	}
	if lv.EngineRead != lv.Sent {
		why = append(why, fmt.Sprintf("engine read %d of %d events", lv.EngineRead, lv.Sent))
	}
	lv.KeptUp = len(why) == 0
	if lv.KeptUp {
		lv.Why = fmt.Sprintf("generator at %.1f%% of the rate, lag at most %.2f s of events, all %d windows", 100*lv.AchievedRate/lv.Rate, lv.MaxLagSeconds, lv.Windows)
	} else {
		lv.Why = strings.Join(why, "; ")
	}
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func printKafka(w io.Writer, r *Report) {
	if r.Kafka == nil {
		return
	}
	if kp := r.Kafka.Preload; kp != nil {
		fmt.Fprintf(w, "\nKafka end to end, preloaded topic: %d events in %s (%d partitions), broker in its own process (RSS %.0f MiB after preload), bounded read; load average %.1f-%.1f, other processes %.2f cores\n\n",
			kp.Events, eventsTopic, kp.Partitions, kp.BrokerRSSMiB, kp.Load.Min, kp.Load.Max, kp.Load.OtherCPU/math.Max(kp.Load.Seconds, 1e-9))
		fmt.Fprintf(w, "%-16s %10s %14s %12s %16s %14s %10s\n", "run", "GOMAXPROCS", "events/s", "wall s", "CPU s / M events", "events/CPU-s", "peak RSS")
		for _, m := range kp.Engine {
			fmt.Fprintf(w, "%-16s %10d %14s %12.2f %16.3f %14s %6.0f MiB\n", m.Name, m.GOMAXPROCS, thousands(m.EventsPerSec),
				m.WallSeconds, m.CPUPerMillion, thousands(1e6/m.CPUPerMillion), m.PeakRSSMiB)
		}
		fmt.Fprintf(w, "(generator: %.1f s wall, %.1f CPU s for the preload)\n", kp.GenWallSeconds, kp.GenCPUSeconds)
	}
	if len(r.Kafka.Live) > 0 {
		printLive(w, r.Kafka.Live, true)
	}
}

func printLive(w io.Writer, ls []KafkaLive, header bool) {
	if header {
		fmt.Fprintf(w, "\nKafka live: queries/ctr.sql, generator at fixed rates; latency = result's Kafka timestamp - (window_end + 1 s), first (partial) window apart\n\n")
	}
	fmt.Fprintf(w, "%10s %10s %8s %8s %8s %8s %8s %7s %8s %8s %8s %5s %s\n", "rate", "achieved", "kept up", "p50 ms", "p99 ms", "max ms",
		"1st win", "windows", "lag s", "eng CPU%", "CPU s/M", "load", "notes")
	for _, l := range ls {
		wall := math.Max(l.EngineWall, 1e-9)
		fmt.Fprintf(w, "%10s %10s %8v %8.0f %8.0f %8.0f %8.0f %7d %8.2f %8.0f %8.3f %5.1f %s\n", thousands(l.Rate), thousands(l.AchievedRate), l.KeptUp,
			l.LatencyP50, l.LatencyP99, l.LatencyMax, l.FirstWindowMs, l.Windows, l.MaxLagSeconds, 100*l.EngineCPU/wall, l.EngineCPUPerM, l.Load.Mean, l.Why)
	}
}
