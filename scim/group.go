package scim

// Group is the Group resource of RFC 7643 §4.2. Members it does not define
// are kept in Extra, as for User; when encoded with no Schemas, "schemas" is
// filled in with the core Group schema and the URNs of extension objects in
// Extra.
type Group struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id,omitempty"`
	ExternalID  string   `json:"externalId,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	Members     []Member `json:"members,omitempty"`
	Meta        *Meta    `json:"meta,omitempty"`

	Extra Extra `json:"-"`
}

type groupJSON Group

var groupFields = fieldsOf[groupJSON]()

// MarshalJSON encodes g with its Extra members and completed "schemas".
func (g Group) MarshalJSON() ([]byte, error) {
	g.Schemas = completeSchemas(g.Schemas, GroupSchema, g.Extra)
	return encodeObject((*groupJSON)(&g), groupFields, g.Extra)
}

// UnmarshalJSON decodes a Group, keeping unmodelled members in Extra.
func (g *Group) UnmarshalJSON(b []byte) (err error) {
	g.Extra, err = decodeObject(b, (*groupJSON)(g), groupFields)
	return err
}

// The values of a Member's Type (RFC 7643 §4.2).
const (
	MemberUser  = "User"
	MemberGroup = "Group"
)

// Member is one value of a Group's "members" (RFC 7643 §4.2): a User or a
// Group, identified by its id in Value.
type Member struct {
	Value   string `json:"value,omitempty"`
	Ref     string `json:"$ref,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`

	Extra Extra `json:"-"`
}

type memberJSON Member

var memberFields = fieldsOf[memberJSON]()

// MarshalJSON encodes m with its Extra members.
func (m Member) MarshalJSON() ([]byte, error) {
	return encodeObject((*memberJSON)(&m), memberFields, m.Extra)
}

// UnmarshalJSON decodes a Member, keeping unmodelled members in Extra.
func (m *Member) UnmarshalJSON(b []byte) (err error) {
	m.Extra, err = decodeObject(b, (*memberJSON)(m), memberFields)
	return err
}
