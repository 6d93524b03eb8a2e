package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
)

func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

func TestNormalize(t *testing.T) {
	users := Default().ResourceType(UserType)
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	tests := []struct {
		name, in, want string
	}{
		{"names are case-insensitive", `{"USERNAME":"a","Name":{"GIVENNAME":"b"}}`, `{"userName":"a","name":{"givenName":"b"}}`},
		{"id, meta and schemas are not kept", `{"id":"x","meta":{"a":1},"schemas":["` + scim.UserSchema + `"],"userName":"a"}`, `{"userName":"a"}`},
		{"readOnly is ignored", `{"userName":"a","groups":[{"value":"g"}]}`, `{"userName":"a"}`},
		{"null is unassigned", `{"userName":"a","title":null,"name":{"givenName":null}}`, `{"userName":"a"}`},
		{"empty string is unassigned", `{"userName":"a","title":"","emails":[{"value":"","type":"work"}]}`, `{"userName":"a","emails":[{"type":"work"}]}`},
		{"empty array is unassigned", `{"userName":"a","emails":[]}`, `{"userName":"a"}`},
		{"boolean strings", `{"userName":"a","active":"False","emails":[{"value":"x","primary":"TRUE"}]}`, `{"userName":"a","active":false,"emails":[{"value":"x","primary":true}]}`},
		{"canonical values take the schema's spelling", `{"userName":"a","emails":[{"value":"x","type":"Work"}]}`, `{"userName":"a","emails":[{"value":"x","type":"work"}]}`},
		{"EnterpriseUser key", `{"userName":"a","EnterpriseUser":{"employeeNumber":"1"}}`, `{"userName":"a","` + ent + `":{"employeeNumber":"1"}}`},
		{"extension URN in another case", `{"userName":"a","` + strings.ToUpper(ent) + `":{"department":"d"}}`, `{"userName":"a","` + ent + `":{"department":"d"}}`},
		{"URN-qualified core attribute", `{"` + scim.UserSchema + `:userName":"a"}`, `{"userName":"a"}`},
		{"URN-qualified extension attribute", `{"userName":"a","` + ent + `:manager":{"value":"m"}}`, `{"userName":"a","` + ent + `":{"manager":{"value":"m"}}}`},
		{"URN-qualified sub-attribute", `{"userName":"a","` + ent + `:manager.value":"m"}`, `{"userName":"a","` + ent + `":{"manager":{"value":"m"}}}`},
		{"dotted sub-attribute", `{"userName":"a","name.givenName":"b","name":{"familyName":"c"}}`, `{"userName":"a","name":{"givenName":"b","familyName":"c"}}`},
		{"unknown empty schema URN", `{"schemas":["urn:ietf:params:scim:schemas:extension:adscim:2.0:Group"],"userName":"a"}`, `{"userName":"a"}`},
		{"$ref null", `{"userName":"a","` + ent + `":{"manager":{"value":"m","$ref":null}}}`, `{"userName":"a","` + ent + `":{"manager":{"value":"m"}}}`},
		{"integers stay exact", `{"userName":"a","x509Certificates":[{"value":"AAEC"}]}`, `{"userName":"a","x509Certificates":[{"value":"AAEC"}]}`},
		{"password is kept for the caller to hash", `{"userName":"a","password":"p"}`, `{"userName":"a","password":"p"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := users.Normalize(decodeJSON(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decodeJSON(t, tt.want), got); diff != "" {
				t.Errorf("Normalize (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	users := Default().ResourceType(UserType)
	tests := []struct {
		name, in  string
		fragments []string
	}{
		{"unknown attributes named", `{"userName":"a","b":1,"c":2}`, []string{`"b"`, `"c"`}},
		{"type", `{"userName":["a"]}`, []string{"userName", "string", "array"}},
		{"integer in a string attribute", `{"userName":1}`, []string{"number"}},
		{"complex given a string", `{"userName":"a","name":"x"}`, []string{"name", "JSON object"}},
		{"multi-valued given an object", `{"userName":"a","emails":{"value":"x"}}`, []string{"multi-valued"}},
		{"element of the wrong type", `{"userName":"a","emails":["x"]}`, []string{"emails[0]", "JSON object"}},
		{"two primaries", `{"userName":"a","phoneNumbers":[{"value":"1","primary":true},{"value":"2","primary":true}]}`, []string{"phoneNumbers", "primary"}},
		{"canonical value", `{"userName":"a","ims":[{"value":"x","type":"icq2"}]}`, []string{"icq2", "aim"}},
		{"dateTime", `{"userName":"a","meta":{},"` + scim.EnterpriseUserSchema + `":{"manager":{"value":1}}}`, []string{"manager.value"}},
		{"binary", `{"userName":"a","x509Certificates":[{"value":"@@"}]}`, []string{"base64"}},
		{"boolean string", `{"userName":"a","active":"maybe"}`, []string{"active"}},
		{"given twice", `{"userName":"a","USERNAME":"b"}`, []string{"more than once"}},
		{"sub-attribute twice", `{"userName":"a","name":{"givenName":"x"},"name.givenName":"y"}`, []string{"more than once"}},
		{"sub-attribute of a multi-valued attribute", `{"userName":"a","emails.value":"x"}`, []string{"array of objects"}},
		{"extension not an object", `{"userName":"a","EnterpriseUser":"x"}`, []string{"JSON object"}},
		{"schemas not an array", `{"userName":"a","schemas":"x"}`, []string{"schemas"}},
		{"core schema of another type", `{"userName":"a","schemas":["` + scim.GroupSchema + `"]}`, []string{"Group"}},
		{"read-only element", `{"userName":"a","groups":[],"emails":[{"display":null}],"photos":[{"value":"http://x"}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := users.Normalize(decodeJSON(t, tt.in))
			if tt.fragments == nil {
				if err != nil {
					t.Errorf("Normalize = %v, want success", err)
				}
				return
			}
			var se *scim.Error
			if !errors.As(err, &se) || se.Status != 400 || se.Type != scim.InvalidValue {
				t.Fatalf("Normalize = %v, want a 400 invalidValue", err)
			}
			for _, f := range tt.fragments {
				if !strings.Contains(se.Detail, f) {
					t.Errorf("detail %q does not mention %q", se.Detail, f)
				}
			}
		})
	}
}

func TestCheckImmutable(t *testing.T) {
	groups := Default().ResourceType(GroupType)
	// members are immutable element by element, so a replacement may
	// change the list; a user's id-like immutable attributes are tested
	// through a custom schema.
	old := map[string]any{"displayName": "g", "members": []any{map[string]any{"value": "a"}}}
	next := map[string]any{"displayName": "g", "members": []any{map[string]any{"value": "b"}}}
	if err := groups.CheckImmutable(old, next); err != nil {
		t.Errorf("replacing members = %v, want nil", err)
	}
	badge := &scim.Attribute{Name: "badge", Type: scim.String, Mutability: scim.Immutable, Returned: scim.ReturnedDefault, Uniqueness: scim.UniqueNone}
	rt := &ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &scim.Schema{ID: "urn:example:Device", Attributes: []*scim.Attribute{badge}}}
	if _, err := NewRegistry(rt); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		old, next map[string]any
		wantErr   bool
		wantBadge any
	}{
		{"set once", map[string]any{}, map[string]any{"badge": "B1"}, false, "B1"},
		{"same value", map[string]any{"badge": "B1"}, map[string]any{"badge": "B1"}, false, "B1"},
		{"omitted keeps it", map[string]any{"badge": "B1"}, map[string]any{}, false, "B1"},
		{"changed", map[string]any{"badge": "B1"}, map[string]any{"badge": "B2"}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rt.CheckImmutable(tt.old, tt.next)
			var se *scim.Error
			if tt.wantErr {
				if !errors.As(err, &se) || se.Type != scim.Mutability {
					t.Errorf("CheckImmutable = %v, want a 400 mutability", err)
				}
				return
			}
			if err != nil || tt.next["badge"] != tt.wantBadge {
				t.Errorf("CheckImmutable = %v, badge %v; want nil, %v", err, tt.next["badge"], tt.wantBadge)
			}
		})
	}
}

