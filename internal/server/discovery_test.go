package server_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestDiscovery(t *testing.T) {
	h := newHarness(t)
	h.bootstrapTenant("example.com")
	cases := []struct {
		path, check, want string
	}{
		{"/scim2/ServiceProviderConfig", "schemas.0", "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		{"/scim2/ServiceProviderConfig", "filter.maxResults", "200"},
		{"/scim2/ServiceProviderConfig", "bulk.maxOperations", "1000"},
		{"/scim2/ServiceProviderConfig", "bulk.maxPayloadSize", "1048576"},
		{"/scim2/ServiceProviderConfig", "etag.supported", "true"},
		{"/scim2/ServiceProviderConfig", "changePassword.supported", "true"},
		{"/scim2/ServiceProviderConfig", "authenticationSchemes.0.type", "oauthbearertoken"},
		{"/scim2/ServiceProviderConfig", "authenticationSchemes.1.type", "httpbasic"},
		{"/scim2/ServiceProviderConfig", "meta.location", "/scim2/ServiceProviderConfig"},
		{"/t/example.com/scim2/ServiceProviderConfig", "meta.location", "/t/example.com/scim2/ServiceProviderConfig"},
		{"/scim2/ResourceTypes", "Resources.0.endpoint", "/Users"},
		{"/scim2/ResourceTypes", "Resources.0.schemaExtensions.0.schema", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		{"/scim2/ResourceTypes", "Resources.1.endpoint", "/Groups"},
		{"/scim2/ResourceType", "totalResults", "2"},
		{"/scim2/ResourceTypes/User", "schema", "urn:ietf:params:scim:schemas:core:2.0:User"},
		{"/scim2/ResourceType/Group", "meta.location", "/scim2/ResourceTypes/Group"},
		{"/scim2/Schemas", "Resources.0.id", "urn:ietf:params:scim:schemas:core:2.0:User"},
		{"/scim2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "attributes.0.name", "userName"},
		{"/scim2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", "meta.resourceType", "Schema"},
		{"/scim2/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "name", "EnterpriseUser"},
		{"/scim2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Schema", "id", "urn:ietf:params:scim:schemas:core:2.0:Schema"},
	}
	for _, c := range cases {
		t.Run(c.path+" "+c.check, func(t *testing.T) {
			r := h.must(http.StatusOK, req{path: c.path, noAuth: true})
			if got := strings.TrimPrefix(stringOf(r.path(c.check)), h.url); got != c.want {
				t.Errorf("%s = %q, want %q", c.check, got, c.want)
			}
		})
	}
	h.do(req{path: "/scim2/Schemas/urn:nope", noAuth: true}).scimError(t, 404, "", "urn:nope")
	h.do(req{path: "/scim2/ResourceTypes/Device", noAuth: true}).scimError(t, 404, "", "Device")
	h.do(req{path: "/scim2/Schemas?filter=id+eq+x", noAuth: true}).scimError(t, 403, "", "filter")
	h.do(req{path: "/t/nowhere.org/scim2/ServiceProviderConfig", noAuth: true}).scimError(t, 404, "", "nowhere.org")
}

func stringOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	}
	b, _ := jsonMarshal(v)
	return string(b)
}
