package kafka

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
)

// pollWait is the longest a Poll waits when nothing has arrived, so the
// executor can emit periodic watermarks and notice idle partitions.
const pollWait = 100 * time.Millisecond

// limits bound what the source buffers; tests make them small.
type limits struct {
	// the chunk a partition's pump hands over at once: messages, and key
	// and value bytes (passed by at most one message)
	chunkRecs, chunkBytes int
	// bounded: a partition's consumer is paused (sarama stops fetching
	// it) once pauseBytes of its records wait for the merge, and resumed
	// when fewer than resumeBytes do
	pauseBytes, resumeBytes int64
	// sarama's Consumer.Fetch.Default: the most bytes one fetch brings
	// per partition (Kafka sends at least one whole record batch)
	fetchBytes int32
	// sarama's ChannelBufferSize: messages a PartitionConsumer buffers
	chanBuf int
}

// defaultLimits: a bounded read holds at most about pauseBytes +
// fetchBytes + one chunk of each partition's records. Measured on a
// preloaded topic of 1 M events (docs/performance.md): pausing at 4 MiB
// and resuming at 2 MiB cost about 40% more wall time (sarama sleeps
// 100 ms when every partition is paused, and the merge runs dry); 8 and
// 6 MiB kept the wall time of the unbounded buffer.
var defaultLimits = limits{chunkRecs: 4096, chunkBytes: 1 << 20, pauseBytes: 8 << 20, resumeBytes: 6 << 20, fetchBytes: 4 << 20, chanBuf: 256}

// mergeDepth is how many chunks a partition's channel holds in bounded
// mode, more than pauseBytes needs: a pump that blocks on it stops
// reading its PartitionConsumer, which sarama resolves only after
// Consumer.MaxProcessingTime.
const mergeDepth = 256

// Source reads the partitions of one or more topics; each partition is
// one split. Unbounded, records are handed on in arrival order (per
// partition in offset order). Bounded, the partitions are merged by
// record timestamp (ties: split, then offset) so that a replay is
// deterministic whatever the fetch timing.
type Source struct {
	cfg    *config
	client sarama.Client
	cons   sarama.Consumer
	group  *group       // nil without properties.group.id
	parts  []*partition // the partitions this reader reads
	// all is every partition of the topics, numbered as splits in topic
	// and partition order; parts is all but what other subtasks read
	// (Env.Subtasks > 1: SplitOwner)
	all    []*partition
	stderr interface{ Write([]byte) (int, error) }

	chunks chan chunk    // unbounded: every partition's chunks, in arrival order
	done   chan struct{} // closed by Close
	wg     sync.WaitGroup
	mu     sync.Mutex // held by Poll; Close waits for it

	started  bool
	running  bool    // partition consumers started (first Poll, after any Seek)
	ckpt     bool    // Env.Checkpointing: offsets are committed by checkpoints
	pending  []chunk // received but not yet handed on (unbounded)
	recs     []connector.Record
	where    []byte
	closeErr error
	closed   bool

	lim       limits
	isolation sarama.IsolationLevel
	// bounded: key and value bytes of the records in chunks sent or
	// queued for the merge and not handed on yet, and their maximum
	queued, peakQueued atomic.Int64
}

type partition struct {
	split     int
	topic     string
	id        int32
	start     int64 // first offset to read
	end       int64 // offset to stop before; -1 unbounded
	oldest    int64 // earliest and latest offsets when the source opened
	newest    int64
	next      int64 // next offset to hand on (Poll.Positions)
	touched   bool  // handed on a record or ended in this poll
	pc        sarama.PartitionConsumer
	ch        chan chunk                // bounded: this partition's chunks (mergeDepth)
	queue     []*sarama.ConsumerMessage // bounded merge buffer: at most one chunk
	flow      flow                      // bounded: backpressure
	handed    int64                     // bounded: bytes handed on, not yet released from flow
	drained   bool                      // bounded: every record up to end is in queue
	reported  bool                      // Ended sent
	committed int64                     // next offset marked for commit; -1 none
}

