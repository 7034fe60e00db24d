package state

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

// Disk space (docs/checkpoints.md, "A full disk").
//
// Badger writes its write-ahead log (memtable .mem files), value log and
// table files through memory-mapped files that it creates sparse. When
// the file system fills up, a write to such a mapping cannot get a page:
// the kernel sends SIGBUS and the Go runtime dies ("fatal error: fault")
// on a goroutine of Badger's, which no caller can recover. So nothing
// may be written to Badger unless there is room for what it can touch
// before our next look: a space guard checks the file system's free
// space (statfs) before a checkpoint or spill round starts and after
// every megabyte written, and refuses, with an error wrapping
// syscall.ENOSPC, when less than a reserve would remain. The reserve
// covers a new memtable's log, the table a memtable flush writes and the
// tables a compaction writes before it deletes the ones it replaces. The
// active memtable's log is also preallocated (fallocate), so writes into
// it cannot fault even when another process takes the space in between
// (the state store's; a spill table's logs are four times larger and
// left sparse: the reserve alone protects them).
// What the guard cannot prevent is another process filling the last
// reserve between two looks while Badger rotates its memtable.

// checkSpaceEvery is how many bytes may be written between two looks at
// the free space.
const checkSpaceEvery = 1 << 20

// FreeSpaceFunc reports the bytes available to unprivileged writers on
// the file system holding dir (statfs's f_bavail × f_bsize).
type FreeSpaceFunc func(dir string) (int64, error)

// spaceGuard refuses writes that could fill the file system under Badger.
type spaceGuard struct {
	dir     string // a directory on the guarded file system (Badger's)
	reserve int64  // bytes that must stay free
	free    FreeSpaceFunc
	what    string // "checkpoints need", "spilling needs": for messages
	advice  string // what to do about it
	// prealloc preallocates the active memtable log (the state store's:
	// 16 MiB; a spill table's 64 MiB logs are left sparse).
	prealloc bool
	since    int64 // bytes written since the last look
}

// check looks at the free space when forced or when a megabyte has been
// written since the last look; extra is what the caller is about to
// write beyond the reserve.
func (g *spaceGuard) check(written int64, force bool, extra int64) error {
	g.since += written
	if !force && g.since < checkSpaceEvery {
		return nil
	}
	g.since = 0
	free, err := g.free(g.dir)
	if err != nil {
		return fmt.Errorf("%s: free space: %w", g.dir, err)
	}
	if need := g.reserve + extra; free < need {
		return fmt.Errorf("%w in %s: %s free, %s at least %s free (%s)",
			syscall.ENOSPC, g.dir, fmtBytes(free), g.what, fmtBytes(need), g.advice)
	}
	if g.prealloc {
		return preallocateLog(g.dir)
	}
	return nil
}

// preallocateLog allocates the blocks of the newest memtable log file in
// dir (Badger creates it sparse and writes it through a mapping) so that
// writing it cannot fault. ENOSPC here is reported like a full disk.
func preallocateLog(dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	if len(files) == 0 {
		return nil
	}
	sort.Strings(files) // fixed-width numbers: the last is the newest
	f, err := os.OpenFile(files[len(files)-1], os.O_RDWR, 0)
	if err != nil {
		if os.IsNotExist(err) {
			return nil // flushed and deleted meanwhile
		}
		return fmt.Errorf("%s: %w", dir, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if err := fallocate(f, fi.Size()); err != nil {
		return fmt.Errorf("%w in %s: preallocating %s (%s): %v", syscall.ENOSPC, dir, filepath.Base(f.Name()), fmtBytes(fi.Size()), err)
	}
	return nil
}

// fmtBytes prints a byte count for messages: "4.9 MiB".
func fmtBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
