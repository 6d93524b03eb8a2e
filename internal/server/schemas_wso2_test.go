package server_test

import (
	"net/http"
	"testing"
)

// TestWSO2AskPassword loads the WSO2 guide's "Extending the SCIM API"
// example unchanged (testdata/schemas/wso2: the askPassword entry and the
// EnterpriseUser entry listing it) and uses the new attribute as a client
// of WSO2 Identity Server would.
func TestWSO2AskPassword(t *testing.T) {
	h := startWithSchemas(t, "testdata/schemas/wso2/scim2-schema-extension.config")
	ask := enterpriseURN + ":askPassword"

	t.Run("discovery", func(t *testing.T) {
		h.golden("enterprise-askpassword.json", "/scim2/Schemas/"+enterpriseURN)
		h.golden("user-wso2.json", "/scim2/ResourceTypes/User")
	})

	// The guide's own create request, with the extension the config adds.
	kim := h.createUser(`{"schemas":[],"name":{"familyName":"jackson","givenName":"kim"},"userName":"kim","password":"kimwso2",` +
		`"emails":[{"primary":true,"value":"kim.jackson@gmail.com","type":"home"}],` +
		`"EnterpriseUser":{"askPassword":"true","employeeNumber":"7"}}`)
	sam := h.createUser(`{"userName":"sam","` + enterpriseURN + `":{"askPassword":false,"employeeNumber":"3"}}`)
	lee := h.createUser(`{"userName":"lee","` + ask + `":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"5"}`)

	t.Run("create and get", func(t *testing.T) {
		r := h.must(http.StatusOK, req{path: "/scim2/Users/" + kim})
		if got := r.ext(enterpriseURN, "askPassword"); got != true {
			t.Errorf("askPassword = %v, want true (the string \"true\" is a boolean)\n%s", got, r.raw)
		}
		if got := r.ext(enterpriseURN, "employeeNumber"); got != "7" {
			t.Errorf("employeeNumber = %v, want the RFC attribute kept beside askPassword", got)
		}
		h.do(req{method: "POST", path: "/scim2/Users", body: `{"userName":"x","EnterpriseUser":{"askPassword":"perhaps"}}`}).
			scimError(t, http.StatusBadRequest, "invalidValue", "askPassword", "boolean")
	})

	t.Run("filter", func(t *testing.T) {
		sameIDs(t, "URN-qualified", h.filtered("/Users", ask+" eq true", "&sortBy=userName"), kim, lee)
		sameIDs(t, "short name", h.filtered("/Users", "askPassword eq false", ""), sam)
		sameIDs(t, "not", h.filtered("/Users", "not (askPassword eq true) and askPassword pr", ""), sam)
	})

	t.Run("sort", func(t *testing.T) {
		sameIDs(t, "by employeeNumber", h.filtered("/Users", "askPassword pr", "&sortBy=employeeNumber"), sam, lee, kim)
		if got := h.filtered("/Users", "askPassword pr", "&sortBy="+ask); len(got) != 3 || got[0] != sam {
			t.Errorf("sorted by askPassword: got %v, want %s (false) first", got, sam)
		}
		if got := h.filtered("/Users", "askPassword pr", "&sortBy=askPassword&sortOrder=descending"); len(got) != 3 || got[2] != sam {
			t.Errorf("sorted by askPassword, descending: got %v, want %s (false) last", got, sam)
		}
	})

	t.Run("attributes", func(t *testing.T) {
		r := h.must(http.StatusOK, req{path: "/scim2/Users/" + kim + "?attributes=askPassword"})
		if r.ext(enterpriseURN, "askPassword") != true || r.ext(enterpriseURN, "employeeNumber") != nil || r.body["userName"] != nil {
			t.Errorf("attributes=askPassword returned %s", r.raw)
		}
		r = h.must(http.StatusOK, req{path: "/scim2/Users/" + kim + "?excludedAttributes=" + ask})
		if r.ext(enterpriseURN, "askPassword") != nil || r.ext(enterpriseURN, "employeeNumber") != "7" {
			t.Errorf("excludedAttributes=askPassword returned %s", r.raw)
		}
	})

	t.Run("patch", func(t *testing.T) {
		r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim,
			body: patchOp(`{"op":"replace","path":"` + ask + `","value":false}`)})
		if r.ext(enterpriseURN, "askPassword") != false {
			t.Errorf("after replace by URN path: %s", r.raw)
		}
		r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim,
			body: patchOp(`{"op":"replace","path":"askPassword","value":"True"}`)})
		if r.ext(enterpriseURN, "askPassword") != true {
			t.Errorf("after replace by short path: %s", r.raw)
		}
		r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim,
			body: patchOp(`{"op":"replace","value":{"EnterpriseUser":{"askPassword":false}}}`)})
		if r.ext(enterpriseURN, "askPassword") != false || r.ext(enterpriseURN, "employeeNumber") != "7" {
			t.Errorf("after a path-less replace: %s", r.raw)
		}
		r = h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Users/" + kim, body: patchOp(`{"op":"remove","path":"askPassword"}`)})
		if r.ext(enterpriseURN, "askPassword") != nil {
			t.Errorf("after remove: %s", r.raw)
		}
	})

	t.Run("bulk", func(t *testing.T) {
		got := h.bulk(
			`{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"ana","`+enterpriseURN+`":{"askPassword":true}}}`,
			`{"method":"PATCH","path":"/Users/bulkId:a","data":`+patchOp(`{"op":"replace","path":"`+ask+`","value":false}`)+`}`,
		)
		if len(got) != 2 || got[0] != "201" || got[1] != "200" {
			t.Fatalf("bulk statuses %v, want 201 200", got)
		}
		sameIDs(t, "ana", h.filtered("/Users", `userName eq "ana" and askPassword eq false`, ""), h.idOf2("user", "ana"))
	})
}
