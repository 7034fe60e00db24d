package kafka

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/IBM/sarama"
)

// Bounded reads end where the consumer's position reaches the stop
// offset, as Flink's KafkaPartitionSplitReader does, not at a record at
// stop-1: the last offsets of a partition can hold records a consumer
// never hands on (the commit or abort marker that ends a transaction,
// the records of aborted transactions under read_committed) or no record
// at all (removed by compaction). sarama's PartitionConsumer skips them
// without telling where it stands, so when a bounded partition has
// delivered nothing for a while its pump asks skipTo how far the log
// holds nothing to hand on.

// probeEvery is how long a bounded partition's pump waits for a record
// before it looks (skipTo) whether the rest up to its end is skipped.
const probeEvery = 200 * time.Millisecond

// probeBytes is the most one skipTo fetch asks for: it mostly needs the
// first batch at the position.
const probeBytes = 256 << 10

// listOffset is Kafka's ListOffsets for one partition (ts: a timestamp,
// or sarama.OffsetNewest / OffsetOldest) at the source's isolation
// level: with read_committed the latest offset is the last stable
// offset, below any transaction still open, as for Flink's
// OffsetsInitializer.latest() and the end offsets of
// OffsetsInitializer.timestamp(). -1: no record at or after ts.
func (s *Source) listOffset(p *partition, ts int64) (int64, error) {
	b, err := s.client.Leader(p.topic, p.id)
	if err != nil {
		return 0, err
	}
	req := sarama.NewOffsetRequest(s.client.Config().Version)
	req.IsolationLevel = s.isolation
	req.AddBlock(p.topic, p.id, ts, 1)
	resp, err := b.GetAvailableOffsets(req)
	if err != nil {
		return 0, err
	}
	blk := resp.GetBlock(p.topic, p.id)
	if blk == nil {
		return 0, sarama.ErrIncompleteResponse
	}
	if !errors.Is(blk.Err, sarama.ErrNoError) {
		return 0, blk.Err
	}
	if len(blk.Offsets) != 1 {
		return 0, sarama.ErrIncompleteResponse
	}
	return blk.Offsets[0], nil
}

// skipTo returns the position a consumer of p reaches from offset from
// without handing on a record before end: from itself when a record to
// hand on is at or after from (or may be: a batch not seen whole, a
// message set in the pre-0.11 format), otherwise past every control
// batch, aborted batch (read_committed) and gap that follows. It stops
// at the log's end (read_committed: the last stable offset), so a
// position below end means that end is not reached yet.
func (s *Source) skipTo(p *partition, from, end int64) (int64, error) {
	pos := from
	for pos < end {
		b, err := s.client.Leader(p.topic, p.id)
		if err != nil {
			return pos, err
		}
		// Kafka returns the first batch whole whatever its size
		n := min(s.lim.fetchBytes, probeBytes)
		req := &sarama.FetchRequest{Version: 12, MaxWaitTime: 0, MinBytes: 1, MaxBytes: n,
			Isolation: s.isolation, SessionID: 0, SessionEpoch: -1}
		req.AddBlock(p.topic, p.id, pos, n, -1)
		resp, err := b.Fetch(req)
		if err != nil {
			return pos, err
		}
		blk := resp.GetBlock(p.topic, p.id)
		if blk == nil {
			return pos, sarama.ErrIncompleteResponse
		}
		if !errors.Is(blk.Err, sarama.ErrNoError) {
			return pos, blk.Err
		}
		aborted := append([]*sarama.AbortedTransaction(nil), blk.AbortedTransactions...)
		sort.Slice(aborted, func(i, j int) bool { return aborted[i].FirstOffset < aborted[j].FirstOffset })
		abortedPIDs := map[int64]bool{}
		moved := false
		for _, rs := range blk.RecordsSet {
			rb := rs.RecordBatch
			if rb == nil || rb.PartialTrailingRecord {
				return pos, nil
			}
			last := rb.FirstOffset + int64(rb.LastOffsetDelta)
			for len(aborted) > 0 && aborted[0].FirstOffset <= last {
				abortedPIDs[aborted[0].ProducerID] = true
				aborted = aborted[1:]
			}
			if last < pos {
				continue
			}
			switch {
			case rb.Control:
				// the marker ends the producer's transaction (an abort
				// marker its aborted range)
				delete(abortedPIDs, rb.ProducerID)
			case s.isolation == sarama.ReadCommitted && rb.IsTransactional && abortedPIDs[rb.ProducerID]:
			default:
				for _, r := range rb.Records {
					if rb.FirstOffset+r.OffsetDelta >= pos {
						return pos, nil // a record to hand on
					}
				}
			}
			pos, moved = last+1, true
		}
		if !moved {
			return pos, nil // nothing more in the log yet
		}
	}
	return pos, nil
}

// probeWarning is the warning for what skipTo could not find out.
func (s *Source) probeWarning(p *partition, err error) string {
	return fmt.Sprintf("warning: kafka: %s: cannot tell whether the offsets before the end offset %d hold records to read: %s; retrying\n", s.name(p), p.end, cleanErr(err))
}
