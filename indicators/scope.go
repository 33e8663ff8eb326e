package indicators

import (
	"fmt"
	"strings"

	"globaloffice/model"
)

// Scope is a scope as a scorecard or a director's workbook names it —
// national, region:CODE or department:CODE — with the level of the scopes
// just under it, whose rows they show.
type Scope struct {
	Kind model.ScopeKind
	Code string          // the region or department code; empty for national
	Sub  model.ScopeKind // regions of the nation, departments of a region, sites of a department
}

// ParseScope reads national, region:CODE or department:CODE.
func ParseScope(s string) (Scope, error) {
	k, code, _ := strings.Cut(s, ":")
	switch {
	case s == "national":
		return Scope{model.ScopeNational, "", model.ScopeRegion}, nil
	case k == "region" && code != "":
		return Scope{model.ScopeRegion, code, model.ScopeDepartment}, nil
	case k == "department" && code != "":
		return Scope{model.ScopeDepartment, code, model.ScopeSite}, nil
	}
	return Scope{}, fmt.Errorf("scope %q: want national, region:CODE or department:CODE", s)
}

// Holds tells whether a site is in the scope.
func (s Scope) Holds(site model.Site) bool {
	switch s.Kind {
	case model.ScopeRegion:
		return site.Region == s.Code
	case model.ScopeDepartment:
		return site.Department == s.Code
	}
	return true
}

// Selections are the two narrow reads of the scope, rather than every
// scope: its own results and its sub-scopes', over the sites within it
// (all of them for the nation, which need not be named).
func (s Scope) Selections(within []string) (own, subs Selection) {
	if s.Kind == model.ScopeNational {
		within = nil
	}
	return Selection{Scope: s.Kind, Sites: within}, Selection{Scope: s.Sub, Sites: within}
}
