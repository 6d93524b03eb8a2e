package client

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/scimd/scimd/scim"
)

// SortOrder is the order of sorted results (RFC 7644 §3.4.2.3).
type SortOrder string

// The sort orders of RFC 7644 §3.4.2.3.
const (
	Ascending  SortOrder = "ascending"
	Descending SortOrder = "descending"
)

// ListOptions are the query parameters of List, Search and All
// (RFC 7644 §3.4.2, RFC 9865).
type ListOptions struct {
	Filter             Filter
	Attributes         []string
	ExcludedAttributes []string

	// SortBy is the attribute to sort by; honoured only by service
	// providers whose ServiceProviderConfig says sort is supported.
	SortBy    string
	SortOrder SortOrder

	// StartIndex is the 1-based index of the first result of index
	// pagination; 0 leaves it to the service provider (1).
	StartIndex int

	// Count is the number of results per page; 0 leaves it to the service
	// provider (or, in All, to its advertised page size). Use Client's
	// Total to ask for the number of matches alone.
	Count int

	// Cursor asks for cursor pagination (RFC 9865): new("") for the first
	// page, then a page's NextCursor. nil means index pagination, except in
	// All, which chooses.
	Cursor *string
}

func (o *ListOptions) query() (url.Values, error) {
	q := make(url.Values)
	if err := o.Filter.Err(); err != nil {
		return nil, err
	}
	if f := o.Filter.String(); f != "" {
		q.Set("filter", f)
	}
	q = projection(q, o.Attributes, o.ExcludedAttributes)
	if o.SortBy != "" {
		q.Set("sortBy", o.SortBy)
	}
	if o.SortOrder != "" {
		q.Set("sortOrder", string(o.SortOrder))
	}
	if o.StartIndex > 0 {
		q.Set("startIndex", strconv.Itoa(o.StartIndex))
	}
	if o.Count > 0 {
		q.Set("count", strconv.Itoa(o.Count))
	}
	if o.Cursor != nil {
		q.Set("cursor", *o.Cursor)
	}
	return q, nil
}

func (o *ListOptions) searchRequest() (*scim.SearchRequest, error) {
	if err := o.Filter.Err(); err != nil {
		return nil, err
	}
	sr := &scim.SearchRequest{
		Schemas:            []string{scim.SearchRequestMessage},
		Attributes:         o.Attributes,
		ExcludedAttributes: o.ExcludedAttributes,
		Filter:             o.Filter.String(),
		SortBy:             o.SortBy,
		SortOrder:          string(o.SortOrder),
		Cursor:             o.Cursor,
	}
	if o.StartIndex > 0 {
		sr.StartIndex = new(o.StartIndex)
	}
	if o.Count > 0 {
		sr.Count = new(o.Count)
	}
	return sr, nil
}

// List returns one page of the resources that match opts (GET, RFC 7644
// §3.4.2).
func (s *ResourceService[T]) List(ctx context.Context, opts *ListOptions) (*scim.ListResponse[*T], *Response, error) {
	if opts == nil {
		opts = &ListOptions{}
	}
	q, err := opts.query()
	if err != nil {
		return nil, nil, err
	}
	req, err := s.client.NewRequest(http.MethodGet, withQuery(s.endpoint, q), nil)
	if err != nil {
		return nil, nil, err
	}
	return doList[*T](ctx, s.client, req)
}

// Search is List sent as a POST to the endpoint's ".search" (RFC 7644
// §3.4.3), which keeps the filter out of URLs and logs and has no URL length
// limit.
func (s *ResourceService[T]) Search(ctx context.Context, opts *ListOptions) (*scim.ListResponse[*T], *Response, error) {
	return search[*T](ctx, s.client, s.endpoint+"/.search", opts)
}

// Total returns the number of resources that f matches, asking for no
// resource (count=0, RFC 7644 §3.4.2.4).
func (s *ResourceService[T]) Total(ctx context.Context, f Filter) (int, error) {
	q, err := (&ListOptions{Filter: f}).query()
	if err != nil {
		return 0, err
	}
	q.Set("count", "0")
	req, err := s.client.NewRequest(http.MethodGet, withQuery(s.endpoint, q), nil)
	if err != nil {
		return 0, err
	}
	list, _, err := doList[*T](ctx, s.client, req)
	if err != nil {
		return 0, err
	}
	return list.TotalResults, nil
}

