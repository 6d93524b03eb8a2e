package filter_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// parseTests are filters that parse, with the canonical String of the
// result; an empty want means the input is canonical already.
var parseTests = []struct {
	name, in, want string
}{
	// RFC 7644 §3.4.2.2, every example, and its remark on case.
	{"rfc eq", `userName eq "bjensen"`, ``},
	{"rfc co", `name.familyName co "O'Malley"`, ``},
	{"rfc sw", `userName sw "J"`, ``},
	{"rfc urn", `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, ``},
	{"rfc pr", `title pr`, ``},
	{"rfc gt", `meta.lastModified gt "2011-05-13T04:42:34Z"`, ``},
	{"rfc ge", `meta.lastModified ge "2011-05-13T04:42:34Z"`, ``},
	{"rfc lt", `meta.lastModified lt "2011-05-13T04:42:34Z"`, ``},
	{"rfc le", `meta.lastModified le "2011-05-13T04:42:34Z"`, ``},
	{"rfc and", `title pr and userType eq "Employee"`, ``},
	{"rfc or", `title pr or userType eq "Intern"`, ``},
	{"rfc schemas", `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, ``},
	{"rfc group", `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, ``},
	{"rfc not", `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, ``},
	{"rfc redundant group", `userType eq "Employee" and (emails.type eq "work")`, `userType eq "Employee" and emails.type eq "work"`},
	{"rfc value path", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, ``},
	{"rfc two value paths", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`, ``},
	{"rfc line break", "userType eq \"Employee\" and emails[type eq \"work\" and\n  value co \"@example.com\"]", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`},
	{"rfc Eq", `userName Eq "john"`, `userName eq "john"`},
	{"rfc Username", `Username eq "john"`, ``},

	// Every operator, in any case.
	{"ne", `a ne "x"`, ``},
	{"ew", `a ew "x"`, ``},
	{"EQ", `a EQ "x"`, `a eq "x"`},
	{"nE", `a nE "x"`, `a ne "x"`},
	{"CO", `a CO "x"`, `a co "x"`},
	{"Sw", `a Sw "x"`, `a sw "x"`},
	{"eW", `a eW "x"`, `a ew "x"`},
	{"GT", `a GT 1`, `a gt 1`},
	{"Ge", `a Ge 1`, `a ge 1`},
	{"lT", `a lT 1`, `a lt 1`},
	{"LE", `a LE 1`, `a le 1`},
	{"PR", `a PR`, `a pr`},
	{"AND", `a pr AND b pr`, `a pr and b pr`},
	{"Or", `a pr Or b pr`, `a pr or b pr`},
	{"NOT", `NOT (a pr)`, `not (a pr)`},
	{"not without space", `not(a pr)`, `not (a pr)`},

	// Values: JSON strings, numbers and literals.
	{"empty string", `a eq ""`, ``},
	{"keywords in string", `department eq "Equity and Research"`, ``},
	{"OR string", `costCenter eq "OR"`, ``},
	{"operators in string", `a eq "b eq c or d pr"`, ``},
	{"parentheses in string", `a eq "(x) [y]"`, ``},
	{"not in string", `a eq "not ("`, ``},
	{"escaped quote", `a eq "say \"hi\""`, ``},
	{"escaped backslash", `a eq "back\\slash"`, ``},
	{"escaped slash", `a eq "a\/b"`, `a eq "a/b"`},
	{"control escapes", `a eq "\b\f\n\r\t"`, `a eq "\u0008\u000c\n\r\t"`},
	{"unicode escape", `a eq "\u0041\u00e9"`, `a eq "Aé"`},
	{"upper-case hex", `a eq "\u00C9"`, `a eq "É"`},
	{"surrogate pair", `a eq "\ud83d\ude00"`, `a eq "😀"`},
	{"lone high surrogate", `a eq "\ud83dx"`, `a eq "�x"`},
	{"lone low surrogate", `a eq "\ude00"`, `a eq "�"`},
	{"high surrogate then non-low", `a eq "\ud83d\u0041"`, `a eq "�A"`},
	{"NUL escape", `a eq "x\u0000y"`, ``},
	{"raw unicode", `a eq "Ünïcödé ΣΊΣΥΦΟΣ 😀"`, ``},
	{"quote and escape mix", `a eq "\"\\\""`, ``},
	{"zero", `a eq 0`, ``},
	{"negative", `a gt -1`, ``},
	{"fraction", `a lt 1.5`, ``},
	{"exponent", `a ge 1e10`, ``},
	{"signed exponent", `a le -0.5E-3`, ``},
	{"exponent plus", `a eq 1E+10`, ``},
	{"big number", `a eq 12345678901234567890`, ``},
	{"true", `a eq true`, ``},
	{"false", `a ne false`, ``},
	{"null", `a eq null`, ``},

	// Unquoted values (SPEC §5): strings unless JSON literals or numbers.
	{"wso2 user", `userName Eq kim`, `userName eq "kim"`},
	{"wso2 group", `displayName Eq engineer`, `displayName eq "engineer"`},
	{"wso2 brackets", `emails[type eq home]`, `emails[type eq "home"]`},
	{"microsoft", `externalId eq jyoung`, `externalId eq "jyoung"`},
	{"bare number", `externalId eq 123`, ``},
	{"bare with symbols", `userName eq kim@example.com`, `userName eq "kim@example.com"`},
	{"bare with punctuation", `a eq x.y-z_w/1:2`, `a eq "x.y-z_w/1:2"`},
	{"True is a word", `userName eq True`, `userName eq "True"`},
	{"NULL is a word", `title eq NULL`, `title eq "NULL"`},
	{"leading zero", `a eq 01`, `a eq "01"`},
	{"plus sign", `a eq +1`, `a eq "+1"`},
	{"trailing dot", `a eq 1.`, `a eq "1."`},
	{"leading dot", `a eq .5`, `a eq ".5"`},
	{"minus alone", `a eq -`, `a eq "-"`},
	{"dangling exponent", `a eq 1e`, `a eq "1e"`},
	{"bare keyword", `a eq and`, `a eq "and"`},
	{"bare then and", `a eq kim and b pr`, `a eq "kim" and b pr`},
	{"bare in group", `(a eq kim)`, `a eq "kim"`},
	{"bare unicode", `a eq Zoë`, `a eq "Zoë"`},
	{"bare dateTime", `meta.lastModified gt 2011-05-13T04:42:34Z`, `meta.lastModified gt "2011-05-13T04:42:34Z"`},

	// Precedence: not and groups, then and, then or; chains are flat.
	{"and before or", `a pr or b pr and c pr`, ``},
	{"and before or, left", `a pr and b pr or c pr`, ``},
	{"group or in and", `(a pr or b pr) and c pr`, ``},
	{"two ands in or", `a pr and b pr or c pr and d pr`, ``},
	{"nested and flattens", `a pr and (b pr and c pr)`, `a pr and b pr and c pr`},
	{"nested or flattens", `a pr or (b pr or (c pr or d pr))`, `a pr or b pr or c pr or d pr`},
	{"left nested or", `((a pr or b pr) or c pr) or d pr`, `a pr or b pr or c pr or d pr`},
	{"redundant groups", `((a pr))`, `a pr`},
	{"groups around terms", `(a pr) or (b pr)`, `a pr or b pr`},
	{"not binds tighter", `not (a pr) and b pr`, ``},
	{"double not", `not (not (a pr))`, ``},
	{"not of or", `not (a pr or b pr)`, ``},
	{"or in and in or", `a pr or b pr and (c pr or d pr)`, ``},
	{"long chain", strings.Repeat(`a pr and `, 200) + `a pr`, ``},

	// Spacing.
	{"surrounding spaces", `  userName eq "x"  `, `userName eq "x"`},
	{"many spaces", `userName   eq    "x"`, `userName eq "x"`},
	{"tabs", "userName\teq\t\"x\"", `userName eq "x"`},
	{"CRLF", "a pr\r\nand b pr", `a pr and b pr`},
	{"tight groups", `(a eq "x")and(b pr)`, `a eq "x" and b pr`},
	{"no space before value", `userName eq"x"`, `userName eq "x"`},
	{"no space after value", `a eq "x"and b pr`, `a eq "x" and b pr`},
	{"spaces in brackets", `emails[ type eq "work" ]`, `emails[type eq "work"]`},
	{"spaces in groups", `( a pr )`, `a pr`},

	// Value paths.
	{"value path", `emails[type eq "work"]`, ``},
	{"value path not", `emails[not (type eq "work")]`, ``},
	{"value path logic", `emails[type eq "work" or (primary eq true and value ew ".org")]`, `emails[type eq "work" or primary eq true and value ew ".org"]`},
	{"value path test", `emails[type eq "work"].value sw "a"`, ``},
	{"value path pr", `emails[type eq "work"].value pr`, ``},
	{"value path null", `emails[type eq "work"].value eq null`, ``},
	{"value path test case", `emails[type eq "work"].VALUE EQ "a"`, `emails[type eq "work"].VALUE eq "a"`},
	{"members", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, ``},
	{"extension value path", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "x"]`, ``},
	{"two value paths", `emails[type eq "work"] and emails[type eq "home"]`, ``},
	{"not value path", `not (emails[type eq "work"])`, ``},
	{"value path in group", `(emails[type eq "work"] or title pr) and active eq true`, ``},

	// Attribute paths.
	{"enterprise", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, ``},
	{"enterprise sub", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`, ``},
	{"urn case kept", `URN:IETF:params:scim:schemas:core:2.0:User:name.familyName eq "x"`, ``},
	{"$ref", `members.$ref eq "https://example.com/v2/Users/1"`, ``},
	{"digits in names", `x509Certificates.value eq "AAAA"`, ``},
	{"name chars", `a-b_c1$ pr`, ``},
	{"attribute named like keyword", `notes pr and order eq 1`, ``},

	// Microsoft Entra ID and Okta.
	{"entra userName", `userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"`, ``},
	{"entra externalId", `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`, ``},
	{"entra group", `displayName eq "Group1DisplayName"`, ``},
	{"entra member", `id eq "40734ae8-b5ad-4d04-8e84-d1735ff7c39b" and members[value eq "9b3b2a51-1b24-4a53-a45d-1f8eed7b1d53"]`, ``},
	{"entra work email", `emails[type eq "work"].value eq "user@contoso.com"`, ``},
	{"okta userName", `userName eq "isaac.brock@example.com"`, ``},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if got := e.String(); got != want {
				t.Errorf("Parse(%q).String() = %s, want %s", tt.in, got, want)
			}
			again, err := filter.Parse(e.String())
			if err != nil {
				t.Fatalf("Parse(%q) of the canonical form: %v", e.String(), err)
			}
			if diff := cmp.Diff(e, again); diff != "" {
				t.Errorf("parsing the canonical form %q gives another tree (-first +second):\n%s", e.String(), diff)
			}
		})
	}
}

