package client

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// BasicAuthTransport authenticates every request with HTTP Basic
// (RFC 7617), as WSO2 Identity Server and scimd accept for stored users.
type BasicAuthTransport struct {
	Username string
	Password string
	Base     http.RoundTripper // nil means http.DefaultTransport
}

// RoundTrip sends a copy of req with the Authorization header set.
func (t *BasicAuthTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.SetBasicAuth(t.Username, t.Password)
	return base(t.Base).RoundTrip(r)
}

// Client returns an *http.Client that uses t.
func (t *BasicAuthTransport) Client() *http.Client { return &http.Client{Transport: t} }

// BearerTokenTransport authenticates every request with a static OAuth 2.0
// bearer token (RFC 6750), such as a long-lived API token. For tokens that
// expire, use ClientCredentials or an oauth2.Transport.
type BearerTokenTransport struct {
	Token string
	Base  http.RoundTripper // nil means http.DefaultTransport
}

// RoundTrip sends a copy of req with the Authorization header set.
func (t *BearerTokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.Token)
	return base(t.Base).RoundTrip(r)
}

// Client returns an *http.Client that uses t.
func (t *BearerTokenTransport) Client() *http.Client { return &http.Client{Transport: t} }

func base(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		return http.DefaultTransport
	}
	return rt
}

// ClientCredentials returns an *http.Client that authenticates with an
// access token from the OAuth 2.0 client credentials grant (RFC 6749 §4.4) —
// the machine-to-machine flow of Asgardeo, WSO2 Identity Server, scimd and
// most identity providers — fetched on first use and renewed before it
// expires.
//
// ctx governs the token requests for the life of the returned client, so it
// should not be a request's context. hc, if not nil, sends both the token
// requests and the SCIM requests (to set TLS configuration, proxies or
// timeouts); nil means http.DefaultClient.
func ClientCredentials(ctx context.Context, cfg *clientcredentials.Config, hc *http.Client) *http.Client {
	if hc == nil {
		return cfg.Client(ctx)
	}
	c := cfg.Client(context.WithValue(ctx, oauth2.HTTPClient, hc))
	c.Timeout, c.Jar, c.CheckRedirect = hc.Timeout, hc.Jar, hc.CheckRedirect
	return c
}
