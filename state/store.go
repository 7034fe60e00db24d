package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// Options configure a Store.
type Options struct {
	// NumRetained is how many complete checkpoints are kept
	// (state.checkpoints.num-retained); older ones are deleted after a
	// new one completes. Values below 1 mean DefaultNumRetained.
	NumRetained int
	// Warn receives warnings (fallbacks, deleted leftovers); nil discards them.
	Warn io.Writer
	// BlockCacheMB is Badger's block cache in MiB (0: 16).
	BlockCacheMB int64
	// Hook, when set, is called at the steps of CheckpointWriter.Commit
	// ("flushed": entries written, not synced; "synced": synced, manifest
	// not written). The crash tests kill the process there.
	Hook func(step string)
	// FreeSpace reports a file system's free bytes (nil: statfs); tests
	// replace it to simulate a full disk.
	FreeSpace FreeSpaceFunc
	// MinFree is the space that must stay free on the state directory's
	// file system for Badger's own writes (0: DefaultMinFree); a
	// checkpoint that would leave less fails with syscall.ENOSPC.
	MinFree int64
	// Incremental (state.backend.incremental) lets an operator that
	// tracks its changes write only those, sharing the earlier segments
	// of its state (OperatorWriter.CanDelta).
	Incremental bool
}

// MaxChain bounds the segments one operator's state may consist of (a
// full one and its deltas); beyond it, and when the deltas together
// outgrow the full segment, the next checkpoint writes the operator in
// full. Restore merges the chain, so this bounds its cost.
const MaxChain = 64

// DefaultMinFree is the free space a checkpoint leaves at least: a new
// memtable log (2 × 8 MiB, written through a mapping), the table a
// memtable flush writes (8 MiB) and the tables a compaction writes
// before it deletes those it merges.
const DefaultMinFree = 64 << 20

// minFreeToOpen is the free space below which the state database is not
// even opened: opening writes the headers of new memory-mapped logs.
const minFreeToOpen = 1 << 20

// DefaultNumRetained keeps the last two complete checkpoints, one more
// than Flink's default of 1, so that a checkpoint damaged on disk has a
// complete predecessor to fall back to.
const DefaultNumRetained = 2

// Store is one job's state directory: a Badger database (dir/db) with
// the state entries of every retained checkpoint, and one manifest file
// per checkpoint (dir/checkpoints/chk-NNNNNNNNNN).
type Store struct {
	dir  string
	db   *badger.DB
	opts Options
	mu   sync.Mutex // serialises checkpoint writes and retention

	guard     spaceGuard
	lastBytes int64 // size of the last checkpoint written or found
	lock      *dirLock
	existed   bool
	// base is the last checkpoint this Store wrote (prepared or
	// complete): the one the next checkpoint's deltas are relative to.
	// nil after Open and after a failed checkpoint, whose operators may
	// have forgotten their changes: the next checkpoint is full.
	base *Manifest
	// cons are the consolidations running or done but not yet listed by
	// a manifest, by operator uid (consolidate.go); consolidating is
	// true while one runs. Both under mu.
	cons          map[string]*consolidation
	consolidating bool
	consWG        sync.WaitGroup
	closeMu       sync.Mutex
	closing       bool // under closeMu: Close stops consolidation
}

// Key prefixes in Badger.
const (
	prefixCheckpoint byte = 'c' // 'c' id(8) uidLen(1) uid table(1) key -> value
	// prefixMerged holds the segments background consolidation writes
	// (Segment.Merged): 'm' id(8) uidLen(1) uid table(1) key -> value,
	// id being the newest checkpoint of the chain it merged.
	prefixMerged byte = 'm'
)

