package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

func setupBulk(a *app, fs *flag.FlagSet) runFunc {
	file := fs.String("f", "", "JSON file of a BulkRequest or of an array of operations (default: standard input)")
	failOn := fs.Int("fail-on-errors", 0, "stop after this many failed operations (default: the request's failOnErrors)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		req, err := a.readBulk(*file)
		if err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		opts := &client.BulkOptions{OneByOne: true, FailOnErrors: *failOn}
		if opts.FailOnErrors == 0 && req.FailOnErrors != nil {
			opts.FailOnErrors = *req.FailOnErrors
		}
		bar := newProgress(a.stderr, "bulk", len(req.Operations))
		opts.Progress = func(done, _ int) { bar.set(done) }
		items, err := c.Bulk.Execute(ctx, req.Operations, opts)
		bar.finish()
		if err != nil && items == nil {
			return err
		}
		return errors.Join(err, a.printBulk(items))
	}
}

func (a *app) readBulk(file string) (*scim.BulkRequest, error) {
	raw, err := a.readJSON(file, '{', '[')
	if err != nil {
		return nil, err
	}
	var req scim.BulkRequest
	if raw[0] == '[' {
		err = json.Unmarshal(raw, &req.Operations)
	} else {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil {
		return nil, fmt.Errorf("bulk request: %w", err)
	}
	return &req, nil
}

// printBulk writes the results as one BulkResponse and reports operations
// that failed; it returns an error if any did.
func (a *app) printBulk(items []client.BulkItem) error {
	res := scim.BulkResponse{Schemas: []string{scim.BulkResponseMessage}, Operations: []scim.BulkResult{}}
	failed := 0
	w := bufio.NewWriter(a.stderr)
	for i, it := range items {
		if it.Result != nil {
			res.Operations = append(res.Operations, *it.Result)
		}
		if it.Err != nil {
			failed++
			fmt.Fprintf(w, "scim: operation %d (%s %s): %v\n", i+1, it.Operation.Method, it.Operation.Path, it.Err)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := printJSON(a.stdout, res); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d operations failed", failed, len(items))
	}
	return nil
}