// flow is a partition's backpressure in bounded mode, shared by its pump
// (hold) and the merge (release). Holding it, paused implies bytes >=
// resumeBytes, so a partition whose records have all been handed on is
// never left paused.
type flow struct {
	mu     sync.Mutex
	bytes  int64 // key and value bytes sent to the merge, not handed on
	paused bool
	ended  bool // the pump has sent the partition's last record: paused for good
}

type chunk struct {
	p     *partition
	msgs  []*sarama.ConsumerMessage
	bytes int  // key and value bytes of msgs
	end   bool // the partition reached its end offset
}

// OpenSource connects, resolves topics, partitions and start/end offsets,
// and starts one consumer per partition.
func OpenSource(ctx context.Context, t *planner.TableDesc, env *connector.Env) (_ *Source, err error) {
	cfg, err := parseConfig(t)
	if err != nil {
		return nil, err
	}
	if cfg.startup == "group-offsets" && cfg.group == "" {
		// Checked here, not in Check: a sink table has no startup mode.
		return nil, connector.OptionError(t, "scan.startup.mode", "table '%s': 'scan.startup.mode' = 'group-offsets' (the default) needs 'properties.group.id'; set it, or choose 'earliest-offset' or 'latest-offset'", t.Name)
	}
	if _, keyed := env.Decoder.(*upsertDecoder); cfg.exceptKey && !keyed {
		for _, c := range env.ReadColumns {
			if isKey(cfg, c) {
				return nil, connector.OptionError(t, "value.fields-include", "table '%s': reading key column %q of a 'value.fields-include' = 'EXCEPT_KEY' table is not supported yet (the source decodes values only); use 'ALL'", t.Name, t.Columns[c].Name)
			}
		}
	}
	sc, err := cfg.saramaConfig()
	if err != nil {
		return nil, err
	}
	sc.Consumer.Return.Errors = true
	// A source never creates topics (Kafka's consumer default
	// allow.auto.create.topics is ignored, as Flink's enumerator, which
	// only describes topics, creates none): a missing topic is an error.
	sc.Metadata.AllowAutoTopicCreation = false
	lim := defaultLimits
	sc.ChannelBufferSize = lim.chanBuf
	sc.Consumer.Fetch.Default = lim.fetchBytes
	sc.Consumer.MaxWaitTime = 100 * time.Millisecond
	sc.Consumer.Retry.BackoffFunc = backoff
	if lower(t, "properties.isolation.level", "read_uncommitted") == "read_committed" {
		sc.Consumer.IsolationLevel = sarama.ReadCommitted
	}
	cl, err := cfg.connect(ctx, sc)
	if err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, client: cl, chunks: make(chan chunk, 64), done: make(chan struct{}), stderr: os.Stderr, ckpt: env.Checkpointing,
		lim: lim, isolation: sc.Consumer.IsolationLevel}
	if env.Stderr != nil {
		s.stderr = env.Stderr
	}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	topics := cfg.topics
	if cfg.pattern != nil {
		all, err := cl.Topics()
		if err != nil {
			return nil, fmt.Errorf("kafka: listing topics: %s", cleanErr(err))
		}
		for _, tp := range all {
			if cfg.pattern.MatchString(tp) {
				topics = append(topics, tp)
			}
		}
		if len(topics) == 0 {
			v, _ := t.Option("topic-pattern")
			return nil, fmt.Errorf("kafka: no topic matches 'topic-pattern' = '%s' (topics: %v)", v, all)
		}
		sort.Strings(topics)
	}
	for _, tp := range topics {
		ids, err := partitionsOf(cl, tp, cfg.brokers, "; a source does not create topics")
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			s.all = append(s.all, &partition{split: len(s.all), topic: tp, id: id, end: -1, committed: -1})
		}
	}
	for _, p := range s.all {
		if env.Subtasks <= 1 || SplitOwner(p.topic, p.id, env.Subtasks) == env.Subtask {
			s.parts = append(s.parts, p)
		}
	}
	var committed map[tp]int64
	if cfg.group != "" {
		s.group = newGroup(cl, sc, cfg.group)
		if committed, err = s.group.committed(s.parts); err != nil {
			return nil, err
		}
	}
	for _, p := range s.parts {
		if err := s.offsets(p, committed); err != nil {
			return nil, err
		}
	}
	if s.cons, err = sarama.NewConsumerFromClient(cl); err != nil {
		return nil, fmt.Errorf("kafka: %s", cleanErr(err))
	}
	if s.group != nil {
		s.wg.Add(1)
		go s.committer()
	}
	return s, nil
}

