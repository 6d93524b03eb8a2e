package scimdtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimd/scimd/scim"
)

// Degraded makes scimd look like a service provider with none of the
// optional features of RFC 7643 §5 but PATCH and filtering: no bulk, no
// sorting, no entity tags and no cursor pagination (RFC 9865). It changes
// what is advertised and refuses or ignores what is not, as such a service
// provider would; everything else is scimd's own answer.
type Degraded struct {
	// NoFilter withdraws filtering too.
	NoFilter bool
}

// Wrap returns next behind the degrading middleware:
//
//   - ServiceProviderConfig says bulk, sort and etag are not supported and
//     pagination.cursor is false (with NoFilter, filter too);
//   - POST /Bulk, sortBy or sortOrder (in the query or a .search body) and,
//     with NoFilter, filter are refused with 501 Not Implemented, the status
//     RFC 7644 §3.12 gives an unsupported operation;
//   - If-Match, If-None-Match and the cursor parameter are ignored, as by a
//     service provider that does not know them;
//   - responses carry no ETag header and no meta.version.
func (d Degraded) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.Clone(r.Context())
		if feature := d.refused(r); feature != "" {
			w.Header().Set("Content-Type", scim.MediaType)
			w.WriteHeader(http.StatusNotImplemented)
			json.NewEncoder(w).Encode(&scim.Error{Status: http.StatusNotImplemented, Detail: feature + " is not supported"})
			return
		}
		r.Header.Del("If-Match")
		r.Header.Del("If-None-Match")
		if q := r.URL.Query(); q.Has("cursor") {
			q.Del("cursor")
			r.URL.RawQuery = q.Encode()
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.Contains(rec.Header().Get("Content-Type"), "json") && bytes.HasPrefix(body, []byte("{")) {
			if strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
				body = d.config(body)
			} else {
				body = withoutVersions(body)
			}
		}
		for k, v := range rec.Header() {
			if k != "Etag" && k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// refused returns the unsupported feature r asks for, if any.
func (d Degraded) refused(r *http.Request) string {
	q := r.URL.Query()
	var search struct{ SortBy, SortOrder, Filter string }
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/.search") {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		json.Unmarshal(b, &search) // scimd reports a malformed body
	}
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Bulk"):
		return "bulk"
	case q.Has("sortBy") || q.Has("sortOrder") || search.SortBy != "" || search.SortOrder != "":
		return "sorting"
	case d.NoFilter && (q.Has("filter") || search.Filter != ""):
		return "filtering"
	}
	return ""
}

// config rewrites a ServiceProviderConfig.
func (d Degraded) config(body []byte) []byte {
	var cfg scim.ServiceProviderConfig
	if json.Unmarshal(body, &cfg) != nil {
		return body
	}
	cfg.Bulk = scim.BulkConfig{}
	cfg.Sort.Supported, cfg.ETag.Supported = false, false
	if cfg.Pagination != nil {
		cfg.Pagination.Cursor, cfg.Pagination.DefaultPaginationMethod, cfg.Pagination.CursorTimeout = false, "index", 0
	}
	if d.NoFilter {
		cfg.Filter = scim.FilterConfig{}
	}
	b, _ := json.Marshal(cfg)
	return b
}

// withoutVersions removes meta.version from a resource or from each resource
// of a ListResponse.
func withoutVersions(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return body
	}
	list, _ := doc["Resources"].([]any)
	for _, r := range append(list, doc) {
		res, _ := r.(map[string]any)
		if meta, ok := res["meta"].(map[string]any); ok {
			delete(meta, "version")
		}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.Encode(doc)
	return out.Bytes()
}
