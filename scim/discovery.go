package scim

import "strconv"

// AttrType is an attribute data type of RFC 7643 §2.3.
type AttrType string

// The data types of RFC 7643 §2.3.
const (
	String    AttrType = "string"
	Boolean   AttrType = "boolean"
	Decimal   AttrType = "decimal"
	Integer   AttrType = "integer"
	DateTime  AttrType = "dateTime"
	Binary    AttrType = "binary"
	Reference AttrType = "reference"
	Complex   AttrType = "complex"
)

// MutabilityKind is an attribute's "mutability" characteristic (RFC 7643 §7).
type MutabilityKind string

// The mutability values of RFC 7643 §7.
const (
	ReadOnly  MutabilityKind = "readOnly"
	ReadWrite MutabilityKind = "readWrite"
	Immutable MutabilityKind = "immutable"
	WriteOnly MutabilityKind = "writeOnly"
)

// ReturnedKind is an attribute's "returned" characteristic (RFC 7643 §7).
type ReturnedKind string

// The returned values of RFC 7643 §7.
const (
	ReturnedAlways  ReturnedKind = "always"
	ReturnedNever   ReturnedKind = "never"
	ReturnedDefault ReturnedKind = "default"
	ReturnedRequest ReturnedKind = "request"
)

// UniquenessKind is an attribute's "uniqueness" characteristic (RFC 7643 §7).
type UniquenessKind string

// The uniqueness values of RFC 7643 §7.
const (
	UniqueNone   UniquenessKind = "none"
	UniqueServer UniquenessKind = "server"
	UniqueGlobal UniquenessKind = "global"
)

// The values each characteristic can take, in RFC 7643's order, for
// validating definitions and listing the choices in messages. Don't modify
// them.
var (
	AttrTypes       = []AttrType{String, Boolean, Decimal, Integer, DateTime, Binary, Reference, Complex}
	Mutabilities    = []MutabilityKind{ReadOnly, ReadWrite, Immutable, WriteOnly}
	ReturnedKinds   = []ReturnedKind{ReturnedAlways, ReturnedNever, ReturnedDefault, ReturnedRequest}
	UniquenessKinds = []UniquenessKind{UniqueNone, UniqueServer, UniqueGlobal}
)

// Attribute is an attribute definition as represented in a Schema resource
// (RFC 7643 §7).
type Attribute struct {
	Name            string         `json:"name"`
	Type            AttrType       `json:"type"`
	SubAttributes   []*Attribute   `json:"subAttributes,omitempty"`
	MultiValued     bool           `json:"multiValued"`
	Description     string         `json:"description,omitempty"`
	Required        bool           `json:"required"`
	CanonicalValues []string       `json:"canonicalValues,omitempty"`
	CaseExact       bool           `json:"caseExact"`
	Mutability      MutabilityKind `json:"mutability"`
	Returned        ReturnedKind   `json:"returned"`
	Uniqueness      UniquenessKind `json:"uniqueness"`
	ReferenceTypes  []string       `json:"referenceTypes,omitempty"`
}

// Schema is a Schema resource (RFC 7643 §7).
type Schema struct {
	Schemas     []string     `json:"schemas,omitempty"`
	ID          string       `json:"id"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`
	Meta        *Meta        `json:"meta,omitempty"`
}

// SchemaExtension names an extension schema of a ResourceType (RFC 7643 §6).
type SchemaExtension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// ResourceType is a ResourceType resource (RFC 7643 §6).
type ResourceType struct {
	Schemas          []string          `json:"schemas,omitempty"`
	ID               string            `json:"id,omitempty"`
	Name             string            `json:"name"`
	Description      string            `json:"description,omitempty"`
	Endpoint         string            `json:"endpoint"`
	Schema           string            `json:"schema"`
	SchemaExtensions []SchemaExtension `json:"schemaExtensions,omitempty"`
	Meta             *Meta             `json:"meta,omitempty"`
}

// Supported is the {"supported": bool} object used by ServiceProviderConfig.
type Supported struct {
	Supported bool `json:"supported"`
}

// BulkConfig is the "bulk" member of ServiceProviderConfig.
type BulkConfig struct {
	Supported      bool `json:"supported"`
	MaxOperations  int  `json:"maxOperations"`
	MaxPayloadSize int  `json:"maxPayloadSize"`
}

// FilterConfig is the "filter" member of ServiceProviderConfig.
type FilterConfig struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

// PaginationConfig is the "pagination" member that RFC 9865 adds to
// ServiceProviderConfig.
type PaginationConfig struct {
	Cursor                  bool   `json:"cursor"`
	Index                   bool   `json:"index"`
	DefaultPaginationMethod string `json:"defaultPaginationMethod,omitempty"`
	DefaultPageSize         int    `json:"defaultPageSize,omitempty"`
	MaxPageSize             int    `json:"maxPageSize,omitempty"`
	CursorTimeout           int    `json:"cursorTimeout,omitempty"`
}

// AuthenticationScheme is one member of ServiceProviderConfig's
// "authenticationSchemes".
type AuthenticationScheme struct {
	Type             string `json:"type"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURI          string `json:"specUri,omitempty"`
	DocumentationURI string `json:"documentationUri,omitempty"`
	Primary          bool   `json:"primary,omitempty"`
}

// ServiceProviderConfig is the resource of RFC 7643 §5.
type ServiceProviderConfig struct {
	Schemas               []string               `json:"schemas"`
	DocumentationURI      string                 `json:"documentationUri,omitempty"`
	Patch                 Supported              `json:"patch"`
	Bulk                  BulkConfig             `json:"bulk"`
	Filter                FilterConfig           `json:"filter"`
	ChangePassword        Supported              `json:"changePassword"`
	Sort                  Supported              `json:"sort"`
	ETag                  Supported              `json:"etag"`
	Pagination            *PaginationConfig      `json:"pagination,omitempty"`
	AuthenticationSchemes []AuthenticationScheme `json:"authenticationSchemes"`
	Meta                  *Meta                  `json:"meta,omitempty"`
}

func itoa(n int) string { return strconv.Itoa(n) }
