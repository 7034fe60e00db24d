package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/core"
)

// Namespace prefixes every metric name: streamsql_numRecordsIn, ...
const Namespace = "streamsql"

var (
	opLabels    = []string{"job", "operator_id", "operator_name"}
	splitLabels = []string{"job", "operator_id", "operator_name", "split"}
	subLabels   = []string{"job", "operator_id", "operator_name", "subtask_index"}
	jobLabels   = []string{"job"}
)

func desc(name, help string, labels []string) *prometheus.Desc {
	return prometheus.NewDesc(Namespace+"_"+name, help, labels, nil)
}

// Metric descriptions. Names follow Flink's metric names where Flink has
// one (docs/operations.md lists them all).
var (
	numRecordsIn          = desc("numRecordsIn", "Records an operator received (for a source: records read, malformed ones included).", opLabels)
	numRecordsOut         = desc("numRecordsOut", "Records an operator emitted (for a sink: rows written).", opLabels)
	numLateRecordsDropped = desc("numLateRecordsDropped", "Rows dropped because the window they belong to had already fired.", opLabels)
	numRecordsSkipped     = desc("numRecordsSkipped", "Malformed records skipped (json.ignore-parse-errors, dead-letter.table), records whose rowtime is out of range or whose watermark fails, and rows with a NULL rowtime.", opLabels)
	currentInputWatermark = desc("currentInputWatermark", "The operator's input watermark in epoch milliseconds (absent before the first watermark).", opLabels)
	openWindows           = desc("openWindows", "Windows holding state, not fired yet.", opLabels)
	stateExpiredKeys      = desc("stateExpiredKeys", "Keys whose state was dropped because they were not written for the state TTL (table.exec.state.ttl or the STATE_TTL hint).", opLabels)

	subRecordsIn     = desc("subtaskNumRecordsIn", "Records one subtask of an operator received (operators running as several subtasks).", subLabels)
	subRecordsOut    = desc("subtaskNumRecordsOut", "Records one subtask of an operator emitted.", subLabels)
	subWatermark     = desc("subtaskCurrentInputWatermark", "One subtask's input watermark in epoch milliseconds (absent before its first watermark).", subLabels)
	backPressured    = desc("backPressuredTimeMsPerSecond", "Milliseconds per second the subtask waited to send to a full channel, since the previous scrape (absent on the first scrape).", subLabels)
	backPressuredAll = desc("backPressuredTimeMsTotal", "Milliseconds the subtask waited to send to a full channel, in all.", subLabels)

	splitWatermark = desc("splitWatermark", "A source split's (partition's, file's) own watermark in epoch milliseconds.", splitLabels)
	watermarkLag   = desc("watermarkLag", "Wall clock minus the split's watermark, in milliseconds (live, non-idle splits with a watermark).", splitLabels)
	splitIdle      = desc("splitIdle", "1 when the split is idle (no data for the idle timeout) and left out of the source watermark.", splitLabels)
	sourceIdleTime = desc("sourceIdleTime", "Milliseconds since the split last delivered a record.", splitLabels)

	checkpointsDone    = desc("numberOfCompletedCheckpoints", "Checkpoints completed.", jobLabels)
	checkpointsFailed  = desc("numberOfFailedCheckpoints", "Checkpoints that failed.", jobLabels)
	lastCheckpointDur  = desc("lastCheckpointDuration", "Duration of the last completed checkpoint in milliseconds.", jobLabels)
	lastCheckpointSize = desc("lastCheckpointSize", "Bytes written by the last completed checkpoint.", jobLabels)
	stateSize          = desc("stateSize", "Bytes of operator state last reported.", jobLabels)

	allDescs = []*prometheus.Desc{
		numRecordsIn, numRecordsOut, numLateRecordsDropped, numRecordsSkipped, currentInputWatermark, openWindows, stateExpiredKeys,
		subRecordsIn, subRecordsOut, subWatermark, backPressured, backPressuredAll,
		splitWatermark, watermarkLag, splitIdle, sourceIdleTime,
		checkpointsDone, checkpointsFailed, lastCheckpointDur, lastCheckpointSize, stateSize,
	}
)

// Collector exposes a job's figures. It reads them at scrape time from a
// runtime.Snapshot (atomic counters and the sources' published split
// state), so the job pays nothing per row for being observed.
type Collector struct {
	job  *runtime.Job
	name string
	// prev is the previous scrape's snapshot, for per-second rates
	mu   sync.Mutex
	prev *runtime.Snapshot
}

// NewCollector returns a collector for job, labelled job=name.
func NewCollector(job *runtime.Job, name string) *Collector {
	return &Collector{job: job, name: name}
}

// Describe sends every metric description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d
	}
}

