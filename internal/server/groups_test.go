package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestGroupMembers(t *testing.T) {
	h := newHarness(t)
	kim := h.createUser(`{"userName":"kim","displayName":"Kim Jackson"}`)
	sam := h.createUser(`{"userName":"sam"}`)
	inner := h.createGroup(fmt.Sprintf(`{"displayName":"inner","members":[{"value":%q}]}`, sam))
	r := h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Groups",
		body: fmt.Sprintf(`{"displayName":"engineer","members":[{"value":%q,"display":"ignored"},{"value":%q,"type":"Group"},{"value":%q}]}`, kim, inner, kim)})
	g := r.str("id")
	want := []string{
		fmt.Sprintf("%s User Kim Jackson %s/scim2/Users/%s", kim, h.url, kim),
		fmt.Sprintf("%s Group inner %s/scim2/Groups/%s", inner, h.url, inner),
	}
	if got := members(r); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("members:\n got %q\nwant %q", got, want)
	}
	// A user's groups: direct and through nesting.
	u := h.must(http.StatusOK, req{path: "/scim2/Users/" + sam})
	if got := fmt.Sprint(groups(u)); got != fmt.Sprintf("[%s:inner:direct %s:engineer:indirect]", inner, g) {
		t.Errorf("groups of sam = %s", got)
	}
	if got := h.must(200, req{path: "/scim2/Users/" + sam + "?excludedAttributes=groups"}); got.body["groups"] != nil {
		t.Errorf("excludedAttributes=groups returned groups")
	}
	// groups is read-only: a PUT of a user can't change it.
	h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + sam, body: `{"userName":"sam","groups":[]}`})
	if got := fmt.Sprint(groups(h.must(200, req{path: "/scim2/Users/" + sam}))); !strings.Contains(got, "inner:direct") {
		t.Errorf("PUT with groups [] changed the groups: %s", got)
	}
	if got := h.must(200, req{path: "/scim2/Groups/" + g + "?excludedAttributes=members"}); got.body["members"] != nil || got.str("displayName") != "engineer" {
		t.Errorf("excludedAttributes=members returned %s", got.raw)
	}
	// PUT replaces the members; a PUT with the same members changes nothing.
	put := fmt.Sprintf(`{"displayName":"students","members":[{"value":%q,"display":"sam"}]}`, sam)
	r = h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Groups/" + g, body: put})
	if got := members(r); len(got) != 1 || !strings.HasPrefix(got[0], sam+" User sam") || r.path("meta.version") != `W/"2"` {
		t.Errorf("after PUT: members %q version %v", got, r.path("meta.version"))
	}
	if r := h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Groups/" + g, body: put}); r.path("meta.version") != `W/"2"` {
		t.Errorf("PUT of the same group moved the version to %v", r.path("meta.version"))
	}
	// Deleting a member removes it from every group and gives the group a new version.
	h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Users/" + sam})
	r = h.must(http.StatusOK, req{path: "/scim2/Groups/" + g})
	if r.body["members"] != nil || r.path("meta.version") != `W/"3"` {
		t.Errorf("after deleting its member: %s", r.raw)
	}
	h.do(req{method: "PUT", path: "/scim2/Groups/" + g, body: fmt.Sprintf(`{"displayName":"x","members":[{"value":%q}]}`, g)}).scimError(t, 400, "invalidValue", "itself")
	h.do(req{method: "PUT", path: "/scim2/Groups/" + g, body: fmt.Sprintf(`{"displayName":"x","members":[{"value":%q}]}`, sam)}).scimError(t, 400, "invalidValue", sam)
}

func TestMembersOfAnotherTenantDontExist(t *testing.T) {
	h := newHarness(t)
	h.bootstrapTenant("example.com")
	other := h.must(http.StatusCreated, req{method: "POST", path: "/t/example.com/scim2/Users", body: `{"userName":"kim"}`,
		user: "admin@example.com", password: adminPassword}).str("id")
	h.do(req{method: "POST", path: "/scim2/Groups", body: fmt.Sprintf(`{"displayName":"g","members":[{"value":%q}]}`, other)}).
		scimError(t, 400, "invalidValue", other)
	h.do(req{path: "/scim2/Users/" + other}).scimError(t, 404, "")
}

// members lists "value type display $ref" of a group response's members.
func members(r *response) []string {
	var out []string
	list, _ := r.body["members"].([]any)
	for _, m := range list {
		m := m.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v %v %v", m["value"], m["type"], m["display"], m["$ref"]))
	}
	return out
}

// groups lists "value:display:type" of a user response's groups.
func groups(r *response) []string {
	var out []string
	list, _ := r.body["groups"].([]any)
	for _, g := range list {
		g := g.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v:%v", g["value"], g["display"], g["type"]))
	}
	return out
}

// TestReadsFollowWrites reads a user and a group before and after each
// write that changes what GET returns — scimd serve keeps resources it read,
// and their renderings, in memory (SQLite), and must drop them.
func TestReadsFollowWrites(t *testing.T) {
	h := newHarness(t)
	kim := h.createUser(`{"userName":"kim"}`)
	g := h.createGroup(`{"displayName":"g"}`)
	user := func() string { return fmt.Sprint(groups(h.must(200, req{path: "/scim2/Users/" + kim}))) }
	group := func() []string { return members(h.must(200, req{path: "/scim2/Groups/" + g})) }
	check := func(step, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("after %s: %s, want %s", step, got, want)
		}
	}
	check("create", user(), "[]")
	check("create", fmt.Sprint(group()), "[]")
	patch := func(path, ops string) {
		t.Helper()
		h.must(http.StatusOK, req{method: "PATCH", path: path, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`})
	}
	patch("/scim2/Groups/"+g, fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, kim))
	check("adding kim", user(), fmt.Sprintf("[%s:g:direct]", g))
	patch("/scim2/Groups/"+g, `{"op":"replace","path":"displayName","value":"g2"}`)
	check("renaming the group", user(), fmt.Sprintf("[%s:g2:direct]", g))
	patch("/scim2/Users/"+kim, `{"op":"replace","path":"displayName","value":"Kim J"}`)
	check("renaming kim", fmt.Sprint(group()), fmt.Sprintf("[%s User Kim J %s/scim2/Users/%s]", kim, h.url, kim))
	r := h.must(200, req{path: "/scim2/Users/" + kim})
	if r.str("displayName") != "Kim J" || r.path("meta.version") != `W/"2"` || r.header.Get("ETag") != `W/"2"` {
		t.Errorf("kim after the rename: ETag %s %s", r.header.Get("ETag"), r.raw)
	}
	h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + kim, body: `{"userName":"kim","nickName":"kk"}`})
	if r := h.must(200, req{path: "/scim2/Users/" + kim}); r.str("nickName") != "kk" || r.str("displayName") != "" {
		t.Errorf("kim after PUT: %s", r.raw)
	}
	h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Groups/" + g})
	check("deleting the group", user(), "[]")
	h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Users/" + kim})
	h.do(req{path: "/scim2/Users/" + kim}).scimError(t, 404, "", kim)
}
