package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/streamsql/streamsql/planner"
	"github.com/streamsql/streamsql/runtime/connector"
	"github.com/streamsql/streamsql/runtime/connector/kafka"
	"github.com/streamsql/streamsql/runtime/core"
	"github.com/streamsql/streamsql/runtime/runtest"
	"github.com/streamsql/streamsql/sql/types"
	"github.com/twmb/franz-go/pkg/kfake"
)

// tables plans src and returns its source and sink tables by name.
func tables(t *testing.T, src string) map[string]*planner.TableDesc {
	t.Helper()
	job, err := runtest.Plan("test.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*planner.TableDesc{}
	for _, n := range job.Graph.Nodes {
		switch op := n.Op.(type) {
		case *planner.SourceOp:
			out[op.Table.Name] = op.Table
		case *planner.SinkOp:
			out[op.Table.Name] = op.Table
		}
	}
	return out
}

type polled struct {
	offsets []string // "p/offset" in poll order
	polls   []connector.Poll
}

// drain polls a source to its end, max records a poll, and checks the
// poll-boundary rules on the way.
func drain(t *testing.T, s *kafka.Source, max int) polled {
	t.Helper()
	var out polled
	for i := 0; i < 1000; i++ {
		p, err := s.Poll(context.Background(), max)
		if err != nil {
			t.Fatal(err)
		}
		out.polls = append(out.polls, p)
		last := map[int]int64{}
		for _, r := range p.Records {
			out.offsets = append(out.offsets, fmt.Sprintf("%d/%d", r.Partition, r.Offset))
			last[r.Split] = r.Offset
		}
		for _, pos := range p.Positions {
			if o, ok := last[pos.Split]; ok && pos.Offset != o+1 {
				t.Errorf("split %d: position %d after offset %d", pos.Split, pos.Offset, o)
			}
			if pos.Name != fmt.Sprintf("ad-events-2/%d", pos.Split) {
				t.Errorf("position name %q for split %d", pos.Name, pos.Split)
			}
		}
		for sp := range last {
			found := false
			for _, pos := range p.Positions {
				found = found || pos.Split == sp
			}
			if !found {
				t.Errorf("poll read split %d but reports no position for it", sp)
			}
		}
		// A poll that ends a split has no record after that split's last.
		for _, e := range p.Ended {
			if o, ok := last[e]; ok && p.Records[len(p.Records)-1].Offset != o {
				t.Errorf("poll ends split %d but records follow its last one: %v", e, p.Records)
			}
			if o, ok := last[e]; ok && (p.Records[len(p.Records)-1].Split != e || p.Records[len(p.Records)-1].Offset != o) {
				t.Errorf("poll ends split %d after records of other splits", e)
			}
		}
		if p.Done {
			return out
		}
	}
	t.Fatal("source never finished")
	return out
}

// Positions name every partition a poll read; Seek with the positions
// after any poll resumes exactly after it, and the bounded merge cuts a
// poll after a partition's last record.
func TestSourcePositionsAndSeek(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(3, "ad-events-2"))
	var recs []rec
	for p := int32(0); p < 3; p++ {
		// partition p has 4+p records at timestamps 1000+10*i+p
		for i := 0; i < 4+int(p); i++ {
			recs = append(recs, rec{topic: "ad-events-2", partition: p, ts: 1000 + int64(10*i) + int64(p), value: fmt.Sprintf(`{"id": %d}`, int(p)*100+i)})
		}
	}
	produce(t, addr, recs...)
	tb := tables(t, readBack(addr, "ad-events-2", "id INT"))["src"]
	open := func() *kafka.Source {
		s, err := kafka.OpenSource(context.Background(), tb, &connector.Env{Checkpointing: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	// Merged by timestamp: p0 i0, p1 i0, p2 i0, p0 i1, ... partition 0
	// (4 records) ends first, after "0/3".
	full := drain(t, open(), 100)
	if len(full.offsets) != 4+5+6 {
		t.Fatalf("read %d records: %v", len(full.offsets), full.offsets)
	}
	var first connector.Poll // the poll holding partition 0's last record, 0/3
	for _, p := range full.polls {
		for _, r := range p.Records {
			if r.Partition == 0 && r.Offset == 3 {
				first = p
			}
		}
	}
	if n := len(first.Records); n == 0 || first.Records[n-1].Offset != 3 || first.Records[n-1].Partition != 0 ||
		len(first.Ended) != 1 || first.Ended[0] != 0 {
		t.Errorf("the first poll should end right after partition 0's last record (0/3) and end split 0: %+v", first)
	}
	// Resume after every poll of a run with small polls.
	small := drain(t, open(), 2)
	if strings.Join(small.offsets, " ") != strings.Join(full.offsets, " ") {
		t.Fatalf("order depends on poll size:\n%v\n%v", small.offsets, full.offsets)
	}
	pos := map[int]connector.Position{}
	seen := 0
	for k, p := range small.polls[:len(small.polls)-1] {
		seen += len(p.Records)
		for _, x := range p.Positions {
			pos[x.Split] = x
		}
		var list []connector.Position
		for _, x := range pos {
			list = append(list, x)
		}
		s := open()
		if err := s.Seek(list); err != nil {
			t.Fatal(err)
		}
		rest := drain(t, s, 3)
		if got, want := strings.Join(rest.offsets, " "), strings.Join(small.offsets[seen:], " "); got != want {
			t.Errorf("resumed after poll %d: got %s, want %s", k, got, want)
		}
	}
	// A checkpoint naming a partition the source does not read is refused.
	s := open()
	if err := s.Seek([]connector.Position{{Split: 7, Name: "other/0", Offset: 1}}); err == nil || !strings.Contains(err.Error(), "does not read") {
		t.Errorf("Seek of an unknown partition: %v", err)
	}
	s2 := open()
	if err := s2.Seek([]connector.Position{{Split: 0, Name: "ad-events-2/0", Offset: 99}}); err == nil || !strings.Contains(err.Error(), "latest offset") {
		t.Errorf("Seek beyond the end: %v", err)
	}
}

// The transactional sink: rows are invisible to read_committed readers
// until CommitCheckpoint; Committed reads back the marker and the source
// offsets; a second instance fences the first, whose commit then fails
// with a clear error.
func TestTransactionalSink(t *testing.T) {
	addr := cluster(t, kfake.SeedTopics(1, "out"), kfake.SeedTopics(2, "ad-events-2"))
	src := fmt.Sprintf(`CREATE TABLE src (id INT) WITH ('connector' = 'kafka', 'topic' = 'ad-events-2',
  'properties.bootstrap.servers' = '%[1]s', 'properties.group.id' = 'g1', 'format' = 'json',
  'scan.startup.mode' = 'earliest-offset');
CREATE TABLE out (id INT) WITH ('connector' = 'kafka', 'topic' = 'out', 'properties.bootstrap.servers' = '%[1]s',
  'format' = 'json', 'sink.delivery-guarantee' = 'exactly-once', 'sink.transactional-id-prefix' = 'tx');
INSERT INTO out SELECT * FROM src;`, addr)
	tbs := tables(t, src)
	if !kafka.Spec.Transactional(tbs["out"]) || kafka.Spec.Transactional(tbs["src"]) {
		t.Fatal("Spec.Transactional")
	}
	openSink := func() *kafka.Sink {
		s, err := kafka.OpenSink(context.Background(), tbs["out"], &connector.Env{Encoder: idEncoder{}, Settings: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := openSink()
	defer s1.Close()
	ctx := context.Background()
	if err := s1.Write(ctx, batchOf(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if err := s1.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countCommitted(t, addr, "out"); n != 0 {
		t.Errorf("%d rows visible to read_committed before the commit", n)
	}
	srcs := []connector.SourceOffsets{{Table: tbs["src"], Positions: []connector.Position{{Split: 0, Name: "ad-events-2/0", Offset: 5}, {Split: 1, Name: "ad-events-2/1", Offset: 7}}}}
	if err := s1.CommitCheckpoint(ctx, 4, srcs); err != nil {
		t.Fatal(err)
	}
	if n := countCommitted(t, addr, "out"); n != 3 {
		t.Errorf("%d rows visible after the commit, want 3", n)
	}
	id, got, err := s1.Committed(ctx, srcs)
	if err != nil {
		t.Fatal(err)
	}
	if id != 4 || len(got) != 1 || len(got[0].Positions) != 2 || got[0].Positions[0].Offset != 5 || got[0].Positions[1].Offset != 7 {
		t.Errorf("Committed = %d %+v, want checkpoint 4 with offsets 5 and 7", id, got)
	}
	// rows of a transaction that never commits stay invisible
	if err := s1.Write(ctx, batchOf(4)); err != nil {
		t.Fatal(err)
	}
	if err := s1.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := openSink() // fences s1, aborting its open transaction
	defer s2.Close()
	err = s1.CommitCheckpoint(ctx, 5, srcs)
	if err == nil || !errors.Is(err, sarama.ErrProducerFenced) && !strings.Contains(err.Error(), "fenced") {
		t.Errorf("commit of a fenced producer: %v", err)
	}
	if id, _, err := s2.Committed(ctx, nil); err != nil || id != 4 {
		t.Errorf("after fencing: committed checkpoint %d, %v; want 4", id, err)
	}
	if n := countCommitted(t, addr, "out"); n != 3 {
		t.Errorf("%d rows visible after the fenced transaction, want 3", n)
	}
}

// idEncoder writes {"id": N}.
type idEncoder struct{}

func (idEncoder) Encode(buf []byte, row core.Row) ([]byte, error) {
	return fmt.Appendf(buf, `{"id": %d}`, row[0].I), nil
}

func batchOf(ids ...int64) *core.Batch {
	b := core.NewBatch(len(ids), 1)
	for i, id := range ids {
		b.Rows[i][0] = types.IntValue(id)
	}
	return b
}

// countCommitted counts the records of topic a read_committed reader sees.
func countCommitted(t *testing.T, addr, topic string) int {
	t.Helper()
	sc := clientConfig()
	sc.Consumer.IsolationLevel = sarama.ReadCommitted
	c, err := sarama.NewConsumer([]string{addr}, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pc, err := c.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n := 0
	for {
		select {
		case <-pc.Messages():
			n++
		case <-time.After(700 * time.Millisecond):
			return n
		}
	}
}
