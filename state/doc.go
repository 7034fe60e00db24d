// Package state is streamsql's checkpoint store: a Badger database with
// the operator state of each retained checkpoint, plus one manifest file
// per checkpoint. It imports none of streamsql's other packages; the
// runtime adapts it to core.StateWriter / core.StateReader.
//
// # Layout
//
//	DIR/lock                     flock of the running job, its PID (dirlock.go)
//	DIR/db/                      Badger (8 MiB memtables x2, 16 MiB block cache,
//	                             one version per key, no conflict detection,
//	                             checksums verified on every table and block read)
//	DIR/checkpoints/chk-0000000012   the manifest of checkpoint 12
//
// A state entry's key is
//
//	'c' | checkpoint id (8 bytes, big-endian) | len(uid) | operator uid | table (1 byte) | operator's key
//
// so one operator's table in one checkpoint is a contiguous range, and an
// operator that encodes window end first (big-endian, sign bit flipped)
// reads its windows back in firing order with one range scan.
//
// # Completeness
//
// Entries are written with a WriteBatch, which Badger splits into several
// transactions: a crash can leave part of a checkpoint behind. A
// checkpoint therefore counts only once (1) its entries are flushed, (2)
// db.Sync() returned, and (3) its manifest was written to a temporary
// file, synced and renamed into place. The manifest records, per
// operator, the number of entries and the sum of their CRC-64s; loading a
// checkpoint re-reads every entry and compares. A manifest that is
// missing, truncated, fails its CRC-32C, or whose entries do not match is
// skipped with a warning and the previous checkpoint is used; when none
// verifies, Latest returns an error naming each failure. Nothing is ever
// restored from a checkpoint that does not verify.
//
// # Retention and garbage collection
//
// After each new checkpoint the oldest are deleted so that NumRetained
// remain (manifests first, then their entries). Value-log GC is never
// run: state values are far below Badger's value threshold (1 MiB), so
// they live in the LSM tree and deleted entries are reclaimed by
// compaction. (The pinned v4.9.6 also contains the fix for Badger issue
// #2286, deleted keys reappearing after value-log GC, released in 4.9.3
// as PR #2310, and the compaction fix #2278 from 4.9.4.)
//
// # Spill tables
//
// Spill (spill.go) is a separate, non-durable Badger database per
// operator for state beyond state.backend.memory-limit: Put/Delete through
// a WriteBatch (visible after Flush), Get, Scan by prefix (a window's end
// first, so firing is one range scan), DeletePrefix and DropPrefix for
// fired windows. It lives in a temporary directory removed by Close;
// directories of dead processes are removed by the next OpenSpillTemp.
// Checkpoints never refer to it: operators write spilled state into
// their snapshots like the rest.
package state
