package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scimd/scimd/scim"
)

// ErrNotModified is returned by Get when the resource still has the entity
// tag given in GetOptions.IfNoneMatch (a 304 response, RFC 7644 §3.14).
var ErrNotModified = errors.New("scim client: not modified")

// ErrorResponse is the error for a response outside 2xx. It wraps the
// *scim.Error the service provider sent (RFC 7644 §3.12) or, when the body
// was not a SCIM error, one made from the status and an excerpt of the body;
// errors.As and errors.Is reach it through Unwrap.
type ErrorResponse struct {
	Response *http.Response // the response; its body has been read and closed
	Err      *scim.Error
}

// Error describes the request and the SCIM error, without the request's
// query, which may carry personal data in a filter.
func (e *ErrorResponse) Error() string {
	req := e.Response.Request
	if req == nil {
		return "scim: " + e.Err.Error()
	}
	return fmt.Sprintf("scim: %s %s: %v", req.Method, redact(req.URL), e.Err)
}

// Unwrap returns the *scim.Error.
func (e *ErrorResponse) Unwrap() error { return e.Err }

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// excerptLen bounds the excerpt of a non-SCIM error body kept as Detail.
const excerptLen = 200

// CheckResponse returns nil for a 2xx response, ErrNotModified for 304, and
// an *ErrorResponse for any other. It reads resp.Body but does not close it.
func CheckResponse(resp *http.Response) error {
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		return nil
	case resp.StatusCode == http.StatusNotModified:
		return ErrNotModified
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &ErrorResponse{Response: resp, Err: parseError(resp.StatusCode, body)}
}

// parseError reads a SCIM error body. A body that is not one gives an error
// with the HTTP status and, as its detail, an excerpt of the body. The
// status is always the HTTP status: a body that says otherwise is wrong.
func parseError(status int, body []byte) *scim.Error {
	var se scim.Error
	if isSCIMError(body) && json.Unmarshal(body, &se) == nil {
		se.Status = status
		return &se
	}
	return &scim.Error{Status: status, Detail: excerpt(body)}
}

// isSCIMError reports whether body is a JSON object with a member of the
// RFC 7644 §3.12 error.
func isSCIMError(body []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(body, &probe) != nil {
		return false
	}
	for k := range probe {
		switch strings.ToLower(k) {
		case "detail", "scimtype", "status":
			return true
		}
	}
	return false
}

// excerpt returns the start of body as printable, single-line text.
func excerpt(body []byte) string {
	body = bytes.TrimSpace(body)
	var b strings.Builder
	for len(body) > 0 && b.Len() < excerptLen {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.IsPrint(r):
			b.WriteRune(r)
		}
	}
	if len(body) > 0 {
		b.WriteString("…")
	}
	return b.String()
}
