package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/auth"
)

func bulkBody(failOnErrors int, ops ...string) string {
	head := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],`
	if failOnErrors > 0 {
		head += fmt.Sprintf(`"failOnErrors":%d,`, failOnErrors)
	}
	return head + `"Operations":[` + strings.Join(ops, ",") + `]}`
}

// results returns "bulkId status" (or "method status") of each result.
func results(r *response) []string {
	var out []string
	list, _ := r.body["Operations"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		key := m["bulkId"]
		if key == nil {
			key = m["method"]
		}
		out = append(out, fmt.Sprintf("%v %v", key, m["status"]))
	}
	return out
}

func TestBulkWSO2(t *testing.T) {
	h := newHarness(t)
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk", body: `{"failOnErrors":1,"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method": "POST","path": "/Users","bulkId": "qwerty","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName": "Kris","password":"krispass"}},{"method": "POST","path": "/Users","bulkId":"ytrewq","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"Jesse","password":"jessepass","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber": "11250","manager": {"value": "bulkId:qwerty"}}}}]}`})
	if got := strings.Join(results(r), ","); got != "qwerty 201,ytrewq 201" {
		t.Fatalf("results %s\n%s", got, r.raw)
	}
	kris := h.idOf2("user", "Kris")
	jesse := h.must(200, req{path: "/scim2/Users/" + h.idOf2("user", "Jesse")})
	ext := jesse.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	if ext["manager"].(map[string]any)["value"] != kris {
		t.Errorf("Jesse's manager = %v, want Kris's id %s", ext["manager"], kris)
	}
	if loc := r.path("Operations.0.location"); loc != h.url+"/scim2/Users/"+kris {
		t.Errorf("location = %v", loc)
	}
}

func TestBulkReferences(t *testing.T) {
	h := newHarness(t)
	// A group listed before the users it holds, a nested group, and a
	// cycle of two groups holding each other.
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk", body: bulkBody(0,
		`{"method":"POST","path":"/Groups","bulkId":"team","data":{"displayName":"team","members":[{"value":"bulkId:ann"},{"value":"bulkId:bob"},{"value":"bulkId:sub"}]}}`,
		`{"method":"POST","path":"/Groups","bulkId":"sub","data":{"displayName":"sub","members":[{"value":"bulkId:bob"}]}}`,
		`{"method":"POST","path":"/Users","bulkId":"ann","data":{"userName":"ann"}}`,
		`{"method":"POST","path":"/Users","bulkId":"bob","data":{"userName":"bob"}}`,
		`{"method":"POST","path":"/Groups","bulkId":"yin","data":{"displayName":"yin","members":[{"value":"bulkId:yang"}]}}`,
		`{"method":"POST","path":"/Groups","bulkId":"yang","data":{"displayName":"yang","members":[{"value":"bulkId:yin"}]}}`,
		`{"method":"PATCH","path":"/Users/bulkId:ann","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"nickName","value":"annie"}]}}`,
	)})
	want := "team 201,sub 201,ann 201,bob 201,yin 201,yang 201,PATCH 200"
	if got := strings.Join(results(r), ","); got != want {
		t.Fatalf("results %s, want %s\n%s", got, want, r.raw)
	}
	team := h.must(200, req{path: "/scim2/Groups/" + h.idOf2("group", "team")})
	if got := len(members(team)); got != 3 {
		t.Errorf("team has %d members", got)
	}
	yin, yang := h.idOf2("group", "yin"), h.idOf2("group", "yang")
	if m := members(h.must(200, req{path: "/scim2/Groups/" + yin})); len(m) != 1 || !strings.HasPrefix(m[0], yang) {
		t.Errorf("yin's members: %v", m)
	}
	if m := members(h.must(200, req{path: "/scim2/Groups/" + yang})); len(m) != 1 || !strings.HasPrefix(m[0], yin) {
		t.Errorf("yang's members: %v", m)
	}
	if nick := h.must(200, req{path: "/scim2/Users/" + h.idOf2("user", "ann")}).str("nickName"); nick != "annie" {
		t.Errorf("ann's nickName = %q", nick)
	}
}

