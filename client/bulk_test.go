package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/scim"
)

// opsPerRequest returns the number of operations in each bulk request rec
// recorded.
func opsPerRequest(t *testing.T, rec *scimdtest.Recorder) []int {
	t.Helper()
	var n []int
	for _, r := range rec.Requests("/Bulk") {
		var req scim.BulkRequest
		if err := json.Unmarshal(r.Body, &req); err != nil {
			t.Fatalf("bulk body %s: %v", r.Body, err)
		}
		n = append(n, len(req.Operations))
	}
	return n
}

// setupBulk starts scimd with the given bulk limits (0 for its defaults),
// recording the requests.
func setupBulk(t *testing.T, maxOps int, maxPayload int64) (*Client, *scimdtest.Recorder) {
	t.Helper()
	rec := &scimdtest.Recorder{}
	c, _ := setup(t, scimdtest.Options{Limits: server.Limits{MaxOperations: maxOps, MaxPayloadSize: maxPayload}, Wrap: rec.Wrap})
	return c, rec
}

// userOps returns POSTs of users user01…userNN with bulkIds u01….
func userOps(t *testing.T, n int) *BulkOps {
	var ops BulkOps
	for i := 1; i <= n; i++ {
		ops.Post("/Users", fmt.Sprintf("u%02d", i), &scim.User{UserName: fmt.Sprintf("user%02d", i)})
	}
	return &ops
}

func operations(t *testing.T, b *BulkOps) []scim.BulkOperation {
	t.Helper()
	ops, err := b.Operations()
	if err != nil {
		t.Fatalf("Operations: %v", err)
	}
	return ops
}

func checkItems(t *testing.T, items []BulkItem, wantFailed map[int]error) {
	t.Helper()
	for i, it := range items {
		want := wantFailed[i]
		switch {
		case want == nil && it.Err != nil:
			t.Errorf("item %d: %v, want success", i, it.Err)
		case want == nil && it.Operation.Method == http.MethodPost && it.ID == "":
			t.Errorf("item %d: no id", i)
		case want != nil && !errors.Is(it.Err, want):
			t.Errorf("item %d: err = %v, want %v", i, it.Err, want)
		}
	}
}

