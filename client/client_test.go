package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/scim"
)

// setup starts a real scimd (see internal/scimdtest) and returns a Client
// for it that authenticates as its administrator with HTTP Basic. Retries
// do not sleep.
func setup(t *testing.T, opts scimdtest.Options) (*Client, *scimdtest.Server) {
	t.Helper()
	srv := scimdtest.Start(t, opts)
	return newClient(t, srv.URL, adminClient()), srv
}

// adminClient returns an *http.Client that authenticates as scimd's
// administrator.
func adminClient() *http.Client {
	return (&BasicAuthTransport{Username: scimdtest.AdminUser, Password: scimdtest.AdminPassword}).Client()
}

// newClient returns a Client for baseURL whose retries do not sleep.
func newClient(t *testing.T, baseURL string, hc *http.Client) *Client {
	t.Helper()
	c, err := New(baseURL, hc)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return c
}

// handlerPrefix is where setupHandler mounts a purpose-built handler: a
// tenant path, as WSO2 and scimd use, so that a request built from an
// absolute path rather than from the base URL misses it.
const handlerPrefix = "/t/example.com/scim2/"

// setupHandler returns a Client for h mounted under handlerPrefix; h sees
// paths relative to it ("/Users"). A request outside the prefix fails the
// test. Retries do not sleep.
//
// It is for what no real service provider here does on request: answer
// 429 or 503, send a body that is not SCIM, drop the connection, or
// distort its pages. Everything else runs against scimd.
func setupHandler(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(handlerPrefix, http.StripPrefix(strings.TrimSuffix(handlerPrefix, "/"), h))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the base URL: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return newClient(t, srv.URL+strings.TrimSuffix(handlerPrefix, "/"), srv.Client())
}

