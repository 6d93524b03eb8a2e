package server

import (
	"net/http"
	"strings"

	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/scim"
	"github.com/scimd/scimd/scim/schema"
)

// The /Me endpoint (RFC 7644 §3.11) acts on the authenticated user itself.

// me returns the id of the user behind the request's credentials.
func me(req *request) (string, error) {
	if req.who.userID == "" {
		return "", &scim.Error{Status: http.StatusForbidden,
			Detail: "/Me is the authenticated user, and " + req.who.name() + " is not a user: authenticate as a user (HTTP Basic)"}
	}
	return req.who.userID, nil
}

// meRequest is req as a request on the user's own resource.
func (s *Server) meRequest(req *request) *request {
	r := *req
	r.rt = s.reg.ResourceType(schema.UserType)
	return &r
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := me(req)
	if err != nil {
		return err
	}
	req = s.meRequest(req)
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	res, err := s.store.Get(r.Context(), req.tenant, req.rt.Name, id, load(req.rt, pr))
	if err != nil {
		return notFound(err, req.rt, id)
	}
	w.Header().Set("Content-Location", s.location(req, req.rt, id))
	s.writeResource(w, r, req, http.StatusOK, res, pr)
	return nil
}

// noSelfChange refuses a body that would change what a user can't change
// about itself: its groups (which hold its permissions) and its id. The
// groups it already has may be sent back as they are (a GET's response
// put back); read-only values are then ignored, as RFC 7644 §3.5.1 says.
func noSelfChange(body map[string]any, id string, current []store.GroupRef) error {
	for k, v := range body {
		switch strings.ToLower(k) {
		case "groups":
			if v != nil && !sameGroups(v, current) {
				return scim.BadRequest(scim.Mutability, "groups can't be changed through /Me: group membership is managed on /Groups")
			}
		case "id":
			if s, _ := v.(string); v != nil && s != id {
				return scim.BadRequest(scim.Mutability, "id is assigned by the server and can't be changed")
			}
		}
	}
	return nil
}

// sameGroups reports whether a sent "groups" value names exactly the
// groups the user has.
func sameGroups(v any, current []store.GroupRef) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(current) {
		return false
	}
	have := map[string]bool{}
	for _, g := range current {
		have[g.ID] = true
	}
	for _, e := range list {
		m, _ := e.(map[string]any)
		id, _ := m["value"].(string)
		if !have[id] {
			return false
		}
		delete(have, id)
	}
	return true
}

// currentGroups returns the groups of the user behind a request.
func (s *Server) currentGroups(r *http.Request, req *request, id string) ([]store.GroupRef, error) {
	u, err := s.store.Get(r.Context(), req.tenant, schema.UserType, id, store.Load{Groups: true})
	if err != nil {
		return nil, notFound(err, s.reg.ResourceType(schema.UserType), id)
	}
	return u.Groups, nil
}

func (s *Server) replaceMe(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := me(req)
	if err != nil {
		return err
	}
	req = s.meRequest(req)
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	body, err := decodeBody(r)
	if err != nil {
		return err
	}
	groups, err := s.currentGroups(r, req, id)
	if err != nil {
		return err
	}
	if err := noSelfChange(body, id, groups); err != nil {
		return err
	}
	res, err := s.replaceResource(r.Context(), req, id, body, ifMatch(r), pr)
	if err != nil {
		return err
	}
	s.writeResource(w, r, req, http.StatusOK, res, pr)
	return nil
}

func (s *Server) patchMe(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := me(req)
	if err != nil {
		return err
	}
	req = s.meRequest(req)
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	body, err := decodeBody(r)
	if err != nil {
		return err
	}
	groups, err := s.currentGroups(r, req, id)
	if err != nil {
		return err
	}
	ops, _ := body["Operations"].([]any)
	for _, op := range ops {
		m, _ := op.(map[string]any)
		if v, ok := m["value"].(map[string]any); ok {
			if err := noSelfChange(v, id, groups); err != nil {
				return err
			}
		}
	}
	res, err := s.applyPatch(r.Context(), req, id, body, ifMatch(r), pr)
	if err != nil {
		return err
	}
	s.writeResource(w, r, req, http.StatusOK, res, pr)
	return nil
}

func (s *Server) deleteMe(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := me(req)
	if err != nil {
		return err
	}
	if err := s.deleteResource(r.Context(), s.meRequest(req), id, ifMatch(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// register serves POST /Me: anonymous self-registration, when enabled.
// The new user belongs to no group and so holds no scope.
func (s *Server) register(w http.ResponseWriter, r *http.Request, req *request) error {
	if !s.selfRegistration {
		return &scim.Error{Status: http.StatusForbidden, Detail: "self-registration is disabled on this server"}
	}
	req = s.meRequest(req)
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	body, err := decodeBody(r)
	if err != nil {
		return err
	}
	if err := noSelfChange(body, "", nil); err != nil {
		return err
	}
	res, err := s.createResource(r.Context(), req, body, pr)
	if err != nil {
		return err
	}
	s.writeResource(w, r, req, http.StatusCreated, res, pr)
	return nil
}
