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

// Selection is the one read that gives the scope's own results and its
// sub-scopes': every scope over the sites within it (all of them for the
// nation, which need not be named). One computation gives every scope, so
// asking for both at once costs half of asking twice; Split cuts the
// report.
func (s Scope) Selection(within []string) Selection {
	if s.Kind == model.ScopeNational {
		within = nil
	}
	return Selection{Sites: within}
}

// Split cuts a report of Selection(within) into the scope's own results
// and its sub-scopes'. A region or department with no site within (none
// a manager reads) has no sub-scope row: the report then holds every
// site's scopes, not the scope's.
func (s Scope) Split(rep Report, within []string) (own, subs Report) {
	own, subs = rep, rep
	own.Results, subs.Results = nil, nil
	for _, r := range rep.Results {
		switch {
		case r.Scope == s.Kind && r.ScopeID == s.Code:
			own.Results = append(own.Results, r)
		case r.Scope == s.Sub && (s.Kind == model.ScopeNational || len(within) > 0):
			subs.Results = append(subs.Results, r)
		}
	}
	return own, subs
}