// run starts one consumer per partition, at its start offset (the
// first Poll does it, so that a Seek before it costs nothing).
func (s *Source) run() error {
	s.running = true
	for _, p := range s.parts {
		p.next = p.start
		if p.end >= 0 && p.start >= p.end {
			p.drained = true
			continue
		}
		pc, err := s.cons.ConsumePartition(p.topic, p.id, p.start)
		if err != nil {
			return fmt.Errorf("kafka: topic '%s' partition %d: cannot read from offset %d: %s", p.topic, p.id, p.start, cleanErr(err))
		}
		p.pc = pc
		if s.cfg.bounded != "unbounded" {
			p.ch = make(chan chunk, mergeDepth)
		}
		s.wg.Add(1)
		go s.pump(p)
	}
	return nil
}

// splitName is a partition's name in checkpoints: "topic/partition".
func splitName(p *partition) string {
	return p.topic + "/" + strconv.Itoa(int(p.id))
}

// Seek resumes every partition a checkpoint names at its recorded next
// offset (connector.Seeker); the others start as configured. A partition
// the source does not read, or an offset Kafka no longer has (deleted by
// retention: rows would be lost) or does not have yet (the topic was
// recreated), is an error.
func (s *Source) Seek(pos []connector.Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return fmt.Errorf("kafka: Seek after the first Poll")
	}
	byName := map[string]*partition{}
	for _, p := range s.all {
		byName[splitName(p)] = p
	}
	for _, ps := range pos {
		p, ok := byName[ps.Name]
		if !ok {
			return fmt.Errorf("kafka: the checkpoint has a position in %s, which this source does not read (topics: %s)", ps.Name, strings.Join(s.topicNames(), ", "))
		}
		if p.split != ps.Split {
			return fmt.Errorf("kafka: the checkpoint reads %s as split %d, this source as split %d (were topics or partitions added?)", ps.Name, ps.Split, p.split)
		}
		if !s.OwnsSplit(p.split) {
			continue // another subtask's (a restore at another parallelism)
		}
		if ps.Offset < p.oldest {
			return fmt.Errorf("kafka: %s: cannot resume at offset %d: the earliest offset is now %d (records were deleted; resuming would lose them)", s.name(p), ps.Offset, p.oldest)
		}
		if ps.Offset > p.newest {
			return fmt.Errorf("kafka: %s: cannot resume at offset %d: the latest offset is %d (was the topic recreated?)", s.name(p), ps.Offset, p.newest)
		}
		p.start = ps.Offset
	}
	return nil
}

// SplitOwner is the source subtask, of n, that reads partition id of
// topic: Flink's KafkaSourceEnumerator.getSplitOwner (and the older
// KafkaTopicPartitionAssigner): the topic's partition 0 goes to a subtask
// chosen by the hash of the topic's name, the next partitions to the
// following subtasks in turn.
func SplitOwner(topic string, id int32, n int) int {
	start := int((javaStringHash(topic)*31)&0x7FFFFFFF) % n
	return (start + int(id)) % n
}

// javaStringHash is Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1]
// over UTF-16 code units, in 32-bit arithmetic.
func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

// OwnsSplit reports whether this reader reads split i
// (connector.SplitOwner).
func (s *Source) OwnsSplit(i int) bool {
	for _, p := range s.parts {
		if p.split == i {
			return true
		}
	}
	return false
}

func (s *Source) topicNames() []string {
	var out []string
	for _, p := range s.all {
		if len(out) == 0 || out[len(out)-1] != p.topic {
			out = append(out, p.topic)
		}
	}
	return out
}

