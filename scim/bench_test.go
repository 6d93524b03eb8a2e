package scim

import (
	"encoding/json"
	"testing"
)

const benchUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"id":"2819c223-7f76-453a-919d-413861904646","externalId":"701984","userName":"bjensen@example.com",
"name":{"formatted":"Ms. Barbara J Jensen, III","familyName":"Jensen","givenName":"Barbara"},
"displayName":"Babs Jensen","active":true,
"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},
"meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z","lastModified":"2011-05-13T04:42:34Z",
"version":"W/\"3694e05e9dff591\"","location":"https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"}}`

// BenchmarkUserUnmarshal decodes a typed User, keeping unknown members.
func BenchmarkUserUnmarshal(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchUser)))
	for b.Loop() {
		var u User
		if err := json.Unmarshal([]byte(benchUser), &u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResourceUnmarshal is the generic baseline: a map, numbers as
// json.Number.
func BenchmarkResourceUnmarshal(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchUser)))
	for b.Loop() {
		var r Resource
		if err := json.Unmarshal([]byte(benchUser), &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUserMarshal(b *testing.B) {
	var u User
	if err := json.Unmarshal([]byte(benchUser), &u); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(u); err != nil {
			b.Fatal(err)
		}
	}
}
