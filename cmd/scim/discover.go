package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"strings"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

func setupDiscover(a *app, fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		c, err := a.newClient(ctx)
		if err != nil {
			return err
		}
		cfg, err := getRaw(ctx, c, "ServiceProviderConfig")
		if err != nil {
			return err
		}
		out := map[string]json.RawMessage{"serviceProviderConfig": cfg}
		for _, d := range []struct{ key, ref string }{{"resourceTypes", "ResourceTypes"}, {"schemas", "Schemas"}} {
			if out[d.key], err = getRaw(ctx, c, d.ref); err != nil {
				fmt.Fprintf(a.stderr, "scim: %s: %v\n", d.ref, err)
				out[d.key] = json.RawMessage("null")
			}
		}
		if a.output == "json" {
			return printJSON(a.stdout, out)
		}
		return a.printDiscovery(out)
	}
}

// getRaw returns the JSON body of GET ref.
func getRaw(ctx context.Context, c *client.Client, ref string) (json.RawMessage, error) {
	req, err := c.NewRequest(http.MethodGet, ref, nil)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	_, err = c.Do(ctx, req, &raw)
	return raw, err
}

func (a *app) printDiscovery(out map[string]json.RawMessage) error {
	var cfg scim.ServiceProviderConfig
	if err := json.Unmarshal(out["serviceProviderConfig"], &cfg); err != nil {
		return err
	}
	t := newTable(a.stdout, "FEATURE", "SUPPORTED", "LIMITS")
	t.row("patch", yesNo(cfg.Patch.Supported), "")
	t.row("bulk", yesNo(cfg.Bulk.Supported), fmt.Sprintf("maxOperations %d, maxPayloadSize %d", cfg.Bulk.MaxOperations, cfg.Bulk.MaxPayloadSize))
	t.row("filter", yesNo(cfg.Filter.Supported), fmt.Sprintf("maxResults %d", cfg.Filter.MaxResults))
	t.row("sort", yesNo(cfg.Sort.Supported), "")
	t.row("etag", yesNo(cfg.ETag.Supported), "")
	t.row("changePassword", yesNo(cfg.ChangePassword.Supported), "")
	if pg := cfg.Pagination; pg != nil {
		t.row("cursor pagination", yesNo(pg.Cursor), fmt.Sprintf("defaultPageSize %d, maxPageSize %d", pg.DefaultPageSize, pg.MaxPageSize))
	}
	for _, s := range cfg.AuthenticationSchemes {
		t.row("auth: "+s.Type, "yes", s.Name)
	}
	if err := t.flush(); err != nil {
		return err
	}
	types, err := decodeList[scim.ResourceType](out["resourceTypes"])
	if err != nil || len(types) == 0 {
		return err
	}
	fmt.Fprintln(a.stdout)
	t = newTable(a.stdout, "RESOURCE TYPE", "ENDPOINT", "SCHEMA", "EXTENSIONS")
	for _, rt := range types {
		var ext []string
		for _, e := range rt.SchemaExtensions {
			ext = append(ext, e.Schema)
		}
		t.row(rt.Name, rt.Endpoint, rt.Schema, strings.Join(ext, " "))
	}
	return t.flush()
}

// decodeList reads a ListResponse or, as some service providers send
// discovery lists, a bare array.
func decodeList[T any](raw json.RawMessage) ([]T, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] == '[' {
		var items []T
		return items, json.Unmarshal(raw, &items)
	}
	var list scim.ListResponse[T]
	return list.Resources, json.Unmarshal(raw, &list)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
