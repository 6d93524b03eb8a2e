//go:build unix && !linux

package pgtest

import "syscall"

// setPdeathsig does nothing: only Linux has a parent-death signal. An
// orphaned postgres stops when the next run removes its directory
// (reapStale).
func setPdeathsig(*syscall.SysProcAttr) {}
