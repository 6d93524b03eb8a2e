package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/scimd/scimd/internal/scimdtest"
)

// BenchmarkImportCSV imports 10 000 users into a real scimd, in-process,
// so it measures the command's cost and scimd's together.
func BenchmarkImportCSV(b *testing.B) {
	const rows = 10000
	var csv strings.Builder
	csv.WriteString(`userName,name.givenName,name.familyName,emails[type eq "work"].value,active` + "\n")
	for i := range rows {
		fmt.Fprintf(&csv, "user%06d,Given%d,Family%d,user%06d@example.com,true\n", i, i, i, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		srv, err := scimdtest.New(scimdtest.Options{})
		if err != nil {
			b.Fatal(err)
		}
		env := map[string]string{"SCIM_URL": srv.URL, "SCIM_USER": scimdtest.AdminUser, "SCIM_PASSWORD": scimdtest.AdminPassword}
		b.StartTimer()
		if r := runCLI(b, env, csv.String(), "import", "--format", "csv"); r.code != exitOK {
			b.Fatalf("import: %s", r.stderr)
		}
		b.StopTimer()
		srv.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "users/s")
}
