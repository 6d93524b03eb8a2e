package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimd/scimd/internal/scimdtest"
	"github.com/scimd/scimd/scim"
)

// step is one scripted answer of a flaky service provider.
type step struct {
	status     int    // 0 drops the connection
	retryAfter string // Retry-After header
}

func TestRetry(t *testing.T) {
	date := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		method     string
		path       string
		policy     RetryPolicy
		steps      []step
		wantCalls  int
		wantSleeps []time.Duration // nil: don't check; jittered waits are checked against wantMax
		wantMax    time.Duration
		wantStatus int // 0: success
	}{
		{
			name: "429 with Retry-After seconds", method: http.MethodGet, path: "Users/1",
			steps:     []step{{status: 429, retryAfter: "2"}, {status: 200}},
			wantCalls: 2, wantSleeps: []time.Duration{2 * time.Second},
		},
		{
			name: "503 with Retry-After date", method: http.MethodPut, path: "Users/1",
			steps:     []step{{status: 503, retryAfter: date.Add(3 * time.Second).Format(http.TimeFormat)}, {status: 200}},
			wantCalls: 2, wantSleeps: []time.Duration{3 * time.Second},
		},
		{
			name: "503 without Retry-After backs off with jitter", method: http.MethodDelete, path: "Users/1",
			policy:    RetryPolicy{BaseDelay: 100 * time.Millisecond},
			steps:     []step{{status: 503}, {status: 503}, {status: 503}, {status: 204}},
			wantCalls: 4, wantMax: 400 * time.Millisecond,
		},
		{
			name: "transport error", method: http.MethodGet, path: "Users/1",
			steps:     []step{{status: 0}, {status: 200}},
			wantCalls: 2,
		},
		{
			name: "gives up after MaxAttempts", method: http.MethodGet, path: "Users/1",
			policy:    RetryPolicy{MaxAttempts: 3},
			steps:     []step{{status: 503}, {status: 503}, {status: 503}, {status: 200}},
			wantCalls: 3, wantStatus: 503,
		},
		{
			name: "Retry-After beyond MaxDelay is not waited for", method: http.MethodGet, path: "Users/1",
			policy:    RetryPolicy{MaxDelay: time.Minute},
			steps:     []step{{status: 429, retryAfter: "3600"}, {status: 200}},
			wantCalls: 1, wantStatus: 429,
		},
		{
			name: "500 is not retried", method: http.MethodGet, path: "Users/1",
			steps:     []step{{status: 500}, {status: 200}},
			wantCalls: 1, wantStatus: 500,
		},
		{
			name: "POST is not retried", method: http.MethodPost, path: "Users",
			steps:     []step{{status: 503}, {status: 201}},
			wantCalls: 1, wantStatus: 503,
		},
		{
			name: "PATCH is not retried", method: http.MethodPatch, path: "Users/1",
			steps:     []step{{status: 0}, {status: 200}},
			wantCalls: 1, wantStatus: -1,
		},
		{
			name: "POST .search is retried", method: http.MethodPost, path: "Users/.search",
			steps:     []step{{status: 429, retryAfter: "1"}, {status: 200}},
			wantCalls: 2, wantSleeps: []time.Duration{time.Second},
		},
		{
			name: "POST with NonIdempotent", method: http.MethodPost, path: "Users",
			policy:    RetryPolicy{NonIdempotent: true},
			steps:     []step{{status: 503}, {status: 201}},
			wantCalls: 2,
		},
		{
			name: "disabled", method: http.MethodGet, path: "Users/1",
			policy:    RetryPolicy{MaxAttempts: 1},
			steps:     []step{{status: 503}, {status: 200}},
			wantCalls: 1, wantStatus: 503,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex // the race detector cannot see a dropped connection
			calls := 0
			var bodies []string
			c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				s := tt.steps[calls]
				calls++
				bodies = append(bodies, string(b))
				mu.Unlock()
				answer(t, w, s)
			})
			c.Retry = tt.policy
			c.now = func() time.Time { return date }
			var sleeps []time.Duration
			c.sleep = func(_ context.Context, d time.Duration) error {
				sleeps = append(sleeps, d)
				return nil
			}
			var body any
			if tt.method == http.MethodPost || tt.method == http.MethodPut || tt.method == http.MethodPatch {
				body = map[string]string{"userName": "kim"}
			}
			req, err := c.NewRequest(tt.method, tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do(context.Background(), req, nil)
			checkStatus(t, err, tt.wantStatus)
			mu.Lock()
			defer mu.Unlock()
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			if tt.wantSleeps != nil && !cmp.Equal(sleeps, tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", sleeps, tt.wantSleeps)
			}
			for i, d := range sleeps {
				if tt.wantMax > 0 && (d <= 0 || d > tt.wantMax>>(len(sleeps)-1-i)) {
					t.Errorf("sleep %d = %v, want in (0, %v]", i, d, tt.wantMax>>(len(sleeps)-1-i))
				}
			}
			for i, b := range bodies {
				if b != bodies[0] {
					t.Errorf("attempt %d sent body %q, attempt 0 sent %q", i, b, bodies[0])
				}
			}
		})
	}
}