// CheckpointComplete commits a completed checkpoint's positions to the
// consumer group (connector.CheckpointListener), in the background.
func (s *Source) CheckpointComplete(pos []connector.Position) {
	if s.group == nil {
		return
	}
	byName := map[string]*partition{}
	for _, p := range s.parts {
		byName[splitName(p)] = p
	}
	for _, ps := range pos {
		if p, ok := byName[ps.Name]; ok {
			s.group.mark(p, ps.Offset)
		}
	}
}

// backoff grows from 250 ms to 5 s between retries of a failing partition.
func backoff(retries int) time.Duration {
	d := 250 * time.Millisecond << min(retries, 5)
	return min(d, 5*time.Second)
}

func (s *Source) name(p *partition) string {
	return fmt.Sprintf("topic '%s' partition %d", p.topic, p.id)
}

// offsets resolves a partition's start and (bounded) end offset.
func (s *Source) offsets(p *partition, group map[tp]int64) error {
	cfg := s.cfg
	oldest, err := s.listOffset(p, sarama.OffsetOldest)
	if err != nil {
		return fmt.Errorf("kafka: %s: earliest offset: %s", s.name(p), cleanErr(err))
	}
	newest, err := s.listOffset(p, sarama.OffsetNewest)
	if err != nil {
		return fmt.Errorf("kafka: %s: latest offset: %s", s.name(p), cleanErr(err))
	}
	p.oldest, p.newest = oldest, newest
	atTime := func(ts int64) (int64, error) {
		o, err := s.listOffset(p, ts)
		if err != nil {
			return 0, fmt.Errorf("kafka: %s: offset for timestamp %d: %s", s.name(p), ts, cleanErr(err))
		}
		if o < 0 { // no record at or after ts
			return newest, nil
		}
		return o, nil
	}
	committed := func() (int64, bool) {
		o, ok := group[tp{p.topic, p.id}]
		return o, ok
	}
	switch cfg.startup {
	case "earliest-offset":
		p.start = oldest
	case "latest-offset":
		p.start = newest
	case "timestamp":
		if p.start, err = atTime(cfg.startTS); err != nil {
			return err
		}
	case "specific-offsets":
		if o, ok := cfg.startOffsets[p.id]; ok {
			p.start = o
		} else if o, ok := committed(); ok {
			p.start = o
		} else {
			p.start = oldest
		}
	case "group-offsets":
		o, ok := committed()
		switch {
		case ok:
			p.start = o
		case cfg.reset == "earliest":
			p.start = oldest
		case cfg.reset == "latest":
			p.start = newest
		default:
			return fmt.Errorf("kafka: %s has no committed offset for group '%s' and 'properties.auto.offset.reset' is 'none' (Flink's default): set it to 'earliest' or 'latest', or choose another 'scan.startup.mode'", s.name(p), cfg.group)
		}
	}
	if p.start < oldest { // deleted by retention: what Kafka's reset would do
		p.start = oldest
	}
	if p.start > newest {
		p.start = newest
	}
	switch cfg.bounded {
	case "latest-offset":
		p.end = newest
	case "timestamp":
		if p.end, err = atTime(cfg.boundTS); err != nil {
			return err
		}
	case "group-offsets":
		o, ok := committed()
		if !ok {
			return fmt.Errorf("kafka: %s has no committed offset for group '%s' to stop at ('scan.bounded.mode' = 'group-offsets')", s.name(p), cfg.group)
		}
		p.end = o
	case "specific-offsets":
		o, ok := cfg.boundOffsets[p.id]
		if !ok {
			return fmt.Errorf("kafka: %s has no offset in 'scan.bounded.specific-offsets'", s.name(p))
		}
		// as Flink: an offset the partition has not reached yet is
		// waited for
		p.end = o
	}
	return nil
}