// Collect takes a snapshot and sends the metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.job.Progress()
	c.mu.Lock()
	prev := c.prev
	c.prev = s
	c.mu.Unlock()
	if prev != nil {
		s.SetRates(prev)
	}
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	names := map[int]string{}
	for _, op := range s.Operators {
		name := operatorName(op)
		names[op.ID] = name
		id := strconv.Itoa(op.ID)
		counter(numRecordsIn, op.RecordsIn, c.name, id, name)
		counter(numRecordsOut, op.RecordsOut, c.name, id, name)
		counter(numLateRecordsDropped, op.LateRecordsDropped, c.name, id, name)
		counter(numRecordsSkipped, op.RecordsSkipped, c.name, id, name)
		gauge(openWindows, float64(op.OpenWindows), c.name, id, name)
		counter(stateExpiredKeys, op.StateExpiredKeys, c.name, id, name)
		if op.Watermark != core.MinWatermark {
			gauge(currentInputWatermark, float64(op.Watermark), c.name, id, name)
		}
		for _, st := range op.Subtasks {
			sub := strconv.Itoa(st.Index)
			counter(subRecordsIn, st.RecordsIn, c.name, id, name, sub)
			counter(subRecordsOut, st.RecordsOut, c.name, id, name, sub)
			if st.Watermark != core.MinWatermark {
				gauge(subWatermark, float64(st.Watermark), c.name, id, name, sub)
			}
			counter(backPressuredAll, st.BackPressured.Milliseconds(), c.name, id, name, sub)
			if prev != nil {
				gauge(backPressured, st.BackPressuredMsPerSec, c.name, id, name, sub)
			}
		}
	}
	for i := range s.Sources {
		src := &s.Sources[i]
		if !src.HasWatermark {
			continue
		}
		id := strconv.Itoa(src.ID)
		for j := range src.Splits {
			sp := &src.Splits[j]
			split := strconv.Itoa(sp.Split)
			if sp.Ended {
				continue
			}
			idle := 0.0
			if sp.Idle {
				idle = 1
			}
			gauge(splitIdle, idle, c.name, id, names[src.ID], split)
			if !sp.LastActive.IsZero() {
				gauge(sourceIdleTime, float64(s.Taken.Sub(sp.LastActive).Milliseconds()), c.name, id, names[src.ID], split)
			}
			if sp.Watermark == core.MinWatermark {
				continue
			}
			gauge(splitWatermark, float64(sp.Watermark), c.name, id, names[src.ID], split)
			if lag, ok := sp.Lag(s.Taken); ok && !sp.Idle {
				gauge(watermarkLag, float64(lag.Milliseconds()), c.name, id, names[src.ID], split)
			}
		}
	}
	counter(checkpointsDone, s.CheckpointsDone, c.name)
	counter(checkpointsFailed, s.CheckpointsFailed, c.name)
	if cp := s.LastCheckpoint; cp != nil {
		gauge(lastCheckpointDur, float64(cp.Duration.Milliseconds()), c.name)
		gauge(lastCheckpointSize, float64(cp.Size), c.name)
	}
	gauge(stateSize, float64(s.StateSize), c.name)
}

// operatorName labels an operator as Flink does for sources and sinks
// ("Source: ad_events", "Sink: results") and by its EXPLAIN name
// otherwise ("WindowAggregate").
func operatorName(op runtime.OperatorProgress) string {
	switch op.Name {
	case "TableSourceScan":
		return "Source: " + op.Table
	case "Sink":
		return "Sink: " + op.Table
	}
	return op.Name
}

// ListenAddr turns a --metrics-addr value into a listen address: a bare
// port ("9249" or ":9249") binds 127.0.0.1 only, so metrics are not
// exposed beyond the machine unless a host is named ("0.0.0.0:9249").
func ListenAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("--metrics-addr: empty address (give a port such as 9249, or host:port)")
	}
	if !strings.Contains(s, ":") {
		s = ":" + s
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("--metrics-addr %q: %v (give a port such as 9249, or host:port)", s, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("--metrics-addr %q: port %q is not a number from 0 to 65535", s, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Server serves /metrics over HTTP.
type Server struct {
	ln  net.Listener
	srv *http.Server
}

// Serve listens on addr (already passed through ListenAddr) and serves the
// collectors, plus Go runtime and process metrics, at /metrics in the
// background until Close.
func Serve(addr string, cs ...prometheus.Collector) (*Server, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "streamsql metrics: see /metrics")
	})
	s := &Server{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	go s.srv.Serve(ln) //nolint:errcheck // returns http.ErrServerClosed after Close
	return s, nil
}

// Addr is the address the server listens on (with the real port when
// addr asked for port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, letting scrapes in progress finish for up to a
// second.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