// answer plays step s: a status, or a dropped connection.
func answer(t *testing.T, w http.ResponseWriter, s step) {
	if s.status == 0 {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Fatalf("Hijack: %v", err)
		}
		conn.Close()
		return
	}
	if s.retryAfter != "" {
		w.Header().Set("Retry-After", s.retryAfter)
	}
	if s.status >= 400 {
		writeJSON(w, s.status, &scim.Error{Status: s.status, Detail: "busy"})
		return
	}
	w.WriteHeader(s.status)
}

// checkStatus checks err against want: 0 for success, -1 for a transport
// error, else the SCIM error status.
func checkStatus(t *testing.T, err error, want int) {
	t.Helper()
	switch want {
	case 0:
		if err != nil {
			t.Errorf("err = %v, want success", err)
		}
	case -1:
		var se *scim.Error
		if err == nil || errors.As(err, &se) {
			t.Errorf("err = %v, want a transport error", err)
		}
	default:
		if !errors.Is(err, &scim.Error{Status: want}) {
			t.Errorf("err = %v, want status %d", err, want)
		}
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	c := setupHandler(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c.sleep = sleepContext
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := c.Users.Get(ctx, "1", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Get took %v despite the context's deadline", d)
	}
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{}.withDefaults()
	for n := range 70 {
		ceiling := min(p.MaxDelay, p.BaseDelay<<min(n, 30))
		for range 20 {
			if d := p.backoff(n); d <= 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want in (0, %v]", n, d, ceiling)
			}
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Tue, 01 Jan 2030 00:01:00 GMT", time.Minute, true},
		{"Monday, 31-Dec-29 23:59:00 GMT", 0, true}, // RFC 850, in the past
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"120", "0", now.Format(http.TimeFormat), "Sun Nov  6 08:49:37 1994", "-5", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, a negative wait", v, d)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, false; want 0 when not ok", v, d)
		}
		if n, err := strconv.ParseUint(v, 10, 32); err == nil && (!ok || d != time.Duration(n)*time.Second) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v; want %ds", v, d, ok, n)
		}
	})
}

// TestRetryAfterFromScimd reads a real 429: scimd throttles an account
// after 10 failed logins and says for how long in Retry-After.
func TestRetryAfterFromScimd(t *testing.T) {
	srv := scimdtest.Start(t, scimdtest.Options{})
	c := newClient(t, srv.URL, (&BasicAuthTransport{Username: scimdtest.AdminUser, Password: "wrong"}).Client())
	ctx := context.Background()
	for range 10 {
		if _, _, err := c.Users.Get(ctx, "1", nil); !errors.Is(err, &scim.Error{Status: http.StatusUnauthorized}) {
			t.Fatalf("Get with a wrong password = %v, want 401", err)
		}
	}
	var sleeps []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		sleeps = append(sleeps, d)
		return nil
	}
	// By default the wait, minutes, is beyond MaxDelay: the 429 is returned.
	if _, _, err := c.Users.Get(ctx, "1", nil); !errors.Is(err, &scim.Error{Status: http.StatusTooManyRequests}) || len(sleeps) != 0 {
		t.Fatalf("Get = %v after %v, want 429 at once", err, sleeps)
	}
	c.Retry = RetryPolicy{MaxAttempts: 2, MaxDelay: time.Hour}
	if _, _, err := c.Users.Get(ctx, "1", nil); !errors.Is(err, &scim.Error{Status: http.StatusTooManyRequests}) {
		t.Fatalf("Get = %v, want 429", err)
	}
	if len(sleeps) != 1 || sleeps[0] < time.Minute || sleeps[0] > 15*time.Minute {
		t.Errorf("waited %v, want scimd's Retry-After of some minutes", sleeps)
	}
}
