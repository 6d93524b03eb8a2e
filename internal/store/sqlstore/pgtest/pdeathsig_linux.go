package pgtest

import "syscall"

// setPdeathsig makes the kernel stop the child (SIGQUIT: postgres's immediate
// shutdown, which ends its backends too) when this process dies, so
// that a test binary that panics or times out leaves no postgres behind.
func setPdeathsig(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGQUIT }
