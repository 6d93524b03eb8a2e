package client

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// ResourceService reads and writes the resources of one resource type
// (RFC 7644 §3.2–§3.6) as values of type T: scim.User and scim.Group for
// Client.Users and Client.Groups, scim.Resource for Client.Resources, or
// any type that encodes to and decodes from the resource's JSON.
type ResourceService[T any] struct {
	client   *Client
	endpoint string // escaped, relative to the base URL, no leading or trailing slash
}

// NewResourceService returns a service for the resource type at endpoint
// (as in its ResourceType, e.g. "/Devices") with resources of type T.
func NewResourceService[T any](c *Client, endpoint string) *ResourceService[T] {
	segs := strings.Split(strings.Trim(endpoint, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return &ResourceService[T]{client: c, endpoint: strings.Join(segs, "/")}
}

// GetOptions are the optional parameters of Get.
type GetOptions struct {
	// Attributes and ExcludedAttributes choose the attributes returned
	// (RFC 7644 §3.9).
	Attributes         []string
	ExcludedAttributes []string

	// IfNoneMatch is an entity tag, usually a meta.version read earlier;
	// when the resource still has it, Get returns ErrNotModified.
	IfNoneMatch string
}

// WriteOptions are the optional parameters of Create, Replace and Patch.
type WriteOptions struct {
	// Attributes and ExcludedAttributes choose the attributes of the
	// resource returned (RFC 7644 §3.9).
	Attributes         []string
	ExcludedAttributes []string

	// IfMatch is the entity tag, usually meta.version, that the resource
	// must still have for Replace or Patch to apply (RFC 7644 §3.14); the
	// service provider answers 412 Precondition Failed otherwise. Leave it
	// empty for service providers whose ServiceProviderConfig says etag is
	// not supported. Create ignores it.
	IfMatch string
}

// DeleteOptions are the optional parameters of Delete.
type DeleteOptions struct {
	// IfMatch is the entity tag the resource must still have, as in
	// WriteOptions.
	IfMatch string
}

func projection(q url.Values, attrs, excluded []string) url.Values {
	if len(attrs) > 0 {
		q = withValue(q, "attributes", strings.Join(attrs, ","))
	}
	if len(excluded) > 0 {
		q = withValue(q, "excludedAttributes", strings.Join(excluded, ","))
	}
	return q
}

func withValue(q url.Values, k, v string) url.Values {
	if q == nil {
		q = make(url.Values)
	}
	q.Set(k, v)
	return q
}

// withQuery appends the encoded query q to the reference ref.
func withQuery(ref string, q url.Values) string {
	if len(q) == 0 {
		return ref
	}
	return ref + "?" + q.Encode()
}

// setETag sets an entity tag header, quoting a bare tag such as 3 as "3".
func setETag(req *http.Request, header, tag string) {
	if tag == "" {
		return
	}
	if tag != "*" && !strings.HasPrefix(tag, `"`) && !strings.HasPrefix(tag, `W/"`) {
		tag = `"` + tag + `"`
	}
	req.Header.Set(header, tag)
}

// resourceRef returns the reference of the resource id.
func (s *ResourceService[T]) resourceRef(id string) (string, error) {
	seg, err := pathEscape(id)
	if err != nil {
		return "", err
	}
	return s.endpoint + "/" + seg, nil
}

// Get returns the resource id (RFC 7644 §3.4.1).
func (s *ResourceService[T]) Get(ctx context.Context, id string, opts *GetOptions) (*T, *Response, error) {
	ref, err := s.resourceRef(id)
	if err != nil {
		return nil, nil, err
	}
	if opts == nil {
		opts = &GetOptions{}
	}
	req, err := s.client.NewRequest(http.MethodGet, withQuery(ref, projection(nil, opts.Attributes, opts.ExcludedAttributes)), nil)
	if err != nil {
		return nil, nil, err
	}
	setETag(req, "If-None-Match", opts.IfNoneMatch)
	return doResource[T](ctx, s.client, req)
}

// Create creates r (RFC 7644 §3.3) and returns the resource as the service
// provider stored it, with its id and meta.
func (s *ResourceService[T]) Create(ctx context.Context, r *T, opts *WriteOptions) (*T, *Response, error) {
	return writeResource[T](ctx, s.client, http.MethodPost, s.endpoint, r, opts)
}

// Replace replaces the resource id with r (PUT, RFC 7644 §3.5.1). Attributes
// absent from r may be cleared or kept, as the service provider decides; an
// attribute set to null in r's Extra is cleared.
func (s *ResourceService[T]) Replace(ctx context.Context, id string, r *T, opts *WriteOptions) (*T, *Response, error) {
	ref, err := s.resourceRef(id)
	if err != nil {
		return nil, nil, err
	}
	return writeResource[T](ctx, s.client, http.MethodPut, ref, r, opts)
}

// Patch applies p to the resource id (RFC 7644 §3.5.2) and returns the
// result. A service provider that answers 204 No Content returns no
// resource and no error.
func (s *ResourceService[T]) Patch(ctx context.Context, id string, p *Patch, opts *WriteOptions) (*T, *Response, error) {
	ref, err := s.resourceRef(id)
	if err != nil {
		return nil, nil, err
	}
	body, err := p.Request()
	if err != nil {
		return nil, nil, err
	}
	return writeResource[T](ctx, s.client, http.MethodPatch, ref, body, opts)
}

// Delete deletes the resource id (RFC 7644 §3.6).
func (s *ResourceService[T]) Delete(ctx context.Context, id string, opts *DeleteOptions) (*Response, error) {
	ref, err := s.resourceRef(id)
	if err != nil {
		return nil, err
	}
	req, err := s.client.NewRequest(http.MethodDelete, ref, nil)
	if err != nil {
		return nil, err
	}
	if opts != nil {
		setETag(req, "If-Match", opts.IfMatch)
	}
	return s.client.Do(ctx, req, nil)
}

// writeResource sends body with method to ref and decodes the resource the
// service provider returns.
func writeResource[T any](ctx context.Context, c *Client, method, ref string, body any, opts *WriteOptions) (*T, *Response, error) {
	if opts == nil {
		opts = &WriteOptions{}
	}
	req, err := c.NewRequest(method, withQuery(ref, projection(nil, opts.Attributes, opts.ExcludedAttributes)), body)
	if err != nil {
		return nil, nil, err
	}
	if method != http.MethodPost {
		setETag(req, "If-Match", opts.IfMatch)
	}
	return doResource[T](ctx, c, req)
}

// doResource sends req and decodes the resource in the response, if any.
func doResource[T any](ctx context.Context, c *Client, req *http.Request) (*T, *Response, error) {
	v := new(T)
	resp, decoded, err := c.do(ctx, req, v)
	if err != nil || !decoded {
		return nil, resp, err
	}
	return v, resp, nil
}
