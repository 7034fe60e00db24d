package state

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
)

// Background consolidation (docs/checkpoints.md, "Consolidation"): what
// RocksDB's compaction does for Flink's incremental checkpoints. When an
// operator's chain of segments grows long (its deltas approach the size
// of its full segment, or the chain approaches MaxChain segments), a
// goroutine merges the chain, from the segments already written and not
// from the operator's live state, into one new full segment (Merged,
// under prefixMerged). Once it is written and synced, the next
// checkpoint that writes the operator as changes lists it in place of
// the chain it merged, so the job never takes a periodic full snapshot.
//
// Crash safety: nothing refers to a merged segment before a manifest
// lists it, and the chain it merged stays listed by the manifests that
// listed it; a crash mid-consolidation leaves those manifests valid and
// the partial segment unreferenced, for retention to delete. While a
// consolidation runs, its input segments and (once written) its result
// count as referenced, so retention deletes neither.

// consolidation is one operator's consolidation, running or done.
type consolidation struct {
	uid     string
	covered []Segment // the chain it merges, oldest first
	result  *Segment  // set (under Store.mu) once written and synced
}

// consolidateWanted reports whether chain should be consolidated: its
// deltas add up to half its full segment, or it holds half of MaxChain
// segments, so the merge normally ends before CanDelta's bounds would
// force a full checkpoint.
func consolidateWanted(chain []Segment) bool {
	if len(chain) < 3 { // a full segment and one delta: nothing worth merging
		return false
	}
	if len(chain) >= MaxChain/2 {
		return true
	}
	var deltas int64
	for _, seg := range chain[1:] {
		deltas += seg.Bytes
	}
	return 2*deltas >= chain[0].Bytes
}

// chainFor is the chain a delta of uid on top of base lists: base's
// chain, with the part a finished consolidation merged replaced by its
// result. Called with s.mu held.
func (s *Store) chainFor(uid string) []Segment {
	op := s.base.Operator(uid)
	chain := op.Chain(s.base.ID)
	c := s.cons[uid]
	if c == nil || c.result == nil || !hasPrefix(chain, c.covered) {
		return chain
	}
	return append([]Segment{*c.result}, chain[len(c.covered):]...)
}

func hasPrefix(chain, prefix []Segment) bool {
	if len(prefix) > len(chain) {
		return false
	}
	for i := range prefix {
		if chain[i] != prefix[i] {
			return false
		}
	}
	return true
}

// afterCommit updates the consolidations after checkpoint m was
// written: one the manifest now lists, or whose chain the operator no
// longer has (it was written in full), is forgotten (retention then
// keeps or deletes its segment as manifests list it); an operator whose
// chain grew long gets one started. Called with s.mu held.
func (s *Store) afterCommit(m *Manifest) {
	for uid, c := range s.cons {
		op := m.Operator(uid)
		if op == nil {
			delete(s.cons, uid)
			continue
		}
		chain := op.Chain(m.ID)
		if c.result != nil && (chain[0] == *c.result || !hasPrefix(chain, c.covered)) {
			delete(s.cons, uid)
		}
	}
	if !s.opts.Incremental || s.isClosing() || s.consolidating {
		return
	}
	for i := range m.Operators {
		op := &m.Operators[i]
		if !op.Delta || s.cons[op.UID] != nil {
			continue
		}
		chain := op.Chain(m.ID)
		if !consolidateWanted(chain) {
			continue
		}
		c := &consolidation{uid: op.UID, covered: chain}
		if s.cons == nil {
			s.cons = map[string]*consolidation{}
		}
		s.cons[op.UID] = c
		s.consolidating = true // one at a time: it competes with the job for CPU and disk
		s.consWG.Add(1)
		go s.consolidate(c)
		return
	}
}

// errClosing stops a consolidation when the Store closes.
var errClosing = errors.New("state: store closing")

// consolidate runs c on its own goroutine and publishes its result.
func (s *Store) consolidate(c *consolidation) {
	defer s.consWG.Done()
	seg, err := s.writeMerged(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consolidating = false
	if err != nil {
		// the chain stays as it is; the partial segment is deleted by
		// retention (nothing lists it) and a later checkpoint retries
		delete(s.cons, c.uid)
		if !errors.Is(err, errClosing) {
			s.warnf("state: consolidating the state of operator %s up to checkpoint %d: %v", c.uid, c.covered[len(c.covered)-1].ID, err)
		}
		return
	}
	c.result = seg
	privateFiles(filepath.Join(s.dir, "db"))
}

// writeMerged merges c's chain into a merged segment named after the
// chain's newest checkpoint, synced before it returns. It reads only
// the segments, which no one changes, and takes no lock: checkpoints
// go on meanwhile.
func (s *Store) writeMerged(c *consolidation) (*Segment, error) {
	id := c.covered[len(c.covered)-1].ID
	seg := &Segment{ID: id, Merged: true}
	all := segPrefix(nil, *seg, c.uid, 0)
	all = all[:len(all)-1]
	// leftovers of an earlier attempt (a crash mid-way) are not counted
	if err := s.deleteRange(all, prefixEnd(all)); err != nil {
		return nil, err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	var sinceCheck int64
	err := s.db.View(func(txn *badger.Txn) error {
		return mergeChain(txn, c.covered, c.uid, allTables, func(key, value []byte) error {
			if s.isClosing() {
				return errClosing
			}
			k := append(append(make([]byte, 0, len(all)+len(key)), all...), key...)
			v := append([]byte(nil), value...)
			if err := wb.Set(k, v); err != nil {
				return err
			}
			seg.Entries++
			seg.Checksum += entryHash(key[0], key[1:], value)
			seg.Bytes += int64(len(k) + len(v))
			if sinceCheck += int64(len(k) + len(v)); sinceCheck >= checkSpaceEvery {
				sinceCheck = 0
				if free, err := s.opts.FreeSpace(s.dir); err == nil && free < s.opts.MinFree {
					return fmt.Errorf("%s free in %s, checkpoints need %s", fmtBytes(free), s.dir, fmtBytes(s.opts.MinFree))
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	if err := wb.Flush(); err != nil {
		return nil, err
	}
	s.hook("consolidate")
	if err := s.db.Sync(); err != nil {
		return nil, err
	}
	return seg, nil
}

func (s *Store) isClosing() bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	return s.closing
}

// stopConsolidation makes a running consolidation give up and waits for
// it.
func (s *Store) stopConsolidation() {
	s.closeMu.Lock()
	s.closing = true
	s.closeMu.Unlock()
	s.consWG.Wait()
}

// WaitConsolidation waits until no consolidation runs (tests and the
// benchmark use it to observe one).
func (s *Store) WaitConsolidation() { s.consWG.Wait() }
