package server

import (
	"net/http"
	"strconv"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// etag is the weak entity tag of a resource version (RFC 7644 §3.14).
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// location is the absolute URL of a resource.
func (s *Server) location(req *request, rt *schema.ResourceType, id string) string {
	return s.url(req, rt.Endpoint[1:], id)
}

// renderResource appends a resource's JSON representation to dst, with its
// meta, members and groups, as the projection selects.
func (s *Server) renderResource(dst []byte, req *request, rt *schema.ResourceType, res *store.Resource, pr *schema.Projection) []byte {
	doc := res.Doc
	if res.Members != nil || res.Groups != nil {
		doc = make(map[string]any, len(res.Doc)+1)
		for k, v := range res.Doc {
			doc[k] = v
		}
		if len(res.Members) > 0 {
			doc["members"] = s.memberValues(req, res.Members)
		}
		if len(res.Groups) > 0 {
			doc["groups"] = s.groupValues(req, res.Groups)
		}
	}
	created, modified := res.Created, res.LastModified
	meta := scim.Meta{
		ResourceType: rt.Name, Created: &created, LastModified: &modified,
		Location: s.location(req, rt, res.ID), Version: etag(res.Version),
	}
	return rt.Render(dst, res.ID, doc, &meta, pr)
}

func (s *Server) memberValues(req *request, members []store.Member) []any {
	out := make([]any, len(members))
	for i, m := range members {
		v := map[string]any{"value": m.ID, "type": m.Type}
		if rt := s.reg.ResourceType(m.Type); rt != nil {
			v["$ref"] = s.location(req, rt, m.ID)
		}
		if m.Display != "" {
			v["display"] = m.Display
		}
		out[i] = v
	}
	return out
}

func (s *Server) groupValues(req *request, groups []store.GroupRef) []any {
	out := make([]any, len(groups))
	groupType := s.reg.ResourceType(schema.GroupType)
	for i, g := range groups {
		v := map[string]any{"value": g.ID, "type": "indirect", "$ref": s.location(req, groupType, g.ID)}
		if g.Direct {
			v["type"] = "direct"
		}
		if g.Display != "" {
			v["display"] = g.Display
		}
		out[i] = v
	}
	return out
}

// rendering is the full rendering of a shared resource under a tenant's
// URL prefix, which its URLs hold; it is kept in the resource's Memo.
type rendering struct {
	prefix string
	body   []byte
}

// render renders a resource as renderResource does; the full rendering of
// a resource the store shares is rendered once and kept with it (it is the
// same until the store hands out another resource).
func (s *Server) render(req *request, res *store.Resource, pr *schema.Projection) []byte {
	if pr != nil || res.Memo == nil {
		return s.renderResource(make([]byte, 0, 1024), req, req.rt, res, pr)
	}
	if r, ok := res.Memo.Load().(*rendering); ok && r.prefix == req.prefix {
		return r.body
	}
	b := s.renderResource(nil, req, req.rt, res, nil)
	res.Memo.Store(&rendering{prefix: req.prefix, body: b})
	return b
}

// writeResource sends one resource with its ETag (and Location on 201).
func (s *Server) writeResource(w http.ResponseWriter, r *http.Request, req *request, status int, res *store.Resource, pr *schema.Projection) {
	w.Header().Set("ETag", etag(res.Version))
	if status == http.StatusCreated {
		w.Header().Set("Location", s.location(req, req.rt, res.ID))
	}
	s.writeBody(w, r, status, s.render(req, res, pr))
}

// load returns the relations a response with the projection needs.
func load(rt *schema.ResourceType, pr *schema.Projection) store.Load {
	return store.Load{
		Members: rt.Name == schema.GroupType && rt.Wants(pr, "members"),
		Groups:  rt.Name == schema.UserType && rt.Wants(pr, "groups"),
	}
}

func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }
