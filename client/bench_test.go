package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimd/scimd/scim"
)

// The benchmarks measure the client's own cost per request: building the
// request, the retry loop, checking and decoding the response. cannedRT
// answers without a network, so nothing else is counted; the Loopback pair
// shows the same request over a real connection, next to plain net/http.

// cannedRT answers every request with the same status and body.
type cannedRT struct {
	status int
	body   []byte
}

func (rt *cannedRT) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: rt.status,
		Header:     http.Header{"Content-Type": {scim.MediaType}},
		Body:       io.NopCloser(bytes.NewReader(rt.body)),
		Request:    req,
	}, nil
}

const benchUserJSON = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"id":"2819c223-7f76-453a-919d-413861904646","externalId":"701984","userName":"bjensen@example.com",
"name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen","givenName":"Barbara"},
"displayName":"Babs Jensen","active":true,
"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},
"meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z",
"version":"W/\"3694e05e9dff591\"","location":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"}}`

func benchClient(b *testing.B, status int, body []byte) *Client {
	c, err := New("https://id.example.com/t/example.com/scim2", &http.Client{Transport: &cannedRT{status, body}})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchUser() *scim.User {
	var u scim.User
	if err := json.Unmarshal([]byte(benchUserJSON), &u); err != nil {
		panic(err)
	}
	return &u
}

func BenchmarkUsersGet(b *testing.B) {
	c := benchClient(b, http.StatusOK, []byte(benchUserJSON))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Users.Get(ctx, "2819c223-7f76-453a-919d-413861904646", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUsersCreate(b *testing.B) {
	c := benchClient(b, http.StatusCreated, []byte(benchUserJSON))
	ctx := context.Background()
	u := benchUser()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Users.Create(ctx, u, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUsersPatch(b *testing.B) {
	c := benchClient(b, http.StatusOK, []byte(benchUserJSON))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p := new(Patch).Replace("active", false).ReplaceWhere("emails", Eq("type", "work"), "value", "b@example.com")
		if _, _, err := c.Users.Patch(ctx, "2819c223", p, &WriteOptions{IfMatch: `W/"3694e05e9dff591"`}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUsersListPage200(b *testing.B) {
	var page bytes.Buffer
	page.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":200,"startIndex":1,"itemsPerPage":200,"Resources":[`)
	for i := range 200 {
		if i > 0 {
			page.WriteByte(',')
		}
		page.WriteString(benchUserJSON)
	}
	page.WriteString(`]}`)
	c := benchClient(b, http.StatusOK, page.Bytes())
	ctx := context.Background()
	opts := &ListOptions{Filter: Sw("userName", "b"), Count: 200, StartIndex: 1}
	b.ReportAllocs()
	b.SetBytes(int64(page.Len()))
	for b.Loop() {
		if _, _, err := c.Users.List(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBulkExecute1000 measures planning, encoding and matching 1000
// operations into one bulk request.
func BenchmarkBulkExecute1000(b *testing.B) {
	var resp bytes.Buffer
	resp.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[`)
	var ops BulkOps
	for i := range 1000 {
		if i > 0 {
			resp.WriteByte(',')
		}
		fmt.Fprintf(&resp, `{"method":"POST","bulkId":"u%d","location":"https://h/scim2/Users/id-%d","status":"201"}`, i, i)
		ops.Post("/Users", fmt.Sprintf("u%d", i), &scim.User{UserName: fmt.Sprintf("user%d", i), Emails: []scim.MultiValue{{Value: "x@example.com"}}})
	}
	resp.WriteString(`]}`)
	list, err := ops.Operations()
	if err != nil {
		b.Fatal(err)
	}
	c := benchClient(b, http.StatusOK, resp.Bytes())
	c.setProviderConfig(&scim.ServiceProviderConfig{Bulk: scim.BulkConfig{Supported: true, MaxOperations: 1000, MaxPayloadSize: 1 << 20}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Bulk.Execute(ctx, list, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		f := Eq("userName", `o"brien`).And(ValuePath("emails", Eq("type", "work")))
		if f.String() == "" {
			b.Fatal(f.Err())
		}
	}
}

func loopbackServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", scim.MediaType)
		io.WriteString(w, benchUserJSON)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func BenchmarkLoopbackUsersGet(b *testing.B) {
	srv := loopbackServer(b)
	c, err := New(srv.URL+"/scim2", srv.Client())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.Users.Get(ctx, "2819c223", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopbackRawGet is the baseline: the same exchange with net/http
// and encoding/json alone.
func BenchmarkLoopbackRawGet(b *testing.B) {
	srv := loopbackServer(b)
	hc := srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := hc.Get(srv.URL + "/scim2/Users/2819c223")
		if err != nil {
			b.Fatal(err)
		}
		var u map[string]any
		err = json.NewDecoder(resp.Body).Decode(&u)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
}
