package client

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says which failed requests a Client sends again and how long
// it waits in between. A request is retried when the service provider
// answers 429 Too Many Requests or 503 Service Unavailable, or when the
// transport fails, and only when it is idempotent: GET, HEAD, PUT, DELETE
// and POST to a ".search" endpoint; POST and PATCH too with NonIdempotent.
//
// The wait is the response's Retry-After (seconds or an HTTP date,
// RFC 9110 §10.2.3) when present, and otherwise exponential backoff with
// full jitter: a random duration up to BaseDelay·2ⁿ for the n-th retry,
// capped at MaxDelay. When Retry-After asks for longer than MaxDelay, the
// response is returned rather than waited for. The wait ends early, with
// the context's error, when the request's context is done.
//
// The zero value is the default: 4 attempts, 250ms base delay, 30s cap.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, the first included; 1 disables retries
	BaseDelay   time.Duration // backoff of the first retry, before jitter
	MaxDelay    time.Duration // cap on any wait, Retry-After included

	// NonIdempotent also retries POST and PATCH. A request that failed in
	// the transport may have been applied already, so a retried POST can
	// create a resource twice; set it only when that is acceptable or
	// detected (for example by a uniqueness error on userName).
	NonIdempotent bool
}

const (
	defaultMaxAttempts = 4
	defaultBaseDelay   = 250 * time.Millisecond
	defaultMaxDelay    = 30 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = defaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = defaultMaxDelay
	}
	return p
}

// allows reports whether req may be sent more than once.
func (p RetryPolicy) allows(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	case http.MethodPost:
		return p.NonIdempotent || strings.HasSuffix(req.URL.Path, "/.search")
	default:
		return p.NonIdempotent
	}
}

// backoff returns the full-jitter wait before retry n (0 for the first).
func (p RetryPolicy) backoff(n int) time.Duration {
	ceiling := p.MaxDelay
	if n < 32 && p.BaseDelay<<n > 0 && p.BaseDelay<<n < ceiling {
		ceiling = p.BaseDelay << n
	}
	return rand.N(ceiling) + 1
}

// wait decides whether attempt n (0 for the first), which ended with resp
// or err, is retried, and after how long. now is the clock for Retry-After
// dates.
func (p RetryPolicy) wait(n int, resp *http.Response, err error, now time.Time) (time.Duration, bool) {
	if err != nil {
		return p.backoff(n), isTransient(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
	default:
		return 0, false
	}
	d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if !ok {
		return p.backoff(n), true
	}
	return d, d <= p.MaxDelay
}

// isTransient reports whether a transport error may go away on its own:
// not a cancelled or expired context, and not an untrusted certificate.
func isTransient(err error) bool {
	var cert *tls.CertificateVerificationError
	return !errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded) &&
		!errors.As(err, &cert)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). A date in the past is a wait of zero.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// send sends req and retries it as c.Retry allows. Each attempt gets a
// fresh copy of the body from req.GetBody.
func (c *Client) send(ctx context.Context, req *http.Request) (*http.Response, error) {
	policy := c.Retry.withDefaults()
	retryable := policy.allows(req)
	for n := 0; ; n++ {
		resp, err := c.attempt(ctx, req)
		if !retryable || n+1 >= policy.MaxAttempts || ctx.Err() != nil {
			return resp, err
		}
		d, retry := policy.wait(n, resp, err, c.now())
		if !retry {
			return resp, err
		}
		if resp != nil {
			drain(resp)
		}
		if err := c.sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

// attempt sends one copy of req with ctx. The copy is shallow: it shares
// req's headers, which nothing changes, and gets a fresh body.
func (c *Client) attempt(ctx context.Context, req *http.Request) (*http.Response, error) {
	r := req.WithContext(ctx)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	resp, err := c.httpClient.Do(r)
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = redact(r.URL)
	}
	return resp, err
}

// drain reads what is left of a response body, up to a limit, so that the
// connection can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
