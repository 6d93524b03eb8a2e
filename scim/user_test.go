package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// jsonValue decodes a JSON document for comparison regardless of member
// order and spacing.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return v
}

func TestUserRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means the same as in
	}{
		{
			name: "every core attribute",
			in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","externalId":"701984",
				"userName":"bjensen@example.com","name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen",
				"givenName":"Barbara","middleName":"Jane","honorificPrefix":"Ms.","honorificSuffix":"III"},
				"displayName":"Babs Jensen","nickName":"Babs","profileUrl":"https://login.example.com/bjensen",
				"title":"Tour Guide","userType":"Employee","preferredLanguage":"en-US","locale":"en-US",
				"timezone":"America/Los_Angeles","active":true,"password":"t1meMa$heen",
				"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
				"phoneNumbers":[{"value":"555-555-5555","type":"work"}],"ims":[{"value":"someaimhandle","type":"aim"}],
				"photos":[{"value":"https://photos.example.com/profilephoto/72930000000Ccne/F","type":"photo"}],
				"addresses":[{"type":"work","streetAddress":"100 Universal City Plaza","locality":"Hollywood",
				"region":"CA","postalCode":"91608","country":"USA","formatted":"100 Universal City Plaza","primary":true}],
				"groups":[{"value":"e9e30dba","$ref":"https://example.com/v2/Groups/e9e30dba","display":"Tour Guides"}],
				"entitlements":[{"value":"Employee"}],"roles":[{"value":"Tour Guide"}],
				"x509Certificates":[{"value":"MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
				"meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z",
				"version":"W/\"a330bc54f0671c9\"","location":"https://example.com/v2/Users/2819c223"}}`,
		},
		{
			name: "enterprise extension",
			in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
				"userName":"kim","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984",
				"costCenter":"4130","organization":"Universal Studios","division":"Theme Park","department":"Tour Operations",
				"manager":{"value":"26118915","$ref":"../Users/26118915","displayName":"John Smith"}}}`,
		},
		{
			name: "unknown extension, vendor and sub-attributes are kept",
			in: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:2.0:Badge"],"userName":"kim",
				"urn:example:2.0:Badge":{"number":42,"colour":null},"vendorFlag":true,
				"name":{"givenName":"Kim","pronunciation":"kɪm"},"emails":[{"value":"k@example.com","verified":false}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","badge":"x"}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:example:2.0:Badge",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"kim",
				"urn:example:2.0:Badge":{"number":42,"colour":null},"vendorFlag":true,
				"name":{"givenName":"Kim","pronunciation":"kɪm"},"emails":[{"value":"k@example.com","verified":false}],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","badge":"x"}}`,
		},
		{
			name: "WSO2 EnterpriseUser key is read as the extension",
			in:   `{"schemas":[],"userName":"alex","EnterpriseUser":{"employeeNumber":"123A","manager":{"value":"Taylor"}}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
				"userName":"alex","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"123A","manager":{"value":"Taylor"}}}`,
		},
		{
			name: "Entra ID bare manager string",
			in:   `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m1"}}`,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`,
		},
		{
			name: "active false is kept",
			in:   `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":false}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u User
			if err := json.Unmarshal([]byte(tt.in), &u); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got, err := json.Marshal(u)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if diff := cmp.Diff(jsonValue(t, []byte(want)), jsonValue(t, got)); diff != "" {
				t.Errorf("round trip (-want +got):\n%s\ngot: %s", diff, got)
			}
		})
	}
}

func TestUserMarshal(t *testing.T) {
	badge := json.RawMessage(`{"number":7}`)
	tests := []struct {
		name string
		user User
		want string
	}{
		{
			name: "schemas filled in",
			user: User{UserName: "kim", Active: new(true)},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim","active":true}`,
		},
		{
			name: "extension URNs added to given schemas",
			user: User{
				Schemas: []string{UserSchema}, UserName: "kim",
				Enterprise: &EnterpriseUser{Department: "Ops"},
				Extra:      Extra{"urn:example:2.0:Badge": badge},
			},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:example:2.0:Badge"],
				"userName":"kim","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Ops"},"urn:example:2.0:Badge":{"number":7}}`,
		},
		{
			name: "explicit null replaces a typed attribute",
			user: User{UserName: "kim", NickName: "K", Extra: Extra{"NickName": json.RawMessage("null"), "title": nil}},
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim","NickName":null,"title":null}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.user)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if diff := cmp.Diff(jsonValue(t, []byte(tt.want)), jsonValue(t, got)); diff != "" {
				t.Errorf("Marshal (-want +got):\n%s\ngot: %s", diff, got)
			}
		})
	}
}

func TestUserMarshalDoesNotAliasSchemas(t *testing.T) {
	schemas := make([]string, 1, 4)
	schemas[0] = UserSchema
	u := User{Schemas: schemas, UserName: "kim", Enterprise: &EnterpriseUser{}}
	if _, err := json.Marshal(u); err != nil {
		t.Fatal(err)
	}
	if got := schemas[:2][1]; got != "" {
		t.Errorf("Marshal wrote %q into the caller's schemas array", got)
	}
}

func TestExtra(t *testing.T) {
	var e Extra
	if err := e.Set("urn:example:2.0:Badge", map[string]int{"number": 7}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := e.Set("URN:example:2.0:Badge", map[string]int{"number": 8}); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if len(e) != 1 {
		t.Errorf("after two Sets differing in case, len = %d, want 1", len(e))
	}
	var got struct{ Number int }
	ok, err := e.Decode("urn:EXAMPLE:2.0:badge", &got)
	if !ok || err != nil || got.Number != 8 {
		t.Errorf("Decode = %v, %v, %+v; want true, nil, {Number:8}", ok, err, got)
	}
	if ok, _ := e.Decode("missing", &got); ok {
		t.Error("Decode(missing) reported presence")
	}
}

func TestGroupRoundTrip(t *testing.T) {
	in := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"e9e30dba","displayName":"Tour Guides",
		"members":[{"value":"2819c223","$ref":"https://example.com/v2/Users/2819c223","display":"Babs Jensen","type":"User","x":1}],
		"urn:example:2.0:GroupExt":{"owner":"kim"},"meta":{"resourceType":"Group","version":"W/\"3694e05e9dff592\""}}`
	want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","urn:example:2.0:GroupExt"],"id":"e9e30dba","displayName":"Tour Guides",
		"members":[{"value":"2819c223","$ref":"https://example.com/v2/Users/2819c223","display":"Babs Jensen","type":"User","x":1}],
		"urn:example:2.0:GroupExt":{"owner":"kim"},"meta":{"resourceType":"Group","version":"W/\"3694e05e9dff592\""}}`
	var g Group
	if err := json.Unmarshal([]byte(in), &g); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	got, err := json.Marshal(g)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if diff := cmp.Diff(jsonValue(t, []byte(want)), jsonValue(t, got)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
