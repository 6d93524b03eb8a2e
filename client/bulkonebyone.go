package client

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimd/scimd/scim"
)

// runOneByOne runs the operations as ordinary requests, for a service
// provider without bulk support.
func (r *bulkRun) runOneByOne(ctx context.Context) error {
	for k := range r.items {
		if r.stop != nil {
			return nil
		}
		if err := r.sendOne(ctx, k); err != nil {
			r.stop = fmt.Errorf("%w: an earlier request failed", ErrBulkNotRun)
			return err
		}
		if r.opts.FailOnErrors > 0 && r.failures >= r.opts.FailOnErrors {
			r.stop = fmt.Errorf("%w: failOnErrors limit of %d reached", ErrBulkNotRun, r.opts.FailOnErrors)
		}
		if r.opts.Progress != nil {
			r.opts.Progress(k+1, len(r.items))
		}
	}
	return nil
}

// sendOne sends operation k. Its outcome is recorded as the result the
// service provider would have put in a bulk response; only an error that
// is not the service provider's answer (the transport failed) is returned.
func (r *bulkRun) sendOne(ctx context.Context, k int) error {
	it := &r.items[k]
	for _, ref := range r.refs[k] {
		if _, ok := r.created[ref]; !ok {
			r.fail(it, fmt.Errorf("%w: it refers to bulkId %q, which no earlier operation created", ErrBulkNotRun, ref))
			return nil
		}
	}
	it.Operation = rewriteRefs(it.Operation, r.created)
	op := it.Operation
	var body any
	if len(op.Data) > 0 {
		body = op.Data // a json.RawMessage, sent as it is
	}
	req, err := r.s.client.NewRequest(strings.ToUpper(op.Method), op.Path, body)
	if err != nil {
		r.fail(it, fmt.Errorf("%w: %v", ErrBulkNotRun, err))
		return nil
	}
	setETag(req, "If-Match", op.Version)
	var res struct {
		ID   string     `json:"id"`
		Meta *scim.Meta `json:"meta"`
	}
	resp, err := r.s.client.Do(ctx, req, &res)
	var se *scim.Error
	if err != nil && !errors.As(err, &se) {
		it.Err = err
		return err
	}
	r.record(k, oneByOneResult(op, resp, res.ID, res.Meta, se))
	return nil
}

// oneByOneResult describes the response to an operation sent on its own as
// a bulk result.
func oneByOneResult(op scim.BulkOperation, resp *Response, id string, meta *scim.Meta, se *scim.Error) *scim.BulkResult {
	res := &scim.BulkResult{Method: op.Method, BulkID: op.BulkID, Status: scim.BulkStatus(resp.StatusCode), Response: se}
	res.Version = resp.ETag()
	res.Location = resp.Header.Get("Location")
	if meta != nil {
		res.Location = cmp.Or(res.Location, meta.Location)
		res.Version = cmp.Or(res.Version, meta.Version)
	}
	if res.Location == "" && id != "" && strings.EqualFold(op.Method, http.MethodPost) {
		res.Location = strings.TrimSuffix(op.Path, "/") + "/" + id
	}
	return res
}
