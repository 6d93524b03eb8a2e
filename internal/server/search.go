package server

import (
	"bytes"
	"encoding/json"

	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// searchParams are the parameters of a query (RFC 7644 §3.4.2, RFC 9865),
// from a GET's URL or a POST .search body.
type searchParams struct {
	attributes, excluded []string
	filterText           string
	sortBy, sortOrder    string
	startIndex, count    *int
	cursor               *string // nil: index pagination; "": the first cursor page

	selections []store.Selection
	types      []*schema.ResourceType
	projection map[string]*schema.Projection // by resource type
}

// queryParams reads a GET's query parameters.
func queryParams(q url.Values) (*searchParams, error) {
	p := &searchParams{attributes: q["attributes"], excluded: q["excludedAttributes"],
		filterText: q.Get("filter"), sortBy: q.Get("sortBy"), sortOrder: q.Get("sortOrder")}
	for _, name := range []string{"filter", "sortBy", "sortOrder", "startIndex", "count", "cursor"} {
		if len(q[name]) > 1 {
			return nil, scim.BadRequest(scim.InvalidValue, "the %s parameter is given %d times; give it once", name, len(q[name]))
		}
	}
	var err error
	if p.startIndex, err = intQuery(q, "startIndex"); err != nil {
		return nil, err
	}
	if p.count, err = intQuery(q, "count"); err != nil {
		return nil, err
	}
	if q.Has("cursor") {
		c := q.Get("cursor")
		p.cursor = &c
	}
	return p, nil
}

func intQuery(q url.Values, name string) (*int, error) {
	if !q.Has(name) {
		return nil, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil {
		return nil, scim.BadRequest(scim.InvalidValue, "%s must be an integer, not %q", name, q.Get(name))
	}
	return &n, nil
}

// bodyParams reads a SearchRequest (RFC 7644 §3.4.3).
func bodyParams(r *http.Request) (*searchParams, error) {
	body, err := decodeBody(r)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(body)
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	var sr scim.SearchRequest
	if err := d.Decode(&sr); err != nil {
		return nil, scim.BadRequest(scim.InvalidSyntax, "not a SearchRequest (RFC 7644 §3.4.3): %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if len(sr.Schemas) > 0 && !containsFold(sr.Schemas, scim.SearchRequestMessage) {
		return nil, scim.BadRequest(scim.InvalidSyntax, `a SearchRequest's "schemas" must be [%q]`, scim.SearchRequestMessage)
	}
	return &searchParams{attributes: sr.Attributes, excluded: sr.ExcludedAttributes, filterText: sr.Filter,
		sortBy: sr.SortBy, sortOrder: sr.SortOrder, startIndex: sr.StartIndex, count: sr.Count, cursor: sr.Cursor}, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// list serves GET /{Resources}.
func (s *Server) list(w http.ResponseWriter, r *http.Request, req *request) error {
	p, err := queryParams(r.URL.Query())
	if err != nil {
		return err
	}
	return s.search(w, r, req, p, []*schema.ResourceType{req.rt})
}

// searchType serves POST /{Resources}/.search.
func (s *Server) searchType(w http.ResponseWriter, r *http.Request, req *request) error {
	p, err := bodyParams(r)
	if err != nil {
		return err
	}
	return s.search(w, r, req, p, []*schema.ResourceType{req.rt})
}

// searchRoot serves POST /.search, which spans every resource type the
// caller may list.
func (s *Server) searchRoot(w http.ResponseWriter, r *http.Request, req *request) error {
	p, err := bodyParams(r)
	if err != nil {
		return err
	}
	var types []*schema.ResourceType
	for _, rt := range s.reg.ResourceTypes() {
		if req.who.has(rt.Scopes.List) {
			types = append(types, rt)
		}
	}
	if len(types) == 0 {
		return &scim.Error{Status: http.StatusForbidden, Detail: req.who.name() + " may list no resource type"}
	}
	return s.search(w, r, req, p, types)
}

// resolve binds the filter, sort attribute and attribute selection to each
// resource type. Across several types (the root .search), a type for
// which they don't resolve is left out; it is an error only if none remains.
func (p *searchParams) resolve(types []*schema.ResourceType) error {
	var e filter.Expr
	if p.filterText != "" {
		var err error
		if e, err = filter.Parse(p.filterText); err != nil {
			return err
		}
	}
	p.projection = map[string]*schema.Projection{}
	var first error
	for _, rt := range types {
		te := e
		if e != nil && len(types) > 1 {
			te = filter.Unassigned(e, rt)
		}
		sel, pr, err := resolveFor(rt, te, p)
		if err != nil {
			first = cmpErr(first, err)
			continue
		}
		p.selections = append(p.selections, sel)
		p.types = append(p.types, rt)
		p.projection[rt.Name] = pr
	}
	if len(p.selections) == 0 {
		return first
	}
	return nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

func resolveFor(rt *schema.ResourceType, e filter.Expr, p *searchParams) (store.Selection, *schema.Projection, error) {
	sel := store.Selection{Type: rt.Name}
	if e != nil {
		b, err := filter.Bind(e, rt)
		if err != nil {
			return sel, nil, err
		}
		sel.Filter = b
	}
	if p.sortBy != "" {
		sp, ok := rt.Resolve(p.sortBy)
		if !ok || sp.Attr == nil {
			return sel, nil, scim.BadRequest(scim.InvalidValue, "sortBy: %q is not an attribute of resource type %s", p.sortBy, rt.Name)
		}
		if sp.Leaf().Returned == scim.ReturnedNever {
			return sel, nil, scim.BadRequest(scim.InvalidValue, "sortBy: resources can't be sorted by %s, which is never returned", sp)
		}
		sel.SortBy = &sp
	}
	pr, err := rt.Projection(p.attributes, p.excluded)
	return sel, pr, err
}

// pageSpec is how a query pages: by index or by cursor.
type pageSpec struct {
	startIndex, count int
	cursor            *cursor // nil on index pages and the first cursor page
	cursorMode        bool
	fingerprint       []byte
	key               []byte // the cursor key
}

func (s *Server) pageSpec(r *http.Request, req *request, p *searchParams) (*pageSpec, error) {
	ps := &pageSpec{startIndex: 1, count: s.limits.MaxResults}
	if p.count != nil {
		ps.count = min(max(*p.count, 0), s.limits.MaxResults)
	}
	if p.cursor == nil {
		if p.startIndex != nil {
			ps.startIndex = max(*p.startIndex, 1)
		}
		return ps, nil
	}
	if p.startIndex != nil {
		return nil, scim.BadRequest(scim.InvalidValue, "give startIndex (index pagination) or cursor (cursor pagination, RFC 9865), not both")
	}
	ps.cursorMode = true
	ps.fingerprint = fingerprint(req.tenant, p)
	key, err := s.cursorKey(r)
	if err != nil {
		return nil, err
	}
	ps.key = key
	if *p.cursor != "" {
		if ps.cursor, err = s.openCursor(key, *p.cursor, ps.fingerprint); err != nil {
			return nil, err
		}
	}
	return ps, nil
}

// cursorKey returns the key that seals cursors, from the database.
func (s *Server) cursorKey(r *http.Request) ([]byte, error) {
	if k := s.cursorSecret.Load(); k != nil {
		return *k, nil
	}
	k, err := s.store.Secret(r.Context(), "cursor")
	if err != nil {
		return nil, err
	}
	s.cursorSecret.Store(&k)
	return k, nil
}

// search runs a query and sends its ListResponse.
func (s *Server) search(w http.ResponseWriter, r *http.Request, req *request, p *searchParams, types []*schema.ResourceType) error {
	if err := p.resolve(types); err != nil {
		return err
	}
	p.sortOrder = strings.ToLower(p.sortOrder)
	if p.sortOrder != "" && p.sortOrder != "ascending" && p.sortOrder != "descending" {
		return scim.BadRequest(scim.InvalidValue, "sortOrder must be ascending or descending, not %q", p.sortOrder)
	}
	ps, err := s.pageSpec(r, req, p)
	if err != nil {
		return err
	}
	q := store.Query{Types: p.selections, Descending: p.sortOrder == "descending", Count: ps.count, Refs: s.refs(req)}
	for _, rt := range p.types {
		l := load(rt, p.projection[rt.Name])
		q.Load.Members, q.Load.Groups = q.Load.Members || l.Members, q.Load.Groups || l.Groups
	}
	if ps.cursor != nil {
		pos, err := ps.cursor.position()
		if err != nil {
			return scim.BadRequest(scim.InvalidCursor, "the cursor is damaged")
		}
		if ps.cursor.Back {
			q.Before = pos
		} else {
			q.After = pos
		}
		q.NoTotal = true
	} else if !ps.cursorMode {
		q.Offset = ps.startIndex - 1
	}
	page, err := s.store.List(r.Context(), req.tenant, q)
	if err != nil {
		return err
	}
	if ps.cursor != nil {
		page.Total = ps.cursor.Total
	}
	s.writePage(w, r, req, p, ps, page)
	return nil
}

// refs maps each resource type to the URL prefix of its resources.
func (s *Server) refs(req *request) map[string]string {
	out := make(map[string]string, len(s.reg.ResourceTypes()))
	for _, rt := range s.reg.ResourceTypes() {
		out[rt.Name] = s.location(req, rt, "")
	}
	return out
}

// writePage sends a ListResponse, with startIndex on index pages and the
// cursors on cursor pages.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, req *request, p *searchParams, ps *pageSpec, page *store.Page) {
	body := make([]byte, 0, 512+len(page.Resources)*1024)
	body = append(body, `{"schemas":["`+scim.ListResponseMessage+`"],"totalResults":`...)
	body = appendInt(body, page.Total)
	if !ps.cursorMode {
		body = append(body, `,"startIndex":`...)
		body = appendInt(body, ps.startIndex)
	}
	body = append(body, `,"itemsPerPage":`...)
	body = appendInt(body, len(page.Resources))
	if ps.cursorMode {
		body = s.appendCursors(body, ps, page)
	}
	body = append(body, `,"Resources":[`...)
	for i, res := range page.Resources {
		if i > 0 {
			body = append(body, ',')
		}
		rt := s.reg.ResourceType(res.Type)
		body = s.renderResource(body, req, rt, res, p.projection[rt.Name])
	}
	body = append(body, "]}"...)
	s.writeBody(w, r, http.StatusOK, body)
}

// appendCursors adds nextCursor (unless the page is the last) and
// previousCursor (unless it is the first).
func (s *Server) appendCursors(dst []byte, ps *pageSpec, page *store.Page) []byte {
	expires := s.now().Add(cursorTimeout)
	back := ps.cursor != nil && ps.cursor.Back
	hasNext := (!back && page.More) || (back && page.Last != nil)
	hasPrev := (back && page.More) || (!back && ps.cursor != nil && page.First != nil)
	if hasNext {
		dst = append(dst, `,"nextCursor":`...)
		dst = strconv.AppendQuote(dst, s.sealCursor(ps.key, positionCursor(ps.fingerprint, page.Last, false, page.Total, expires)))
	}
	if hasPrev {
		dst = append(dst, `,"previousCursor":`...)
		dst = strconv.AppendQuote(dst, s.sealCursor(ps.key, positionCursor(ps.fingerprint, page.First, true, page.Total, expires)))
	}
	return dst
}
