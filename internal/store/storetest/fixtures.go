package storetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// The filter cases and their fixtures are scim/filter's: the store must
// find exactly the resources filter.Match finds.

// testdata returns the path of a file in scim/filter/testdata.
func testdata(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scim", "filter", "testdata", name)
}

// registry is the suite's registry: User with the Enterprise extension and
// Group as scimd serves them, with a group extension holding an indexed
// multi-valued attribute, and the fixtures' Device type.
func registry(t *testing.T) *schema.Registry {
	t.Helper()
	b, err := os.ReadFile(testdata("device.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var device scim.Schema
	if err := json.Unmarshal(b, &device); err != nil {
		t.Fatal(err)
	}
	reg, err := schema.NewRegistry(
		&schema.ResourceType{Name: schema.UserType, Endpoint: "/Users", Schema: schema.UserSchema(),
			Extensions: []schema.Extension{{Schema: schema.EnterpriseUserSchema()}},
			Indexes:    []string{"externalId", "emails.value", "name.familyName"},
			Substring:  []string{"userName", "displayName", "emails.value", "name.familyName"}},
		&schema.ResourceType{Name: schema.GroupType, Endpoint: "/Groups", Schema: schema.GroupSchema(),
			Extensions: []schema.Extension{{Schema: schema.AuthorizationExtension([]string{"a", "b", "c"})}},
			Indexes:    []string{"displayName", "externalId", schema.AuthorizationScopes},
			Substring:  []string{"displayName"}},
		&schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &device, Indexes: []string{"serial"}, Substring: []string{"label", "tags"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// fixture is one resource of the fixtures.
type fixture struct {
	typ     string
	id      string
	doc     map[string]any
	members []string
	created time.Time
	mod     time.Time
	version int64
}

// loadFixtures creates the fixtures' users, groups and devices in s (the
// groups' members as members, their times and versions as given) and
// returns the URL prefixes of their $refs.
func loadFixtures(t *testing.T, s store.Store) map[string]string {
	t.Helper()
	for _, f := range []struct{ file, typ string }{{"users.jsonl", schema.UserType}, {"groups.jsonl", schema.GroupType}, {"devices.jsonl", "Device"}} {
		for _, fx := range readFixtures(t, f.file, f.typ) {
			createFixture(t, s, fx)
		}
	}
	return map[string]string{
		schema.UserType: "https://example.com/v2/Users/", schema.GroupType: "https://example.com/v2/Groups/", "Device": "https://example.com/v2/Devices/",
	}
}

func readFixtures(t *testing.T, file, typ string) []fixture {
	t.Helper()
	f, err := os.Open(testdata(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []fixture
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var doc map[string]any
		if err := d.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out = append(out, toFixture(t, typ, doc))
	}
	return out
}

// toFixture takes apart a fixture document: id and meta become the
// record's, members become memberships, groups are derived by the store.
func toFixture(t *testing.T, typ string, doc map[string]any) fixture {
	fx := fixture{typ: typ, id: doc["id"].(string), doc: doc, version: 1}
	meta, _ := doc["meta"].(map[string]any)
	fx.created = parseTime(t, meta["created"])
	fx.mod = parseTime(t, meta["lastModified"])
	if v, ok := meta["version"].(string); ok {
		if _, err := fmt.Sscanf(v, `W/"%d"`, &fx.version); err != nil {
			t.Fatalf("fixture %s: version %s is not W/\"<integer>\"", fx.id, v)
		}
	}
	for _, m := range asList(doc["members"]) {
		fx.members = append(fx.members, m.(map[string]any)["value"].(string))
	}
	for _, k := range []string{"id", "meta", "members", "groups"} {
		delete(doc, k)
	}
	return fx
}

func parseTime(t *testing.T, v any) time.Time {
	s, _ := v.(string)
	tm, err := schema.ParseDateTime(s)
	if err != nil {
		t.Fatalf("fixture time %v: %v", v, err)
	}
	return tm
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// createFixture stores a fixture at its version: a resource created with a
// marker attribute, changed version-2 times, and finally cleared of it.
func createFixture(t *testing.T, s store.Store, fx fixture) {
	t.Helper()
	ctx := context.Background()
	const marker = "urn:example:marker"
	doc := fx.doc
	if fx.version > 1 {
		doc = withMarker(fx.doc, marker, 0)
	}
	r := &store.Resource{Type: fx.typ, ID: fx.id, Created: fx.created, LastModified: fx.mod, Doc: doc}
	if err := s.Create(ctx, store.DefaultTenant, r, fx.members, ""); err != nil {
		t.Fatalf("fixture %s: %v", fx.id, err)
	}
	for v := int64(2); v <= fx.version; v++ {
		next := fx.doc
		if v < fx.version {
			next = withMarker(fx.doc, marker, v)
		}
		_, err := s.Update(ctx, store.DefaultTenant, fx.typ, fx.id, store.Load{}, store.Load{}, func(*store.Resource) (*store.Change, error) {
			return &store.Change{Doc: next, LastModified: fx.mod}, nil
		})
		if err != nil {
			t.Fatalf("fixture %s: %v", fx.id, err)
		}
	}
}

// withMarker returns a copy of doc with one more key, which no schema
// declares: stored, but never served, searched or filtered.
func withMarker(doc map[string]any, key string, v int64) map[string]any {
	out := make(map[string]any, len(doc)+1)
	for k, x := range doc {
		out[k] = x
	}
	out[key] = v
	return out
}

// filterCase is one line of cases.txt.
type filterCase struct {
	line   int
	typ    string
	ids    []string
	filter string
}

func readCases(t *testing.T) []filterCase {
	t.Helper()
	b, err := os.ReadFile(testdata("cases.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []filterCase
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			t.Fatalf("cases.txt:%d: want TYPE IDS FILTER", i+1)
		}
		c := filterCase{line: i + 1, typ: fields[0]}
		if fields[1] != "-" {
			c.ids = strings.Split(fields[1], ",")
		}
		rest := strings.TrimSpace(strings.TrimPrefix(line, fields[0]))
		c.filter = strings.TrimSpace(strings.TrimPrefix(rest, fields[1]))
		out = append(out, c)
	}
	return out
}

func sortedIDs(page *store.Page) []string {
	ids := []string{}
	for _, r := range page.Resources {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	return ids
}
