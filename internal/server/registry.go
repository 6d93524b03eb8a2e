package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// ResourceTypes returns, freshly built, the resource types scimd serves
// without configuration: User with the Enterprise User extension, and Group
// with the authorization extension, whose scopes are indexed for
// permission checks. Their scopes are those of SPEC §3.
func ResourceTypes() []*schema.ResourceType {
	return []*schema.ResourceType{
		{Name: schema.UserType, Endpoint: "/Users", Description: "User Account",
			Schema:     schema.UserSchema(),
			Extensions: []schema.Extension{{Schema: schema.EnterpriseUserSchema()}},
			Indexes:    []string{"externalId", "emails.value"},
			Substring:  []string{"userName", "displayName", "emails.value"},
			Scopes:     schema.Scopes{Create: auth.UserCreate, List: auth.UserList, View: auth.UserView, Update: auth.UserUpdate, Delete: auth.UserDelete}},
		{Name: schema.GroupType, Endpoint: "/Groups", Description: "Group",
			Schema:     schema.GroupSchema(),
			Extensions: []schema.Extension{{Schema: schema.AuthorizationExtension(auth.Scopes)}},
			Indexes:    []string{"displayName", "externalId", schema.AuthorizationScopes},
			Substring:  []string{"displayName"},
			Scopes:     schema.Scopes{Create: auth.GroupCreate, List: auth.GroupView, View: auth.GroupView, Update: auth.GroupUpdate, Delete: auth.GroupDelete}},
	}
}

// Registry returns the registry of ResourceTypes.
func Registry() (*schema.Registry, error) {
	return schema.NewRegistry(ResourceTypes()...)
}

// Scopes returns every scope of a registry: the canonical values of the
// authorization extension's "scopes" attribute, which lists what groups
// can grant — the scopes of every resource type's endpoints and of Bulk.
func Scopes(reg *schema.Registry) []string {
	if a := scopesAttribute(reg); a != nil {
		return a.CanonicalValues
	}
	return nil
}

// scopesAttribute returns the definition of the authorization extension's
// "scopes" attribute, or nil if the registry has none.
func scopesAttribute(reg *schema.Registry) *scim.Attribute {
	groups := reg.ResourceType(schema.GroupType)
	if groups == nil {
		return nil
	}
	p, ok := groups.Resolve(schema.AuthorizationScopes)
	if !ok {
		return nil
	}
	return p.Attr
}

// checkScopes refuses a registry that scimd can't protect: a resource type
// whose endpoints have no scopes would be open to every authenticated
// caller, and a scope that groups can't grant would be held by nobody.
func checkScopes(reg *schema.Registry) error {
	a := scopesAttribute(reg)
	if a == nil {
		return fmt.Errorf("server: the registry has no %s (Group's authorization extension), which grants the scopes", schema.AuthorizationScopes)
	}
	grantable := func(sc, what string) error {
		if slices.Contains(a.CanonicalValues, sc) {
			return nil
		}
		return fmt.Errorf("server: %s needs the scope %s, which %s doesn't list, so no group could grant it (it lists %s)",
			what, sc, schema.AuthorizationScopes, strings.Join(a.CanonicalValues, " "))
	}
	if err := grantable(auth.BulkCreate, "/Bulk"); err != nil {
		return err
	}
	for _, rt := range reg.ResourceTypes() {
		if rt.Scopes.IsZero() {
			return fmt.Errorf("server: resource type %s has no scopes: its endpoints would be open to every authenticated caller", rt.Name)
		}
		for _, sc := range rt.Scopes.All() {
			if err := grantable(sc, "resource type "+rt.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
