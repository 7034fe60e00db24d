package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/streamsql/streamsql/runtime/gen"
	"github.com/streamsql/streamsql/runtime/progress"
	"github.com/urfave/cli/v2"
)

// The generator's disorder by default, the same in 'streamsql gen' and
// 'streamsql demo', so the pipeline by hand behaves as the demo does: event
// times up to 500 ms out of order, and 1% of events 2-5 s late (dropped as
// late by queries/ctr.sql's 1 s watermark).
const (
	defaultOutOfOrderMs = 500
	defaultLateFraction = 0.01
)

func genCommand() *cli.Command {
	return &cli.Command{
		Name:  "gen",
		Usage: "write generated ad events (JSON lines) to a Kafka topic or a file",
		Description: `Generates the ad events of the founding CTR pipeline, one JSON object per
record or line:

   {"user_id":"<uuid>","page_id":"<uuid>","ad_id":"<uuid>","ad_type":"banner",
    "event_type":"view","event_time":1704067200000,"campaign_id":"campaign-01",
    "ip_address":"81.12.7.200"}

event_type is about 85% view, 12% click, 3% purchase; event_time is epoch
milliseconds. Campaign ids are campaign-01, campaign-02, ... (--campaigns).

Kafka (the default): records go to --topic on --brokers, created with
--partitions partitions if it does not exist. The record key is the
campaign_id, so all events of a campaign stay in one partition, in order; the
record timestamp is the time the producer sent it.

File (--out FILE, or --out - for standard output): JSON lines.

Pacing: --rate events per second (0 = as fast as possible), steady under load
(events are due on a schedule measured from the start and sent in batches).
Event i's nominal time is --start + i/rate (1000 events per second of event
time when --rate is 0); --out-of-order D puts each event_time behind it by a
random 0..D ms, and --late-fraction F makes that fraction of events 2-5 s late,
beyond the 1 s watermark bound of queries/ctr.sql, so some are dropped as late.
The defaults (500 ms, 0.01) are the demo's; --out-of-order 0 --late-fraction 0
gives events in order.

While running, a one-line progress (events, rate, elapsed) is redrawn on
standard error when it is a terminal; only the final line is printed otherwise.

Reproducible: the same --seed and flags give the same events, byte for byte in
file mode (whose --start defaults to a fixed 2024-01-01T00:00:00Z) and the same
records per partition in Kafka mode (whose --start defaults to now).

Examples:
   streamsql gen --rate 2000                          to 127.0.0.1:9092, topic ad-events-2
   streamsql gen --rate 0 --count 10000000 --out events.jsonl
   streamsql gen --count 5 --out -`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "brokers", Value: "127.0.0.1:9092", Usage: "Kafka bootstrap servers, comma-separated"},
			&cli.StringFlag{Name: "topic", Value: "ad-events-2", Usage: "Kafka topic to write to"},
			&cli.IntFlag{Name: "partitions", Value: 4, Usage: "partitions of the topic when it has to be created"},
			&cli.StringFlag{Name: "out", Usage: "write JSON lines to this file instead of Kafka ('-' for standard output)"},
			&cli.Float64Flag{Name: "rate", Value: 1000, Usage: "events per second (0 = as fast as possible)"},
			&cli.Int64Flag{Name: "count", Usage: "stop after this many events (default: run until Ctrl-C)"},
			&cli.DurationFlag{Name: "duration", Usage: "stop after this long, e.g. 30s, 5m (with --rate: exactly rate × duration events)"},
			&cli.IntFlag{Name: "campaigns", Value: 10, Usage: "number of campaigns"},
			&cli.Int64Flag{Name: "out-of-order", Value: defaultOutOfOrderMs, Usage: "largest delay of event_time behind the send schedule, in ms (0: in order)"},
			&cli.Float64Flag{Name: "late-fraction", Value: defaultLateFraction, Usage: "fraction of events whose event_time is 2-5 s behind (late for a 1 s watermark; 0: none)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed: the same seed and flags give the same events"},
			&cli.StringFlag{Name: "start", Usage: "event-time origin: 'now', epoch ms or RFC 3339 (default: now for Kafka, 2024-01-01T00:00:00Z for files)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return cli.Exit("gen takes no arguments, only flags (see 'streamsql gen --help')", 2)
			}
			if c.IsSet("count") && c.IsSet("duration") {
				return cli.Exit("give --count or --duration, not both", 2)
			}
			if c.Int64("count") < 0 || c.Duration("duration") < 0 || c.Float64("rate") < 0 {
				return cli.Exit("--count, --duration and --rate must not be negative", 2)
			}
			out := c.String("out")
			start, err := parseStart(c.String("start"), out != "", time.Now())
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			rate := c.Float64("rate")
			if c.Int("campaigns") < 1 {
				return cli.Exit(fmt.Sprintf("--campaigns must be at least 1, got %d", c.Int("campaigns")), 2)
			}
			g, err := gen.New(gen.Config{
				Seed:         c.Uint64("seed"),
				Campaigns:    c.Int("campaigns"),
				Start:        start,
				EventRate:    rate, // 0: the generator's default of 1000/s of event time
				OutOfOrderMs: c.Int64("out-of-order"),
				LateFraction: c.Float64("late-fraction"),
			})
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			errw := errorWriter(c.App.ErrWriter)
			pace := gen.Pace{Rate: rate, Count: c.Int64("count"), Duration: c.Duration("duration")}
			bar := newProgressBar(errw, isTerminal(errw))
			pace.Progress = bar.update
			var st gen.Progress
			var where string
			if out != "" {
				st, where, err = genToFile(c.Context, g, pace, out, c.App.Writer)
			} else {
				st, where, err = genToKafka(c.Context, g, pace, c, errw)
			}
			if err == nil || st.Sent > 0 {
				bar.done(st, where)
			}
			if err != nil {
				return cli.Exit(err.Error(), 1)
			}
			return nil
		},
	}
}

