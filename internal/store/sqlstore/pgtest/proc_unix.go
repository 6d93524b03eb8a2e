//go:build unix

package pgtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// owner is the user the cluster runs as: this process's own, or, when it
// runs as root (which initdb refuses), postgres or else nobody.
type owner struct {
	name     string
	uid, gid uint32
	switched bool // run commands as uid:gid
}

func clusterOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		name := "the current user"
		if err == nil {
			name = u.Username
		}
		return &owner{name: name}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil && uid != 0 {
			return &owner{name: name, uid: uint32(uid), gid: uint32(gid), switched: true}, nil
		}
	}
	return nil, errors.New("running as root, and neither the user postgres nor nobody exists to run PostgreSQL as (initdb refuses root)")
}

// chown gives a path to the owner.
func (o *owner) chown(path string) error {
	if !o.switched {
		return nil
	}
	return os.Chown(path, int(o.uid), int(o.gid))
}

// command returns a command that runs as the owner and dies with this
// process where the system allows it.
func (o *owner) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.switched {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: o.uid, Gid: o.gid}
		cmd.Env = append(os.Environ(), "HOME="+os.TempDir(), "USER="+o.name, "LOGNAME="+o.name)
	}
	setPdeathsig(cmd.SysProcAttr)
	return cmd
}

// process is a running postgres.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// startProcess starts cmd from a goroutine that keeps its OS thread for as
// long as the process runs: Linux sends the parent-death signal when the
// thread that started a child exits, not the process.
func startProcess(cmd *exec.Cmd) (*process, error) {
	p := &process{cmd: cmd, exited: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(p.exited)
	}()
	return p, <-started
}

// stop asks postgres for a fast shutdown and kills it if it takes long.
func (p *process) stop() {
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// lockDir creates and locks the lock file of a cluster directory; the lock
// lives as long as this process holds the file open.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("pgtest: lock %s: %w", dir, err)
	}
	return f, nil
}

// tryLockDir locks the lock file of another cluster's directory, which
// succeeds only if the process that made it is gone. A directory without
// a lock file counts as abandoned once it is a minute old (it is made and
// locked at once).
func tryLockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		if fi, err := os.Stat(dir); err == nil && time.Since(fi.ModTime()) > time.Minute {
			return os.Open(dir)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
