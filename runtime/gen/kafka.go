package gen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
)

// KafkaConfig says where KafkaSink writes.
type KafkaConfig struct {
	Brokers []string
	Topic   string
	// Partitions: when the topic does not exist it is created with this
	// many partitions (0 leaves it to the broker's auto-creation).
	Partitions int
	// Warn receives non-fatal notes (the topic exists with another
	// partition count); nil discards them.
	Warn func(string)
}

// SaramaConfig is the producer configuration the generator uses: async,
// batched (1 MiB or 5 ms, whichever comes first), leader acknowledgement,
// sarama's hash partitioner on the key.
func SaramaConfig() *sarama.Config {
	c := sarama.NewConfig()
	c.ClientID = "streamsql-gen"
	c.Version = sarama.V2_8_0_0
	c.Net.DialTimeout = 10 * time.Second
	c.Metadata.Retry.Max = 5
	c.Metadata.Retry.Backoff = 200 * time.Millisecond
	c.Producer.RequiredAcks = sarama.WaitForLocal
	c.Producer.Return.Successes = false
	c.Producer.Return.Errors = true
	c.Producer.Flush.Bytes = 1 << 20
	c.Producer.Flush.Frequency = 5 * time.Millisecond
	c.Producer.Partitioner = sarama.NewHashPartitioner
	c.ChannelBufferSize = 4096
	return c
}

// KafkaSink sends events as JSON records to a topic. The record key is
// the campaign_id, so that all events of a campaign land in one
// partition, in generation order; the record timestamp is the time the
// producer batches it (CreateTime).
type KafkaSink struct {
	g      *Generator
	ctx    context.Context
	topic  string
	prod   sarama.AsyncProducer
	keys   []sarama.ByteEncoder
	done   chan struct{}
	queued atomic.Int64
	mu     sync.Mutex
	err    error
	closed bool
}

// NewKafkaSink connects to the brokers, creates the topic if it is
// missing and starts an async producer. Send stops waiting when ctx is
// done.
func NewKafkaSink(ctx context.Context, g *Generator, cfg KafkaConfig) (*KafkaSink, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("no Kafka brokers given")
	}
	if cfg.Topic == "" {
		return nil, errors.New("no topic given")
	}
	sc := SaramaConfig()
	client, err := sarama.NewClient(cfg.Brokers, sc)
	if err != nil {
		return nil, fmt.Errorf("connecting to Kafka at %s: %w", strings.Join(cfg.Brokers, ","), err)
	}
	if err := ensureTopic(client, cfg); err != nil {
		client.Close()
		return nil, err
	}
	prod, err := sarama.NewAsyncProducerFromClient(client)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("starting the Kafka producer: %w", err)
	}
	s := &KafkaSink{g: g, ctx: ctx, topic: cfg.Topic, prod: prod, done: make(chan struct{})}
	for _, id := range g.Campaigns() {
		s.keys = append(s.keys, sarama.ByteEncoder(id))
	}
	go func() {
		defer close(s.done)
		defer client.Close()
		for pe := range prod.Errors() {
			s.fail(fmt.Errorf("writing to topic %q: %w", cfg.Topic, pe.Err))
		}
	}()
	return s, nil
}

func ensureTopic(client sarama.Client, cfg KafkaConfig) error {
	topics, err := client.Topics()
	if err != nil {
		return fmt.Errorf("listing Kafka topics: %w", err)
	}
	if slices.Contains(topics, cfg.Topic) {
		if cfg.Partitions > 0 && cfg.Warn != nil {
			if ps, err := client.Partitions(cfg.Topic); err == nil && len(ps) != cfg.Partitions {
				cfg.Warn(fmt.Sprintf("topic %q already exists with %d partitions; --partitions %d is ignored", cfg.Topic, len(ps), cfg.Partitions))
			}
		}
		return nil
	}
	if cfg.Partitions <= 0 {
		return nil
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return fmt.Errorf("creating topic %q: %w", cfg.Topic, err)
	}
	// Not admin.Close(): it would close the shared client.
	err = admin.CreateTopic(cfg.Topic, &sarama.TopicDetail{NumPartitions: int32(cfg.Partitions), ReplicationFactor: -1}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("creating topic %q with %d partitions: %w", cfg.Topic, cfg.Partitions, err)
	}
	return client.RefreshMetadata(cfg.Topic)
}

func (s *KafkaSink) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

// Err is the first delivery error, if any.
func (s *KafkaSink) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Send hands a batch to the producer: one buffer holds the JSON of the
// whole batch and each record points into it. It returns the first
// delivery error seen so far, so a broken run stops promptly.
func (s *KafkaSink) Send(evs []Event) error {
	if err := s.Err(); err != nil {
		return err
	}
	// About 270 bytes an event; should the buffer grow, earlier records
	// keep pointing into the old array, which is no longer written.
	buf := make([]byte, 0, 300*len(evs))
	msgs := make([]sarama.ProducerMessage, len(evs))
	for i := range evs {
		e := &evs[i]
		start := len(buf)
		buf = s.g.AppendJSON(buf, e)
		m := &msgs[i]
		m.Topic = s.topic
		m.Key = s.keys[e.Campaign]
		m.Value = sarama.ByteEncoder(buf[start:len(buf):len(buf)])
		select {
		case s.prod.Input() <- m:
			s.queued.Add(1)
		case <-s.ctx.Done():
			return nil
		}
	}
	return nil
}

// Queued is the number of records handed to the producer: Drive's count
// minus any events of the last batch dropped because ctx was done.
func (s *KafkaSink) Queued() int64 { return s.queued.Load() }

// Close flushes what is buffered and stops the producer; it returns the
// first delivery error.
func (s *KafkaSink) Close() error {
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if !closed {
		s.prod.AsyncClose()
	}
	<-s.done
	return s.Err()
}
