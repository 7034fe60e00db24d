package state

import (
	"bytes"
	"container/heap"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Incremental checkpoints (docs/checkpoints.md, "Incremental
// checkpoints"). Each checkpoint writes, per operator, one *segment*
// under its own id: the operator's whole state, or (Delta) only the
// entries changed since the previous checkpoint, as puts and deletions.
// The manifest lists the earlier segments the state is made of
// (OperatorState.Shared), so a segment is shared by every checkpoint
// whose chain lists it, as Flink's RocksDB backend shares SST files
// between incremental checkpoints (SharedStateRegistry); retention
// deletes a segment once no kept manifest lists it. A restore merges the
// chain: for every key the newest segment's entry.

// allTables makes mergeChain merge every table of the operator.
const allTables = -1

// segIter is one segment's iterator in a merge.
type segIter struct {
	it     *badger.Iterator
	prefix []byte
	rank   int // position in the chain: higher is newer
	delta  bool
}

func (s *segIter) key() []byte { return s.it.Item().Key()[len(s.prefix):] }

// segHeap orders iterators by key, the newest segment first among equal keys.
type segHeap []*segIter

func (h segHeap) Len() int { return len(h) }
func (h segHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key(), h[j].key()); c != 0 {
		return c < 0
	}
	return h[i].rank > h[j].rank
}
func (h segHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *segHeap) Push(x any)   { *h = append(*h, x.(*segIter)) }
func (h *segHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeChain calls fn for every live entry of table in the merged chain,
// in key order. With table allTables it merges every table, and each key
// passed to fn starts with its table's byte.
func mergeChain(txn *badger.Txn, chain []Segment, uid string, table int, fn func(key, value []byte) error) error {
	h := make(segHeap, 0, len(chain))
	defer func() {
		for _, s := range h {
			s.it.Close()
		}
	}()
	for i, seg := range chain {
		var p []byte
		if table == allTables {
			p = segPrefix(nil, seg, uid, 0)
			p = p[:len(p)-1]
		} else {
			p = segPrefix(nil, seg, uid, uint8(table))
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false, Prefix: p})
		it.Seek(p)
		if !it.ValidForPrefix(p) {
			it.Close()
			continue
		}
		h = append(h, &segIter{it: it, prefix: p, rank: i, delta: seg.Delta})
	}
	heap.Init(&h)
	var last []byte
	have := false
	for len(h) > 0 {
		top := h[0]
		k := top.key()
		if have && bytes.Equal(k, last) {
			// an older segment's entry of a key already decided
		} else {
			last, have = append(last[:0], k...), true
			err := top.it.Item().Value(func(v []byte) error {
				if top.delta {
					if len(v) == 0 || v[0] > opDelete {
						return fmt.Errorf("%w: malformed change entry in the part written by checkpoint %d", ErrDamaged, chain[top.rank].ID)
					}
					if v[0] == opDelete {
						return nil
					}
					v = v[1:]
				}
				return fn(last, v)
			})
			if err != nil {
				return err
			}
		}
		top.it.Next()
		if top.it.ValidForPrefix(top.prefix) {
			heap.Fix(&h, 0)
		} else {
			top.it.Close()
			heap.Pop(&h)
		}
	}
	return nil
}
