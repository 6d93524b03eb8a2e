package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/store"
)

// TestClientReplays replays the requests Microsoft Entra ID and Okta send,
// as their documentation shows them, each under the compatibility profiles
// its scenario names (testdata/clients/*.txt describes the format).
func TestClientReplays(t *testing.T) {
	files, err := filepath.Glob("testdata/clients/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no replay files: %v", err)
	}
	for _, file := range files {
		scenarios, err := parseReplay(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range scenarios {
			for _, profile := range sc.profiles {
				t.Run(sc.name+"/"+profile, func(t *testing.T) { sc.run(t, profile) })
			}
		}
	}
}

// replayScenario is a sequence of steps run on a fresh server.
type replayScenario struct {
	name     string
	profiles []string
	steps    []replayStep
}

// replayStep is one directive of a replay file.
type replayStep struct {
	where  string // file:line
	kind   string // "base", "ids", "setup" or "request"
	args   []string
	method string
	path   string
	body   string
	status int
	expect []replayExpect
}

// replayExpect is an "expect" line: the value at path, or its absence.
type replayExpect struct {
	where string
	path  string
	want  string // JSON, "absent" or "present"
}

// parseReplay reads a replay file.
func parseReplay(file string) ([]*replayScenario, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var (
		out  []*replayScenario
		sc   *replayScenario
		req  *replayStep // the request whose body is being read, if any
		body []string
	)
	for n, line := range strings.Split(string(b), "\n") {
		where := fmt.Sprintf("%s:%d", filepath.Base(file), n+1)
		trimmed := strings.TrimSpace(line)
		if req != nil {
			status, ok := strings.CutPrefix(trimmed, "=> ")
			if !ok {
				body = append(body, line)
				continue
			}
			if req.status, err = strconv.Atoi(status); err != nil {
				return nil, fmt.Errorf("%s: bad status %q", where, status)
			}
			req.body = strings.TrimSpace(strings.Join(body, "\n"))
			sc.steps = append(sc.steps, *req)
			req, body = nil, nil
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		word, rest, _ := strings.Cut(trimmed, " ")
		if word == "==" {
			name, profiles, _ := strings.Cut(rest, " profile=")
			sc = &replayScenario{name: name, profiles: strings.Split(profiles, ",")}
			out = append(out, sc)
			continue
		}
		if sc == nil {
			return nil, fmt.Errorf("%s: %q before the first scenario", where, trimmed)
		}
		switch word {
		case "base", "ids":
			sc.steps = append(sc.steps, replayStep{where: where, kind: word, args: strings.Fields(rest)})
		case "setup":
			f := strings.SplitN(rest, " ", 3)
			if len(f) < 2 {
				return nil, fmt.Errorf("%s: setup needs a method and a path", where)
			}
			s := replayStep{where: where, kind: "setup", method: f[0], path: f[1]}
			if len(f) == 3 {
				s.body = f[2]
			}
			sc.steps = append(sc.steps, s)
		case "expect":
			last := len(sc.steps) - 1
			if last < 0 || sc.steps[last].kind != "request" {
				return nil, fmt.Errorf("%s: expect without a request before it", where)
			}
			e := replayExpect{where: where}
			var ok bool
			if e.path, e.want, ok = strings.Cut(rest, " = "); !ok {
				e.path, e.want, ok = strings.Cut(rest, " ")
			}
			if !ok || (e.want != "absent" && e.want != "present" && !json.Valid([]byte(e.want))) {
				return nil, fmt.Errorf("%s: expect PATH = JSON, PATH absent or PATH present", where)
			}
			sc.steps[last].expect = append(sc.steps[last].expect, e)
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			req = &replayStep{where: where, kind: "request", method: word, path: rest}
		default:
			return nil, fmt.Errorf("%s: unknown directive %q", where, word)
		}
	}
	if req != nil {
		return nil, fmt.Errorf("%s: request %s %s has no status", file, req.method, req.path)
	}
	return out, nil
}

// run replays a scenario on a fresh server, with an API token of profile.
func (sc *replayScenario) run(t *testing.T, profile string) {
	h := startHarness(t, serverConfig{})
	h.t = t
	tok, _ := h.addToken(store.DefaultTenant, profile, time.Now().Add(time.Hour), auth.Scopes...)
	var (
		base string
		ids  = map[string]string{} // document id → "kind:name"
		real = map[string]string{} // "kind:name" → id, once looked up
	)
	// subst replaces the document's ids by those of the resources they
	// stand for; a resource is looked up once, as it may be renamed.
	subst := func(s string) string {
		keys := make([]string, 0, len(ids))
		for k := range ids {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
		for _, doc := range keys {
			if !strings.Contains(s, doc) {
				continue
			}
			ref := ids[doc]
			if real[ref] == "" {
				kind, name, _ := strings.Cut(ref, ":")
				if real[ref] = h.idOf2(kind, name); real[ref] == "" {
					t.Fatalf("no %s named %q for %s", kind, name, doc)
				}
			}
			s = strings.ReplaceAll(s, doc, real[ref])
		}
		return s
	}
	for _, s := range sc.steps {
		switch s.kind {
		case "base":
			base = s.args[0]
		case "ids":
			for _, pair := range s.args {
				doc, ref, _ := strings.Cut(pair, "=")
				if name, err := url.PathUnescape(ref); err == nil {
					ref = name
				}
				ids[doc] = ref
			}
		case "setup":
			r := h.do(req{method: s.method, path: "/scim2" + subst(s.path), body: subst(s.body)})
			if r.status >= 300 {
				t.Fatalf("%s: setup %s %s: %d\n%s", s.where, s.method, s.path, r.status, r.raw)
			}
		case "request":
			path := replayPath(strings.TrimPrefix(subst(s.path), base))
			r := h.do(req{method: s.method, path: "/scim2" + path, body: subst(s.body), noAuth: true, header: bearer(tok)})
			if r.status != s.status {
				t.Fatalf("%s: %s %s: status %d, want %d\n%s", s.where, s.method, path, r.status, s.status, r.raw)
			}
			for _, e := range s.expect {
				e.check(t, r, subst)
			}
		}
	}
}

// replayPath encodes the query of a path as a client would send it: the
// documents write some filters unencoded (filter=userName eq "x").
func replayPath(p string) string {
	path, query, ok := strings.Cut(p, "?")
	if !ok {
		return p
	}
	pairs := strings.Split(query, "&")
	for i, pair := range pairs {
		k, v, _ := strings.Cut(pair, "=")
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		pairs[i] = k + "=" + url.QueryEscape(v)
	}
	return path + "?" + strings.Join(pairs, "&")
}

// check tests an expectation against a response.
func (e replayExpect) check(t *testing.T, r *response, subst func(string) string) {
	t.Helper()
	got, found := lookup(r.body, e.path)
	switch {
	case e.want == "absent":
		if found {
			t.Errorf("%s: %s is %v, want it absent\n%s", e.where, e.path, got, r.raw)
		}
	case e.want == "present":
		if !found {
			t.Errorf("%s: %s is absent\n%s", e.where, e.path, r.raw)
		}
	case !found:
		t.Errorf("%s: %s is absent, want %s\n%s", e.where, e.path, e.want, r.raw)
	default:
		var want any
		d := json.NewDecoder(strings.NewReader(subst(e.want)))
		d.UseNumber()
		if err := d.Decode(&want); err != nil {
			t.Fatalf("%s: %v", e.where, err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s: %s = %s, want %s", e.where, e.path, g, w)
		}
	}
}

// lookup finds the value at a dotted path of a JSON document: member
// names, or indexes into arrays. A member name may itself contain dots (an
// extension's schema URN): the longest one present is taken.
func lookup(doc any, path string) (any, bool) {
	segs := strings.Split(path, ".")
	v := doc
	for i := 0; i < len(segs); i++ {
		switch x := v.(type) {
		case map[string]any:
			found := false
			for j := len(segs); j > i; j-- {
				if m, ok := x[strings.Join(segs[i:j], ".")]; ok {
					v, i, found = m, j-1, true
					break
				}
			}
			if !found {
				return nil, false
			}
		case []any:
			n, err := strconv.Atoi(segs[i])
			if err != nil || n < 0 || n >= len(x) {
				return nil, false
			}
			v = x[n]
		default:
			return nil, false
		}
	}
	return v, true
}
