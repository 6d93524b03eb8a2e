package filter

import (
	"testing"

	"github.com/scimd/scimd/scim/schema"
)

func TestUnassigned(t *testing.T) {
	groups := schema.Default().ResourceType(schema.GroupType)
	tests := []struct{ in, want string }{
		{`userName eq "kim"`, `not (id pr)`},
		{`userName ne "kim"`, `id pr`},
		{`userName pr`, `not (id pr)`},
		{`userName eq null`, `id pr`},
		{`emails[type eq "work"]`, `not (id pr)`},
		{`emails[type eq "work"].value ne "x"`, `id pr`},
		{`emails[type eq "work"].value eq null`, `id pr`},
		{`emails[type eq "work"].value sw "x"`, `not (id pr)`},
		{`displayName eq "g" or userName eq "kim"`, `displayName eq "g" or not (id pr)`},
		{`not (userName pr) and displayName pr`, `not (not (id pr)) and displayName pr`},
		{`schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"`, `schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"`},
		{`members.nope eq "x"`, `members.nope eq "x"`}, // an unknown sub-attribute stays an error for Bind
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := Unassigned(e, groups).String(); got != tt.want {
				t.Errorf("Unassigned = %s, want %s", got, tt.want)
			}
		})
	}
}
