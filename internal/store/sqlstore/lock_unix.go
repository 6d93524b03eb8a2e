//go:build unix

package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockExclusive takes the lock that makes a process the only one opening
// the SQLite database at path Exclusive: an flock on a file beside it (not
// on the database itself, whose descriptors SQLite's POSIX locks depend
// on). The kernel releases it when the process ends, however it ends.
func lockExclusive(path string) (release func(), err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real // one lock whichever link names the file
	}
	f, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlstore: %s is in use by another scimd serve, copy or migrate; an SQLite database is served by one process (replicas need PostgreSQL)", path)
		}
		return nil, fmt.Errorf("sqlstore: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
