package scim

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMetaDateTimes(t *testing.T) {
	want := time.Date(2017, 10, 9, 11, 32, 36, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want *time.Time
	}{
		{"RFC 3339", `"2017-10-09T11:32:36Z"`, &want},
		{"RFC 3339 with offset", `"2017-10-09T13:32:36+02:00"`, &want},
		{"fraction", `"2017-10-09T11:32:36.5Z"`, new(want.Add(500 * time.Millisecond))},
		{"offset without colon", `"2017-10-09T11:32:36+0000"`, &want},
		{"offset without colon and fraction", `"2017-10-09T13:32:36.000+0200"`, &want},
		{"hours-only offset", `"2017-10-09T13:32:36+02"`, &want},
		{"no zone", `"2017-10-09T11:32:36"`, &want},
		{"space", `"2017-10-09 11:32:36Z"`, &want},
		{"null", `null`, nil},
		{"not a date", `"yesterday"`, nil},
		{"not a string", `1507548756`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Meta
			in := `{"resourceType":"User","created":` + tt.in + `,"lastModified":` + tt.in + `,"version":"W/\"1\"","location":"https://h/Users/1"}`
			if err := json.Unmarshal([]byte(in), &m); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if m.ResourceType != "User" || m.Version != `W/"1"` || m.Location != "https://h/Users/1" {
				t.Errorf("Meta = %+v, want the other members kept", m)
			}
			for _, got := range []*time.Time{m.Created, m.LastModified} {
				if (got == nil) != (tt.want == nil) || got != nil && !got.Equal(*tt.want) {
					t.Errorf("time = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestMetaInUser(t *testing.T) {
	// As WSO2 Identity Server 5.x sends it.
	in := `{"id":"1","userName":"kim","meta":{"created":"2017-10-09T11:32:36+0000","lastModified":"2017-10-09T11:32:36+0000","resourceType":"User"}}`
	var u User
	if err := json.Unmarshal([]byte(in), &u); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if u.Meta == nil || u.Meta.Created == nil || u.Meta.Created.Unix() != 1507548756 {
		t.Fatalf("meta = %+v, want created 2017-10-09T11:32:36Z", u.Meta)
	}
	out, err := json.Marshal(u.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"resourceType":"User","created":"2017-10-09T11:32:36Z","lastModified":"2017-10-09T11:32:36Z"}`; string(out) != want {
		t.Errorf("re-encoded meta = %s, want %s", out, want)
	}
	if m := (Resource{"meta": map[string]any{"created": "2017-10-09T11:32:36+0000"}}).Meta(); m == nil || m.Created == nil {
		t.Errorf("Resource.Meta() = %+v, want created", m)
	}
}
