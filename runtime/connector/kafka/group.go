package kafka

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// group reads and commits a consumer group's offsets as Flink's
// KafkaSource does: without joining the group (every partition is read
// by this job), committing with generation -1. sarama's OffsetManager
// is not used because it fails on a group that has never committed
// (GROUP_ID_NOT_FOUND from some brokers) instead of reporting "none".
type group struct {
	client sarama.Client
	conf   *sarama.Config
	id     string

	mu    sync.Mutex
	marks map[tp]int64 // next offset to commit per partition
	sent  map[tp]int64 // last committed
}

type tp struct {
	topic string
	part  int32
}

func newGroup(cl sarama.Client, conf *sarama.Config, id string) *group {
	return &group{client: cl, conf: conf, id: id, marks: map[tp]int64{}, sent: map[tp]int64{}}
}

// committed returns the group's committed offsets (partitions without
// one are absent).
func (g *group) committed(parts []*partition) (map[tp]int64, error) {
	want := map[string][]int32{}
	for _, p := range parts {
		want[p.topic] = append(want[p.topic], p.id)
	}
	return g.fetch(want, false, 5)
}

// fetch reads committed offsets. stable asks the coordinator to wait
// for pending transactional offsets (KIP-447 RequireStable): it answers
// UNSTABLE_OFFSET_COMMIT, retried here, until the transaction ends.
func (g *group) fetch(want map[string][]int32, stable bool, attempts int) (map[tp]int64, error) {
	var lastErr error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 {
			time.Sleep(backoff(attempt))
			_ = g.client.RefreshCoordinator(g.id)
		}
		b, err := g.client.Coordinator(g.id)
		if err != nil {
			lastErr = err
			continue
		}
		req := sarama.NewOffsetFetchRequest(g.conf.Version, g.id, want)
		req.RequireStable = stable
		resp, err := b.FetchOffset(req)
		if err != nil {
			lastErr = err
			continue
		}
		if resp.Err == sarama.ErrGroupIDNotFound {
			return map[tp]int64{}, nil
		}
		if retriable(resp.Err) {
			lastErr = resp.Err
			continue
		}
		if resp.Err != sarama.ErrNoError {
			return nil, fmt.Errorf("kafka: committed offsets of group '%s': %s", g.id, resp.Err)
		}
		out := map[tp]int64{}
		unstable := false
		for topic, ids := range want {
			for _, id := range ids {
				blk := resp.GetBlock(topic, id)
				if blk == nil || blk.Err == sarama.ErrGroupIDNotFound || blk.Err == sarama.ErrUnknownTopicOrPartition {
					continue
				}
				if blk.Err == sarama.ErrUnstableOffsetCommit {
					unstable = true
					continue
				}
				if blk.Err != sarama.ErrNoError {
					return nil, fmt.Errorf("kafka: committed offset of group '%s' for topic '%s' partition %d: %s", g.id, topic, id, blk.Err)
				}
				if blk.Offset >= 0 {
					out[tp{topic, id}] = blk.Offset
				}
			}
		}
		if unstable {
			lastErr = sarama.ErrUnstableOffsetCommit
			continue
		}
		return out, nil
	}
	return nil, fmt.Errorf("kafka: committed offsets of group '%s': %s", g.id, cleanErr(lastErr))
}

func retriable(err sarama.KError) bool {
	switch err {
	case sarama.ErrNotCoordinatorForConsumer, sarama.ErrConsumerCoordinatorNotAvailable, sarama.ErrOffsetsLoadInProgress, sarama.ErrUnstableOffsetCommit:
		return true
	}
	return false
}

// mark records the next offset to commit for a partition.
func (g *group) mark(p *partition, next int64) {
	g.mu.Lock()
	g.marks[tp{p.topic, p.id}] = next
	g.mu.Unlock()
}

// commit sends the marks that changed since the last commit.
func (g *group) commit() error {
	g.mu.Lock()
	req := sarama.NewOffsetCommitRequest(g.conf, g.id)
	n := 0
	pending := map[tp]int64{}
	for k, o := range g.marks {
		if g.sent[k] != o {
			req.AddBlock(k.topic, k.part, o, 0, "")
			pending[k] = o
			n++
		}
	}
	g.mu.Unlock()
	if n == 0 {
		return nil
	}
	b, err := g.client.Coordinator(g.id)
	if err != nil {
		return fmt.Errorf("kafka: committing offsets of group '%s': %s", g.id, cleanErr(err))
	}
	resp, err := b.CommitOffset(req)
	if err != nil {
		_ = g.client.RefreshCoordinator(g.id)
		return fmt.Errorf("kafka: committing offsets of group '%s': %s", g.id, cleanErr(err))
	}
	var errs []error
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, o := range pending {
		if e := resp.Errors[k.topic][k.part]; e != sarama.ErrNoError {
			errs = append(errs, fmt.Errorf("topic '%s' partition %d: %s", k.topic, k.part, e))
			continue
		}
		g.sent[k] = o
	}
	if len(errs) > 0 {
		return fmt.Errorf("kafka: committing offsets of group '%s': %w", g.id, errors.Join(errs...))
	}
	return nil
}
