package server

import (
	"net/http"
	"strings"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/scim"
)

// routes registers every endpoint under /scim2 and /t/{tenant}/scim2.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, e endpoint) {
		method, path, _ := strings.Cut(pattern, " ")
		h := s.serve(e)
		mux.Handle(method+" /scim2"+path, h)
		mux.Handle(method+" /t/{tenant}/scim2"+path, h)
	}
	disc := func(h handlerFunc) endpoint { return endpoint{anonymous: true, h: h} }
	handle("GET /ServiceProviderConfig", disc(s.serviceProviderConfig))
	for _, p := range []string{"/ResourceTypes", "/ResourceType"} {
		handle("GET "+p, disc(s.resourceTypes))
		handle("GET "+p+"/{name}", disc(s.resourceType))
	}
	handle("POST /.search", endpoint{h: s.searchRoot})
	handle("POST /Bulk", endpoint{scope: auth.BulkCreate, bodyLimit: -1, h: s.bulk})
	handle("GET /Me", endpoint{h: s.getMe})
	handle("PUT /Me", endpoint{h: s.replaceMe})
	handle("PATCH /Me", endpoint{h: s.patchMe})
	handle("DELETE /Me", endpoint{h: s.deleteMe})
	handle("POST /Me", endpoint{anonymous: true, h: s.register})
	handle("GET /Schemas", disc(s.schemas))
	handle("GET /Schemas/{urn}", disc(s.schema))

	for _, rt := range s.reg.ResourceTypes() {
		sc, ep := rt.Scopes, rt.Endpoint
		handle("POST "+ep, endpoint{rt: rt, scope: sc.Create, h: s.create})
		handle("GET "+ep, endpoint{rt: rt, scope: sc.List, h: s.list})
		handle("POST "+ep+"/.search", endpoint{rt: rt, scope: sc.List, h: s.searchType})
		handle("GET "+ep+"/{id}", endpoint{rt: rt, scope: sc.View, h: s.get})
		handle("PUT "+ep+"/{id}", endpoint{rt: rt, scope: sc.Update, h: s.replace})
		handle("PATCH "+ep+"/{id}", endpoint{rt: rt, scope: sc.Update, h: s.patchResource})
		handle("DELETE "+ep+"/{id}", endpoint{rt: rt, scope: sc.Delete, h: s.delete})
	}

	for _, p := range []string{"", "/t/{tenant}"} {
		mux.HandleFunc("POST "+p+"/oauth2/token", s.token)
		mux.HandleFunc("GET "+p+"/oauth2/jwks", s.jwks)
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.metrics != nil {
		mux.Handle("GET /metrics", s.metrics.handler)
	}
	return s.fallback(mux)
}

// fallback answers requests no route matches with a SCIM 404 or 405.
func (s *Server) fallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &statusRecorder{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", probe.header.Get("Allow"))
			s.writeError(w, r, &scim.Error{Status: http.StatusMethodNotAllowed,
				Detail: r.Method + " is not supported on " + r.URL.Path + "; allowed: " + probe.header.Get("Allow")})
			return
		}
		s.writeError(w, r, &scim.Error{Status: http.StatusNotFound, Detail: "no endpoint " + r.URL.Path})
	})
}

// statusRecorder captures what the mux's own 404/405 handler would send.
type statusRecorder struct {
	header http.Header
	status int
}

func (r *statusRecorder) Header() http.Header         { return r.header }
func (r *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *statusRecorder) WriteHeader(status int)      { r.status = status }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Warn("not ready: database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
