package scimdtest

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Request is a request as it reached scimd.
type Request struct {
	Method string
	Path   string // escaped, without Prefix, as scimd sees it: "/scim2/Users"
	Query  string // raw
	Header http.Header
	Body   []byte
}

// Recorder records the requests that reach scimd. Use its Wrap as
// Options.Wrap, or around Degraded{}.Wrap.
type Recorder struct {
	mu   sync.Mutex
	reqs []Request
}

// Wrap returns next behind the recording middleware.
func (rec *Recorder) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		rec.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Requests returns the requests recorded so far whose path ends with
// suffix ("" for all).
func (rec *Recorder) Requests(suffix string) []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.DeleteFunc(slices.Clone(rec.reqs), func(r Request) bool { return !strings.HasSuffix(r.Path, suffix) })
}

// Reset forgets the requests recorded so far.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	rec.reqs = nil
	rec.mu.Unlock()
}
