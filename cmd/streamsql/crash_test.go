package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime/gen"
)

// The crash harness (docs/checkpoints.md, "Crash tests"): a development
// broker in a process of its own, a generated stream of ad events on
// ad-events-2 (4 partitions), and queries/ctr.sql's query run as a child
// process `streamsql run` with checkpoints, bounded at the topic's end,
// writing to `results`. The engine is killed with SIGKILL again and
// again -- at failpoints before, inside and after a checkpoint's
// snapshot, sync and transaction commit (STREAMSQL_CRASH_AT), and at
// random moments -- and restarted until it completes. Then `results` is
// read with read_committed and compared, as a multiset, with the counts
// of views and clicks per window and campaign recomputed here from the
// generator's events.
//
// `go test ./cmd/streamsql` runs a short variant; `make test-crash` the
// long one (-crash.long: 200 000 events, at least 20 kills per delivery
// guarantee).

var crashLong = flag.Bool("crash.long", false, "run the long crash harness (make test-crash)")

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// streamsqlBinary builds the CLI once per test process.
func streamsqlBinary(t *testing.T) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "streamsql-crash-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "streamsql")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startBroker runs `streamsql kafka` in its own process and returns its
// address.
func startBroker(t *testing.T, bin string) string {
	cmd := exec.Command(bin, "kafka", "--addr", "127.0.0.1:0", "--partitions", "4", "--data-dir", t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, "listening on "); ok {
				a, _, _ := strings.Cut(rest, " ")
				select {
				case addr <- a:
				default:
				}
			}
		}
	}()
	select {
	case a := <-addr:
		return a
	case <-time.After(20 * time.Second):
		t.Fatal("the broker did not say where it listens")
	}
	return ""
}

// crashRun is one harness run's configuration and figures.
type crashRun struct {
	Guarantee string // exactly-once or at-least-once
	Events    int
	Kills     int // at least this many SIGKILLs before the final run
	// Parallelism, when set, is 'parallelism.default' of each start in
	// turn (a restart at another parallelism rescales the checkpoint).
	Parallelism []int

	KillsByPhase map[string]int
	Starts       int
	Completed    bool
	Expected     int // result rows of the crash-free answer
	Read         int // rows read with read_committed
	Lost, Dup    int
	Wrong        int
	Uncommitted  int // records in the topic invisible to read_committed (aborted)
	Elapsed      time.Duration
}

func (r *crashRun) String() string {
	var phases []string
	for _, p := range append(append([]string(nil), crashPhases...), "align", "random") {
		if n := r.KillsByPhase[p]; n > 0 {
			phases = append(phases, fmt.Sprintf("%s=%d", p, n))
		}
	}
	total := 0
	for _, n := range r.KillsByPhase {
		total += n
	}
	return fmt.Sprintf("%s: %d events, %d SIGKILLs (%s), %d starts, %s; expected %d result rows, read %d with read_committed: lost %d, duplicated %d, wrong %d; aborted/uncommitted records in the topic: %d",
		r.Guarantee, r.Events, total, strings.Join(phases, " "), r.Starts, r.Elapsed.Round(100*time.Millisecond), r.Expected, r.Read, r.Lost, r.Dup, r.Wrong, r.Uncommitted)
}

// crashPhases are the failpoints the harness cycles through, with
// random timer kills in between.
var crashPhases = []string{"commit", "sync", "complete", "snapshot", "synced", "flush", "flushed", "done"}

const crashSQLTemplate = `
SET 'pipeline.name' = 'ctr-crash';
SET 'execution.checkpointing.interval' = '%s';
SET 'state.checkpoints.num-retained' = '2';
`

// crashSQL is queries/ctr.sql pointed at addr, bounded at the end of
// ad-events-2, with checkpoints and the sink's delivery guarantee.
func crashSQL(t *testing.T, addr, guarantee, prefix, interval string) string {
	src, err := os.ReadFile("../../queries/ctr.sql")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	replace := func(old, new string) {
		if strings.Count(s, old) < 1 {
			t.Fatalf("queries/ctr.sql no longer contains %q", old)
		}
		s = strings.ReplaceAll(s, old, new)
	}
	replace("'127.0.0.1:9092'", "'"+addr+"'")
	replace("'scan.startup.mode' = 'earliest-offset',", "'scan.startup.mode' = 'earliest-offset',\n  'scan.bounded.mode' = 'latest-offset',")
	replace("'topic' = 'results',", fmt.Sprintf("'topic' = 'results',\n  'sink.delivery-guarantee' = '%s',\n  'sink.transactional-id-prefix' = '%s',", guarantee, prefix))
	replace("SET 'pipeline.name' = 'ctr';", fmt.Sprintf(crashSQLTemplate, interval))
	return s
}

