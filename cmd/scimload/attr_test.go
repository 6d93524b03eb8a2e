package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/scimdtest"
)

// TestFilterOnExtensionAttribute seeds users whose extension attribute
// holds their name and runs filter-eq on it: the comparison of a filter on
// a custom attribute with the same filter on userName.
func TestFilterOnExtensionAttribute(t *testing.T) {
	srv := scimdtest.Start(t, scimdtest.Options{})
	attr := "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
	common := []string{"-url", srv.URL, "-user", scimdtest.AdminUser, "-password", scimdtest.AdminPassword,
		"-c", "2", "-seed", "20", "-warmup", "20ms", "-d", "100ms", "-attr", attr}
	var out bytes.Buffer
	if err := run(context.Background(), append(common, "-scenario", "seed-bulk", "-bulk-size", "10"), &out); err != nil {
		t.Fatalf("seed-bulk: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), append(common, "-scenario", "filter-eq"), &out); err != nil || !strings.Contains(out.String(), "errors=0") {
		t.Fatalf("filter-eq on %s: %v\n%s", attr, err, out.String())
	}
	if err := run(context.Background(), []string{"-attr", "employeeNumber"}, &out); err == nil {
		t.Errorf("-attr without a URN was accepted")
	}
}
