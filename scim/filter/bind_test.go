package filter_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// bindErrorTests are filters that parse but don't bind, with a fragment of
// the error's detail.
var bindErrorTests = []struct {
	name, typ, in, detail string
}{
	{"unknown attribute", "User", `foo eq "x"`, `unknown attribute "foo": resource type User has no attribute "foo"`},
	{"unknown in and", "User", `userName eq "x" and nickname pr and fooBar pr`, `unknown attribute "fooBar"`},
	{"unknown sub-attribute", "User", `name.first eq "x"`, `unknown attribute "name.first": name has no sub-attribute "first"; it has formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix`},
	{"sub of simple", "User", `userName.x eq "x"`, `unknown attribute "userName.x": userName is a string attribute, without sub-attributes`},
	{"unknown schema", "User", `urn:foo:bar:userName eq "x"`, `unknown schema "urn:foo:bar" in "urn:foo:bar:userName": resource type User has the schemas urn:ietf:params:scim:schemas:core:2.0:User and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`},
	{"schema of another type", "User", `urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"`, `unknown schema "urn:ietf:params:scim:schemas:core:2.0:Group"`},
	{"extension on groups", "Group", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, `unknown schema`},
	{"user attribute on groups", "Group", `userName eq "x"`, `unknown attribute "userName": resource type Group has no attribute "userName"`},
	{"whole extension", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User pr`, `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" is a whole extension; name one of its attributes: employeeNumber, costCenter, organization, division, department, manager`},
	{"extension attribute unknown", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:salary gt 1`, `unknown attribute "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:salary"`},
	{"schemas sub", "User", `schemas.value eq "x"`, `unknown attribute "schemas.value"`},

	{"password eq", "User", `password eq "secret"`, `password can't be filtered on: it is never returned (RFC 7643 §7)`},
	{"password pr", "User", `password pr`, `password can't be filtered on`},
	{"password sw", "User", `userName eq "bjensen" and password sw "a"`, `password can't be filtered on`},
	{"password urn", "User", `urn:ietf:params:scim:schemas:core:2.0:User:PASSWORD eq "x"`, `password can't be filtered on`},
	{"secret", "Device", `secret eq "x"`, `secret can't be filtered on`},

	{"gt on boolean", "User", `active gt true`, `operator "gt" can't order active, which is a boolean attribute; use eq or ne`},
	{"le on boolean", "User", `emails[primary le false]`, `operator "le" can't order emails.primary, which is a boolean attribute`},
	{"lt on binary", "User", `x509Certificates.value lt "A"`, `operator "lt" can't order x509Certificates.value, which is a binary attribute`},
	{"ge on binary", "Device", `firmware ge "AAAA"`, `operator "ge" can't order firmware`},
	{"co on boolean", "User", `active co "t"`, `operator "co" compares strings, and active is a boolean attribute`},
	{"sw on dateTime", "User", `meta.lastModified sw "2011"`, `operator "sw" compares strings, and meta.lastModified is a dateTime attribute`},
	{"ew on binary", "Device", `firmware ew "A"`, `operator "ew" compares strings`},
	{"co on integer", "Device", `ports co 1`, `operator "co" compares strings, and ports is an integer attribute`},
	{"co on decimal value", "Device", `readings[value co "1"]`, `operator "co" compares strings, and readings.value is a decimal attribute`},

	{"boolean yes", "User", `active eq "yes"`, `active is a boolean attribute: compare it with true or false, not "yes"`},
	{"boolean number", "User", `active eq 1`, `compare it with true or false, not 1`},
	{"boolean bare word", "User", `active ne yes`, `not "yes"`},
	{"dateTime yesterday", "User", `meta.lastModified gt "yesterday"`, `meta.lastModified is a dateTime, and "yesterday" is not an xsd:dateTime such as "2011-05-13T04:42:34Z" (RFC 7643 §2.3.5)`},
	{"dateTime date only", "User", `meta.created ge "2011-05-13"`, `"2011-05-13" is not an xsd:dateTime`},
	{"dateTime number", "User", `meta.created gt 2011`, `meta.created is a dateTime attribute: compare it with a quoted xsd:dateTime such as "2011-05-13T04:42:34Z", not 2011`},
	{"dateTime boolean", "Device", `seen eq true`, `not true`},
	{"integer string", "Device", `ports eq "8"`, `ports is an integer attribute: compare it with a number, not "8"`},
	{"integer bare word", "Device", `ports gt eight`, `not "eight"`},
	{"integer out of range", "Device", `ports lt 1e999`, `ports is an integer attribute, and 1e999 is out of range`},
	{"decimal boolean", "Device", `weight eq true`, `weight is a decimal attribute: compare it with a number, not true`},

	{"gt null", "User", `title gt null`, `"title gt null": null can only be compared with eq or ne ("eq null" means "has no value")`},
	{"co null", "User", `title co null`, `null can only be compared with eq or ne`},
	{"null in brackets", "User", `emails[value le null]`, `"emails.value le null"`},

	{"value path on string", "User", `userName[value eq "x"]`, `"userName[...]": a value filter needs a complex attribute, and userName is a string attribute`},
	{"value path on multi-valued string", "Device", `tags[value eq "x"]`, `tags is a multi-valued string attribute`},
	{"value path on schemas", "User", `schemas[value eq "x"]`, `schemas is a multi-valued reference attribute`},
	{"unknown in brackets", "User", `emails[foo eq "x"]`, `"foo" is not a sub-attribute of emails, which has value, display, type, primary`},
	{"top-level name in brackets", "User", `emails[userName eq "x"]`, `"userName" is not a sub-attribute of emails`},
	{"sub of sub in brackets", "User", `emails[type.x eq "x"]`, `"type.x": emails.type has no sub-attributes`},
	{"urn in brackets", "User", `emails[urn:ietf:params:scim:schemas:core:2.0:User:emails.type eq "work"]`, `inside emails[...], name sub-attributes of emails without a schema URN`},
	{"unknown test after brackets", "User", `emails[type eq "work"].foo eq "x"`, `"foo" is not a sub-attribute of emails`},
	{"test type after brackets", "User", `emails[type eq "work"].primary gt true`, `can't order emails.primary`},
	{"password in brackets' test", "User", `emails[type eq "work"].value eq 1 and password pr`, `password can't be filtered on`},

	{"complex without value", "User", `name eq "Barbara"`, `name is complex and has no "value" sub-attribute to compare; compare one of its sub-attributes: formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix`},
	{"addresses without value", "User", `addresses co "Hollywood"`, `addresses is complex and has no "value" sub-attribute`},
	{"single complex without value", "Device", `owner sw "O"`, `owner is complex and has no "value" sub-attribute`},
	{"meta", "User", `meta eq "x"`, `meta is complex and has no "value" sub-attribute`},
}

func TestBindErrors(t *testing.T) {
	fx := loadFixture(t)
	for _, tt := range bindErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			bound, err := filter.Bind(e, fx.types[tt.typ])
			if err == nil {
				t.Fatalf("Bind(%q) = %s, want an error", tt.in, bound)
			}
			checkError(t, err, scim.InvalidFilter, "invalid filter: ", tt.detail)
		})
	}
}

