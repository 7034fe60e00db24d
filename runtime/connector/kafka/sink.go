package kafka

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/sql"
	"github.com/streamsql/streamsql/sql/types"
)

// Sink writes rows to one topic with sarama's async producer. Every
// record handed to the producer is counted in flight until the broker
// acknowledges it (or it fails for good); Flush waits for the count to
// reach zero and returns the first failure, so no row is lost silently.
//
// All producing goes through send and all waiting through Flush: a
// transactional (exactly-once) mode wraps those two in
// BeginTxn/CommitTxn without touching the row handling.
type Sink struct {
	cfg    *config
	topic  string
	client sarama.Client
	prod   sarama.AsyncProducer
	fixed  bool // sink.partitioner = fixed: every record to partition 0
	txn    bool // exactly-once: records go in a transaction per checkpoint (txn.go)
	// upsert: rows are changes of the key (upsert-kafka): -D and -U are
	// written as tombstones (the key with a null value), as Flink's
	// DynamicKafkaRecordSerializationSchema does in upsert mode (a -U
	// may be the last change of its key: a HAVING that stops matching)
	upsert bool

	value  connector.Encoder // encodes a whole table row (or valRow)
	valIdx []int             // EXCEPT_KEY: table columns of the value
	valRow core.Row
	key    connector.Encoder // nil without key.fields
	keyRow core.Row
	tsCol  int // writable 'timestamp' metadata column, -1 when none
	hdrCol int // writable 'headers' metadata column, -1 when none
	arena  []byte

	mu       sync.Mutex
	cond     *sync.Cond
	inflight int64
	failed   error
	drained  sync.WaitGroup
	closed   bool
}

// OpenSink connects and checks the topic.
func OpenSink(ctx context.Context, t *planner.TableDesc, env *connector.Env) (*Sink, error) {
	return openSink(ctx, t, env, false)
}

// OpenUpsertSink is OpenSink for a changelog keyed by 'key.fields'
// (the upsert-kafka connector): deletes become tombstones.
func OpenUpsertSink(ctx context.Context, t *planner.TableDesc, env *connector.Env) (*Sink, error) {
	return openSink(ctx, t, env, true)
}

func openSink(ctx context.Context, t *planner.TableDesc, env *connector.Env, upsert bool) (_ *Sink, err error) {
	cfg, err := parseConfig(t)
	if err != nil {
		return nil, err
	}
	if cfg.pattern != nil {
		return nil, connector.OptionError(t, "topic-pattern", "table '%s': a kafka sink writes one 'topic'; 'topic-pattern' is for sources", t.Name)
	}
	if len(cfg.topics) != 1 {
		return nil, connector.OptionError(t, "topic", "table '%s': a kafka sink writes one topic, not %d", t.Name, len(cfg.topics))
	}
	s := &Sink{cfg: cfg, topic: cfg.topics[0], tsCol: -1, hdrCol: -1, upsert: upsert}
	s.cond = sync.NewCond(&s.mu)
	if err := s.encoders(t, env); err != nil {
		return nil, err
	}
	sc, err := cfg.saramaConfig()
	if err != nil {
		return nil, err
	}
	sc.Producer.Return.Successes = true
	sc.Producer.Return.Errors = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	if cfg.guarantee == "none" {
		sc.Producer.RequiredAcks = sarama.WaitForLocal
	}
	sc.Producer.Flush.Bytes = 1 << 20
	sc.Producer.Flush.Frequency = 5 * time.Millisecond
	sc.Producer.MaxMessageBytes = 1 << 20
	// A broker that goes away is retried for about a minute before the
	// job fails; one request in flight keeps a partition's order on retry.
	sc.Producer.Retry.Max = 15
	sc.Producer.Retry.BackoffFunc = func(retries, _ int) time.Duration { return backoff(retries) }
	sc.Net.MaxOpenRequests = 1
	if cfg.guarantee == "exactly-once" {
		s.txn = true
		transactional(sc, cfg, env)
	}
	switch cfg.partitioner {
	case "fixed":
		s.fixed = true
		sc.Producer.Partitioner = sarama.NewManualPartitioner
	case "round-robin":
		sc.Producer.Partitioner = sarama.NewRoundRobinPartitioner
	default:
		sc.Producer.Partitioner = sarama.NewMurmur2Partitioner
	}
	if s.client, err = cfg.connect(ctx, sc); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.client.Close()
		}
	}()
	if _, err := partitionsOf(s.client, s.topic, cfg.brokers, " (and the brokers did not create it)"); err != nil {
		return nil, err
	}
	// A transactional producer registers its transactional id here,
	// which fences an earlier instance and aborts its open transaction.
	if s.prod, err = sarama.NewAsyncProducerFromClient(s.client); err != nil {
		return nil, s.txnErr(err)
	}
	if s.txn {
		if err := s.prod.BeginTxn(); err != nil {
			s.prod.Close()
			return nil, s.txnErr(err)
		}
	}
	s.drained.Add(2)
	go s.acks()
	go s.errors()
	return s, nil
}

