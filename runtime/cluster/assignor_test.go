package cluster

import (
	"fmt"
	"maps"
	"math/rand"
	"reflect"
	"slices"
	"testing"

	"github.com/IBM/sarama"
)

func tasksOf(topic string, n int) []Task {
	ts := make([]Task, n)
	for i := range ts {
		ts[i] = Task{topic, int32(i)}
	}
	return ts
}

// checkCover fails unless every task is assigned exactly once and the
// counts differ by at most one.
func checkCover(t *testing.T, tasks []Task, got map[string][]Task) {
	t.Helper()
	seen := map[Task]string{}
	lo, hi := len(tasks), 0
	for id, ts := range got {
		lo, hi = min(lo, len(ts)), max(hi, len(ts))
		for _, task := range ts {
			if prev, ok := seen[task]; ok {
				t.Fatalf("task %s assigned to %s and %s", task, prev, id)
			}
			seen[task] = id
		}
	}
	if len(seen) != len(tasks) {
		t.Fatalf("%d of %d tasks assigned: %v", len(seen), len(tasks), got)
	}
	if len(got) > 0 && hi-lo > 1 {
		t.Fatalf("unbalanced: %d to %d tasks per member: %v", lo, hi, got)
	}
}

// members turns a previous assignment into the members of the next
// rebalance, dropping leave and adding join.
func members(prev map[string][]Task, gen int32, leave []string, join ...string) []Member {
	var ms []Member
	for _, id := range slices.Sorted(maps.Keys(prev)) {
		if slices.Contains(leave, id) {
			continue
		}
		ms = append(ms, Member{ID: id, Instance: id, Generation: gen, Owned: prev[id]})
	}
	for _, id := range join {
		ms = append(ms, Member{ID: id, Instance: id, Generation: -1})
	}
	return ms
}

// moved counts tasks that left a member present in both assignments.
func moved(a, b map[string][]Task) int {
	owner := map[Task]string{}
	for id, ts := range a {
		for _, t := range ts {
			owner[t] = id
		}
	}
	n := 0
	for id, ts := range b {
		for _, t := range ts {
			if o, ok := owner[t]; ok && o != id && has(b, o) {
				n++
			}
		}
	}
	return n
}

// Balance for every task and member count, including more members than
// tasks (some get none) and no tasks.
func TestAssignBalance(t *testing.T) {
	for nt := 0; nt <= 9; nt++ {
		for nm := 1; nm <= 5; nm++ {
			tasks := tasksOf("a", nt)
			var ids []string
			for i := range nm {
				ids = append(ids, fmt.Sprintf("m%d", i))
			}
			got := Assign(tasks, members(nil, -1, nil, ids...))
			if len(got) != nm {
				t.Fatalf("%d tasks, %d members: %d in the plan", nt, nm, len(got))
			}
			checkCover(t, tasks, got)
		}
	}
}

// A joining member takes only its fair share, and only from members above
// it; a leaving member's tasks are spread and nobody else's move.
func TestAssignSticky(t *testing.T) {
	tasks := append(tasksOf("a", 6), tasksOf("b", 4)...)
	a1 := Assign(tasks, members(nil, -1, nil, "x", "y"))
	checkCover(t, tasks, a1)

	a2 := Assign(tasks, members(a1, 1, nil, "z"))
	checkCover(t, tasks, a2)
	if len(a2["z"]) != 3 && len(a2["z"]) != 4 {
		t.Fatalf("newcomer got %v", a2["z"])
	}
	if m := moved(a1, a2); m != len(a2["z"]) {
		t.Fatalf("join: %d tasks moved, want only the newcomer's %d: %v -> %v", m, len(a2["z"]), a1, a2)
	}

	a3 := Assign(tasks, members(a2, 2, []string{"y"}))
	checkCover(t, tasks, a3)
	if m := moved(a2, a3); m != 0 {
		t.Fatalf("leave: %d tasks of the staying members moved: %v -> %v", m, a2, a3)
	}
	for _, id := range []string{"x", "z"} {
		for _, task := range a2[id] {
			if !slices.Contains(a3[id], task) {
				t.Fatalf("leave: %s lost %s: %v -> %v", id, task, a2, a3)
			}
		}
	}
}

