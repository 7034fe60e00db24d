package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/streamsql/streamsql/runtime/devbroker"
	"github.com/streamsql/streamsql/runtime/gen"
	"github.com/urfave/cli/v2"
	"io"
)

func TestParseStart(t *testing.T) {
	now := time.UnixMilli(1_800_000_000_123)
	for _, c := range []struct {
		in   string
		file bool
		want int64
	}{
		{"", true, gen.DefaultFileStart},
		{"", false, 1_800_000_000_123},
		{"now", true, 1_800_000_000_123},
		{"1700000000000", false, 1_700_000_000_000},
		{"2024-01-01T00:00:10Z", false, 1_704_067_210_000},
		{"2024-01-01T01:00:00+01:00", true, 1_704_067_200_000},
	} {
		got, err := parseStart(c.in, c.file, now)
		if err != nil || got != c.want {
			t.Errorf("parseStart(%q, %v) = %d, %v; want %d", c.in, c.file, got, err, c.want)
		}
	}
	if _, err := parseStart("yesterday", false, now); err == nil || !strings.Contains(err.Error(), "--start") {
		t.Errorf("bad --start: %v", err)
	}
}

func TestFormatting(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00.0", 1500 * time.Millisecond: "0:01.5", 75 * time.Second: "1:15.0", 3725 * time.Second: "1:02:05"} {
		if got := fmtElapsed(d); got != want {
			t.Errorf("fmtElapsed(%v) = %q, want %q", d, got, want)
		}
	}
	got := progressLine(gen.Progress{Sent: 2500, Total: 10000, Elapsed: 1250 * time.Millisecond})
	want := "[#######.......................]  25%  2,500/10,000 events  2,000/s  elapsed 0:01.2"
	if got != want {
		t.Errorf("progressLine\n got %q\nwant %q", got, want)
	}
	got = progressLine(gen.Progress{Sent: 3000, Elapsed: 2 * time.Second})
	if want := "3,000 events  1,500/s  elapsed 0:02.0"; got != want {
		t.Errorf("progressLine\n got %q\nwant %q", got, want)
	}
}

