package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/scimd/scimd/scim"
)

// DiscoveryService reads what a service provider supports (RFC 7644 §4):
// its ServiceProviderConfig, ResourceTypes and Schemas. Service providers
// commonly serve these without authentication.
type DiscoveryService struct {
	client *Client
}

// ServiceProviderConfig returns the service provider's configuration
// (RFC 7643 §5). The Client keeps the last one read to choose how it
// paginates and splits bulk requests.
func (s *DiscoveryService) ServiceProviderConfig(ctx context.Context) (*scim.ServiceProviderConfig, *Response, error) {
	req, err := s.client.NewRequest(http.MethodGet, "ServiceProviderConfig", nil)
	if err != nil {
		return nil, nil, err
	}
	cfg, resp, err := doResource[scim.ServiceProviderConfig](ctx, s.client, req)
	if err == nil && cfg == nil {
		err = errors.New("scim client: empty ServiceProviderConfig")
	}
	if err != nil {
		return nil, resp, err
	}
	s.client.setProviderConfig(cfg)
	return cfg, resp, nil
}

// ResourceTypes returns every resource type the service provider serves
// (RFC 7643 §6).
func (s *DiscoveryService) ResourceTypes(ctx context.Context) ([]*scim.ResourceType, *Response, error) {
	return discoverAll[scim.ResourceType](ctx, s.client, "ResourceTypes")
}

// ResourceType returns the resource type called name, such as "User".
func (s *DiscoveryService) ResourceType(ctx context.Context, name string) (*scim.ResourceType, *Response, error) {
	return discoverOne[scim.ResourceType](ctx, s.client, "ResourceTypes", name)
}

// Schemas returns every schema the service provider uses (RFC 7643 §7).
func (s *DiscoveryService) Schemas(ctx context.Context) ([]*scim.Schema, *Response, error) {
	return discoverAll[scim.Schema](ctx, s.client, "Schemas")
}

// Schema returns the schema with the URN id.
func (s *DiscoveryService) Schema(ctx context.Context, id string) (*scim.Schema, *Response, error) {
	return discoverOne[scim.Schema](ctx, s.client, "Schemas", id)
}

func discoverOne[T any](ctx context.Context, c *Client, endpoint, id string) (*T, *Response, error) {
	seg, err := pathEscape(id)
	if err != nil {
		return nil, nil, err
	}
	req, err := c.NewRequest(http.MethodGet, endpoint+"/"+seg, nil)
	if err != nil {
		return nil, nil, err
	}
	return doResource[T](ctx, c, req)
}

// discoverAll reads a discovery endpoint's list, which RFC 7644 §4 makes a
// ListResponse and some service providers send as a bare JSON array.
func discoverAll[T any](ctx context.Context, c *Client, endpoint string) ([]*T, *Response, error) {
	req, err := c.NewRequest(http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, nil, err
	}
	var raw json.RawMessage
	resp, err := c.Do(ctx, req, &raw)
	if err != nil {
		return nil, resp, err
	}
	if len(raw) > 0 && raw[0] == '[' {
		var items []*T
		err = json.Unmarshal(raw, &items)
		return items, resp, err
	}
	var list scim.ListResponse[*T]
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, resp, err
	}
	return list.Resources, resp, nil
}