func TestBulkFailures(t *testing.T) {
	h := newHarness(t)
	h.createUser(`{"userName":"taken"}`)
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk", body: bulkBody(0,
		`{"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":"TAKEN"}}`,
		`{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"g","members":[{"value":"bulkId:dup"}]}}`,
		`{"method":"POST","path":"/Users","bulkId":"ok","data":{"userName":"fine"}}`,
		`{"method":"POST","path":"/Users","bulkId":"ghost","data":{"userName":"x","nickName":"bulkId:nowhere"}}`,
		`{"path":"/Users","bulkId":"nomethod","data":{"userName":"y"}}`,
		`{"method":"POST","bulkId":"nopath","data":{"userName":"y"}}`,
		`{"method":"POST","path":"/Devices","bulkId":"dev","data":{}}`,
		`{"method":"POST","path":"/Users","bulkId":"ok","data":{"userName":"again"}}`,
		`{"method":"POST","path":"/Users","bulkId":"str","data":"not an object"}`,
		`{"method":"FROB","path":"/Users/x","data":{}}`,
		`{"method":"POST","path":"/Users","data":{"userName":"no bulkId"}}`,
		`{"method":"DELETE","path":"/Users/00000000-0000-7000-8000-000000000000"}`,
	)})
	want := []string{"dup 409", "g 409", "ok 201", "ghost 400", "nomethod 400", "nopath 400", "dev 400", "ok 400", "str 400", "FROB 405", "POST 400", "DELETE 404"}
	if got := results(r); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("results:\n got %v\nwant %v\n%s", got, want, r.raw)
	}
	for i, x := range r.body["Operations"].([]any) {
		if m := x.(map[string]any); m["status"] != "201" && m["response"] == nil {
			t.Errorf("operation %d failed without a response body", i)
		}
	}
	if h.idOf2("group", "g") != "" || h.idOf2("user", "fine") == "" {
		t.Error("a group referring to a failed user was created, or an independent user was not")
	}
}

func TestBulkFailOnErrors(t *testing.T) {
	h := newHarness(t)
	h.createUser(`{"userName":"taken"}`)
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk", body: bulkBody(1,
		`{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"first"}}`,
		`{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"taken"}}`,
		`{"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"never"}}`,
	)})
	if got := strings.Join(results(r), ","); got != "a 201,b 409" {
		t.Errorf("results %s, want a 201,b 409 (c not attempted)", got)
	}
	if h.idOf2("user", "never") != "" {
		t.Error("an operation after failOnErrors was reached ran")
	}
}

func TestBulkMixedMethods(t *testing.T) {
	h := newHarness(t)
	u := h.createUser(`{"userName":"old"}`)
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk", body: bulkBody(0,
		`{"method":"PUT","path":"/Users/`+u+`","version":"W/\"1\"","data":{"userName":"renamed"}}`,
		`{"method":"PATCH","path":"/Users/`+u+`","version":"W/\"1\"","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"x"}]}}`,
		`{"method":"POST","path":"/Users","bulkId":"n","data":{"userName":"new"}}`,
		`{"method":"DELETE","path":"/Users/bulkId:n"}`,
	)})
	if got := strings.Join(results(r), ","); got != "PUT 200,PATCH 412,n 201,DELETE 204" {
		t.Errorf("results %s\n%s", got, r.raw)
	}
	if got := h.must(200, req{path: "/scim2/Users/" + u}); got.str("userName") != "renamed" || got.path("meta.version") != `W/"2"` {
		t.Errorf("after PUT: %s", got.raw)
	}
}

func TestBulkLimitsAndBadRequests(t *testing.T) {
	h := startHarness(t, serverConfig{Limits: limitsOf(2, 600)})
	op := `{"method":"POST","path":"/Users","bulkId":"%d","data":{"userName":"u%d"}}`
	h.do(req{method: "POST", path: "/scim2/Bulk", body: bulkBody(0, fmt.Sprintf(op, 1, 1), fmt.Sprintf(op, 2, 2), fmt.Sprintf(op, 3, 3))}).
		scimError(t, 413, "tooMany", "maxOperations")
	big := `{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"` + strings.Repeat("x", 700) + `"}}`
	h.do(req{method: "POST", path: "/scim2/Bulk", body: bulkBody(0, big)}).scimError(t, 413, "", "maxPayloadSize")
	if h.idOf2("user", "u1") != "" {
		t.Error("a refused Bulk request ran operations")
	}
	for name, body := range map[string]string{
		"not an object":    `[]`,
		"no operations":    `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[]}`,
		"wrong schema":     `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{}]}`,
		"bad failOnErrors": `{"failOnErrors":"one","Operations":[{}]}`,
		"unknown member":   `{"Operatoins":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			if r := h.do(req{method: "POST", path: "/scim2/Bulk", body: body}); r.status != 400 {
				t.Errorf("status %d: %s", r.status, r.raw)
			}
		})
	}
}

func TestBulkPermissions(t *testing.T) {
	h := newHarness(t)
	tok, _ := h.addToken("", "", time.Time{}, auth.BulkCreate, auth.UserCreate)
	noBulk, _ := h.addToken("", "", time.Time{}, auth.UserCreate, auth.GroupCreate)
	body := bulkBody(0,
		`{"method":"POST","path":"/Users","bulkId":"u","data":{"userName":"allowed"}}`,
		`{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"refused"}}`)
	r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Bulk", body: body, noAuth: true, header: bearer(tok)})
	if got := strings.Join(results(r), ","); got != "u 201,g 403" {
		t.Errorf("results %s", got)
	}
	h.do(req{method: "POST", path: "/scim2/Bulk", body: body, noAuth: true, header: bearer(noBulk)}).scimError(t, 403, "", auth.BulkCreate)
}
