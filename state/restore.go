package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
)

// Checkpoint is a verified, complete checkpoint ready to restore from.
type Checkpoint struct {
	s        *Store
	Manifest *Manifest
	Path     string // manifest file
}

// ErrNoCheckpoint is returned by Latest when the directory has no
// checkpoint at all (a first run).
var ErrNoCheckpoint = errors.New("no checkpoint")

// Latest returns the newest checkpoint that verifies. Damaged or
// incomplete newer ones are skipped with a warning naming them; when
// checkpoints exist but none verifies, the error lists why each failed.
func (s *Store) Latest() (*Checkpoint, error) {
	ids, err := s.IDs()
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, ErrNoCheckpoint
	}
	var why []error
	for i := len(ids) - 1; i >= 0; i-- {
		c, err := s.Load(s.manifestPath(ids[i]))
		if err == nil && c.Manifest.Prepared {
			// only a transactional sink can confirm it (LoadPrepared)
			err = fmt.Errorf("checkpoint %d is prepared but was never confirmed complete (its exactly-once transaction may not have committed)", ids[i])
		}
		if err == nil {
			for _, e := range why {
				s.warnf("%v; falling back to checkpoint %d", e, ids[i])
			}
			return c, nil
		}
		why = append(why, err)
	}
	return nil, fmt.Errorf("state directory %s: no usable checkpoint (remove the directory to start afresh, losing the state): %w", s.dir, errors.Join(why...))
}

// LoadID loads checkpoint id of this store (see Load); prepared
// checkpoints load too, for a transactional sink to confirm.
func (s *Store) LoadID(id int64) (*Checkpoint, error) {
	return s.Load(s.manifestPath(id))
}

// Load reads and verifies the checkpoint whose manifest is at path (a
// file in this store's checkpoints directory): the manifest checksum,
// then every operator's entry count and checksum.
func (s *Store) Load(path string) (*Checkpoint, error) {
	abs, _ := filepath.Abs(path)
	dir, _ := filepath.Abs(filepath.Join(s.dir, "checkpoints"))
	if filepath.Dir(abs) != dir {
		return nil, fmt.Errorf("checkpoint %s is not in state directory %s", path, s.dir)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	m, err := ReadManifest(path)
	if err != nil {
		return nil, err
	}
	if want, ok := parseManifestName(filepath.Base(path)); !ok || want != m.ID {
		return nil, fmt.Errorf("checkpoint %s: %w: manifest names checkpoint %d", path, ErrDamaged, m.ID)
	}
	c := &Checkpoint{s: s, Manifest: m, Path: path}
	s.lastBytes = m.StateBytes() // the next checkpoint (a full one) is about as large
	for i := range m.Operators {
		op := &m.Operators[i]
		chain := op.Chain(m.ID)
		for i, seg := range chain {
			if (i == 0) == seg.Delta {
				return nil, fmt.Errorf("checkpoint %d: %w: state of %s: malformed chain of segments", m.ID, ErrDamaged, opName(op))
			}
			n, sum, err := c.verify(seg, op.UID)
			if err != nil {
				return nil, fmt.Errorf("checkpoint %d: reading state of %s: %w: %v", m.ID, op.Name, ErrDamaged, err)
			}
			if n != seg.Entries || sum != seg.Checksum {
				where := ""
				if seg.Merged {
					where = fmt.Sprintf(" in the consolidation of its state up to checkpoint %d", seg.ID)
				} else if seg.ID != m.ID {
					where = fmt.Sprintf(" in the part written by checkpoint %d", seg.ID)
				}
				return nil, fmt.Errorf("checkpoint %d: %w: state of %s%s has %d entries (checksum %016x), the manifest says %d (%016x)",
					m.ID, ErrDamaged, opName(op), where, n, sum, seg.Entries, seg.Checksum)
			}
		}
	}
	return c, nil
}

func opName(op *OperatorState) string {
	if op.Name != "" {
		return op.Name
	}
	return "operator " + op.UID
}

// verify counts and checksums an operator's entries over all its tables.
func (c *Checkpoint) verify(seg Segment, uid string) (n int64, sum uint64, err error) {
	prefix := segPrefix(nil, seg, uid, 0)
	prefix = prefix[:len(prefix)-1] // every table
	err = c.s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			k := item.Key()
			table := k[len(prefix)]
			err := item.Value(func(v []byte) error {
				sum += entryHash(table, k[len(prefix)+1:], v)
				return nil
			})
			if err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, sum, err
}

// OperatorReader reads one operator's tables from a checkpoint. It
// satisfies the runtime's core.StateReader.
type OperatorReader struct {
	c   *Checkpoint
	uid string
}

// Operator returns the reader of one operator's state.
func (c *Checkpoint) Operator(uid string) *OperatorReader {
	return &OperatorReader{c: c, uid: uid}
}

// Scan calls fn for every entry of table in key order. key and value are
// valid only during the call. An incremental checkpoint's state is the
// merge of its chain of segments: for each key, the newest segment's
// entry wins, and a deletion hides the key.
func (r *OperatorReader) Scan(table uint8, fn func(key, value []byte) error) error {
	op := r.c.Manifest.Operator(r.uid)
	if op == nil || len(op.Shared) == 0 && !op.Delta {
		return r.scanSegment(r.c.Manifest.ID, table, fn)
	}
	return r.c.s.db.View(func(txn *badger.Txn) error {
		return mergeChain(txn, op.Chain(r.c.Manifest.ID), r.uid, int(table), fn)
	})
}

func (r *OperatorReader) scanSegment(id int64, table uint8, fn func(key, value []byte) error) error {
	prefix := entryPrefix(nil, id, r.uid, table)
	return r.c.s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			k := item.Key()[len(prefix):]
			if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
				return err
			}
		}
		return nil
	})
}
