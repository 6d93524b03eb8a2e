package filter_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// pathTests are PATCH paths that parse and bind, with their canonical
// String, the bound attribute and the bound filter ("" for none).
var pathTests = []struct {
	name, typ, in string
	want          string // String(); "" when the input is canonical
	bound         string // Attr.Bound.String()
	filter        string // Filter.String()
}{
	{"attribute", "Group", `members`, ``, `members`, ``},
	{"sub-attribute", "User", `name.familyName`, ``, `name.familyName`, ``},
	{"case-insensitive", "User", `NAME.FAMILYNAME`, ``, `name.familyName`, ``},
	{"value filter with sub", "User", `emails[type eq "work"].value`, ``, `emails.value`, `type eq "work"`},
	{"rfc members", "Group", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, ``, `members`, `value eq "2819c223-7f76-453a-919d-413861904646"`},
	{"rfc addresses", "User", `addresses[type eq "work"].streetAddress`, ``, `addresses.streetAddress`, `type eq "work"`},
	{"rfc emails and", "User", `emails[type eq "work" and value ew "example.com"]`, ``, `emails`, `type eq "work" and value ew "example.com"`},
	{"extension attribute", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, ``,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, ``},
	{"extension sub-attribute", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, ``,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, ``},
	{"whole extension", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, ``,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, ``},
	{"whole extension, any case", "User", `URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER`, ``,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`, ``},
	{"core urn", "User", `urn:ietf:params:scim:schemas:core:2.0:User:userName`, ``, `userName`, ``},
	{"wso2 unquoted", "User", `emails[type eq home]`, `emails[type eq "home"]`, `emails`, `type eq "home"`},
	{"wso2 unquoted sub", "User", `emails[type eq work].value`, `emails[type eq "work"].value`, `emails.value`, `type eq "work"`},
	{"wso2 members", "Group", `members[display eq kim]`, `members[display eq "kim"]`, `members`, `display eq "kim"`},
	{"password is a target", "User", `password`, ``, `password`, ``},
	{"read-only attribute", "User", `groups`, ``, `groups`, ``},
	{"spaces around", "User", `  emails  `, `emails`, `emails`, ``},
	{"spaces in brackets", "User", `emails[ type  Eq "work" ].value`, `emails[type eq "work"].value`, `emails.value`, `type eq "work"`},
	{"filter logic", "User", `emails[(type eq "work" or type eq "home") and not (primary eq true)]`, ``, `emails`,
		`(type eq "work" or type eq "home") and not (primary eq true)`},
	{"filter case", "User", `EMAILS[TYPE EQ "work"].VALUE`, `EMAILS[TYPE eq "work"].VALUE`, `emails.value`, `TYPE eq "work"`},
	{"single-valued complex", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "u1"].displayName`, ``,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName`, `value eq "u1"`},
	{"entra group member", "Group", `members[value eq "9b3b2a51-1b24-4a53-a45d-1f8eed7b1d53"]`, ``, `members`, `value eq "9b3b2a51-1b24-4a53-a45d-1f8eed7b1d53"`},
}

func TestParsePath(t *testing.T) {
	fx := loadFixture(t)
	for _, tt := range pathTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := filter.ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.in, err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if got := p.String(); got != want {
				t.Errorf("ParsePath(%q).String() = %s, want %s", tt.in, got, want)
			}
			again, err := filter.ParsePath(p.String())
			if err != nil {
				t.Fatalf("ParsePath(%q) of the canonical form: %v", p.String(), err)
			}
			if diff := cmp.Diff(p, again); diff != "" {
				t.Errorf("parsing the canonical form %q gives another path (-first +second):\n%s", p.String(), diff)
			}
			bound, err := filter.BindPath(p, fx.types[tt.typ])
			if err != nil {
				t.Fatalf("BindPath(%q): %v", tt.in, err)
			}
			if got := bound.Attr.Bound.String(); got != tt.bound {
				t.Errorf("BindPath(%q).Attr.Bound = %s, want %s", tt.in, got, tt.bound)
			}
			if bound.String() != p.String() {
				t.Errorf("BindPath(%q).String() = %s, want %s", tt.in, bound, p)
			}
			var gotFilter string
			if bound.Filter != nil {
				gotFilter = bound.Filter.String()
			}
			if gotFilter != tt.filter {
				t.Errorf("BindPath(%q).Filter = %s, want %s", tt.in, gotFilter, tt.filter)
			}
		})
	}
}

func TestBindPathWholeExtension(t *testing.T) {
	fx := loadFixture(t)
	p, err := filter.ParsePath(scim.EnterpriseUserSchema)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := filter.BindPath(p, fx.types["User"])
	if err != nil {
		t.Fatal(err)
	}
	if b := bound.Attr.Bound; b.Attr != nil || !b.Ext || b.Schema.ID != scim.EnterpriseUserSchema {
		t.Errorf("BindPath(%q).Attr.Bound = %+v, want the whole extension", scim.EnterpriseUserSchema, b)
	}
}

// pathErrorTests are PATCH paths that don't parse or don't bind.
var pathErrorTests = []struct {
	name, typ, in string
	errType       scim.ErrorType
	prefix        string // of the detail
	detail        string // a fragment of it
}{
	{"empty", "User", ``, scim.InvalidPath, "invalid path at position 1: ", `expected an attribute path, found the end of the path`},
	{"filter as path", "User", `userName eq "x"`, scim.InvalidPath, "invalid path at position 10: ", `expected "[" or the end of the path, found "eq"`},
	{"space before brackets", "User", `emails [type eq "work"]`, scim.InvalidPath, "invalid path at position 8: ", `expected "[" or the end of the path, found "["`},
	{"junk after brackets", "User", `emails[type eq "work"]x`, scim.InvalidPath, "invalid path at position 23: ", `expected "." and a sub-attribute, or the end of the path, found "x"`},
	{"unclosed brackets", "User", `emails[type eq "work"`, scim.InvalidFilter, "invalid filter in path at position 22: ", `"]" to close the "[" at position 7`},
	{"bad operator in brackets", "User", `emails[type eqq "work"]`, scim.InvalidFilter, "invalid filter in path at position 13: ", `found "eqq"`},
	{"empty brackets", "User", `emails[]`, scim.InvalidFilter, "invalid filter in path at position 8: ", `expected an attribute path`},
	{"nested brackets", "User", `emails[type[x eq 1]]`, scim.InvalidFilter, "invalid filter in path at position 12: ", `can't be nested`},
	{"brackets after sub", "User", `name.familyName[x eq 1]`, scim.InvalidPath, "invalid path at position 16: ", `not the sub-attribute "name.familyName"`},
	{"two sub-attributes", "User", `a.b.c`, scim.InvalidPath, "invalid path at position 4: ", `has more than one sub-attribute`},
	{"bad name", "User", `1abc`, scim.InvalidPath, "invalid path at position 1: ", `"1abc" is not an attribute name`},
	{"dot after brackets", "User", `emails[type eq "work"].`, scim.InvalidPath, "invalid path at position 24: ", `expected a sub-attribute name`},
	{"two subs after brackets", "User", `emails[type eq "work"].value.x`, scim.InvalidPath, "invalid path at position 24: ", `expected a sub-attribute name`},
	{"invalid UTF-8", "User", "emails\xff", scim.InvalidPath, "invalid path at position 7: ", `not valid UTF-8`},

	{"unknown attribute", "User", `foo`, scim.InvalidPath, "invalid path: ", `unknown attribute "foo": resource type User has no attribute "foo"`},
	{"unknown sub-attribute", "User", `name.first`, scim.InvalidPath, "invalid path: ", `name has no sub-attribute "first"`},
	{"unknown schema", "User", `urn:x:y`, scim.InvalidPath, "invalid path: ", `unknown schema "urn:x"`},
	{"schemas", "User", `schemas`, scim.InvalidPath, "invalid path: ", `unknown attribute "schemas"`},
	{"filter on simple", "User", `userName[value eq "x"]`, scim.InvalidPath, "invalid path: ", `a value filter needs a complex attribute, and userName is a string attribute`},
	{"filter on extension", "User", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User[employeeNumber eq "1"]`, scim.InvalidPath, "invalid path: ",
		`a value filter needs a complex attribute, and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User is a whole extension`},
	{"unknown in brackets", "User", `emails[foo eq "x"]`, scim.InvalidFilter, "invalid filter in path: ", `"foo" is not a sub-attribute of emails`},
	{"wrong type in brackets", "User", `emails[primary eq "yes"]`, scim.InvalidFilter, "invalid filter in path: ", `compare it with true or false, not "yes"`},
	{"null in brackets", "User", `emails[value gt null]`, scim.InvalidFilter, "invalid filter in path: ", `null can only be compared with eq or ne`},
	{"unknown sub after brackets", "User", `emails[type eq "work"].foo`, scim.InvalidPath, "invalid path: ", `"foo" is not a sub-attribute of emails`},
	{"group path on user", "User", `members[value eq "1"]`, scim.InvalidPath, "invalid path: ", `unknown attribute "members"`},
}

func TestParsePathErrors(t *testing.T) {
	fx := loadFixture(t)
	for _, tt := range pathErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := filter.ParsePath(tt.in)
			if err == nil {
				var bound filter.Path
				if bound, err = filter.BindPath(p, fx.types[tt.typ]); err == nil {
					t.Fatalf("ParsePath and BindPath(%q) = %s, want an error", tt.in, bound)
				}
			}
			checkError(t, err, tt.errType, tt.prefix, tt.detail)
		})
	}
}

// TestPathFilterMatches checks that a bound path's filter selects values
// of its attribute with Match's semantics: the engine applying PATCH
// operations evaluates it on each value.
func TestPathFilterMatches(t *testing.T) {
	fx := loadFixture(t)
	p, err := filter.ParsePath(`emails[type eq work and value co "@EXAMPLE.com"].value`)
	if err != nil {
		t.Fatal(err)
	}
	bound, err := filter.BindPath(p, fx.types["User"])
	if err != nil {
		t.Fatal(err)
	}
	// The same filter on the whole resource is a value path.
	vp := filter.ValuePath{Path: filter.AttrPath{Name: "emails", Bound: bound.Attr.Bound}, Filter: bound.Filter}
	vp.Path.Bound.Sub = nil
	var got []string
	for _, doc := range fx.docs["User"] {
		if filter.Match(vp, doc) {
			got = append(got, doc["id"].(string))
		}
	}
	if want := []string{"u01", "u02", "u08"}; !cmp.Equal(got, want) {
		t.Errorf("%s selects values in %v, want %v", bound, got, want)
	}
}

func TestPathPositions(t *testing.T) {
	// Positions count bytes from 1, across the brackets.
	for i, tt := range []struct {
		in  string
		pos int
	}{
		{`emails[type eq "é" and value eqq "x"]`, 31},
		{`é`, 1},
	} {
		_, err := filter.ParsePath(tt.in)
		if err == nil {
			t.Fatalf("%d: ParsePath(%q) succeeded", i, tt.in)
		}
		if want := "at position " + strconv.Itoa(tt.pos) + ":"; !strings.Contains(err.Error(), want) {
			t.Errorf("%d: ParsePath(%q): %v, want %q", i, tt.in, err, want)
		}
	}
}
