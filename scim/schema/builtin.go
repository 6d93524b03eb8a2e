package schema

import "github.com/scimd/scimd/scim"

// The definitions below follow the JSON representation of RFC 7643 §8.7
// attribute for attribute: names, order, characteristics and descriptions
// (lines the RFC wraps are joined with one space). rfc_test.go compares them
// with the RFC's JSON in testdata/rfc7643 and lists every deliberate
// deviation. Characteristics left empty take the defaults of RFC 7643 §2.2
// (see withDefaults).

func str(name, desc string) *scim.Attribute {
	return &scim.Attribute{Name: name, Type: scim.String, Description: desc}
}

func boolean(name, desc string) *scim.Attribute {
	return &scim.Attribute{Name: name, Type: scim.Boolean, Description: desc}
}

func integer(name, desc string) *scim.Attribute {
	return &scim.Attribute{Name: name, Type: scim.Integer, Description: desc}
}

// ref returns a reference attribute. Like every attribute it is not caseExact
// unless marked so (RFC 7643 §2.2); §8.7 marks only some references caseExact.
func ref(name, desc string, types ...string) *scim.Attribute {
	return &scim.Attribute{Name: name, Type: scim.Reference, Description: desc, ReferenceTypes: types}
}

func complexAttr(name, desc string, multi bool, subs ...*scim.Attribute) *scim.Attribute {
	return &scim.Attribute{Name: name, Type: scim.Complex, Description: desc, MultiValued: multi, SubAttributes: subs}
}

func withCanonical(a *scim.Attribute, values ...string) *scim.Attribute {
	a.CanonicalValues = values
	return a
}

func withCaseExact(a *scim.Attribute) *scim.Attribute {
	a.CaseExact = true
	return a
}

func required(a *scim.Attribute) *scim.Attribute {
	a.Required = true
	return a
}

func readOnly(a *scim.Attribute) *scim.Attribute {
	a.Mutability = scim.ReadOnly
	for _, s := range a.SubAttributes {
		readOnly(s)
	}
	return a
}

func immutable(a *scim.Attribute) *scim.Attribute {
	a.Mutability = scim.Immutable
	return a
}

// Descriptions RFC 7643 §8.7.1 repeats in several multi-valued attributes.
const (
	displayDesc = "A human-readable name, primarily used for display purposes.  READ-ONLY."
	labelDesc   = "A label indicating the attribute's function."
	primaryDesc = "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once."
)

// multiValue returns the sub-attributes RFC 7643 §2.4 gives a multi-valued
// attribute: value, display, type and primary. The "display" sub-attribute
// is readWrite in §8.7.1 although its description says READ-ONLY.
func multiValue(value *scim.Attribute, typeDesc, primary string, canonical ...string) []*scim.Attribute {
	return []*scim.Attribute{
		value,
		str("display", displayDesc),
		withCanonical(str("type", typeDesc), canonical...),
		boolean("primary", primary),
	}
}

// commonAttributes are the attributes of RFC 7643 §3.1 that every resource
// has and no schema lists.
func commonAttributes() []*scim.Attribute {
	id := str("id", "A unique identifier for a SCIM resource as defined by the service provider.")
	id.CaseExact, id.Mutability, id.Returned, id.Uniqueness = true, scim.ReadOnly, scim.ReturnedAlways, scim.UniqueServer
	ext := str("externalId", "A String that is an identifier for the resource as defined by the provisioning client.")
	ext.CaseExact = true
	created := &scim.Attribute{Name: "created", Type: scim.DateTime, Description: "The DateTime that the resource was added to the service provider."}
	modified := &scim.Attribute{Name: "lastModified", Type: scim.DateTime, Description: "The most recent DateTime that the details of this resource were updated at the service provider."}
	meta := readOnly(complexAttr("meta", "A complex attribute containing resource metadata.", false,
		withCaseExact(str("resourceType", "The name of the resource type of the resource.")),
		created,
		modified,
		withCaseExact(ref("location", "The URI of the resource being returned.", "uri")),
		withCaseExact(str("version", "The version of the resource being returned.")),
	))
	return withDefaults([]*scim.Attribute{id, ext, meta})
}

