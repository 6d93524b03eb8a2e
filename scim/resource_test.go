package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const deviceJSON = `{"schemas":["urn:example:2.0:Device","urn:example:2.0:Extra"],"id":"d1","externalId":"x1",
	"serialNumber":12345678901234567890,"Owner":{"userName":"kim"},"retired":null,
	"urn:example:2.0:Extra":{"rack":{"row":"B"}},"meta":{"resourceType":"Device","version":"W/\"7\"",
	"created":"2024-01-02T03:04:05Z"}}`

func TestResourceAccessors(t *testing.T) {
	var r Resource
	if err := json.Unmarshal([]byte(deviceJSON), &r); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if got := r.ID(); got != "d1" {
		t.Errorf("ID() = %q, want d1", got)
	}
	if got := r.ExternalID(); got != "x1" {
		t.Errorf("ExternalID() = %q, want x1", got)
	}
	if got := r.Version(); got != `W/"7"` {
		t.Errorf("Version() = %q, want W/\"7\"", got)
	}
	if diff := cmp.Diff([]string{"urn:example:2.0:Device", "urn:example:2.0:Extra"}, r.Schemas()); diff != "" {
		t.Errorf("Schemas() (-want +got):\n%s", diff)
	}
	if m := r.Meta(); m == nil || m.ResourceType != "Device" || m.Created == nil {
		t.Errorf("Meta() = %+v, want resourceType Device with created", m)
	}
	if v, ok := r["retired"]; !ok || v != nil {
		t.Errorf(`r["retired"] = %v, %v; want nil, true (null is not absent)`, v, ok)
	}
	if got, _ := json.Marshal(r["serialNumber"]); string(got) != "12345678901234567890" {
		t.Errorf("serialNumber re-encodes as %s, want 12345678901234567890", got)
	}
}

func TestResourceGet(t *testing.T) {
	var r Resource
	if err := json.Unmarshal([]byte(deviceJSON), &r); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	tests := []struct {
		path   string
		want   any
		wantOK bool
	}{
		{"id", "d1", true},
		{"owner.username", "kim", true},
		{"urn:example:2.0:Extra:rack.row", "B", true},
		{"urn:example:2.0:Extra", map[string]any{"rack": map[string]any{"row": "B"}}, true},
		{"urn:ietf:params:scim:schemas:core:2.0:User:id", "d1", true},
		{"owner.missing", nil, false},
		{"id.sub", nil, false},
		{"urn:example:2.0:Nope:rack", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, ok := r.Get(tt.path)
			if ok != tt.wantOK || !cmp.Equal(got, tt.want) {
				t.Errorf("Get(%q) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestResourceSet(t *testing.T) {
	tests := []struct {
		name  string
		start string
		path  string
		value any
		want  string
	}{
		{"top level", `{}`, "nickName", "K", `{"nickName":"K"}`},
		{"replaces a name differing in case", `{"NickName":"A"}`, "nickname", "B", `{"nickname":"B"}`},
		{"creates objects", `{}`, "name.givenName", "Kim", `{"name":{"givenName":"Kim"}}`},
		{"into existing object", `{"Name":{"familyName":"J"}}`, "name.givenName", "Kim", `{"Name":{"familyName":"J","givenName":"Kim"}}`},
		{
			"extension attribute", `{}`, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "m1",
			`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m1"}}}`,
		},
		{"core URN", `{}`, "urn:ietf:params:scim:schemas:core:2.0:User:userName", "kim", `{"userName":"kim"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Resource
			if err := json.Unmarshal([]byte(tt.start), &r); err != nil {
				t.Fatal(err)
			}
			r.Set(tt.path, tt.value)
			got, _ := json.Marshal(r)
			if diff := cmp.Diff(jsonValue(t, []byte(tt.want)), jsonValue(t, got)); diff != "" {
				t.Errorf("Set(%q) (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}
