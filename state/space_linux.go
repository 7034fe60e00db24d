//go:build linux

package state

import (
	"os"
	"syscall"
)

// statfsFree is the default FreeSpaceFunc.
func statfsFree(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// fallocate allocates the blocks of f's first size bytes without
// changing its size. File systems without fallocate are left alone.
func fallocate(f *os.File, size int64) error {
	err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
	if err == syscall.EOPNOTSUPP || err == syscall.ENOSYS {
		return nil
	}
	return err
}
