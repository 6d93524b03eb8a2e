package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

// write is a planned request for one row.
type write struct {
	row     *row
	id      string // "" for a new user
	version string // If-Match, for an existing user
	doc     scim.Resource
}

// importBatch imports a batch of rows: it looks the users up, works out
// which to create and which to update, and sends the writes.
func (im *importer) importBatch(ctx context.Context, rows []*row) {
	var results []result
	var live []*row
	for _, r := range rows {
		if r.err != nil {
			results = append(results, result{row: r, outcome: failed, err: r.err})
		} else {
			live = append(live, r)
		}
	}
	existing, err := im.lookup(ctx, live)
	if err != nil {
		for _, r := range live {
			results = append(results, result{row: r, outcome: failed, err: err})
		}
		im.record(results...)
		return
	}
	var writes []write
	for _, r := range live {
		w, changed := im.plan(r, existing[strings.ToLower(r.userName)])
		if !changed {
			results = append(results, result{row: r, outcome: unchanged})
			continue
		}
		writes = append(writes, w)
	}
	im.record(results...)
	im.send(ctx, writes)
}

// plan returns the write that imports r over the existing user, if any,
// and whether there is anything to write.
func (im *importer) plan(r *row, existing scim.Resource) (write, bool) {
	if existing == nil {
		return write{row: r, doc: r.newUser()}, true
	}
	doc := existing // the row's alone: no other row has its userName
	if !r.apply(doc) {
		return write{}, false
	}
	for _, name := range []string{"meta", "groups"} { // read-only
		delete(doc, name)
	}
	completeSchemas(doc)
	w := write{row: r, id: existing.ID(), doc: doc}
	if im.etag {
		w.version = existing.Version()
	}
	return w, true
}

// completeSchemas adds to doc's schemas the URN of each extension object it
// has.
func completeSchemas(doc scim.Resource) {
	schemas := doc.Schemas()
	for k, v := range doc {
		if _, obj := v.(map[string]any); obj && isURN(k) && !containsFold(schemas, k) {
			schemas = append(schemas, k)
		}
	}
	doc["schemas"] = schemas
}

// lookup returns the existing users among rows, by lower-cased userName.
func (im *importer) lookup(ctx context.Context, rows []*row) (map[string]scim.Resource, error) {
	found := make(map[string]scim.Resource)
	switch {
	case im.empty:
		return found, nil
	case im.index != nil:
		for _, r := range rows {
			if u, ok := im.index[strings.ToLower(r.userName)]; ok {
				found[strings.ToLower(r.userName)] = u
			}
		}
		return found, nil
	}
	for _, f := range userNameFilters(rows) {
		for u, err := range im.users.All(ctx, &client.ListOptions{Filter: f}) {
			if err != nil {
				return nil, err
			}
			if name, ok := u.Get("userName"); ok {
				s, _ := name.(string)
				found[strings.ToLower(s)] = *u
			}
		}
	}
	return found, nil
}

// maxFilterLen bounds the query of a lookup, to stay well within the URL
// length that servers and proxies accept.
const maxFilterLen = 3000

// userNameFilters returns filters that together match the rows' users:
// `userName eq "a" or userName eq "b" ...`, each short enough for a URL.
func userNameFilters(rows []*row) []client.Filter {
	var filters []client.Filter
	var terms []client.Filter
	size := 0
	for _, r := range rows {
		term := client.Eq("userName", r.userName)
		n := len(url.QueryEscape(term.String())) + len("+or+")
		if len(terms) > 0 && size+n > maxFilterLen {
			filters = append(filters, client.Or(terms...))
			terms, size = nil, 0
		}
		terms, size = append(terms, term), size+n
	}
	if len(terms) > 0 {
		filters = append(filters, client.Or(terms...))
	}
	return filters
}

// send sends the writes and records their results.
func (im *importer) send(ctx context.Context, writes []write) {
	switch {
	case len(writes) == 0:
	case im.opts.dryRun:
		results := make([]result, len(writes))
		for i, w := range writes {
			results[i] = result{row: w.row, outcome: outcomeOf(w)}
		}
		im.record(results...)
	case im.bulk:
		im.sendBulk(ctx, writes)
	default:
		for _, w := range writes {
			im.record(im.sendOne(ctx, w))
		}
	}
}

func outcomeOf(w write) outcome {
	if w.id == "" {
		return created
	}
	return updated
}

func (im *importer) sendOne(ctx context.Context, w write) result {
	var err error
	if w.id == "" {
		_, _, err = im.users.Create(ctx, &w.doc, &client.WriteOptions{Attributes: []string{"id"}})
	} else {
		_, _, err = im.users.Replace(ctx, w.id, &w.doc, &client.WriteOptions{Attributes: []string{"id"}, IfMatch: w.version})
	}
	if err != nil {
		return result{row: w.row, outcome: failed, err: err}
	}
	return result{row: w.row, outcome: outcomeOf(w)}
}

func (im *importer) sendBulk(ctx context.Context, writes []write) {
	var sent []write
	var ops []scim.BulkOperation
	for _, w := range writes {
		data, err := json.Marshal(w.doc)
		if err != nil {
			im.record(result{row: w.row, outcome: failed, err: err})
			continue
		}
		op := scim.BulkOperation{Method: http.MethodPost, Path: "/Users", BulkID: "row" + strconv.Itoa(w.row.line), Data: data}
		if w.id != "" {
			op = scim.BulkOperation{Method: http.MethodPut, Path: "/Users/" + url.PathEscape(w.id), Version: w.version, Data: data}
		}
		sent, ops = append(sent, w), append(ops, op)
	}
	items, err := im.c.Bulk.Execute(ctx, ops, nil)
	results := make([]result, len(sent))
	for i, w := range sent {
		results[i] = result{row: w.row, outcome: outcomeOf(w)}
		switch {
		case items == nil:
			results[i].outcome, results[i].err = failed, err
		case items[i].Err != nil:
			results[i].outcome, results[i].err = failed, items[i].Err
		}
	}
	im.record(results...)
}
