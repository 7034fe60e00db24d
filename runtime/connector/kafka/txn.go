package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
)

// Exactly-once (connector.TransactionalSink). The sink's producer has the
// transactional id '<sink.transactional-id-prefix>-0'; opening it fences
// an earlier instance (its open transaction is aborted). Between two
// checkpoints every record goes into one open transaction; at a
// checkpoint CommitCheckpoint adds the source offsets (each Kafka source
// table's consumer group: 'properties.group.id', else
// '<prefix>-<table>') and a marker (group '<prefix>-checkpoints', the
// sink topic's partition 0, offset = checkpoint id) to the transaction
// and commits it. The runtime has written and synced the checkpoint's
// state before (a prepared checkpoint), so whatever commits has its
// state on disk; Committed reads the marker back after a restart to
// tell which checkpoint that is.

// maxTxnTimeout is Kafka's default transaction.max.timeout.ms.
const maxTxnTimeout = 15 * time.Minute

// transactional configures sc for exactly-once: an idempotent producer
// with a transactional id, acknowledged by all replicas, one request in
// flight, and a transaction timeout above the checkpoint interval plus a
// restart, so that Kafka does not abort a transaction the job will
// commit.
func transactional(sc *sarama.Config, cfg *config, env *connector.Env) {
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Net.MaxOpenRequests = 1
	sc.Producer.Transaction.ID = cfg.txnPrefix + "-0"
	timeout := time.Minute
	if v, ok := env.Settings["execution.checkpointing.interval"]; ok {
		if d, err := connector.ParseDuration(v); err == nil && 2*d+30*time.Second > timeout {
			timeout = 2*d + 30*time.Second
		}
	}
	sc.Producer.Transaction.Timeout = min(timeout, maxTxnTimeout)
	sc.Producer.Transaction.Retry.Max = 50
	sc.Producer.Transaction.Retry.Backoff = 100 * time.Millisecond
}

// txnErr names a fenced producer plainly.
func (s *Sink) txnErr(err error) error {
	if errors.Is(err, sarama.ErrProducerFenced) {
		return fmt.Errorf("kafka: topic '%s': another instance of this job took over transactional id '%s-0' (producer fenced); this one stops. Run one job per 'sink.transactional-id-prefix'", s.topic, s.cfg.txnPrefix)
	}
	return fmt.Errorf("kafka: topic '%s': transaction: %s", s.topic, cleanErr(err))
}

func (s *Sink) markerGroup() string { return s.cfg.txnPrefix + "-checkpoints" }

// sourceGroup returns the consumer group a source table's offsets are
// committed to, or ok=false when this sink cannot commit them (not a
// Kafka table, or another cluster).
func (s *Sink) sourceGroup(t *planner.TableDesc) (string, bool) {
	if t.Connector != "kafka" {
		return "", false
	}
	src, err := parseConfig(t)
	if err != nil || !sameBrokers(src.brokers, s.cfg.brokers) {
		return "", false
	}
	if src.group != "" {
		return src.group, true
	}
	return s.cfg.txnPrefix + "-" + t.Name, true
}

func sameBrokers(a, b []string) bool {
	set := map[string]bool{}
	for _, x := range a {
		set[x] = true
	}
	for _, x := range b {
		if set[x] {
			return true
		}
	}
	return false
}

// parseSplitName reads "topic/partition".
func parseSplitName(name string) (string, int32, bool) {
	i := strings.LastIndexByte(name, '/')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(name[i+1:], 10, 32)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return name[:i], int32(n), true
}

// CommitCheckpoint commits the open transaction with the sources'
// offsets and checkpoint id's marker, and opens the next one.
func (s *Sink) CommitCheckpoint(ctx context.Context, id int64, sources []connector.SourceOffsets) error {
	if !s.txn {
		return fmt.Errorf("kafka: topic '%s': not an exactly-once sink", s.topic)
	}
	if err := s.Flush(ctx); err != nil {
		return err
	}
	for _, so := range sources {
		group, ok := s.sourceGroup(so.Table)
		if !ok {
			continue
		}
		offsets := map[string][]*sarama.PartitionOffsetMetadata{}
		for _, p := range so.Positions {
			topic, part, ok := parseSplitName(p.Name)
			if !ok {
				return fmt.Errorf("kafka: table '%s': position %q is not topic/partition", so.Table.Name, p.Name)
			}
			offsets[topic] = append(offsets[topic], &sarama.PartitionOffsetMetadata{Partition: part, Offset: p.Offset})
		}
		if len(offsets) == 0 {
			continue
		}
		if err := s.prod.AddOffsetsToTxn(offsets, group); err != nil {
			return s.txnErr(err)
		}
	}
	meta := "streamsql checkpoint " + strconv.FormatInt(id, 10)
	marker := map[string][]*sarama.PartitionOffsetMetadata{s.topic: {{Partition: 0, Offset: id, Metadata: &meta}}}
	if err := s.prod.AddOffsetsToTxn(marker, s.markerGroup()); err != nil {
		return s.txnErr(err)
	}
	if err := s.prod.CommitTxn(); err != nil {
		return s.txnErr(err)
	}
	if err := s.prod.BeginTxn(); err != nil {
		return s.txnErr(err)
	}
	return nil
}

// Committed reads the marker and the sources' group offsets, waiting for
// any transaction still completing (RequireStable).
func (s *Sink) Committed(ctx context.Context, sources []connector.SourceOffsets) (int64, []connector.SourceOffsets, error) {
	if !s.txn {
		return 0, nil, fmt.Errorf("kafka: topic '%s': not an exactly-once sink", s.topic)
	}
	const attempts = 40 // about 3 minutes with backoff: longer than a transaction takes to end
	g := newGroup(s.client, s.client.Config(), s.markerGroup())
	m, err := g.fetch(map[string][]int32{s.topic: {0}}, true, attempts)
	if err != nil {
		return 0, nil, err
	}
	id := m[tp{s.topic, 0}]
	out := make([]connector.SourceOffsets, 0, len(sources))
	for _, so := range sources {
		r := connector.SourceOffsets{Table: so.Table}
		group, ok := s.sourceGroup(so.Table)
		if ok && len(so.Positions) > 0 {
			want := map[string][]int32{}
			for _, p := range so.Positions {
				if topic, part, ok := parseSplitName(p.Name); ok {
					want[topic] = append(want[topic], part)
				}
			}
			got, err := newGroup(s.client, s.client.Config(), group).fetch(want, true, attempts)
			if err != nil {
				return 0, nil, err
			}
			for _, p := range so.Positions {
				topic, part, _ := parseSplitName(p.Name)
				o, ok := got[tp{topic, part}]
				if !ok {
					o = -1
				}
				r.Positions = append(r.Positions, connector.Position{Split: p.Split, Name: p.Name, Offset: o})
			}
		}
		out = append(out, r)
	}
	if ctx.Err() != nil {
		return 0, nil, ctx.Err()
	}
	return id, out, nil
}
