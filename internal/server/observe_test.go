package server

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/store"
)

func TestPanicBecomesSCIMError(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/scim2/Users", nil))
	var body struct{ Status, Detail string }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != 500 || body.Status != "500" {
		t.Errorf("a panicking handler answered %d %s", w.Code, w.Body)
	}
}

// A client that goes away is not a server failure: no error is logged,
// whatever the interrupted work failed with.
func TestClientGoneIsNotAnError(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name    string
		ctx     context.Context
		err     error
		status  int
		logged  string // what the log must hold
		errored bool   // whether it is an error
	}{
		{"cancelled", gone, fmt.Errorf("reading: %w", context.Canceled), statusClientClosed, "client went away", false},
		{"connection closed by the cancellation", gone, fmt.Errorf("query: %w", driver.ErrBadConn), statusClientClosed, "client went away", false},
		{"client error", gone, store.ErrNotFound, http.StatusNotFound, "", false},
		{"failure of the server's own, client gone", gone, errors.New("no such column"), http.StatusInternalServerError, "request failed", true},
		{"cancelled, client still there", context.Background(), fmt.Errorf("reading: %w", context.Canceled), http.StatusServiceUnavailable, "request failed", true},
		{"failure, client still there", context.Background(), driver.ErrBadConn, http.StatusInternalServerError, "request failed", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var logged bytes.Buffer
			s := &Server{log: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			w := httptest.NewRecorder()
			s.writeError(w, httptest.NewRequest("GET", "/scim2/Users", nil).WithContext(c.ctx), c.err)
			if w.Code != c.status || strings.Contains(logged.String(), "ERROR") != c.errored || !strings.Contains(logged.String(), c.logged) {
				t.Errorf("status %d, log %q", w.Code, logged.String())
			}
		})
	}
}
