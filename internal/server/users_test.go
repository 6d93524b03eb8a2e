package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

const kim = `{"schemas":[],"name":{"familyName":"jackson","givenName":"kim"},"userName":"kim","password":"kimwso2",
	"emails":[{"primary":true,"value":"kim.jackson@gmail.com","type":"home"},{"value":"kim_j@wso2.com","type":"work"}]}`

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateUser(t *testing.T) {
	h := newHarness(t)
	r := h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Users", body: kim})
	id := r.str("id")
	if !uuidRE.MatchString(id) {
		t.Errorf("id %q is not a UUIDv7", id)
	}
	if got, want := r.header.Get("Location"), h.url+"/scim2/Users/"+id; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := r.header.Get("ETag"); got != `W/"1"` {
		t.Errorf("ETag = %q, want W/\"1\"", got)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	checks := map[string]any{
		"userName": "kim", "name.givenName": "kim", "emails.0.type": "home", "emails.0.primary": true,
		"meta.resourceType": "User", "meta.version": `W/"1"`, "meta.location": h.url + "/scim2/Users/" + id,
		"schemas.0": "urn:ietf:params:scim:schemas:core:2.0:User", "password": nil,
	}
	for p, want := range checks {
		if got := r.path(p); got != want {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}
	if r.path("meta.created") != r.path("meta.lastModified") || r.path("meta.created") == nil {
		t.Errorf("meta.created %v, lastModified %v: want equal and set", r.path("meta.created"), r.path("meta.lastModified"))
	}
	got := h.must(http.StatusOK, req{path: "/scim2/Users/" + id})
	if string(got.raw) != string(r.raw) {
		t.Errorf("GET differs from the POST response:\n got %s\nwant %s", got.raw, r.raw)
	}
}

func TestCreateIgnoresServerAssigned(t *testing.T) {
	h := newHarness(t)
	r := h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Users", body: `{"id":"mine","userName":"a",
		"meta":{"version":"W/\"9\"","created":"2000-01-01T00:00:00Z"},"groups":[{"value":"x"}],
		"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:adscim:2.0:Group"]}`})
	if r.str("id") == "mine" || r.path("meta.version") != `W/"1"` || r.path("meta.created") == "2000-01-01T00:00:00Z" || r.body["groups"] != nil {
		t.Errorf("client-sent id, meta or groups were used: %s", r.raw)
	}
}

func TestCompatibilityInputs(t *testing.T) {
	h := newHarness(t)
	r := h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Users", body: `{"schemas":[],"USERNAME":"Bo","active":"True",
		"EnterpriseUser":{"employeeNumber":"7","manager":{"value":"m-1","$ref":null}},"name.givenName":"Bo","title":null,
		"emails":[{"value":"bo@x","type":"WORK","primary":"False"}]}`})
	checks := map[string]any{
		"userName": "Bo", "active": true, "name.givenName": "Bo", "emails.0.type": "work", "emails.0.primary": false,
		"title":     nil,
		"schemas.1": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	}
	for p, want := range checks {
		if got := r.path(p); got != want {
			t.Errorf("%s = %v, want %v\n%s", p, got, want, r.raw)
		}
	}
	if ext, _ := r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any); ext["employeeNumber"] != "7" {
		t.Errorf("enterprise extension = %v, want employeeNumber 7", ext)
	}
}

func TestCreateUserBadInput(t *testing.T) {
	h := newHarness(t)
	h.createUser(`{"userName":"Taken"}`)
	member := `{"displayName":"g","members":[{"value":"00000000-0000-7000-8000-000000000000"}]}`
	cases := []struct {
		name, path, body string
		contentType      string
		status           int
		scimType         string
		fragments        []string
	}{
		{"malformed JSON", "/scim2/Users", `{"userName":`, "", 400, "invalidSyntax", []string{"not valid JSON"}},
		{"JSON array", "/scim2/Users", `[{"userName":"a"}]`, "", 400, "invalidSyntax", []string{"JSON object", "array"}},
		{"JSON string", "/scim2/Users", `"a"`, "", 400, "invalidSyntax", []string{"string"}},
		{"empty body", "/scim2/Users", ` `, "", 400, "invalidSyntax", []string{"empty"}},
		{"trailing data", "/scim2/Users", `{"userName":"a"} {}`, "", 400, "invalidSyntax", []string{"after"}},
		{"invalid UTF-8", "/scim2/Users", "{\"userName\":\"a\xff\"}", "", 400, "invalidSyntax", []string{"UTF-8"}},
		{"wrong type", "/scim2/Users", `{"userName":1}`, "", 400, "invalidValue", []string{"userName", "string"}},
		{"wrong type in complex", "/scim2/Users", `{"userName":"a","name":"Kim"}`, "", 400, "invalidValue", []string{"name", "object"}},
		{"single value for multi-valued", "/scim2/Users", `{"userName":"a","emails":{"value":"x"}}`, "", 400, "invalidValue", []string{"emails", "array"}},
		{"bad boolean", "/scim2/Users", `{"userName":"a","active":"yes"}`, "", 400, "invalidValue", []string{"active", "boolean"}},
		{"unknown attributes", "/scim2/Users", `{"userName":"a","shoeSize":42,"favourite":"x"}`, "", 400, "invalidValue", []string{`"favourite"`, `"shoeSize"`}},
		{"unknown sub-attribute", "/scim2/Users", `{"userName":"a","name":{"nick":"x"}}`, "", 400, "invalidValue", []string{"nick"}},
		{"unknown extension attribute", "/scim2/Users", `{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"badge":1}}`, "", 400, "invalidValue", []string{"badge"}},
		{"attributes under an unknown schema", "/scim2/Users", `{"userName":"a","urn:example:ext:1.0:User":{"x":1}}`, "", 400, "invalidValue", []string{"urn:example:ext:1.0:User"}},
		{"duplicate userName in another case", "/scim2/Users", `{"userName":"tAKEN"}`, "", 409, "uniqueness", []string{"userName"}},
		{"missing userName", "/scim2/Users", `{"name":{"givenName":"a"}}`, "", 400, "invalidValue", []string{"userName"}},
		{"empty userName", "/scim2/Users", `{"userName":""}`, "", 400, "invalidValue", []string{"userName"}},
		{"two primaries", "/scim2/Users", `{"userName":"a","emails":[{"value":"a","primary":true},{"value":"b","primary":true}]}`, "", 400, "invalidValue", []string{"primary"}},
		{"not a canonical value", "/scim2/Users", `{"userName":"a","emails":[{"value":"a","type":"cell"}]}`, "", 400, "invalidValue", []string{"cell", "work"}},
		{"another resource type's schema", "/scim2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a"}`, "", 400, "invalidValue", []string{"Group"}},
		{"bad dateTime", "/scim2/Users", `{"userName":"a","x509Certificates":[{"value":"not base64!"}]}`, "", 400, "invalidValue", []string{"base64"}},
		{"member that doesn't exist", "/scim2/Groups", member, "", 400, "invalidValue", []string{"00000000-0000-7000-8000-000000000000"}},
		{"member without value", "/scim2/Groups", `{"displayName":"g","members":[{"display":"x"}]}`, "", 400, "invalidValue", []string{"members[0]", "read-only"}},
		{"missing displayName", "/scim2/Groups", `{"members":[]}`, "", 400, "invalidValue", []string{"displayName"}},
		{"form content type", "/scim2/Users", `{"userName":"a"}`, "application/x-www-form-urlencoded", 415, "", []string{"application/scim+json"}},
		{"3 MiB body", "/scim2/Users", `{"userName":"a","nickName":"` + strings.Repeat("x", 3<<20) + `"}`, "", 413, "", []string{"limit"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := req{method: "POST", path: c.path, body: c.body}
			if c.contentType != "" {
				r.header = map[string]string{"Content-Type": c.contentType}
			}
			h.do(r).scimError(t, c.status, c.scimType, c.fragments...)
		})
	}
	if got := h.must(http.StatusOK, req{path: "/scim2/Users"}).body["totalResults"]; fmt.Sprint(got) != "2" {
		t.Errorf("totalResults after the refused requests = %v, want 2 (admin, Taken)", got)
	}
}

