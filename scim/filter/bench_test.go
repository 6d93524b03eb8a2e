package filter_test

import (
	"testing"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// BenchmarkParseBind measures what every list request with a filter costs
// before it reaches the store.
func BenchmarkParseBind(b *testing.B) {
	users := schema.Default().ResourceType("User")
	for _, bm := range []struct{ name, filter string }{
		{"eq", `userName eq "bjensen@example.com"`},
		{"entra", `emails[type eq "work"].value eq "jyoung@contoso.com"`},
		{"rfc", `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`},
		{"escapes", `displayName eq "Barbara \"Babs\" Jensen \u00e9"`},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := filter.Parse(bm.filter)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := filter.Bind(e, users); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	fx := loadFixture(b)
	e := parseAndBind(b, `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, fx.types["User"])
	docs := fx.docs["User"]
	b.ReportAllocs()
	for b.Loop() {
		for _, doc := range docs {
			filter.Match(e, doc)
		}
	}
}
