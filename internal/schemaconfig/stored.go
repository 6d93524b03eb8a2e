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

// CheckStored refuses the configuration if stored resources don't meet
// it: a required extension, or a required attribute of a configured
// resource type's schema, that some stored resources lack — they could be
// read, but no longer replaced or patched. Run it on the opened store
// before serving.
//
// Required attributes inside extensions are not checked: the store can
// count only resources lacking a top-level key.
func (c *Config) CheckStored(ctx context.Context, st Counter) error {
	for _, r := range c.requirements {
		n, err := st.CountLacking(ctx, r.typ, r.key)
		if err != nil {
			return fmt.Errorf("schemas: counting the stored %s resources that lack %s: %w", r.typ, r.key, err)
		}
		if n > 0 {
			verb := "lack"
			if n == 1 {
				verb = "lacks"
			}
			return fmt.Errorf("%s: %s, but %d stored %s resource%s %s it: make it optional, or give %s a value first",
				r.at, r.what, n, r.typ, plural(n), verb, pronoun(n))
		}
	}
	return nil
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
	return "them"
}
