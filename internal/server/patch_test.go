package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func patchBody(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
}

// TestPatchUserWSO2 runs the user PATCH examples of the WSO2 guide as written.
func TestPatchUserWSO2(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(kim)
	steps := []struct {
		body  string
		check func(r *response) string
	}{
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"nickName":"shaggy"}}]}`,
			func(r *response) string { return fmt.Sprint(r.path("nickName")) }},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[type eq home]"}]}`,
			func(r *response) string {
				return fmt.Sprintf("%v %v", len(r.body["emails"].([]any)), r.path("emails.0.type"))
			}},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"EnterpriseUser":{"employeeNumber":"113","manager":{"value":"Alex"}}},"nickName":"Al"}]}`,
			func(r *response) string {
				ext := r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
				return fmt.Sprintf("%v %v %v", ext["employeeNumber"], ext["manager"].(map[string]any)["value"], r.path("nickName"))
			}},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq work].value","value":"kim.info@gmail.com"}]}`,
			func(r *response) string {
				return fmt.Sprintf("%v %v", r.path("emails.0.value"), r.path("emails.0.type"))
			}},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails"}]}`,
			func(r *response) string { return fmt.Sprint(r.body["emails"]) }},
	}
	want := []string{"shaggy", "1 work", "113 Alex shaggy", "kim.info@gmail.com work", "<nil>"}
	for i, st := range steps {
		r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: st.body})
		if got := st.check(r); got != want[i] {
			t.Errorf("step %d: got %q, want %q\n%s", i, got, want[i], r.raw)
		}
	}
}

// TestPatchGroupWSO2 runs the group PATCH examples of the WSO2 guide.
func TestPatchGroupWSO2(t *testing.T) {
	h := newHarness(t)
	kimID := h.createUser(`{"userName":"kim"}`)
	samID := h.createUser(`{"userName":"sam"}`)
	g := h.createGroup(fmt.Sprintf(`{"displayName": "engineer","members": [{"value":%q,"display": "kim"}]}`, kimID))
	r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Groups/" + g, body: fmt.Sprintf(
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"members":[{"display": "sam","$ref":"https://localhost:9443/scim2/Users/%s","value": %q}]}}]}`, samID, samID)})
	if got := len(members(r)); got != 2 {
		t.Fatalf("after adding sam: %d members\n%s", got, r.raw)
	}
	r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Groups/" + g,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[display eq kim]"}]}`})
	if got := members(r); len(got) != 1 || !strings.HasPrefix(got[0], samID) {
		t.Fatalf("after removing members[display eq kim]: %v", got)
	}
	r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Groups/" + g, body: fmt.Sprintf(
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members[display eq sam]","value":{"value":%q,"display":"kim"}}]}`, kimID)})
	if got := members(r); len(got) != 1 || !strings.HasPrefix(got[0], kimID+" User kim") {
		t.Fatalf("after replacing sam by kim: %v", got)
	}
}

func TestPatchSemantics(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(`{"userName":"bo","emails":[{"value":"a@x","type":"work","primary":true},{"value":"b@x","type":"home"}]}`)
	r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id,
		body: patchBody(`{"op":"Add","path":"emails","value":[{"value":"c@x","type":"other","primary":"True"}]}`)})
	if r.path("emails.0.primary") != false || r.path("emails.2.primary") != true || r.path("meta.version") != `W/"2"` {
		t.Errorf("adding a primary email must demote the old one: %s", r.raw)
	}
	// Nothing changes: the version stays.
	r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(`{"op":"add","path":"emails","value":[{"value":"c@x","type":"other","primary":true}]}`)})
	if r.path("meta.version") != `W/"2"` {
		t.Errorf("a PATCH changing nothing moved the version to %v", r.path("meta.version"))
	}
	// Operations apply all or none.
	h.do(req{method: "PATCH", path: "/scim2/Users/" + id,
		body: patchBody(`{"op":"replace","path":"nickName","value":"x"},{"op":"remove","path":"userName"}`)}).scimError(t, 400, "mutability", "operation 1")
	if r := h.must(http.StatusOK, req{path: "/scim2/Users/" + id}); r.body["nickName"] != nil {
		t.Errorf("a failed PATCH left nickName %v", r.body["nickName"])
	}
	bad := []struct {
		body, scimType, fragment string
	}{
		{patchBody(`{"op":"replace","path":"id","value":"x"}`), "mutability", "id"},
		{patchBody(`{"op":"replace","path":"groups","value":[]}`), "mutability", "groups"},
		{patchBody(`{"op":"replace","path":"emails[type eq \"pager\"].value","value":"x"}`), "noTarget", "emails"},
		{patchBody(`{"op":"remove"}`), "noTarget", "path"},
		{patchBody(`{"op":"frob","path":"nickName","value":"x"}`), "invalidSyntax", "frob"},
		{patchBody(`{"op":"add","path":"shoeSize","value":1}`), "invalidPath", "shoeSize"},
		{patchBody(`{"op":"add","path":"emails[type eq","value":1}`), "invalidFilter", ""},
		{patchBody(`{"op":"add","path":"active","value":"maybe"}`), "invalidValue", "active"},
		{patchBody(`{"op":"add","value":{"shoeSize":1}}`), "invalidValue", "shoeSize"},
		{patchBody(`{"op":"add","path":"nickName"}`), "invalidValue", "value"},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`, "invalidSyntax", "Operations"},
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Operations":[{"op":"add","value":{"nickName":"x"}}]}`, "invalidSyntax", "PatchOp"},
		{`[]`, "invalidSyntax", "object"},
	}
	for _, c := range bad {
		t.Run(c.body[min(len(c.body), 60):], func(t *testing.T) {
			h.do(req{method: "PATCH", path: "/scim2/Users/" + id, body: c.body}).scimError(t, 400, c.scimType, c.fragment)
		})
	}
	h.do(req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(`{"op":"add","value":{"nickName":"y"}}`),
		header: map[string]string{"If-Match": `W/"1"`}}).scimError(t, 412, "")
	h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(`{"op":"add","value":{"nickName":"y"}}`),
		header: map[string]string{"If-Match": `W/"2"`}})
	// A password set by PATCH works at once; the old one doesn't.
	h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(`{"op":"replace","path":"password","value":"new-pw"}`)})
	h.must(http.StatusForbidden, req{path: "/scim2/Users", user: "bo", password: "new-pw"})
	// Unassigning it, in any of the ways PATCH can, ends password logins.
	for _, op := range []string{
		`{"op":"remove","path":"password"}`,
		`{"op":"replace","path":"password","value":null}`,
		`{"op":"replace","value":{"password":null}}`,
		`{"op":"Replace","value":{"Password":""}}`,
	} {
		h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(`{"op":"replace","path":"password","value":"pw-2"}`)})
		h.must(http.StatusForbidden, req{path: "/scim2/Users", user: "bo", password: "pw-2"})
		h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(op)})
		if r := h.do(req{path: "/scim2/Users", user: "bo", password: "pw-2"}); r.status != http.StatusUnauthorized {
			t.Errorf("after %s, the old password gets %d, want 401", op, r.status)
		}
	}
}

