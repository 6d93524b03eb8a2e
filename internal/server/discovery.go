package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// noFilter refuses a filter on a discovery endpoint (RFC 7644 §4): a client
// must not believe that a filter was applied.
func noFilter(r *http.Request) error {
	if r.URL.Query().Has("filter") {
		return &scim.Error{Status: http.StatusForbidden, Detail: "discovery endpoints don't support filter"}
	}
	return nil
}

func (s *Server) url(req *request, path ...string) string {
	var b strings.Builder
	b.WriteString(s.baseURL)
	b.WriteString(req.prefix)
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// serviceProviderConfig serves RFC 7643 §5.
func (s *Server) serviceProviderConfig(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := noFilter(r); err != nil {
		return err
	}
	spc := scim.ServiceProviderConfig{
		Schemas:          []string{scim.ServiceProviderConfigSchema},
		DocumentationURI: "https://github.com/scimd/scimd",
		Patch:            scim.Supported{Supported: true},
		Bulk:             scim.BulkConfig{Supported: true, MaxOperations: s.limits.MaxOperations, MaxPayloadSize: int(s.limits.MaxPayloadSize)},
		Filter:           scim.FilterConfig{Supported: true, MaxResults: s.limits.MaxResults},
		ChangePassword:   scim.Supported{Supported: true},
		Sort:             scim.Supported{Supported: true},
		ETag:             scim.Supported{Supported: true},
		Pagination: &scim.PaginationConfig{Cursor: true, Index: true, DefaultPaginationMethod: "index",
			DefaultPageSize: s.limits.MaxResults, MaxPageSize: s.limits.MaxResults, CursorTimeout: int(cursorTimeout.Seconds())},
		AuthenticationSchemes: []scim.AuthenticationScheme{{
			Type: "oauthbearertoken", Name: "OAuth Bearer Token",
			Description: "Bearer tokens (RFC 6750): access tokens of the client credentials grant at /oauth2/token, long-lived API tokens, or an external identity provider's tokens.",
			SpecURI:     "https://www.rfc-editor.org/info/rfc6750", Primary: true,
		}, {
			Type: "httpbasic", Name: "HTTP Basic", Description: "Authentication with a user name and password (RFC 7617).",
			SpecURI: "https://www.rfc-editor.org/info/rfc7617",
		}},
		Meta: &scim.Meta{ResourceType: "ServiceProviderConfig", Location: s.url(req, "ServiceProviderConfig")},
	}
	s.writeJSON(w, r, http.StatusOK, spc)
	return nil
}

func (s *Server) resourceTypeWire(req *request, rt *schema.ResourceType) scim.ResourceType {
	v := rt.Wire()
	v.Meta = &scim.Meta{ResourceType: "ResourceType", Location: s.url(req, "ResourceTypes", rt.Name)}
	return v
}

// resourceTypes serves the ResourceType resources (RFC 7644 §4) as a ListResponse.
func (s *Server) resourceTypes(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := noFilter(r); err != nil {
		return err
	}
	var out []scim.ResourceType
	for _, rt := range s.reg.ResourceTypes() {
		out = append(out, s.resourceTypeWire(req, rt))
	}
	s.writeJSON(w, r, http.StatusOK, listOf(out))
	return nil
}

func (s *Server) resourceType(w http.ResponseWriter, r *http.Request, req *request) error {
	rt := s.reg.ResourceType(r.PathValue("name"))
	if rt == nil {
		return &scim.Error{Status: http.StatusNotFound, Detail: "no resource type " + r.PathValue("name")}
	}
	s.writeJSON(w, r, http.StatusOK, s.resourceTypeWire(req, rt))
	return nil
}

func (s *Server) schemaWire(req *request, sc *scim.Schema) scim.Schema {
	v := *sc
	v.Schemas = []string{scim.SchemaSchema}
	v.Meta = &scim.Meta{ResourceType: "Schema", Location: s.url(req, "Schemas", sc.ID)}
	return v
}

// schemas serves the Schema resources (RFC 7643 §7, RFC 7644 §4).
func (s *Server) schemas(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := noFilter(r); err != nil {
		return err
	}
	var out []scim.Schema
	for _, sc := range s.allSchemas() {
		out = append(out, s.schemaWire(req, sc))
	}
	s.writeJSON(w, r, http.StatusOK, listOf(out))
	return nil
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request, req *request) error {
	var sc *scim.Schema
	for _, c := range s.allSchemas() {
		if strings.EqualFold(c.ID, r.PathValue("urn")) {
			sc = c
		}
	}
	if sc == nil {
		return &scim.Error{Status: http.StatusNotFound, Detail: "no schema " + r.PathValue("urn")}
	}
	s.writeJSON(w, r, http.StatusOK, s.schemaWire(req, sc))
	return nil
}

func listOf[T any](items []T) scim.ListResponse[T] {
	if items == nil {
		items = []T{}
	}
	return scim.ListResponse[T]{
		Schemas: []string{scim.ListResponseMessage}, TotalResults: len(items),
		StartIndex: 1, ItemsPerPage: len(items), Resources: items,
	}
}

// allSchemas are the schemas of the resource types and those of the
// discovery resources themselves (RFC 7643 §8.7.2).
func (s *Server) allSchemas() []*scim.Schema {
	return append(s.reg.Schemas()[:len(s.reg.Schemas()):len(s.reg.Schemas())],
		schema.ServiceProviderConfigSchema(), schema.ResourceTypeSchema(), schema.SchemaSchema())
}
