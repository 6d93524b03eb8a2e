package server

import (
	"net/http"

	"github.com/scimd/scimd/scim/schema"
)

// projection reads attributes= and excludedAttributes= (RFC 7644 §3.9).
func projection(r *http.Request, rt *schema.ResourceType) (*schema.Projection, error) {
	q := r.URL.Query()
	return rt.Projection(q["attributes"], q["excludedAttributes"])
}

// create serves POST /{Resources} (RFC 7644 §3.3).
func (s *Server) create(w http.ResponseWriter, r *http.Request, req *request) error {
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	body, err := decodeBody(r)
	if err != nil {
		return err
	}
	res, err := s.createResource(r.Context(), req, body, pr)
	if err != nil {
		return err
	}
	s.writeResource(w, r, req, http.StatusCreated, res, pr)
	return nil
}

// get serves GET /{Resources}/{id} (RFC 7644 §3.4.1), answering 304 to an
// If-None-Match that names the current version (§3.14).
func (s *Server) get(w http.ResponseWriter, r *http.Request, req *request) error {
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	res, err := s.store.Get(r.Context(), req.tenant, req.rt.Name, r.PathValue("id"), load(req.rt, pr))
	if err != nil {
		return notFound(err, req.rt, r.PathValue("id"))
	}
	if parseETags(r.Header.Get("If-None-Match")).match(res.Version) {
		w.Header().Set("ETag", etag(res.Version))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	s.writeResource(w, r, req, http.StatusOK, res, pr)
	return nil
}

// replace serves PUT /{Resources}/{id} (RFC 7644 §3.5.1).
func (s *Server) replace(w http.ResponseWriter, r *http.Request, req *request) error {
	pr, err := projection(r, req.rt)
	if err != nil {
		return err
	}
	body, err := decodeBody(r)
	if err != nil {
		return err
	}
	res, err := s.replaceResource(r.Context(), req, r.PathValue("id"), body, ifMatch(r), pr)
	if err != nil {
		return err
	}
	s.writeResource(w, r, req, http.StatusOK, res, pr)
	return nil
}

// delete serves DELETE /{Resources}/{id} (RFC 7644 §3.6).
func (s *Server) delete(w http.ResponseWriter, r *http.Request, req *request) error {
	if err := s.deleteResource(r.Context(), req, r.PathValue("id"), ifMatch(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