// Each rebalance after a random join or leave keeps the tasks of the
// staying members up to their new fair share: the number of moves is the
// least any balanced assignment needs.
func TestAssignStickyRandom(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	tasks := append(tasksOf("a", 7), tasksOf("b", 5)...)
	cur := Assign(tasks, members(nil, -1, nil, "m0"))
	next := 1
	for gen := int32(1); gen < 200; gen++ {
		var leave, join []string
		if len(cur) > 1 && r.Intn(2) == 0 {
			ids := slices.Sorted(maps.Keys(cur))
			leave = []string{ids[r.Intn(len(ids))]}
		} else {
			join = []string{fmt.Sprintf("m%d", next)}
			next++
		}
		nxt := Assign(tasks, members(cur, gen, leave, join...))
		checkCover(t, tasks, nxt)
		// Least moves: a staying member keeps min(had, new share) tasks.
		keep := 0
		for id, ts := range nxt {
			keep += min(len(cur[id]), len(ts))
		}
		stayers := 0
		for id, ts := range cur {
			if !slices.Contains(leave, id) {
				stayers += len(ts)
			}
		}
		if got := stayers - moved(cur, nxt); got != keep {
			t.Fatalf("gen %d: %d tasks kept, the least-moves assignment keeps %d: %v -> %v", gen, got, keep, cur, nxt)
		}
		cur = nxt
	}
}

// The same members and tasks in any order give the same plan.
func TestAssignDeterministic(t *testing.T) {
	tasks := append(tasksOf("a", 5), tasksOf("b", 3)...)
	ms := []Member{
		{ID: "1", Instance: "i1", Generation: 3, Owned: []Task{{"a", 0}, {"a", 1}, {"b", 2}}},
		{ID: "2", Instance: "i2", Generation: 3, Owned: []Task{{"a", 2}}},
		{ID: "3", Instance: "i3", Generation: -1},
		{ID: "4", Instance: "i0", Generation: 2, Owned: []Task{{"a", 1}}}, // stale claim: generation 3 wins
	}
	want := Assign(tasks, ms)
	checkCover(t, tasks, want)
	if !slices.Contains(want["1"], Task{"a", 1}) {
		t.Fatalf("the older generation's claim won: %v", want)
	}
	r := rand.New(rand.NewSource(1))
	for range 50 {
		r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		if got := Assign(tasks, ms); !reflect.DeepEqual(got, want) {
			t.Fatalf("member order changed the plan: %v, want %v", got, want)
		}
	}
}

// The strategy through sarama's interface: user data round-trips the
// owned tasks, and Plan orders a member's tasks by the plan's topics.
func TestAssignorUserData(t *testing.T) {
	a := NewAssignor("inst-a", []string{"b", "a"})
	ud, err := a.SubscriptionUserData(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(ud) != `{"v":1,"instance":"inst-a","generation":-1}` {
		t.Fatalf("user data %s", ud)
	}
	a.OnAssignment(saramaAssignment{"a": {1}, "b": {0}}.get(), 7)
	ud, _ = a.SubscriptionUserData(nil)
	if string(ud) != `{"v":1,"instance":"inst-a","generation":7,"owned":{"a":[1],"b":[0]}}` {
		t.Fatalf("user data %s", ud)
	}
}

type saramaAssignment map[string][]int32

func (s saramaAssignment) get() *sarama.ConsumerGroupMemberAssignment {
	return &sarama.ConsumerGroupMemberAssignment{Topics: s}
}

func has(m map[string][]Task, id string) bool { _, ok := m[id]; return ok }
