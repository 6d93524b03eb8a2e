package filter_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
)

// TestLimits checks that hostile input is rejected, quickly and with a
// 400, and that input just within the limits is accepted.
func TestLimits(t *testing.T) {
	nest := func(open, close string, n int, inner string) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	// A chain of "a pr and a pr ..." of exactly n bytes.
	chain := func(n int) string {
		s := strings.Repeat("a pr and ", n/9) + "a pr"
		for len(s) > n {
			s = strings.TrimPrefix(s, "a pr and ")
		}
		return s + strings.Repeat(" ", n-len(s))
	}
	tests := []struct {
		name   string
		in     string
		pos    int    // 0 when the error names no position
		detail string // empty when the filter is valid
	}{
		{"depth 50 parentheses", nest("(", ")", 50, "a pr"), 0, ""},
		{"depth 51 parentheses", nest("(", ")", 51, "a pr"), 51, `more than 50 nested parentheses, brackets and "not"`},
		{"1000 parentheses", nest("(", ")", 1000, "a pr"), 51, "more than 50 nested"},
		{"1000 open parentheses", strings.Repeat("(", 1000), 51, "more than 50 nested"},
		{"depth 50 not", nest("not (", ")", 50, "a pr"), 0, ""},
		{"depth 51 not", nest("not (", ")", 51, "a pr"), 5*50 + 5, "more than 50 nested"},
		{"1000 not", nest("not (", ")", 1000, "a pr"), 5*50 + 5, "more than 50 nested"},
		{"depth 50 with brackets", "e[" + nest("(", ")", 49, "a pr") + "]", 0, ""},
		{"depth 51 with brackets", "e[" + nest("(", ")", 50, "a pr") + "]", 52, "more than 50 nested"},
		{"brackets in deep groups", nest("(", ")", 50, "e[a pr]"), 52, "more than 50 nested"},
		{"sequential groups", strings.Repeat("(a pr) and ", 1000) + "(a pr)", 0, ""},
		{"32 KiB", chain(filter.MaxLength), 0, ""},
		{"32 KiB and one byte", chain(filter.MaxLength + 1), 0, "it is 32769 bytes long; at most 32768 are accepted"},
		{"100 KB", chain(100_000), 0, "it is 100000 bytes long"},
		{"100 KB of parentheses", strings.Repeat("(", 100_000), 0, "it is 100000 bytes long"},
		{"long string value", `a eq "` + strings.Repeat("x", filter.MaxLength-8) + `"`, 0, ""},
		{"long escaped string value", `a eq "` + strings.Repeat(`\"`, filter.MaxLength/2-4) + `"`, 0, ""},
		{"unclosed long string", `a eq "` + strings.Repeat("x", filter.MaxLength-6), 6, "no closing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			e, err := filter.Parse(tt.in)
			if d := time.Since(start); d > time.Second {
				t.Errorf("Parse took %v", d)
			}
			switch {
			case tt.detail == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tt.detail == "":
				if again, err := filter.Parse(e.String()); err != nil || again.String() != e.String() {
					t.Errorf("the canonical form doesn't parse back to itself: %v", err)
				}
			case err == nil:
				t.Fatalf("Parse = %.80s..., want an error", e)
			case tt.pos == 0:
				checkError(t, err, scim.InvalidFilter, "invalid filter: ", tt.detail)
			default:
				checkError(t, err, scim.InvalidFilter, "invalid filter at position "+strconv.Itoa(tt.pos)+": ", tt.detail)
			}
		})
	}
}

// TestPathLimits checks that ParsePath enforces the limits of Parse.
func TestPathLimits(t *testing.T) {
	deep := "emails[" + strings.Repeat("(", 50) + "type pr" + strings.Repeat(")", 50) + "]"
	_, err := filter.ParsePath(deep)
	checkError(t, err, scim.InvalidFilter, "invalid filter in path at position 57: ", "more than 50 nested")

	long := "emails[" + strings.Repeat("type pr or ", filter.MaxLength/11) + "type pr]"
	_, err = filter.ParsePath(long)
	checkError(t, err, scim.InvalidPath, "invalid path: ", "bytes long; at most 32768 are accepted")
}
