package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/queries"
	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/devbroker"
	"github.com/streamsql/streamsql/runtime/gen"
	"github.com/streamsql/streamsql/runtime/progress"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/urfave/cli/v2"
)

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the founding CTR pipeline end to end: broker, generator, queries/ctr.sql and a live results table",
		Description: `Starts, in this one process:
   - the in-memory development broker (as 'streamsql kafka') on 127.0.0.1:9092,
     or on a free port when 9092 is taken (the query's bootstrap servers are
     then pointed at it);
   - the generator (as 'streamsql gen') writing ad events to the query's source
     topic (ad-events-2) at --rate events per second;
   - the job queries/ctr.sql, built into the binary (as 'streamsql run'): views, clicks and CTR per
     campaign over 10 s tumbling windows with a 1 s watermark, written to the
     topic results;
   - a consumer of results that shows the latest window of each campaign.

Windows are aligned to the clock (:00, :10, ...); one closes once the watermark,
1 s behind the newest event, passes its end, so the first rows appear 1 to 12 s
after the start (about 1.5 s after the next multiple of 10 s). That first window
began before the generator started and is marked partial (*). Latency is the
time the result was read minus max_kafka_ts, the newest Kafka timestamp of the
window's events; "job" is the result record's own timestamp minus max_kafka_ts.
On a terminal the table redraws in place 4 times a second, on the alternate
screen, fitted to the terminal's width; otherwise one line is printed per result. Ctrl-C stops everything and prints a summary.

The same, by hand, in three terminals:
   streamsql kafka
   streamsql gen --rate 2000
   streamsql run queries/ctr.sql
and read the results with any Kafka client, e.g. kcat -b 127.0.0.1:9092 -t results.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sql", Usage: "the job to run (it must read and write Kafka tables with the CTR columns; default: queries/ctr.sql, built into the binary)"},
			&cli.StringFlag{Name: "addr", Value: devbroker.DefaultAddr, Usage: "where the broker listens (a free port is used if this one is taken)"},
			&cli.IntFlag{Name: "partitions", Value: 4, Usage: "partitions of the events topic"},
			&cli.Float64Flag{Name: "rate", Value: 2000, Usage: "events per second"},
			&cli.DurationFlag{Name: "duration", Usage: "stop after this long (default: run until Ctrl-C)"},
			&cli.IntFlag{Name: "campaigns", Value: 10, Usage: "number of campaigns"},
			&cli.Int64Flag{Name: "out-of-order", Value: defaultOutOfOrderMs, Usage: "largest delay of event_time behind the send time, in ms"},
			&cli.Float64Flag{Name: "late-fraction", Value: defaultLateFraction, Usage: "fraction of events 2-5 s late (some are dropped as late)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return cli.Exit("demo takes no arguments, only flags (see 'streamsql demo --help')", 2)
			}
			out := c.App.Writer
			if out == nil {
				out = os.Stdout
			}
			width, _ := terminalWidth(out)
			rep, err := runDemo(c.Context, demoOptions{
				SQLPath: c.String("sql"), Addr: c.String("addr"), Partitions: c.Int("partitions"),
				Rate: c.Float64("rate"), Duration: c.Duration("duration"), Campaigns: c.Int("campaigns"),
				OutOfOrderMs: c.Int64("out-of-order"), LateFraction: c.Float64("late-fraction"), Seed: c.Uint64("seed"),
				Out: out, Err: errorWriter(c.App.ErrWriter), TTY: isTerminal(out), Width: width,
			})
			if rep != nil {
				fmt.Fprintln(errorWriter(c.App.ErrWriter), fitWidth(rep.String(), width))
			}
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}

// demoOptions configure runDemo; tests set EventRate and Start to make
// windows close quickly and OnResult to see every row.
type demoOptions struct {
	SQLPath      string // "" for the built-in queries/ctr.sql
	Addr         string
	Partitions   int
	Rate         float64
	EventRate    float64 // event-time events per second (Rate when 0)
	Start        int64   // event-time origin, epoch ms (now when 0)
	Duration     time.Duration
	Campaigns    int
	OutOfOrderMs int64
	LateFraction float64
	Seed         uint64
	Out, Err     io.Writer
	TTY          bool
	Width        int             // terminal width (0: unknown, no fitting)
	OnResult     func(resultRow) // called from runDemo's goroutine
	Refresh      time.Duration   // table redraw interval (250 ms when 0)
}

// demoReport is what a demo run did.
type demoReport struct {
	Broker    string
	Gen       gen.Config // the generator's configuration, defaults filled in
	Generated gen.Progress
	Results   int64
	Start     int64         // the generator's event-time origin, epoch ms
	First     time.Duration // from the start to the first result (0: none)
	Partial   int64         // results of windows that began before the generator started
	Summary   runtime.Summary
}

func (r *demoReport) String() string {
	first := ""
	if r.First > 0 {
		first = fmt.Sprintf(" (the first after %.1f s; %d of windows that began before the generator and are partial)", r.First.Seconds(), r.Partial)
	}
	return fmt.Sprintf("streamsql demo: %s events generated in %s (%s/s); results received: %d%s; job: %s",
		progress.GroupDigits(r.Generated.Sent), fmtElapsed(r.Generated.Elapsed), progress.GroupDigits(int64(r.Generated.Rate()+0.5)), r.Results, first, r.Summary)
}

// fitWidth wraps text to a terminal's width at spaces, so a long summary
// does not break in the middle of a word; continuation lines are
// indented. width 0 leaves it alone.
func fitWidth(text string, width int) string {
	if width < 20 {
		return text
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		indent := ""
		for len([]rune(line)) > width-1 {
			r := []rune(line)
			cut := strings.LastIndexByte(string(r[:width]), ' ') // a space at width-1 still fits
			if cut <= len(indent) {
				break // one word longer than the line: leave it
			}
			out = append(out, strings.TrimRight(line[:cut], " "))
			indent = "  "
			line = indent + strings.TrimLeft(line[cut:], " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// resultRow is one record of the results topic.
type resultRow struct {
	WindowStart, WindowEnd int64 // epoch ms of the TIMESTAMP(3) values (UTC wall clock)
	Campaign               string
	Views, Clicks          int64
	CTR                    *float64 // NULL when there were no views
	MaxKafkaTS             int64    // epoch ms
	RecordTS               int64    // the result record's Kafka timestamp, epoch ms
	Consumed               int64    // when the demo read it, epoch ms
	Partial                bool     // the window began before the generator's first event time
}

// decodeResult reads a results record as the json format writes it.
func decodeResult(value []byte) (resultRow, error) {
	var raw struct {
		WindowStart string   `json:"window_start"`
		WindowEnd   string   `json:"window_end"`
		Campaign    string   `json:"campaign_id"`
		Views       int64    `json:"views"`
		Clicks      int64    `json:"clicks"`
		CTR         *float64 `json:"ctr"`
		MaxKafkaTS  string   `json:"max_kafka_ts"`
	}
	var r resultRow
	if err := json.Unmarshal(value, &raw); err != nil {
		return r, err
	}
	var err1, err2, err3 error
	r.WindowStart, err1 = types.ParseTimestamp(raw.WindowStart)
	r.WindowEnd, err2 = types.ParseTimestamp(raw.WindowEnd)
	r.MaxKafkaTS, err3 = types.ParseTimestamp(raw.MaxKafkaTS)
	if err := errors.Join(err1, err2, err3); err != nil {
		return r, err
	}
	r.Campaign, r.Views, r.Clicks, r.CTR = raw.Campaign, raw.Views, raw.Clicks, raw.CTR
	return r, nil
}

// kafkaTopics finds the Kafka tables of a planned job: the events topic
// (first Kafka source) and the results topic (first Kafka sink), and
// points every Kafka table at addr by editing the bound options.
func kafkaTopics(job *planner.Job, addr string) (events, results string, err error) {
	var nodes []*planner.Node
	if job.Graph != nil {
		nodes = job.Graph.Nodes
	}
	for _, n := range nodes {
		var t *planner.TableDesc
		isSource := false
		switch op := n.Op.(type) {
		case *planner.SourceOp:
			t, isSource = op.Table, true
		case *planner.SinkOp:
			t = op.Table
		default:
			continue
		}
		if t.Connector != "kafka" {
			continue
		}
		setOption(t, "properties.bootstrap.servers", addr)
		topic, _ := t.Option("topic")
		topic, _, _ = strings.Cut(topic, ";")
		if isSource && events == "" {
			events = topic
		} else if !isSource && results == "" {
			results = topic
		}
	}
	if events == "" || results == "" {
		return "", "", errors.New("the demo needs a query that reads a Kafka table (with a 'topic') and writes one, like queries/ctr.sql")
	}
	return events, results, nil
}

func setOption(t *planner.TableDesc, key, value string) {
	for i := range t.Options {
		if t.Options[i].Key == key {
			t.Options[i].Value = value
			return
		}
	}
	t.Options = append(t.Options, sql.Option{Key: key, Value: value})
}

// runDemo runs broker, generator, job and results consumer until ctx is
// done or o.Duration has passed, then stops them in order (generator,
// job, consumer, broker).
func runDemo(ctx context.Context, o demoOptions) (*demoReport, error) {
	if o.Rate <= 0 {
		return nil, errors.New("--rate must be positive")
	}
	if o.Refresh <= 0 {
		o.Refresh = 250 * time.Millisecond
	}
	var job *planner.Job
	var err error
	if o.SQLPath == "" {
		o.SQLPath = queries.CTRName
		job, err = plan(queries.CTRName, queries.CTR)
	} else {
		job, err = load(o.SQLPath)
	}
	if err != nil {
		return nil, err
	}
	broker, err := devbroker.Start(devbroker.Config{Addr: o.Addr, Partitions: o.Partitions, FallbackToFreePort: true})
	if err != nil {
		return nil, err
	}
	defer broker.Close()
	if broker.FellBack() {
		fmt.Fprintf(o.Err, "streamsql demo: %s is taken; the broker listens on %s and the query's bootstrap servers point there\n", o.Addr, broker.Addr())
	}
	eventsTopic, resultsTopic, err := kafkaTopics(job, broker.Addr())
	if err != nil {
		return nil, err
	}
	if err := broker.CreateTopic(eventsTopic, o.Partitions); err != nil {
		return nil, err
	}
	if err := broker.CreateTopic(resultsTopic, 1); err != nil {
		return nil, err
	}
	rj, err := runtime.Build(job.Graph, runtime.Options{Stderr: o.Err})
	if err != nil {
		return nil, err
	}
	start := o.Start
	if start == 0 {
		start = time.Now().UnixMilli()
	}
	eventRate := o.EventRate
	if eventRate == 0 {
		eventRate = o.Rate
	}
	g, err := gen.New(gen.Config{Seed: o.Seed, Campaigns: o.Campaigns, Start: start, EventRate: eventRate,
		OutOfOrderMs: o.OutOfOrderMs, LateFraction: o.LateFraction})
	if err != nil {
		return nil, err
	}
	rep := &demoReport{Broker: broker.Addr(), Gen: g.Config(), Start: start}

	// The results consumer starts first so that nothing is missed.
	rows := make(chan resultRow, 1024)
	cons, err := consumeResults(broker.Addr(), resultsTopic, rows, o.Err)
	if err != nil {
		return rep, err
	}
	defer cons.close()

	jobCtx, stopJob := context.WithCancel(context.Background())
	defer stopJob()
	jobDone := make(chan error, 1)
	go func() { jobDone <- rj.Run(jobCtx) }()

	genCtx, stopGen := context.WithCancel(context.Background())
	defer stopGen()
	var genSent atomic.Int64
	var genRate atomic.Uint64 // float64 bits
	type genResult struct {
		p   gen.Progress
		err error
	}
	genDone := make(chan genResult, 1)
	sink, err := gen.NewKafkaSink(genCtx, g, gen.KafkaConfig{Brokers: []string{broker.Addr()}, Topic: eventsTopic})
	if err != nil {
		stopJob()
		<-jobDone
		return rep, err
	}
	go func() {
		p, err := gen.Drive(genCtx, g, gen.Pace{Rate: o.Rate, Progress: func(p gen.Progress) {
			genSent.Store(p.Sent)
			genRate.Store(math.Float64bits(p.Rate()))
		}}, sink.Send)
		if cerr := sink.Close(); err == nil {
			err = cerr
		}
		p.Sent = sink.Queued() // what really went out, should Ctrl-C cut a batch short
		genDone <- genResult{p, err}
	}()

	began := time.Now()
	latest := map[string]resultRow{}
	ticker := time.NewTicker(o.Refresh)
	defer ticker.Stop()
	var stopAt <-chan time.Time
	if o.Duration > 0 {
		t := time.NewTimer(o.Duration)
		defer t.Stop()
		stopAt = t.C
	}
	view := func() demoView {
		p := rj.Progress()
		return demoView{SQL: o.SQLPath, Broker: broker.Addr(), Elapsed: time.Since(began), Start: start, Width: o.Width,
			Generated: genSent.Load(), GenRate: math.Float64frombits(genRate.Load()), Results: rep.Results,
			Late: p.LateRecordsDropped, Malformed: p.RecordsSkipped, Rows: latestRows(latest)}
	}
	if !o.TTY {
		fmt.Fprintf(o.Out, "streamsql demo: %s on broker %s, generating %s events/s into %s; results from %s (one line each). Ctrl-C stops.\n",
			o.SQLPath, broker.Addr(), progress.GroupDigits(int64(o.Rate)), eventsTopic, resultsTopic)
	}
	accept := func(r resultRow) {
		r.Partial = r.WindowStart < start
		if rep.Results == 0 {
			rep.First = time.Since(began)
		}
		if r.Partial {
			rep.Partial++
		}
		rep.Results++
		if old, ok := latest[r.Campaign]; !ok || r.WindowStart >= old.WindowStart {
			latest[r.Campaign] = r
		}
		if o.OnResult != nil {
			o.OnResult(r)
		}
		if !o.TTY {
			fmt.Fprintln(o.Out, resultLine(r))
		}
	}
	leftAlt := false
	if o.TTY {
		io.WriteString(o.Out, enterAltScreen)
		defer func() {
			if !leftAlt {
				io.WriteString(o.Out, leaveAltScreen)
			}
		}()
	}
	var runErr error
	genStopped := false
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-stopAt:
			break loop
		case r := <-rows:
			accept(r)
		case gr := <-genDone:
			// Only an error ends the generator before we stop it.
			genStopped = true
			rep.Generated = gr.p
			if gr.err != nil {
				runErr = fmt.Errorf("generator: %w", gr.err)
				break loop
			}
		case err := <-jobDone:
			if err == nil {
				err = errors.New("the job ended by itself")
			}
			runErr = fmt.Errorf("job %s: %w", o.SQLPath, err)
			stopGen()
			if !genStopped {
				rep.Generated = (<-genDone).p
			}
			rep.Summary = rj.Summary()
			return rep, runErr
		case <-ticker.C:
			if o.TTY {
				io.WriteString(o.Out, redraw(renderTable(view())))
			}
		}
	}
	// Stop in order: the generator (flushing what it produced), then the
	// job, then the consumer once it has read what the job wrote.
	stopGen()
	if !genStopped {
		rep.Generated = (<-genDone).p
	}
	stopJob()
	if err := <-jobDone; err != nil && runErr == nil {
		runErr = fmt.Errorf("job %s: %w", o.SQLPath, err)
	}
	rep.Summary = rj.Summary()
	cons.close()
	for drained := false; !drained; {
		select {
		case r := <-rows:
			accept(r)
		default:
			drained = true
		}
	}
	if o.TTY {
		// Back on the normal screen, the final table once.
		io.WriteString(o.Out, leaveAltScreen+renderTable(view()))
		leftAlt = true
	}
	return rep, runErr
}

// The live table is drawn on the terminal's alternate screen (as full-
// screen programs such as less do), each frame over the last from the
// top-left corner, clearing each line's rest and the rest of the screen:
// nothing scrolls, so the scrollback keeps no copies. The final table is
// printed once on the normal screen when the demo stops.
const (
	enterAltScreen = "\x1b[?1049h\x1b[H\x1b[2J"
	leaveAltScreen = "\x1b[?1049l"
)

// redraw is one frame: home, every line followed by clear-to-end-of-line,
// then clear-to-end-of-screen.
func redraw(frame string) string {
	var b strings.Builder
	b.WriteString("\x1b[H")
	b.WriteString(strings.ReplaceAll(frame, "\n", "\x1b[K\n"))
	b.WriteString("\x1b[J")
	return b.String()
}

// resultsConsumer reads every partition of the results topic.
type resultsConsumer struct {
	cons     sarama.Consumer
	wg       sync.WaitGroup
	stop     chan struct{}
	once     sync.Once
	warnOnce sync.Once
}

func consumeResults(addr, topic string, rows chan<- resultRow, errw io.Writer) (*resultsConsumer, error) {
	cfg := gen.SaramaConfig()
	cfg.ClientID = "streamsql-demo"
	cfg.Consumer.MaxWaitTime = 50 * time.Millisecond
	cons, err := sarama.NewConsumer([]string{addr}, cfg)
	if err != nil {
		return nil, fmt.Errorf("reading topic %q: %w", topic, err)
	}
	parts, err := cons.Partitions(topic)
	if err != nil {
		cons.Close()
		return nil, fmt.Errorf("reading topic %q: %w", topic, err)
	}
	rc := &resultsConsumer{cons: cons, stop: make(chan struct{})}
	for _, p := range parts {
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			rc.close()
			return nil, fmt.Errorf("reading topic %q partition %d: %w", topic, p, err)
		}
		rc.wg.Add(1)
		go func() {
			defer rc.wg.Done()
			defer pc.AsyncClose()
			for {
				select {
				case m, ok := <-pc.Messages():
					if !ok {
						return
					}
					r, err := decodeResult(m.Value)
					if err != nil {
						rc.warnOnce.Do(func() {
							fmt.Fprintf(errw, "streamsql demo: topic %s partition %d offset %d: not a CTR result (%v): %s\n", topic, m.Partition, m.Offset, err, m.Value)
						})
						continue
					}
					r.RecordTS, r.Consumed = m.Timestamp.UnixMilli(), time.Now().UnixMilli()
					select {
					case rows <- r:
					case <-rc.stop:
						return
					}
				case <-rc.stop:
					return
				}
			}
		}()
	}
	return rc, nil
}

func (rc *resultsConsumer) close() {
	rc.once.Do(func() {
		close(rc.stop)
		rc.wg.Wait()
		rc.cons.Close()
	})
}

func latestRows(m map[string]resultRow) []resultRow {
	out := make([]resultRow, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Campaign < out[j].Campaign })
	return out
}

// demoView is everything the live table shows.
type demoView struct {
	SQL, Broker string
	Elapsed     time.Duration
	Start       int64 // the generator's event-time origin, epoch ms
	Width       int   // terminal width (0: no fitting)
	Generated   int64
	GenRate     float64
	Results     int64
	Late        int64
	Malformed   int64
	Rows        []resultRow // latest window per campaign, in campaign order
}

// renderTable draws the live table as plain text, every line fitted to
// the terminal width. Times are UTC, as the job writes them.
func renderTable(v demoView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "streamsql demo: %s  broker %s  elapsed %s  (Ctrl-C to stop)\n", v.SQL, v.Broker, fmtElapsed(v.Elapsed))
	fmt.Fprintf(&b, "events generated: %s (%s/s)  results received: %s  late rows dropped: %s  malformed rows skipped: %s\n\n",
		progress.GroupDigits(v.Generated), progress.GroupDigits(int64(v.GenRate+0.5)), progress.GroupDigits(v.Results), progress.GroupDigits(v.Late), progress.GroupDigits(v.Malformed))
	if len(v.Rows) == 0 {
		b.WriteString(waiting(v.Start, v.Elapsed))
		return fitWidth(b.String(), v.Width)
	}
	fmt.Fprintf(&b, "%-12s  %-10s  %-14s %8s %7s %8s %9s %9s\n", "window_start", "window_end", "campaign", "views", "clicks", "CTR", "latency", "job")
	partial := false
	for _, r := range v.Rows {
		mark := " "
		if r.Partial {
			mark, partial = "*", true
		}
		fmt.Fprintf(&b, "%-12s  %-10s  %-14s %8d %7d %8s %9s %9s\n",
			clock(r.WindowStart)+mark, clock(r.WindowEnd), r.Campaign, r.Views, r.Clicks, pct(r.CTR),
			seconds(r.Consumed-r.MaxKafkaTS), seconds(r.RecordTS-r.MaxKafkaTS))
	}
	b.WriteString("\nwindows are 10 s tumbling windows, times in UTC; latency: when the result was read minus\nmax_kafka_ts (the window's newest Kafka timestamp); job: the result record's timestamp minus max_kafka_ts\n")
	if partial {
		b.WriteString("* partial: the window began before the generator started, so it holds fewer events\n")
	}
	return fitWidth(b.String(), v.Width)
}

// waiting says when the first window will close: at its end (the first
// multiple of 10 s after the generator's start) plus the watermark's 1 s.
func waiting(start int64, elapsed time.Duration) string {
	if start == 0 {
		return "waiting for the first 10 s window to close (its end plus the 1 s watermark delay)...\n"
	}
	end := (start/10000 + 1) * 10000
	due := time.Duration(end+1000-start)*time.Millisecond - elapsed
	return fmt.Sprintf("waiting for the first window (%s-%s, partial: it began before the generator) to close once the watermark, 1 s behind the newest event, passes %s: in about %.0f s...\n",
		clock(end-10000), clock(end), clock(end), max(due, 0).Seconds())
}

// resultLine is the one-line form of a result, for a non-terminal.
func resultLine(r resultRow) string {
	partial := ""
	if r.Partial {
		partial = " (partial: the window began before the generator started)"
	}
	return fmt.Sprintf("window %s-%s %s views=%d clicks=%d ctr=%s latency=%s job=%s%s",
		clock(r.WindowStart), clock(r.WindowEnd), r.Campaign, r.Views, r.Clicks, pct(r.CTR),
		seconds(r.Consumed-r.MaxKafkaTS), seconds(r.RecordTS-r.MaxKafkaTS), partial)
}

func clock(ms int64) string { return time.UnixMilli(ms).UTC().Format("15:04:05") }

func pct(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(*f*100, 'f', 2, 64) + "%"
}

func seconds(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 2, 64) + "s" }