// pump forwards one partition's messages in chunks, and reports its
// errors (sarama retries them with backoff) as warnings. Unbounded, the
// chunks go to the shared channel; bounded, to the partition's own, so
// that a partition ahead of the merge waits (backpressure) while the
// merge can still receive the chunk of the partition it needs. Bounded,
// the partition ends with a record at end-1 or, when no record has come
// for probeEvery, once skipTo finds nothing to hand on before end.
func (s *Source) pump(p *partition) {
	defer s.wg.Done()
	msgs, errs := p.pc.Messages(), p.pc.Errors()
	out := s.chunks
	if p.ch != nil {
		out = p.ch
	}
	recv := p.start // one past the last record received
	failed := 0     // skipTo failures in a row
	var probe <-chan time.Time
	var timer *time.Timer
	if p.end >= 0 {
		timer = time.NewTimer(probeEvery)
		defer timer.Stop()
		probe = timer.C
	}
	for {
		var first *sarama.ConsumerMessage
		select {
		case m, ok := <-msgs:
			if !ok {
				return
			}
			first = m
		case e, ok := <-errs:
			if ok {
				fmt.Fprintf(s.stderr, "warning: kafka: %s: %s; retrying\n", s.name(p), cleanErr(e.Err))
			}
			continue
		case <-probe:
			timer.Reset(probeEvery)
			if s.paused(p) {
				continue // records wait for the merge: not idle
			}
			pos, err := s.skipTo(p, recv, p.end)
			if err != nil {
				fmt.Fprint(s.stderr, s.probeWarning(p, err))
				failed++
				timer.Reset(backoff(failed))
				continue
			}
			failed = 0
			if pos < p.end {
				continue
			}
		case <-s.done:
			return
		}
		c := chunk{p: p, end: first == nil}
		add := func(m *sarama.ConsumerMessage) {
			if p.end >= 0 && m.Offset >= p.end {
				c.end = true
				return
			}
			c.msgs = append(c.msgs, m)
			c.bytes += len(m.Key) + len(m.Value)
			recv = m.Offset + 1
			if p.end >= 0 && m.Offset >= p.end-1 {
				c.end = true
			}
		}
		if first != nil {
			c.msgs = make([]*sarama.ConsumerMessage, 0, 64)
			add(first)
		}
	more:
		for !c.end && len(c.msgs) < s.lim.chunkRecs && c.bytes < s.lim.chunkBytes {
			select {
			case m, ok := <-msgs:
				if !ok {
					break more
				}
				add(m)
			default:
				break more
			}
		}
		if p.ch != nil {
			s.hold(p, int64(c.bytes), c.end)
		}
		select {
		case out <- c:
		case <-s.done:
			return
		}
		if c.end {
			return
		}
		if timer != nil {
			timer.Reset(probeEvery)
		}
	}
}

// paused reports whether the merge holds p's consumer paused.
func (s *Source) paused(p *partition) bool {
	p.flow.mu.Lock()
	defer p.flow.mu.Unlock()
	return p.flow.paused
}

// Poll hands on what has been fetched: at most max records, waiting at
// most pollWait when nothing is there.
func (s *Source) Poll(ctx context.Context, max int) (connector.Poll, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out connector.Poll
	if s.closed {
		return out, fmt.Errorf("kafka: source is closed")
	}
	if max <= 0 {
		max = 1024
	}
	if !s.running {
		if err := s.run(); err != nil {
			return out, err
		}
	}
	if !s.started {
		s.started = true
		for _, p := range s.parts {
			out.Started = append(out.Started, p.split)
		}
	}
	// The executor may poll again before it has decoded this poll's
	// records, so each poll gets its own slice (the values are sarama's,
	// never reused).
	s.recs = make([]connector.Record, 0, min(max, 256))
	s.where = s.where[:0]
	var err error
	if s.cfg.bounded == "unbounded" {
		err = s.pollLive(ctx, max)
	} else {
		err = s.pollMerged(ctx, max, &out)
	}
	s.finishPoll(&out)
	return out, err
}

// hold counts a chunk the pump sends to the merge, and pauses the
// partition's consumer when the merge has pauseBytes of it waiting.
func (s *Source) hold(p *partition, n int64, end bool) {
	q := s.queued.Add(n)
	for peak := s.peakQueued.Load(); q > peak && !s.peakQueued.CompareAndSwap(peak, q); peak = s.peakQueued.Load() {
	}
	f := &p.flow
	f.mu.Lock()
	f.bytes += n
	if end {
		// nothing more is read: keep it out of the fetches, which
		// would otherwise wait for records past its end
		f.ended = true
	}
	if !f.paused && (end || f.bytes >= s.lim.pauseBytes) {
		f.paused = true
		p.pc.Pause()
	}
	f.mu.Unlock()
}

