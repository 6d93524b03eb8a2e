package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
)

func TestParseColumn(t *testing.T) {
	const ent = scim.EnterpriseUserSchema
	tests := []struct {
		header string
		want   column
	}{
		{"userName", column{attr: "userName"}},
		{" name.givenName ", column{attr: "name", sub: "givenName"}},
		{`emails[type eq "work"].value`, column{attr: "emails", where: []condition{{"type", "work"}}, sub: "value"}},
		{`emails[type eq work].display`, column{attr: "emails", where: []condition{{"type", "work"}}, sub: "display"}},
		{`emails[type eq "work"]`, column{attr: "emails", where: []condition{{"type", "work"}}, sub: "value"}},
		{
			`phoneNumbers[type eq "a and b" AND primary eq true].value`,
			column{attr: "phoneNumbers", where: []condition{{"type", "a and b"}, {"primary", true}}, sub: "value"},
		},
		{`roles[value eq "x]y"].display`, column{attr: "roles", where: []condition{{"value", "x]y"}}, sub: "display"}},
		{ent + ":employeeNumber", column{urn: ent, attr: "employeeNumber"}},
		{ent + ":manager.value", column{urn: ent, attr: "manager", sub: "value"}},
		{`urn:example:2.0:Badge:levels[kind eq "a:b"].value`, column{urn: "urn:example:2.0:Badge", attr: "levels", where: []condition{{"kind", "a:b"}}, sub: "value"}},
		{`x[n eq 3].value`, column{attr: "x", where: []condition{{"n", json.Number("3")}}, sub: "value"}},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			got, err := parseColumn(tt.header)
			if err != nil {
				t.Fatalf("parseColumn: %v", err)
			}
			tt.want.header = tt.header
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(column{}, condition{})); diff != "" {
				t.Errorf("column (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseColumnErrors(t *testing.T) {
	for _, h := range []string{
		"", "user name", "name.given.name", `emails[type eq "work"`, `emails[type ne "work"].value`,
		`emails[type eq "work"]value`, `emails[type eq].value`, `emails[type eq "unterminated].value`,
		`emails[type eq work x].value`, `urn:bad urn:attr`, `emails[a[b] eq 1].value`, "1abc",
	} {
		t.Run(h, func(t *testing.T) {
			if c, err := parseColumn(h); err == nil {
				t.Errorf("parseColumn(%q) = %+v, want an error", h, c)
			}
		})
	}
}

func TestColumnApply(t *testing.T) {
	tests := []struct {
		name        string
		header      string
		value       any
		doc         string
		want        string
		wantChanged bool
	}{
		{"new attribute", "title", "Guide", `{}`, `{"title":"Guide"}`, true},
		{"same value", "title", "Guide", `{"Title":"Guide"}`, `{"Title":"Guide"}`, false},
		{"keeps the existing name's case", "title", "X", `{"Title":"Guide"}`, `{"Title":"X"}`, true},
		{"sub-attribute", "name.givenName", "Kim", `{"name":{"familyName":"J"}}`, `{"name":{"familyName":"J","givenName":"Kim"}}`, true},
		{
			"chosen value exists", `emails[type eq "work"].value`, "new@x",
			`{"emails":[{"type":"home","value":"h@x"},{"type":"Work","value":"old@x"}]}`,
			`{"emails":[{"type":"home","value":"h@x"},{"type":"Work","value":"new@x"}]}`, true,
		},
		{
			"chosen value added", `emails[type eq "work" and primary eq true].value`, "w@x",
			`{"emails":[{"type":"home","value":"h@x"}]}`,
			`{"emails":[{"type":"home","value":"h@x"},{"type":"work","primary":true,"value":"w@x"}]}`, true,
		},
		{
			"extension", scim.EnterpriseUserSchema + ":manager.value", "m1", `{}`,
			`{"` + scim.EnterpriseUserSchema + `":{"manager":{"value":"m1"}}}`, true,
		},
		{"replaces a non-object", "name.givenName", "Kim", `{"name":"Kim"}`, `{"name":{"givenName":"Kim"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseColumn(tt.header)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			changed := c.apply(doc, tt.value)
			var want any
			json.Unmarshal([]byte(tt.want), &want)
			if diff := cmp.Diff(want, any(doc)); diff != "" || changed != tt.wantChanged {
				t.Errorf("apply: changed %v, want %v; doc (-want +got):\n%s", changed, tt.wantChanged, diff)
			}
		})
	}
}

func TestReadCSVTypes(t *testing.T) {
	schemas := []*scim.Schema{
		{ID: scim.UserSchema, Attributes: []*scim.Attribute{{Name: "userName", Type: scim.String}, {Name: "active", Type: scim.Boolean}}},
		{ID: "urn:example:2.0:Badge", Attributes: []*scim.Attribute{
			{Name: "level", Type: scim.Integer}, {Name: "score", Type: scim.Decimal},
			{Name: "tags", Type: scim.String, MultiValued: true},
		}},
		{ID: "urn:example:2.0:Other", Attributes: []*scim.Attribute{{Name: "level", Type: scim.Boolean}}},
	}
	rt := &scim.ResourceType{Schema: scim.UserSchema, SchemaExtensions: []scim.SchemaExtension{{Schema: "urn:example:2.0:Badge"}}}
	types := typesOf(schemas, rt)
	in := "\uFEFFuserName,active,urn:example:2.0:Badge:level,urn:example:2.0:Badge:score\nkim,True,3,2.5\nsam,,x,1e2\n"
	rows, err := readCSV(strings.NewReader(in), types)
	if err != nil {
		t.Fatalf("readCSV: %v", err)
	}
	doc := rows[0].newUser()
	want := scim.Resource{
		"schemas":  []string{scim.UserSchema, "urn:example:2.0:Badge"},
		"userName": "kim", "active": true,
		"urn:example:2.0:Badge": map[string]any{"level": json.Number("3"), "score": json.Number("2.5")},
	}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("kim (-want +got):\n%s", diff)
	}
	if rows[1].err == nil || !strings.Contains(rows[1].err.Error(), `"x" is not an integer`) {
		t.Errorf("sam's error = %v, want level not an integer", rows[1].err)
	}
	if rows[1].line != 3 {
		t.Errorf("sam's line = %d, want 3", rows[1].line)
	}

	_, err = readCSV(strings.NewReader("userName,urn:example:2.0:Badge:tags\n"), types)
	if err == nil || !strings.Contains(err.Error(), "multi-valued") {
		t.Errorf("multi-valued column without a selector: err = %v", err)
	}
	_, err = readCSV(strings.NewReader("emails[type eq work].value\n"), types)
	if err == nil || !strings.Contains(err.Error(), "no userName column") {
		t.Errorf("no userName: err = %v", err)
	}
}

// FuzzParseColumn checks that parsing a header never panics, and that a
// header it accepts names only valid attributes and, applied to an empty
// document, sets exactly one value.
func FuzzParseColumn(f *testing.F) {
	for _, s := range []string{
		"userName", "name.givenName", `emails[type eq "work"].value`, `emails[type eq work and primary eq true].value`,
		scim.EnterpriseUserSchema + ":manager.value", `a[b eq "\"]"]`, `x[ eq ]`, "urn:a:b", `[`, `a]`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		c, err := parseColumn(header)
		if err != nil {
			return
		}
		if !isName(c.attr) || c.sub != "" && !isName(c.sub) || c.urn != "" && !isURN(c.urn) {
			t.Fatalf("parseColumn(%q) = %+v: invalid name", header, c)
		}
		for _, cond := range c.where {
			if !isName(cond.attr) {
				t.Fatalf("parseColumn(%q): condition on %q", header, cond.attr)
			}
		}
		doc := map[string]any{}
		if !c.apply(doc, "v") || len(doc) != 1 {
			t.Fatalf("apply of %q to {} gave %v", header, doc)
		}
	})
}
