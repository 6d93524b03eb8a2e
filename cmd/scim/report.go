package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/scimd/scimd/scim"
)

// importReport is what scim import prints.
type importReport struct {
	DryRun    bool      `json:"dryRun,omitempty"`
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Failed    int       `json:"failed"`
	Failures  []failure `json:"failures"`
}

// failure is a row that could not be imported and why: the service
// provider's SCIM error, or another.
type failure struct {
	Line     int            `json:"line"`
	UserName string         `json:"userName,omitempty"`
	Status   int            `json:"status,omitempty"`
	ScimType scim.ErrorType `json:"scimType,omitempty"`
	Detail   string         `json:"detail"`
}

func (im *importer) report(dryRun bool) *importReport {
	rep := &importReport{DryRun: dryRun, Failures: []failure{}}
	for _, r := range im.results {
		switch r.outcome {
		case created:
			rep.Created++
		case updated:
			rep.Updated++
		case unchanged:
			rep.Unchanged++
		case failed:
			rep.Failed++
			rep.Failures = append(rep.Failures, failureOf(r))
		}
	}
	slices.SortFunc(rep.Failures, func(a, b failure) int { return a.Line - b.Line })
	return rep
}

func failureOf(r result) failure {
	f := failure{Line: r.row.line, UserName: r.row.userName, Detail: r.err.Error()}
	var se *scim.Error
	if errors.As(r.err, &se) {
		f.Status, f.ScimType, f.Detail = se.Status, se.Type, se.Detail
	}
	return f
}

func (a *app) printReport(rep *importReport) error {
	if a.output == "json" {
		return printJSON(a.stdout, rep)
	}
	verb := ""
	if rep.DryRun {
		verb = " (dry run)"
	}
	t := newTable(a.stdout, "RESULT"+verb, "USERS")
	t.row("created", fmt.Sprint(rep.Created))
	t.row("updated", fmt.Sprint(rep.Updated))
	t.row("unchanged", fmt.Sprint(rep.Unchanged))
	t.row("failed", fmt.Sprint(rep.Failed))
	if err := t.flush(); err != nil || len(rep.Failures) == 0 {
		return err
	}
	fmt.Fprintln(a.stdout)
	t = newTable(a.stdout, "LINE", "USERNAME", "STATUS", "SCIMTYPE", "DETAIL")
	for _, f := range rep.Failures {
		status := ""
		if f.Status != 0 {
			status = fmt.Sprint(f.Status)
		}
		t.row(fmt.Sprint(f.Line), f.UserName, status, string(f.ScimType), f.Detail)
	}
	return t.flush()
}
