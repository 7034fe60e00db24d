package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/runtime/connector/kafka/kafkatest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// testConfig shortens the group protocol's timers for in-process tests:
// heartbeats every 100 ms (a rebalance is noticed within one), a 6 s
// session (the broker's minimum), short fetch waits.
func testConfig() *sarama.Config {
	sc := kafkatest.Config()
	sc.Consumer.Group.Heartbeat.Interval = 100 * time.Millisecond
	sc.Consumer.Group.Session.Timeout = 6 * time.Second
	sc.Consumer.Group.Rebalance.Timeout = 3 * time.Second
	return sc
}

// owners follows the events of all instances: who owns what now.
type owners struct {
	mu     sync.Mutex
	owns   map[string][]Task
	events []string
}

func (o *owners) record(e Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, e.String())
	if e.Kind == Assigned {
		o.owns[e.Instance] = e.Tasks
	} else {
		delete(o.owns, e.Instance)
	}
}

// waitFor waits until the instances own exactly the given numbers of
// tasks, every task once, and returns the ownership.
func (o *owners) waitFor(t *testing.T, tasks []Task, counts map[string]int) map[string][]Task {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		o.mu.Lock()
		ok := len(o.owns) == len(counts)
		seen := map[Task]bool{}
		for id, ts := range o.owns {
			ok = ok && len(ts) == counts[id]
			for _, task := range ts {
				ok = ok && !seen[task]
				seen[task] = true
			}
		}
		ok = ok && len(seen) == len(tasks)
		snap := map[string][]Task{}
		for id, ts := range o.owns {
			snap[id] = slices.Clone(ts)
		}
		events := slices.Clone(o.events)
		o.mu.Unlock()
		if ok {
			return snap
		}
		if time.Now().After(deadline) {
			t.Fatalf("instances own %v, want counts %v; events:\n%v", snap, counts, events)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Three instances of one job against an in-process broker: each joining
// instance takes a fair share from the others without any task moving
// between instances that stay, and a cleanly leaving instance's tasks are
// spread over the rest (after its revocation, without a session timeout).
func TestGroupTasksMove(t *testing.T) {
	addr := kafkatest.Cluster(t, kfake.SeedTopics(4, "clicks"), kfake.SeedTopics(2, "views"))
	topics := []string{"views", "clicks"} // plan order: views' tasks first
	tasks := append(tasksOf("views", 2), tasksOf("clicks", 4)...)
	o := &owners{owns: map[string][]Task{}}
	type running struct {
		cancel context.CancelFunc
		done   chan error
	}
	start := func(inst string) running {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, Config{
				Brokers: []string{addr}, Group: "ctr-job", Instance: inst, Topics: topics,
				Sarama: testConfig(), Events: o.record,
			})
		}()
		return running{cancel, done}
	}
	stop := func(r running) {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Fatalf("leaving: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("instance did not leave")
		}
	}

	a := start("a")
	defer func() { a.cancel(); <-a.done }()
	s1 := o.waitFor(t, tasks, map[string]int{"a": 6})
	if want := fmt.Sprint(tasks); fmt.Sprint(s1["a"]) != want {
		t.Fatalf("a owns %v, want %s in plan order", s1["a"], want)
	}

	b := start("b")
	s2 := o.waitFor(t, tasks, map[string]int{"a": 3, "b": 3})
	c := start("c")
	s3 := o.waitFor(t, tasks, map[string]int{"a": 2, "b": 2, "c": 2})
	for _, id := range []string{"a", "b"} {
		for _, task := range s3[id] {
			if !slices.Contains(s2[id], task) {
				t.Fatalf("%s took %s from another staying instance when c joined: %v -> %v", id, task, s2, s3)
			}
		}
	}

	stop(b)
	s4 := o.waitFor(t, tasks, map[string]int{"a": 3, "c": 3})
	for _, id := range []string{"a", "c"} {
		for _, task := range s3[id] {
			if !slices.Contains(s4[id], task) {
				t.Fatalf("%s lost %s when b left: %v -> %v", id, task, s3, s4)
			}
		}
	}
	stop(c)
	o.waitFor(t, tasks, map[string]int{"a": 6})
	t.Logf("events:\n%s", strings.Join(o.events, "\n"))
}
