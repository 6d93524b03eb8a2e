package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

// printJSON writes v as indented JSON. A json.RawMessage is indented as it
// is, keeping the service provider's member order.
func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

// printError writes err for a person: a SCIM error as its status, scimType
// and detail.
func printError(w io.Writer, err error) {
	var er *client.ErrorResponse
	if !errors.As(err, &er) {
		fmt.Fprintf(w, "scim: %v\n", err)
		return
	}
	se := er.Err
	if req := er.Response.Request; req != nil {
		u := *req.URL
		u.RawQuery, u.User = "", nil // a filter in the query may hold personal data
		fmt.Fprintf(w, "scim: %s %s\n", req.Method, u.String())
	}
	fmt.Fprintf(w, "  status:   %d %s\n", se.Status, http.StatusText(se.Status))
	if se.Type != "" {
		fmt.Fprintf(w, "  scimType: %s\n", se.Type)
	}
	if se.Detail != "" {
		fmt.Fprintf(w, "  detail:   %s\n", se.Detail)
	}
}

// table writes rows aligned in columns.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }

// userRow returns the table columns of a user.
func userRow(u *scim.User) []string {
	name := ""
	if u.Name != nil {
		name = cmpOr(u.Name.Formatted, strings.TrimSpace(u.Name.GivenName+" "+u.Name.FamilyName))
	}
	email := ""
	for i, e := range u.Emails {
		if i == 0 || e.Primary {
			email = e.Value
		}
	}
	active := ""
	if u.Active != nil {
		active = fmt.Sprint(*u.Active)
	}
	return []string{u.ID, u.UserName, cmpOr(name, u.DisplayName), email, active}
}

var userColumns = []string{"ID", "USERNAME", "NAME", "EMAIL", "ACTIVE"}

func groupRow(g *scim.Group) []string {
	return []string{g.ID, g.DisplayName, fmt.Sprint(len(g.Members))}
}

var groupColumns = []string{"ID", "DISPLAYNAME", "MEMBERS"}

// writeUsage writes the help text.
func writeUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: scim [connection flags] COMMAND [flags] [arguments]

scim talks to any SCIM 2.0 service provider. Flags may come before or after
the command and its arguments. Output is JSON unless -o table is given.

Commands:
`)
	t := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(t, "  %s %s\t%s\n", c.name, c.args, c.summary)
	}
	t.Flush()
	fmt.Fprint(w, "\nConnection (flag, environment variable, or a key of a profile in the config file):\n")
	t = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range settings {
		usage := s.usage
		if s.secret {
			usage += "; prefer " + s.env + ": flags show in process lists"
		}
		fmt.Fprintf(t, "  --%s\t%s\t%s\n", s.name, s.env, usage)
	}
	t.Flush()
	fmt.Fprint(w, `
Authentication is by bearer token (--token), OAuth 2.0 client credentials
(--client-id) or HTTP Basic (--user): the first source, of flags, environment
and profile, to set one of these chooses; the secret may come from any.

Config file: {"default": "prod", "profiles": {"prod": {"url": "...", "client-id": "..."}}}

Exit status: 0 success, 1 error from the service provider or bad input, 2 usage.
`)
}

func writeCommandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags (and the connection flags of 'scim help'):\n",
		strings.TrimSpace("scim "+c.name+" [flags] "+c.args), c.summary)
	t := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		if _, global := globalFlagTakesValue(f.Name); global && f.Name != "o" {
			return
		}
		dash, usage := "--", f.Usage
		if len(f.Name) == 1 {
			dash = "-"
		}
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(t, "  %s%s\t%s\n", dash, f.Name, usage)
	})
	t.Flush()
}
