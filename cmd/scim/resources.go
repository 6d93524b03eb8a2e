package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

var commands = concat(
	[]command{{name: "discover", summary: "show what the service provider supports", setup: setupDiscover}},
	resourceCommands(usersKind),
	resourceCommands(groupsKind),
	[]command{
		{name: "bulk", summary: "send the bulk request in -f, split to the service provider's limits", setup: setupBulk},
		{name: "import", args: "[FILE]", summary: "create or update users from CSV or JSON lines", setup: setupImport},
		{name: "export", args: "users|groups", summary: "write every user or group as a line of JSON", setup: setupExport},
		{name: "help", summary: "show this help"},
	},
)

func concat(lists ...[]command) []command {
	var out []command
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// kind is a resource type the CLI has commands for.
type kind struct {
	word     string // "users"
	endpoint string // "Users"
	columns  []string
	row      func(raw json.RawMessage) ([]string, error)
}

var usersKind = kind{word: "users", endpoint: "Users", columns: userColumns, row: func(raw json.RawMessage) ([]string, error) {
	var u scim.User
	err := json.Unmarshal(raw, &u)
	return userRow(&u), err
}}

var groupsKind = kind{word: "groups", endpoint: "Groups", columns: groupColumns, row: func(raw json.RawMessage) ([]string, error) {
	var g scim.Group
	err := json.Unmarshal(raw, &g)
	return groupRow(&g), err
}}

func resourceCommands(k kind) []command {
	return []command{
		{name: k.word + " list", summary: "list " + k.word + " matching a filter", setup: k.setupList},
		{name: k.word + " get", args: "ID", summary: "show one of the " + k.word, setup: k.setupGet},
		{name: k.word + " create", summary: "create from the JSON in -f or standard input", setup: k.setupCreate},
		{name: k.word + " replace", args: "ID", summary: "replace (PUT) with the JSON in -f or standard input", setup: k.setupReplace},
		{name: k.word + " patch", args: "ID", summary: "apply the PATCH operations in -f or standard input", setup: k.setupPatch},
		{name: k.word + " delete", args: "ID", summary: "delete one of the " + k.word, setup: k.setupDelete},
	}
}

// service returns the raw resource service of k: resources pass through
// exactly as written and as the service provider sends them.
func (k kind) service(c *client.Client) *client.ResourceService[json.RawMessage] {
	return client.NewResourceService[json.RawMessage](c, k.endpoint)
}

func (k kind) setupList(a *app, fs *flag.FlagSet) runFunc {
	filter := fs.String("filter", "", `filter expression, e.g. 'userName sw "k"'`)
	attrs := projectionFlags(fs)
	sortBy := fs.String("sort", "", "attribute to sort by")
	order := fs.String("sort-order", "", "ascending or descending")
	count := fs.Int("count", 0, "results per page (default: the service provider's)")
	start := fs.Int("start-index", 0, "1-based index of the first result")
	all := fs.Bool("all", false, "fetch every page")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		opts := &client.ListOptions{
			Filter: client.RawFilter(*filter), Attributes: attrs.include(), ExcludedAttributes: attrs.exclude(),
			SortBy: *sortBy, SortOrder: client.SortOrder(*order), Count: *count, StartIndex: *start,
		}
		if opts.SortBy != "" && !a.supportsSort(ctx, c) {
			fmt.Fprintln(a.stderr, "scim: the service provider does not support sorting; --sort ignored")
			opts.SortBy, opts.SortOrder = "", ""
		}
		list, err := k.list(ctx, c, opts, *all)
		if err != nil {
			return err
		}
		return a.printList(k, list)
	}
}

// list returns one page, or every page merged into one.
func (k kind) list(ctx context.Context, c *client.Client, opts *client.ListOptions, all bool) (*scim.ListResponse[*json.RawMessage], error) {
	if !all {
		list, _, err := k.service(c).List(ctx, opts)
		return list, err
	}
	list := &scim.ListResponse[*json.RawMessage]{Schemas: []string{scim.ListResponseMessage}, StartIndex: 1}
	for r, err := range k.service(c).All(ctx, opts) {
		if err != nil {
			return nil, err
		}
		list.Resources = append(list.Resources, r)
	}
	list.TotalResults, list.ItemsPerPage = len(list.Resources), len(list.Resources)
	return list, nil
}

func (a *app) supportsSort(ctx context.Context, c *client.Client) bool {
	cfg, _, err := c.Discovery.ServiceProviderConfig(ctx)
	return err != nil || cfg.Sort.Supported // when in doubt, ask
}