// TestBind checks what binding records in the tree.
func TestBind(t *testing.T) {
	fx := loadFixture(t)
	tests := []struct {
		name, typ, in string
		want          string // the bound String
		paths         []string
		values        []any // of the Compares, in order
	}{
		{"names keep their spelling", "User", `USERNAME Eq "Kim"`, `USERNAME eq "Kim"`, []string{"userName"}, []any{"Kim"}},
		{"complex compares value", "User", `emails co "example.com"`, ``, []string{"emails.value"}, []any{"example.com"}},
		{"extension complex", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:MANAGER eq "u1"`, ``,
			[]string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}, []any{"u1"}},
		{"null on complex", "User", `emails eq null`, ``, []string{"emails"}, []any{nil}},
		{"presence of complex", "User", `name pr`, ``, []string{"name"}, nil},
		{"number as string", "User", `externalId eq 123`, `externalId eq "123"`, []string{"externalId"}, []any{"123"}},
		{"boolean as string", "User", `nickName eq true`, `nickName eq "true"`, []string{"nickName"}, []any{"true"}},
		{"string as boolean", "User", `active eq "FALSE"`, `active eq false`, []string{"active"}, []any{false}},
		{"integer", "Device", `ports ge 8.5`, ``, []string{"ports"}, []any{json.Number("8.5")}},
		{"dateTime as written", "User", `meta.created gt 2011-05-13T04:42:34+02:00`, `meta.created gt "2011-05-13T04:42:34+02:00"`,
			[]string{"meta.created"}, []any{"2011-05-13T04:42:34+02:00"}},
		{"brackets", "User", `emails[type eq "work" and Value pr].display ne "x"`, ``,
			[]string{"emails", "emails.type", "emails.value", "emails.display"}, []any{"work", "x"}},
		{"schemas", "User", `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, ``,
			[]string{"schemas"}, []any{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}},
		{"urn schemas", "User", `urn:ietf:params:scim:schemas:core:2.0:User:schemas pr`, ``, []string{"schemas"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := parseAndBind(t, tt.in, fx.types[tt.typ])
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if got := e.String(); got != want {
				t.Errorf("bound String() = %s, want %s", got, want)
			}
			var paths []string
			var values []any
			walk(e, func(p filter.AttrPath) { paths = append(paths, p.Bound.String()) }, func(c filter.Compare) { values = append(values, c.Value) })
			if diff := cmp.Diff(paths, tt.paths); diff != "" {
				t.Errorf("bound paths (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(values, tt.values); diff != "" {
				t.Errorf("bound values (-got +want):\n%s", diff)
			}
		})
	}
}

// walk calls path for every attribute path of e and compare for every
// comparison, in order.
func walk(e filter.Expr, path func(filter.AttrPath), compare func(filter.Compare)) {
	switch e := e.(type) {
	case filter.And:
		for _, t := range e {
			walk(t, path, compare)
		}
	case filter.Or:
		for _, t := range e {
			walk(t, path, compare)
		}
	case filter.Not:
		walk(e.X, path, compare)
	case filter.Compare:
		path(e.Path)
		compare(e)
	case filter.Present:
		path(e.Path)
	case filter.ValuePath:
		path(e.Path)
		walk(e.Filter, path, compare)
		if e.Test != nil {
			walk(e.Test, path, compare)
		}
	}
}

func TestBindKeepsInput(t *testing.T) {
	fx := loadFixture(t)
	const s = `Emails co "x" and (active eq "true" or EXTERNALID eq 1) and emails[type eq "work"].value pr`
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := filter.Parse(s)
	if _, err := filter.Bind(e, fx.types["User"]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, fresh); diff != "" {
		t.Errorf("Bind changed its input (-after +before):\n%s", diff)
	}
	if _, err := filter.Bind(e, fx.types["Group"]); err == nil {
		t.Errorf("the same filter binds to Group, want an error")
	}
}

func TestIsSchemas(t *testing.T) {
	fx := loadFixture(t)
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{`schemas pr`, true},
		{`SCHEMAS eq "x"`, true},
		{`userName pr`, false},
		{`id pr`, false},
		{`emails pr`, false},
	} {
		e := parseAndBind(t, tt.in, fx.types["User"])
		var got bool
		walk(e, func(p filter.AttrPath) { got = p.IsSchemas() }, func(filter.Compare) {})
		if got != tt.want {
			t.Errorf("%s: IsSchemas() = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestBindHandMade checks trees that Parse never produces.
func TestBindHandMade(t *testing.T) {
	fx := loadFixture(t)
	userName := filter.AttrPath{Name: "userName"}
	tests := []struct {
		name   string
		e      filter.Expr
		detail string
	}{
		{"nil", nil, "empty expression"},
		{"empty and", filter.And{}, "empty expression"},
		{"nil in or", filter.Or{filter.Present{Path: userName}, nil}, "empty expression"},
		{"bad operator", filter.Compare{Path: userName, Op: "like", Value: "x"}, `unknown comparison operator "like"`},
		{"bad value", filter.Compare{Path: userName, Op: filter.Eq, Value: 1.5}, `compare it with a quoted string, not "<invalid value>"`},
		{"nested value paths", filter.ValuePath{Path: filter.AttrPath{Name: "emails"}, Filter: filter.ValuePath{Path: filter.AttrPath{Name: "type"}, Filter: filter.Present{Path: filter.AttrPath{Name: "x"}}}},
			"value filters can't be nested"},
		{"test of another kind", filter.ValuePath{Path: filter.AttrPath{Name: "emails"}, Filter: filter.Present{Path: filter.AttrPath{Name: "type"}},
			Test: filter.Not{X: filter.Present{Path: filter.AttrPath{Name: "value"}}}}, `can be followed by a comparison or "pr" only`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := filter.Bind(tt.e, fx.types["User"])
			checkError(t, err, scim.InvalidFilter, "invalid filter: ", tt.detail)
		})
	}
}
