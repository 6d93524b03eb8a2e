package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/scim"
)

// seedUsers creates users user01…userNN.
func seedUsers(t *testing.T, c *Client, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if _, _, err := c.Users.Create(context.Background(), &scim.User{UserName: fmt.Sprintf("user%02d", i)}, nil); err != nil {
			t.Fatalf("Create: %v", err)
		}
	}
}

func userNames(t *testing.T, seq func(func(*scim.User, error) bool)) []string {
	t.Helper()
	var names []string
	for u, err := range seq {
		if err != nil {
			t.Fatalf("walk: %v", err)
		}
		names = append(names, u.UserName)
	}
	return names
}

func wantNames(n int) []string {
	var names []string
	for i := 1; i <= n; i++ {
		names = append(names, fmt.Sprintf("user%02d", i))
	}
	return names
}

// listQueries returns the parsed query of each list request to /Users.
func listQueries(t *testing.T, rec *scimdtest.Recorder) []url.Values {
	t.Helper()
	var qs []url.Values
	for _, r := range rec.Requests("/Users") {
		if r.Method != http.MethodGet {
			continue
		}
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Fatalf("query %q: %v", r.Query, err)
		}
		qs = append(qs, q)
	}
	return qs
}

func TestAllPaginates(t *testing.T) {
	// scimd pages by cursor when asked (RFC 9865); degraded, it has no
	// cursors and the walk pages by index. Both advertise pages of 5.
	tests := []struct {
		name  string
		wrap  func(http.Handler) http.Handler
		check func(t *testing.T, i int, q url.Values)
	}{
		{
			name: "cursor",
			check: func(t *testing.T, i int, q url.Values) {
				if !q.Has("cursor") || (q.Get("cursor") == "") != (i == 0) || q.Has("startIndex") {
					t.Errorf("request %d: query %v, want an empty cursor first and the next cursors after", i, q)
				}
			},
		},
		{
			name: "index",
			wrap: scimdtest.Degraded{}.Wrap,
			check: func(t *testing.T, i int, q url.Values) {
				if got, want := q.Get("startIndex"), fmt.Sprint(1+5*i); got != want || q.Has("cursor") {
					t.Errorf("request %d: query %v, want startIndex=%s and no cursor", i, q, want)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec scimdtest.Recorder
			wrap := rec.Wrap
			if tt.wrap != nil {
				wrap = func(h http.Handler) http.Handler { return rec.Wrap(tt.wrap(h)) }
			}
			c, _ := setup(t, scimdtest.Options{Limits: server.Limits{MaxResults: 5}, Wrap: wrap})
			seedUsers(t, c, 12)
			got := userNames(t, c.Users.All(context.Background(), &ListOptions{Filter: Sw("userName", "user")}))
			if diff := cmp.Diff(wantNames(12), got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			qs := listQueries(t, &rec)
			if len(qs) != 3 {
				t.Fatalf("%d list requests for 12 users in pages of 5, want 3: %v", len(qs), qs)
			}
			for i, q := range qs {
				if q.Get("count") != "5" {
					t.Errorf("request %d: count=%q, want the advertised 5", i, q.Get("count"))
				}
				tt.check(t, i, q)
			}
		})
	}
}

func TestPageSize(t *testing.T) {
	tests := []struct {
		name string
		cfg  *scim.ServiceProviderConfig
		want int
	}{
		{"none served", nil, 0},
		{"maxPageSize", &scim.ServiceProviderConfig{Pagination: &scim.PaginationConfig{DefaultPageSize: 2, MaxPageSize: 5}}, 5},
		{"defaultPageSize", &scim.ServiceProviderConfig{Pagination: &scim.PaginationConfig{DefaultPageSize: 2}}, 2},
		{"no pagination: filter.maxResults", &scim.ServiceProviderConfig{Filter: scim.FilterConfig{Supported: true, MaxResults: 10}}, 10},
		{
			"filter.maxResults smaller",
			&scim.ServiceProviderConfig{Filter: scim.FilterConfig{MaxResults: 10}, Pagination: &scim.PaginationConfig{MaxPageSize: 50}},
			10,
		},
		{"nothing advertised", &scim.ServiceProviderConfig{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pageSize(tt.cfg); got != tt.want {
				t.Errorf("pageSize = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestAllKeepsOptions(t *testing.T) {
	c, _ := setup(t, scimdtest.Options{})
	seedUsers(t, c, 5)
	opts := &ListOptions{Filter: Sw("userName", "user0"), SortBy: "userName", SortOrder: Descending, Count: 2, StartIndex: 2}
	got := userNames(t, c.Users.All(context.Background(), opts))
	if diff := cmp.Diff([]string{"user04", "user03", "user02", "user01"}, got); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if opts.StartIndex != 2 || opts.Cursor != nil {
		t.Errorf("All changed the caller's options: %+v", opts)
	}
}

// pagedHandler serves index pages of a list of n users through page, which
// may distort what a correct service provider would answer.
func pagedHandler(t *testing.T, page func(call, start, count int) scim.ListResponse[scim.Resource]) http.HandlerFunc {
	call := 0
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" {
			writeJSON(w, http.StatusOK, &scim.ServiceProviderConfig{Filter: scim.FilterConfig{MaxResults: 4}})
			return
		}
		call++
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		writeJSON(w, http.StatusOK, page(call, start, count))
	}
}

func usersPage(start, n, total int) scim.ListResponse[scim.Resource] {
	lr := scim.ListResponse[scim.Resource]{Schemas: []string{scim.ListResponseMessage}, TotalResults: total, StartIndex: start}
	for i := start; i < start+n && i <= total; i++ {
		lr.Resources = append(lr.Resources, scim.Resource{"userName": fmt.Sprintf("user%02d", i)})
	}
	lr.ItemsPerPage = len(lr.Resources)
	return lr
}

func TestAllCopesWithDistortedPages(t *testing.T) {
	tests := []struct {
		name    string
		page    func(call, start, count int) scim.ListResponse[scim.Resource]
		want    []string
		wantErr string
	}{
		{
			name: "shorter pages than asked",
			page: func(_, start, _ int) scim.ListResponse[scim.Resource] { return usersPage(start, 3, 10) },
			want: wantNames(10),
		},
		{
			name: "total grows during the walk",
			page: func(call, start, count int) scim.ListResponse[scim.Resource] {
				return usersPage(start, count, min(2+4*call, 10))
			},
			want: wantNames(10),
		},
		{
			name: "total shrinks during the walk",
			page: func(call, start, count int) scim.ListResponse[scim.Resource] {
				return usersPage(start, count, 12-4*call)
			},
			want: wantNames(4),
		},
		{
			name: "startIndex ignored",
			page: func(_, _, count int) scim.ListResponse[scim.Resource] { return usersPage(1, count, 10) },
			want: wantNames(4), wantErr: "asked for startIndex 5, service provider returned 1",
		},
		{
			name: "empty page before total",
			page: func(call, start, count int) scim.ListResponse[scim.Resource] {
				if call > 1 {
					return usersPage(start, 0, 10)
				}
				return usersPage(start, count, 10)
			},
			want: wantNames(4),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := setupHandler(t, pagedHandler(t, tt.page))
			var got []string
			var err error
			for u, e := range c.Resources("Users").All(context.Background(), nil) {
				if e != nil {
					err = e
					break
				}
				name, _ := u.Get("userName")
				got = append(got, name.(string))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("users (-want +got):\n%s", diff)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestAllCursorFallsBackToIndex(t *testing.T) {
	var queries []string
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" {
			writeJSON(w, http.StatusOK, &scim.ServiceProviderConfig{
				Pagination: &scim.PaginationConfig{Cursor: true, MaxPageSize: 3},
			})
			return
		}
		queries = append(queries, r.URL.RawQuery)
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		writeJSON(w, http.StatusOK, usersPage(max(start, 1), 3, 7))
	})
	var n int
	for _, err := range c.Resources("Users").All(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 7 {
		t.Errorf("walked %d users, want 7", n)
	}
	if want := []string{"count=3&cursor=", "count=3&startIndex=4", "count=3&startIndex=7"}; !cmp.Equal(queries, want) {
		t.Errorf("queries = %q, want %q", queries, want)
	}
}

func TestAllRepeatedCursor(t *testing.T) {
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" {
			writeJSON(w, http.StatusOK, &scim.ServiceProviderConfig{Pagination: &scim.PaginationConfig{Cursor: true}})
			return
		}
		lr := usersPage(1, 1, 5)
		lr.NextCursor = "same"
		writeJSON(w, http.StatusOK, lr)
	})
	var err error
	for _, e := range c.Resources("Users").All(context.Background(), nil) {
		err = e
	}
	if err == nil || !strings.Contains(err.Error(), `cursor "same" again`) {
		t.Errorf("err = %v, want a repeated cursor error", err)
	}
}

func TestAllStopsWhenCallerStops(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	seedUsers(t, c, 10)
	n := 0
	for range c.Users.All(context.Background(), &ListOptions{Count: 2}) {
		if n++; n == 3 {
			break
		}
	}
	if got := len(listQueries(t, &rec)); got != 2 {
		t.Errorf("%d list requests after breaking on the 3rd user, want 2", got)
	}
}

func TestAllWithoutServiceProviderConfig(t *testing.T) {
	spc := 0
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ServiceProviderConfig" {
			spc++
			http.NotFound(w, r)
			return
		}
		if q := r.URL.RawQuery; q != "startIndex=1" {
			t.Errorf("query = %q, want startIndex=1 alone", q)
		}
		writeJSON(w, http.StatusOK, usersPage(1, 2, 2))
	})
	for range 2 {
		for _, err := range c.Resources("Users").All(context.Background(), nil) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if spc != 1 {
		t.Errorf("ServiceProviderConfig asked %d times, want once", spc)
	}
}

func TestListQuery(t *testing.T) {
	tests := []struct {
		name string
		opts *ListOptions
		want url.Values
	}{
		{"nil", nil, url.Values{}},
		{
			"everything",
			&ListOptions{
				Filter:     Eq("userName", `a"b`).And(Pr("title")),
				Attributes: []string{"userName", "name.givenName"}, ExcludedAttributes: []string{"groups"},
				SortBy: "name.familyName", SortOrder: Descending, StartIndex: 11, Count: 10,
			},
			url.Values{
				"filter": {`userName eq "a\"b" and title pr`}, "attributes": {"userName,name.givenName"},
				"excludedAttributes": {"groups"}, "sortBy": {"name.familyName"}, "sortOrder": {"descending"},
				"startIndex": {"11"}, "count": {"10"},
			},
		},
		{"first cursor page", &ListOptions{Cursor: new("")}, url.Values{"cursor": {""}}},
		{"raw filter", &ListOptions{Filter: RawFilter(" userName Eq kim ")}, url.Values{"filter": {"userName Eq kim"}}},
	}
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.Reset()
			if _, _, err := c.Users.List(context.Background(), tt.opts); err != nil {
				t.Fatalf("List: %v", err)
			}
			qs := listQueries(t, &rec)
			if len(qs) != 1 {
				t.Fatalf("%d list requests, want 1", len(qs))
			}
			if diff := cmp.Diff(tt.want, qs[0]); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListInvalidFilterSendsNothing(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	_, _, err := c.Users.List(context.Background(), &ListOptions{Filter: Eq(`userName eq "x" or id`, "y")})
	if err == nil || !strings.Contains(err.Error(), "invalid attribute name") {
		t.Errorf("List = %v, want an invalid attribute name error", err)
	}
	if reqs := rec.Requests(""); len(reqs) != 0 {
		t.Errorf("%d requests sent, want none", len(reqs))
	}
}

func TestSearch(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	ctx := context.Background()
	seedUsers(t, c, 2)
	if _, _, err := c.Groups.Create(ctx, &scim.Group{DisplayName: "user01s"}, nil); err != nil {
		t.Fatal(err)
	}
	opts := &ListOptions{Filter: Eq("userName", "user01"), Attributes: []string{"userName"}, StartIndex: 1, Count: 10}
	list, _, err := c.Users.Search(ctx, opts)
	if err != nil || len(list.Resources) != 1 || list.Resources[0].UserName != "user01" {
		t.Fatalf("Search = %+v, %v; want user01", list, err)
	}
	reqs := rec.Requests("/.search")
	if len(reqs) != 1 || reqs[0].Path != "/scim2/Users/.search" || reqs[0].Query != "" {
		t.Fatalf("requests = %+v, want one POST to /scim2/Users/.search", reqs)
	}
	var got map[string]any
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil {
		t.Fatalf("body %s: %v", reqs[0].Body, err)
	}
	want := map[string]any{
		"schemas": []any{scim.SearchRequestMessage}, "filter": `userName eq "user01"`,
		"attributes": []any{"userName"}, "startIndex": 1.0, "count": 10.0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}

	// The root .search finds resources of every type.
	all, _, err := c.Search(ctx, &ListOptions{Filter: Sw("userName", "user01").Or(Sw("displayName", "user01"))})
	if err != nil {
		t.Fatalf("root Search: %v", err)
	}
	var types []string
	for _, r := range all.Resources {
		types = append(types, r.Meta().ResourceType)
	}
	slices.Sort(types)
	if diff := cmp.Diff([]string{"Group", "User"}, types); diff != "" {
		t.Errorf("root Search resource types (-want +got):\n%s", diff)
	}
}

func TestTotal(t *testing.T) {
	var rec scimdtest.Recorder
	c, _ := setup(t, scimdtest.Options{Wrap: rec.Wrap})
	seedUsers(t, c, 7)
	n, err := c.Users.Total(context.Background(), Sw("userName", "user0"))
	if err != nil || n != 7 {
		t.Errorf("Total = %d, %v; want 7", n, err)
	}
	if qs := listQueries(t, &rec); len(qs) != 1 || qs[0].Get("count") != "0" {
		t.Errorf("requests = %v, want one with count=0", qs)
	}
}
