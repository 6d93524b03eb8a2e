package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scimd/scimd/scim/filter"
	"github.com/scimd/scimd/scim/schema"
)

// Sentinel errors. Backends wrap or return them; callers test with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is a uniqueness violation; a *UniqueError carries details.
	ErrConflict = errors.New("store: uniqueness conflict")
	// ErrVersionMismatch means the resource changed since the version the
	// caller expected (If-Match).
	ErrVersionMismatch = errors.New("store: version mismatch")
	// ErrMemberNotFound means a group member does not exist in the tenant;
	// a *MemberError names the members.
	ErrMemberNotFound = errors.New("store: member not found")
	// ErrSelfMember means a group was made a member of itself.
	ErrSelfMember = errors.New("store: a group can't be a member of itself")
	// ErrExists is returned when creating a client or token whose id exists.
	ErrExists = errors.New("store: exists")
	// ErrTenantExists is returned by CreateTenant for an existing domain.
	ErrTenantExists = errors.New("store: tenant exists")
)

// UniqueError is a uniqueness violation on an attribute (RFC 7643
// uniqueness "server").
type UniqueError struct {
	Attr  string // canonical attribute path, e.g. "userName"
	Value string
}

func (e *UniqueError) Error() string {
	return fmt.Sprintf("%s %q is already taken", e.Attr, e.Value)
}

// Is makes a *UniqueError match ErrConflict.
func (e *UniqueError) Is(target error) bool { return target == ErrConflict }

// MemberError lists members that don't exist in the tenant.
type MemberError struct{ IDs []string }

func (e *MemberError) Error() string {
	return "no such member: " + strings.Join(e.IDs, ", ")
}

// Is makes a *MemberError match ErrMemberNotFound.
func (e *MemberError) Is(target error) bool { return target == ErrMemberNotFound }

// DefaultTenant is the domain of the tenant served without a /t/{domain} prefix.
const DefaultTenant = ""

// Resource is a stored SCIM resource.
type Resource struct {
	Type         string // resource type name, e.g. "User"
	ID           string
	Version      int64 // starts at 1, incremented by every change
	Created      time.Time
	LastModified time.Time
	// Doc holds the attributes in canonical form (schema.Normalize):
	// without id, meta, schemas, a group's members, a user's groups and
	// the password, which are kept apart.
	Doc map[string]any
	// Members are a group's direct members, in the order they were added.
	// Nil unless loaded (Load.Members).
	Members []Member
	// Groups are the groups a resource belongs to, directly or through
	// nested groups. Nil unless loaded (Load.Groups).
	Groups []GroupRef
	// Memo is set on a resource the store keeps and hands to every Get of
	// it until it changes: there a caller may keep what it derives from
	// the resource (a rendering, always of one type), which is dropped
	// with it. Nil otherwise.
	Memo *atomic.Value
}

// Member is a member of a group.
type Member struct {
	ID      string
	Type    string // resource type of the member: "User" or "Group"
	Display string
}

// GroupRef is a group a resource belongs to.
type GroupRef struct {
	ID      string
	Display string
	Direct  bool
}

// Load says which relations to load with a resource.
type Load struct {
	Members bool // a group's members
	Groups  bool // the groups of a user (or group)
}

// Change is what an update writes. Nil fields are left as they are.
type Change struct {
	Doc          map[string]any // the new attributes, replacing the old
	PasswordHash *string        // users: a new password hash ("" clears it)
	Members      *MemberChange  // groups: membership changes
	LastModified time.Time
}

// MemberChange changes a group's membership. Removal is applied first:
// RemoveAll, then Remove; then Add. Adding a present member and removing an
// absent one are no-ops. Each costs what it touches, never the group's size.
type MemberChange struct {
	RemoveAll bool
	Remove    []string // member ids
	Add       []string // member ids
}

// Query selects a page of resources of one or more types.
type Query struct {
	Types      []Selection // at least one
	Descending bool
	Offset     int // 0-based; ignored when paging by position
	Count      int // page size; 0 returns only the total
	// After and Before page by position (keyset pagination): the page
	// holds the resources that follow After, or precede Before, in the
	// query's order.
	After, Before *Position
	NoTotal       bool // don't count the matches (Page.Total is then 0)
	Load          Load
	// Refs maps resource type names to the URL prefix of their resources
	// ("https://host/scim2/Users/"), for filters on $ref and meta.location.
	Refs map[string]string
}

// Selection is the part of a query about one resource type.
type Selection struct {
	Type   string
	Filter filter.Expr  // bound to the type; nil selects all
	SortBy *schema.Path // nil: creation order
}

// Position is where a resource stands in a query's order: the value it
// sorts by and its place among equal values. It is opaque outside the
// store; clients get it sealed in a cursor.
type Position struct {
	Key any   // the sort value: nil, string, int64 or float64
	Row int64 // breaks ties
}

// Page is the result of List.
type Page struct {
	Total     int
	Resources []*Resource
	// First and Last are the positions of the page's first and last
	// resources; More reports that resources follow Last (or, when paging
	// with Before, precede First).
	First, Last *Position
	More        bool
}

// Credential is what password authentication needs of a user.
type Credential struct {
	ID           string
	UserName     string
	PasswordHash string
}

