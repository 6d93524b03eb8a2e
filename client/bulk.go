package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/scimd/scimd/scim"
)

// BulkService sends bulk requests (RFC 7644 §3.7): Send one request as it
// is, or Execute any number of operations split into requests within the
// service provider's limits.
type BulkService struct {
	client *Client
}

var (
	// ErrBulkUnsupported is returned by Execute when the service provider's
	// ServiceProviderConfig says it does not support bulk requests.
	ErrBulkUnsupported = errors.New("scim client: service provider does not support bulk")

	// ErrBulkNotRun is the error of an operation Execute did not send, or
	// sent and got no result for; the wrapping error says why.
	ErrBulkNotRun = errors.New("scim client: bulk operation not run")
)

// Send sends req as one bulk request. Operations that fail are reported in
// the BulkResponse, not as an error; req as a whole failing (too large, not
// authorized) is an error.
func (s *BulkService) Send(ctx context.Context, req *scim.BulkRequest) (*scim.BulkResponse, *Response, error) {
	if len(req.Schemas) == 0 {
		r := *req
		r.Schemas = []string{scim.BulkRequestMessage}
		req = &r
	}
	return s.send(ctx, req)
}

func (s *BulkService) send(ctx context.Context, body any) (*scim.BulkResponse, *Response, error) {
	req, err := s.client.NewRequest(http.MethodPost, "Bulk", body)
	if err != nil {
		return nil, nil, err
	}
	res, resp, err := doResource[scim.BulkResponse](ctx, s.client, req)
	if err == nil && res == nil {
		err = errors.New("scim client: empty bulk response")
	}
	return res, resp, err
}

// BulkRef returns the reference "bulkId:id" to the resource that the
// operation with bulkId id creates, for use in a later operation's path or
// data in the same Execute or bulk request (RFC 7644 §3.7.2).
func BulkRef(id string) string { return "bulkId:" + id }

// BulkOps is a list of bulk operations under construction. The zero value is
// empty; each method appends one operation and returns b, so calls chain.
// Paths are relative to the service provider's base URL, as in "/Users" or
// "/Groups/" + id. The first error is kept and returned by Operations.
type BulkOps struct {
	ops []scim.BulkOperation
	err error
}

// Post adds the creation of data at path, identified within the request by
// bulkID, which is required and which other operations refer to with
// BulkRef(bulkID).
func (b *BulkOps) Post(path, bulkID string, data any) *BulkOps {
	if bulkID == "" && b.err == nil {
		b.err = fmt.Errorf("scim client: bulk POST %s needs a bulkId", path)
	}
	return b.add(scim.BulkOperation{Method: http.MethodPost, Path: path, BulkID: bulkID}, data)
}

// Put adds the replacement of the resource at path by data. A non-empty
// version is the entity tag the resource must still have.
func (b *BulkOps) Put(path, version string, data any) *BulkOps {
	return b.add(scim.BulkOperation{Method: http.MethodPut, Path: path, Version: version}, data)
}

// Patch adds the application of p to the resource at path.
func (b *BulkOps) Patch(path, version string, p *Patch) *BulkOps {
	req, err := p.Request()
	if err != nil {
		if b.err == nil {
			b.err = err
		}
		return b
	}
	return b.add(scim.BulkOperation{Method: http.MethodPatch, Path: path, Version: version}, req)
}

// Delete adds the deletion of the resource at path.
func (b *BulkOps) Delete(path, version string) *BulkOps {
	return b.add(scim.BulkOperation{Method: http.MethodDelete, Path: path, Version: version}, nil)
}

func (b *BulkOps) add(op scim.BulkOperation, data any) *BulkOps {
	if b.err != nil {
		return b
	}
	if data != nil {
		raw, err := json.Marshal(data)
		if err != nil {
			b.err = fmt.Errorf("scim client: bulk %s %s: %w", op.Method, op.Path, err)
			return b
		}
		op.Data = raw
	}
	b.ops = append(b.ops, op)
	return b
}

// Operations returns the operations, or the first error met while adding
// them.
func (b *BulkOps) Operations() ([]scim.BulkOperation, error) {
	return b.ops, b.err
}
