package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// seed creates users u00…u(n-1) with the given family names (cycled) and
// returns their ids in creation order.
func (h *harness) seed(n int, families ...string) []string {
	h.t.Helper()
	var ids []string
	for i := range n {
		ids = append(ids, h.createUser(fmt.Sprintf(`{"userName":"u%02d","name":{"familyName":%q},"emails":[{"value":"u%02d@example.com","type":"work"}]}`,
			i, families[i%len(families)], i)))
	}
	return ids
}

func userNames(r *response) []string {
	var out []string
	list, _ := r.body["Resources"].([]any)
	for _, x := range list {
		out = append(out, fmt.Sprint(x.(map[string]any)["userName"]))
	}
	return out
}

func TestFilterAndSort(t *testing.T) {
	h := newHarness(t)
	h.createUser(kim)
	h.seed(4, "Zed", "alpha", "Beta")
	cases := []struct {
		query string
		want  []string
	}{
		{"filter=userName+Eq+kim", []string{"kim"}}, // the WSO2 guide, verbatim
		{"filter=" + url.QueryEscape(`userName eq "KIM"`), []string{"kim"}},
		{"filter=" + url.QueryEscape(`emails[type eq work and value co "@example.com"]`), []string{"u00", "u01", "u02", "u03"}},
		{"filter=" + url.QueryEscape(`name.familyName sw "b" or userName eq "admin"`), []string{"admin", "u02"}},
		{"filter=" + url.QueryEscape(`not (userName sw "u")`), []string{"admin", "kim"}},
		{"sortBy=name.familyName", []string{"u01", "u02", "kim", "u00", "u03", "admin"}},
		{"sortBy=name.familyName&sortOrder=descending", []string{"admin", "u03", "u00", "kim", "u02", "u01"}},
		{"sortBy=userName&sortOrder=DESCENDING&count=2", []string{"u03", "u02"}},
		{"sortBy=userName&startIndex=2&count=2", []string{"kim", "u00"}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := h.must(http.StatusOK, req{path: "/scim2/Users?" + c.query})
			if got := userNames(r); !slices.Equal(got, c.want) {
				t.Errorf("userNames = %v, want %v", got, c.want)
			}
		})
	}
	bad := []struct {
		query, scimType, fragment string
	}{
		{"filter=" + url.QueryEscape(`shoeSize eq 42`), "invalidFilter", "shoeSize"},
		{"filter=" + url.QueryEscape(`password eq "kimwso2"`), "invalidFilter", "password"},
		{"filter=" + url.QueryEscape(`userName eq`), "invalidFilter", "position"},
		{"filter=" + url.QueryEscape(strings.Repeat("(", 1000)+`userName pr`+strings.Repeat(")", 1000)), "invalidFilter", ""},
		{"filter=" + url.QueryEscape(`userName eq "`+strings.Repeat("x", 100<<10)+`"`), "invalidFilter", ""},
		{"sortBy=shoeSize", "invalidValue", "shoeSize"},
		{"sortBy=password", "invalidValue", "password"},
		{"sortBy=userName&sortOrder=up", "invalidValue", "sortOrder"},
		{"filter=a&filter=b", "invalidValue", "once"},
		{"startIndex=2&cursor=", "invalidValue", "cursor"},
	}
	for _, c := range bad {
		t.Run("bad "+c.query[:min(len(c.query), 40)], func(t *testing.T) {
			h.do(req{path: "/scim2/Users?" + c.query}).scimError(t, 400, c.scimType, c.fragment)
		})
	}
}

