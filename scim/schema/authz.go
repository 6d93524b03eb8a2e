package schema

import "github.com/scimd/scimd/scim"

// AuthorizationSchema is the URN of scimd's Group extension that holds the
// permission scopes a group grants its members, directly or through nested
// groups.
const AuthorizationSchema = "urn:scimd:schemas:extension:authorization:2.0:Group"

// AuthorizationScopes is the canonical path of the scopes attribute.
const AuthorizationScopes = AuthorizationSchema + ":scopes"

// AuthorizationExtension returns the Group extension whose "scopes"
// attribute takes the given scope names.
func AuthorizationExtension(scopes []string) *scim.Schema {
	a := str("scopes", "Permission scopes granted to the members of this group, directly or through nested groups.")
	a.MultiValued, a.CaseExact, a.CanonicalValues = true, true, scopes
	return &scim.Schema{
		ID:          AuthorizationSchema,
		Name:        "GroupAuthorization",
		Description: "Permissions granted by a group",
		Attributes:  withDefaults([]*scim.Attribute{a}),
	}
}
