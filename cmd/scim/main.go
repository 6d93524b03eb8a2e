package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the service provider refused, or the input was bad
	exitUsage = 2 // the command line was wrong
)

// usageError is an error in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run is the scim command with its environment passed in, so that tests run
// it in-process. It returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	err := a.dispatch(ctx, args)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "scim: %v\nRun 'scim help' for usage.\n", err)
		return exitUsage
	}
	printError(stderr, err)
	return exitError
}

// app is one run of the scim command.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	conn   connFlags
	output string // "json" or "table"
}

// command is one scim command. setup registers its flags and returns the
// function that runs it with the positional arguments.
type command struct {
	name    string // "users list"
	args    string // positional arguments, for the usage text
	summary string
	setup   func(a *app, fs *flag.FlagSet) runFunc
}

type runFunc = func(ctx context.Context, args []string) error

func (a *app) dispatch(ctx context.Context, args []string) error {
	cmd, rest, err := findCommand(args)
	if err != nil {
		return err
	}
	if cmd.name == "help" {
		writeUsage(a.stdout)
		return nil
	}
	fs := flag.NewFlagSet("scim "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.conn.register(fs)
	fs.StringVar(&a.output, "o", "json", "output format: json or table")
	runCmd := cmd.setup(a, fs)
	pos, err := parseInterspersed(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		writeCommandUsage(a.stdout, cmd, fs)
		return err
	}
	if err != nil {
		return usagef("%s: %v", cmd.name, err)
	}
	if a.output != "json" && a.output != "table" {
		return usagef("-o %q: want json or table", a.output)
	}
	a.conn.visited = visitedFlags(fs)
	return runCmd(ctx, pos)
}

// findCommand finds the command words among args, skipping the global flags
// that may come before them, and returns the command and the other
// arguments.
func findCommand(args []string) (*command, []string, error) {
	var words []int // indexes of the non-flag arguments seen
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			break
		}
		if name, ok := flagName(arg); ok {
			switch takes, known := globalFlagTakesValue(name); {
			case !known && (name == "h" || name == "help"):
				return &command{name: "help"}, nil, nil
			case !known:
				return nil, nil, usagef("flag -%s must come after the command", name)
			case takes && !strings.Contains(arg, "="):
				i++
			}
			continue
		}
		words = append(words, i)
		if cmd := lookupCommand(args, words); cmd != nil {
			return cmd, without(args, words), nil
		}
		if len(words) == 2 {
			break
		}
	}
	if len(words) == 0 {
		return nil, nil, usagef("no command")
	}
	if len(words) == 1 {
		if subs := subcommands(args[words[0]]); subs != "" {
			return nil, nil, usagef("%s needs one of: %s", args[words[0]], subs)
		}
	}
	return nil, nil, usagef("unknown command %q", strings.Join(pick(args, words), " "))
}

// subcommands lists the subcommands of word, if it has any.
func subcommands(word string) string {
	var subs []string
	for _, c := range commands {
		if sub, ok := strings.CutPrefix(c.name, word+" "); ok {
			subs = append(subs, sub)
		}
	}
	return strings.Join(subs, ", ")
}

// lookupCommand returns the command named by the words at indexes words of
// args, if there is one.
func lookupCommand(args []string, words []int) *command {
	name := strings.Join(pick(args, words), " ")
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func pick(args []string, idx []int) []string {
	out := make([]string, len(idx))
	for i, j := range idx {
		out[i] = args[j]
	}
	return out
}

func without(args []string, idx []int) []string {
	out := make([]string, 0, len(args)-len(idx))
	for i, arg := range args {
		if len(idx) > 0 && idx[0] == i {
			idx = idx[1:]
			continue
		}
		out = append(out, arg)
	}
	return out
}

// flagName returns the name of a flag argument such as "--url=x" or "-o".
func flagName(arg string) (string, bool) {
	if len(arg) < 2 || arg[0] != '-' {
		return "", false
	}
	name := strings.TrimPrefix(arg[1:], "-")
	name, _, _ = strings.Cut(name, "=")
	return name, true
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments, which it returns. Everything after "--" is
// positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos, tail []string
	for i, arg := range args {
		if arg == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return append(pos, tail...), nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func visitedFlags(fs *flag.FlagSet) map[string]bool {
	set := make(map[string]bool)
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// wantArgs checks the number of positional arguments.
func wantArgs(args []string, names ...string) error {
	if len(args) != len(names) {
		return usagef("want %d argument(s) %s, got %d", len(names), strings.Join(names, " "), len(args))
	}
	return nil
}
