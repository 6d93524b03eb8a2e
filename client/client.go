package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/scimd/scimd/scim"
)

const (
	// acceptHeader prefers the SCIM media type (RFC 7644 §8.1) and accepts
	// plain JSON, which many service providers send.
	acceptHeader = scim.MediaType + ", application/json;q=0.9"

	modulePath = "github.com/scimd/scimd"
)

// A Client talks to one SCIM 2.0 service provider. It is safe for concurrent
// use once configured; set UserAgent and Retry before the first request.
type Client struct {
	httpClient *http.Client
	baseURL    *url.URL

	// UserAgent is sent with every request; New sets it to
	// "scimd-client/VERSION".
	UserAgent string

	// Retry says which failed requests are sent again, and when.
	Retry RetryPolicy

	Users     *ResourceService[scim.User]  // the /Users endpoint
	Groups    *ResourceService[scim.Group] // the /Groups endpoint
	Me        *MeService                   // the /Me endpoint
	Bulk      *BulkService                 // the /Bulk endpoint
	Discovery *DiscoveryService            // /ServiceProviderConfig, /ResourceTypes, /Schemas

	// sleep waits between retries; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// now is the clock for Retry-After dates; tests replace it.
	now func() time.Time

	mu          sync.Mutex
	config      *scim.ServiceProviderConfig // last one read by Discovery; nil if none is served
	configKnown bool                        // config has been read, or found not to be served
}

// New returns a Client for the service provider at baseURL, the URL that
// "/Users" and the other endpoints are relative to — for example
// "https://api.asgardeo.io/t/example/scim2". httpClient carries the
// authentication (see BasicAuthTransport, BearerTokenTransport,
// ClientCredentials); nil means http.DefaultClient.
func New(baseURL string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("scim client: base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("scim client: base URL %q is not an absolute http(s) URL", baseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	u.RawQuery, u.Fragment = "", ""
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	c := &Client{
		httpClient: httpClient,
		baseURL:    u,
		UserAgent:  defaultUserAgent(),
		sleep:      sleepContext,
		now:        time.Now,
	}
	c.Users = NewResourceService[scim.User](c, "Users")
	c.Groups = NewResourceService[scim.Group](c, "Groups")
	c.Me = &MeService{client: c}
	c.Bulk = &BulkService{client: c}
	c.Discovery = &DiscoveryService{client: c}
	return c, nil
}

// defaultUserAgent names this package and, when the binary records it, the
// version of the module it comes from.
func defaultUserAgent() string {
	version := "devel"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Path == modulePath && info.Main.Version != "" && info.Main.Version != "(devel)" {
			version = info.Main.Version
		}
		for _, m := range info.Deps {
			if m.Path == modulePath {
				version = m.Version
			}
		}
	}
	return "scimd-client/" + version
}

// BaseURL returns the URL that the endpoints are relative to. It always ends
// with a slash.
func (c *Client) BaseURL() *url.URL {
	u := *c.baseURL
	return &u
}

// Resources returns a service for the resource type at endpoint (as in its
// ResourceType, e.g. "/Devices"), with resources as generic scim.Resource
// values. Use NewResourceService for a Go type of your own.
func (c *Client) Resources(endpoint string) *ResourceService[scim.Resource] {
	return NewResourceService[scim.Resource](c, endpoint)
}

