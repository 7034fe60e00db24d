package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Spill is a scratch table for operator state that does not fit in the
// memory limit (state.backend.memory-limit). It is not durable and not
// part of any checkpoint: an operator's snapshot reads its spilled
// entries back and writes them like its in-memory ones, so a checkpoint
// never depends on a spill table, and a restored job starts with a fresh
// one.
//
// Keys are the operator's own bytes; an operator that puts the window end
// first (big-endian, sign bit flipped) reads a window back in firing order
// with one Scan and drops it with one DropPrefix. Writes go through a
// Badger WriteBatch and become visible to Get and Scan after Flush (an
// operator spills in rounds and flushes at the end of each). A point Get
// costs about 10 µs: keep hot entries in memory.
//
// A Spill lives in its own directory, removed by Close. Directories of
// processes that died without closing theirs are removed by the next
// OpenSpillTemp in the same base directory.
type Spill struct {
	dir     string
	db      *badger.DB
	wb      *badger.WriteBatch
	pending int   // writes not yet flushed
	written int64 // bytes put since open (keys + values)
	guard   spaceGuard
}

// SpillMinFree is the space that must stay free on a spill table's file
// system (see space.go): a new memtable log (2 × 32 MiB, written through
// a mapping), the table a memtable flush writes (32 MiB) and compaction
// output. A spill write that would leave less fails with syscall.ENOSPC
// instead of letting Badger fault on a full disk.
const SpillMinFree = 128 << 20

// SpillFreeSpace is the free-space probe of spill tables opened from now
// on (tests simulate a full disk with it); nil is statfs.
var SpillFreeSpace FreeSpaceFunc

// spillPrefix starts the name of every spill directory: spillPrefix + pid + "-" + random.
const spillPrefix = "streamsql-spill-"

// OpenSpillTemp creates a fresh spill table in a new directory under
// base (os.TempDir() when empty), after removing the leftovers of dead
// processes there.
func OpenSpillTemp(base string) (*Spill, error) {
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("spill directory: %w", err)
	}
	removeDeadSpills(base)
	dir, err := os.MkdirTemp(base, spillPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, fmt.Errorf("spill directory: %w", err)
	}
	s, err := OpenSpill(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// removeDeadSpills removes spill directories under base whose process no
// longer runs (a crash or kill left them behind). Failures are ignored:
// a leftover wastes disk but is never read.
func removeDeadSpills(base string) {
	ents, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), spillPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidStr, _, ok := strings.Cut(rest, "-")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			continue // alive (or someone else's)
		}
		os.RemoveAll(filepath.Join(base, e.Name()))
	}
}

// OpenSpill opens a spill table in dir, which must be empty or absent
// (whatever it holds is discarded).
func OpenSpill(dir string) (*Spill, error) {
	const memtable = 32 << 20
	bo := badger.DefaultOptions(dir).
		WithMemTableSize(memtable).
		WithNumMemtables(2).
		WithValueThreshold(64 << 10).
		WithValueLogFileSize(256 << 20).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithBlockCacheSize(32 << 20).
		WithIndexCacheSize(16 << 20).
		WithNumVersionsToKeep(1).
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithNumCompactors(2).
		WithCompression(options.None).
		WithSyncWrites(false).
		WithLogger(quietLogger{})
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("spill directory %s: %w", dir, err)
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("spill directory %s: cannot open: %w", dir, err)
	}
	free := SpillFreeSpace
	if free == nil {
		free = statfsFree
	}
	return &Spill{dir: dir, db: db, guard: spaceGuard{dir: dir, reserve: SpillMinFree, free: free,
		what: "spilling needs", advice: "free space there, point SET 'io.tmp.dirs' at a larger file system or raise 'state.backend.memory-limit'"}}, nil
}

// Dir is the spill table's directory.
func (s *Spill) Dir() string { return s.dir }

// Written is the number of key and value bytes put since the table opened.
func (s *Spill) Written() int64 { return s.written }

