package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
)

func setupExport(a *app, fs *flag.FlagSet) runFunc {
	filter := fs.String("filter", "", "export only the resources matching this filter")
	attrs := projectionFlags(fs)
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, "users|groups"); err != nil {
			return err
		}
		k, ok := map[string]kind{"users": usersKind, "groups": groupsKind}[args[0]]
		if !ok {
			return usagef("export %q: want users or groups", args[0])
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		opts := listOptions(*filter, attrs)
		w := bufio.NewWriter(a.stdout)
		n := 0
		for r, err := range k.service(c).All(ctx, opts) {
			if err != nil {
				w.Flush()
				return fmt.Errorf("after %d %s: %w", n, k.word, err)
			}
			if err := writeLine(w, *r); err != nil {
				return err
			}
			n++
		}
		if isTerminal(a.stderr) {
			fmt.Fprintf(a.stderr, "exported %d %s\n", n, k.word)
		}
		return w.Flush()
	}
}

// writeLine writes raw compacted on one line.
func writeLine(w *bufio.Writer, raw json.RawMessage) error {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}