// release uncounts what the merge has handed on of p since the last
// release, and resumes p's consumer when little of it is left waiting.
func (s *Source) release(p *partition) {
	n := p.handed
	if n == 0 {
		return
	}
	p.handed = 0
	s.queued.Add(-n)
	f := &p.flow
	f.mu.Lock()
	f.bytes -= n
	if f.paused && !f.ended && f.bytes < s.lim.resumeBytes {
		f.paused = false
		p.pc.Resume()
	}
	f.mu.Unlock()
}

// wait receives one chunk from ch, or returns false after pollWait or
// when the source stops.
func (s *Source) wait(ctx context.Context, ch chan chunk) (chunk, bool, error) {
	timer := time.NewTimer(pollWait)
	defer timer.Stop()
	select {
	case c := <-ch:
		return c, true, nil
	case <-timer.C:
		return chunk{}, false, nil
	case <-ctx.Done():
		return chunk{}, false, ctx.Err()
	case <-s.done:
		return chunk{}, false, fmt.Errorf("kafka: source is closed")
	}
}

func (s *Source) pollLive(ctx context.Context, max int) error {
	if len(s.pending) == 0 {
		c, ok, err := s.wait(ctx, s.chunks)
		if err != nil || !ok {
			return err
		}
		s.pending = append(s.pending, c)
	}
	for len(s.recs) < max {
		if len(s.pending) == 0 {
			select {
			case c := <-s.chunks:
				s.pending = append(s.pending, c)
			default:
			}
			if len(s.pending) == 0 {
				break
			}
		}
		c := &s.pending[0]
		n := min(len(c.msgs), max-len(s.recs))
		for _, m := range c.msgs[:n] {
			s.add(c.p, m)
		}
		c.msgs = c.msgs[n:]
		if len(c.msgs) == 0 {
			s.pending = s.pending[1:]
		}
	}
	return nil
}

// pollMerged hands on records in timestamp order across partitions: a
// record goes out only once every partition that may still hold an
// earlier one has its next record buffered (or has ended).
func (s *Source) pollMerged(ctx context.Context, max int, out *connector.Poll) error {
	for len(s.recs) < max {
		ready, err := s.fill(ctx)
		if err != nil {
			return err
		}
		if !ready {
			break
		}
		var best *partition
		for _, p := range s.parts {
			if len(p.queue) == 0 {
				continue
			}
			if best == nil || p.queue[0].Timestamp.Before(best.queue[0].Timestamp) {
				best = p
			}
		}
		if best == nil {
			break // every partition has ended
		}
		m := best.queue[0]
		s.add(best, m)
		best.handed += int64(len(m.Key) + len(m.Value))
		best.queue[0] = nil
		best.queue = best.queue[1:]
		if len(best.queue) == 0 {
			s.release(best) // before fill waits for its next chunk
		}
		if best.drained && len(best.queue) == 0 {
			// best has ended: end the poll here, so that the split leaves
			// the watermark minimum right after its last record whatever
			// the poll size (connector.Poll.Ended)
			break
		}
	}
	for _, p := range s.parts {
		s.release(p)
		if p.drained && len(p.queue) == 0 && !p.reported {
			p.reported = true
			p.touched = true
			out.Ended = append(out.Ended, p.split)
		}
	}
	return nil
}

// fill receives, for each partition that is not drained and has no
// record buffered, its next chunk (and only that partition's: the others
// wait in their channels, and their pumps stop fetching). With records
// already in this poll it does not wait (they are handed on first);
// otherwise it waits up to pollWait. ready is false when the merge cannot
// go on yet.
func (s *Source) fill(ctx context.Context) (ready bool, err error) {
	for {
		var missing *partition
		for _, p := range s.parts {
			if len(p.queue) == 0 && !p.drained {
				missing = p
				break
			}
		}
		if missing == nil {
			return true, nil
		}
		if len(s.recs) > 0 {
			select {
			case c := <-missing.ch:
				s.take(c)
				continue
			default:
				return false, nil
			}
		}
		c, ok, err := s.wait(ctx, missing.ch)
		if err != nil || !ok {
			return false, err
		}
		s.take(c)
	}
}

