package cluster

import (
	"cmp"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/IBM/sarama"
)

// StrategyName is the name of our balance strategy in the group protocol:
// every instance of a job must offer it (the broker refuses a member whose
// strategies share none with the group).
const StrategyName = "streamsql-sticky"

// Member is one instance in a rebalance, as the leader sees it.
type Member struct {
	ID         string // the member id the broker gave it
	Instance   string // its instance id (stable across its rejoins)
	Generation int32  // the generation its Owned tasks belong to; -1 if none
	Owned      []Task // what it had before this rebalance
}

// Assign spreads tasks over members: every member gets len(tasks)/n tasks
// or one more, a task stays with the member that owned it when that keeps
// the balance (the task's state is there), and the rest go to the members
// with the fewest. When two members claim one task (a member that missed
// a rebalance), the claim of the newer generation wins. The result
// depends only on the inputs, not on map order: members are ranked by
// (Instance, ID) and tasks are taken in the given order.
func Assign(tasks []Task, members []Member) map[string][]Task {
	out := make(map[string][]Task, len(members))
	if len(members) == 0 {
		return out
	}
	ms := slices.Clone(members)
	slices.SortFunc(ms, func(a, b Member) int {
		return cmp.Or(strings.Compare(a.Instance, b.Instance), strings.Compare(a.ID, b.ID))
	})
	exists := make(map[Task]bool, len(tasks))
	for _, t := range tasks {
		exists[t] = true
	}
	// prev: the one claim that counts per task.
	prev := map[Task]int{}
	for i, m := range ms {
		for _, t := range m.Owned {
			if !exists[t] {
				continue
			}
			if j, ok := prev[t]; !ok || m.Generation > ms[j].Generation {
				prev[t] = i
			}
		}
	}
	kept := make([][]Task, len(ms))
	for _, t := range tasks {
		if i, ok := prev[t]; ok {
			kept[i] = append(kept[i], t)
		}
	}
	// Capacities: base each, one more for the first extra members, those
	// that keep most first so fewer tasks move.
	base, extra := len(tasks)/len(ms), len(tasks)%len(ms)
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(kept[order[a]]) > len(kept[order[b]]) })
	capacity := make([]int, len(ms))
	for rank, i := range order {
		capacity[i] = base
		if rank < extra {
			capacity[i]++
		}
	}
	assigned := make([][]Task, len(ms))
	taken := map[Task]bool{}
	for i := range ms {
		n := min(len(kept[i]), capacity[i])
		assigned[i] = append(assigned[i], kept[i][:n]...)
		for _, t := range kept[i][:n] {
			taken[t] = true
		}
	}
	for _, t := range tasks {
		if taken[t] {
			continue
		}
		best := -1
		for i := range ms {
			if len(assigned[i]) < capacity[i] && (best < 0 || len(assigned[i]) < len(assigned[best])) {
				best = i
			}
		}
		assigned[best] = append(assigned[best], t)
		taken[t] = true
	}
	for i, m := range ms {
		slices.SortFunc(assigned[i], taskOrderOf(tasks))
		out[m.ID] = assigned[i]
	}
	return out
}

// taskOrderOf orders tasks as they stand in list.
func taskOrderOf(list []Task) func(a, b Task) int {
	pos := make(map[Task]int, len(list))
	for i, t := range list {
		pos[t] = i
	}
	return func(a, b Task) int { return cmp.Compare(pos[a], pos[b]) }
}

// userData is what a member tells the leader when it joins: who it is
// and what it owned in which generation (JSON, versioned).
type userData struct {
	Version    int                `json:"v"`
	Instance   string             `json:"instance"`
	Generation int32              `json:"generation"`
	Owned      map[string][]int32 `json:"owned,omitempty"`
}

// Assignor is our sarama.BalanceStrategy. One belongs to one instance: it
// remembers the tasks this instance received (OnAssignment) and offers
// them in its next subscription (SubscriptionUserData), from which the
// leader's Plan keeps tasks where they are.
type Assignor struct {
	instance string
	topics   []string // task order: the plan's topics

	mu         sync.Mutex
	owned      []Task
	generation int32
}

// NewAssignor is the strategy of one instance; topics are the job's
// source topics in plan order.
func NewAssignor(instance string, topics []string) *Assignor {
	return &Assignor{instance: instance, topics: slices.Clone(topics), generation: -1}
}

var (
	_ sarama.SubscriptionUserDataBalanceStrategy = (*Assignor)(nil)
	_ sarama.OnAssignmentBalanceStrategy         = (*Assignor)(nil)
)

// Name is StrategyName.
func (a *Assignor) Name() string { return StrategyName }

// Plan is run by the group's leader: the tasks are the subscribed topics'
// partitions, the members' previous tasks come from their user data.
func (a *Assignor) Plan(members map[string]sarama.ConsumerGroupMemberMetadata, topics map[string][]int32) (sarama.BalanceStrategyPlan, error) {
	var tasks []Task
	for topic, parts := range topics {
		for _, p := range parts {
			tasks = append(tasks, Task{topic, p})
		}
	}
	slices.SortFunc(tasks, taskOrder(a.topics))
	ms := make([]Member, 0, len(members))
	for id, meta := range members {
		m := Member{ID: id, Instance: id, Generation: -1}
		var ud userData
		if len(meta.UserData) > 0 && json.Unmarshal(meta.UserData, &ud) == nil && ud.Version == 1 {
			// A member whose data cannot be read starts empty: it loses
			// stickiness, not correctness.
			m.Instance, m.Generation = ud.Instance, ud.Generation
			for topic, parts := range ud.Owned {
				for _, p := range parts {
					m.Owned = append(m.Owned, Task{topic, p})
				}
			}
		}
		ms = append(ms, m)
	}
	plan := make(sarama.BalanceStrategyPlan, len(members))
	for id, ts := range Assign(tasks, ms) {
		plan[id] = map[string][]int32{}
		for _, t := range ts {
			plan.Add(id, t.Topic, t.Partition)
		}
	}
	return plan, nil
}

// AssignmentData is the user data sent back with each member's assignment:
// none, each member reports its own state in its subscription.
func (a *Assignor) AssignmentData(string, map[string][]int32, int32) ([]byte, error) {
	return nil, nil
}

// SubscriptionUserData tells the leader this instance's id and the tasks
// it owned.
func (a *Assignor) SubscriptionUserData([]string) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ud := userData{Version: 1, Instance: a.instance, Generation: a.generation}
	if len(a.owned) > 0 {
		ud.Owned = map[string][]int32{}
		for _, t := range a.owned {
			ud.Owned[t.Topic] = append(ud.Owned[t.Topic], t.Partition)
		}
	}
	return json.Marshal(ud)
}

// OnAssignment records what this instance received in generation gen.
func (a *Assignor) OnAssignment(as *sarama.ConsumerGroupMemberAssignment, gen int32) {
	var owned []Task
	for topic, parts := range as.Topics {
		for _, p := range parts {
			owned = append(owned, Task{topic, p})
		}
	}
	slices.SortFunc(owned, taskOrder(a.topics))
	a.mu.Lock()
	a.owned, a.generation = owned, gen
	a.mu.Unlock()
}
