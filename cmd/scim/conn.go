package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/scimd/scimd/client"
)

// setting is a connection setting: a global flag, its environment twin and
// its key in a profile.
type setting struct {
	name   string // flag name and profile key
	env    string
	usage  string
	secret bool // never printed
}

var settings = []setting{
	{name: "url", env: "SCIM_URL", usage: "base URL of the service provider, e.g. https://host/scim2"},
	{name: "user", env: "SCIM_USER", usage: "user name for HTTP Basic authentication"},
	{name: "password", env: "SCIM_PASSWORD", usage: "password for HTTP Basic authentication", secret: true},
	{name: "token", env: "SCIM_TOKEN", usage: "bearer token", secret: true},
	{name: "client-id", env: "SCIM_CLIENT_ID", usage: "OAuth 2.0 client ID (client credentials grant)"},
	{name: "client-secret", env: "SCIM_CLIENT_SECRET", usage: "OAuth 2.0 client secret", secret: true},
	{name: "token-url", env: "SCIM_TOKEN_URL", usage: "OAuth 2.0 token endpoint (default: derived from --url)"},
	{name: "scopes", env: "SCIM_SCOPES", usage: "OAuth 2.0 scopes, separated by spaces or commas"},
	{name: "insecure", env: "SCIM_INSECURE", usage: "skip TLS certificate verification (testing only)"},
	{name: "profile", env: "SCIM_PROFILE", usage: "profile to use from the config file"},
	{name: "config", env: "SCIM_CONFIG", usage: "config file (default $XDG_CONFIG_HOME/scim/config.json)"},
}

// authMethods are the ways to authenticate, each named by the setting that
// chooses it and with the settings that go with it. The first source
// (flags, environment, profile) that chooses any method decides it.
var authMethods = []struct {
	choice     string
	companions []string
}{
	{choice: "token"},
	{choice: "client-id", companions: []string{"client-secret"}},
	{choice: "user", companions: []string{"password"}},
}

// globalFlagTakesValue reports whether name is a global flag and whether it
// takes a value.
func globalFlagTakesValue(name string) (takes, known bool) {
	if name == "o" {
		return true, true
	}
	for _, s := range settings {
		if s.name == name {
			return s.name != "insecure", true
		}
	}
	return false, false
}

// connFlags holds the connection settings given as flags.
type connFlags struct {
	values   map[string]*string
	insecure bool
	visited  map[string]bool
}

func (c *connFlags) register(fs *flag.FlagSet) {
	c.values = make(map[string]*string)
	for _, s := range settings {
		if s.name == "insecure" {
			fs.BoolVar(&c.insecure, s.name, false, s.usage)
			continue
		}
		c.values[s.name] = fs.String(s.name, "", s.usage)
	}
}

// connection is the resolved settings.
type connection map[string]string

// resolve merges the settings from flags, the environment and the profile,
// in that order of precedence.
func (c *connFlags) resolve(getenv func(string) string) (connection, error) {
	flags, env := make(connection), make(connection)
	for _, s := range settings {
		switch {
		case !c.visited[s.name]:
		case s.name == "insecure":
			flags[s.name] = fmt.Sprint(c.insecure)
		default:
			flags[s.name] = *c.values[s.name]
		}
		if v := getenv(s.env); v != "" {
			env[s.name] = v
		}
	}
	profile, err := loadProfile(cmpOr(flags["config"], env["config"]), cmpOr(flags["profile"], env["profile"]), getenv)
	if err != nil {
		return nil, err
	}
	return merge(flags, env, profile), nil
}

// merge takes each setting from the first source that has it; then it
// keeps only the authentication methods that the first source to choose
// any chooses, so that, say, --token overrides SCIM_USER.
func merge(sources ...connection) connection {
	out := make(connection)
	for _, s := range settings {
		for _, src := range sources {
			if v, ok := src[s.name]; ok {
				out[s.name] = v
				break
			}
		}
	}
	for _, src := range sources {
		if !choosesAuth(src) {
			continue
		}
		for _, m := range authMethods {
			if src[m.choice] == "" {
				delete(out, m.choice)
				for _, c := range m.companions {
					delete(out, c)
				}
			}
		}
		break
	}
	return out
}