// UserSchema returns the core User schema of RFC 7643 §4.1 as §8.7.1
// represents it, except that "addresses" has the optional "primary"
// sub-attribute that §2.4 defines for multi-valued attributes and the §8.2
// example uses; §8.7.1 omits it.
func UserSchema() *scim.Schema {
	userName := required(str("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED."))
	userName.Uniqueness = scim.UniqueServer
	password := str("password", "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.")
	password.Mutability, password.Returned = scim.WriteOnly, scim.ReturnedNever
	emailsDesc := "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'."
	groups := readOnly(complexAttr("groups", "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.", true,
		str("value", "The identifier of the User's group."),
		ref("$ref", "The URI of the corresponding 'Group' resource to which the user belongs.", "User", "Group"),
		str("display", displayDesc),
		withCanonical(str("type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'."), "direct", "indirect"),
	))
	return &scim.Schema{
		ID:          scim.UserSchema,
		Name:        "User",
		Description: "User Account",
		Attributes: withDefaults([]*scim.Attribute{
			userName,
			complexAttr("name", "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.", false,
				str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
				str("familyName", "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III')."),
				str("givenName", "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III')."),
				str("middleName", "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
				str("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III')."),
				str("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III')."),
			),
			str("displayName", "The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known."),
			str("nickName", "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge')."),
			ref("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", "external"),
			str("title", "The user's title, such as \"Vice President.\""),
			str("userType", "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
			str("preferredLanguage", "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
			str("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
			str("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
			boolean("active", "A Boolean value indicating the User's administrative status."),
			password,
			complexAttr("emails", emailsDesc, true, multiValue(str("value", emailsDesc),
				"A label indicating the attribute's function, e.g., 'work' or 'home'.",
				"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.",
				"work", "home", "other")...),
			complexAttr("phoneNumbers", "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.", true,
				multiValue(str("value", "Phone number of the User."),
					"A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number.  The primary attribute value 'true' MUST appear no more than once.",
					"work", "home", "mobile", "fax", "pager", "other")...),
			complexAttr("ims", "Instant messaging addresses for the User.", true,
				multiValue(str("value", "Instant messaging address for the User."),
					"A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger.  The primary attribute value 'true' MUST appear no more than once.",
					"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo")...),
			complexAttr("photos", "URLs of photos of the User.", true,
				multiValue(ref("value", "URL of a photo of the User.", "external"),
					"A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
					"A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.  The primary attribute value 'true' MUST appear no more than once.",
					"photo", "thumbnail")...),
			complexAttr("addresses", "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes.", true,
				str("formatted", "The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines."),
				str("streetAddress", "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines."),
				str("locality", "The city or locality component."),
				str("region", "The state or region component."),
				str("postalCode", "The zip code or postal code component."),
				str("country", "The country name component."),
				withCanonical(str("type", "A label indicating the attribute's function, e.g., 'work' or 'home'."), "work", "home", "other"),
				// Not in §8.7.1; see the doc comment.
				boolean("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once."),
			),
			groups,
			complexAttr("entitlements", "A list of entitlements for the User that represent a thing the User has.", true,
				multiValue(str("value", "The value of an entitlement."), labelDesc, primaryDesc)...),
			complexAttr("roles", "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.", true,
				multiValue(str("value", "The value of a role."), labelDesc, primaryDesc)...),
			complexAttr("x509Certificates", "A list of certificates issued to the User.", true,
				multiValue(&scim.Attribute{Name: "value", Type: scim.Binary, Description: "The value of an X.509 certificate."}, labelDesc, primaryDesc)...),
		}),
	}
}

// GroupSchema returns the core Group schema of RFC 7643 §4.2 as §8.7.1
// represents it, except where that representation contradicts the RFC's own
// text: displayName is REQUIRED (§4.2; §8.7.1 says "required" : false), and
// members carry the read-only "display" that the §8.4 example and the PATCH
// examples of RFC 7644 §3.5.2.1 show.
func GroupSchema() *scim.Schema {
	return &scim.Schema{
		ID:          scim.GroupSchema,
		Name:        "Group",
		Description: "Group",
		Attributes: withDefaults([]*scim.Attribute{
			required(str("displayName", "A human-readable name for the Group. REQUIRED.")),
			complexAttr("members", "A list of members of the Group.", true,
				immutable(str("value", "Identifier of the member of this Group.")),
				immutable(ref("$ref", "The URI corresponding to a SCIM resource that is a member of this Group.", "User", "Group")),
				immutable(withCanonical(str("type", "A label indicating the type of resource, e.g., 'User' or 'Group'."), "User", "Group")),
				// Not in §8.7.1; see the doc comment.
				readOnly(str("display", displayDesc)),
			),
		}),
	}
}

// EnterpriseUserSchema returns the Enterprise User extension of RFC 7643
// §4.3 as §8.7.1 represents it. Like §8.7.1, it leaves manager.value and
// manager.$ref optional although their descriptions say REQUIRED.
func EnterpriseUserSchema() *scim.Schema {
	return &scim.Schema{
		ID:          scim.EnterpriseUserSchema,
		Name:        "EnterpriseUser",
		Description: "Enterprise User",
		Attributes: withDefaults([]*scim.Attribute{
			str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
			str("costCenter", "Identifies the name of a cost center."),
			str("organization", "Identifies the name of an organization."),
			str("division", "Identifies the name of a division."),
			str("department", "Identifies the name of a department."),
			complexAttr("manager", "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.", false,
				str("value", "The id of the SCIM resource representing the User's manager.  REQUIRED."),
				ref("$ref", "The URI of the SCIM resource representing the User's manager.  REQUIRED.", "User"),
				readOnly(str("displayName", "The displayName of the User's manager. OPTIONAL and READ-ONLY.")),
			),
		}),
	}
}

// withDefaults fills the characteristics a definition leaves empty with the
// defaults of RFC 7643 §2.2 and returns attrs.
func withDefaults(attrs []*scim.Attribute) []*scim.Attribute {
	for _, a := range attrs {
		if a.Mutability == "" {
			a.Mutability = scim.ReadWrite
		}
		if a.Returned == "" {
			a.Returned = scim.ReturnedDefault
		}
		if a.Uniqueness == "" {
			a.Uniqueness = scim.UniqueNone
		}
		withDefaults(a.SubAttributes)
	}
	return attrs
}