// encoders builds the value and key encoders and finds the writable
// metadata columns.
func (s *Sink) encoders(t *planner.TableDesc, env *connector.Env) error {
	for i, k := range t.MetadataKeys {
		if t.Kinds[i] != sql.MetadataColumn || t.Virtual[i] {
			continue
		}
		switch k {
		case "timestamp":
			s.tsCol = i
		case "headers":
			s.hdrCol = i
		}
	}
	if len(s.cfg.keyFields) > 0 {
		kf, _ := t.Option("key.format")
		f, err := connector.LookupFormat(kf)
		if err != nil {
			return connector.OptionError(t, "key.format", "%v", err)
		}
		if s.key, err = f.NewEncoder(keySchema(t, s.cfg), t, "key."); err != nil {
			return err
		}
		s.keyRow = make(core.Row, len(s.cfg.keyFields))
	}
	if !s.cfg.exceptKey {
		if env.Encoder == nil {
			return fmt.Errorf("kafka sink: no encoder (the runtime builds it from 'format')")
		}
		s.value = env.Encoder
		return nil
	}
	vf, _ := t.Option("format")
	f, err := connector.LookupFormat(vf)
	if err != nil {
		return connector.OptionError(t, "format", "%v", err)
	}
	var cols planner.Schema
	for i, c := range t.Columns {
		if t.Kinds[i] == sql.PhysicalColumn && !isKey(s.cfg, i) {
			s.valIdx = append(s.valIdx, i)
			cols = append(cols, c)
		}
	}
	s.valRow = make(core.Row, len(cols))
	s.value, err = f.NewEncoder(cols, t, "")
	return err
}

func isKey(c *config, col int) bool {
	for _, k := range c.keyFields {
		if k == col {
			return true
		}
	}
	return false
}

// keySchema is the key columns with 'key.fields-prefix' removed from
// their names: the key's field names.
func keySchema(t *planner.TableDesc, c *config) planner.Schema {
	out := make(planner.Schema, len(c.keyFields))
	for i, k := range c.keyFields {
		out[i] = t.Columns[k]
		out[i].Name = strings.TrimPrefix(out[i].Name, c.keyPrefix)
	}
	return out
}

func (s *Sink) acks() {
	defer s.drained.Done()
	for range s.prod.Successes() {
		s.mu.Lock()
		s.inflight--
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

func (s *Sink) errors() {
	defer s.drained.Done()
	for e := range s.prod.Errors() {
		s.mu.Lock()
		s.inflight--
		if s.failed == nil {
			s.failed = fmt.Errorf("kafka: writing to topic '%s' failed: %s", s.topic, cleanErr(e.Err))
		}
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

func (s *Sink) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Write encodes the batch's rows and hands them to the producer.
func (s *Sink) Write(ctx context.Context, b *core.Batch) error {
	if err := s.err(); err != nil {
		return err
	}
	// One arena per batch: the producer keeps the bytes until sent.
	s.arena = make([]byte, 0, 256*len(b.Rows))
	for r, row := range b.Rows {
		msg := &sarama.ProducerMessage{Topic: s.topic}
		var err error
		v0 := len(s.arena)
		tombstone := s.upsert && b.KindAt(r).IsRetract()
		if tombstone {
			// a tombstone: Value stays nil
		} else if s.valIdx != nil {
			for i, ti := range s.valIdx {
				s.valRow[i] = row[ti]
			}
			s.arena, err = connector.EncodeKind(s.value, s.arena, b.KindAt(r), s.valRow)
		} else {
			s.arena, err = connector.EncodeKind(s.value, s.arena, b.KindAt(r), row)
		}
		if err != nil {
			return fmt.Errorf("kafka sink topic '%s': %w", s.topic, err)
		}
		if !tombstone {
			msg.Value = sarama.ByteEncoder(s.arena[v0:len(s.arena):len(s.arena)])
		}
		if s.key != nil {
			for i, ki := range s.cfg.keyFields {
				s.keyRow[i] = row[ki]
			}
			k0 := len(s.arena)
			if s.arena, err = s.key.Encode(s.arena, s.keyRow); err != nil {
				return fmt.Errorf("kafka sink topic '%s': key: %w", s.topic, err)
			}
			msg.Key = sarama.ByteEncoder(s.arena[k0:len(s.arena):len(s.arena)])
		}
		if s.tsCol >= 0 && !row[s.tsCol].IsNull() {
			msg.Timestamp = time.UnixMilli(row[s.tsCol].I)
		}
		if s.hdrCol >= 0 && !row[s.hdrCol].IsNull() {
			if m, ok := row[s.hdrCol].X.(*types.MapValue); ok {
				for i := range m.Keys {
					if m.Keys[i].IsNull() {
						continue
					}
					var hv []byte
					if !m.Values[i].IsNull() {
						hv = []byte(m.Values[i].S)
					}
					msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: []byte(m.Keys[i].S), Value: hv})
				}
			}
		}
		if err := s.send(ctx, msg); err != nil {
			return err
		}
	}
	return nil
}

// send hands one record to the producer, counted in flight.
func (s *Sink) send(ctx context.Context, msg *sarama.ProducerMessage) error {
	if s.fixed {
		msg.Partition = 0
	}
	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	select {
	case s.prod.Input() <- msg:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
		return fmt.Errorf("kafka sink topic '%s': %w", s.topic, ctx.Err())
	}
}

// Flush waits until every record written so far is acknowledged and
// returns the first failure.
func (s *Sink) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.inflight > 0 && s.failed == nil && ctx.Err() == nil {
		s.cond.Wait()
	}
	if s.failed != nil {
		return s.failed
	}
	if s.inflight > 0 {
		return fmt.Errorf("kafka sink topic '%s': %d records not acknowledged: %w", s.topic, s.inflight, ctx.Err())
	}
	return nil
}

// Close sends what is buffered, waits for it, and disconnects.
func (s *Sink) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if s.txn {
		// Rows after the last checkpoint are not committed: abort them
		// (a restart re-creates them from the checkpoint).
		_ = s.prod.AbortTxn()
	}
	s.prod.AsyncClose() // flushes what is buffered
	s.drained.Wait()
	s.client.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return s.failed
	}
	if s.inflight > 0 {
		return fmt.Errorf("kafka sink topic '%s': %d records were not acknowledged", s.topic, s.inflight)
	}
	return nil
}