func TestProjection(t *testing.T) {
	users := Default().ResourceType(UserType)
	doc, err := users.Normalize(decodeJSON(t, `{"userName":"kim","password":"secret","name":{"givenName":"Kim","familyName":"J"},
		"emails":[{"value":"k@x","type":"work","primary":true}],"EnterpriseUser":{"employeeNumber":"7","department":"R&D"}}`))
	if err != nil {
		t.Fatal(err)
	}
	const ent = `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	head := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",` + ent + `],"id":"1"`
	tests := []struct {
		name        string
		attrs, excl []string
		want        string
	}{
		{"defaults", nil, nil, head + `,"userName":"kim","name":{"familyName":"J","givenName":"Kim"},"emails":[{"value":"k@x","type":"work","primary":true}],` + ent + `:{"employeeNumber":"7","department":"R&D"}}`},
		{"attributes", []string{"userName,name.familyName,emails.value"}, nil, head + `,"userName":"kim","name":{"familyName":"J"},"emails":[{"value":"k@x"}]}`},
		{"whole extension", []string{ent[1 : len(ent)-1]}, nil, head + `,` + ent + `:{"employeeNumber":"7","department":"R&D"}}`},
		{"extension attribute", []string{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}, nil, head + `,` + ent + `:{"department":"R&D"}}`},
		{"excluded", nil, []string{"emails", "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}, head + `,"userName":"kim","name":{"familyName":"J"}}`},
		{"id can't be excluded", nil, []string{"id"}, head + `,"userName":"kim","name":{"familyName":"J","givenName":"Kim"},"emails":[{"value":"k@x","type":"work","primary":true}],` + ent + `:{"employeeNumber":"7","department":"R&D"}}`},
		{"password is never returned", []string{"password"}, nil, head + `}`},
		{"both", []string{"name"}, []string{"name.givenName"}, head + `,"name":{"familyName":"J"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := users.Projection(tt.attrs, tt.excl)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(users.Render(nil, "1", doc, nil, pr)); got != tt.want {
				t.Errorf("Render:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRenderEscapes(t *testing.T) {
	users := Default().ResourceType(UserType)
	doc := map[string]any{"userName": "a\"b\\c\n\t\x01<>&\u2028é", "nickName": "bad\xffutf8"}
	var out map[string]any
	if err := json.Unmarshal(users.Render(nil, "1", doc, nil, nil), &out); err != nil {
		t.Fatalf("Render produced invalid JSON: %v", err)
	}
	if out["userName"] != doc["userName"] || out["nickName"] != "bad\ufffdutf8" {
		t.Errorf("round trip: %q %q", out["userName"], out["nickName"])
	}
}

// FuzzNormalize checks that any JSON object either normalizes or fails
// with a 400, and that what normalizes renders to JSON that normalizes to
// the same document.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`{"userName":"a","name":{"givenName":"b"},"emails":[{"value":"x","type":"work","primary":true}]}`,
		`{"USERNAME":"a","active":"True","EnterpriseUser":{"manager":{"value":"m","$ref":null}}}`,
		`{"userName":"a","name.givenName":"b","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"d"}`,
		`{"userName":"a","x509Certificates":[{"value":"AAEC","display":"c"}],"phoneNumbers":[{"value":"1","type":"fax"}]}`,
		`{"schemas":[],"userName":"a","groups":[{"value":"g"}],"meta":{},"id":1}`,
	} {
		f.Add([]byte(s))
	}
	users := Default().ResourceType(UserType)
	f.Fuzz(func(t *testing.T, b []byte) {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var in map[string]any
		if d.Decode(&in) != nil || in == nil {
			return
		}
		doc, err := users.Normalize(in)
		if err != nil {
			var se *scim.Error
			if !errors.As(err, &se) || se.Status != 400 {
				t.Fatalf("Normalize error %v is not a SCIM 400", err)
			}
			return
		}
		delete(doc, "password") // writeOnly: never rendered
		out := users.Render(nil, "id", doc, nil, nil)
		var again map[string]any
		d = json.NewDecoder(bytes.NewReader(out))
		d.UseNumber()
		if err := d.Decode(&again); err != nil {
			t.Fatalf("Render produced invalid JSON %s: %v", out, err)
		}
		doc2, err := users.Normalize(again)
		if err != nil {
			t.Fatalf("rendered document %s does not normalize: %v", out, err)
		}
		if diff := cmp.Diff(doc, doc2); diff != "" {
			t.Fatalf("normalize(render(doc)) differs (-doc +again):\n%s", diff)
		}
	})
}

func TestNormalizeDecimal(t *testing.T) {
	weight := with(attr("weight"), func(a *scim.Attribute) { a.Type = scim.Decimal })
	p := Path{Schema: extension("urn:example:ext:Parcel", weight), Ext: true, Attr: weight}
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"1.5", true}, {"0", true}, {"-0.0e10", true}, {"1e-320", true}, {"-2E+3", true},
		{"1e400", false}, {"1e-400", false}, {"-0.000e-500", true}, {"-1e-999", false},
	} {
		_, err := NormalizeValue(p, json.Number(c.in))
		if (err == nil) != c.ok {
			t.Errorf("decimal %s: error %v, want ok=%v", c.in, err, c.ok)
		}
	}
}