// Open opens (or creates) the state directory.
func Open(dir string, opts Options) (*Store, error) {
	if opts.NumRetained < 1 {
		opts.NumRetained = DefaultNumRetained
	}
	if opts.BlockCacheMB <= 0 {
		opts.BlockCacheMB = 16
	}
	if opts.FreeSpace == nil {
		opts.FreeSpace = statfsFree
	}
	if opts.MinFree <= 0 {
		opts.MinFree = DefaultMinFree
	}
	_, err := os.Stat(filepath.Join(dir, "db", "MANIFEST"))
	existed := err == nil
	if err := os.MkdirAll(dir, 0o700); err != nil { // an existing one is the user's: left as it is
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	for _, sub := range []string{"checkpoints", "db"} {
		if err := privateDir(filepath.Join(dir, sub)); err != nil {
			return nil, fmt.Errorf("state directory %s: %w", dir, err)
		}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := openLocked(dir, opts)
	if err != nil {
		lock.release()
		return nil, err
	}
	s.lock, s.existed = lock, existed
	return s, nil
}

func openLocked(dir string, opts Options) (*Store, error) {
	const memtable = 8 << 20
	bo := badger.DefaultOptions(filepath.Join(dir, "db")).
		WithMemTableSize(memtable).
		WithNumMemtables(2).
		WithValueLogFileSize(64 << 20).
		WithValueThreshold(memtable / 10).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(opts.BlockCacheMB << 20).
		WithIndexCacheSize(8 << 20).
		WithNumVersionsToKeep(1).
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithNumCompactors(2).
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true).
		WithLogger(quietLogger{})
	guard := spaceGuard{dir: filepath.Join(dir, "db"), reserve: opts.MinFree, free: opts.FreeSpace,
		prealloc: true, what: "checkpoints need", advice: "free space on that file system or move the state directory with --state-dir"}
	if free, err := opts.FreeSpace(dir); err == nil && free < minFreeToOpen {
		return nil, fmt.Errorf("state directory %s: %w: %s free, opening the state database needs at least %s",
			dir, syscall.ENOSPC, fmtBytes(free), fmtBytes(minFreeToOpen))
	}
	if err := dropEmptyLogs(filepath.Join(dir, "db")); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	if err := checkTables(filepath.Join(dir, "db")); err != nil {
		return nil, fmt.Errorf("state directory %s: cannot open the state database (remove the directory to start afresh, losing the state): %w", dir, err)
	}
	db, err := badger.Open(bo)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			// not a streamsql process (ours would hold DIR/lock)
			return nil, inUse(dir, filepath.Join(dir, "db", "LOCK"))
		}
		return nil, fmt.Errorf("state directory %s: cannot open the state database (damaged? remove the directory to start afresh, losing the state): %w", dir, err)
	}
	privateFiles(filepath.Join(dir, "db"))
	privateFiles(filepath.Join(dir, "checkpoints"))
	return &Store{dir: dir, db: db, opts: opts, guard: guard}, nil
}

// Existed reports whether the state database existed before Open (a
// directory used by an earlier run), whether or not it holds a
// checkpoint.
func (s *Store) Existed() bool { return s.existed }

// Dir is the state directory.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error {
	if s.db == nil {
		return nil
	}
	s.stopConsolidation()
	err := s.db.Close()
	s.db = nil
	privateFiles(filepath.Join(s.dir, "db"))
	s.lock.release()
	return err
}

// quietLogger drops Badger's info and debug chatter and keeps warnings
// and errors off the job's output (they surface as returned errors).
type quietLogger struct{}

func (quietLogger) Errorf(string, ...interface{})   {}
func (quietLogger) Warningf(string, ...interface{}) {}
func (quietLogger) Infof(string, ...interface{})    {}
func (quietLogger) Debugf(string, ...interface{})   {}

func (s *Store) warnf(format string, args ...any) {
	if s.opts.Warn != nil {
		fmt.Fprintf(s.opts.Warn, "warning: "+format+"\n", args...)
	}
}

// ---------------------------------------------------------------- keys

// entryPrefix is the key prefix of one operator's table in a checkpoint.
func entryPrefix(dst []byte, id int64, uid string, table uint8) []byte {
	return kindPrefix(dst, prefixCheckpoint, id, uid, table)
}

// segPrefix is the key prefix of one table of a segment.
func segPrefix(dst []byte, seg Segment, uid string, table uint8) []byte {
	kind := prefixCheckpoint
	if seg.Merged {
		kind = prefixMerged
	}
	return kindPrefix(dst, kind, seg.ID, uid, table)
}