func TestPasswordNeverReturned(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(kim)
	for _, q := range []string{"", "?attributes=password", "?attributes=password,userName", "?excludedAttributes=userName"} {
		r := h.must(http.StatusOK, req{path: "/scim2/Users/" + id + q})
		if strings.Contains(string(r.raw), "password") || strings.Contains(string(r.raw), "kimwso2") {
			t.Errorf("GET %s returned the password: %s", q, r.raw)
		}
	}
	h.must(http.StatusOK, req{path: "/scim2/Users/" + id, user: "kim", password: "kimwso2"}.withPath("/scim2/ServiceProviderConfig"))
}

func (r req) withPath(p string) req { r.path = p; return r }

func TestGetUser(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(kim)
	h.do(req{path: "/scim2/Users/00000000-0000-7000-8000-000000000000"}).scimError(t, 404, "", "no User with id")
	h.do(req{path: "/scim2/Groups/" + id}).scimError(t, 404, "", "no Group")
	r := h.must(http.StatusOK, req{path: "/scim2/Users/" + id + "?attributes=userName,name.familyName,emails.value"})
	if r.path("name.givenName") != nil || r.path("name.familyName") != "jackson" || r.path("emails.0.value") != "kim.jackson@gmail.com" ||
		r.path("emails.0.type") != nil || r.body["meta"] != nil || r.str("id") != id || r.body["schemas"] == nil {
		t.Errorf("attributes=userName,name.familyName,emails.value returned %s", r.raw)
	}
	r = h.must(http.StatusOK, req{path: "/scim2/Users/" + id + "?excludedAttributes=emails,meta,id"})
	if r.body["emails"] != nil || r.body["meta"] != nil || r.str("id") != id || r.str("userName") != "kim" {
		t.Errorf("excludedAttributes=emails,meta,id returned %s", r.raw)
	}
	h.do(req{path: "/scim2/Users/" + id + "?attributes=shoeSize"}).scimError(t, 400, "invalidValue", "shoeSize")
	r = h.do(req{path: "/scim2/Users/" + id, header: map[string]string{"If-None-Match": `W/"1"`}})
	if r.status != http.StatusNotModified || r.header.Get("ETag") != `W/"1"` || len(r.raw) != 0 {
		t.Errorf("If-None-Match of the current version: %d %q %s", r.status, r.header.Get("ETag"), r.raw)
	}
	h.must(http.StatusOK, req{path: "/scim2/Users/" + id, header: map[string]string{"If-None-Match": `W/"7"`}})
	r = h.must(http.StatusOK, req{path: "/scim2/Users/" + id, header: map[string]string{"Accept": "application/json"}})
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type for Accept: application/json = %q", ct)
	}
	h.do(req{path: "/scim2/Users/" + id, header: map[string]string{"Accept": "text/html"}}).scimError(t, 406, "", "application/scim+json")
}

