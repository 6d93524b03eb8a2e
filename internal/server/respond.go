package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimd/scimd/scim"
)

// contentType picks the response media type: application/scim+json (RFC
// 7644 §8.1), or application/json for a client that accepts only that.
func contentType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept != "" && !strings.Contains(accept, scim.MediaType) && strings.Contains(accept, "application/json") {
		return "application/json"
	}
	return scim.MediaType
}

// acceptable reports whether the Accept header allows a JSON response.
func acceptable(r *http.Request) bool {
	accept := r.Header.Values("Accept")
	if len(accept) == 0 {
		return true
	}
	for _, h := range accept {
		for _, part := range strings.Split(h, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			switch mt {
			case scim.MediaType, "application/json", "application/*", "*/*":
				return true
			}
		}
	}
	return false
}

// writeJSON sends v (marshalled with encoding/json) with the given status.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"schemas":["`+scim.ErrorMessage+`"],"status":"500","detail":"internal server error"}`)
	}
	s.writeBody(w, r, status, b)
}

// writeBody sends an encoded JSON body.
func (s *Server) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType(r))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// decodeBody reads a JSON request body into a generic value (numbers as
// json.Number). The body must be one JSON value in valid UTF-8 and, for
// want == "object", a JSON object.
func decodeBody(r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &scim.Error{Status: http.StatusRequestEntityTooLarge,
				Detail: "request body exceeds the limit of " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
		}
		return nil, scim.BadRequest(scim.InvalidSyntax, "reading the request body: %v", err)
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, scim.BadRequest(scim.InvalidSyntax, "the request body must be a JSON object, not %s", jsonKind(v))
	}
	return obj, nil
}

// decodeJSON parses exactly one JSON value from b.
func decodeJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, scim.BadRequest(scim.InvalidSyntax, "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(b) {
		return nil, scim.BadRequest(scim.InvalidSyntax, "the request body is not valid UTF-8")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, scim.BadRequest(scim.InvalidSyntax, "the request body is not valid JSON: %s", jsonError(err, b))
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, scim.BadRequest(scim.InvalidSyntax, "the request body has data after its JSON value (at byte %d)", d.InputOffset())
	}
	return v, nil
}

// jsonError describes a decoding error with its position.
func jsonError(err error, b []byte) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return err.Error() + " at byte " + strconv.FormatInt(se.Offset, 10)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends early (at byte " + strconv.Itoa(len(b)) + ")"
	}
	return err.Error()
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "an object"
}
