package auth

// The permission scopes of SPEC §3. Their names follow WSO2 Identity Server
// and Asgardeo, so that clients configured for those work unchanged.
const (
	UserCreate = "internal_user_mgt_create"
	UserList   = "internal_user_mgt_list"
	UserView   = "internal_user_mgt_view"
	UserUpdate = "internal_user_mgt_update"
	UserDelete = "internal_user_mgt_delete"

	GroupCreate = "internal_group_mgt_create"
	GroupView   = "internal_group_mgt_view"
	GroupUpdate = "internal_group_mgt_update"
	GroupDelete = "internal_group_mgt_delete"

	BulkCreate = "internal_bulk_resource_create"
)

// Scopes lists every built-in scope.
var Scopes = []string{
	UserCreate, UserList, UserView, UserUpdate, UserDelete,
	GroupCreate, GroupView, GroupUpdate, GroupDelete,
	BulkCreate,
}