func kindPrefix(dst []byte, kind byte, id int64, uid string, table uint8) []byte {
	dst = append(dst, kind)
	dst = binary.BigEndian.AppendUint64(dst, uint64(id))
	dst = append(dst, byte(len(uid)))
	dst = append(dst, uid...)
	return append(dst, table)
}

func checkpointPrefix(id int64) []byte {
	b := []byte{prefixCheckpoint}
	return binary.BigEndian.AppendUint64(b, uint64(id))
}

var crcTable = crc64.MakeTable(crc64.ECMA)

// entryHash hashes one entry; an operator's checksum is the sum of its
// entries' hashes, so it does not depend on write order.
func entryHash(table uint8, key, value []byte) uint64 {
	var hdr [9]byte
	hdr[0] = table
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(key)))
	binary.BigEndian.PutUint32(hdr[5:], uint32(len(value)))
	h := crc64.Update(0, crcTable, hdr[:])
	h = crc64.Update(h, crcTable, key)
	return crc64.Update(h, crcTable, value)
}

// ---------------------------------------------------------------- writing

// CheckpointWriter collects one checkpoint's state entries. Entries go
// through a Badger WriteBatch, which is not atomic (it commits in several
// transactions): the checkpoint only counts once Commit has synced the
// database and then written its manifest, last.
type CheckpointWriter struct {
	s     *Store
	id    int64
	wb    *badger.WriteBatch
	ops   map[string]*OperatorWriter
	order []*OperatorWriter
	bytes int64
	err   error
	key   []byte
}

// OperatorWriter writes one operator's tables. It satisfies the runtime's
// core.StateWriter.
type OperatorWriter struct {
	c       *CheckpointWriter
	uid     string
	entries int64
	sum     uint64
	bytes   int64
	delta   bool
	shared  []Segment // the base's chain, when delta
}

// NewCheckpoint starts writing checkpoint id. Leftover entries of an
// earlier attempt with the same id (a crash mid-write) are removed first.
//
// It fails with an error wrapping syscall.ENOSPC, before writing
// anything, when the state directory's file system has less free space
// than MinFree plus twice the size of the previous checkpoint.
func (s *Store) NewCheckpoint(id int64) (*CheckpointWriter, error) {
	s.mu.Lock()
	if err := s.guard.check(0, true, 2*s.lastBytes); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if err := s.deleteEntries(id); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return &CheckpointWriter{s: s, id: id, wb: s.db.NewWriteBatch(), ops: map[string]*OperatorWriter{}}, nil
}

// Operator returns the writer of one operator's state.
func (c *CheckpointWriter) Operator(uid string) *OperatorWriter {
	if w := c.ops[uid]; w != nil {
		return w
	}
	w := &OperatorWriter{c: c, uid: uid}
	c.ops[uid] = w
	c.order = append(c.order, w)
	return w
}

// CanDelta reports whether the operator's state may be written as its
// changes since the previous checkpoint (StartDelta): incremental
// checkpoints are on, this Store wrote that checkpoint (so the
// operator's changes are tracked against it) and its chain is short
// enough. While a consolidation of the operator's chain runs, the
// bounds are twice as wide: its result will shorten the chain.
func (w *OperatorWriter) CanDelta() bool {
	s := w.c.s
	if !s.opts.Incremental || s.base == nil || w.entries > 0 {
		return false
	}
	if s.base.Operator(w.uid) == nil {
		return false
	}
	chain := s.chainFor(w.uid)
	limit, factor := MaxChain, int64(1)
	if c := s.cons[w.uid]; c != nil && c.result == nil {
		limit, factor = 2*MaxChain, 2
	}
	if len(chain) >= limit {
		return false
	}
	var deltas int64
	for _, seg := range chain[1:] {
		deltas += seg.Bytes
	}
	return deltas <= factor*chain[0].Bytes
}

// StartDelta makes the entries that follow the operator's changes
// against the previous checkpoint (Put: a new or changed entry; Delete:
// a removed one); the earlier segments are shared (with a finished
// consolidation in place of the chain it merged). Call it before any
// Put, and only when CanDelta.
func (w *OperatorWriter) StartDelta() error {
	if !w.CanDelta() {
		return fmt.Errorf("state: operator %s cannot be written as changes in checkpoint %d", w.uid, w.c.id)
	}
	w.delta, w.shared = true, w.c.s.chainFor(w.uid)
	return nil
}

