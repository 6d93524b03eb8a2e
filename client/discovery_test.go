package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/scim"
)

func TestDiscovery(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, scimdtest.Start(t, scimdtest.Options{}).URL, nil) // discovery needs no authentication

	cfg, _, err := c.Discovery.ServiceProviderConfig(ctx)
	if err != nil || !cfg.Patch.Supported || !cfg.Filter.Supported || cfg.Pagination == nil {
		t.Fatalf("ServiceProviderConfig = %+v, %v", cfg, err)
	}
	types, _, err := c.Discovery.ResourceTypes(ctx)
	if err != nil || len(types) != 2 || types[0].Endpoint != "/Users" {
		t.Fatalf("ResourceTypes = %+v, %v", types, err)
	}
	if got := types[0].SchemaExtensions; len(got) != 1 || got[0].Schema != scim.EnterpriseUserSchema {
		t.Errorf("User schema extensions = %+v, want the enterprise extension", got)
	}
	group, _, err := c.Discovery.ResourceType(ctx, "Group")
	if err != nil || group.Schema != scim.GroupSchema {
		t.Errorf("ResourceType(Group) = %+v, %v", group, err)
	}
	schemas, _, err := c.Discovery.Schemas(ctx)
	var ids []string
	for _, s := range schemas {
		ids = append(ids, s.ID)
	}
	for _, want := range []string{scim.UserSchema, scim.EnterpriseUserSchema, scim.GroupSchema} {
		if !slices.Contains(ids, want) {
			t.Errorf("Schemas = %v, %v; want %s among them", ids, err, want)
		}
	}
	user, _, err := c.Discovery.Schema(ctx, scim.UserSchema)
	if err != nil || user.ID != scim.UserSchema || !slices.ContainsFunc(user.Attributes, func(a *scim.Attribute) bool {
		return a.Name == "userName" && a.Required && a.Uniqueness == scim.UniqueServer
	}) {
		t.Errorf("Schema(User) = %+v, %v; want userName, required and unique", user, err)
	}
	if _, _, err := c.Discovery.Schema(ctx, "urn:nope"); !errors.Is(err, &scim.Error{Status: http.StatusNotFound}) {
		t.Errorf("Schema(urn:nope) = %v, want 404", err)
	}
}

func TestDiscoveryBareArray(t *testing.T) {
	// Some service providers answer /ResourceTypes with a JSON array
	// rather than a ListResponse.
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"name":"User","endpoint":"/Users","schema":"urn:ietf:params:scim:schemas:core:2.0:User"}]`)
	})
	types, _, err := c.Discovery.ResourceTypes(context.Background())
	if err != nil || len(types) != 1 || types[0].Name != "User" {
		t.Errorf("ResourceTypes = %+v, %v", types, err)
	}
}

func TestDiscoveryWSO2ServiceProviderConfig(t *testing.T) {
	// As in the WSO2 Identity Server guide: specURI, no pagination.
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"patch":{"supported":true},"filter":{"maxResults":200,"supported":true},
			"documentationUri":"http://example.com/help/scim.html","authenticationSchemes":[{"name":"OAuth Bearer Token",
			"description":"Authentication scheme using the OAuth Bearer Token Standard","specURI":"http://www.rfc-editor.org/info/rfc6750",
			"type":"oauthbearertoken","primary":true}],"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
			"etag":{"supported":false},"sort":{"supported":false},"bulk":{"maxPayloadSize":1048576,"maxOperations":1000,"supported":true},
			"changePassword":{"supported":false}}`)
	})
	cfg, _, err := c.Discovery.ServiceProviderConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Bulk.MaxOperations != 1000 || cfg.ETag.Supported || cfg.AuthenticationSchemes[0].SpecURI == "" {
		t.Errorf("ServiceProviderConfig = %+v", cfg)
	}
}
