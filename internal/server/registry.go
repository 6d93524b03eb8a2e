package server

import (
	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/scim/schema"
)

// Registry returns the resource types scimd serves: User with the
// Enterprise User extension, and Group with the authorization extension
// whose scopes are indexed for permission checks.
func Registry() (*schema.Registry, error) {
	return schema.NewRegistry(
		&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Description: "User Account",
			Schema:     schema.UserSchema(),
			Extensions: []schema.Extension{{Schema: schema.EnterpriseUserSchema()}},
			Indexes:    []string{"externalId", "emails.value"},
			Substring:  []string{"userName", "displayName", "emails.value"}},
		&schema.ResourceType{Name: schema.GroupType, Endpoint: "/Groups", Description: "Group",
			Schema:     schema.GroupSchema(),
			Extensions: []schema.Extension{{Schema: schema.AuthorizationExtension(auth.Scopes)}},
			Indexes:    []string{"displayName", "externalId", schema.AuthorizationScopes},
			Substring:  []string{"displayName"}},
	)
}
