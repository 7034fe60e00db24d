package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/streamsql/streamsql/runtime"
)

func TestClip(t *testing.T) {
	if got, want := clip("abcdef\nxy\n", 5), "abcd\nxy\n"; got != want {
		t.Errorf("clip = %q, want %q", got, want)
	}
	if got := clip("abcdef\n", 0); got != "abcdef\n" {
		t.Errorf("width 0 must not clip: %q", got)
	}
}

// TestScreen checks the escape sequences: a redraw moves up over the
// lines shown and clears to the end of the screen; job output goes above
// the block, which is drawn again after it.
func TestScreen(t *testing.T) {
	var buf bytes.Buffer
	s := &screen{w: &buf}
	s.draw("a\nb\n")
	s.draw("c\n")
	sw := &screenWriter{s: s, w: &buf}
	if n, err := sw.Write([]byte("+I[1]\n")); n != 6 || err != nil {
		t.Errorf("Write = %d, %v", n, err)
	}
	s.clear()
	want := "a\nb\n" +
		"\r\x1b[2A\x1b[J" + "c\n" +
		"\r\x1b[1A\x1b[J" + "+I[1]\n" + "c\n" +
		"\r\x1b[1A\x1b[J"
	if got := buf.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestJobName(t *testing.T) {
	if got := jobName("queries/ctr_file.sql"); got != "ctr_file" {
		t.Errorf("jobName = %q", got)
	}
}

func TestRunFlagErrors(t *testing.T) {
	t.Chdir("../..")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--progress=maybe", "queries/ctr_file.sql"}, "--progress=maybe: want auto, on or off"},
		{[]string{"run", "--metrics-addr", "abc", "queries/ctr_file.sql"}, "not a number"},
		{[]string{"run", "--progress-interval", "0s", "queries/ctr_file.sql"}, "--progress-interval must be positive"},
	} {
		_, _, err := runApp(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

// TestRunWithMetricsAddr runs the file query with a metrics server on a
// free port: standard error (not a terminal, so no live view) names the
// endpoint and the final per-source and per-sink figures.
func TestRunWithMetricsAddr(t *testing.T) {
	t.Chdir("../..")
	_, stderr, err := runApp(t, "run", "--metrics-addr", "127.0.0.1:0", "queries/ctr_file.sql")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{
		"streamsql: metrics at http://127.0.0.1:",
		"  source ad_events 600 records read, 600 rows emitted, 0 skipped\n",
		"  sink   results   18 rows written\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "\x1b[") {
		t.Errorf("escape sequences on a non-terminal:\n%q", stderr)
	}
}

// TestLogMode checks the periodic slog lines of a non-terminal run.
func TestLogMode(t *testing.T) {
	t.Chdir("../..")
	job, err := load("queries/ctr_file.sql")
	if err != nil {
		t.Fatal(err)
	}
	rj, err := runtime.Build(job.Graph, runtime.Options{Stdout: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rj.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuf{} // gen_test.go
	o := &observer{mode: "log", interval: 10 * time.Millisecond, errw: logs}
	if err := o.start(context.Background(), rj, "ctr_file"); err != nil {
		t.Fatal(err)
	}
	// Wait for the first tick (10 ms), giving up after 10 s.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "\n") && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	o.finish()
	first, _, _ := strings.Cut(logs.String(), "\n")
	for _, want := range []string{"level=INFO msg=progress", "source.ad_events.records_read=600", "sink.results.rows_out=18", "source.ad_events.watermark=\"end of input\""} {
		if !strings.Contains(first, want) {
			t.Errorf("log line lacks %q: %s", want, first)
		}
	}
}
