package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// One job per state directory, private files.
//
// A state directory belongs to one running job: two processes writing
// checkpoints into it would corrupt each other's. Open takes an exclusive
// lock (flock) on DIR/lock, which holds the owner's PID, before it opens
// Badger; a second process is told which process holds the directory
// instead of Badger's advice to delete it. The kernel drops the lock when
// the owner exits, however it exits (kill -9 included), so a stale PID in
// the file never blocks anyone.
//
// The state holds user data (group keys, buffered rows), so directories
// are created 0700 and our files 0600. Badger creates some of its files
// 0666 minus the umask; they live in DIR/db, which is 0700, and are
// narrowed to 0600 after Open and after every checkpoint (privateFiles).

const lockName = "lock"

// dirLock is a held lock on a state directory.
type dirLock struct{ f *os.File }

// lockDir takes the lock of state directory dir, or says who holds it.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, inUse(dir, path)
		}
		return nil, fmt.Errorf("state directory %s: locking %s: %w", dir, path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

func (l *dirLock) release() {
	if l != nil && l.f != nil {
		l.f.Close() // closing the descriptor drops the flock
		l.f = nil
	}
}

// ErrInUse is wrapped by the error of Open when another process holds
// the state directory.
var ErrInUse = errors.New("state directory in use")

// inUse describes the process whose PID is in pidFile (ours or Badger's
// LOCK file).
func inUse(dir, pidFile string) error {
	who := "another process"
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
			who = fmt.Sprintf("another process (PID %d", pid)
			if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && len(cmd) > 0 {
				c := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
				if len(c) > 120 {
					c = c[:117] + "..."
				}
				who += ": " + c
			}
			who += ")"
		}
	}
	return fmt.Errorf("%w: state directory %s is held by %s; a state directory belongs to one running job: stop that one first, or give this job another --state-dir",
		ErrInUse, dir, who)
}

// privateFiles narrows the mode of the files directly in dir to 0600
// (Badger creates some 0666 minus the umask). Errors are ignored: a file
// may be deleted by a compaction meanwhile.
func privateFiles(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && info.Mode().Perm()&0o077 != 0 {
			os.Chmod(filepath.Join(dir, e.Name()), info.Mode().Perm()&0o700)
		}
	}
}

// privateDir creates dir (and missing parents) 0700, or narrows an
// existing one to 0700; only directories of the state's own layout are
// passed here, never the user's state directory itself when it exists.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	info, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, info.Mode().Perm()&0o700)
	}
	return nil
}
