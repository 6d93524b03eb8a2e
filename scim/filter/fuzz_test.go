package filter_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// FuzzParse checks that Parse never panics, that it fails only with a 400
// invalidFilter, and that the canonical form of what it accepts parses
// back to the same canonical form; then that Bind and Match, on every
// fixture resource type, behave the same way.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range parseErrorTests {
		f.Add(tt.in)
	}
	for _, tt := range bindErrorTests {
		f.Add(tt.in)
	}
	for _, c := range loadCases(f) {
		f.Add(c.filter)
	}
	fx := loadFixture(f)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			checkFuzzError(t, err, scim.InvalidFilter)
			return
		}
		canonical := e.String()
		again, err := filter.Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which doesn't parse: %v", s, canonical, err)
		}
		if again.String() != canonical {
			t.Fatalf("Parse(%q) = %s, which parses to %s", s, canonical, again)
		}
		for typ, rt := range fx.types {
			bound, err := filter.Bind(e, rt)
			if err != nil {
				checkFuzzError(t, err, scim.InvalidFilter)
				continue
			}
			rebound, err := filter.Bind(mustParse(t, bound.String()), rt)
			if err != nil || rebound.String() != bound.String() {
				t.Fatalf("Bind(%q) to %s = %s, which binds to %v, %v", s, typ, bound, rebound, err)
			}
			for _, doc := range fx.docs[typ] {
				if filter.Match(bound, doc) != filter.Match(rebound, doc) {
					t.Fatalf("%s and %s, its canonical form, disagree on %s", s, bound, doc["id"])
				}
			}
		}
	})
}

// FuzzParsePath checks ParsePath and BindPath as FuzzParse checks Parse
// and Bind.
func FuzzParsePath(f *testing.F) {
	for _, tt := range pathTests {
		f.Add(tt.in)
	}
	for _, tt := range pathErrorTests {
		f.Add(tt.in)
	}
	fx := loadFixture(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := filter.ParsePath(s)
		if err != nil {
			checkFuzzError(t, err, scim.InvalidPath, scim.InvalidFilter)
			return
		}
		canonical := p.String()
		again, err := filter.ParsePath(canonical)
		if err != nil {
			t.Fatalf("ParsePath(%q) = %s, which doesn't parse: %v", s, canonical, err)
		}
		if again.String() != canonical {
			t.Fatalf("ParsePath(%q) = %s, which parses to %s", s, canonical, again)
		}
		for _, rt := range fx.types {
			if _, err := filter.BindPath(p, rt); err != nil {
				checkFuzzError(t, err, scim.InvalidPath, scim.InvalidFilter)
			}
		}
	})
}

func checkFuzzError(t *testing.T, err error, types ...scim.ErrorType) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest {
		t.Fatalf("error %v (%T) is not a 400 *scim.Error", err, err)
	}
	for _, typ := range types {
		if se.Type == typ {
			return
		}
	}
	t.Fatalf("error %v has scimType %q, want one of %q", err, se.Type, types)
}

func mustParse(t *testing.T, s string) filter.Expr {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}
