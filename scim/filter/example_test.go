package filter_test

import (
	"fmt"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

func Example() {
	users := schema.Default().ResourceType("User")
	e, err := filter.Parse(`userName Eq kim or emails[type eq "work" and value co "@EXAMPLE.com"]`)
	if err != nil {
		fmt.Println(err)
		return
	}
	bound, err := filter.Bind(e, users)
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := map[string]any{
		"userName": "bjensen",
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
	}
	fmt.Println(bound)
	fmt.Println(filter.Match(bound, doc))
	// Output:
	// userName eq "kim" or emails[type eq "work" and value co "@EXAMPLE.com"]
	// true
}

func ExampleParse_error() {
	_, err := filter.Parse(`name.familyName equals "Jensen"`)
	fmt.Println(err)
	// Output:
	// 400 Bad Request (invalidFilter): invalid filter at position 17: expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or "pr" after "name.familyName", found "equals"
}

func ExampleBind_error() {
	users := schema.Default().ResourceType("User")
	e, _ := filter.Parse(`password sw "a"`)
	_, err := filter.Bind(e, users)
	fmt.Println(err)
	// Output:
	// 400 Bad Request (invalidFilter): invalid filter: password can't be filtered on: it is never returned (RFC 7643 §7)
}

func ExampleParsePath() {
	users := schema.Default().ResourceType("User")
	p, err := filter.ParsePath(`emails[type eq work].value`)
	if err != nil {
		fmt.Println(err)
		return
	}
	bound, err := filter.BindPath(p, users)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bound)
	fmt.Println(bound.Attr.Bound)
	fmt.Println(bound.Filter)
	// Output:
	// emails[type eq "work"].value
	// emails.value
	// type eq "work"
}
