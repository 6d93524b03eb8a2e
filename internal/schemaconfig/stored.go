package schemaconfig

import (
	"context"
	"fmt"
)

// Counter counts the stored resources of a type, in every tenant, that
// hold no value under a top-level key of their document: an attribute
// name or an extension's URN. store.Store implements it.
type Counter interface {
	CountLacking(ctx context.Context, typ, key string) (int, error)
}

// requirement is something the configuration requires of every stored
// resource of a type: a top-level attribute or an extension.
type requirement struct {
	typ, key string
	what     string // what is required, for the message
	at       string // where the configuration requires it
}

func (a *application) require(r requirement) {
	for _, o := range a.requirements {
		if o.typ == r.typ && o.key == r.key {
			return
		}
	}
	a.requirements = append(a.requirements, r)
}

// Shortfalls reports, one message each, what stored resources lack of
// what the configuration requires: a required extension, or a required
// attribute of a configured resource type's core schema. Such resources are
// still served, and a PUT or PATCH of one must supply what it lacks, as any
// request must; refusing to start instead would leave no way to give them
// values with the requirement in place, and would make the bootstrap
// administrator, created before any extension value exists, stop the next
// start. scimd serve logs the messages at start-up.
//
// Required attributes inside extensions are not counted: the store can
// count only resources lacking a top-level key.
func (c *Config) Shortfalls(ctx context.Context, st Counter) ([]string, error) {
	var out []string
	for _, r := range c.requirements {
		n, err := st.CountLacking(ctx, r.typ, r.key)
		if err != nil {
			return nil, fmt.Errorf("schemas: counting the stored %s resources that lack %s: %w", r.typ, r.key, err)
		}
		if n > 0 {
			verb := "lack"
			if n == 1 {
				verb = "lacks"
			}
			out = append(out, fmt.Sprintf("%s: %s, but %d stored %s resource%s %s it: a PUT or PATCH of %s must give it a value",
				r.at, r.what, n, r.typ, plural(n), verb, pronoun(n)))
		}
	}
	return out, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "one of them"
}
