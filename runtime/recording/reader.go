package recording

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/streamsql/streamsql/runtime/connector"
)

// Located is a record and where it was read ("file:line"), for errors.
type Located struct {
	Record
	Where string
}

// Reader replays records as a bounded connector.SourceReader: partition N
// is split N, every partition is active from the first poll (as a Kafka
// topic's are, so the watermark waits for all of them), records come in
// the given order, and offsets not recorded are counted per partition
// from 0 (after the last recorded one).
type Reader struct {
	recs    []connector.Record
	started []int
	pos     int
	counts  map[int]int64 // records handed out per partition (positions)
}

// NewReader replays recs as records of topic ("" for none).
func NewReader(recs []Located, topic string) *Reader {
	r := &Reader{recs: make([]connector.Record, 0, len(recs)), counts: map[int]int64{}}
	next := map[int]int64{}
	for i := range recs {
		rec := &recs[i]
		off, seen := next[rec.Partition]
		if rec.Offset >= 0 {
			off = rec.Offset
		}
		if !seen {
			r.started = append(r.started, rec.Partition)
		}
		next[rec.Partition] = off + 1
		var hs []connector.Header
		for _, h := range rec.Headers {
			hs = append(hs, connector.Header{Key: h.Key, Value: h.Value})
		}
		r.recs = append(r.recs, connector.Record{
			Split: rec.Partition, Key: rec.Key, Value: rec.Value, Timestamp: rec.Timestamp,
			Topic: topic, Partition: int32(rec.Partition), Offset: off, TimestampType: "CreateTime",
			Headers: hs, Where: rec.Where,
		})
	}
	sort.Ints(r.started)
	return r
}

// Poll hands out up to max records; the records are never reused.
func (r *Reader) Poll(_ context.Context, max int) (connector.Poll, error) {
	var p connector.Poll
	if r.started != nil {
		p.Started, r.started = r.started, nil
	}
	if max <= 0 {
		max = 1024
	}
	end := min(r.pos+max, len(r.recs))
	p.Records = r.recs[r.pos:end]
	r.pos = end
	p.Done = r.pos == len(r.recs)
	var moved []int
	for _, rec := range p.Records {
		if !containsInt(moved, rec.Split) {
			moved = append(moved, rec.Split)
		}
		r.counts[rec.Split]++
	}
	sort.Ints(moved)
	for _, split := range moved {
		p.Positions = append(p.Positions, connector.Position{Split: split, Name: "p" + strconv.Itoa(split), Offset: r.counts[split]})
	}
	return p, nil
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// Seek resumes after the records a checkpoint saw: Position.Offset is the
// number of records of that partition handed out. Since replay order is
// fixed, those must be exactly the first records of the recording.
func (r *Reader) Seek(pos []connector.Position) error {
	total := 0
	for _, p := range pos {
		r.counts[p.Split] = p.Offset
		total += int(p.Offset)
	}
	if total > len(r.recs) {
		return fmt.Errorf("recording: positions past the end (%d of %d records)", total, len(r.recs))
	}
	check := map[int]int64{}
	for _, rec := range r.recs[:total] {
		check[rec.Split]++
	}
	for split, n := range r.counts {
		if check[split] != n {
			return fmt.Errorf("recording: position of partition %d is %d, but the first %d records hold %d of it", split, n, total, check[split])
		}
	}
	r.pos = total
	return nil
}

// Close does nothing.
func (r *Reader) Close() error { return nil }