// writeJSON answers with v as application/scim+json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", scim.MediaType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		baseURL string
		want    string
		wantErr bool
	}{
		{"adds trailing slash", "https://id.example.com/scim2", "https://id.example.com/scim2/", false},
		{"keeps trailing slash", "https://id.example.com/t/a.com/scim2/", "https://id.example.com/t/a.com/scim2/", false},
		{"drops query", "https://id.example.com/scim2?x=1", "https://id.example.com/scim2/", false},
		{"host only", "http://localhost:8080", "http://localhost:8080/", false},
		{"relative", "/scim2", "", true},
		{"other scheme", "ftp://id.example.com/scim2", "", true},
		{"unparsable", "https://id example.com/%zz", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.baseURL, nil)
			if tt.wantErr {
				if err == nil {
					t.Errorf("New(%q) = %v, want an error", tt.baseURL, c.BaseURL())
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q): %v", tt.baseURL, err)
			}
			if got := c.BaseURL().String(); got != tt.want {
				t.Errorf("BaseURL() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewRequestResolvesUnderBaseURL(t *testing.T) {
	c, err := New("https://id.example.com/t/example.com/scim2", nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ref  string
		want string
	}{
		{"Users", "https://id.example.com/t/example.com/scim2/Users"},
		{"/Users", "https://id.example.com/t/example.com/scim2/Users"},
		{"//evil.example/Users", "https://id.example.com/t/example.com/scim2/evil.example/Users"},
		{"Users/a%2Fb?attributes=userName", "https://id.example.com/t/example.com/scim2/Users/a%2Fb?attributes=userName"},
		{"Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "https://id.example.com/t/example.com/scim2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"},
		{"urn:x", "https://id.example.com/t/example.com/scim2/urn:x"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			req, err := c.NewRequest(http.MethodGet, tt.ref, nil)
			if err != nil {
				t.Fatalf("NewRequest: %v", err)
			}
			if got := req.URL.String(); got != tt.want {
				t.Errorf("URL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	c.UserAgent = "test-agent/1"
	if _, _, err := c.Users.Create(context.Background(), &scim.User{UserName: "kim"}, nil); err != nil {
		t.Fatalf("Create: %v", err)
	}
	reqs := rec.Requests("/Users")
	if len(reqs) != 1 {
		t.Fatalf("%d requests to /Users, want 1", len(reqs))
	}
	for k, want := range map[string]string{
		"Content-Type": "application/scim+json",
		"Accept":       "application/scim+json, application/json;q=0.9",
		"User-Agent":   "test-agent/1",
	} {
		if got := reqs[0].Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if got, want := string(reqs[0].Body), `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim"}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestDefaultUserAgent(t *testing.T) {
	c, err := New("https://id.example.com/scim2", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.UserAgent, "scimd-client/") {
		t.Errorf("UserAgent = %q, want scimd-client/VERSION", c.UserAgent)
	}
}

func TestDoAcceptsJSONMediaTypes(t *testing.T) {
	for _, ct := range []string{"application/scim+json", "application/json; charset=utf-8", ""} {
		t.Run(ct, func(t *testing.T) {
			c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
				if ct != "" {
					w.Header().Set("Content-Type", ct)
				}
				io.WriteString(w, `{"id":"1","userName":"kim"}`)
			})
			u, _, err := c.Users.Get(context.Background(), "1", nil)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if u.UserName != "kim" {
				t.Errorf("UserName = %q, want kim", u.UserName)
			}
		})
	}
}

func TestDoReportsUndecodableBody(t *testing.T) {
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>login</html>")
	})
	_, _, err := c.Users.Get(context.Background(), "1", nil)
	if err == nil || !strings.Contains(err.Error(), `"text/html"`) {
		t.Errorf("Get error = %v, want one naming the text/html content type", err)
	}
}

func TestCheckResponse(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   *scim.Error
	}{
		{
			name: "SCIM error, status as string", status: 409,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName taken"}`,
			want: &scim.Error{Status: 409, Type: scim.Uniqueness, Detail: "userName taken"},
		},
		{
			name: "status as number", status: 400,
			body: `{"status":400,"scimType":"invalidFilter","detail":"bad"}`,
			want: &scim.Error{Status: 400, Type: scim.InvalidFilter, Detail: "bad"},
		},
		{
			name: "body status contradicts HTTP status", status: 412,
			body: `{"status":"400","detail":"stale"}`,
			want: &scim.Error{Status: 412, Detail: "stale"},
		},
		{
			name: "HTML from a proxy", status: 502,
			body: "<html>\n<body>Bad   gateway</body>\n</html>",
			want: &scim.Error{Status: 502, Detail: "<html> <body>Bad   gateway</body> </html>"},
		},
		{
			name: "JSON that is not a SCIM error", status: 401,
			body: `{"error":"invalid_token"}`,
			want: &scim.Error{Status: 401, Detail: `{"error":"invalid_token"}`},
		},
		{name: "empty body", status: 404, body: "", want: &scim.Error{Status: 404}},
		{
			name: "long body is cut", status: 500, body: strings.Repeat("x", 300),
			want: &scim.Error{Status: 500, Detail: strings.Repeat("x", 200) + "…"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://id.example.com/scim2/Users?filter=secret", nil)
			resp := &http.Response{StatusCode: tt.status, Body: io.NopCloser(strings.NewReader(tt.body)), Request: req}
			err := CheckResponse(resp)
			var er *ErrorResponse
			if !errors.As(err, &er) {
				t.Fatalf("CheckResponse = %v, want *ErrorResponse", err)
			}
			if *er.Err != *tt.want {
				t.Errorf("Err = %#v, want %#v", *er.Err, *tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("Error() = %q reveals the query", err)
			}
			if !errors.Is(err, &scim.Error{Status: tt.status}) {
				t.Errorf("errors.Is(err, &scim.Error{Status: %d}) = false", tt.status)
			}
		})
	}
}

func TestCheckResponseSuccess(t *testing.T) {
	for _, status := range []int{200, 201, 204} {
		if err := CheckResponse(&http.Response{StatusCode: status, Body: http.NoBody}); err != nil {
			t.Errorf("CheckResponse(%d) = %v, want nil", status, err)
		}
	}
	if err := CheckResponse(&http.Response{StatusCode: 304, Body: http.NoBody}); !errors.Is(err, ErrNotModified) {
		t.Errorf("CheckResponse(304) = %v, want ErrNotModified", err)
	}
}