func (s *Source) take(c chunk) {
	c.p.queue = append(c.p.queue, c.msgs...)
	if c.end {
		c.p.drained = true
	}
}

// add appends one record; its Where is filled in by finishPoll.
func (s *Source) add(p *partition, m *sarama.ConsumerMessage) {
	r := connector.Record{
		Split: p.split, Key: m.Key, Value: m.Value,
		Topic: m.Topic, Partition: m.Partition, Offset: m.Offset,
		TimestampType: "CreateTime",
	}
	if m.Timestamp.IsZero() || m.Timestamp.UnixMilli() < 0 {
		r.TimestampType = "NoTimestampType"
	} else {
		r.Timestamp = m.Timestamp.UnixMilli()
	}
	if len(m.Headers) > 0 {
		r.Headers = make([]connector.Header, len(m.Headers))
		for i, h := range m.Headers {
			r.Headers[i] = connector.Header{Key: string(h.Key), Value: h.Value}
		}
	}
	s.recs = append(s.recs, r)
	p.committed = m.Offset + 1
	p.next = m.Offset + 1
	p.touched = true
}

// finishPoll fills the records' Where texts (one string per poll), marks
// the handed-on offsets for the group commit and reports Done.
func (s *Source) finishPoll(out *connector.Poll) {
	type span struct{ w0, w1 int }
	spans := make([]span, len(s.recs))
	for i := range s.recs {
		r := &s.recs[i]
		w0 := len(s.where)
		s.where = append(s.where, "topic "...)
		s.where = append(s.where, r.Topic...)
		s.where = append(s.where, " partition "...)
		s.where = strconv.AppendInt(s.where, int64(r.Partition), 10)
		s.where = append(s.where, " offset "...)
		s.where = strconv.AppendInt(s.where, r.Offset, 10)
		spans[i] = span{w0, len(s.where)}
	}
	where := string(s.where)
	for i, sp := range spans {
		s.recs[i].Where = where[sp.w0:sp.w1]
	}
	out.Records = s.recs
	for _, p := range s.parts {
		if p.touched {
			p.touched = false
			out.Positions = append(out.Positions, connector.Position{Split: p.split, Name: splitName(p), Offset: p.next, Done: p.reported})
		}
	}
	if !s.ckpt {
		s.mark()
	}
	if s.cfg.bounded != "unbounded" {
		all := true
		for _, p := range s.parts {
			all = all && p.reported
		}
		out.Done = all
	}
}

// mark notes the offsets passed on so far; the committer commits them
// every second and Close once more.
func (s *Source) mark() {
	if s.group == nil {
		return
	}
	for _, p := range s.parts {
		if p.committed >= 0 {
			s.group.mark(p, p.committed)
		}
	}
}

// committer commits the group's offsets every second, warning (not
// failing) when a commit does not go through: the next one retries.
func (s *Source) committer() {
	defer s.wg.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := s.group.commit(); err != nil {
				fmt.Fprintf(s.stderr, "warning: %v; retrying\n", err)
			}
		case <-s.done:
			return
		}
	}
}

// Close stops the consumers and commits the group's offsets.
func (s *Source) Close() error {
	select {
	case <-s.done:
		return s.closeErr
	default:
		close(s.done)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	s.wg.Wait() // the pumps stop on done
	for _, p := range s.parts {
		if p.pc != nil {
			p.pc.Close() // drains; its errors were reported as warnings
		}
	}
	if s.cons != nil {
		keep(s.cons.Close())
	}
	if s.group != nil {
		if !s.ckpt {
			s.mark()
		}
		keep(s.group.commit())
	}
	if s.client != nil {
		keep(s.client.Close())
	}
	if first != nil {
		s.closeErr = fmt.Errorf("kafka: closing source: %s", cleanErr(first))
	}
	return s.closeErr
}
