package schema

import "github.com/scimd/scimd/scim"

// The schemas of the discovery resources, served at /Schemas next to the
// resource schemas (RFC 7644 §4). They reproduce RFC 7643 §8.7.2 as
// published, quirks included, so that a client comparing them with the RFC
// finds no difference; each doc comment names the quirks. Every attribute is
// readOnly: clients cannot change discovery resources.

// ServiceProviderConfigSchema returns the schema of the ServiceProviderConfig
// resource (RFC 7643 §5) as RFC 7643 §8.7.2 represents it. As published, it
// declares no "etag" attribute, and "authenticationSchemes" has no "type" or
// "primary" sub-attribute, although §5 defines them and the §8.5 example uses
// them (RFC 7643 erratum 7921 reports the authenticationSchemes gap).
func ServiceProviderConfigSchema() *scim.Schema {
	supported := func() *scim.Attribute {
		return required(boolean("supported", "A Boolean value specifying whether or not the operation is supported."))
	}
	return &scim.Schema{
		ID:          scim.ServiceProviderConfigSchema,
		Name:        "Service Provider Configuration",
		Description: "Schema for representing the service provider's configuration",
		Attributes: discovery(
			ref("documentationUri", "An HTTP-addressable URL pointing to the service provider's human-consumable help documentation.", "external"),
			required(complexAttr("patch", "A complex type that specifies PATCH configuration options.", false, supported())),
			required(complexAttr("bulk", "A complex type that specifies bulk configuration options.", false,
				supported(),
				required(integer("maxOperations", "An integer value specifying the maximum number of operations.")),
				required(integer("maxPayloadSize", "An integer value specifying the maximum payload size in bytes.")),
			)),
			required(complexAttr("filter", "A complex type that specifies FILTER options.", false,
				supported(),
				required(integer("maxResults", "An integer value specifying the maximum number of resources returned in a response.")),
			)),
			required(complexAttr("changePassword", "A complex type that specifies configuration options related to changing a password.", false, supported())),
			required(complexAttr("sort", "A complex type that specifies sort result options.", false, supported())),
			required(complexAttr("authenticationSchemes", "A complex type that specifies supported authentication scheme properties.", true,
				required(str("name", "The common authentication scheme name, e.g., HTTP Basic.")),
				required(str("description", "A description of the authentication scheme.")),
				ref("specUri", "An HTTP-addressable URL pointing to the authentication scheme's specification.", "external"),
				ref("documentationUri", "An HTTP-addressable URL pointing to the authentication scheme's usage documentation.", "external"),
			)),
		),
	}
}

// ResourceTypeSchema returns the schema of the ResourceType resource
// (RFC 7643 §6) as RFC 7643 §8.7.2 represents it. As published,
// "schemaExtensions" is single-valued and required, although §6 describes a
// list and the Group resource type of the §8.6 example has none.
func ResourceTypeSchema() *scim.Schema {
	return &scim.Schema{
		ID:          scim.ResourceTypeSchema,
		Name:        "ResourceType",
		Description: "Specifies the schema that describes a SCIM resource type",
		Attributes: discovery(
			str("id", "The resource type's server unique id. May be the same as the 'name' attribute."),
			required(str("name", "The resource type name.  When applicable, service providers MUST specify the name, e.g., 'User'.")),
			str("description", "The resource type's human-readable description.  When applicable, service providers MUST specify the description."),
			required(ref("endpoint", "The resource type's HTTP-addressable endpoint relative to the Base URL, e.g., '/Users'.", "uri")),
			required(withCaseExact(ref("schema", "The resource type's primary/base schema URI.", "uri"))),
			required(complexAttr("schemaExtensions", "A list of URIs of the resource type's schema extensions.", false,
				required(withCaseExact(ref("schema", "The URI of a schema extension.", "uri"))),
				required(boolean("required", "A Boolean value that specifies whether or not the schema extension is required for the resource type.  If true, a resource of this type MUST include this schema extension and also include any attributes declared as required in this schema extension. If false, a resource of this type MAY omit this schema extension.")),
			)),
		),
	}
}

// SchemaSchema returns the schema of the Schema resource (RFC 7643 §7) as
// RFC 7643 §8.7.2 represents it. As published: the "description" attribute
// repeats the description of "name"; "type" does not list "binary" (§2.3.6)
// among its canonical values; the "referenceTypes" of "subAttributes" is
// single-valued while that of "attributes" is multi-valued; and "attributes"
// has the complex sub-attribute "subAttributes", which §2.3.8 does not allow
// in the schemas of resources, so NewRegistry would reject this schema.
func SchemaSchema() *scim.Schema {
	const nameDesc = "The schema's human-readable name.  When applicable, service providers MUST specify the name, e.g., 'User'."
	return &scim.Schema{
		ID:          scim.SchemaSchema,
		Name:        "Schema",
		Description: "Specifies the schema that describes a SCIM schema",
		Attributes: discovery(
			required(str("id", "The unique URI of the schema. When applicable, service providers MUST specify the URI.")),
			required(str("name", nameDesc)),
			str("description", nameDesc), // sic: §8.7.2 repeats the description of "name"
			required(complexAttr("attributes", "A complex attribute that includes the attributes of a schema.", true,
				append(attributeCharacteristics(true),
					complexAttr("subAttributes", "Used to define the sub-attributes of a complex attribute.", true,
						attributeCharacteristics(false)...),
				)...,
			)),
		),
	}
}

// attributeCharacteristics returns the sub-attributes with which RFC 7643
// §8.7.2 describes an attribute, from "name" to "referenceTypes".
// multiRefTypes is false for those of "subAttributes", where §8.7.2 makes
// "referenceTypes" single-valued.
func attributeCharacteristics(multiRefTypes bool) []*scim.Attribute {
	canonical := withCaseExact(str("canonicalValues", "A collection of canonical values.  When applicable, service providers MUST specify the canonical types, e.g., 'work', 'home'."))
	canonical.MultiValued = true
	refTypes := withCaseExact(str("referenceTypes", "Used only with an attribute of type 'reference'.  Specifies a SCIM resourceType that a reference attribute MAY refer to, e.g., 'User'."))
	refTypes.MultiValued = multiRefTypes
	return []*scim.Attribute{
		required(withCaseExact(str("name", "The attribute's name."))),
		required(withCanonical(str("type", "The attribute's data type. Valid values include 'string', 'complex', 'boolean', 'decimal', 'integer', 'dateTime', 'reference'."),
			"string", "complex", "boolean", "decimal", "integer", "dateTime", "reference")),
		required(boolean("multiValued", "A Boolean value indicating an attribute's plurality.")),
		withCaseExact(str("description", "A human-readable description of the attribute.")),
		boolean("required", "A boolean value indicating whether or not the attribute is required."),
		canonical,
		boolean("caseExact", "A Boolean value indicating whether or not a string attribute is case sensitive."),
		withCaseExact(withCanonical(str("mutability", "Indicates whether or not an attribute is modifiable."),
			"readOnly", "readWrite", "immutable", "writeOnly")),
		withCaseExact(withCanonical(str("returned", "Indicates when an attribute is returned in a response (e.g., to a query)."),
			"always", "never", "default", "request")),
		withCaseExact(withCanonical(str("uniqueness", "Indicates how unique a value must be."),
			"none", "server", "global")),
		refTypes,
	}
}

// discovery marks attrs, and all their sub-attributes, readOnly and fills in
// the other defaults of RFC 7643 §2.2.
func discovery(attrs ...*scim.Attribute) []*scim.Attribute {
	for _, a := range attrs {
		readOnly(a)
	}
	return withDefaults(attrs)
}
