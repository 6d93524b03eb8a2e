package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/scimd/scimd/client"
	"github.com/scimd/scimd/scim"
)

// The examples run against scimd, started for each by startExample or
// exampleClient (in example_scimd_test.go): a *client.Client connected as
// in the examples of ClientCredentials and BasicAuthTransport. Point
// client.New at your service provider's base URL instead.

// Connect as a machine-to-machine application with the OAuth 2.0 client
// credentials grant. For the Asgardeo organization "example", the token URL
// is https://api.asgardeo.io/t/example/oauth2/token and the base URL
// https://api.asgardeo.io/t/example/scim2; for scimd, /oauth2/token and
// /scim2 on its host (/t/DOMAIN/oauth2/token and /t/DOMAIN/scim2 for a
// tenant).
func ExampleClientCredentials() {
	sp := startExample()
	ctx := context.Background()
	hc := client.ClientCredentials(ctx, &clientcredentials.Config{
		ClientID:     sp.ClientID,
		ClientSecret: sp.ClientSecret,
		TokenURL:     sp.TokenURL,
		Scopes:       []string{"internal_user_mgt_list", "internal_user_mgt_create"},
	}, nil)
	c, err := client.New(sp.BaseURL, hc)
	if err != nil {
		log.Fatal(err)
	}

	u, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.UserName)
	// Output: kim
}

// Connect with HTTP Basic, as in the WSO2 Identity Server guide, and read
// the authenticated user at /Me.
func ExampleBasicAuthTransport() {
	sp := startExample()
	hc := (&client.BasicAuthTransport{Username: sp.User, Password: sp.Password}).Client()
	c, err := client.New(sp.BaseURL, hc) // e.g. https://localhost:9443/scim2
	if err != nil {
		log.Fatal(err)
	}

	me, _, err := c.Me.Get(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.UserName)
	// Output: admin
}