// Put stores key -> value (both copied). Visible after Flush.
func (s *Spill) Put(key, value []byte) error {
	if err := s.guard.check(int64(len(key)+len(value)), false, 0); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if s.wb == nil {
		s.wb = s.db.NewWriteBatch()
	}
	k := append([]byte(nil), key...)
	v := append([]byte(nil), value...)
	if err := s.wb.Set(k, v); err != nil {
		return fmt.Errorf("spill: writing: %w", err)
	}
	s.pending++
	s.written += int64(len(k) + len(v))
	return nil
}

// Flush makes every Put visible.
func (s *Spill) Flush() error {
	if s.wb == nil {
		return nil
	}
	wb := s.wb
	s.wb = nil
	s.pending = 0
	if err := s.guard.check(0, true, 0); err != nil {
		wb.Cancel()
		return fmt.Errorf("spill: %w", err)
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("spill: writing: %w", err)
	}
	return nil
}

// Get appends key's value to dst; found is false when there is none.
func (s *Spill) Get(key, dst []byte) (value []byte, found bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		value, err = it.ValueCopy(dst[:0])
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("spill: reading: %w", err)
	}
	return value, found, nil
}

// Scan calls fn for every entry whose key starts with prefix, in key
// order; key and value are valid only during the call.
func (s *Spill) Scan(prefix []byte, fn func(key, value []byte) error) error {
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = prefix
		o.PrefetchValues = false
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			item := it.Item()
			var ferr error
			if err := item.Value(func(v []byte) error {
				ferr = fn(item.Key(), v)
				return nil
			}); err != nil {
				return fmt.Errorf("spill: reading: %w", err)
			}
			if ferr != nil {
				return ferr
			}
		}
		return nil
	})
	return err
}

// Delete removes key (visible after Flush).
func (s *Spill) Delete(key []byte) error {
	if s.wb == nil {
		s.wb = s.db.NewWriteBatch()
	}
	if err := s.wb.Delete(append([]byte(nil), key...)); err != nil {
		return fmt.Errorf("spill: deleting: %w", err)
	}
	s.pending++
	return nil
}

// DeletePrefix deletes every entry under the given prefixes one by one
// (tombstones through the WriteBatch, visible after Flush): cheaper than
// DropPrefix for a few thousand entries.
func (s *Spill) DeletePrefix(prefixes ...[]byte) error {
	if err := s.Flush(); err != nil {
		return err
	}
	var keys [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		for _, p := range prefixes {
			o := badger.DefaultIteratorOptions
			o.Prefix = p
			o.PrefetchValues = false
			it := txn.NewIterator(o)
			for it.Seek(p); it.ValidForPrefix(p); it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			it.Close()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("spill: deleting: %w", err)
	}
	for _, k := range keys {
		if err := s.Delete(k); err != nil {
			return err
		}
	}
	return s.Flush()
}

// DropPrefix deletes every entry under the given prefixes (a fired
// window) with Badger's DropPrefix: it flushes the memtable (a fresh 32
// MiB arena each call) and drops whole tables a prefix covers, so it
// pays off for large windows (keys that start with the smallest window
// end sit in the same tables). Pending writes are flushed first.
func (s *Spill) DropPrefix(prefixes ...[]byte) error {
	if err := s.Flush(); err != nil {
		return err
	}
	if len(prefixes) == 0 {
		return nil
	}
	if err := s.guard.check(0, true, 0); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	if err := s.db.DropPrefix(prefixes...); err != nil {
		return fmt.Errorf("spill: dropping: %w", err)
	}
	return nil
}

// Close closes the table and removes its directory.
func (s *Spill) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	if s.wb != nil {
		s.wb.Cancel()
		s.wb = nil
	}
	err := s.db.Close()
	s.db = nil
	if rerr := os.RemoveAll(s.dir); err == nil && rerr != nil {
		err = rerr
	}
	return err
}
