package scim

import (
	"encoding/json"
	"slices"
	"strings"
)

// User is the User resource of RFC 7643 §4.1 with the enterprise extension
// of §4.3. Every attribute the RFC defines has a field; members it does not
// define — other extensions, vendor attributes — are kept in Extra, so a
// User read from a service provider and written back loses nothing.
//
// When a User is encoded with no Schemas, "schemas" is filled in with the
// core User schema; the enterprise schema and the URN of every extension
// object in Extra are added to "schemas" when missing (RFC 7643 §3).
//
// An empty string, slice or nil pointer is omitted from the JSON; Active is
// a pointer so that false is sent (Active: new(false)). To clear an
// attribute in a PUT explicitly, send null through Extra:
//
//	u.Extra.Set("nickName", nil)
type User struct {
	Schemas           []string        `json:"schemas"`
	ID                string          `json:"id,omitempty"`
	ExternalID        string          `json:"externalId,omitempty"`
	UserName          string          `json:"userName,omitempty"`
	Name              *Name           `json:"name,omitempty"`
	DisplayName       string          `json:"displayName,omitempty"`
	NickName          string          `json:"nickName,omitempty"`
	ProfileURL        string          `json:"profileUrl,omitempty"`
	Title             string          `json:"title,omitempty"`
	UserType          string          `json:"userType,omitempty"`
	PreferredLanguage string          `json:"preferredLanguage,omitempty"`
	Locale            string          `json:"locale,omitempty"`
	Timezone          string          `json:"timezone,omitempty"`
	Active            *bool           `json:"active,omitempty"`
	Password          string          `json:"password,omitempty"`
	Emails            []MultiValue    `json:"emails,omitempty"`
	PhoneNumbers      []MultiValue    `json:"phoneNumbers,omitempty"`
	IMs               []MultiValue    `json:"ims,omitempty"`
	Photos            []MultiValue    `json:"photos,omitempty"`
	Addresses         []Address       `json:"addresses,omitempty"`
	Groups            []MultiValue    `json:"groups,omitempty"` // readOnly: set by the service provider
	Entitlements      []MultiValue    `json:"entitlements,omitempty"`
	Roles             []MultiValue    `json:"roles,omitempty"`
	X509Certificates  []MultiValue    `json:"x509Certificates,omitempty"`
	Enterprise        *EnterpriseUser `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Meta              *Meta           `json:"meta,omitempty"`

	Extra Extra `json:"-"`
}

// enterpriseAlias is the key under which some service providers (WSO2
// Identity Server among them) send the enterprise extension.
const enterpriseAlias = "EnterpriseUser"

type userJSON User

var userFields = fieldsOf[userJSON]()

// MarshalJSON encodes u with its Extra members and completed "schemas".
func (u User) MarshalJSON() ([]byte, error) {
	var ext []string
	if u.Enterprise != nil {
		ext = append(ext, EnterpriseUserSchema)
	}
	u.Schemas = completeSchemas(u.Schemas, UserSchema, u.Extra, ext...)
	return encodeObject((*userJSON)(&u), userFields, u.Extra)
}

// UnmarshalJSON decodes a User, keeping unmodelled members in Extra. The
// enterprise extension is also read from an "EnterpriseUser" member, as WSO2
// Identity Server sends it.
func (u *User) UnmarshalJSON(b []byte) error {
	extra, err := decodeObject(b, (*userJSON)(u), userFields)
	if err != nil {
		return err
	}
	u.Extra = extra
	if u.Enterprise != nil {
		return nil
	}
	if key, ok := extra.lookup(enterpriseAlias); ok {
		var ent EnterpriseUser
		if _, err := extra.Decode(key, &ent); err != nil {
			return err
		}
		u.Enterprise = &ent
		delete(u.Extra, key)
	}
	return nil
}

// completeSchemas returns schemas, or base when it is empty, with each URN
// of ext and each URN-named object member of extra appended when missing.
func completeSchemas(schemas []string, base string, extra Extra, ext ...string) []string {
	if len(schemas) == 0 {
		schemas = []string{base}
	}
	for k, v := range extra {
		if isURN(k) && len(v) > 0 && v[0] == '{' {
			ext = append(ext, k)
		}
	}
	for _, urn := range ext {
		if !slices.ContainsFunc(schemas, func(s string) bool { return strings.EqualFold(s, urn) }) {
			schemas = append(slices.Clip(schemas), urn)
		}
	}
	return schemas
}

func isURN(s string) bool { return len(s) > 4 && strings.EqualFold(s[:4], "urn:") }

// Name is the "name" attribute of a User (RFC 7643 §4.1.1).
type Name struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`

	Extra Extra `json:"-"`
}

type nameJSON Name

