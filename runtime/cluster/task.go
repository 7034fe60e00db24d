package cluster

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/streamsql/streamsql/planner"
)

// Task is the unit of work the group assigns: one partition of a source
// topic.
type Task struct {
	Topic     string
	Partition int32
}

// String is "topic/partition".
func (t Task) String() string { return fmt.Sprintf("%s/%d", t.Topic, t.Partition) }

// formatTasks lists tasks as "a/0, a/1", or "none".
func formatTasks(ts []Task) string {
	if len(ts) == 0 {
		return "none"
	}
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// taskOrder sorts tasks by their topic's place in order (topics not in it
// last, by name), then by partition: the plan's order, so that the first
// source's partitions come first.
func taskOrder(order []string) func(a, b Task) int {
	rank := func(topic string) int {
		if i := slices.Index(order, topic); i >= 0 {
			return i
		}
		return len(order)
	}
	return func(a, b Task) int {
		if c := cmp.Compare(rank(a.Topic), rank(b.Topic)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return cmp.Compare(a.Partition, b.Partition)
	}
}

// Sources are the topics a plan's sources read, in plan order, and the
// brokers they are read from: the consumer group of a job subscribes to
// these, and their partitions are its tasks.
type Sources struct {
	Topics  []string
	Brokers []string
}

// SourcesOf derives the task topics from a plan. A source that is not a
// Kafka topic named by 'topic' cannot be split into tasks and is refused
// by name, as are sources on different clusters.
func SourcesOf(g *planner.Graph) (Sources, error) {
	var s Sources
	var brokers string
	for _, n := range g.Nodes {
		src, ok := n.Op.(*planner.SourceOp)
		if !ok {
			continue
		}
		t := src.Table
		conn, _ := t.Option("connector")
		topic, hasTopic := t.Option("topic")
		if conn != "kafka" || !hasTopic {
			return Sources{}, fmt.Errorf("table '%s': only a 'kafka' source with option 'topic' can be split into tasks of a consumer group ('execution.target' = '%s'), this one is '%s'", t.Name, planner.TargetKafkaGroup, conn)
		}
		b, _ := t.Option("properties.bootstrap.servers")
		if brokers == "" {
			brokers = b
		} else if b != brokers {
			return Sources{}, fmt.Errorf("table '%s': its brokers '%s' differ from '%s' of another source; one job's consumer group lives on one cluster", t.Name, b, brokers)
		}
		for _, tp := range strings.Split(topic, ";") {
			if tp = strings.TrimSpace(tp); tp != "" && !slices.Contains(s.Topics, tp) {
				s.Topics = append(s.Topics, tp)
			}
		}
	}
	if len(s.Topics) == 0 {
		return Sources{}, fmt.Errorf("the job reads no Kafka topic: nothing to assign to instances of a consumer group")
	}
	for _, b := range strings.Split(brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			s.Brokers = append(s.Brokers, b)
		}
	}
	return s, nil
}
