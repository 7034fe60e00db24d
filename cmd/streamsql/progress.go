package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/streamsql/streamsql/runtime"
	"github.com/streamsql/streamsql/runtime/metrics"
	"github.com/streamsql/streamsql/runtime/progress"
)

// liveRefresh is how often the terminal status is redrawn.
const liveRefresh = 500 * time.Millisecond

// observeFlags are the run flags for watching a job: the progress view and
// the Prometheus endpoint.
func observeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "progress", Value: "auto",
			Usage: "live status on standard error: auto (a refreshing view on a terminal, periodic log lines otherwise), on (always the refreshing view), off"},
		&cli.DurationFlag{Name: "progress-interval", Value: 10 * time.Second,
			Usage: "how often progress is logged when standard error is not a terminal"},
		&cli.StringFlag{Name: "metrics-addr",
			Usage: "serve Prometheus metrics at http://ADDR/metrics; a bare port (9249 or :9249) binds 127.0.0.1, name a host to listen elsewhere (0.0.0.0:9249)"},
	}
}

// observer runs the progress view and the metrics server around a run.
type observer struct {
	mode     string // "live", "log" or "off"
	interval time.Duration
	errw     io.Writer
	width    int // terminal width for the live view (0: do not clip)
	metrics  string

	screen *screen // live mode: stderr (and stdout when it is the same terminal)
	srv    *metrics.Server
	stop   chan struct{}
	done   sync.WaitGroup
}

// newObserver reads the flags. It runs before the job is built because
// the job's standard output must go through the screen in live mode.
func newObserver(c *cli.Context) (*observer, error) {
	o := &observer{interval: c.Duration("progress-interval"), errw: c.App.ErrWriter, metrics: c.String("metrics-addr")}
	if o.errw == nil {
		o.errw = os.Stderr
	}
	if o.interval <= 0 {
		return nil, fmt.Errorf("--progress-interval must be positive, got %s", o.interval)
	}
	width, tty := terminalWidth(o.errw)
	switch mode := c.String("progress"); mode {
	case "off":
		o.mode = "off"
	case "on":
		o.mode = "live"
	case "auto":
		o.mode = "log"
		if tty {
			o.mode = "live"
		}
	default:
		return nil, fmt.Errorf("--progress=%s: want auto, on or off", mode)
	}
	if o.mode == "live" {
		o.width = width
		o.screen = &screen{w: o.errw}
	}
	if o.metrics != "" {
		addr, err := metrics.ListenAddr(o.metrics)
		if err != nil {
			return nil, err
		}
		o.metrics = addr
	}
	return o, nil
}

// stdout returns the writer the job's print sinks should use: in live
// mode, when standard output is the same kind of terminal as standard
// error, writes clear the status block first and redraw it after, so
// results and status do not overwrite each other.
func (o *observer) stdout(w io.Writer) io.Writer {
	if w == nil {
		w = os.Stdout
	}
	if o.screen == nil {
		return w
	}
	if _, tty := terminalWidth(w); !tty {
		return w
	}
	return &screenWriter{s: o.screen, w: w}
}

// start begins observing a built job.
func (o *observer) start(ctx context.Context, j *runtime.Job, jobName string) error {
	if o.metrics != "" {
		srv, err := metrics.Serve(o.metrics, metrics.NewCollector(j, jobName))
		if err != nil {
			return err
		}
		o.srv = srv
		fmt.Fprintf(o.errw, "streamsql: metrics at http://%s/metrics\n", srv.Addr())
	}
	if o.mode == "off" {
		return nil
	}
	o.stop = make(chan struct{})
	o.done.Add(1)
	go o.loop(ctx, j)
	return nil
}

func (o *observer) loop(ctx context.Context, j *runtime.Job) {
	defer o.done.Done()
	every := liveRefresh
	if o.mode == "log" {
		every = o.interval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	logger := slog.New(slog.NewTextHandler(o.errw, nil))
	prev := j.Progress() // so the first refresh already shows rates
	for {
		select {
		case <-o.stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s := j.Progress()
		s.SetRates(prev)
		prev = s
		if o.mode == "live" {
			o.screen.draw(clip(progress.Render(s), o.width))
		} else {
			logger.LogAttrs(ctx, slog.LevelInfo, "progress", progress.Attrs(s)...)
		}
	}
}

// finish stops the view (erasing the live block) and the metrics server.
func (o *observer) finish() {
	if o.stop != nil {
		close(o.stop)
		o.done.Wait()
	}
	if o.screen != nil {
		o.screen.clear()
	}
	if o.srv != nil {
		o.srv.Close()
	}
}

// jobName labels metrics: the .sql file's base name without extension.
func jobName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// terminalWidth reports whether w is a terminal and its width (0 when
// unknown).
func terminalWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, true
	}
	return width, true
}

// clip cuts every line to fit a terminal of the given width (0: no
// limit), so the block's line count is what the screen erases.
func clip(block string, width int) string {
	if width <= 1 {
		return block
	}
	lines := strings.SplitAfter(block, "\n")
	for i, l := range lines {
		body := strings.TrimSuffix(l, "\n")
		if r := []rune(body); len(r) > width-1 {
			lines[i] = string(r[:width-1]) + strings.TrimPrefix(l, body)
		}
	}
	return strings.Join(lines, "")
}

// screen draws a status block at the bottom of a terminal and redraws
// it in place.
type screen struct {
	mu    sync.Mutex
	w     io.Writer
	block string // what is shown now ("" when nothing)
}

// erase removes the shown block; the caller holds mu.
func (s *screen) erase() {
	if n := strings.Count(s.block, "\n"); n > 0 {
		fmt.Fprintf(s.w, "\r\x1b[%dA\x1b[J", n)
	}
}

func (s *screen) draw(block string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.erase()
	io.WriteString(s.w, block)
	s.block = block
}

func (s *screen) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.erase()
	s.block = ""
}

// screenWriter writes job output above the status block.
type screenWriter struct {
	s *screen
	w io.Writer
}

func (sw *screenWriter) Write(p []byte) (int, error) {
	s := sw.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.erase()
	n, err := sw.w.Write(p)
	if s.block != "" {
		io.WriteString(s.w, s.block)
	}
	return n, err
}