// Search searches resources of every type from the root of the service
// provider (POST /.search, RFC 7644 §3.4.3).
func (c *Client) Search(ctx context.Context, opts *ListOptions) (*scim.ListResponse[*scim.Resource], *Response, error) {
	return search[*scim.Resource](ctx, c, ".search", opts)
}

func search[T any](ctx context.Context, c *Client, ref string, opts *ListOptions) (*scim.ListResponse[T], *Response, error) {
	if opts == nil {
		opts = &ListOptions{}
	}
	body, err := opts.searchRequest()
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(http.MethodPost, ref, body)
	if err != nil {
		return nil, nil, err
	}
	return doList[T](ctx, c, req)
}

func doList[T any](ctx context.Context, c *Client, req *http.Request) (*scim.ListResponse[T], *Response, error) {
	var list scim.ListResponse[T]
	resp, decoded, err := c.do(ctx, req, &list)
	if err != nil {
		return nil, resp, err
	}
	if !decoded {
		return nil, resp, errors.New("scim client: empty list response")
	}
	return &list, resp, nil
}

// All returns an iterator over every resource that matches opts, fetching
// page after page. It uses cursor pagination (RFC 9865) when the service
// provider advertises it and opts does not ask for index pagination with a
// StartIndex, index pagination otherwise; and, unless opts sets Count, the
// largest page the service provider advertises. It copes with pages shorter
// than asked for and with totalResults changing during the walk.
//
// The iterator stops at the first error, which it yields with a nil
// resource.
func (s *ResourceService[T]) All(ctx context.Context, opts *ListOptions) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		p := newPager(opts, s.client.providerConfig(ctx))
		for {
			page, _, err := s.List(ctx, &p.opts)
			if err != nil {
				yield(nil, err)
				return
			}
			more, err := p.next(page.TotalResults, page.StartIndex, len(page.Resources), page.NextCursor)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, r := range page.Resources {
				if !yield(r, nil) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// pager holds the state of a walk through a paginated list.
type pager struct {
	opts   ListOptions // the request for the next page
	cursor bool        // cursor pagination
	first  bool        // no page has been read yet
}

func newPager(opts *ListOptions, cfg *scim.ServiceProviderConfig) *pager {
	p := &pager{first: true}
	if opts != nil {
		p.opts = *opts
	}
	if p.opts.Count == 0 {
		p.opts.Count = pageSize(cfg)
	}
	var pg *scim.PaginationConfig
	if cfg != nil {
		pg = cfg.Pagination
	}
	switch {
	case p.opts.Cursor != nil:
		p.cursor = true
	case p.opts.StartIndex == 0 && pg != nil && pg.Cursor:
		p.cursor = true
		p.opts.Cursor = new("")
	case p.opts.StartIndex == 0:
		p.opts.StartIndex = 1
	}
	return p
}

// pageSize returns the largest page the service provider advertises, or 0
// when it advertises none.
func pageSize(cfg *scim.ServiceProviderConfig) int {
	if cfg == nil {
		return 0
	}
	size := 0
	if pg := cfg.Pagination; pg != nil {
		size = pg.MaxPageSize
		if size == 0 {
			size = pg.DefaultPageSize
		}
	}
	if m := cfg.Filter.MaxResults; m > 0 && (size == 0 || m < size) {
		size = m
	}
	return size
}

// next moves p past a page of n resources and reports whether there is
// another page. An error means the page is not the one asked for.
func (p *pager) next(total, start, n int, nextCursor string) (bool, error) {
	first := p.first
	p.first = false
	if p.cursor {
		switch {
		case nextCursor != "" && nextCursor == *p.opts.Cursor:
			return false, fmt.Errorf("scim client: service provider returned cursor %q again", nextCursor)
		case nextCursor != "":
			p.opts.Cursor = new(nextCursor)
			return true, nil
		case !first || n == 0 || total <= n:
			return false, nil
		}
		// The service provider advertised cursors but paged by index.
		p.cursor, p.opts.Cursor, p.opts.StartIndex = false, nil, 1
	}
	if start > 0 && start != p.opts.StartIndex {
		return false, fmt.Errorf("scim client: asked for startIndex %d, service provider returned %d", p.opts.StartIndex, start)
	}
	if n == 0 {
		return false, nil
	}
	p.opts.StartIndex += n
	return p.opts.StartIndex <= total, nil
}
