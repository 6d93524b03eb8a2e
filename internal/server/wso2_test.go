package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestWSO2Guide runs the curl examples of the WSO2 guide, verbatim, with
// only the host changed (testdata/wso2-guide.txt says how).
func TestWSO2Guide(t *testing.T) {
	b, err := os.ReadFile("testdata/wso2-guide.txt")
	if err != nil {
		t.Fatal(err)
	}
	var (
		h   *harness
		ids map[string]string
	)
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "== "):
			cfg := serverConfig{SelfRegistration: strings.HasSuffix(line, " self-registration")}
			h, ids = startHarnessAdmin(t, cfg, "admin"), map[string]string{}
		case strings.HasPrefix(line, "setup-tenant "):
			h.bootstrapTenantWith(strings.Fields(line)[1], "admin")
		case strings.HasPrefix(line, "setup-user "):
			f := strings.Fields(line)
			h.userWithScopes(strings.TrimPrefix(f[1], "-"), f[2], f[3], f[4:]...)
		case strings.HasPrefix(line, "ids "):
			for _, pair := range strings.Fields(line)[1:] {
				k, v, _ := strings.Cut(pair, "=")
				ids[k] = v
			}
		case strings.HasPrefix(line, "setup "):
			parts := strings.SplitN(line, " ", 4)
			h.must(http.StatusCreated, req{method: parts[1], path: parts[2], body: parts[3], user: "admin", password: "admin"})
		default:
			status, cmd, _ := strings.Cut(line, " ")
			want, _ := strconv.Atoi(status)
			t.Run(fmt.Sprintf("line %d", n+1), func(t *testing.T) {
				r := h.curl(t, cmd, ids)
				if r.status != want {
					t.Fatalf("%s\nstatus %d, want %d\n%s", cmd, r.status, want, r.raw)
				}
			})
		}
	}
}

// curl runs a curl command line against the harness: --user, --data/-d,
// -X, --header/-H and the URL, whose scheme, host and port are replaced.
// The guide's example ids are replaced by the ids of the resources they
// stand for, looked up by name.
func (h *harness) curl(t *testing.T, cmd string, ids map[string]string) *response {
	t.Helper()
	words, err := shellWords(cmd)
	if err != nil || len(words) == 0 || words[0] != "curl" {
		t.Fatalf("not a curl command: %s (%v)", cmd, err)
	}
	r := req{noAuth: true, header: map[string]string{}}
	for i := 1; i < len(words); i++ {
		switch w := words[i]; w {
		case "-v", "-k":
		case "--user":
			i++
			r.user, r.password, _ = strings.Cut(words[i], ":")
			r.noAuth = false
		case "--data", "-d":
			i++
			r.body = words[i]
			if r.method == "" {
				r.method = http.MethodPost
			}
		case "-X":
			i++
			r.method = words[i]
		case "--header", "-H":
			i++
			k, v, _ := strings.Cut(words[i], ":")
			r.header[strings.TrimSpace(k)] = strings.TrimSpace(v)
		default:
			u, err := url.Parse(w)
			if err != nil || u.Host == "" {
				t.Fatalf("unexpected curl argument %q", w)
			}
			r.path = u.RequestURI()
		}
	}
	for guide, name := range ids {
		if strings.Contains(r.path, guide) || strings.Contains(r.body, guide) {
			id := h.idOf(name)
			r.path = strings.ReplaceAll(r.path, guide, id)
			r.body = strings.ReplaceAll(r.body, guide, id)
		}
	}
	if r.header["Content-Type"] == "" && r.body != "" {
		r.header["Content-Type"] = "application/x-www-form-urlencoded" // what curl --data sends
	}
	return h.do(r)
}

// idOf finds the id of "user:NAME" or "group:NAME".
func (h *harness) idOf(ref string) string {
	h.t.Helper()
	kind, name, _ := strings.Cut(ref, ":")
	path, attr := "/scim2/Users", "userName"
	if kind == "group" {
		path, attr = "/scim2/Groups", "displayName"
	}
	r := h.must(http.StatusOK, req{path: path + "?filter=" + url.QueryEscape(fmt.Sprintf("%s eq %q", attr, name)), user: "admin", password: "admin"})
	id, _ := r.path("Resources.0.id").(string)
	if id == "" {
		h.t.Fatalf("no %s named %s", kind, name)
	}
	return id
}

// shellWords splits a command line as a POSIX shell would, for the quoting
// the guide uses: single quotes, double quotes with backslash escapes.
func shellWords(s string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated double quote")
			}
			in = true
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}