func TestExecuteSplitsByMaxOperations(t *testing.T) {
	c, rec := setupBulk(t, 10, 0)
	var progress []int
	items, err := c.Bulk.Execute(context.Background(), operations(t, userOps(t, 25)), &BulkOptions{
		Progress: func(done, total int) { progress = append(progress, done, total) },
	})
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	checkItems(t, items, nil)
	if diff := cmp.Diff([]int{10, 10, 5}, opsPerRequest(t, rec)); diff != "" {
		t.Errorf("operations per request (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{10, 25, 20, 25, 25, 25}, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if n, err := c.Users.Total(context.Background(), Filter{}); n != 26 { // and the administrator
		t.Errorf("%d users stored, %v; want 25 more than the administrator", n, err)
	}
}

func TestExecuteSplitsByPayloadSize(t *testing.T) {
	const limit = 1500
	c, rec := setupBulk(t, 0, limit)
	items, err := c.Bulk.Execute(context.Background(), operations(t, userOps(t, 40)), nil)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	checkItems(t, items, nil)
	reqs := rec.Requests("/Bulk")
	if len(reqs) < 3 {
		t.Errorf("%d requests, want the 40 operations split", len(reqs))
	}
	for i, r := range reqs {
		if len(r.Body) > limit {
			t.Errorf("request %d is %d bytes, over the %d limit", i, len(r.Body), limit)
		}
	}
	if n, err := c.Users.Total(context.Background(), Sw("userName", "user")); n != 40 {
		t.Errorf("%d users stored, %v; want 40", n, err)
	}
}

// groupMembers returns the member ids of the group named name.
func groupMembers(t *testing.T, c *Client, name string) []string {
	t.Helper()
	list, _, err := c.Groups.List(context.Background(), &ListOptions{Filter: Eq("displayName", name)})
	if err != nil || len(list.Resources) != 1 {
		t.Fatalf("group %q: %v, %v", name, list, err)
	}
	var ids []string
	for _, m := range list.Resources[0].Members {
		ids = append(ids, m.Value)
	}
	return ids
}

func userID(t *testing.T, c *Client, userName string) string {
	t.Helper()
	list, _, err := c.Users.List(context.Background(), &ListOptions{Filter: Eq("userName", userName)})
	if err != nil || len(list.Resources) != 1 {
		t.Fatalf("user %q: %v, %v", userName, list, err)
	}
	return list.Resources[0].ID
}

func TestExecuteBulkIDReferences(t *testing.T) {
	member := func(bulkID string) []scim.Member { return []scim.Member{{Value: BulkRef(bulkID)}} }
	tests := []struct {
		name     string
		ops      *BulkOps
		maxOps   int
		wantReqs []int
	}{
		{
			name: "forward reference kept in one request",
			ops: new(BulkOps).
				Post("/Users", "x", &scim.User{UserName: "x"}).
				Post("/Groups", "g", &scim.Group{DisplayName: "team", Members: member("a")}).
				Post("/Users", "a", &scim.User{UserName: "alice"}).
				Post("/Users", "y", &scim.User{UserName: "y"}),
			maxOps:   2,
			wantReqs: []int{1, 2, 1},
		},
		{
			name: "backward reference rewritten across requests",
			ops: new(BulkOps).
				Post("/Users", "a", &scim.User{UserName: "alice"}).
				Post("/Users", "x", &scim.User{UserName: "x"}).
				Post("/Users", "y", &scim.User{UserName: "y"}).
				Post("/Groups", "g", &scim.Group{DisplayName: "team", Members: member("a")}),
			maxOps:   2,
			wantReqs: []int{2, 2},
		},
		{
			name: "reference in the path",
			ops: new(BulkOps).
				Post("/Users", "a", &scim.User{UserName: "alice"}).
				Post("/Groups", "g", &scim.Group{DisplayName: "team"}).
				Patch("/Groups/bulkId:g", "", new(Patch).Add("members", member("a"))),
			maxOps:   1,
			wantReqs: []int{1, 1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := setupBulk(t, tt.maxOps, 0)
			items, err := c.Bulk.Execute(context.Background(), operations(t, tt.ops), nil)
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			checkItems(t, items, nil)
			if diff := cmp.Diff(tt.wantReqs, opsPerRequest(t, rec)); diff != "" {
				t.Errorf("operations per request (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{userID(t, c, "alice")}, groupMembers(t, c, "team")); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExecuteFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("dependency failed in an earlier request", func(t *testing.T) {
		c, rec := setupBulk(t, 1, 0)
		mustCreateUser(t, c, &scim.User{UserName: "alice"})
		ops := new(BulkOps).
			Post("/Users", "a", &scim.User{UserName: "alice"}).
			Post("/Groups", "g", &scim.Group{DisplayName: "team", Members: []scim.Member{{Value: BulkRef("a")}}}).
			Post("/Users", "b", &scim.User{UserName: "bob"})
		items, err := c.Bulk.Execute(ctx, operations(t, ops), nil)
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		checkItems(t, items, map[int]error{0: &scim.Error{Status: 409, Type: scim.Uniqueness}, 1: ErrBulkNotRun})
		if got := len(rec.Requests("/Bulk")); got != 2 {
			t.Errorf("%d requests, want 2 (the group is not sent)", got)
		}
	})
	t.Run("failOnErrors", func(t *testing.T) {
		c, rec := setupBulk(t, 2, 0)
		mustCreateUser(t, c, &scim.User{UserName: "user02"})
		items, err := c.Bulk.Execute(ctx, operations(t, userOps(t, 6)), &BulkOptions{FailOnErrors: 1})
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		checkItems(t, items, map[int]error{1: &scim.Error{Status: 409}, 2: ErrBulkNotRun, 3: ErrBulkNotRun, 4: ErrBulkNotRun, 5: ErrBulkNotRun})
		reqs := rec.Requests("/Bulk")
		if len(reqs) != 1 || !bytes.Contains(reqs[0].Body, []byte(`"failOnErrors":1`)) {
			t.Errorf("requests %+v, want one that carries failOnErrors", reqs)
		}
	})
	t.Run("operation too large", func(t *testing.T) {
		c, _ := setupBulk(t, 10, 600)
		ops := new(BulkOps).
			Post("/Users", "a", &scim.User{UserName: "a"}).
			Post("/Users", "big", &scim.User{UserName: strings.Repeat("b", 700)}).
			Post("/Users", "c", &scim.User{UserName: "c"})
		items, err := c.Bulk.Execute(ctx, operations(t, ops), nil)
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		checkItems(t, items, map[int]error{1: ErrBulkNotRun})
	})
	t.Run("request refused", func(t *testing.T) {
		// The client is told a larger maxPayloadSize than scimd's, so that
		// scimd refuses the second request, of the two large operations,
		// with 413 Payload Too Large.
		c, _ := setupBulk(t, 0, 1000)
		ops := new(BulkOps).
			Post("/Users", "a", &scim.User{UserName: "a"}).
			Post("/Users", "b", &scim.User{UserName: "b"}).
			Post("/Users", "c", &scim.User{UserName: strings.Repeat("c", 400)}).
			Post("/Users", "d", &scim.User{UserName: strings.Repeat("d", 400)}).
			Post("/Users", "e", &scim.User{UserName: "e"}).
			Post("/Users", "f", &scim.User{UserName: "f"})
		items, err := c.Bulk.Execute(ctx, operations(t, ops), &BulkOptions{MaxOperations: 2, MaxPayloadSize: 4000})
		if !errors.Is(err, &scim.Error{Status: http.StatusRequestEntityTooLarge}) {
			t.Fatalf("Execute = %v, want 413", err)
		}
		checkItems(t, items, map[int]error{2: &scim.Error{Status: 413}, 3: &scim.Error{Status: 413}, 4: ErrBulkNotRun, 5: ErrBulkNotRun})
	})
}

func TestExecuteUnsupported(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: func(h http.Handler) http.Handler { return rec.Wrap(scimdtest.Degraded{}.Wrap(h)) }})
	_, err := c.Bulk.Execute(context.Background(), operations(t, userOps(t, 2)), nil)
	if !errors.Is(err, ErrBulkUnsupported) {
		t.Errorf("Execute = %v, want ErrBulkUnsupported", err)
	}
	if n := len(rec.Requests("/Bulk")); n != 0 {
		t.Errorf("%d bulk requests sent to a service provider without bulk", n)
	}
}

func TestExecuteMatchesResultsWithoutBulkIDs(t *testing.T) {
	// WSO2 Identity Server answers {"status":{"code":201}}; some service
	// providers echo no bulkId.
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" {
			writeJSON(w, http.StatusOK, &scim.ServiceProviderConfig{Bulk: scim.BulkConfig{Supported: true, MaxOperations: 10, MaxPayloadSize: 1 << 20}})
			return
		}
		io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[
			{"method":"POST","location":"https://h/scim2/Users/id-1","status":{"code":201}},
			{"method":"DELETE","status":"204"},
			{"method":"PUT","status":{"code":404},"response":{"status":"404","detail":"no such user"}}]}`)
	})
	ops := []scim.BulkOperation{
		{Method: http.MethodPost, Path: "/Users", Data: json.RawMessage(`{"userName":"a"}`)}, // Execute adds a bulkId
		{Method: http.MethodDelete, Path: "/Users/x"},
		{Method: http.MethodPut, Path: "/Users/y", Version: `W/"1"`, Data: json.RawMessage(`{"userName":"y"}`)},
	}
	items, err := c.Bulk.Execute(context.Background(), ops, nil)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	checkItems(t, items, map[int]error{2: &scim.Error{Status: 404}})
	if items[0].ID != "id-1" || items[0].Operation.BulkID == "" {
		t.Errorf("item 0 = id %q bulkId %q, want id-1 and a generated bulkId", items[0].ID, items[0].Operation.BulkID)
	}
	var se *scim.Error
	if errors.As(items[2].Err, &se) && se.Detail != "no such user" {
		t.Errorf("item 2 detail = %q, want the service provider's", se.Detail)
	}
}

func TestBulkSend(t *testing.T) {
	// The WSO2 guide's bulk request: the manager refers to a user created
	// in the same request.
	c, _ := setupBulk(t, 0, 0)
	ops := new(BulkOps).
		Post("/Users", "qwerty", &scim.User{UserName: "Kris", Password: "krispass"}).
		Post("/Users", "ytrewq", &scim.User{UserName: "Jesse", Enterprise: &scim.EnterpriseUser{
			EmployeeNumber: "11250", Manager: &scim.Manager{Value: BulkRef("qwerty")},
		}})
	res, _, err := c.Bulk.Send(context.Background(), &scim.BulkRequest{FailOnErrors: new(1), Operations: operations(t, ops)})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if len(res.Operations) != 2 || res.Operations[1].Status != http.StatusCreated {
		t.Fatalf("Send = %+v, want two 201 results", res.Operations)
	}
	jesse, _, err := c.Users.Get(context.Background(), resourceID(res.Operations[1].Location), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jesse.Enterprise.Manager.Value, userID(t, c, "Kris"); got != want {
		t.Errorf("manager = %v, want Kris's id %s", got, want)
	}
}

func TestBulkOpsErrors(t *testing.T) {
	tests := []struct {
		name string
		ops  *BulkOps
	}{
		{"POST without bulkId", new(BulkOps).Post("/Users", "", &scim.User{})},
		{"bad patch", new(BulkOps).Patch("/Users/1", "", new(Patch))},
		{"unencodable data", new(BulkOps).Put("/Users/1", "", func() {})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.ops.Operations(); err == nil {
				t.Error("Operations() = nil error, want one")
			}
		})
	}
}

func TestBulkRefs(t *testing.T) {
	tests := []struct {
		name string
		op   scim.BulkOperation
		want []string
	}{
		{"none", scim.BulkOperation{Path: "/Users", Data: json.RawMessage(`{"userName":"a"}`)}, nil},
		{"path", scim.BulkOperation{Path: "/Groups/bulkId:g1"}, []string{"g1"}},
		{
			"data, nested and repeated",
			scim.BulkOperation{Path: "/Groups", Data: json.RawMessage(`{"members":[{"value":"bulkId:a"},{"value":"bulkId:b"}],"x":{"y":["bulkId:a"]}}`)},
			[]string{"a", "b", "a"},
		},
		{
			"not a whole string, or a member name",
			scim.BulkOperation{Path: "/Users", Data: json.RawMessage(`{"bulkId:k":1,"a":"see bulkId:x","b":"x\"bulkId:y"}`)},
			nil,
		},
		{"escaped", scim.BulkOperation{Path: "/Users", Data: json.RawMessage(`{"a":"bulkId:q\"x"}`)}, []string{`q"x`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, bulkRefs(tt.op)); diff != "" {
				t.Errorf("bulkRefs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRewriteRefs(t *testing.T) {
	op := scim.BulkOperation{
		Path: "/Groups/bulkId:g",
		Data: json.RawMessage(`{"members":[{"value":"bulkId:a"},{"value":"bulkId:unknown"}],"note":"bulkId:a!","bulkId:a":"x"}`),
	}
	got := rewriteRefs(op, map[string]string{"a": `id"1`, "g": "gid"})
	if want := "/Groups/gid"; got.Path != want {
		t.Errorf("path = %q, want %q", got.Path, want)
	}
	want := `{"members":[{"value":"id\"1"},{"value":"bulkId:unknown"}],"note":"bulkId:a!","bulkId:a":"x"}`
	if string(got.Data) != want {
		t.Errorf("data = %s, want %s", got.Data, want)
	}
	if string(op.Data) == want {
		t.Error("rewriteRefs changed its argument's data")
	}
}

func TestExecuteOneByOne(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: func(h http.Handler) http.Handler { return rec.Wrap(scimdtest.Degraded{}.Wrap(h)) }})
	ops := new(BulkOps).
		Post("/Users", "a", &scim.User{UserName: "alice"}).
		Post("/Groups", "g", &scim.Group{DisplayName: "team", Members: []scim.Member{{Value: BulkRef("a")}}}).
		Delete("/Users/missing", "").
		Post("/Groups", "h", &scim.Group{DisplayName: "later", Members: []scim.Member{{Value: BulkRef("z")}}}).
		Post("/Users", "z", &scim.User{UserName: "zed"})
	items, err := c.Bulk.Execute(context.Background(), operations(t, ops), &BulkOptions{OneByOne: true})
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	checkItems(t, items, map[int]error{2: &scim.Error{Status: http.StatusNotFound}, 3: ErrBulkNotRun})
	if n := len(rec.Requests("/Bulk")); n != 0 {
		t.Errorf("%d bulk requests sent", n)
	}
	if diff := cmp.Diff([]string{userID(t, c, "alice")}, groupMembers(t, c, "team")); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if got := items[1].Result.Status; got != http.StatusCreated {
		t.Errorf("group result status = %d, want 201", got)
	}
	if got, want := items[0].Result.Location, c.BaseURL().String()+"Users/"+items[0].ID; got != want {
		t.Errorf("user result location = %q, want %q", got, want)
	}
}
