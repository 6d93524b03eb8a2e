package server_test

import (
	"net/http"
	"testing"
)

// TestExtensionWithComplexMultiValued checks a configured User extension
// (testdata/schemas/custom/badge.json) whose attributes have every
// characteristic: a complex multi-valued attribute with a required
// sub-attribute and canonical values, uniqueness server, immutable,
// writeOnly, returned request, integer and dateTime.
func TestExtensionWithComplexMultiValued(t *testing.T) {
	h := startWithSchemas(t, "testdata/schemas/custom")
	create := func(body string) string { t.Helper(); return h.createUser(body) }
	kim := create(`{"userName":"kim","` + badgeURN + `":{"badgeId":"K-1","clearance":"SECRET","level":3,"hireDate":"2019-04-01T09:00:00Z",` +
		`"issuedBy":"hq","pin":"1234","reviewNote":"fine",` +
		`"badges":[{"value":"B1","type":"physical","primary":true},{"value":"B2","type":"Virtual","issued":"2024-01-02T03:04:05Z"}]}}`)
	sam := create(`{"userName":"sam","BadgeUser":{"badgeId":"S-1","clearance":"public","level":1,"badges":[{"value":"B7","type":"virtual"}]}}`)
	lee := create(`{"userName":"lee","` + badgeURN + `:level":2,"` + badgeURN + `:clearance":"internal"}`)

	t.Run("discovery", func(t *testing.T) {
		h.golden("badge.json", "/scim2/Schemas/"+badgeURN)
		h.golden("user-custom.json", "/scim2/ResourceTypes/User")
	})

	t.Run("get", func(t *testing.T) {
		r := h.must(http.StatusOK, req{path: "/scim2/Users/" + kim})
		for path, want := range map[string]any{
			"clearance":      "secret", // the schema's spelling of a canonical value
			"badges.1.type":  "virtual",
			"badges.0.value": "B1",
			"pin":            nil, // writeOnly, returned never
			"reviewNote":     nil, // returned request
		} {
			if got := r.ext(badgeURN, path); got != want && !(want != nil && toString(got) == toString(want)) {
				t.Errorf("%s = %v, want %v", path, got, want)
			}
		}
		if got := toString(r.ext(badgeURN, "level")); got != "3" {
			t.Errorf("level = %s, want 3", got)
		}
		r = h.must(http.StatusOK, req{path: "/scim2/Users/" + kim + "?attributes=reviewNote,badges.value"})
		if r.ext(badgeURN, "reviewNote") != "fine" || r.ext(badgeURN, "badges.0.value") != "B1" || r.ext(badgeURN, "badges.0.type") != nil {
			t.Errorf("attributes=reviewNote,badges.value returned %s", r.raw)
		}
	})

	t.Run("validation", func(t *testing.T) {
		for _, tt := range []struct {
			name, ext, scimType string
			fragments           []string
		}{
			{"canonical value", `{"clearance":"top"}`, "invalidValue", []string{"clearance", `"top"`, `"secret"`}},
			{"sub-attribute canonical value", `{"badges":[{"value":"X","type":"paper"}]}`, "invalidValue", []string{"badges[0].type"}},
			{"required sub-attribute", `{"badges":[{"type":"physical"}]}`, "invalidValue", []string{"badges.value"}},
			{"two primaries", `{"badges":[{"value":"X","primary":true},{"value":"Y","primary":true}]}`, "invalidValue", []string{"primary"}},
			{"multi-valued", `{"badges":{"value":"X"}}`, "invalidValue", []string{"badges", "array"}},
			{"integer", `{"level":"three"}`, "invalidValue", []string{"level", "integer"}},
			{"dateTime", `{"hireDate":"yesterday"}`, "invalidValue", []string{"hireDate", "dateTime"}},
			{"unknown sub-attribute", `{"badges":[{"value":"X","colour":"red"}]}`, "invalidValue", []string{"colour"}},
			{"unknown attribute", `{"shoeSize":44}`, "invalidValue", []string{"shoeSize"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h.do(req{method: "POST", path: "/scim2/Users", body: `{"userName":"v","` + badgeURN + `":` + tt.ext + `}`}).
					scimError(t, http.StatusBadRequest, tt.scimType, tt.fragments...)
			})
		}
	})

	t.Run("uniqueness server, per tenant", func(t *testing.T) {
		h.do(req{method: "POST", path: "/scim2/Users", body: `{"userName":"dup","` + badgeURN + `":{"badgeId":"K-1"}}`}).
			scimError(t, http.StatusConflict, "uniqueness", "K-1")
		h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Users", body: `{"userName":"dup","` + badgeURN + `":{"badgeId":"k-1"}}`}) // caseExact
		h.bootstrapTenant("example.com")
		h.must(http.StatusCreated, req{method: "POST", path: "/t/example.com/scim2/Users", user: "admin@example.com", password: adminPassword,
			body: `{"userName":"kim","` + badgeURN + `":{"badgeId":"K-1"}}`})
	})

	t.Run("immutable", func(t *testing.T) {
		h.do(req{method: "PUT", path: "/scim2/Users/" + kim, body: `{"userName":"kim","` + badgeURN + `":{"issuedBy":"branch"}}`}).
			scimError(t, http.StatusBadRequest, "mutability", "issuedBy")
		h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Users/" + sam, body: `{"userName":"sam","` + badgeURN + `":{"badgeId":"S-1","issuedBy":"branch","clearance":"public","level":1,"badges":[{"value":"B7","type":"virtual"}]}}`})
	})

	t.Run("filter", func(t *testing.T) {
		for _, tt := range []struct {
			filter string
			want   []string
		}{
			{badgeURN + `:clearance eq "secret"`, []string{kim}},
			{`clearance eq "SECRET"`, []string{kim}}, // caseExact false
			{`clearance sw "in"`, []string{lee}},
			{`badges.value eq "B2"`, []string{kim}},
			{badgeURN + `:badges[type eq "virtual" and value sw "B"]`, []string{kim, sam}},
			{`badges[primary eq true]`, []string{kim}},
			{`level gt 1`, []string{kim, lee}},
			{`level ge 1 and not (level eq 2)`, []string{kim, sam}},
			{`hireDate lt "2020-01-01T00:00:00Z"`, []string{kim}},
			{`badgeId eq "S-1" or badgeId eq "K-1"`, []string{kim, sam}},
			{`badges pr`, []string{kim, sam}},
		} {
			sameIDs(t, tt.filter, h.filtered("/Users", tt.filter, "&sortBy=userName&sortOrder=descending"), sortDesc(h, tt.want)...)
		}
		h.do(req{path: "/scim2/Users?filter=pin+eq+%221234%22"}).scimError(t, http.StatusBadRequest, "invalidFilter", "never returned")
	})

	t.Run("sort", func(t *testing.T) {
		sameIDs(t, "level", h.filtered("/Users", "level pr", "&sortBy=level"), sam, lee, kim)
		sameIDs(t, "level, URN-qualified, descending", h.filtered("/Users", "level pr", "&sortBy="+badgeURN+":level&sortOrder=descending"), kim, lee, sam)
		sameIDs(t, "clearance", h.filtered("/Users", "clearance pr", "&sortBy=clearance"), lee, sam, kim)
	})

	t.Run("patch", func(t *testing.T) {
		r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim, body: patchOp(
			`{"op":"add","path":"`+badgeURN+`:badges","value":[{"value":"B3","type":"physical","primary":true}]}`,
			`{"op":"remove","path":"badges[value eq \"B1\"]"}`,
			`{"op":"replace","path":"badges[type eq \"virtual\"].value","value":"B9"}`,
			`{"op":"replace","path":"level","value":4}`,
		)})
		var got []string
		list, _ := r.ext(badgeURN, "badges").([]any)
		for _, b := range list {
			got = append(got, b.(map[string]any)["value"].(string))
		}
		sameIDs(t, "badge values after PATCH", got, "B9", "B3")
		if r.ext(badgeURN, "badges.1.primary") != true || toString(r.ext(badgeURN, "level")) != "4" {
			t.Errorf("after PATCH: %s", r.raw)
		}
		h.do(req{method: "PATCH", path: "/scim2/Users/" + kim, body: patchOp(`{"op":"replace","path":"badges[value eq \"B3\"].type","value":"paper"}`)}).
			scimError(t, http.StatusBadRequest, "invalidValue", "paper")
		h.do(req{method: "PATCH", path: "/scim2/Users/" + kim, body: patchOp(`{"op":"replace","path":"issuedBy","value":"elsewhere"}`)}).
			scimError(t, http.StatusBadRequest, "mutability", "issuedBy")
	})

	t.Run("bulk", func(t *testing.T) {
		got := h.bulk(
			`{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"ana","`+badgeURN+`":{"badges":[{"value":"A1","type":"physical"}]}}}`,
			`{"method":"PATCH","path":"/Users/bulkId:a","data":`+patchOp(`{"op":"add","path":"badges","value":[{"value":"A2","type":"virtual"}]}`)+`}`,
			`{"method":"POST","path":"/Users","data":{"userName":"bad","`+badgeURN+`":{"clearance":"none"}}}`,
		)
		if len(got) != 3 || got[0] != "201" || got[1] != "200" || got[2] != "400" {
			t.Fatalf("bulk statuses %v, want 201 200 400", got)
		}
		sameIDs(t, "ana", h.filtered("/Users", `badges[value eq "A2"]`, ""), h.idOf2("user", "ana"))
	})
}

// sortDesc returns ids ordered as the users' userNames, descending.
func sortDesc(h *harness, ids []string) []string {
	h.t.Helper()
	out := []string{}
	for _, name := range []string{"sam", "lee", "kim"} {
		id := h.idOf2("user", name)
		for _, w := range ids {
			if w == id {
				out = append(out, id)
			}
		}
	}
	return out
}
