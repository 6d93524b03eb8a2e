package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimd/scimd/internal/scimdtest"
)

// TestScenarios runs every scenario and task briefly against a real scimd:
// each must do its requests without an error and report them.
func TestScenarios(t *testing.T) {
	srv := scimdtest.Start(t, scimdtest.Options{})
	common := []string{"-url", srv.URL, "-user", scimdtest.AdminUser, "-password", scimdtest.AdminPassword,
		"-c", "4", "-seed", "40", "-warmup", "50ms", "-d", "150ms"}
	measured := regexp.MustCompile(`(?m)^([\w-]+(?: median)?) +c=4 +\d+ req/s +requests=[1-9]\d* errors=0 `)
	cases := []struct {
		args []string
		want *regexp.Regexp // nil: a measured run
	}{
		{args: []string{"-scenario", "seed-bulk", "-bulk-size", "15"}, want: regexp.MustCompile(`seeded 40 users in`)},
		{args: []string{"-scenario", "get-path"}},
		{args: []string{"-scenario", "get-user", "-runs", "3"}},
		{args: []string{"-scenario", "filter-eq"}},
		{args: []string{"-scenario", "filter-co"}},
		{args: []string{"-scenario", "sorted-page"}},
		{args: []string{"-scenario", "create-user"}},
		{args: []string{"-scenario", "patch-user"}},
		{args: []string{"-scenario", "add-member", "-group-size", "25"}},
		{args: []string{"-scenario", "bulk-import", "-bulk-size", "5", "-d", "500ms"}},
		{args: []string{"-scenario", "login-burst", "-burst", "50"}},
		{args: []string{"-scenario", "cursor-walk"}, want: regexp.MustCompile(`cursor walk: \d+ users in \d+ pages`)},
	}
	for _, c := range cases {
		t.Run(c.args[1], func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), append(common, c.args...), &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if c.want != nil {
				if !c.want.MatchString(out.String()) {
					t.Errorf("output %q does not match %s", out.String(), c.want)
				}
				return
			}
			runs := measured.FindAllStringSubmatch(out.String(), -1)
			if len(runs) == 0 {
				t.Fatalf("no measured run without errors in:\n%s", out.String())
			}
			if strings.Contains(strings.Join(c.args, " "), "-runs 3") {
				if len(runs) != 4 || runs[3][1] != "get-user median" {
					t.Errorf("3 runs should print 3 results and their median:\n%s", out.String())
				}
			}
		})
	}
}

// TestSeveralURLs checks that requests go to each of several base URLs.
func TestSeveralURLs(t *testing.T) {
	var hits [2]atomic.Int64
	var urls []string
	for i := range hits {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits[i].Add(1)
		}))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL+"/scim2")
	}
	args := []string{"-url", strings.Join(urls, ","), "-scenario", "get-path", "-c", "2", "-warmup", "0s", "-d", "100ms"}
	var out bytes.Buffer
	if err := run(context.Background(), args, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if hits[0].Load() == 0 || hits[1].Load() == 0 {
		t.Errorf("requests per URL: %d and %d, want both > 0", hits[0].Load(), hits[1].Load())
	}
}

func TestMedian(t *testing.T) {
	runs := []result{{PerSecond: 300, P99: 9}, {PerSecond: 100, P99: 7}, {PerSecond: 200, P99: 8}}
	if m := median(runs); m.PerSecond != 200 || m.P99 != 8 {
		t.Errorf("median = %+v, want 200 req/s and p99 8", m)
	}
}