func choosesAuth(c connection) bool {
	for _, m := range authMethods {
		if c[m.choice] != "" {
			return true
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// configFile is the format of the config file:
//
//	{"default": "prod", "profiles": {"prod": {"url": "https://...", "client-id": "..."}}}
//
// A profile's keys are the global flags' names.
type configFile struct {
	Default  string                       `json:"default"`
	Profiles map[string]map[string]string `json:"profiles"`
}

// loadProfile reads the named profile, or the default one, from the config
// file at path or at the default path. A missing default file is no error.
func loadProfile(path, name string, getenv func(string) string) (connection, error) {
	explicit := path != ""
	if !explicit {
		path = defaultConfigPath(getenv)
	}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !explicit && name == "":
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("config: %w", err)
	}
	var cfg configFile
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	name = cmpOr(name, cfg.Default)
	if name == "" {
		return nil, nil
	}
	p, ok := cfg.Profiles[name]
	if !ok {
		return nil, fmt.Errorf("config %s: no profile %q", path, name)
	}
	for k := range p {
		if _, known := globalFlagTakesValue(k); !known || k == "o" || k == "profile" || k == "config" {
			return nil, fmt.Errorf("config %s: profile %q: unknown setting %q", path, name, k)
		}
	}
	return connection(p), nil
}

func defaultConfigPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		dir = filepath.Join(getenv("HOME"), ".config")
	}
	return filepath.Join(dir, "scim", "config.json")
}

// newClient returns a client for the resolved connection.
func (a *app) newClient(ctx context.Context) (*client.Client, error) {
	conn, err := a.conn.resolve(a.getenv)
	if err != nil {
		return nil, err
	}
	if conn["url"] == "" {
		return nil, usagef("no service provider: set --url, SCIM_URL or a profile's url")
	}
	hc, err := conn.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	c, err := client.New(conn["url"], hc)
	if err != nil {
		return nil, usagef("--url: %v", err)
	}
	c.UserAgent = "scim-cli " + c.UserAgent
	return c, nil
}

// httpClient returns an *http.Client that authenticates as the connection
// says.
func (c connection) httpClient(ctx context.Context) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if c["insecure"] == "true" || c["insecure"] == "1" {
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	methods := 0
	for _, set := range []bool{c["token"] != "", c["client-id"] != "", c["user"] != ""} {
		if set {
			methods++
		}
	}
	if methods > 1 {
		return nil, usagef("more than one of --token, --client-id and --user given")
	}
	switch {
	case c["token"] != "":
		return (&client.BearerTokenTransport{Token: c["token"], Base: transport}).Client(), nil
	case c["client-id"] != "":
		return c.clientCredentials(ctx, &http.Client{Transport: transport})
	case c["user"] != "":
		return (&client.BasicAuthTransport{Username: c["user"], Password: c["password"], Base: transport}).Client(), nil
	}
	return &http.Client{Transport: transport}, nil
}

func (c connection) clientCredentials(ctx context.Context, hc *http.Client) (*http.Client, error) {
	tokenURL := c["token-url"]
	if tokenURL == "" {
		var ok bool
		if tokenURL, ok = deriveTokenURL(c["url"]); !ok {
			return nil, usagef("--client-id needs --token-url: none can be derived from %s", c["url"])
		}
	}
	scopes := strings.FieldsFunc(c["scopes"], func(r rune) bool { return r == ' ' || r == ',' })
	cfg := &clientcredentials.Config{
		ClientID: c["client-id"], ClientSecret: c["client-secret"], TokenURL: tokenURL, Scopes: scopes,
	}
	return client.ClientCredentials(ctx, cfg, hc), nil
}

// deriveTokenURL returns the token endpoint next to a SCIM base URL, as
// WSO2 Identity Server, Asgardeo and scimd place it: .../scim2 becomes
// .../oauth2/token, tenant path included.
func deriveTokenURL(base string) (string, bool) {
	u, err := url.Parse(base)
	if err != nil {
		return "", false
	}
	i := strings.LastIndex(u.Path, "/scim2")
	if i < 0 {
		return "", false
	}
	u.Path = u.Path[:i] + "/oauth2/token"
	u.RawPath, u.RawQuery = "", ""
	return u.String(), true
}
