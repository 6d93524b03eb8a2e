package scim

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzEachMember checks the member scanner that decodeObject relies on
// against encoding/json: for any valid JSON object it must find the same
// members with the same values.
func FuzzEachMember(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : 1 , "b":[1,{"c":"]}"}], "d\"e":"x\\"}`, `{"a":{"b":{"c":[]}},"e":null,"f":true,"g":-1.5e3}`,
		"{\"\\u0041\":\"\\u00e9\",\n\t\"k\":\"v\"}", `{"a":"}","b":"{["}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var want map[string]json.RawMessage
		if json.Unmarshal([]byte(doc), &want) != nil || want == nil {
			return
		}
		got := make(map[string]json.RawMessage)
		eachMember([]byte(doc), func(key, value []byte) {
			var name string
			if err := json.Unmarshal(key, &name); err != nil {
				t.Fatalf("key %s: %v", key, err)
			}
			got[name] = value
		})
		if len(got) != len(want) {
			t.Fatalf("eachMember found %d members, encoding/json %d", len(got), len(want))
		}
		for k, w := range want {
			if g, ok := got[k]; !ok || !bytes.Equal(g, w) {
				t.Fatalf("member %q = %s, encoding/json %s", k, g, w)
			}
		}
	})
}
