package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/IBM/sarama"
)

// EventKind says what happened to an instance's tasks.
type EventKind uint8

const (
	// Assigned: the instance owns Tasks from this generation on.
	Assigned EventKind = iota + 1
	// Revoked: the instance gave Tasks up (a rebalance began or it left).
	Revoked
)

// Event is a change of the tasks an instance owns.
type Event struct {
	Kind       EventKind
	Instance   string
	Generation int32
	Tasks      []Task
}

// String is the line `streamsql run` prints.
func (e Event) String() string {
	if e.Kind == Revoked {
		return fmt.Sprintf("instance %s gives up tasks %s (generation %d)", e.Instance, formatTasks(e.Tasks), e.Generation)
	}
	return fmt.Sprintf("instance %s owns tasks %s (generation %d)", e.Instance, formatTasks(e.Tasks), e.Generation)
}

// Work runs one task for one generation: it reads claim's records and
// must return once sess.Context() is done (a rebalance or leaving).
type Work func(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error

// Config is one instance's membership.
type Config struct {
	Brokers  []string
	Group    string   // the consumer group: the job's pipeline.name
	Instance string   // this instance's id, printed and used for stable ranking
	Topics   []string // the job's source topics in plan order (SourcesOf)
	// Sarama is the client configuration to start from (security, version);
	// nil takes sarama's defaults at version 2.8. The group settings
	// (strategy, offsets) are set on a copy.
	Sarama *sarama.Config
	// Events receives every assignment and revocation, synchronously on
	// the rebalance path: keep it short.
	Events func(Event)
	// Work runs each owned task; nil holds the task without reading it.
	Work Work
}

// Run joins the group and takes part in it until ctx ends, then leaves
// cleanly (its tasks are revoked first, then the group rebalances them
// among the others without waiting for a session timeout).
func Run(ctx context.Context, cfg Config) error {
	if cfg.Group == "" {
		return errors.New("execution.target 'kafka-group' needs SET 'pipeline.name': it names the job's consumer group")
	}
	sc := sarama.NewConfig()
	if cfg.Sarama != nil {
		c := *cfg.Sarama
		sc = &c
	} else {
		sc.Version = sarama.V2_8_0_0
	}
	sc.ClientID = "streamsql-" + cfg.Instance
	sc.Consumer.Return.Errors = true
	sc.Consumer.Offsets.Initial = sarama.OffsetOldest
	sc.Consumer.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{NewAssignor(cfg.Instance, cfg.Topics)}
	g, err := sarama.NewConsumerGroup(cfg.Brokers, cfg.Group, sc)
	if err != nil {
		return fmt.Errorf("joining consumer group '%s' at %v: %w", cfg.Group, cfg.Brokers, err)
	}
	errs := make(chan error, 1)
	go func() {
		for err := range g.Errors() {
			select {
			case errs <- err:
			default:
			}
		}
	}()
	h := &handler{cfg: cfg}
	for ctx.Err() == nil {
		if err := g.Consume(ctx, cfg.Topics, h); err != nil {
			if errors.Is(err, sarama.ErrClosedConsumerGroup) || ctx.Err() != nil {
				break
			}
			g.Close()
			return fmt.Errorf("consumer group '%s': %w", cfg.Group, err)
		}
		select {
		case err := <-errs:
			g.Close()
			return fmt.Errorf("consumer group '%s': %w", cfg.Group, err)
		default:
		}
	}
	// Close revokes (Cleanup has run when Consume returned) and sends
	// LeaveGroup, so the others rebalance at once.
	if err := g.Close(); err != nil {
		return fmt.Errorf("leaving consumer group '%s': %w", cfg.Group, err)
	}
	return nil
}

// handler bridges sarama's session callbacks to Events and Work.
type handler struct {
	cfg   Config
	tasks []Task
}

func (h *handler) event(kind EventKind, gen int32) {
	if h.cfg.Events != nil {
		h.cfg.Events(Event{Kind: kind, Instance: h.cfg.Instance, Generation: gen, Tasks: slices.Clone(h.tasks)})
	}
}

func (h *handler) Setup(sess sarama.ConsumerGroupSession) error {
	h.tasks = h.tasks[:0]
	for topic, parts := range sess.Claims() {
		for _, p := range parts {
			h.tasks = append(h.tasks, Task{topic, p})
		}
	}
	slices.SortFunc(h.tasks, taskOrder(h.cfg.Topics))
	h.event(Assigned, sess.GenerationID())
	return nil
}

func (h *handler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.event(Revoked, sess.GenerationID())
	return nil
}

func (h *handler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	if h.cfg.Work != nil {
		return h.cfg.Work(sess, claim)
	}
	// Held, not read: drain so that sarama's fetcher never blocks the
	// rebalance on a full channel.
	for {
		select {
		case <-sess.Context().Done():
			return nil
		case _, ok := <-claim.Messages():
			if !ok {
				return nil
			}
		}
	}
}
