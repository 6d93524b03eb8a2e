package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// ErrorType is a scimType keyword of RFC 7644 §3.12, Table 9.
type ErrorType string

// The scimType keywords of RFC 7644 §3.12.
const (
	InvalidFilter  ErrorType = "invalidFilter"
	TooMany        ErrorType = "tooMany"
	Uniqueness     ErrorType = "uniqueness"
	Mutability     ErrorType = "mutability"
	InvalidSyntax  ErrorType = "invalidSyntax"
	InvalidPath    ErrorType = "invalidPath"
	NoTarget       ErrorType = "noTarget"
	InvalidValue   ErrorType = "invalidValue"
	InvalidVersion ErrorType = "invalidVers"
	Sensitive      ErrorType = "sensitive"

	// The pagination errors of RFC 9865 §2.1.
	InvalidCursor ErrorType = "invalidCursor"
	ExpiredCursor ErrorType = "expiredCursor"
	InvalidCount  ErrorType = "invalidCount"
)

// Error is a SCIM error response (RFC 7644 §3.12). It renders its own body,
// with status as a string, and is matched by errors.Is on Status and, when
// the target sets one, Type:
//
//	errors.Is(err, &scim.Error{Status: http.StatusPreconditionFailed})
type Error struct {
	Status int       // HTTP status code
	Type   ErrorType // scimType; empty when none applies
	Detail string    // a human-readable explanation
}

// Errorf returns an *Error with the given status, scimType and detail.
func Errorf(status int, typ ErrorType, format string, args ...any) error {
	return &Error{Status: status, Type: typ, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest returns a 400 *Error with the given scimType.
func BadRequest(typ ErrorType, format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Type: typ, Detail: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	s := strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	if e.Type != "" {
		s += " (" + string(e.Type) + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Is reports whether target is an *Error with the same Status and, if the
// target's Type is set, the same Type.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Status == e.Status && (t.Type == "" || t.Type == e.Type)
}

type errorJSON struct {
	Schemas []string        `json:"schemas"`
	Status  json.RawMessage `json:"status"`
	Type    ErrorType       `json:"scimType,omitempty"`
	Detail  string          `json:"detail,omitempty"`
}

// MarshalJSON renders the RFC 7644 §3.12 body; status is a JSON string.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(errorJSON{
		Schemas: []string{ErrorMessage},
		Status:  json.RawMessage(strconv.Quote(strconv.Itoa(e.Status))),
		Type:    e.Type,
		Detail:  e.Detail,
	})
}

// UnmarshalJSON accepts status as a string (as RFC 7644 requires) or as a
// number (as some service providers send it).
func (e *Error) UnmarshalJSON(b []byte) error {
	var v errorJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	status, err := parseStatus(v.Status)
	if err != nil {
		return err
	}
	*e = Error{Status: status, Type: v.Type, Detail: v.Detail}
	return nil
}

// parseStatus decodes an HTTP status sent as a JSON string or number.
func parseStatus(raw json.RawMessage) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("scim: status %q is not a number", s)
		}
		return n, nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, fmt.Errorf("scim: status %s is neither a string nor a number", raw)
	}
	return n, nil
}