func ExampleResourceService_Create() {
	c := exampleClient()

	u, _, err := c.Users.Create(context.Background(), &scim.User{
		UserName: "kim",
		Name:     &scim.Name{GivenName: "Kim", FamilyName: "Jackson"},
		Password: "kimwso2",
		Emails: []scim.MultiValue{
			{Value: "kim.jackson@gmail.com", Type: "home", Primary: true},
			{Value: "kim_j@wso2.com", Type: "work"},
		},
		Enterprise: &scim.EnterpriseUser{EmployeeNumber: "11250"},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.UserName, u.Emails[1].Value, u.Enterprise.EmployeeNumber, u.Meta.ResourceType)
	// Output: kim kim_j@wso2.com 11250 User
}

func ExampleResourceService_Get() {
	c := exampleClient()
	ctx := context.Background()
	kim, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim", Title: "Tour Guide"}, nil)
	if err != nil {
		log.Fatal(err)
	}

	u, _, err := c.Users.Get(ctx, kim.ID, &client.GetOptions{Attributes: []string{"userName"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %q\n", u.UserName, u.Title)
	// Output: kim ""
}

// Replace a user with If-Match, so that a concurrent change is not lost.
func ExampleResourceService_Replace() {
	c := exampleClient()
	ctx := context.Background()
	u, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil)
	if err != nil {
		log.Fatal(err)
	}

	u.Title = "Tour Guide"
	u, _, err = c.Users.Replace(ctx, u.ID, u, &client.WriteOptions{IfMatch: u.Meta.Version})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Title)
	// Output: Tour Guide
}

func ExampleResourceService_Patch() {
	c := exampleClient()
	ctx := context.Background()
	u, _, err := c.Users.Create(ctx, &scim.User{
		UserName: "kim",
		Emails:   []scim.MultiValue{{Type: "work", Value: "kim_j@wso2.com"}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}

	p := new(client.Patch).
		Add("nickName", "shaggy").
		ReplaceWhere("emails", client.Eq("type", "work"), "value", "kim.info@gmail.com")
	u, _, err = c.Users.Patch(ctx, u.ID, p, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.NickName, u.Emails[0].Value)
	// Output: shaggy kim.info@gmail.com
}

func ExampleResourceService_Delete() {
	c := exampleClient()
	ctx := context.Background()
	u, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil)
	if err != nil {
		log.Fatal(err)
	}

	if _, err := c.Users.Delete(ctx, u.ID, nil); err != nil {
		log.Fatal(err)
	}
	_, _, err = c.Users.Get(ctx, u.ID, nil)
	fmt.Println(errors.Is(err, &scim.Error{Status: http.StatusNotFound}))
	// Output: true
}

// Find users with a filter built from untrusted input: the value is quoted,
// so it cannot change what the filter means.
func ExampleResourceService_List() {
	c := exampleClient()
	ctx := context.Background()
	for _, name := range []string{"kim", "kimberly"} {
		if _, _, err := c.Users.Create(ctx, &scim.User{UserName: name}, nil); err != nil {
			log.Fatal(err)
		}
	}

	input := `kim" or userName pr or "`
	list, _, err := c.Users.List(ctx, &client.ListOptions{Filter: client.Eq("userName", input)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(list.TotalResults)
	// Output: 0
}

// Combine the filter operators: co, sw, ew, ne and eq, joined with and.
func ExampleResourceService_List_operators() {
	c := exampleClient()
	ctx := context.Background()
	for _, u := range []*scim.User{
		{UserName: "kim", Title: "Tour Guide", Emails: []scim.MultiValue{{Value: "kim@example.com", Type: "work"}}},
		{UserName: "kimberly", Title: "Tour Guide", Emails: []scim.MultiValue{{Value: "kimberly@example.org", Type: "work"}}},
		{UserName: "kira", Title: "Tour Operator", Emails: []scim.MultiValue{{Value: "kira@example.com", Type: "work"}}},
	} {
		if _, _, err := c.Users.Create(ctx, u, nil); err != nil {
			log.Fatal(err)
		}
	}

	f := client.Sw("userName", "ki").
		And(client.Co("title", "Guide")).
		And(client.Ew("emails.value", "@example.com")).
		And(client.Ne("userName", "admin"))
	list, _, err := c.Users.List(ctx, &client.ListOptions{Filter: f, Attributes: []string{"userName"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f)
	for _, u := range list.Resources {
		fmt.Println(u.UserName)
	}
	// Output:
	// userName sw "ki" and title co "Guide" and emails.value ew "@example.com" and userName ne "admin"
	// kim
}

// Search with POST /.search, which keeps the filter out of URLs and logs.
func ExampleResourceService_Search() {
	c := exampleClient()
	ctx := context.Background()
	for _, name := range []string{"engineer", "sales"} {
		if _, _, err := c.Groups.Create(ctx, &scim.Group{DisplayName: name}, nil); err != nil {
			log.Fatal(err)
		}
	}

	list, _, err := c.Groups.Search(ctx, &client.ListOptions{
		Filter: client.Sw("displayName", "eng"),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range list.Resources {
		fmt.Println(g.DisplayName)
	}
	// Output: engineer
}

// Walk every matching user, page by page, with the page size and
// pagination method the service provider advertises.
func ExampleResourceService_All() {
	c := exampleClient()
	ctx := context.Background()
	for _, name := range []string{"kim", "sam", "alex"} {
		u := &scim.User{UserName: name, Emails: []scim.MultiValue{{Value: name + "@example.com"}}}
		if _, _, err := c.Users.Create(ctx, u, nil); err != nil {
			log.Fatal(err)
		}
	}

	opts := &client.ListOptions{
		Filter:     client.Ew("emails.value", "@example.com"),
		SortBy:     "userName",
		Attributes: []string{"userName"},
	}
	for u, err := range c.Users.All(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.UserName)
	}
	// Output:
	// alex
	// kim
	// sam
}

// Create a group with a member, read it, change its membership with PATCH,
// rename it with PUT, and delete it.
func Example_groups() {
	c := exampleClient()
	ctx := context.Background()
	kim, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	sam, _, err := c.Users.Create(ctx, &scim.User{UserName: "sam"}, nil)
	if err != nil {
		log.Fatal(err)
	}

	g, _, err := c.Groups.Create(ctx, &scim.Group{
		DisplayName: "engineer",
		Members:     []scim.Member{{Value: kim.ID}},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	g, _, err = c.Groups.Get(ctx, g.ID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.DisplayName, g.Members[0].Display)

	p := new(client.Patch).
		Add("members", []scim.Member{{Value: sam.ID}}).
		RemoveWhere("members", client.Eq("value", kim.ID), "")
	g, _, err = c.Groups.Patch(ctx, g.ID, p, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.DisplayName, g.Members[0].Display)

	g.DisplayName = "engineering"
	g, _, err = c.Groups.Replace(ctx, g.ID, g, &client.WriteOptions{IfMatch: g.Meta.Version})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.DisplayName, len(g.Members))

	if _, err := c.Groups.Delete(ctx, g.ID, nil); err != nil {
		log.Fatal(err)
	}
	// Output:
	// engineer kim
	// engineer sam
	// engineering 1
}

// Handle SCIM errors by status and scimType.
func Example_errors() {
	c := exampleClient()
	ctx := context.Background()
	if _, _, err := c.Users.Create(ctx, &scim.User{UserName: "kim"}, nil); err != nil {
		log.Fatal(err)
	}

	_, _, err := c.Users.Create(ctx, &scim.User{UserName: "Kim"}, nil)
	if errors.Is(err, &scim.Error{Status: http.StatusConflict, Type: scim.Uniqueness}) {
		fmt.Println("already exists")
	}
	var se *scim.Error
	if errors.As(err, &se) {
		fmt.Println(se.Status, se.Type, se.Detail)
	}
	// Output:
	// already exists
	// 409 uniqueness userName "kim" is already taken
}

// Create a user, and another whose manager is the first, in one bulk
// request: the second refers to the first by its bulkId, as in the WSO2
// Identity Server guide.
func ExampleBulkService_Send() {
	c := exampleClient()

	ops, err := new(client.BulkOps).
		Post("/Users", "qwerty", &scim.User{UserName: "Kris", Password: "krispass"}).
		Post("/Users", "ytrewq", &scim.User{UserName: "Jesse", Enterprise: &scim.EnterpriseUser{
			EmployeeNumber: "11250",
			Manager:        &scim.Manager{Value: client.BulkRef("qwerty")},
		}}).
		Operations()
	if err != nil {
		log.Fatal(err)
	}
	res, _, err := c.Bulk.Send(context.Background(), &scim.BulkRequest{FailOnErrors: new(1), Operations: ops})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res.Operations {
		fmt.Println(r.Method, r.BulkID, r.Status)
	}
	// Output:
	// POST qwerty 201
	// POST ytrewq 201
}

// Import any number of users in as many bulk requests as the service
// provider's maxOperations and maxPayloadSize require — here at most 100
// operations a request.
func ExampleBulkService_Execute() {
	c := exampleClient()

	var ops client.BulkOps
	for i := range 250 {
		ops.Post("/Users", fmt.Sprint(i), &scim.User{UserName: fmt.Sprintf("user%03d", i)})
	}
	list, err := ops.Operations()
	if err != nil {
		log.Fatal(err)
	}
	requests := 0
	items, err := c.Bulk.Execute(context.Background(), list, &client.BulkOptions{
		MaxOperations: 100,
		Progress:      func(done, total int) { requests++ },
	})
	if err != nil {
		log.Fatal(err)
	}
	failed := 0
	for _, it := range items {
		if it.Err != nil {
			failed++
		}
	}
	fmt.Printf("%d users, %d failed, %d requests\n", len(items), failed, requests)
	// Output: 250 users, 0 failed, 3 requests
}

func ExampleDiscoveryService_ServiceProviderConfig() {
	c := exampleClient()

	cfg, _, err := c.Discovery.ServiceProviderConfig(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("patch:", cfg.Patch.Supported)
	fmt.Println("bulk:", cfg.Bulk.Supported, cfg.Bulk.MaxOperations, cfg.Bulk.MaxPayloadSize)
	fmt.Println("filter:", cfg.Filter.Supported, cfg.Filter.MaxResults)
	fmt.Println("sort:", cfg.Sort.Supported)
	fmt.Println("etag:", cfg.ETag.Supported)
	// Output:
	// patch: true
	// bulk: true 1000 1048576
	// filter: true 200
	// sort: true
	// etag: true
}

func ExampleDiscoveryService_ResourceTypes() {
	c := exampleClient()

	types, _, err := c.Discovery.ResourceTypes(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, rt := range types {
		fmt.Println(rt.Name, rt.Endpoint, rt.Schema)
	}
	// Output:
	// User /Users urn:ietf:params:scim:schemas:core:2.0:User
	// Group /Groups urn:ietf:params:scim:schemas:core:2.0:Group
}

// Read a resource type of the service provider's own, with a Go type, or
// generically with c.Resources.
func ExampleNewResourceService() {
	type Device struct {
		ID     string `json:"id"`
		Serial string `json:"serialNumber"`
	}
	c, err := client.New("https://id.example.com/scim2", nil)
	if err != nil {
		log.Fatal(err)
	}
	devices := client.NewResourceService[Device](c, "/Devices")
	_ = devices // devices.Get(ctx, id, nil) returns a *Device
}

func ExampleEq() {
	f := client.Eq("userName", "bjensen").
		And(client.ValuePath("emails", client.Eq("type", "work").And(client.Co("value", "@example.com")))).
		Or(client.Pr("title"))
	fmt.Println(f)
	// Output: (userName eq "bjensen" and emails[type eq "work" and value co "@example.com"]) or title pr
}

func ExamplePatch() {
	p := new(client.Patch).
		Replace("active", false).
		Replace("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "113").
		RemoveWhere("emails", client.Eq("type", "home"), "")
	req, err := p.Request()
	if err != nil {
		log.Fatal(err)
	}
	for _, op := range req.Operations {
		fmt.Println(op.Op, op.Path, string(op.Value))
	}
	// Output:
	// replace active false
	// replace urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber "113"
	// remove emails[type eq "home"]
}
