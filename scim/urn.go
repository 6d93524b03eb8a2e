package scim

// Schema URNs defined by RFC 7643 and message URNs defined by RFC 7644 §8.2.
const (
	UserSchema           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeSchema          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"

	ListResponseMessage  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SearchRequestMessage = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	PatchOpMessage       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	BulkRequestMessage   = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseMessage  = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	ErrorMessage         = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// MediaType is the SCIM media type of RFC 7644 §8.1.
const MediaType = "application/scim+json"
