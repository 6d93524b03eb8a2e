package scim

import (
	"encoding/json"
	"time"
)

// Meta is the common "meta" attribute of RFC 7643 §3.1.
type Meta struct {
	ResourceType string     `json:"resourceType,omitempty"`
	Created      *time.Time `json:"created,omitempty"`
	LastModified *time.Time `json:"lastModified,omitempty"`
	Location     string     `json:"location,omitempty"`
	Version      string     `json:"version,omitempty"`
}

// ListResponse is the query response of RFC 7644 §3.4.2, with the cursor
// fields of RFC 9865.
type ListResponse[T any] struct {
	Schemas        []string `json:"schemas"`
	TotalResults   int      `json:"totalResults"`
	StartIndex     int      `json:"startIndex,omitempty"`
	ItemsPerPage   int      `json:"itemsPerPage"`
	NextCursor     string   `json:"nextCursor,omitempty"`
	PreviousCursor string   `json:"previousCursor,omitempty"`
	Resources      []T      `json:"Resources"`
}

// SearchRequest is the body of POST .search (RFC 7644 §3.4.3), with the
// cursor of RFC 9865.
type SearchRequest struct {
	Schemas            []string `json:"schemas"`
	Attributes         []string `json:"attributes,omitempty"`
	ExcludedAttributes []string `json:"excludedAttributes,omitempty"`
	Filter             string   `json:"filter,omitempty"`
	SortBy             string   `json:"sortBy,omitempty"`
	SortOrder          string   `json:"sortOrder,omitempty"`
	StartIndex         *int     `json:"startIndex,omitempty"`
	Count              *int     `json:"count,omitempty"`
	Cursor             *string  `json:"cursor,omitempty"`
}

// PatchRequest is the body of PATCH (RFC 7644 §3.5.2).
type PatchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []PatchOperation `json:"Operations"`
}

// PatchOperation is one operation of a PatchRequest. Op is "add", "replace"
// or "remove"; Value is kept raw so that its type is decided by the schema.
type PatchOperation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// BulkRequest is the body of POST /Bulk (RFC 7644 §3.7).
type BulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors *int            `json:"failOnErrors,omitempty"`
	Operations   []BulkOperation `json:"Operations"`
}

// BulkOperation is one operation of a BulkRequest.
type BulkOperation struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId,omitempty"`
	Version string          `json:"version,omitempty"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// BulkResponse is the response of POST /Bulk (RFC 7644 §3.7.3).
type BulkResponse struct {
	Schemas    []string     `json:"schemas"`
	Operations []BulkResult `json:"Operations"`
}

// BulkResult is the outcome of one BulkOperation. Response carries the SCIM
// error of a failed operation.
type BulkResult struct {
	Method   string     `json:"method"`
	BulkID   string     `json:"bulkId,omitempty"`
	Version  string     `json:"version,omitempty"`
	Location string     `json:"location,omitempty"`
	Status   BulkStatus `json:"status"`
	Response *Error     `json:"response,omitempty"`
}

// BulkStatus is the HTTP status of a BulkResult. It is sent as a string, as
// in RFC 7644 §3.7.3, and read from a string, a number or an object with a
// "code" member (as some service providers send it).
type BulkStatus int

// MarshalJSON renders the status as a JSON string.
func (s BulkStatus) MarshalJSON() ([]byte, error) {
	return json.Marshal(itoa(int(s)))
}

// UnmarshalJSON accepts "201", 201 or {"code": 201}.
func (s *BulkStatus) UnmarshalJSON(b []byte) error {
	var obj struct {
		Code json.RawMessage `json:"code"`
	}
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		b = obj.Code
	}
	n, err := parseStatus(b)
	*s = BulkStatus(n)
	return err
}