func (a *app) printList(k kind, list *scim.ListResponse[*json.RawMessage]) error {
	if list.Resources == nil {
		list.Resources = []*json.RawMessage{}
	}
	if a.output == "json" {
		return printJSON(a.stdout, list)
	}
	t := newTable(a.stdout, k.columns...)
	for _, r := range list.Resources {
		row, err := k.row(*r)
		if err != nil {
			return err
		}
		t.row(row...)
	}
	return t.flush()
}

func (a *app) printResource(k kind, r *json.RawMessage) error {
	switch {
	case r == nil:
		return nil // 204 No Content
	case a.output == "json":
		return printJSON(a.stdout, r)
	}
	return a.printList(k, &scim.ListResponse[*json.RawMessage]{Resources: []*json.RawMessage{r}})
}

func (k kind) setupGet(a *app, fs *flag.FlagSet) runFunc {
	attrs := projectionFlags(fs)
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		r, _, err := k.service(c).Get(ctx, args[0], &client.GetOptions{Attributes: attrs.include(), ExcludedAttributes: attrs.exclude()})
		if err != nil {
			return err
		}
		return a.printResource(k, r)
	}
}

func (k kind) setupCreate(a *app, fs *flag.FlagSet) runFunc {
	file := fs.String("f", "", "JSON file of the resource (default: standard input)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		body, err := a.readJSON(*file, '{')
		if err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		r, _, err := k.service(c).Create(ctx, &body, nil)
		if err != nil {
			return err
		}
		return a.printResource(k, r)
	}
}

func (k kind) setupReplace(a *app, fs *flag.FlagSet) runFunc {
	file := fs.String("f", "", "JSON file of the resource (default: standard input)")
	ifMatch := fs.String("if-match", "", "replace only if the resource still has this version (meta.version)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		body, err := a.readJSON(*file, '{')
		if err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		r, _, err := k.service(c).Replace(ctx, args[0], &body, &client.WriteOptions{IfMatch: *ifMatch})
		if err != nil {
			return err
		}
		return a.printResource(k, r)
	}
}

func (k kind) setupPatch(a *app, fs *flag.FlagSet) runFunc {
	file := fs.String("f", "", "JSON file of a PatchOp message or of an array of operations (default: standard input)")
	ifMatch := fs.String("if-match", "", "patch only if the resource still has this version (meta.version)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		p, err := a.readPatch(*file)
		if err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		r, _, err := k.service(c).Patch(ctx, args[0], p, &client.WriteOptions{IfMatch: *ifMatch})
		if err != nil {
			return err
		}
		return a.printResource(k, r)
	}
}

func (k kind) setupDelete(a *app, fs *flag.FlagSet) runFunc {
	ifMatch := fs.String("if-match", "", "delete only if the resource still has this version (meta.version)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		_, err = k.service(c).Delete(ctx, args[0], &client.DeleteOptions{IfMatch: *ifMatch})
		return err
	}
}

// projection holds the --attributes and --excluded-attributes flags.
type projection struct{ attrs, excluded *string }

func projectionFlags(fs *flag.FlagSet) projection {
	return projection{
		attrs:    fs.String("attributes", "", "attributes to return, comma-separated"),
		excluded: fs.String("excluded-attributes", "", "attributes not to return, comma-separated"),
	}
}

func (p projection) include() []string { return splitComma(*p.attrs) }
func (p projection) exclude() []string { return splitComma(*p.excluded) }

func splitComma(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// readJSON reads a JSON value from file, or standard input when file is ""
// or "-", and checks that it starts with one of the delimiters.
func (a *app) readJSON(file string, delims ...byte) (json.RawMessage, error) {
	var r io.Reader = a.stdin
	if file != "" && file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var raw json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("reading %s: %w", cmpOr(file, "standard input"), err)
	}
	if !strings.ContainsRune(string(delims), rune(raw[0])) {
		return nil, fmt.Errorf("reading %s: want a JSON %s", cmpOr(file, "standard input"), describe(delims))
	}
	return raw, nil
}

func describe(delims []byte) string {
	names := map[byte]string{'{': "object", '[': "array"}
	var kinds []string
	for _, d := range delims {
		kinds = append(kinds, names[d])
	}
	return strings.Join(kinds, " or ")
}

// readPatch reads a PatchOp message, or an array of its operations.
func (a *app) readPatch(file string) (*client.Patch, error) {
	raw, err := a.readJSON(file, '{', '[')
	if err != nil {
		return nil, err
	}
	var req scim.PatchRequest
	if raw[0] == '[' {
		err = json.Unmarshal(raw, &req.Operations)
	} else {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil {
		return nil, fmt.Errorf("PATCH operations: %w", err)
	}
	return client.PatchOf(req.Operations...), nil
}

func listOptions(filter string, attrs projection) *client.ListOptions {
	return &client.ListOptions{
		Filter: client.RawFilter(filter), Attributes: attrs.include(), ExcludedAttributes: attrs.exclude(),
	}
}
