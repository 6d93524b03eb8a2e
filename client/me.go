package client

import (
	"context"
	"net/http"

	"github.com/scimd/scimd/scim"
)

// MeService reads and writes the User the request authenticates as, at
// /Me (RFC 7644 §3.11).
type MeService struct {
	client *Client
}

const meRef = "Me"

// Get returns the authenticated User.
func (s *MeService) Get(ctx context.Context, opts *GetOptions) (*scim.User, *Response, error) {
	if opts == nil {
		opts = &GetOptions{}
	}
	req, err := s.client.NewRequest(http.MethodGet, withQuery(meRef, projection(nil, opts.Attributes, opts.ExcludedAttributes)), nil)
	if err != nil {
		return nil, nil, err
	}
	setETag(req, "If-None-Match", opts.IfNoneMatch)
	return doResource[scim.User](ctx, s.client, req)
}

// Create registers u (POST /Me), where the service provider allows
// self-registration.
func (s *MeService) Create(ctx context.Context, u *scim.User, opts *WriteOptions) (*scim.User, *Response, error) {
	return writeResource[scim.User](ctx, s.client, http.MethodPost, meRef, u, opts)
}

// Replace replaces the authenticated User with u (PUT /Me). u's groups are
// not sent: they are read-only (RFC 7643 §4.1.2), which RFC 7644 §3.5.1
// says a service provider ignores, but some refuse them on /Me instead, so
// that a User read with Get could not be written back.
func (s *MeService) Replace(ctx context.Context, u *scim.User, opts *WriteOptions) (*scim.User, *Response, error) {
	body := *u
	body.Groups = nil
	return writeResource[scim.User](ctx, s.client, http.MethodPut, meRef, &body, opts)
}

// Patch applies p to the authenticated User (PATCH /Me).
func (s *MeService) Patch(ctx context.Context, p *Patch, opts *WriteOptions) (*scim.User, *Response, error) {
	body, err := p.Request()
	if err != nil {
		return nil, nil, err
	}
	return writeResource[scim.User](ctx, s.client, http.MethodPatch, meRef, body, opts)
}

// Delete deletes the authenticated User (DELETE /Me).
func (s *MeService) Delete(ctx context.Context, opts *DeleteOptions) (*Response, error) {
	req, err := s.client.NewRequest(http.MethodDelete, meRef, nil)
	if err != nil {
		return nil, err
	}
	if opts != nil {
		setETag(req, "If-Match", opts.IfMatch)
	}
	return s.client.Do(ctx, req, nil)
}
