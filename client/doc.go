// Package client is a Go client for any SCIM 2.0 service provider (RFC 7643,
// RFC 7644): scimd, WSO2 Identity Server and Asgardeo, Microsoft Entra ID,
// Okta, or any other.
//
// A Client has one service per part of the protocol:
//
//	c.Users, c.Groups        typed Users and Groups (scim.User, scim.Group)
//	c.Resources("Devices")   any resource type, as a generic scim.Resource
//	c.Me                     the authenticated subject (RFC 7644 §3.11)
//	c.Bulk                   bulk requests, and large imports split to the server's limits
//	c.Discovery              ServiceProviderConfig, ResourceTypes and Schemas
//
// Every method has the same shape: it builds a request, sends it with
// Client.Do and returns the typed result, the *Response and an error. An
// error response from the service provider is an *ErrorResponse that wraps
// the *scim.Error of RFC 7644 §3.12, so either can be matched:
//
//	if errors.Is(err, &scim.Error{Status: http.StatusPreconditionFailed}) { ... }
//	var se *scim.Error
//	if errors.As(err, &se) { log.Print(se.Status, se.Type, se.Detail) }
//
// Authentication is the *http.Client's job; BasicAuthTransport,
// BearerTokenTransport and ClientCredentials build one. Idempotent requests
// are retried on 429, 503 and transport errors, honouring Retry-After (see
// RetryPolicy). Filters are built with Eq, And, ValuePath and friends, which
// quote values so that user input cannot change a filter's meaning; PATCH
// requests with Patch. Lists are walked page by page with All, which uses
// cursors (RFC 9865) when the service provider offers them.
//
// Test code that uses this package against a real service provider:
// scimd runs with no setup on a file of its own (see docs/CLIENT.md), and
// this package's own tests run against it.
//
// Package client depends only on package scim and golang.org/x/oauth2. It
// must not import scimd's server packages (internal/..., scim/schema,
// scim/filter): it works against any service provider and knows nothing of
// how one is built.
package client