func TestReplaceUser(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(kim)
	put := `{"schemas":[],"id":"ignored","meta":{"version":"x"},"groups":[{"value":"x"}],"name":{"familyName":"jackson","givenName":"kim"},"userName":"kim",
		"emails":[{"value":"kim_j@wso2.com","type":"work"},{"value":"kim.jackson@gmail.com","type":"home"}]}`
	r := h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + id, body: put})
	if r.str("id") != id || r.path("meta.version") != `W/"2"` || r.path("emails.0.type") != "work" || r.body["groups"] != nil {
		t.Errorf("PUT returned %s", r.raw)
	}
	if r.path("meta.created") == r.path("meta.lastModified") {
		t.Errorf("lastModified did not change: %s", r.raw)
	}
	// The password, never returned, is kept when a PUT doesn't send one.
	h.must(http.StatusOK, req{path: "/scim2/ServiceProviderConfig", user: "kim", password: "kimwso2"})
	// Nothing changed: the version stays.
	if r := h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + id, body: put}); r.path("meta.version") != `W/"2"` {
		t.Errorf("a PUT changing nothing moved the version to %v", r.path("meta.version"))
	}
	cases := []struct {
		name, body, ifMatch string
		status              int
		scimType            string
	}{
		{"stale If-Match", `{"userName":"kim"}`, `W/"1"`, 412, ""},
		{"garbage If-Match", `{"userName":"kim"}`, `nonsense`, 412, ""},
		{"missing userName", `{"name":{"givenName":"x"}}`, "", 400, "invalidValue"},
		{"unknown attribute", `{"userName":"kim","x":1}`, "", 400, "invalidValue"},
		{"taken userName", `{"userName":"ADMIN"}`, "", 409, "uniqueness"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := req{method: "PUT", path: "/scim2/Users/" + id, body: c.body}
			if c.ifMatch != "" {
				r.header = map[string]string{"If-Match": c.ifMatch}
			}
			h.do(r).scimError(t, c.status, c.scimType)
		})
	}
	r = h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + id, body: `{"userName":"kim","password":"new"}`, header: map[string]string{"If-Match": `W/"2"`}})
	if r.path("meta.version") != `W/"3"` || r.body["emails"] != nil {
		t.Errorf("PUT with a matching If-Match returned %s", r.raw)
	}
	h.must(http.StatusUnauthorized, req{path: "/scim2/ServiceProviderConfig", user: "kim", password: "kimwso2"}.withPath("/scim2/Users"))
	h.do(req{method: "PUT", path: "/scim2/Users/00000000-0000-7000-8000-000000000000", body: `{"userName":"z"}`}).scimError(t, 404, "", "no User")
}

