package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/server"
	"github.com/scimd/scimd/internal/store"
	"github.com/scimd/scimd/internal/store/sqlstore"
)

// domainRE is what a tenant domain may look like: DNS labels.
var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)

// tenant runs "scimd tenant create DOMAIN --admin-password PW".
func tenant(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("tenant", "scimd tenant create DOMAIN --admin-password PW [--db DSN]", stderr)
	db := fs.String("db", "sqlite:./scimd.db", dbUsage)
	password := fs.String("admin-password", "", "password of the tenant's admin, who logs in as admin@DOMAIN")
	schemaPath := fs.String("schemas", "", schemasUsage)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := applyEnv(fs, getenv); err != nil {
		return errUsage{err.Error()}
	}
	if len(pos) != 2 || pos[0] != "create" {
		return errUsage{"usage: scimd tenant create DOMAIN --admin-password PW"}
	}
	domain := strings.ToLower(pos[1])
	if len(domain) > 253 || !domainRE.MatchString(domain) {
		return errUsage{fmt.Sprintf("%q is not a domain name (letters, digits, hyphens and dots)", pos[1])}
	}
	if *password == "" {
		return errUsage{"--admin-password is required"}
	}
	st, err := openConfigured(ctx, *db, *schemaPath, sqlstore.Options{Indexes: sqlstore.KeepIndexes})
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = server.Bootstrap(ctx, st, st.Registry(), auth.NewHasher(auth.DefaultParams, 0), domain, *password, time.Now())
	if errors.Is(err, store.ErrTenantExists) {
		return fmt.Errorf("tenant %s exists already", domain)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created tenant %s. Its administrator logs in as %s@%s at /t/%s/scim2.\n", domain, server.AdminUserName, domain, domain)
	return nil
}