// parseStart reads --start: empty (now for Kafka, gen.DefaultFileStart
// for files), "now", epoch milliseconds or an RFC 3339 time.
func parseStart(s string, file bool, now time.Time) (int64, error) {
	switch {
	case s == "" && file:
		return gen.DefaultFileStart, nil
	case s == "" || s == "now":
		return now.UnixMilli(), nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("--start %q: want 'now', epoch milliseconds or an RFC 3339 time such as 2024-01-01T00:00:00Z", s)
	}
	return t.UnixMilli(), nil
}

func genToFile(ctx context.Context, g *gen.Generator, pace gen.Pace, path string, stdout io.Writer) (gen.Progress, string, error) {
	var w io.Writer = stdout
	where := "standard output"
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return gen.Progress{}, "", err
		}
		defer f.Close()
		w, where = f, path
	} else if w == nil {
		w = os.Stdout
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	buf := make([]byte, 0, 1<<20)
	st, err := gen.Drive(ctx, g, pace, func(evs []gen.Event) error {
		buf = buf[:0]
		for i := range evs {
			buf = g.AppendJSON(buf, &evs[i])
			buf = append(buf, '\n')
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		if pace.Rate > 0 { // paced output is watched as it grows
			return bw.Flush()
		}
		return nil
	})
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if f, ok := w.(*os.File); ok && path != "-" && err == nil {
		err = f.Close()
	}
	if err != nil {
		err = fmt.Errorf("writing %s: %w", where, err)
	}
	return st, where, err
}

func genToKafka(ctx context.Context, g *gen.Generator, pace gen.Pace, c *cli.Context, errw io.Writer) (gen.Progress, string, error) {
	brokers := splitList(c.String("brokers"))
	topic := c.String("topic")
	where := fmt.Sprintf("topic %s at %s", topic, strings.Join(brokers, ","))
	sink, err := gen.NewKafkaSink(ctx, g, gen.KafkaConfig{
		Brokers: brokers, Topic: topic, Partitions: c.Int("partitions"),
		Warn: func(s string) { fmt.Fprintln(errw, "streamsql gen:", s) },
	})
	if err != nil {
		return gen.Progress{}, where, err
	}
	st, err := gen.Drive(ctx, g, pace, sink.Send)
	if cerr := sink.Close(); err == nil {
		err = cerr
	}
	st.Sent = sink.Queued() // Ctrl-C may cut the last batch short
	return st, where, err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// errorWriter is w, or os.Stderr when w is nil.
func errorWriter(w io.Writer) io.Writer {
	if w == nil {
		return os.Stderr
	}
	return w
}

// isTerminal reports whether w is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(w io.Writer) bool {
	_, tty := terminalWidth(w)
	return tty
}

// progressBar redraws one status line on a terminal and prints only a
// final line otherwise.
type progressBar struct {
	w    io.Writer
	tty  bool
	drew bool
}

func newProgressBar(w io.Writer, tty bool) *progressBar { return &progressBar{w: w, tty: tty} }

func (b *progressBar) update(p gen.Progress) {
	if !b.tty {
		return
	}
	b.drew = true
	fmt.Fprintf(b.w, "\r\x1b[K%s", progressLine(p))
}

func (b *progressBar) done(p gen.Progress, where string) {
	if b.drew {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
	fmt.Fprintf(b.w, "streamsql gen: %s events to %s in %s (%s events/s)\n",
		progress.GroupDigits(p.Sent), where, fmtElapsed(p.Elapsed), progress.GroupDigits(int64(p.Rate()+0.5)))
}

// progressLine renders a progress snapshot: a bar when the total is known.
func progressLine(p gen.Progress) string {
	var sb strings.Builder
	if p.Total > 0 {
		const width = 30
		filled := int(p.Sent * width / p.Total)
		sb.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "] ")
		fmt.Fprintf(&sb, "%3d%%  %s/%s events", p.Sent*100/p.Total, progress.GroupDigits(p.Sent), progress.GroupDigits(p.Total))
	} else {
		fmt.Fprintf(&sb, "%s events", progress.GroupDigits(p.Sent))
	}
	fmt.Fprintf(&sb, "  %s/s  elapsed %s", progress.GroupDigits(int64(p.Rate()+0.5)), fmtElapsed(p.Elapsed))
	return sb.String()
}

// fmtElapsed shows a duration as m:ss.t (or h:mm:ss past an hour).
func fmtElapsed(d time.Duration) string {
	if d >= time.Hour {
		return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d:%02d.%d", int(d.Minutes()), int(d.Seconds())%60, int(d/(100*time.Millisecond))%10)
}
