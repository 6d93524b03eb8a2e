package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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

// A client that goes away is not a server failure: no error is logged.
func TestClientGoneIsNotAnError(t *testing.T) {
	var logged bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("GET", "/scim2/Users", nil).WithContext(ctx), fmt.Errorf("reading: %w", context.Canceled))
	if w.Code != statusClientClosed || strings.Contains(logged.String(), "ERROR") || !strings.Contains(logged.String(), "client went away") {
		t.Errorf("status %d, log %q", w.Code, logged.String())
	}
	// The same error while the client is still there is the server's failure.
	logged.Reset()
	w = httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("GET", "/scim2/Users", nil), fmt.Errorf("reading: %w", context.Canceled))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(logged.String(), "ERROR") {
		t.Errorf("status %d, log %q", w.Code, logged.String())
	}
}
