//go:build unix

package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockExclusive takes the lock that makes a process the only one opening
// the SQLite database at path Exclusive: an flock on a file beside it (not
// on the database itself, whose descriptors SQLite's POSIX locks depend
// on). The kernel releases it when the process ends, however it ends.
func lockExclusive(path string) (release func(), err error) {
	f, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlstore: %s is in use by another scimd serve or scimd copy; an SQLite database is served by one process (replicas need PostgreSQL)", path)
		}
		return nil, fmt.Errorf("sqlstore: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
