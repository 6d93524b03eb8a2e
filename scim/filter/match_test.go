package filter_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// fixture holds the resources of testdata/ by resource type name.
type fixture struct {
	types map[string]*schema.ResourceType
	docs  map[string][]map[string]any
}

// loadFixture reads the resource types and resources that testdata/cases.txt
// runs on; its header documents them.
func loadFixture(t testing.TB) *fixture {
	t.Helper()
	reg := schema.Default()
	var device scim.Schema
	if err := json.Unmarshal(readFile(t, "device.schema.json"), &device); err != nil {
		t.Fatalf("device.schema.json: %v", err)
	}
	devices, err := schema.NewRegistry(&schema.ResourceType{Name: "Device", Endpoint: "/Devices", Schema: &device})
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{
		types: map[string]*schema.ResourceType{
			"User":   reg.ResourceType("User"),
			"Group":  reg.ResourceType("Group"),
			"Device": devices.ResourceType("Device"),
		},
		docs: map[string][]map[string]any{},
	}
	for typ, file := range map[string]string{"User": "users.jsonl", "Group": "groups.jsonl", "Device": "devices.jsonl"} {
		fx.docs[typ] = readJSONLines(t, file)
	}
	return fx
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readJSONLines(t testing.TB, name string) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for i, line := range bytes.Split(bytes.TrimSpace(readFile(t, name)), []byte("\n")) {
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s:%d: %v", name, i+1, err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// match returns the ids of the resources of type typ that e matches.
func (fx *fixture) match(e filter.Expr, typ string) []string {
	var ids []string
	for _, doc := range fx.docs[typ] {
		if filter.Match(e, doc) {
			ids = append(ids, doc["id"].(string))
		}
	}
	return ids
}

// evalCase is a line of testdata/cases.txt.
type evalCase struct {
	line   int
	typ    string
	ids    []string // nil when none matches
	filter string
}

func (c evalCase) name() string { return "cases.txt:" + strconv.Itoa(c.line) }

func loadCases(t testing.TB) []evalCase {
	t.Helper()
	var cases []evalCase
	sc := bufio.NewScanner(bytes.NewReader(readFile(t, "cases.txt")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		typ, rest, _ := strings.Cut(line, " ")
		ids, f, _ := strings.Cut(strings.TrimSpace(rest), " ")
		c := evalCase{line: n, typ: typ, filter: strings.TrimSpace(f)}
		if ids != "-" {
			c.ids = strings.Split(ids, ",")
		}
		if c.filter == "" || !slices.IsSorted(c.ids) {
			t.Fatalf("cases.txt:%d: malformed case %q", n, line)
		}
		cases = append(cases, c)
	}
	return cases
}

func parseAndBind(t testing.TB, s string, rt *schema.ResourceType) filter.Expr {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	bound, err := filter.Bind(e, rt)
	if err != nil {
		t.Fatalf("Bind(%q): %v", s, err)
	}
	return bound
}

// TestMatch runs testdata/cases.txt. Each filter must also match the same
// resources when written in the canonical form of its bound tree.
func TestMatch(t *testing.T) {
	fx := loadFixture(t)
	for _, c := range loadCases(t) {
		t.Run(c.name(), func(t *testing.T) {
			rt := fx.types[c.typ]
			if rt == nil {
				t.Fatalf("unknown resource type %q", c.typ)
			}
			e := parseAndBind(t, c.filter, rt)
			if got := fx.match(e, c.typ); !slices.Equal(got, c.ids) {
				t.Errorf("%s %s matches %v, want %v", c.typ, c.filter, got, c.ids)
			}
			canonical := parseAndBind(t, e.String(), rt)
			if got := fx.match(canonical, c.typ); !slices.Equal(got, c.ids) {
				t.Errorf("%s %s (canonical form of %s) matches %v, want %v", c.typ, e, c.filter, got, c.ids)
			}
		})
	}
}

// TestMatchEquivalences checks the laws Match documents, by rewriting each
// case's filter with them and comparing the results: ne is not eq, eq null
// is not pr, ne null is pr, and a value path's test moves into its
// brackets.
func TestMatchEquivalences(t *testing.T) {
	fx := loadFixture(t)
	for _, c := range loadCases(t) {
		t.Run(c.name(), func(t *testing.T) {
			e := parseAndBind(t, c.filter, fx.types[c.typ])
			core := rewrite(e)
			if got := fx.match(core, c.typ); !slices.Equal(got, c.ids) {
				t.Errorf("%s %s, rewritten as %s, matches %v, want %v", c.typ, c.filter, core, got, c.ids)
			}
		})
	}
}

// rewrite returns e with ne, null comparisons and value path tests
// replaced by the equivalent forms Match documents.
func rewrite(e filter.Expr) filter.Expr {
	switch e := e.(type) {
	case filter.And:
		return filter.And(rewriteAll(e))
	case filter.Or:
		return filter.Or(rewriteAll(e))
	case filter.Not:
		return filter.Not{X: rewrite(e.X)}
	case filter.Compare:
		switch {
		case e.Value == nil && e.Op == filter.Eq:
			return filter.Not{X: filter.Present{Path: e.Path}}
		case e.Value == nil:
			return filter.Present{Path: e.Path}
		case e.Op == filter.Ne:
			e.Op = filter.Eq
			return filter.Not{X: e}
		}
		return e
	case filter.ValuePath:
		return rewriteValuePath(e)
	}
	return e
}

func rewriteAll(terms []filter.Expr) []filter.Expr {
	out := make([]filter.Expr, len(terms))
	for i, t := range terms {
		out[i] = rewrite(t)
	}
	return out
}

// rewriteValuePath moves the test after a value path's brackets into them:
// attr[F].sub OP v ≡ attr[F and sub OP v], with ne and null as in rewrite,
// the negation outside the brackets.
func rewriteValuePath(vp filter.ValuePath) filter.Expr {
	vp.Filter = rewrite(vp.Filter)
	if vp.Test == nil {
		return vp
	}
	test, negate := vp.Test, false
	if c, ok := test.(filter.Compare); ok {
		switch {
		case c.Value == nil:
			test, negate = filter.Present{Path: c.Path}, c.Op == filter.Eq
		case c.Op == filter.Ne:
			c.Op = filter.Eq
			test, negate = c, true
		}
	}
	out := filter.Expr(filter.ValuePath{Path: vp.Path, Filter: filter.And{vp.Filter, test}})
	if negate {
		out = filter.Not{X: out}
	}
	return out
}

// TestFixturesAreCanonical checks that the fixture resources are what
// schema.Normalize makes of them, apart from the attributes the server
// keeps: id, meta, and the read-only groups and members.display.
func TestFixturesAreCanonical(t *testing.T) {
	fx := loadFixture(t)
	for typ, docs := range fx.docs {
		rt := fx.types[typ]
		for _, doc := range docs {
			t.Run(typ+"/"+doc["id"].(string), func(t *testing.T) {
				in := writable(doc)
				got, err := rt.Normalize(in)
				if err != nil {
					t.Fatalf("Normalize: %v", err)
				}
				if diff := cmp.Diff(got, in); diff != "" {
					t.Errorf("Normalize changes the fixture (-got +fixture):\n%s", diff)
				}
			})
		}
	}
}

// writable returns a copy of doc without the attributes the server sets.
func writable(doc map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		switch k {
		case "id", "meta", "groups":
		case "members":
			var members []any
			for _, m := range v.([]any) {
				m := maps.Clone(m.(map[string]any))
				delete(m, "display")
				members = append(members, m)
			}
			out[k] = members
		default:
			out[k] = v
		}
	}
	return out
}

func TestMatchUnbound(t *testing.T) {
	e, err := filter.Parse(`userName eq "bjensen"`)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("Match on an unbound filter didn't panic")
		}
	}()
	filter.Match(e, map[string]any{"userName": "bjensen"})
}

// TestMatchTypeMismatch checks that stored values of the wrong type, which
// Normalize never produces, match nothing rather than panic.
func TestMatchTypeMismatch(t *testing.T) {
	fx := loadFixture(t)
	doc := map[string]any{
		"userName":                json.Number("1"),
		"active":                  "true",
		"emails":                  []any{"x@example.com", map[string]any{"value": true}},
		"name":                    "Barbara",
		"meta":                    []any{map[string]any{"created": 5}},
		scim.EnterpriseUserSchema: "not an object",
	}
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{`userName eq "1"`, false},
		{`userName gt "0"`, false},
		{`userName pr`, true}, // a value, if not a string
		{`active eq true`, false},
		{`emails[value pr]`, true},
		{`emails.value co "x"`, false},
		{`name.givenName pr`, false},
		{`meta.created lt "2030-01-01T00:00:00Z"`, false},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr`, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			e := parseAndBind(t, tt.in, fx.types["User"])
			if got := filter.Match(e, doc); got != tt.want {
				t.Errorf("Match(%s) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