// TestParseTree checks the trees behind some canonical forms.
func TestParseTree(t *testing.T) {
	path := func(urn, name, sub string) filter.AttrPath {
		return filter.AttrPath{URN: urn, Name: name, Sub: sub}
	}
	tests := []struct {
		name string
		in   string
		want filter.Expr
	}{
		{"compare", `name.familyName Co "O'Malley"`,
			filter.Compare{Path: path("", "name", "familyName"), Op: filter.Co, Value: "O'Malley"}},
		{"urn", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`,
			filter.Present{Path: path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", "value")}},
		{"values", `a eq 1 or a eq true or a eq null or a eq x or a eq "1"`, filter.Or{
			filter.Compare{Path: path("", "a", ""), Op: filter.Eq, Value: json.Number("1")},
			filter.Compare{Path: path("", "a", ""), Op: filter.Eq, Value: true},
			filter.Compare{Path: path("", "a", ""), Op: filter.Eq, Value: nil},
			filter.Compare{Path: path("", "a", ""), Op: filter.Eq, Value: "x"},
			filter.Compare{Path: path("", "a", ""), Op: filter.Eq, Value: "1"},
		}},
		{"flat", `a pr or (b pr or c pr) and d pr or (e pr or f pr)`, filter.Or{
			filter.Present{Path: path("", "a", "")},
			filter.And{
				filter.Or{filter.Present{Path: path("", "b", "")}, filter.Present{Path: path("", "c", "")}},
				filter.Present{Path: path("", "d", "")},
			},
			filter.Present{Path: path("", "e", "")},
			filter.Present{Path: path("", "f", "")},
		}},
		{"value path test", `emails[type eq "work"].value sw "a"`, filter.ValuePath{
			Path:   path("", "emails", ""),
			Filter: filter.Compare{Path: path("", "type", ""), Op: filter.Eq, Value: "work"},
			Test:   filter.Compare{Path: path("", "value", ""), Op: filter.Sw, Value: "a"},
		}},
		{"not", `not (emails[type eq "work"])`, filter.Not{X: filter.ValuePath{
			Path:   path("", "emails", ""),
			Filter: filter.Compare{Path: path("", "type", ""), Op: filter.Eq, Value: "work"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := filter.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Parse(%q) (-got +want):\n%s", tt.in, diff)
			}
		})
	}
}

// parseErrorTests are filters that don't parse, with the position (from 1)
// the error names and a fragment of its detail.
var parseErrorTests = []struct {
	name, in string
	pos      int
	detail   string
}{
	{"empty", ``, 1, `expected an attribute path, "(" or "not", found the end of the filter`},
	{"spaces", `   `, 4, `expected an attribute path`},
	{"no operator", `userName`, 9, `expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or "pr" after "userName", found the end of the filter`},
	{"unknown operator", `userName equals "x"`, 10, `or "pr" after "userName", found "equals"`},
	{"operator glued to value", `userName eqkim`, 10, `found "eqkim"`},
	{"value glued to path", `userName"x"`, 9, `found "\"x\""`},
	{"space before bracket", `emails [type eq "work"]`, 8, `after "emails", found "["`},
	{"no value", `userName eq`, 12, `expected a value (a quoted string, a number, true, false or null) after "eq", found the end of the filter`},
	{"no value, space", `userName eq `, 13, `expected a value`},
	{"close paren as value", `userName eq )`, 13, `expected a value`},
	{"paren as value", `userName eq (x)`, 13, `found "("`},
	{"bracket as value", `userName eq [x]`, 13, `found "["`},
	{"unclosed string", `userName eq "x`, 13, `the string that starts here has no closing '"'`},
	{"unclosed escaped string", `userName eq "x\"`, 13, `no closing`},
	{"bad escape", `userName eq "\x"`, 14, `"\\x" is not a JSON escape sequence`},
	{"bad escape of a letter with an accent", `userName eq "\é"`, 14, `"\\é" is not a JSON escape sequence`},
	{"short unicode escape", `userName eq "\u12"`, 14, `four hexadecimal digits`},
	{"bad unicode escape", `userName eq "\u12G4"`, 14, `four hexadecimal digits`},
	{"signed unicode escape", `userName eq "\u+123"`, 14, `four hexadecimal digits`},
	{"backslash at end", `userName eq "a\`, 15, `a string ends in "\"`},
	{"tab in string", "userName eq \"a\tb\"", 15, `control character U+0009`},
	{"newline in string", "userName eq \"a\nb\"", 15, `control character U+000A`},
	{"control after escape", "userName eq \"\\n\x01\"", 16, `control character U+0001`},
	{"control char outside", "userName eq\x01\"x\"", 12, `expected a value`},
	{"quote after bare", `userName eq x"`, 14, `expected "and", "or" or the end of the filter, found "\""`},
	{"invalid UTF-8", "userName eq \"\xff\"", 14, `not valid UTF-8`},
	{"invalid UTF-8 in name", "user\xc3Name pr", 5, `not valid UTF-8`},
	{"dangling and", `userName eq "x" and`, 20, `expected an attribute path, "(" or "not", found the end of the filter`},
	{"dangling or", `a pr or`, 8, `expected an attribute path`},
	{"double and", `a pr and and b pr`, 14, `after "and", found "b"`},
	{"xor", `userName eq "x" xor title pr`, 17, `expected "and", "or" or the end of the filter, found "xor"`},
	{"andtitle", `a eq "x" andtitle pr`, 10, `found "andtitle"`},
	{"two comparisons", `a eq b eq c`, 8, `found "eq"`},
	{"pr with value", `userName pr "x"`, 13, `expected "and", "or" or the end of the filter`},
	{"two terms", `title pr title pr`, 10, `found "title"`},
	{"string as path", `"userName" eq "x"`, 1, `expected an attribute path, "(" or "not", found "\"userName\""`},
	{"string as term", `userName eq "x" and "y"`, 21, `found "\"y\""`},
	{"unclosed group", `(userName eq "x"`, 17, `expected "and", "or" or ")" to close the "(" at position 1, found the end of the filter`},
	{"extra close", `userName eq "x")`, 16, `expected "and", "or" or the end of the filter, found ")"`},
	{"empty group", `()`, 2, `found ")"`},
	{"empty group after and", `a pr and ()`, 11, `found ")"`},
	{"bracket closes group", `(userName eq "x"]`, 17, `")" to close the "(" at position 1, found "]"`},
	{"not without group", `not userName eq "x"`, 5, `expected "(" after "not", found "userName"`},
	{"not alone", `not`, 4, `expected "(" after "not", found the end of the filter`},
	{"dangling not", `a pr and not`, 13, `expected "(" after "not"`},
	{"not bracket", `not [a pr]`, 5, `expected "(" after "not", found "["`},
	{"unclosed brackets", `emails[type eq "work"`, 22, `"]" to close the "[" at position 7, found the end of the filter`},
	{"extra bracket", `emails[type eq "work"]]`, 23, `found "]"`},
	{"paren closes brackets", `emails[type eq "work")`, 22, `"]" to close the "[" at position 7, found ")"`},
	{"empty brackets", `emails[]`, 8, `expected an attribute path`},
	{"nested brackets", `emails[type[value eq "x"] eq "y"]`, 12, `value filters can't be nested`},
	{"brackets after sub", `name.familyName[x eq "y"]`, 16, `not the sub-attribute "name.familyName": write "name[familyName ...]"`},
	{"pr after brackets", `emails[type eq "work"] pr`, 24, `expected "and", "or" or the end of the filter, found "pr"`},
	{"dot after brackets", `emails[type eq "work"].`, 24, `expected a sub-attribute name after "].", found the end of the filter`},
	{"no test after sub", `emails[type eq "work"].value`, 29, `or "pr" after "emails[type eq \"work\"].value", found the end of the filter`},
	{"two subs after brackets", `emails[type eq "work"].value.x eq 1`, 24, `expected a sub-attribute name`},
	{"brackets then brackets", `emails[type eq "work"][value pr]`, 23, `found "["`},
	{"two sub-attributes", `a.b.c pr`, 4, `"a.b.c" has more than one sub-attribute`},
	{"name starts with digit", `1abc pr`, 1, `"1abc" is not an attribute name`},
	{"sub starts with digit", `a.1 pr`, 3, `"1" is not an attribute name`},
	{"empty sub", `a. pr`, 3, `expected an attribute name in "a.", found " "`},
	{"empty name", `.a pr`, 1, `expected an attribute name in ".a"`},
	{"colon first", `:a pr`, 1, `expected a schema URN before ":"`},
	{"empty name after urn", `urn:x: pr`, 7, `expected an attribute name in "urn:x:"`},
	{"bad name after urn", `urn:x:1a pr`, 7, `"1a" is not an attribute name`},
	{"operator as path", `eq "x"`, 4, `after "eq", found "\"x\""`},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.in, e)
			}
			checkError(t, err, scim.InvalidFilter, "invalid filter at position "+strconv.Itoa(tt.pos)+": ", tt.detail)
		})
	}
}

// checkError checks that err is a 400 *scim.Error of type typ whose detail
// starts with prefix and contains fragment.
func checkError(t *testing.T, err error, typ scim.ErrorType, prefix, fragment string) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v is a %T, want a *scim.Error", err, err)
	}
	if se.Status != http.StatusBadRequest || se.Type != typ {
		t.Errorf("error is %d %s, want %d %s", se.Status, se.Type, http.StatusBadRequest, typ)
	}
	if !strings.HasPrefix(se.Detail, prefix) || !strings.Contains(se.Detail, fragment) {
		t.Errorf("error detail is\n\t%s\nwant it to start with\n\t%s\nand contain\n\t%s", se.Detail, prefix, fragment)
	}
}
