package client_test

import (
	"os"
	"sync"
	"testing"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/internal/auth"
	"github.com/scimd/scimd/internal/scimdtest"
)

// The examples run against a real scimd each, started by the helpers below
// and stopped by TestMain once every test and example has run.

var examples struct {
	mu      sync.Mutex
	servers []*scimdtest.Server
}

func TestMain(m *testing.M) {
	code := m.Run()
	examples.mu.Lock()
	for _, s := range examples.servers {
		s.Close()
	}
	examples.mu.Unlock()
	os.Exit(code)
}

// exampleProvider is a service provider started for an example.
type exampleProvider struct {
	BaseURL, TokenURL      string
	User, Password         string // its administrator
	ClientID, ClientSecret string // an OAuth 2.0 client with every scope
}

// startExample starts scimd for an example.
func startExample() *exampleProvider {
	srv, err := scimdtest.New(scimdtest.Options{})
	if err != nil {
		panic(err)
	}
	examples.mu.Lock()
	examples.servers = append(examples.servers, srv)
	examples.mu.Unlock()
	id, secret, err := srv.NewOAuthClient("", auth.Scopes...)
	if err != nil {
		panic(err)
	}
	return &exampleProvider{
		BaseURL: srv.URL, TokenURL: srv.TokenURL(""),
		User: scimdtest.AdminUser, Password: scimdtest.AdminPassword,
		ClientID: id, ClientSecret: secret,
	}
}

// exampleClient returns a Client for a scimd started for an example,
// connected as its administrator.
func exampleClient() *client.Client {
	sp := startExample()
	c, err := client.New(sp.BaseURL, (&client.BasicAuthTransport{Username: sp.User, Password: sp.Password}).Client())
	if err != nil {
		panic(err)
	}
	return c
}
