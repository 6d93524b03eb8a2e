package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
)

type metrics struct {
	requests *prometheus.HistogramVec
	handler  http.Handler
}

// cacheStats is implemented by stores that keep resources they read.
type cacheStats interface {
	CacheStats() (hits, misses uint64, ok bool)
}

func newMetrics(reg prometheus.Registerer, st store.Store) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "scimd_http_request_duration_seconds",
			Help:    "Duration of HTTP requests by route pattern, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method", "code"}),
	}
	collectors := []prometheus.Collector{m.requests}
	if cs, ok := st.(cacheStats); ok {
		if _, _, ok := cs.CacheStats(); ok {
			collectors = append(collectors,
				prometheus.NewCounterFunc(prometheus.CounterOpts{
					Name: "scimd_resource_cache_hits_total",
					Help: "Reads of a resource by id answered from the resources kept in memory (SQLite).",
				}, func() float64 { hits, _, _ := cs.CacheStats(); return float64(hits) }),
				prometheus.NewCounterFunc(prometheus.CounterOpts{
					Name: "scimd_resource_cache_misses_total",
					Help: "Reads of a resource by id that went to the database (SQLite).",
				}, func() float64 { _, misses, _ := cs.CacheStats(); return float64(misses) }))
		}
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("server: register metrics: %w", err)
		}
	}
	g, ok := reg.(prometheus.Gatherer)
	if !ok {
		g = prometheus.DefaultGatherer
	}
	m.handler = promhttp.HandlerFor(g, promhttp.HandlerOpts{})
	return m, nil
}

// responseWriter records the status and size of a response.
type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *responseWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request, records its metrics and turns a panic into a
// SCIM 500 (the panic and its stack go to the log).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &responseWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if rw.status == 0 {
					s.writeError(rw, r, &scim.Error{Status: http.StatusInternalServerError, Detail: "internal server error; the server log has the details"})
				}
			}
			elapsed := time.Since(start)
			if s.metrics != nil {
				s.metrics.requests.WithLabelValues(r.Pattern, r.Method, strconv.Itoa(rw.status)).Observe(elapsed.Seconds())
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rw.status), slog.Int("bytes", rw.bytes),
				slog.Duration("duration", elapsed), slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(rw, r)
	})
}