// Put stores one entry of table. Keys must be unique within a table.
func (w *OperatorWriter) Put(table uint8, key, value []byte) error {
	if w.delta {
		return w.put(table, key, append([]byte{opPut}, value...))
	}
	return w.put(table, key, value)
}

// Delete records that the entry of table with key, present in the
// previous checkpoint, is gone. Only after StartDelta; the value is not
// needed here (core.DeltaWriter passes the entry's last value for the
// runtime to find its key group).
func (w *OperatorWriter) Delete(table uint8, key, _ []byte) error {
	if !w.delta {
		return fmt.Errorf("state: operator %s: a deletion in a full checkpoint", w.uid)
	}
	return w.put(table, key, []byte{opDelete})
}

// The first byte of a value in a delta segment.
const (
	opPut    byte = 0
	opDelete byte = 1
)

func (w *OperatorWriter) put(table uint8, key, value []byte) error {
	c := w.c
	if c.err != nil {
		return c.err
	}
	if len(w.uid) > 255 {
		return fmt.Errorf("state: operator uid %q too long", w.uid)
	}
	if err := c.s.guard.check(int64(len(key)+len(value)), false, 0); err != nil {
		c.err = err
		return err
	}
	c.key = entryPrefix(c.key[:0], c.id, w.uid, table)
	c.key = append(c.key, key...)
	// WriteBatch keeps the slices until it flushes: copy both.
	k := append([]byte(nil), c.key...)
	v := append([]byte(nil), value...)
	if err := c.wb.Set(k, v); err != nil {
		c.err = fmt.Errorf("state: writing checkpoint %d: %w", c.id, err)
		return c.err
	}
	w.entries++
	w.sum += entryHash(table, key, value)
	w.bytes += int64(len(k) + len(v))
	c.bytes += int64(len(k) + len(v))
	return nil
}

// Bytes is the size of the entries written so far.
func (c *CheckpointWriter) Bytes() int64 { return c.bytes }

// Abort drops the checkpoint; its entries are removed by the next
// NewCheckpoint with the same id or by retention.
func (c *CheckpointWriter) Abort() {
	if c.wb != nil {
		c.wb.Cancel()
		c.wb = nil
		c.s.base = nil // operators may have forgotten changes: the next is full
		c.s.mu.Unlock()
	}
}

// Commit makes the checkpoint durable: it flushes the entries, syncs the
// database, fills m's per-operator entry counts and checksums and its id,
// writes the manifest file (synced, then renamed into place), and applies
// retention. m.Operators must name every operator written (others are
// added with their UID only).
func (c *CheckpointWriter) Commit(m *Manifest) error {
	if c.wb == nil {
		return errors.New("state: checkpoint already committed or aborted")
	}
	done := false
	defer func() {
		if c.wb != nil {
			c.wb.Cancel()
			c.wb = nil
		}
		if !done {
			c.s.base = nil // the next checkpoint is full
		}
		c.s.mu.Unlock()
	}()
	if c.err != nil {
		return c.err
	}
	if err := c.wb.Flush(); err != nil {
		return fmt.Errorf("state: writing checkpoint %d: %w", c.id, err)
	}
	c.wb = nil
	c.s.hook("flushed")
	if err := c.s.db.Sync(); err != nil {
		return fmt.Errorf("state: syncing checkpoint %d: %w", c.id, err)
	}
	c.s.hook("synced")
	m.ID = c.id
	m.Complete = !m.Prepared
	m.Bytes = c.bytes
	byUID := map[string]int{}
	for i := range m.Operators {
		byUID[m.Operators[i].UID] = i
	}
	for _, w := range c.order {
		i, ok := byUID[w.uid]
		if !ok {
			m.Operators = append(m.Operators, OperatorState{UID: w.uid})
			i = len(m.Operators) - 1
		}
		op := &m.Operators[i]
		op.Entries, op.Checksum, op.Bytes = w.entries, w.sum, w.bytes
		op.Delta, op.Shared = w.delta, w.shared
	}
	m.Version = versionFor(m)
	if err := writeManifest(c.s.manifestPath(c.id), m); err != nil {
		return err
	}
	c.s.lastBytes = m.StateBytes()             // a full checkpoint may follow
	privateFiles(filepath.Join(c.s.dir, "db")) // tables written since the last look
	done = true
	c.s.base = m
	c.s.afterCommit(m)
	if m.Complete {
		c.s.retain()
	}
	return nil
}