func TestDeleteUser(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(kim)
	h.do(req{method: "DELETE", path: "/scim2/Users/" + id, header: map[string]string{"If-Match": `W/"5"`}}).scimError(t, 412, "")
	r := h.do(req{method: "DELETE", path: "/scim2/Users/" + id, header: map[string]string{"Accept": "application/json", "If-Match": `W/"1"`}})
	if r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Fatalf("DELETE: %d %s", r.status, r.raw)
	}
	h.do(req{path: "/scim2/Users/" + id}).scimError(t, 404, "")
	h.do(req{method: "DELETE", path: "/scim2/Users/" + id}).scimError(t, 404, "")
	// Deleted users can't log in, even with credentials cached a moment ago.
	h.createUser(`{"userName":"lee","password":"pw"}`)
	h.must(http.StatusForbidden, req{path: "/scim2/Users", user: "lee", password: "pw"})
	lee := h.must(200, req{path: "/scim2/Users?startIndex=2"}).path("Resources.0.id").(string)
	h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Users/" + lee})
	h.must(http.StatusUnauthorized, req{path: "/scim2/Users", user: "lee", password: "pw"})
}

func TestListUsers(t *testing.T) {
	h := newHarness(t)
	for i := range 4 {
		h.createUser(fmt.Sprintf(`{"userName":"user%d"}`, i))
	}
	cases := []struct {
		query             string
		total, start, per int
		firstUser         string
	}{
		{"", 5, 1, 5, "admin"},
		{"?startIndex=2&count=2", 5, 2, 2, "user0"},
		{"?startIndex=0&count=1", 5, 1, 1, "admin"},
		{"?startIndex=-5&count=1", 5, 1, 1, "admin"},
		{"?count=-1", 5, 1, 0, ""},
		{"?count=0", 5, 1, 0, ""},
		{"?startIndex=5", 5, 5, 1, "user3"},
		{"?startIndex=9", 5, 9, 0, ""},
		{"?count=100000", 5, 1, 5, "admin"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := h.must(http.StatusOK, req{path: "/scim2/Users" + c.query})
			got := fmt.Sprintf("%v %v %v %v", r.body["totalResults"], r.body["startIndex"], r.body["itemsPerPage"], len(r.body["Resources"].([]any)))
			if want := fmt.Sprintf("%v %v %v %v", c.total, c.start, c.per, c.per); got != want {
				t.Errorf("totalResults startIndex itemsPerPage len(Resources) = %s, want %s", got, want)
			}
			if first, _ := r.path("Resources.0.userName").(string); first != c.firstUser {
				t.Errorf("first userName = %q, want %q", first, c.firstUser)
			}
		})
	}
	h.do(req{path: "/scim2/Users?count=ten"}).scimError(t, 400, "invalidValue", "count")
	h.do(req{path: "/scim2/Users?startIndex=1.5"}).scimError(t, 400, "invalidValue", "startIndex")
}
