package devbroker

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// The broker of TestSIGKILLKeepsCommittedTransactions runs in a child
// process: this test binary run again with brokerChildEnv set. SIGTERM
// stops it cleanly, SIGKILL does not.
const brokerChildEnv = "STREAMSQL_DEVBROKER_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(brokerChildEnv); dir != "" {
		term := make(chan os.Signal, 1)
		signal.Notify(term, syscall.SIGTERM)
		b, err := Start(Config{Addr: "127.0.0.1:0", Partitions: 2, DataDir: dir})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(b.Addr())
		<-term
		b.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childBroker starts the broker in a child process on dir and returns its
// address and the process.
func childBroker(t *testing.T, dir string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), brokerChildEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("broker child did not start: %v: %s", err, stderr.String())
	}
	return strings.TrimSpace(line), cmd
}

// txnProducer writes transactions of `per` records to topic "txn" (auto-
// created), round robin over its partitions.
type txnProducer struct {
	cl   *kgo.Client
	want []string // the committed records
}

func (p *txnProducer) txn(t *testing.T, ctx context.Context, name string, per int, commit bool) {
	t.Helper()
	if err := p.cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for j := range per {
		v := fmt.Sprintf("%s-r%d", name, j)
		if commit {
			p.want = append(p.want, v)
		}
		if err := p.cl.ProduceSync(ctx, kgo.StringRecord(v)).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if commit {
		if err := p.cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
			t.Fatal(err)
		}
	}
}

func newTxnProducer(t *testing.T, addr string) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID("crash-test"),
		kgo.DefaultProduceTopic("txn"), kgo.AllowAutoTopicCreation(), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()),
		kgo.TransactionTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// Defect 9 of issue 9: after a SIGKILL the restarted broker hid
// committed transactional records (kfake kept a topic created on demand
// out of its topic list until a clean shutdown, and dropped its records
// on the restart). Here a broker commits transactions to a topic created
// on demand and is SIGKILLed with one more transaction open: after the
// restart read_committed must see every committed record and none of the
// open transaction's. Then the same after a commit and a clean stop.
func TestSIGKILLKeepsCommittedTransactions(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	p := &txnProducer{}
	check := func(addr, when string) {
		t.Helper()
		got := readCommitted(t, ctx, addr, "txn", len(p.want))
		sort.Strings(got)
		want := append([]string(nil), p.want...)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s: read_committed sees %d records:\n%v\nwant the %d committed:\n%v", when, len(got), got, len(want), want)
		}
	}
	addr, cmd := childBroker(t, dir)
	p.cl = newTxnProducer(t, addr)
	for _, name := range []string{"a", "b", "c", "d"} {
		p.txn(t, ctx, name, 5, true)
	}
	p.txn(t, ctx, "open", 4, false)
	check(addr, "before the kill")
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	p.cl.Close()

	addr, cmd = childBroker(t, dir)
	check(addr, "after SIGKILL and restart")
	p.cl = newTxnProducer(t, addr)
	p.txn(t, ctx, "e", 5, true)
	p.cl.Close()
	check(addr, "after a commit following the restart")
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("broker did not stop cleanly: %v", err)
	}
	addr, _ = childBroker(t, dir)
	check(addr, "after a clean stop and restart")
}

// readCommitted reads the committed records of topic: until it has want
// of them and a while longer (to see any extra), at most 10 s.
func readCommitted(t *testing.T, ctx context.Context, addr, topic string, want int) []string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []string
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	extra := time.Time{}
	for ctx.Err() == nil {
		pctx, pcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		fs := cl.PollFetches(pctx)
		pcancel()
		fs.EachRecord(func(r *kgo.Record) { out = append(out, string(r.Value)) })
		if len(out) >= want {
			if extra.IsZero() {
				extra = time.Now()
			} else if time.Since(extra) > 500*time.Millisecond {
				break
			}
		}
	}
	return out
}
