//go:build !unix

package pgtest

import (
	"errors"
	"os"
	"os/exec"
)

var errUnsupported = errors.New("pgtest starts PostgreSQL only on Unix; set SCIMD_TEST_POSTGRES to a server's URL")

type owner struct{ name string }

func clusterOwner() (*owner, error)                            { return nil, errUnsupported }
func (o *owner) chown(string) error                            { return errUnsupported }
func (o *owner) command(name string, args ...string) *exec.Cmd { return exec.Command(name, args...) }

type process struct{ exited chan struct{} }

func startProcess(*exec.Cmd) (*process, error) { return nil, errUnsupported }
func (p *process) stop()                       {}
func lockDir(string) (*os.File, error)         { return nil, errUnsupported }
func tryLockDir(string) (*os.File, error)      { return nil, errUnsupported }
