package devbroker

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Recovery of transactions left open by an unclean stop (SIGKILL, power
// loss). kfake treats such a transaction as aborted when it reloads its
// DataDir, but writes no abort marker into the partition. A reader with
// isolation.level=read_committed learns from a fetch that the producer's
// transaction starting at offset N was aborted, and skips that
// producer's records from N on until it reads the abort marker: without
// one it skips every later transaction of the same producer too, the
// committed ones included (the exactly-once sink reuses its producer
// after a restart). So Start scans the segment files before kfake loads
// them and, once the broker runs, writes the missing abort markers with
// WriteTxnMarkers, as Kafka's transaction coordinator would.

// openTxn is a transaction with records in a partition and no marker.
type openTxn struct {
	topic string
	part  int32
	pid   int64
	epoch int16
	first int64 // offset of its first record
}

// openTxns lists the transactions of dir's partitions that have no end
// marker. After a clean stop kfake restores the open transactions itself
// (session_state.json): then there is nothing to repair.
func openTxns(dir string) ([]openTxn, error) {
	if _, err := os.Stat(filepath.Join(dir, "session_state.json")); err == nil {
		return nil, nil
	}
	pdirs, err := os.ReadDir(filepath.Join(dir, "partitions"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []openTxn
	for _, pd := range pdirs {
		i := strings.LastIndexByte(pd.Name(), '-')
		if !pd.IsDir() || i < 0 {
			continue
		}
		part, err := strconv.ParseInt(pd.Name()[i+1:], 10, 32)
		if err != nil {
			continue
		}
		topic, err := url.PathUnescape(pd.Name()[:i])
		if err != nil {
			continue
		}
		open, err := scanPartition(filepath.Join(dir, "partitions", pd.Name()))
		if err != nil {
			return nil, fmt.Errorf("topic '%s' partition %d: %w", topic, part, err)
		}
		for _, o := range open {
			o.topic, o.part = topic, int32(part)
			out = append(out, o)
		}
	}
	return out, nil
}

// scanPartition reads a partition's segment files (record batches in
// Kafka's wire format, one after the other) and returns, per producer,
// its transaction that has no marker. It stops at the first incomplete
// or corrupt batch, where kfake truncates the log.
func scanPartition(pdir string) ([]openTxn, error) {
	entries, err := os.ReadDir(pdir)
	if err != nil {
		return nil, err
	}
	var bases []int64
	for _, e := range entries {
		if b, ok := strings.CutSuffix(e.Name(), ".dat"); ok {
			if n, err := strconv.ParseInt(b, 10, 64); err == nil {
				bases = append(bases, n)
			}
		}
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	open := map[int64]openTxn{}
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
scan:
	for _, base := range bases {
		raw, err := os.ReadFile(filepath.Join(pdir, strconv.FormatInt(base, 10)+".dat"))
		if err != nil {
			return nil, err
		}
		for len(raw) >= 61 { // a record batch header is 61 bytes
			n := 12 + int(int32(binary.BigEndian.Uint32(raw[8:12])))
			if n < 61 || n > len(raw) || raw[16] != 2 ||
				crc32.Checksum(raw[21:n], castagnoli) != binary.BigEndian.Uint32(raw[17:21]) {
				break scan
			}
			offset := int64(binary.BigEndian.Uint64(raw[0:8]))
			attrs := binary.BigEndian.Uint16(raw[21:23])
			pid := int64(binary.BigEndian.Uint64(raw[43:51]))
			epoch := int16(binary.BigEndian.Uint16(raw[51:53]))
			switch {
			case attrs&0x20 != 0: // control batch: the transaction's marker
				delete(open, pid)
			case attrs&0x10 != 0: // transactional records
				if _, ok := open[pid]; !ok {
					open[pid] = openTxn{pid: pid, epoch: epoch, first: offset}
				}
			}
			raw = raw[n:]
		}
	}
	out := make([]openTxn, 0, len(open))
	for _, o := range open {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pid < out[j].pid })
	return out, nil
}

// abortOpen writes an abort marker for each transaction in txns through
// the broker at addr.
func abortOpen(addr string, txns []openTxn) error {
	if len(txns) == 0 {
		return nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err
	}
	defer cl.Close()
	req := kmsg.NewPtrWriteTxnMarkersRequest()
	for _, o := range txns {
		m := kmsg.NewWriteTxnMarkersRequestMarker()
		m.ProducerID, m.ProducerEpoch, m.Committed = o.pid, o.epoch, false
		mt := kmsg.NewWriteTxnMarkersRequestMarkerTopic()
		mt.Topic = o.topic
		mt.Partitions = []int32{o.part}
		m.Topics = append(m.Topics, mt)
		req.Markers = append(req.Markers, m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	for _, m := range resp.Markers {
		for _, t := range m.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return fmt.Errorf("topic '%s' partition %d, producer %d: %w", t.Topic, p.Partition, m.ProducerID, err)
				}
			}
		}
	}
	return nil
}