type winKey struct {
	start    int64
	campaign string
}

type winCounts struct{ views, clicks int64 }

// produceEvents writes n generated events to ad-events-2 and returns the
// crash-free answer, computed from the events themselves.
func produceEvents(t *testing.T, addr string, cfg gen.Config, n int) map[winKey]winCounts {
	g, err := gen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sink, err := gen.NewKafkaSink(context.Background(), g, gen.KafkaConfig{Brokers: []string{addr}, Topic: "ad-events-2", Partitions: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := map[winKey]winCounts{}
	evs := make([]gen.Event, 1000)
	for sent := 0; sent < n; sent += len(evs) {
		b := evs[:min(len(evs), n-sent)]
		g.NextBatch(b)
		for i := range b {
			e := &b[i]
			k := winKey{e.EventTime - ((e.EventTime%10000)+10000)%10000, g.CampaignID(e.Campaign)}
			c := want[k]
			switch e.Type {
			case gen.View:
				c.views++
			case gen.Click:
				c.clicks++
			}
			want[k] = c
		}
		if err := sink.Send(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if q := sink.Queued(); q != int64(n) {
		t.Fatalf("queued %d events, want %d", q, n)
	}
	return want
}

// readTopic reads every partition of topic to its end with the given
// isolation level and returns the record values.
func readTopic(t *testing.T, addr, topic string, iso sarama.IsolationLevel) [][]byte {
	sc := sarama.NewConfig()
	sc.Version = sarama.V2_8_0_0
	sc.Consumer.IsolationLevel = iso
	sc.Consumer.MaxWaitTime = 50 * time.Millisecond
	cl, err := sarama.NewClient([]string{addr}, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	cons, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	parts, err := cl.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, p := range parts {
		end, err := cl.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		// read_committed skips aborted records and transaction markers:
		// stop once nothing more arrives for a while.
		idle := time.NewTimer(time.Second)
	read:
		for {
			select {
			case m := <-pc.Messages():
				out = append(out, m.Value)
				if m.Offset >= end-1 {
					break read
				}
				idle.Reset(time.Second)
			case <-idle.C:
				break read
			}
		}
		pc.Close()
	}
	return out
}

// runCrash runs the harness once.
func runCrash(t *testing.T, r *crashRun, seed uint64) {
	start := time.Now()
	bin := streamsqlBinary(t)
	addr := startBroker(t, bin)
	cfg := gen.Config{Seed: seed, Campaigns: 20, Start: gen.DefaultFileStart, EventRate: 250, OutOfOrderMs: 500}
	want := produceEvents(t, addr, cfg, r.Events)
	dir := t.TempDir()
	sqlPath := filepath.Join(dir, "ctr-crash.sql")
	if err := os.WriteFile(sqlPath, []byte(crashSQL(t, addr, r.Guarantee, "crash-"+fmt.Sprint(seed), "10 ms")), 0o644); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(dir, "state")
	logPath := filepath.Join(dir, "engine.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	rng := rand.New(rand.NewPCG(seed, 99))
	phases := crashPhases
	if len(r.Parallelism) > 0 {
		phases = append([]string{"align"}, crashPhases...)
	}
	if r.Guarantee != "exactly-once" {
		phases = nil // no transaction: no commit or complete phase
		for _, p := range crashPhases {
			if p != "commit" && p != "complete" {
				phases = append(phases, p)
			}
		}
	}
	r.KillsByPhase = map[string]int{}
	kills := 0
	for attempt := 0; ; attempt++ {
		if attempt > 10*r.Kills+20 {
			t.Fatalf("no completion after %d starts; log %s", attempt, logPath)
		}
		if len(r.Parallelism) > 0 {
			par := r.Parallelism[attempt%len(r.Parallelism)]
			src := fmt.Sprintf("SET 'parallelism.default' = '%d';\n", par) + crashSQL(t, addr, r.Guarantee, "crash-"+fmt.Sprint(seed), "10 ms")
			if err := os.WriteFile(sqlPath, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(logf, "---- parallelism %d\n", par)
		}
		cmd := exec.Command(bin, "run", "--quiet", "--state-dir", stateDir, sqlPath)
		cmd.Stdout = logf
		cmd.Stderr = logf
		cmd.Env = os.Environ()
		phase := ""
		var timer *time.Timer
		if kills < r.Kills {
			// every third kill is a random one; the others cycle through
			// the failpoints, at one of the first checkpoints of the run
			if attempt%3 == 2 {
				phase = "random"
			} else {
				phase = phases[(attempt-attempt/3)%len(phases)]
				// At this start's first checkpoint: a bounded job always takes
				// at least one (its final one), so the kill always happens; a
				// later one may never come on a fast machine once little input
				// is left.
				cmd.Env = append(cmd.Env, fmt.Sprintf("STREAMSQL_CRASH_AT=%s:1", phase))
			}
		}
		fmt.Fprintf(logf, "---- start %d (kill: %s) %s\n", attempt+1, orNone(phase), strings.Join(cmd.Env[len(os.Environ()):], " "))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if phase == "random" {
			// early enough to land before a fast machine finishes
			d := time.Duration(20+rng.IntN(180)) * time.Millisecond
			timer = time.AfterFunc(d, func() { cmd.Process.Signal(syscall.SIGKILL) })
		}
		err := cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		r.Starts++
		if err == nil {
			r.Completed = true
			break
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				kills++
				r.KillsByPhase[phase]++
				continue
			}
		}
		logf.Sync()
		log, _ := os.ReadFile(logPath)
		t.Fatalf("start %d: the engine failed: %v\n%s", attempt+1, err, tail(string(log), 4000))
	}
	if kills < r.Kills {
		t.Errorf("the job completed after %d kills, before the %d planned: make it longer", kills, r.Kills)
	}
	// The crash-free answer vs what read_committed readers see.
	r.Expected = len(want)
	got := map[winKey]int{}
	for _, v := range readTopic(t, addr, "results", sarama.ReadCommitted) {
		row, err := decodeResult(v)
		if err != nil {
			t.Fatalf("results record %s: %v", v, err)
		}
		r.Read++
		k := winKey{row.WindowStart, row.Campaign}
		got[k]++
		w, ok := want[k]
		var ctrOK bool
		if w.views == 0 {
			ctrOK = row.CTR == nil
		} else {
			ctrOK = row.CTR != nil && fmt.Sprintf("%.12f", *row.CTR) == fmt.Sprintf("%.12f", float64(w.clicks)/float64(w.views))
		}
		if !ok || row.Views != w.views || row.Clicks != w.clicks || !ctrOK || row.WindowEnd != row.WindowStart+10000 {
			r.Wrong++
			if r.Wrong <= 5 {
				t.Errorf("wrong row %s (want views %d clicks %d)", v, w.views, w.clicks)
			}
		}
	}
	for k := range want {
		switch n := got[k]; {
		case n == 0:
			r.Lost++
			if r.Lost <= 5 {
				t.Errorf("lost: window %d campaign %s", k.start, k.campaign)
			}
		case n > 1:
			r.Dup += n - 1
		}
	}
	r.Uncommitted = len(readTopic(t, addr, "results", sarama.ReadUncommitted)) - r.Read
	r.Elapsed = time.Since(start)
	if p := os.Getenv("STREAMSQL_CRASH_LOG"); p != "" {
		logf.Sync()
		log, _ := os.ReadFile(logPath)
		os.WriteFile(p, log, 0o644)
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// TestCrashExactlyOnce: with exactly-once, read_committed readers see
// the crash-free answer exactly, however often the engine is killed.
func TestCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker and kills the engine many times")
	}
	r := &crashRun{Guarantee: "exactly-once", Events: 60000, Kills: 9}
	if *crashLong {
		r.Events, r.Kills = 200000, 24
	}
	runCrash(t, r, 7)
	t.Log(r)
	fmt.Println("crash harness:", r)
	if !r.Completed || r.Lost != 0 || r.Dup != 0 || r.Wrong != 0 {
		t.Errorf("exactly-once violated: %s", r)
	}
}

// TestCrashExactlyOnceParallel: the same at parallelism 2 and 4 in turn
// (every restart rescales the checkpoint, 4 Kafka partitions), with kills
// while a task aligns its barriers too.
func TestCrashExactlyOnceParallel(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker and kills the engine many times")
	}
	r := &crashRun{Guarantee: "exactly-once", Events: 60000, Kills: 9, Parallelism: []int{2, 4}}
	if *crashLong {
		r.Events, r.Kills = 200000, 24
	}
	runCrash(t, r, 11)
	t.Log(r)
	fmt.Println("crash harness (parallelism 2 and 4):", r)
	if !r.Completed || r.Lost != 0 || r.Dup != 0 || r.Wrong != 0 || r.KillsByPhase["align"] == 0 {
		t.Errorf("exactly-once violated or no kill during alignment: %s", r)
	}
}

// TestCrashAtLeastOnce: with at-least-once nothing is lost; duplicates
// are counted.
func TestCrashAtLeastOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker and kills the engine many times")
	}
	r := &crashRun{Guarantee: "at-least-once", Events: 60000, Kills: 9}
	if *crashLong {
		r.Events, r.Kills = 200000, 24
	}
	runCrash(t, r, 8)
	t.Log(r)
	fmt.Println("crash harness:", r)
	if !r.Completed || r.Lost != 0 || r.Wrong != 0 {
		t.Errorf("at-least-once violated: %s", r)
	}
}

// TestCrashDamagedCheckpoint: after a kill, the newest checkpoint's
// manifest is damaged. At-least-once falls back to the previous one and
// loses nothing; exactly-once refuses to restore an older checkpoint than
// the one Kafka committed (that would write its rows twice) with a clear
// error, and the committed results stay free of duplicates.
func TestCrashDamagedCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: starts a broker and kills the engine")
	}
	bin := streamsqlBinary(t)
	addr := startBroker(t, bin)
	cfg := gen.Config{Seed: 5, Campaigns: 20, Start: gen.DefaultFileStart, EventRate: 250, OutOfOrderMs: 500}
	want := produceEvents(t, addr, cfg, 40000)
	for _, guarantee := range []string{"at-least-once", "exactly-once"} {
		t.Run(guarantee, func(t *testing.T) {
			dir := t.TempDir()
			sqlPath := filepath.Join(dir, "q.sql")
			topic := "results-" + guarantee
			q := strings.Replace(crashSQL(t, addr, guarantee, "dmg-"+guarantee, "10 ms"), "'topic' = 'results',", "'topic' = '"+topic+"',", 1)
			os.WriteFile(sqlPath, []byte(q), 0o644)
			stateDir := filepath.Join(dir, "state")
			run := func(env ...string) (string, error) {
				cmd := exec.Command(bin, "run", "--quiet", "--state-dir", stateDir, sqlPath)
				cmd.Env = append(os.Environ(), env...)
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			if out, err := run("STREAMSQL_CRASH_AT=done:4"); err == nil {
				t.Fatalf("the failpoint did not kill the run:\n%s", out)
			}
			ids, _ := filepath.Glob(filepath.Join(stateDir, "checkpoints", "chk-*"))
			sort.Strings(ids)
			if len(ids) < 2 {
				t.Fatalf("checkpoints: %v", ids)
			}
			newest := ids[len(ids)-1]
			b, _ := os.ReadFile(newest)
			b[len(b)/2] ^= 0x20 // one flipped bit in the manifest body
			os.WriteFile(newest, b, 0o644)
			out, err := run()
			if guarantee == "exactly-once" {
				if err == nil || !strings.Contains(out, "cannot be restored") || !strings.Contains(out, "write the rows committed since then a second time") {
					t.Fatalf("want a clear refusal, got %v:\n%s", err, out)
				}
			} else if err != nil || !strings.Contains(out, "falling back to checkpoint") {
				t.Fatalf("want a fallback, got %v:\n%s", err, out)
			}
			got := map[winKey]int{}
			for _, v := range readTopic(t, addr, topic, sarama.ReadCommitted) {
				row, err := decodeResult(v)
				if err != nil {
					t.Fatal(err)
				}
				k := winKey{row.WindowStart, row.Campaign}
				got[k]++
				if w := want[k]; row.Views != w.views || row.Clicks != w.clicks {
					t.Errorf("wrong row %s", v)
				}
				if guarantee == "exactly-once" && got[k] > 1 {
					t.Errorf("duplicate row %s", v)
				}
			}
			if guarantee == "at-least-once" {
				for k := range want {
					if got[k] == 0 {
						t.Errorf("lost window %d campaign %s", k.start, k.campaign)
					}
				}
			}
			t.Logf("%s: %d distinct rows committed; restart said: %s", guarantee, len(got), tail(out, 700))
		})
	}
}