// Client is an OAuth 2.0 client of the token endpoint (RFC 6749 §4.4).
type Client struct {
	ID         string
	Name       string
	SecretHash string
	Scopes     []string
	Profile    string // compatibility profile of its tokens
	Created    time.Time
}

// Token is a long-lived API token. Its secret is known only by its hash.
type Token struct {
	ID      string
	Hash    []byte // SHA-256 of the token
	Name    string
	Scopes  []string
	Profile string
	Created time.Time
	Expires time.Time // zero: never
	Revoked bool
}

// SigningKey is a key signing a tenant's access tokens.
type SigningKey struct {
	ID      string // the JWT "kid"
	Alg     string
	Private []byte // PKCS #8, DER
	Created time.Time
}

// Store is scimd's storage. Implementations are safe for concurrent use.
// Every write is one transaction; an acknowledged write is durable.
type Store interface {
	// Bootstrap creates, in one transaction, a tenant (unless it is the
	// default tenant, which always exists), an administrator with a
	// password, and a group holding it. It returns ErrTenantExists or a
	// *UniqueError if the tenant or the user exists already.
	Bootstrap(ctx context.Context, tenant string, admin *Resource, passwordHash string, group *Resource) error
	// CreateTenant creates a tenant; the default tenant always exists.
	CreateTenant(ctx context.Context, domain string) error
	// TenantExists reports whether domain is a tenant.
	TenantExists(ctx context.Context, domain string) (bool, error)

	// Create stores a new resource, with its members and password hash.
	Create(ctx context.Context, tenant string, r *Resource, members []string, passwordHash string) error
	// Get returns a resource, or ErrNotFound. The resource may be shared
	// with other callers (a store may keep what it read): don't modify it.
	Get(ctx context.Context, tenant, typ, id string, load Load) (*Resource, error)
	// Update reads a resource and writes the Change fn returns, in one
	// transaction, then returns the stored result with load's relations.
	// fn sees the resource with the relations of readLoad. A nil Change
	// (or one changing nothing) writes nothing and keeps the version.
	Update(ctx context.Context, tenant, typ, id string, readLoad, load Load, fn func(*Resource) (*Change, error)) (*Resource, error)
	// Delete removes a resource and its memberships. If match is not nil
	// it is called with the stored version inside the transaction, and an
	// error from it (e.g. ErrVersionMismatch) aborts the delete.
	Delete(ctx context.Context, tenant, typ, id string, match func(version int64) error) error
	// List returns one page of a query and the total number of matches.
	List(ctx context.Context, tenant string, q Query) (*Page, error)

	// CountLacking counts the resources of a type, in every tenant, that
	// hold no value under the given top-level key of their document (an
	// attribute name or an extension's URN): the check before an
	// extension or attribute becomes required.
	CountLacking(ctx context.Context, typ, key string) (int, error)

	// Credential returns the password credential of the user with the given
	// userName (case-insensitively), or ErrNotFound.
	Credential(ctx context.Context, tenant, userName string) (*Credential, error)

	// GroupValues returns the distinct values of an indexed Group attribute
	// (a canonical path, e.g. the authorization scopes) over every group
	// the resource id belongs to, directly or through nested groups.
	GroupValues(ctx context.Context, tenant, id, attr string) ([]string, error)

	// CreateClient stores an OAuth client, or returns ErrExists.
	CreateClient(ctx context.Context, tenant string, c *Client) error
	// Client returns an OAuth client, or ErrNotFound.
	Client(ctx context.Context, tenant, id string) (*Client, error)

	// CreateToken stores an API token, or returns ErrExists.
	CreateToken(ctx context.Context, tenant string, t *Token) error
	// TokenByHash returns the token with the given hash and its tenant,
	// revoked or not, or ErrNotFound.
	TokenByHash(ctx context.Context, hash []byte) (tenant string, t *Token, err error)
	// Tokens lists a tenant's tokens, oldest first.
	Tokens(ctx context.Context, tenant string) ([]*Token, error)
	// RevokeToken revokes a tenant's token, or returns ErrNotFound.
	RevokeToken(ctx context.Context, tenant, id string) error

	// SigningKeys returns a tenant's signing keys, newest first.
	SigningKeys(ctx context.Context, tenant string) ([]*SigningKey, error)
	// AddSigningKey stores a signing key for a tenant.
	AddSigningKey(ctx context.Context, tenant string, k *SigningKey) error

	// Secret returns the named random key shared by everyone using the
	// database, creating it on first use.
	Secret(ctx context.Context, name string) ([]byte, error)

	// CountLoginAttempts counts an attempt to log in under each of keys
	// (accounts of the tenant, in the caller's terms; any strings) at now,
	// in one transaction, and returns for each the attempts counted in its
	// window: the window that began with the first attempt after the last
	// one ended (window long before). Every process using the database
	// counts in the same windows, so concurrent attempts anywhere all
	// count. Ended windows are forgotten.
	CountLoginAttempts(ctx context.Context, tenant string, keys []string, now time.Time, window time.Duration) ([]LoginCount, error)
	// ClearLoginAttempts forgets the attempts counted under keys.
	ClearLoginAttempts(ctx context.Context, tenant string, keys ...string) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// LoginCount is the number of login attempts counted under a key in its
// current window, which began at Since.
type LoginCount struct {
	N     int
	Since time.Time
}
