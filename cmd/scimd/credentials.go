package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
)

// credentialFlags are the flags client and token commands share.
type credentialFlags struct {
	db, tenant, scopes, profile, name, schemas string
}

func (c *credentialFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "sqlite:./scimd.db", dbUsage)
	fs.StringVar(&c.tenant, "tenant", "", "tenant domain (default: the default tenant)")
	fs.StringVar(&c.scopes, "scopes", "", "space-separated scopes, e.g. \"internal_user_mgt_create internal_user_mgt_list\"")
	fs.StringVar(&c.profile, "profile", server.ProfileRFC, "compatibility profile of its requests: rfc, entra or okta")
	fs.StringVar(&c.name, "name", "", "a name to recognise it by")
	fs.StringVar(&c.schemas, "schemas", "", schemasUsage)
}

// open validates the scopes (those of the schema registry) and the
// profile, and opens the store on an existing tenant.
func (c *credentialFlags) open(ctx context.Context) (*sqlstore.DB, []string, error) {
	sch, err := loadSchemas(c.schemas)
	if err != nil {
		return nil, nil, err
	}
	known := server.Scopes(sch.reg)
	scopes := strings.Fields(c.scopes)
	if len(scopes) == 0 {
		return nil, nil, errUsage{"--scopes is required: one or more of " + strings.Join(known, " ")}
	}
	for _, sc := range scopes {
		if !slices.Contains(known, sc) {
			return nil, nil, errUsage{fmt.Sprintf("unknown scope %q; the scopes are %s", sc, strings.Join(known, " "))}
		}
	}
	switch c.profile {
	case server.ProfileRFC, server.ProfileEntra, server.ProfileOkta:
	default:
		return nil, nil, errUsage{fmt.Sprintf("--profile must be rfc, entra or okta, not %q", c.profile)}
	}
	st, err := c.openWith(ctx, sch)
	return st, scopes, err
}

// openStore opens the store on an existing tenant.
func (c *credentialFlags) openStore(ctx context.Context) (*sqlstore.DB, error) {
	sch, err := loadSchemas(c.schemas)
	if err != nil {
		return nil, err
	}
	return c.openWith(ctx, sch)
}

func (c *credentialFlags) openWith(ctx context.Context, sch *schemas) (*sqlstore.DB, error) {
	st, err := sch.open(ctx, c.db, sqlstore.Options{Indexes: sqlstore.KeepIndexes})
	if err != nil {
		return nil, err
	}
	if ok, err := st.TenantExists(ctx, c.tenant); err != nil || !ok {
		st.Close()
		return nil, errors.Join(err, fmt.Errorf("no tenant %q; create it with scimd tenant create", c.tenant))
	}
	return st, nil
}

// client runs "scimd client create".
func client(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c credentialFlags
	fs := newFlagSet("client", `scimd client create --name N --scopes "s1 s2" [--tenant DOMAIN] [--profile rfc|entra|okta]`, stderr)
	c.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := applyEnv(fs, getenv); err != nil {
		return errUsage{err.Error()}
	}
	if len(pos) != 1 || pos[0] != "create" {
		return errUsage{`usage: scimd client create --name N --scopes "s1 s2" [--tenant DOMAIN]`}
	}
	if c.name == "" {
		return errUsage{"--name is required"}
	}
	st, scopes, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	secret := auth.NewSecret()
	hash, err := auth.NewHasher(auth.DefaultParams, 0).Hash(ctx, secret)
	if err != nil {
		return err
	}
	id := "c_" + auth.NewSecret()[:22]
	err = st.CreateClient(ctx, c.tenant, &store.Client{ID: id, Name: c.name, SecretHash: hash, Scopes: scopes, Profile: c.profile, Created: time.Now().UTC()})
	if err != nil {
		return err
	}
	return printJSON(stdout, map[string]string{"client_id": id, "client_secret": secret})
}

// token runs "scimd token create|list|revoke".
func token(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	var c credentialFlags
	fs := newFlagSet("token", `scimd token create --scopes "..." [--tenant D] [--expires 365d] [--profile entra] | token list | token revoke ID`, stderr)
	c.register(fs)
	expires := fs.String("expires", "365d", "lifetime: a number of days (365d) or a Go duration (720h); 0 for none")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := applyEnv(fs, getenv); err != nil {
		return errUsage{err.Error()}
	}
	switch {
	case len(pos) == 1 && pos[0] == "create":
		return createToken(ctx, &c, *expires, stdout)
	case len(pos) == 1 && pos[0] == "list":
		return listTokens(ctx, &c, stdout)
	case len(pos) == 2 && pos[0] == "revoke":
		return revokeToken(ctx, &c, pos[1], stdout)
	}
	return errUsage{"usage: scimd token create --scopes \"...\" | scimd token list | scimd token revoke ID"}
}

func createToken(ctx context.Context, c *credentialFlags, expires string, stdout io.Writer) error {
	life, err := parseLifetime(expires)
	if err != nil {
		return err
	}
	st, scopes, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tok, hash := auth.NewToken()
	now := time.Now().UTC()
	t := &store.Token{ID: server.NewID(), Hash: hash, Name: c.name, Scopes: scopes, Profile: c.profile, Created: now}
	if life > 0 {
		t.Expires = now.Add(life)
	}
	if err := st.CreateToken(ctx, c.tenant, t); err != nil {
		return err
	}
	return printJSON(stdout, map[string]string{"token": tok, "id": t.ID})
}

// parseLifetime reads "365d", "720h" or "0".
func parseLifetime(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, errUsage{fmt.Sprintf("--expires %q: want a number of days such as 365d", s)}
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errUsage{fmt.Sprintf("--expires %q: want 365d or a duration such as 720h", s)}
	}
	return d, nil
}

type tokenInfo struct {
	ID      string     `json:"id"`
	Name    string     `json:"name,omitempty"`
	Scopes  []string   `json:"scopes"`
	Profile string     `json:"profile"`
	Created time.Time  `json:"created"`
	Expires *time.Time `json:"expires,omitempty"`
	Revoked bool       `json:"revoked"`
}

func listTokens(ctx context.Context, c *credentialFlags, stdout io.Writer) error {
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Tokens(ctx, c.tenant)
	if err != nil {
		return err
	}
	out := []tokenInfo{}
	for _, t := range list {
		info := tokenInfo{ID: t.ID, Name: t.Name, Scopes: t.Scopes, Profile: t.Profile, Created: t.Created, Revoked: t.Revoked}
		if !t.Expires.IsZero() {
			info.Expires = &t.Expires
		}
		out = append(out, info)
	}
	return printJSON(stdout, out)
}

func revokeToken(ctx context.Context, c *credentialFlags, id string, stdout io.Writer) error {
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RevokeToken(ctx, c.tenant, id); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no token %s in this tenant", id)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Revoked token %s.\n", id)
	return nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
