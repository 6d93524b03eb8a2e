package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestCustomResourceType checks a resource type that exists only in
// configuration (Device, testdata/schemas/custom): its endpoint, CRUD,
// filter, sort, PATCH and Bulk, and its configured scopes.
func TestCustomResourceType(t *testing.T) {
	h := startWithSchemas(t, "testdata/schemas/custom")
	device := func(body string) string {
		t.Helper()
		return h.must(http.StatusCreated, req{method: "POST", path: "/scim2/Devices", body: body}).str("id")
	}
	laptop := device(`{"schemas":["` + deviceURN + `"],"serial":"SN-1","displayName":"Laptop of Kim","ports":4,"online":true,` +
		`"tags":["office","x86"],"interfaces":[{"name":"eth0","mac":"00:11:22:33:44:55","primary":true},{"name":"wlan0","mac":"aa:bb:cc:dd:ee:ff"}]}`)
	printer := device(`{"serial":"SN-2","displayName":"Printer","ports":1,"online":false,"tags":["office"]}`)
	phone := device(`{"serial":"SN-3","displayName":"Phone of Sam","owner":"https://id.example.com/scim2/Users/1"}`)

	t.Run("discovery", func(t *testing.T) {
		h.golden("device-schema.json", "/scim2/Schemas/"+deviceURN)
		h.golden("device-type.json", "/scim2/ResourceTypes/Device")
		r := h.must(http.StatusOK, req{path: "/scim2/Schemas/urn:scimd:schemas:extension:authorization:2.0:Group", noAuth: true})
		var scopes []string
		for _, v := range r.path("attributes.0.canonicalValues").([]any) {
			scopes = append(scopes, v.(string))
		}
		for _, sc := range []string{"device_mgt_create", "device_mgt_list", "device_mgt_view", "device_mgt_update", "device_mgt_delete", "internal_user_mgt_create"} {
			if !slices.Contains(scopes, sc) {
				t.Errorf("groups can't grant %s: the authorization extension's scopes are %v", sc, scopes)
			}
		}
	})

	t.Run("create and get", func(t *testing.T) {
		r := h.must(http.StatusOK, req{path: "/scim2/Devices/" + laptop})
		if r.path("serial") != "SN-1" || r.path("interfaces.0.primary") != true || r.path("meta.resourceType") != "Device" ||
			!strings.HasSuffix(r.strAt("meta.location"), "/scim2/Devices/"+laptop) {
			t.Errorf("GET: %s", r.raw)
		}
		h.do(req{method: "POST", path: "/scim2/Devices", body: `{"displayName":"no serial"}`}).
			scimError(t, http.StatusBadRequest, "invalidValue", "serial")
		h.do(req{method: "POST", path: "/scim2/Devices", body: `{"serial":"SN-1"}`}).
			scimError(t, http.StatusConflict, "uniqueness", "SN-1")
		h.do(req{method: "POST", path: "/scim2/Devices", body: `{"serial":"SN-9","userName":"kim"}`}).
			scimError(t, http.StatusBadRequest, "invalidValue", "userName")
		h.do(req{method: "POST", path: "/scim2/Devices", body: `{"serial":"SN-9","interfaces":[{"mac":"x"}]}`}).
			scimError(t, http.StatusBadRequest, "invalidValue", "interfaces.name")
	})

	t.Run("filter and sort", func(t *testing.T) {
		for _, tt := range []struct {
			filter, query string
			want          []string
		}{
			{`serial eq "SN-2"`, "", []string{printer}},
			{deviceURN + `:displayName co "of"`, "&sortBy=displayName", []string{laptop, phone}},
			{`displayName ew "sam"`, "", []string{phone}},
			{`ports ge 1`, "&sortBy=ports&sortOrder=descending", []string{laptop, printer}},
			{`online eq false or online eq true`, "&sortBy=serial", []string{laptop, printer}},
			{`tags eq "office"`, "&sortBy=displayName", []string{laptop, printer}},
			{`interfaces[mac sw "AA:" and primary pr]`, "", []string{}},
			{`interfaces[mac sw "aa:"]`, "", []string{laptop}},
			{`owner pr`, "", []string{phone}},
			{`not (owner pr)`, "&sortBy=serial", []string{laptop, printer}},
		} {
			sameIDs(t, tt.filter, h.filtered("/Devices", tt.filter, tt.query), tt.want...)
		}
		r := h.must(http.StatusOK, req{method: "POST", path: "/scim2/Devices/.search",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"tags eq \"x86\"","attributes":["serial"]}`})
		sameIDs(t, ".search", r.ids(), laptop)
		if r.path("Resources.0.displayName") != nil {
			t.Errorf(".search with attributes=serial returned %s", r.raw)
		}
	})

	t.Run("patch and put", func(t *testing.T) {
		r := h.must(http.StatusOK, req{method: "PATCH", path: "/scim2/Devices/" + laptop, body: patchOp(
			`{"op":"replace","path":"displayName","value":"Laptop"}`,
			`{"op":"add","path":"tags","value":["arm"]}`,
			`{"op":"remove","path":"interfaces[name eq \"wlan0\"]"}`,
			`{"op":"replace","path":"interfaces[name eq \"eth0\"].mac","value":"00:00:00:00:00:01"}`,
		)})
		if r.path("displayName") != "Laptop" || r.path("tags.2") != "arm" || r.path("interfaces.1") != nil || r.path("interfaces.0.mac") != "00:00:00:00:00:01" {
			t.Errorf("after PATCH: %s", r.raw)
		}
		h.do(req{method: "PATCH", path: "/scim2/Devices/" + laptop, body: patchOp(`{"op":"remove","path":"serial"}`)}).
			scimError(t, http.StatusBadRequest, "mutability", "serial", "required")
		r = h.must(http.StatusOK, req{method: "PUT", path: "/scim2/Devices/" + printer, body: `{"serial":"SN-2","displayName":"Printer 2"}`})
		if r.path("displayName") != "Printer 2" || r.path("ports") != nil {
			t.Errorf("after PUT: %s", r.raw)
		}
	})

	t.Run("bulk", func(t *testing.T) {
		got := h.bulk(
			`{"method":"POST","path":"/Devices","bulkId":"d","data":{"serial":"SN-7","displayName":"Router"}}`,
			`{"method":"PATCH","path":"/Devices/bulkId:d","data":`+patchOp(`{"op":"add","path":"tags","value":["network"]}`)+`}`,
			`{"method":"DELETE","path":"/Devices/`+phone+`"}`,
		)
		if !slices.Equal(got, []string{"201", "200", "204"}) {
			t.Fatalf("bulk statuses %v, want 201 200 204", got)
		}
		if ids := h.filtered("/Devices", `tags eq "network" and serial eq "SN-7"`, ""); len(ids) != 1 {
			t.Errorf("the device created and patched through Bulk: %v", ids)
		}
		h.must(http.StatusNotFound, req{path: "/scim2/Devices/" + phone})
	})

	t.Run("delete", func(t *testing.T) {
		h.must(http.StatusNoContent, req{method: "DELETE", path: "/scim2/Devices/" + printer})
		h.must(http.StatusNotFound, req{path: "/scim2/Devices/" + printer})
	})

	t.Run("scopes", func(t *testing.T) {
		h.userWithScopes("", "viewer", "viewer-pw", "device_mgt_view", "device_mgt_list", "internal_bulk_resource_create")
		h.userWithScopes("", "usermgr", "usermgr-pw", "internal_user_mgt_create", "internal_user_mgt_list", "internal_user_mgt_view")
		viewer := func(r req) req { r.user, r.password = "viewer", "viewer-pw"; return r }
		h.must(http.StatusOK, viewer(req{path: "/scim2/Devices/" + laptop}))
		h.must(http.StatusOK, viewer(req{path: "/scim2/Devices?filter=" + "serial+eq+%22SN-1%22"}))
		h.do(viewer(req{method: "POST", path: "/scim2/Devices", body: `{"serial":"SN-8"}`})).
			scimError(t, http.StatusForbidden, "", "device_mgt_create")
		h.do(viewer(req{method: "DELETE", path: "/scim2/Devices/" + laptop})).
			scimError(t, http.StatusForbidden, "", "device_mgt_delete")
		h.do(req{path: "/scim2/Devices/" + laptop, user: "usermgr", password: "usermgr-pw"}).
			scimError(t, http.StatusForbidden, "", "device_mgt_view")

		r := h.must(http.StatusOK, viewer(req{method: "POST", path: "/scim2/Bulk",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Devices","bulkId":"d","data":{"serial":"SN-8"}}]}`}))
		if r.path("Operations.0.status") != "403" || !strings.Contains(toString(r.path("Operations.0.response.detail")), "device_mgt_create") {
			t.Errorf("a Bulk operation without its scope: %s", r.raw)
		}

		// The root .search spans the types the caller may list.
		r = h.must(http.StatusOK, viewer(req{method: "POST", path: "/scim2/.search", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}`}))
		for _, res := range r.body["Resources"].([]any) {
			if rt := res.(map[string]any)["meta"].(map[string]any)["resourceType"]; rt != "Device" {
				t.Errorf("root .search as a device viewer returned a %v", rt)
			}
		}

		// A group can grant a configured scope, and only its holder can.
		h.createGroup(`{"displayName":"device admins","urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["device_mgt_update"]}}`)
		h.do(req{method: "POST", path: "/scim2/Groups", body: `{"displayName":"x","urn:scimd:schemas:extension:authorization:2.0:Group":{"scopes":["device_mgt_reboot"]}}`}).
			scimError(t, http.StatusBadRequest, "invalidValue", "device_mgt_reboot")
	})
}

// strAt returns the string at a dotted path of the body.
func (r *response) strAt(path string) string {
	s, _ := r.path(path).(string)
	return s
}