var nameFields = fieldsOf[nameJSON]()

// MarshalJSON encodes n with its Extra members.
func (n Name) MarshalJSON() ([]byte, error) {
	return encodeObject((*nameJSON)(&n), nameFields, n.Extra)
}

// UnmarshalJSON decodes a Name, keeping unmodelled members in Extra.
func (n *Name) UnmarshalJSON(b []byte) (err error) {
	n.Extra, err = decodeObject(b, (*nameJSON)(n), nameFields)
	return err
}

// MultiValue is one value of a multi-valued attribute with the default
// sub-attributes of RFC 7643 §2.4: a User's emails, phoneNumbers, ims,
// photos, groups, entitlements, roles and x509Certificates (§4.1.2).
type MultiValue struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
	Ref     string `json:"$ref,omitempty"`

	Extra Extra `json:"-"`
}

type multiValueJSON MultiValue

var multiValueFields = fieldsOf[multiValueJSON]()

// MarshalJSON encodes v with its Extra members.
func (v MultiValue) MarshalJSON() ([]byte, error) {
	return encodeObject((*multiValueJSON)(&v), multiValueFields, v.Extra)
}

// UnmarshalJSON decodes a MultiValue, keeping unmodelled members in Extra.
func (v *MultiValue) UnmarshalJSON(b []byte) (err error) {
	v.Extra, err = decodeObject(b, (*multiValueJSON)(v), multiValueFields)
	return err
}

// Address is one value of a User's "addresses" (RFC 7643 §4.1.2).
type Address struct {
	Formatted     string `json:"formatted,omitempty"`
	StreetAddress string `json:"streetAddress,omitempty"`
	Locality      string `json:"locality,omitempty"`
	Region        string `json:"region,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"`
	Type          string `json:"type,omitempty"`
	Primary       bool   `json:"primary,omitempty"`

	Extra Extra `json:"-"`
}

type addressJSON Address

var addressFields = fieldsOf[addressJSON]()

// MarshalJSON encodes a with its Extra members.
func (a Address) MarshalJSON() ([]byte, error) {
	return encodeObject((*addressJSON)(&a), addressFields, a.Extra)
}

// UnmarshalJSON decodes an Address, keeping unmodelled members in Extra.
func (a *Address) UnmarshalJSON(b []byte) (err error) {
	a.Extra, err = decodeObject(b, (*addressJSON)(a), addressFields)
	return err
}

// EnterpriseUser is the enterprise User extension of RFC 7643 §4.3, found
// under its URN, EnterpriseUserSchema, in a User.
type EnterpriseUser struct {
	EmployeeNumber string   `json:"employeeNumber,omitempty"`
	CostCenter     string   `json:"costCenter,omitempty"`
	Organization   string   `json:"organization,omitempty"`
	Division       string   `json:"division,omitempty"`
	Department     string   `json:"department,omitempty"`
	Manager        *Manager `json:"manager,omitempty"`

	Extra Extra `json:"-"`
}

type enterpriseUserJSON EnterpriseUser

var enterpriseUserFields = fieldsOf[enterpriseUserJSON]()

// MarshalJSON encodes e with its Extra members.
func (e EnterpriseUser) MarshalJSON() ([]byte, error) {
	return encodeObject((*enterpriseUserJSON)(&e), enterpriseUserFields, e.Extra)
}

// UnmarshalJSON decodes an EnterpriseUser, keeping unmodelled members in
// Extra.
func (e *EnterpriseUser) UnmarshalJSON(b []byte) (err error) {
	e.Extra, err = decodeObject(b, (*enterpriseUserJSON)(e), enterpriseUserFields)
	return err
}

// Manager is the "manager" attribute of the enterprise User extension
// (RFC 7643 §4.3). Value is the manager's id.
type Manager struct {
	Value       string `json:"value,omitempty"`
	Ref         string `json:"$ref,omitempty"`
	DisplayName string `json:"displayName,omitempty"`

	Extra Extra `json:"-"`
}

type managerJSON Manager

var managerFields = fieldsOf[managerJSON]()

// MarshalJSON encodes m with its Extra members.
func (m Manager) MarshalJSON() ([]byte, error) {
	return encodeObject((*managerJSON)(&m), managerFields, m.Extra)
}

// UnmarshalJSON decodes a Manager, keeping unmodelled members in Extra. A
// bare string, as Microsoft Entra ID sends it, is read as the Value.
func (m *Manager) UnmarshalJSON(b []byte) (err error) {
	if len(b) > 0 && b[0] == '"' {
		*m = Manager{}
		return json.Unmarshal(b, &m.Value)
	}
	m.Extra, err = decodeObject(b, (*managerJSON)(m), managerFields)
	return err
}