func TestGenFileReproducible(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	for _, p := range []string{a, b} {
		if _, stderr, err := runApp(t, "gen", "--rate", "0", "--count", "2000", "--seed", "5", "--out-of-order", "400", "--late-fraction", "0.05", "--out", p); err != nil {
			t.Fatalf("gen: %v\n%s", err, stderr)
		} else if !strings.Contains(stderr, "2,000 events to "+p) {
			t.Errorf("final line: %q", stderr)
		}
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || !bytes.Equal(da, db) {
		t.Fatalf("same seed and flags gave different files (%d and %d bytes)", len(da), len(db))
	}
	// The library with the same settings writes the same bytes.
	g, err := gen.New(gen.Config{Seed: 5, Start: gen.DefaultFileStart, OutOfOrderMs: 400, LateFraction: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if lib := g.AppendLines(nil, 2000); !bytes.Equal(lib, da) {
		t.Error("CLI output differs from the library's")
	}
	stdout, _, err := runApp(t, "gen", "--count", "3", "--out", "-", "--seed", "5", "--rate", "0", "--out-of-order", "400", "--late-fraction", "0.05")
	if err != nil || !strings.HasPrefix(string(da), stdout) || strings.Count(stdout, "\n") != 3 {
		t.Errorf("--out - wrote %q (err %v)", stdout, err)
	}
}

func TestGenFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"gen", "--count", "5", "--duration", "1s", "--out", "-"},
		{"gen", "--late-fraction", "2", "--out", "-"},
		{"gen", "--start", "soon", "--out", "-"},
		{"gen", "--rate", "-1", "--out", "-"},
		{"gen", "extra-arg"},
	} {
		if _, _, err := runApp(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestGenToKafka(t *testing.T) {
	b, err := devbroker.Start(devbroker.Config{Addr: "127.0.0.1:0", Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, stderr, err := runApp(t, "gen", "--brokers", b.Addr(), "--topic", "ev", "--partitions", "3", "--count", "500", "--rate", "0")
	if err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr)
	}
	if n := b.Partitions("ev"); n != 3 {
		t.Errorf("topic has %d partitions, want 3", n)
	}
	if !strings.Contains(stderr, "500 events to topic ev at "+b.Addr()) {
		t.Errorf("final line: %q", stderr)
	}
	// A broker that is not there: a clear error, quickly.
	addr := b.Addr()
	b.Close()
	start := time.Now()
	_, _, err = runApp(t, "gen", "--brokers", addr, "--count", "1")
	if err == nil || !strings.Contains(err.Error(), addr) || time.Since(start) > 30*time.Second {
		t.Errorf("unreachable broker: err %v after %v", err, time.Since(start))
	}
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

func TestKafkaCommand(t *testing.T) {
	var errOut syncBuf
	app := newApp()
	app.Writer, app.ErrWriter = &syncBuf{}, &errOut
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- app.RunContext(ctx, []string{"streamsql", "kafka", "--addr", "127.0.0.1:0", "--partitions", "2"})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := errOut.String()
	for _, want := range []string{"listening on 127.0.0.1:", "in memory", "not for production", "stopped"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if _, _, err := runApp(t, "kafka", "--addr", "nonsense"); err == nil {
		t.Error("bad --addr accepted")
	}
}

// gen's disorder defaults are the demo's, so the pipeline by hand
// reports late rows as the demo does: the default output equals the
// library's with the demo's numbers (500 ms out of order, 1% late).
func TestGenDefaultsAreTheDemos(t *testing.T) {
	defaults := func(c *cli.Command) map[string]string {
		m := map[string]string{}
		for _, f := range c.Flags {
			if df, ok := f.(cli.DocGenerationFlag); ok {
				m[f.Names()[0]] = df.GetDefaultText()
			}
		}
		return m
	}
	g, d := defaults(genCommand()), defaults(demoCommand())
	for _, name := range []string{"out-of-order", "late-fraction", "campaigns", "seed"} {
		if g[name] != d[name] {
			t.Errorf("--%s: gen's default %q, demo's %q", name, g[name], d[name])
		}
	}
	stdout, _, err := runApp(t, "gen", "--count", "2000", "--rate", "0", "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	lib, err := gen.New(gen.Config{Seed: 1, Campaigns: 10, Start: gen.DefaultFileStart, OutOfOrderMs: 500, LateFraction: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if want := string(lib.AppendLines(nil, 2000)); stdout != want {
		t.Errorf("gen's default events differ from the demo's settings")
	}
}

// On a terminal gen redraws one progress line while it runs; elsewhere it
// prints only the final line.
func TestGenProgressOnTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	var screen syncBuf
	copied := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(copied) }()
	out := filepath.Join(t.TempDir(), "ev.jsonl")
	app := newApp()
	app.Writer, app.ErrWriter = io.Discard, tty
	if err := app.Run([]string{"streamsql", "gen", "--rate", "400", "--count", "600", "--out", out}); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	<-copied
	s := screen.String()
	if n := strings.Count(s, "\r\x1b[K"); n < 3 || !strings.Contains(s, "events/s") && !strings.Contains(s, "/s  elapsed") {
		t.Errorf("want a progress line redrawn several times on the terminal, got %d redraws: %q", n, s)
	}
	if !strings.Contains(s, "[##") || !strings.Contains(s, "streamsql gen: 600 events to "+out) {
		t.Errorf("progress bar or final line missing: %q", s)
	}
	_, stderr, err := runApp(t, "gen", "--rate", "400", "--count", "600", "--out", out)
	if err != nil || strings.Contains(stderr, "\r") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("not a terminal: want only the final line, got %q (%v)", stderr, err)
	}
}