func TestPatchEntraProfile(t *testing.T) {
	h := newHarnessWithProfile(t, "entra")
	id := h.createUser(`{"userName":"ava"}`)
	mgr := h.createUser(`{"userName":"boss"}`)
	r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + id, body: patchBody(
		`{"op":"Add","path":"emails[type eq \"work\"].value","value":"ava@x"},` +
			`{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"` + mgr + `"},` +
			`{"op":"Replace","path":"active","value":"False"}`)})
	ext, _ := r.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	if r.path("emails.0.value") != "ava@x" || r.path("emails.0.type") != "work" || r.body["active"] != false || ext["manager"].(map[string]any)["value"] != mgr {
		t.Errorf("Entra PATCH: %s", r.raw)
	}
	g := h.createGroup(`{"displayName":"g"}`)
	resp := h.do(req{method: "PATCH", path: "/scim2/Groups/" + g, body: patchBody(`{"op":"Add","path":"members","value":[{"value":"` + id + `"}]}`)})
	if resp.status != http.StatusNoContent {
		t.Errorf("Entra group PATCH answered %d, want 204", resp.status)
	}
	// remove with a value list removes exactly those members, never all.
	h.must(http.StatusNoContent, req{method: "PATCH", path: "/scim2/Groups/" + g, body: patchBody(`{"op":"Add","path":"members","value":[{"value":"` + mgr + `"}]}`)})
	h.must(http.StatusNoContent, req{method: "PATCH", path: "/scim2/Groups/" + g, body: patchBody(`{"op":"Remove","path":"members","value":[{"value":"` + id + `"}]}`)})
	if got := members(h.must(200, req{path: "/scim2/Groups/" + g})); len(got) != 1 || !strings.HasPrefix(got[0], mgr) {
		t.Errorf("members after removing one of two: %v", got)
	}
}

// TestConcurrentPatches: 50 concurrent PATCHes each adding a distinct
// member to one group, and a distinct email to one user, lose nothing.
func TestConcurrentPatches(t *testing.T) {
	h := newHarness(t)
	g := h.createGroup(`{"displayName":"crowd"}`)
	u := h.createUser(`{"userName":"many"}`)
	const n = 50
	ids := make([]string, n)
	for i := range ids {
		ids[i] = h.createUser(fmt.Sprintf(`{"userName":"m%d"}`, i))
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Groups/" + g + "?excludedAttributes=members",
				body: patchBody(`{"op":"add","path":"members","value":[{"value":"` + ids[i] + `"}]}`)})
		})
		wg.Go(func() {
			h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + u,
				body: patchBody(fmt.Sprintf(`{"op":"add","path":"emails","value":[{"value":"e%d@x"}]}`, i))})
		})
	}
	wg.Wait()
	if got := len(members(h.must(200, req{path: "/scim2/Groups/" + g}))); got != n {
		t.Errorf("group has %d members after %d concurrent adds", got, n)
	}
	if got := len(h.must(200, req{path: "/scim2/Users/" + u}).body["emails"].([]any)); got != n {
		t.Errorf("user has %d emails after %d concurrent adds", got, n)
	}
}

// TestIfMatchRace: of concurrent writes with the same If-Match, exactly one wins.
func TestIfMatchRace(t *testing.T) {
	h := newHarness(t)
	id := h.createUser(`{"userName":"race"}`)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 20 {
		wg.Go(func() {
			r := h.do(req{method: "PATCH", path: "/scim2/Users/" + id, header: map[string]string{"If-Match": `W/"1"`},
				body: patchBody(fmt.Sprintf(`{"op":"replace","path":"nickName","value":"n%d"}`, i))})
			mu.Lock()
			codes[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[200] != 1 || codes[412] != 19 {
		t.Errorf("statuses %v, want one 200 and nineteen 412", codes)
	}
}
