package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/scimd/scimd/internal/store/sqlstore"
)

// copyDB runs "scimd copy --from DSN --to DSN": it copies a whole database
// (sqlstore.Copy), shows its progress on stderr and the counts of both
// databases on stdout, and fails unless they match.
func copyDB(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("copy", "scimd copy --from DSN --to DSN [--schemas PATH] [--force]", stderr)
	from := fs.String("from", "", "the database to copy, e.g. sqlite:./scimd.db")
	to := fs.String("to", "", "the database to copy it into, e.g. postgres://scimd@db.example.com/scimd: new and empty, or an earlier copy of the same one")
	schemasPath := fs.String("schemas", "", schemasUsage)
	force := fs.Bool("force", false, "copy into a target in which resources were written since the last copy (a scimd served it), overwriting or deleting them")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := applyEnv(fs, getenv); err != nil {
		return errUsage{err.Error()}
	}
	switch {
	case len(pos) > 0:
		return errUsage{fmt.Sprintf("copy takes no arguments, got %q", pos)}
	case *from == "" || *to == "":
		return errUsage{"copy needs --from and --to"}
	case *from == *to:
		return errUsage{"--from and --to are the same database"}
	}
	s, err := loadSchemas(*schemasPath)
	if err != nil {
		return err
	}
	// The source may be a running server's database: it is neither
	// migrated nor reindexed. The target's indexes are built for the
	// schemas.
	src, err := s.open(ctx, *from, sqlstore.Options{Indexes: sqlstore.KeepIndexes, NoMigrate: true})
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := s.open(ctx, *to, sqlstore.Options{Exclusive: true})
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	bar := &progressBar{w: stderr, terminal: isTerminal(stderr)}
	err = sqlstore.Copy(ctx, dst, src, sqlstore.CopyOptions{Progress: bar.update, Force: *force})
	bar.finish()
	if err != nil {
		return fmt.Errorf("%w\nThe copy stopped part way; run the command again to finish it.", err)
	}
	return compareCounts(ctx, stdout, src, dst)
}

// compareCounts prints what both databases hold and fails if they differ.
func compareCounts(ctx context.Context, w io.Writer, src, dst *sqlstore.DB) error {
	sc, err := src.Counts(ctx)
	if err != nil {
		return err
	}
	dc, err := dst.Counts(ctx)
	if err != nil {
		return err
	}
	type key struct{ tenant, what string }
	target := map[key]int{}
	for _, c := range dc {
		target[key{c.Tenant, c.What}] = c.N
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tenant\twhat\tsource\ttarget\t")
	same := len(sc) == len(dc)
	for _, c := range sc {
		tenant := c.Tenant
		if tenant == "" {
			tenant = "-"
		}
		n, ok := target[key{c.Tenant, c.What}]
		same = same && ok && n == c.N
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t\n", tenant, c.What, c.N, n)
	}
	tw.Flush()
	if !same {
		return errors.New("the counts of the two databases differ: was one of them written to during the copy? Run the copy again")
	}
	fmt.Fprintln(w, "The copy is complete: the counts match.")
	return nil
}

// progressBar shows a copy's progress: a bar redrawn in place on a
// terminal, a line per tenth of each phase elsewhere (logs).
type progressBar struct {
	w        io.Writer
	terminal bool
	phase    string
	tenth    int // the last tenth reported, not on a terminal
}

func (p *progressBar) update(cp sqlstore.CopyProgress) {
	if cp.Phase != p.phase {
		p.finish()
		p.phase, p.tenth = cp.Phase, -1
	}
	pct := 100
	if cp.Total > 0 {
		pct = cp.Done * 100 / cp.Total
	}
	if p.terminal {
		const width = 40
		n := width * pct / 100
		fmt.Fprintf(p.w, "\r%-12s [%s%s] %3d%%  %d/%d", cp.Phase, strings.Repeat("=", n), strings.Repeat(" ", width-n), pct, cp.Done, cp.Total)
		return
	}
	if pct/10 > p.tenth {
		p.tenth = pct / 10
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", cp.Phase, cp.Done, cp.Total, pct)
	}
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	if p.terminal && p.phase != "" {
		fmt.Fprintln(p.w)
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