func (s *Store) hook(step string) {
	if s.opts.Hook != nil {
		s.opts.Hook(step)
	}
}

// MarkComplete turns prepared checkpoint id complete, once its
// transaction has committed, and applies retention. The manifest is
// rewritten atomically (temporary file, sync, rename).
func (s *Store) MarkComplete(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.manifestPath(id)
	m, err := ReadManifest(path)
	if err != nil {
		return err
	}
	m.Complete, m.Prepared = true, false
	if err := writeManifest(path, m); err != nil {
		return err
	}
	s.retain()
	return nil
}

// ---------------------------------------------------------------- retention and listing

func (s *Store) manifestPath(id int64) string {
	return filepath.Join(s.dir, "checkpoints", ManifestName(id))
}

// ManifestName is the file name of checkpoint id's manifest.
func ManifestName(id int64) string { return fmt.Sprintf("chk-%010d", id) }

// parseManifestName returns the id in a manifest file name.
func parseManifestName(name string) (int64, bool) {
	rest, ok := strings.CutPrefix(name, "chk-")
	if !ok || len(rest) == 0 {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// IDs lists the checkpoint ids that have a manifest file, ascending.
func (s *Store) IDs() ([]int64, error) {
	ents, err := os.ReadDir(filepath.Join(s.dir, "checkpoints"))
	if err != nil {
		return nil, fmt.Errorf("state directory %s: %w", s.dir, err)
	}
	var ids []int64
	for _, e := range ents {
		if id, ok := parseManifestName(e.Name()); ok && !e.IsDir() {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(a, b int) bool { return ids[a] < ids[b] })
	return ids, nil
}

// NextID is one more than the largest checkpoint id seen in the directory
// (manifests or entries), so ids never repeat.
func (s *Store) NextID() (int64, error) {
	ids, err := s.IDs()
	if err != nil {
		return 0, err
	}
	next := int64(1)
	if len(ids) > 0 {
		next = ids[len(ids)-1] + 1
	}
	err = s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Reverse = true
		it := txn.NewIterator(o)
		defer it.Close()
		it.Seek([]byte{prefixCheckpoint, 0xff})
		if it.ValidForPrefix([]byte{prefixCheckpoint}) {
			k := it.Item().Key()
			if len(k) >= 9 {
				if id := int64(binary.BigEndian.Uint64(k[1:9])); id >= next {
					next = id + 1
				}
			}
		}
		return nil
	})
	return next, err
}

// retain keeps the newest NumRetained complete checkpoints and deletes
// the manifests of older ones (prepared ones included), then every
// segment (one checkpoint's entries of one operator) older than the
// oldest kept complete checkpoint that no kept manifest lists (its own
// or shared): the reference count of a segment is the number of kept
// manifests whose chains list it. Segments with no manifest older than
// that checkpoint (failed attempts) go too. Prepared checkpoints newer
// than it are kept: one of them may be the one whose transaction is
// committing. Failures only warn: a leftover wastes space but is never
// read.
func (s *Store) retain() {
	all, err := s.IDs()
	if err != nil {
		s.warnf("state: retention: %v", err)
		return
	}
	var ids []int64 // complete ones (a damaged manifest counts as one: dropped by age)
	for _, id := range all {
		if m, err := ReadManifest(s.manifestPath(id)); err == nil && !m.Complete {
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) <= s.opts.NumRetained {
		return
	}
	keepFrom := ids[len(ids)-s.opts.NumRetained]
	refs, err := s.referenced(all, keepFrom)
	if err != nil {
		s.warnf("state: retention: %v (old checkpoints are kept)", err)
		return
	}
	for _, id := range all {
		if id >= keepFrom {
			continue
		}
		if err := os.Remove(s.manifestPath(id)); err != nil && !os.IsNotExist(err) {
			s.warnf("state: removing checkpoint %d: %v", id, err)
		}
	}
	if err := s.deleteUnreferenced(keepFrom, refs); err != nil {
		s.warnf("state: removing old checkpoint entries: %v", err)
	}
}

// segKey names a segment: the checkpoint that wrote it and the operator.
type segKey struct {
	id     int64
	uid    string
	merged bool // written by consolidation (prefixMerged)
}

// referenced is the set of segments the manifests with ids >= keepFrom
// list. A kept manifest that cannot be read fails it (nothing is then
// deleted), unless it is a damaged complete one, which will never be
// restored.
func (s *Store) referenced(all []int64, keepFrom int64) (map[segKey]bool, error) {
	refs := map[segKey]bool{}
	for _, id := range all {
		if id < keepFrom {
			continue
		}
		m, err := ReadManifest(s.manifestPath(id))
		if err != nil {
			if errors.Is(err, ErrDamaged) {
				continue
			}
			return nil, err
		}
		for i := range m.Operators {
			for _, seg := range m.Operators[i].Chain(m.ID) {
				refs[segKey{seg.ID, m.Operators[i].UID, seg.Merged}] = true
			}
		}
	}
	for _, c := range s.cons { // a consolidation's input while it runs, its result (being written too) until a manifest lists it
		for _, seg := range c.covered {
			refs[segKey{seg.ID, c.uid, seg.Merged}] = true
		}
		refs[segKey{c.covered[len(c.covered)-1].ID, c.uid, true}] = true
	}
	if s.base != nil { // the next delta's base (already among them unless its manifest was damaged since)
		for i := range s.base.Operators {
			for _, seg := range s.base.Operators[i].Chain(s.base.ID) {
				refs[segKey{seg.ID, s.base.Operators[i].UID, seg.Merged}] = true
			}
		}
	}
	return refs, nil
}

// deleteUnreferenced deletes the segments of checkpoints with ids below
// limit that refs does not list. It finds them with one seek each, so
// its cost is that of what it deletes.
func (s *Store) deleteUnreferenced(limit int64, refs map[segKey]bool) error {
	segs, err := s.segments(limit)
	if err != nil {
		return err
	}
	for _, sk := range segs {
		if refs[sk] {
			continue
		}
		from := segPrefix(nil, Segment{ID: sk.id, Merged: sk.merged}, sk.uid, 0)
		from = from[:len(from)-1]
		if err := s.deleteRange(from, prefixEnd(from)); err != nil {
			return err
		}
	}
	return nil
}

// segments lists the segments in the database written by checkpoints
// (and consolidations of chains ending) with ids below limit (one seek
// per segment).
func (s *Store) segments(limit int64) ([]segKey, error) {
	var segs []segKey
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		it := txn.NewIterator(o)
		defer it.Close()
		for _, kind := range []byte{prefixCheckpoint, prefixMerged} {
			for it.Seek([]byte{kind}); it.ValidForPrefix([]byte{kind}); {
				k := it.Item().Key()
				if len(k) < 10 || len(k) < 10+int(k[9]) {
					return fmt.Errorf("malformed state key %x", k)
				}
				id := int64(binary.BigEndian.Uint64(k[1:9]))
				if id >= limit {
					break
				}
				segs = append(segs, segKey{id, string(k[10 : 10+int(k[9])]), kind == prefixMerged})
				it.Seek(prefixEnd(k[:10+int(k[9])]))
			}
		}
		return nil
	})
	return segs, err
}

