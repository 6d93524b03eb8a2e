package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/scimd/scimd/internal/store"
)

// etags is a parsed If-Match or If-None-Match header (RFC 9110 §13.1):
// "*" or a list of entity tags. Tags are compared weakly: W/"3" and "3"
// both name version 3; a tag that is not one of ours matches nothing.
type etags struct {
	set      bool
	any      bool
	versions []int64
}

func parseETags(h string) etags {
	h = strings.TrimSpace(h)
	if h == "" {
		return etags{}
	}
	e := etags{set: true}
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			e.any = true
			continue
		}
		t = strings.TrimPrefix(t, "W/")
		if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
			continue
		}
		if v, err := strconv.ParseInt(t[1:len(t)-1], 10, 64); err == nil {
			e.versions = append(e.versions, v)
		}
	}
	return e
}

func (e etags) match(version int64) bool {
	if e.any {
		return true
	}
	for _, v := range e.versions {
		if v == version {
			return true
		}
	}
	return false
}

// ifMatch returns the precondition of a request's If-Match header for a
// write, checked by the store inside the write's transaction (412 when it
// fails), or nil when there is none.
func ifMatch(r *http.Request) func(version int64) error {
	e := parseETags(r.Header.Get("If-Match"))
	if !e.set {
		return nil
	}
	return func(version int64) error {
		if !e.match(version) {
			return store.ErrVersionMismatch
		}
		return nil
	}
}
