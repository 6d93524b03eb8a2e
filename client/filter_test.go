package client

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFilter(t *testing.T) {
	tests := []struct {
		name string
		f    Filter
		want string
	}{
		{"eq string", Eq("userName", "bjensen"), `userName eq "bjensen"`},
		{"quote and backslash", Eq("userName", `a"b\c`), `userName eq "a\"b\\c"`},
		{"injection attempt", Eq("userName", `x" or userName pr or "`), `userName eq "x\" or userName pr or \""`},
		{"control characters", Eq("displayName", "a\nb\tc\x00"), `displayName eq "a\nb\tc\u0000"`},
		{"HTML characters kept", Co("title", "<R&D>"), `title co "<R&D>"`},
		{"unicode", Sw("name.familyName", "Ørsted"), `name.familyName sw "Ørsted"`},
		{"bool", Eq("active", true), `active eq true`},
		{"null", Eq("title", nil), `title eq null`},
		{"int", Gt("urn:example:2.0:Badge:level", 3), `urn:example:2.0:Badge:level gt 3`},
		{"float", Le("score", 2.5), `score le 2.5`},
		{"json number", Ge("score", json.Number("1e3")), `score ge 1e3`},
		{"time", Gt("meta.lastModified", time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC)), `meta.lastModified gt "2011-05-13T04:42:34Z"`},
		{"every operator", And(Ne("a", 1), Ew("b", "x"), Lt("c", 2)), `a ne 1 and b ew "x" and c lt 2`},
		{"presence", Pr("title"), `title pr`},
		{"$ref", Eq("members.$ref", "x"), `members.$ref eq "x"`},
		{
			"enterprise URN",
			Eq("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "26118915"),
			`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`,
		},
		{"and flattens", Eq("a", 1).And(Eq("b", 2)).And(Eq("c", 3)), `a eq 1 and b eq 2 and c eq 3`},
		{"or inside and", Or(Eq("a", 1), Eq("b", 2)).And(Eq("c", 3)), `(a eq 1 or b eq 2) and c eq 3`},
		{"and inside or", And(Eq("a", 1), Eq("b", 2)).Or(Eq("c", 3)), `(a eq 1 and b eq 2) or c eq 3`},
		{"not", Not(Eq("a", 1).Or(Eq("b", 2))), `not (a eq 1 or b eq 2)`},
		{"raw is parenthesized", RawFilter("a eq 1 or b eq 2").And(Eq("c", 3)), `(a eq 1 or b eq 2) and c eq 3`},
		{"zero operands dropped", And(Filter{}, Eq("a", 1), Filter{}), `a eq 1`},
		{"no operands", Or(), ``},
		{
			"value path",
			ValuePath("emails", Eq("type", "work").And(Co("value", "@example.com"))),
			`emails[type eq "work" and value co "@example.com"]`,
		},
		{
			"value path combined",
			ValuePath("emails", Eq("type", "work")).Or(Eq("userName", "k")),
			`emails[type eq "work"] or userName eq "k"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f.Err(); err != nil {
				t.Fatalf("Err() = %v", err)
			}
			if got := tt.f.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	tests := []struct {
		name string
		f    Filter
	}{
		{"space in name", Eq("user Name", "x")},
		{"operator in name", Pr(`userName pr or id`)},
		{"quote in name", Eq(`a"`, "x")},
		{"bracket in name", Eq("emails[type", "x")},
		{"starts with digit", Eq("1a", "x")},
		{"empty name", Eq("", "x")},
		{"too deep", Eq("a.b.c", "x")},
		{"bad URN", Eq(`urn:a b:c`, "x")},
		{"URN without name", Eq("urn:example:", "x")},
		{"NaN", Eq("a", math.NaN())},
		{"Inf", Eq("a", math.Inf(1))},
		{"bad json.Number", Eq("a", json.Number("1 or a pr"))},
		{"unsupported type", Eq("a", struct{}{})},
		{"not of nothing", Not(Filter{})},
		{"empty value path", ValuePath("emails", Filter{})},
		{"nested value path", ValuePath("a", ValuePath("b", Eq("c", 1)))},
		{"error propagates through and", Eq("a", 1).And(Eq("b c", 2))},
		{"error propagates through or", Or(Eq("b c", 2), Eq("a", 1))},
		{"error propagates through not", Not(Eq("b c", 2))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.f.Err() == nil {
				t.Errorf("Err() = nil for %q, want an error", tt.f.expr)
			}
			if got := tt.f.String(); got != "" {
				t.Errorf("String() = %q for an invalid filter, want empty", got)
			}
		})
	}
}

// FuzzEqQuoting checks that any value, however hostile, stays one string
// literal: the filter is the attribute, the operator and a JSON string that
// decodes to the value.
func FuzzEqQuoting(f *testing.F) {
	for _, s := range []string{"", `"`, `\`, `x" or userName pr or "`, "\x00\n", "]", ")", "\u2028", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		expr := Eq("userName", value).String()
		lit, ok := strings.CutPrefix(expr, "userName eq ")
		if !ok {
			t.Fatalf("filter %q does not start with the comparison", expr)
		}
		var got string
		dec := json.NewDecoder(strings.NewReader(lit))
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("literal %s is not a JSON string: %v", lit, err)
		}
		if dec.InputOffset() != int64(len(lit)) {
			t.Fatalf("literal %s has text after the string", lit)
		}
		want := string([]rune(value)) // each invalid byte becomes U+FFFD, as encoding/json makes it
		if got != want {
			t.Fatalf("literal %s decodes to %q, want %q", lit, got, want)
		}
	})
}

// FuzzAttrPath checks that an accepted attribute name can hold nothing the
// filter grammar treats as a delimiter.
func FuzzAttrPath(f *testing.F) {
	for _, s := range []string{"userName", "name.givenName", "urn:a:b:c", "$ref", "a b", "a)or(b", `a"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, attr string) {
		if checkAttrPath(attr) != nil {
			return
		}
		if strings.ContainsAny(attr, " \t\n\"()[]") {
			t.Fatalf("checkAttrPath accepted %q", attr)
		}
	})
}
