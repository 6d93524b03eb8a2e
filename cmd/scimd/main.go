// Command scimd is the scimd SCIM 2.0 server and its administration tool.
//
//	scimd serve [--addr 127.0.0.1:8080] [--db sqlite:./scimd.db | postgres://...] ...
//	scimd tenant create DOMAIN --admin-password PW
//
// Run "scimd help" for every command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

const usage = `scimd: a SCIM 2.0 identity server

usage:
  scimd serve [flags]                              run the server
  scimd tenant create DOMAIN --admin-password PW   create a tenant and its admin
  scimd client create --name N --scopes "S ..."    create an OAuth 2.0 client (client credentials)
  scimd token create --scopes "S ..."              create an API token (also: token list, token revoke ID)
  scimd migrate                                    bring the database's schema up to date, without serving
  scimd copy --from DSN --to DSN                   copy a whole database, e.g. from SQLite to PostgreSQL
  scimd help                                       show this help

Run "scimd COMMAND --help" for a command's flags.
`

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// errUsage marks an error in how a command was invoked.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// run runs the command line args and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr, getenv)
	case "tenant":
		err = tenant(ctx, args[1:], stdout, stderr, getenv)
	case "client":
		err = client(ctx, args[1:], stdout, stderr, getenv)
	case "token":
		err = token(ctx, args[1:], stdout, stderr, getenv)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr, getenv)
	case "copy":
		err = copyDB(ctx, args[1:], stdout, stderr, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = errUsage{fmt.Sprintf("unknown command %q", args[0])}
	}
	var ue errUsage
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "scimd: %v\nRun \"scimd help\" for usage.\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "scimd: %v\n", err)
		return exitError
	}
}
