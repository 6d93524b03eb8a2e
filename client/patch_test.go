package client

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
)

func TestPatch(t *testing.T) {
	tests := []struct {
		name  string
		patch *Patch
		want  string // the Operations, as JSON
	}{
		{
			name:  "add without path",
			patch: new(Patch).Add("", map[string]string{"nickName": "shaggy"}),
			want:  `[{"op":"add","value":{"nickName":"shaggy"}}]`,
		},
		{
			name:  "remove all emails",
			patch: new(Patch).Remove("emails"),
			want:  `[{"op":"remove","path":"emails"}]`,
		},
		{
			name:  "value path written by hand",
			patch: new(Patch).Replace(`emails[type eq "work"].value`, "kim.info@gmail.com"),
			want:  `[{"op":"replace","path":"emails[type eq \"work\"].value","value":"kim.info@gmail.com"}]`,
		},
		{
			name:  "value path from a filter",
			patch: new(Patch).ReplaceWhere("emails", Eq("type", `wo"rk`), "value", "k@example.com"),
			want:  `[{"op":"replace","path":"emails[type eq \"wo\\\"rk\"].value","value":"k@example.com"}]`,
		},
		{
			name:  "remove a member",
			patch: new(Patch).RemoveWhere("members", Eq("value", "2819c223"), ""),
			want:  `[{"op":"remove","path":"members[value eq \"2819c223\"]"}]`,
		},
		{
			name: "chained, with an extension path",
			patch: new(Patch).
				Add("members", []scim.Member{{Value: "u1", Display: "sam"}}).
				Replace("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "113").
				AddWhere("emails", Eq("type", "home"), "", map[string]string{"value": "h@example.com"}).
				Replace("active", false),
			want: `[{"op":"add","path":"members","value":[{"value":"u1","display":"sam"}]},
				{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"113"},
				{"op":"add","path":"emails[type eq \"home\"]","value":{"value":"h@example.com"}},
				{"op":"replace","path":"active","value":false}]`,
		},
		{
			name:  "null value",
			patch: new(Patch).Replace("title", nil),
			want:  `[{"op":"replace","path":"title","value":null}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := tt.patch.Request()
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			if diff := cmp.Diff([]string{scim.PatchOpMessage}, req.Schemas); diff != "" {
				t.Errorf("schemas (-want +got):\n%s", diff)
			}
			got, _ := json.Marshal(req.Operations)
			var gotV, wantV any
			_ = json.Unmarshal(got, &gotV)
			if err := json.Unmarshal([]byte(tt.want), &wantV); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantV, gotV); diff != "" {
				t.Errorf("operations (-want +got):\n%s\ngot: %s", diff, got)
			}
		})
	}
}

func TestPatchErrors(t *testing.T) {
	tests := []struct {
		name  string
		patch *Patch
	}{
		{"empty", new(Patch)},
		{"remove without path", new(Patch).Remove("")},
		{"add non-object without path", new(Patch).Add("", "x")},
		{"bad path", new(Patch).Replace("user Name", "x")},
		{"unclosed value path", new(Patch).Replace(`emails[type eq "work"`, "x")},
		{"bracket inside quotes only", new(Patch).Replace(`emails[type eq "]"`, "x")},
		{"bad sub-attribute", new(Patch).Replace(`emails[type eq "work"]value`, "x")},
		{"nested brackets", new(Patch).Replace(`emails[type[x]]`, "x")},
		{"bad filter in Where", new(Patch).ReplaceWhere("emails", Eq("ty pe", "w"), "value", "x")},
		{"bad sub-attribute in Where", new(Patch).RemoveWhere("emails", Eq("type", "w"), "va lue")},
		{"unencodable value", new(Patch).Add("x", func() {})},
		{"first error kept", new(Patch).Remove("").Add("title", "x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if req, err := tt.patch.Request(); err == nil {
				t.Errorf("Request() = %+v, want an error", req)
			}
		})
	}
}
