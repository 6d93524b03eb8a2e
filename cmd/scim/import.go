package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

// importOptions are the flags of scim import.
type importOptions struct {
	file        string
	format      string // "csv" or "jsonl"
	noBulk      bool
	concurrency int
	batch       int
	dryRun      bool
}

func setupImport(a *app, fs *flag.FlagSet) runFunc {
	var o importOptions
	fs.StringVar(&o.file, "f", "", "file to import (default: the argument, or standard input)")
	fs.StringVar(&o.format, "format", "", "csv or jsonl (default: from the file name; csv for standard input)")
	fs.BoolVar(&o.noBulk, "no-bulk", false, "send one request per user even if the service provider supports bulk")
	fs.IntVar(&o.concurrency, "concurrency", 4, "requests in flight at once")
	fs.IntVar(&o.batch, "batch", 0, "users per batch (default: the service provider's bulk.maxOperations, or 50)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "report what would be created and updated, and change nothing")
	return func(ctx context.Context, args []string) error {
		switch {
		case len(args) == 1 && o.file == "":
			o.file = args[0]
		case len(args) > 0:
			return usagef("import takes one file, from -f or as its argument")
		}
		if o.format == "" {
			o.format = formatOf(o.file)
		}
		if o.format != "csv" && o.format != "jsonl" {
			return usagef("--format %q: want csv or jsonl", o.format)
		}
		if o.concurrency < 1 {
			return usagef("--concurrency must be at least 1")
		}
		return a.importUsers(ctx, o)
	}
}

func formatOf(file string) string {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".jsonl", ".ndjson", ".json":
		return "jsonl"
	}
	return "csv"
}

func (a *app) importUsers(ctx context.Context, o importOptions) error {
	c, err := a.newClient(ctx)
	if err != nil {
		return err
	}
	im := newImporter(ctx, c, o)
	rows, err := a.readRows(o, im.types)
	if err != nil {
		return err
	}
	markDuplicates(rows)
	if err := im.prepare(ctx); err != nil {
		return err
	}
	bar := newProgress(a.stderr, "import", len(rows))
	im.progress = bar
	im.run(ctx, rows)
	bar.finish()
	rep := im.report(o.dryRun)
	if err := a.printReport(rep); err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d of %d rows failed", rep.Failed, len(rows))
	}
	return nil
}

func (a *app) readRows(o importOptions, types attrTypes) ([]*row, error) {
	var in io.Reader = a.stdin
	if o.file != "" && o.file != "-" {
		f, err := os.Open(o.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	if o.format == "jsonl" {
		return readJSONLines(in)
	}
	return readCSV(in, types)
}

// markDuplicates fails every row whose userName an earlier row has, and
// every row without one.
func markDuplicates(rows []*row) {
	first := make(map[string]int, len(rows))
	for _, r := range rows {
		key := strings.ToLower(r.userName)
		switch line, dup := first[key]; {
		case r.err != nil:
		case r.userName == "":
			r.err = errors.New("no userName")
		case dup:
			r.err = fmt.Errorf("userName %q is also on line %d", r.userName, line)
		default:
			first[key] = r.line
		}
	}
}

// outcome is what importing a row did.
type outcome int

const (
	created outcome = iota
	updated
	unchanged
	failed
)

type result struct {
	row     *row
	outcome outcome
	err     error
}

// importer imports rows of users into one service provider.
type importer struct {
	c     *client.Client
	users *client.ResourceService[scim.Resource]
	opts  importOptions
	types attrTypes

	bulk   bool // send bulk requests
	etag   bool // send If-Match
	filter bool // look users up by filter
	empty  bool // there were no users at the start: nothing to look up
	index  map[string]scim.Resource
	batch  int

	progress *progress
	mu       sync.Mutex
	results  []result
}

// newImporter reads what the service provider supports; a service provider
// that does not say is sent plain requests, without If-Match, and asked for
// users by filter.
func newImporter(ctx context.Context, c *client.Client, o importOptions) *importer {
	im := &importer{c: c, users: c.Resources("Users"), opts: o, filter: true, batch: o.batch}
	cfg, _, err := c.Discovery.ServiceProviderConfig(ctx)
	if err == nil {
		im.bulk = cfg.Bulk.Supported && !o.noBulk
		im.etag = cfg.ETag.Supported
		im.filter = cfg.Filter.Supported
		if im.batch == 0 && im.bulk {
			im.batch = cfg.Bulk.MaxOperations
		}
	}
	if im.batch <= 0 {
		im.batch = 50
	}
	rt, _, _ := c.Discovery.ResourceType(ctx, "User")
	schemas, _, _ := c.Discovery.Schemas(ctx)
	im.types = typesOf(schemas, rt)
	return im
}

// prepare finds out how existing users will be found: not at all if there
// are none, by filter, or else from an index of every user.
func (im *importer) prepare(ctx context.Context) error {
	if n, err := im.users.Total(ctx, client.Filter{}); err == nil && n == 0 {
		im.empty = true
		return nil
	}
	if im.filter {
		return nil
	}
	im.index = make(map[string]scim.Resource)
	for u, err := range im.users.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("reading the existing users: %w", err)
		}
		name, _ := u.Get("userName")
		if s, ok := name.(string); ok {
			im.index[strings.ToLower(s)] = *u
		}
	}
	return nil
}

// run imports rows in batches, concurrently.
func (im *importer) run(ctx context.Context, rows []*row) {
	batches := make(chan []*row)
	var wg sync.WaitGroup
	for range im.opts.concurrency {
		wg.Go(func() {
			for b := range batches {
				im.importBatch(ctx, b)
			}
		})
	}
	for start := 0; start < len(rows); start += im.batch {
		batches <- rows[start:min(start+im.batch, len(rows))]
	}
	close(batches)
	wg.Wait()
}

func (im *importer) record(rs ...result) {
	im.mu.Lock()
	im.results = append(im.results, rs...)
	im.mu.Unlock()
	im.progress.add(len(rs))
}
