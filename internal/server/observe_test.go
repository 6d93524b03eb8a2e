package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
