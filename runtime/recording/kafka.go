package recording

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// KafkaCapture says what CaptureKafka reads.
type KafkaCapture struct {
	Brokers []string
	Topic   string
	// FromLatest starts at the end of every partition (only records
	// produced from now on); otherwise at the oldest record kept.
	FromLatest bool
	// Count stops after this many records (0: no limit).
	Count int64
	// Duration stops after this long (0: no limit). With neither Count
	// nor Duration, a capture from the oldest record stops once every
	// partition is read up to where it ended when the capture started
	// (a topic whose tail holds transaction markers needs Count or
	// Duration); one from the latest runs until ctx ends.
	Duration time.Duration
}

// CaptureKafka writes the topic's records to w as recording lines, in the
// order they are consumed (per partition in offset order, partitions
// interleaved as fetches arrive), with partition, offset, timestamp, key
// and headers. It stops as KafkaCapture says or when ctx ends (not an
// error), and returns how many records it wrote.
func CaptureKafka(ctx context.Context, c KafkaCapture, w io.Writer) (int64, error) {
	if len(c.Brokers) == 0 || c.Topic == "" {
		return 0, errors.New("record: brokers and topic are required")
	}
	sc := sarama.NewConfig()
	sc.Version = sarama.V2_8_0_0 // kfake and real brokers alike (FACTS.md: at least 0.11)
	sc.ClientID = "streamsql-record"
	sc.Net.DialTimeout = 10 * time.Second
	sc.Metadata.Retry.Max = 3
	sc.Metadata.Retry.Backoff = 500 * time.Millisecond
	sc.Metadata.Full = false
	sc.Consumer.Return.Errors = true
	sc.Consumer.MaxWaitTime = 100 * time.Millisecond
	cl, err := sarama.NewClient(c.Brokers, sc)
	if err != nil {
		return 0, fmt.Errorf("record: cannot reach brokers %s: %w", strings.Join(c.Brokers, ","), err)
	}
	defer cl.Close()
	parts, err := cl.Partitions(c.Topic)
	if err != nil {
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return 0, fmt.Errorf("record: topic '%s' does not exist", c.Topic)
		}
		return 0, fmt.Errorf("record: topic '%s': %w", c.Topic, err)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	untilEnd := !c.FromLatest && c.Count == 0 && c.Duration == 0
	// end[p]: the offset after the last record to read (untilEnd only)
	end := map[int32]int64{}
	start := sarama.OffsetOldest
	if c.FromLatest {
		start = sarama.OffsetNewest
	}
	remaining := 0
	if untilEnd {
		for _, p := range parts {
			oldest, err := cl.GetOffset(c.Topic, p, sarama.OffsetOldest)
			if err != nil {
				return 0, fmt.Errorf("record: topic '%s' partition %d: %w", c.Topic, p, err)
			}
			newest, err := cl.GetOffset(c.Topic, p, sarama.OffsetNewest)
			if err != nil {
				return 0, fmt.Errorf("record: topic '%s' partition %d: %w", c.Topic, p, err)
			}
			if newest > oldest {
				end[p] = newest
				remaining++
			}
		}
		if remaining == 0 {
			return 0, nil
		}
	}
	cons, err := sarama.NewConsumerFromClient(cl)
	if err != nil {
		return 0, fmt.Errorf("record: %w", err)
	}
	defer cons.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan *sarama.ConsumerMessage, 256)
	errs := make(chan error, len(parts))
	for _, p := range parts {
		if untilEnd && end[p] == 0 {
			continue
		}
		pc, err := cons.ConsumePartition(c.Topic, p, start)
		if err != nil {
			return 0, fmt.Errorf("record: topic '%s' partition %d: %w", c.Topic, p, err)
		}
		defer pc.AsyncClose()
		go func() {
			for {
				select {
				case m, ok := <-pc.Messages():
					if !ok {
						return
					}
					select {
					case msgs <- m:
					case <-ctx.Done():
						return
					}
				case e, ok := <-pc.Errors():
					if ok {
						select {
						case errs <- e:
						default:
						}
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	var timeout <-chan time.Time
	if c.Duration > 0 {
		t := time.NewTimer(c.Duration)
		defer t.Stop()
		timeout = t.C
	}
	bw := bufio.NewWriter(w)
	var n int64
	var line []byte
	for {
		select {
		case <-ctx.Done():
			return n, bw.Flush()
		case <-timeout:
			return n, bw.Flush()
		case e := <-errs:
			bw.Flush()
			return n, fmt.Errorf("record: topic '%s': %w", c.Topic, e)
		case m := <-msgs:
			if untilEnd && m.Offset >= end[m.Partition] {
				continue // produced after the capture started
			}
			r := Record{Partition: int(m.Partition), Offset: m.Offset, Key: m.Key, Value: m.Value}
			if m.Value == nil {
				r.Value = []byte{}
			}
			if !m.Timestamp.IsZero() {
				r.Timestamp = m.Timestamp.UnixMilli()
			}
			for _, h := range m.Headers {
				if h != nil {
					r.Headers = append(r.Headers, Header{Key: string(h.Key), Value: h.Value})
				}
			}
			line = append(AppendLine(line[:0], &r), '\n')
			if _, err := bw.Write(line); err != nil {
				return n, fmt.Errorf("record: %w", err)
			}
			n++
			if c.Count > 0 && n >= c.Count {
				return n, bw.Flush()
			}
			if untilEnd && m.Offset+1 >= end[m.Partition] {
				remaining--
				if remaining == 0 {
					return n, bw.Flush()
				}
			}
		}
	}
}