func TestSearchEndpoints(t *testing.T) {
	h := newHarness(t)
	h.seed(3, "a")
	g := h.createGroup(`{"displayName":"engineer"}`)
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Users/.search",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"u\"","sortBy":"userName","sortOrder":"descending","startIndex":1,"count":2,"attributes":["userName"]}`})
	if got := userNames(r); !slices.Equal(got, []string{"u02", "u01"}) || r.path("totalResults") != "3" && fmt.Sprint(r.path("totalResults")) != "3" {
		t.Errorf("POST /Users/.search = %s", r.raw)
	}
	if strings.Contains(string(r.raw), `"emails"`) {
		t.Errorf("attributes [userName] returned emails: %s", r.raw)
	}
	r = h.must(http.StatusOK, req{method: "POST", path: "/scim2/.search",
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"meta.resourceType eq \"Group\" and displayName eq \"engineer\" or userName eq \"u01\"","sortBy":"meta.created"}`})
	list := r.body["Resources"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["userName"] != "u01" || list[1].(map[string]any)["id"] != g {
		t.Errorf("POST /.search across types = %s", r.raw)
	}
	h.do(req{method: "POST", path: "/scim2/Users/.search", body: `{"filter":"userName pr","count":"ten"}`}).scimError(t, 400, "invalidSyntax", "count")
	h.do(req{method: "POST", path: "/scim2/Users/.search", body: `{"filtre":"userName pr"}`}).scimError(t, 400, "invalidSyntax", "filtre")
	h.do(req{method: "POST", path: "/scim2/Users/.search", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`}).scimError(t, 400, "invalidSyntax", "SearchRequest")
	// .search needs the list scope, not create.
	lee := h.createUser(`{"userName":"lee","password":"pw"}`)
	h.createGroup(`{"displayName":"creators","members":[{"value":"` + lee + `"}],"urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["internal_user_mgt_create"]}}`)
	h.do(req{method: "POST", path: "/scim2/Users/.search", body: `{}`, user: "lee", password: "pw"}).scimError(t, 403, "", "internal_user_mgt_list")
	h.do(req{method: "POST", path: "/scim2/.search", body: `{}`, user: "lee", password: "pw"}).scimError(t, 403, "")
}

// walk follows nextCursor from an empty cursor and returns the userNames.
func (h *harness) walk(t *testing.T, query string, count int, between func(page int)) []string {
	t.Helper()
	var names []string
	cursor := ""
	for page := 0; ; page++ {
		r := h.must(http.StatusOK, req{path: fmt.Sprintf("/scim2/Users?%scursor=%s&count=%d", query, url.QueryEscape(cursor), count)})
		if r.body["startIndex"] != nil {
			t.Errorf("a cursor page has a startIndex: %s", r.raw)
		}
		names = append(names, userNames(r)...)
		next, ok := r.body["nextCursor"].(string)
		if !ok {
			return names
		}
		if page > 1000 {
			t.Fatal("the walk does not end")
		}
		if between != nil {
			between(page)
		}
		cursor = next
	}
}

func TestCursorPagination(t *testing.T) {
	h := newHarness(t)
	h.seed(25, "b", "a", "c")
	all := h.walk(t, "", 7, nil)
	if len(all) != 26 {
		t.Fatalf("walk found %d users, want 26: %v", len(all), all)
	}
	sorted := h.walk(t, "sortBy=name.familyName&sortOrder=descending&filter=userName+sw+u&", 4, nil)
	want := slices.Clone(all[1:])
	slices.SortStableFunc(want, func(a, b string) int { return 0 })
	if len(sorted) != 25 {
		t.Errorf("sorted, filtered walk found %d, want 25", len(sorted))
	}
	first := h.must(http.StatusOK, req{path: "/scim2/Users?cursor&count=5"})
	if fmt.Sprint(first.body["totalResults"]) != "26" || first.body["previousCursor"] != nil {
		t.Errorf("first cursor page: %s", first.raw)
	}
	second := h.must(http.StatusOK, req{path: "/scim2/Users?count=5&cursor=" + url.QueryEscape(first.str("nextCursor"))})
	back := h.must(http.StatusOK, req{path: "/scim2/Users?count=5&cursor=" + url.QueryEscape(second.str("previousCursor"))})
	if !slices.Equal(userNames(back), userNames(first)) || fmt.Sprint(second.body["totalResults"]) != "26" {
		t.Errorf("previousCursor of page 2 gave %v, want page 1 %v", userNames(back), userNames(first))
	}
	next := first.str("nextCursor")
	tampered := []byte(next)
	tampered[3] ^= 1
	for name, q := range map[string]string{
		"garbage":        "/scim2/Users?count=5&cursor=abc",
		"tampered":       "/scim2/Users?count=5&cursor=" + url.QueryEscape(string(tampered)),
		"another filter": "/scim2/Users?count=5&filter=userName+pr&cursor=" + url.QueryEscape(next),
		"another sort":   "/scim2/Users?count=5&sortBy=userName&cursor=" + url.QueryEscape(next),
	} {
		t.Run(name, func(t *testing.T) { h.do(req{path: q}).scimError(t, 400, "invalidCursor") })
	}
	h.must(http.StatusOK, req{method: "POST", path: "/scim2/Users/.search", body: fmt.Sprintf(`{"cursor":%q,"count":5}`, next)})
}

func TestCursorExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	h := newHarnessWith(t, func() time.Time { return time.Unix(0, now.Load()) })
	h.seed(3, "a")
	next := h.must(http.StatusOK, req{path: "/scim2/Users?cursor=&count=1"}).str("nextCursor")
	now.Add(int64(2 * time.Hour))
	h.do(req{path: "/scim2/Users?count=1&cursor=" + url.QueryEscape(next)}).scimError(t, 400, "expiredCursor")
}

// TestCursorWalkUnderChanges walks all users while others are created and
// deleted: every user that exists throughout is seen exactly once.
func TestCursorWalkUnderChanges(t *testing.T) {
	for _, query := range []string{"", "sortBy=name.familyName&", "sortBy=userName&sortOrder=descending&"} {
		t.Run(query, func(t *testing.T) {
			h := newHarness(t)
			stable := h.seed(40, "m", "c", "x", "a")
			var (
				mu      sync.Mutex
				churn   []string
				created int
			)
			names := h.walk(t, query, 6, func(page int) {
				mu.Lock()
				defer mu.Unlock()
				// one new user at each end of the order, and one deleted
				for _, fam := range []string{"0", "zzz"} {
					created++
					churn = append(churn, h.createUser(fmt.Sprintf(`{"userName":"new%d","name":{"familyName":%q}}`, created, fam)))
				}
				if len(churn) > 2 {
					h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Users/" + churn[0]})
					churn = churn[1:]
				}
			})
			seen := map[string]int{}
			for _, n := range names {
				seen[n]++
			}
			for i := range stable {
				if n := fmt.Sprintf("u%02d", i); seen[n] != 1 {
					t.Errorf("%s seen %d times", n, seen[n])
				}
			}
			if seen["admin"] != 1 {
				t.Errorf("admin seen %d times", seen["admin"])
			}
		})
	}
}