// NewRequest returns a request for ref, a URL reference relative to the base
// URL such as "Users/2819c223?attributes=userName". A leading slash does not
// make ref absolute: "/Users" is the base URL's Users endpoint, which keeps a
// path prefix such as "/t/example.com/scim2/". A non-nil body is sent as
// JSON with the SCIM media type; a json.RawMessage is sent as it is.
func (c *Client) NewRequest(method, ref string, body any) (*http.Request, error) {
	rel, err := url.Parse("./" + strings.TrimLeft(ref, "/"))
	if err != nil {
		return nil, fmt.Errorf("scim client: %w", err)
	}
	u := c.baseURL.ResolveReference(rel)
	var r io.Reader
	if body != nil {
		b, err := encodeBody(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u.String(), r)
	if err != nil {
		return nil, fmt.Errorf("scim client: %w", err)
	}
	req.Header.Set("Accept", acceptHeader)
	if body != nil {
		req.Header.Set("Content-Type", scim.MediaType)
	}
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	return req, nil
}

func encodeBody(body any) ([]byte, error) {
	if raw, ok := body.(json.RawMessage); ok {
		return raw, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("scim client: encoding request: %w", err)
	}
	return b, nil
}

// Response is the service provider's HTTP response. Its body has been read
// and closed.
type Response struct {
	*http.Response
}

// ETag returns the response's entity tag (RFC 7644 §3.14), which is also
// the resource's meta.version.
func (r *Response) ETag() string {
	if r == nil || r.Response == nil {
		return ""
	}
	return r.Header.Get("ETag")
}

// Do sends req, retrying it as the RetryPolicy allows, and decodes a JSON
// response body into v unless v is nil. A response outside 2xx is returned
// as an error from CheckResponse, together with the Response.
func (c *Client) Do(ctx context.Context, req *http.Request, v any) (*Response, error) {
	resp, _, err := c.do(ctx, req, v)
	return resp, err
}

// do is Do that also reports whether a body was decoded into v: a 2xx
// response may have none (204 No Content, or an empty 200).
func (c *Client) do(ctx context.Context, req *http.Request, v any) (*Response, bool, error) {
	hr, err := c.send(ctx, req)
	if err != nil {
		return nil, false, err
	}
	defer drain(hr)
	resp := &Response{Response: hr}
	if err := CheckResponse(hr); err != nil {
		return resp, false, err
	}
	if v == nil || hr.StatusCode == http.StatusNoContent {
		return resp, false, nil
	}
	decoded, err := decodeBody(hr, v)
	return resp, decoded, err
}

// decodeBody decodes the JSON body of resp into v. An empty body is not an
// error; it reports false.
func decodeBody(resp *http.Response, v any) (bool, error) {
	err := json.NewDecoder(resp.Body).Decode(v)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, io.EOF):
		return false, nil
	}
	ct := resp.Header.Get("Content-Type")
	return false, fmt.Errorf("scim client: %s %s: decoding %q response: %w",
		resp.Request.Method, redact(resp.Request.URL), ct, err)
}

// redact returns u without its query, which may carry personal data in
// filters, and without user information.
func redact(u *url.URL) string {
	r := *u
	r.RawQuery, r.User, r.Fragment = "", nil, ""
	return r.String()
}

// pathEscape escapes an id or URN for use as one path segment. The dot
// segments "." and ".." cannot be escaped and are rejected.
func pathEscape(segment string) (string, error) {
	switch segment {
	case "":
		return "", errors.New("scim client: empty id")
	case ".", "..":
		return "", fmt.Errorf("scim client: invalid id %q", segment)
	}
	return url.PathEscape(segment), nil
}

// providerConfig returns the ServiceProviderConfig last read by Discovery,
// reading it if it never was, or nil when the service provider does not
// serve it. One that refuses to (a 4xx response) is not asked again.
func (c *Client) providerConfig(ctx context.Context) *scim.ServiceProviderConfig {
	c.mu.Lock()
	cfg, known := c.config, c.configKnown
	c.mu.Unlock()
	if known {
		return cfg
	}
	cfg, _, err := c.Discovery.ServiceProviderConfig(ctx)
	var se *scim.Error
	if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 {
		c.setProviderConfig(nil)
	}
	return cfg
}

func (c *Client) setProviderConfig(cfg *scim.ServiceProviderConfig) {
	c.mu.Lock()
	c.config, c.configKnown = cfg, true
	c.mu.Unlock()
}