// prefixEnd is the smallest key after every key starting with p.
func prefixEnd(p []byte) []byte {
	e := append([]byte(nil), p...)
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] < 0xff {
			e[i]++
			return e[:i+1]
		}
	}
	return []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
}

// deleteEntries removes every entry of checkpoint id.
func (s *Store) deleteEntries(id int64) error {
	return s.deleteRange(checkpointPrefix(id), checkpointPrefix(id+1))
}

// deleteRange deletes keys in [from, to), in chunks, so that removing a
// large segment does not hold all its keys in memory. Iterating and
// deleting through a WriteBatch is cheaper than DropPrefix for the small
// states of most jobs (DropPrefix flushes and rewrites tables).
func (s *Store) deleteRange(from, to []byte) error {
	const chunk = 1 << 16
	for {
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			o := badger.DefaultIteratorOptions
			o.PrefetchValues = false
			it := txn.NewIterator(o)
			defer it.Close()
			for it.Seek(from); it.Valid() && len(keys) < chunk; it.Next() {
				k := it.Item().Key()
				if string(k) >= string(to) {
					break
				}
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		wb := s.db.NewWriteBatch()
		for _, k := range keys {
			if err := wb.Delete(k); err != nil {
				wb.Cancel()
				return err
			}
		}
		if err := wb.Flush(); err != nil {
			return err
		}
		if len(keys) < chunk {
			return nil
		}
		from = append(keys[len(keys)-1], 0)
	}
}

// dropEmptyLogs removes memtable logs (*.mem) and value logs (*.vlog) of
// length zero. Badger creates such a file and then sizes it; a process
// killed between the two leaves an empty file, which holds no entry (no
// value pointer can point into it) but which Badger refuses on the next
// open ("while opening memtables ..." / "Open existing file ...: Create a
// new file"), so one SIGKILL at the wrong moment would lock the job out of
// its own state. The crash harness hit both.
func dropEmptyLogs(dir string) error {
	for _, pattern := range []string{"*.mem", "*.vlog"} {
		files, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return err
		}
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil || fi.Size() != 0 {
				continue
			}
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("removing the empty log %s: %w", f, err)
			}
		}
	}
	return nil
}

// checkTables verifies the footer and index checksum of every table file
// before Badger opens them: Badger v4.9.6 panics on a goroutine of its
// own (which no caller can recover) when a table file is truncated or
// its index damaged. Damaged data blocks are caught later, when read
// (ChecksumVerificationMode OnBlockRead), as errors.
//
// Only the tables Badger's MANIFEST references are checked: a table file
// being written when the process was killed is not referenced yet, and
// Badger deletes it on open (the crash tests hit this).
func checkTables(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	if err != nil {
		return err
	}
	if refs, ok := referencedTables(dir); ok {
		kept := files[:0]
		for _, f := range files {
			if refs[filepath.Base(f)] {
				kept = append(kept, f)
			}
		}
		files = kept
	}
	for _, f := range files {
		if err := checkTable(f); err != nil {
			return fmt.Errorf("table file %s is damaged: %w", f, err)
		}
	}
	return nil
}

// referencedTables lists the table files Badger's MANIFEST references;
// ok is false when it cannot be read (then every file is checked and
// Badger reports the MANIFEST's problem itself).
func referencedTables(dir string) (map[string]bool, bool) {
	f, err := os.Open(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	m, _, err := badger.ReplayManifestFile(f, 0, badger.DefaultOptions(dir))
	if err != nil {
		return nil, false
	}
	refs := make(map[string]bool, len(m.Tables))
	for id := range m.Tables {
		refs[table.IDToFilename(id)] = true
	}
	return refs, true
}

func checkTable(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	pos := len(data) - 4
	if pos < 0 {
		return errors.New("too short")
	}
	chkLen := int(binary.BigEndian.Uint32(data[pos:]))
	if chkLen > pos {
		return errors.New("bad checksum length")
	}
	pos -= chkLen
	var chk pb.Checksum
	if err := proto.Unmarshal(data[pos:pos+chkLen], &chk); err != nil {
		return fmt.Errorf("bad checksum: %w", err)
	}
	pos -= 4
	if pos < 0 {
		return errors.New("too short")
	}
	idxLen := int(binary.BigEndian.Uint32(data[pos:]))
	if idxLen > pos {
		return errors.New("bad index length")
	}
	if err := y.VerifyChecksum(data[pos-idxLen:pos], &chk); err != nil {
		return err
	}
	return nil
}
