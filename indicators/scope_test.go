package indicators

import (
	"slices"
	"testing"

	"globaloffice/model"
)

func TestParseScope(t *testing.T) {
	f := func(in string, want Scope, ok bool) {
		t.Helper()
		got, err := ParseScope(in)
		if (err == nil) != ok || got != want {
			t.Errorf("ParseScope(%q) = %+v, %v; want %+v (ok %v)", in, got, err, want, ok)
		}
	}
	f("national", Scope{model.ScopeNational, "", model.ScopeRegion}, true)
	f("region:11", Scope{model.ScopeRegion, "11", model.ScopeDepartment}, true)
	f("department:75", Scope{model.ScopeDepartment, "75", model.ScopeSite}, true)
	for _, bad := range []string{"", "region", "region:", "department:", "site:PAR-11", "National", "nation"} {
		f(bad, Scope{}, false)
	}
	par := model.Site{ID: "PAR-11", Region: "11", Department: "75"}
	for _, tc := range []struct {
		scope string
		want  bool
	}{{"national", true}, {"region:11", true}, {"region:44", false}, {"department:75", true}, {"department:67", false}} {
		s, _ := ParseScope(tc.scope)
		if got := s.Holds(par); got != tc.want {
			t.Errorf("%s holds PAR-11: %v, want %v", tc.scope, got, tc.want)
		}
	}
	s, _ := ParseScope("national")
	if sel := s.Selection([]string{"PAR-11"}); sel.Sites != nil || sel.Scope != "" {
		t.Errorf("national selection %+v", sel)
	}
	s, _ = ParseScope("department:75")
	if sel := s.Selection([]string{"PAR-11"}); len(sel.Sites) != 1 || sel.Scope != "" {
		t.Errorf("department selection %+v", sel)
	}
}

func TestScopeSplit(t *testing.T) {
	rep := Report{Results: []Result{
		{Indicator: "a", Scope: model.ScopeNational},
		{Indicator: "a", Scope: model.ScopeRegion, ScopeID: "11"},
		{Indicator: "a", Scope: model.ScopeRegion, ScopeID: "84"},
		{Indicator: "a", Scope: model.ScopeDepartment, ScopeID: "75"},
		{Indicator: "a", Scope: model.ScopeDepartment, ScopeID: "92"},
		{Indicator: "a", Scope: model.ScopeSite, ScopeID: "PAR-11"},
	}}
	ids := func(r Report) (out []string) {
		for _, x := range r.Results {
			out = append(out, string(x.Scope)+":"+x.ScopeID)
		}
		return out
	}
	f := func(scope string, within []string, own, subs []string) {
		t.Helper()
		s, _ := ParseScope(scope)
		o, su := s.Split(rep, within)
		if !slices.Equal(ids(o), own) || !slices.Equal(ids(su), subs) {
			t.Errorf("%s within %v: own %v, subs %v; want %v, %v", scope, within, ids(o), ids(su), own, subs)
		}
	}
	f("national", nil, []string{"national:"}, []string{"region:11", "region:84"})
	f("region:11", []string{"PAR-11"}, []string{"region:11"}, []string{"department:75", "department:92"})
	// A manager reading no site of region 84: its row, no sub-scope.
	f("region:84", nil, []string{"region:84"}, nil)
	f("department:75", []string{"PAR-11"}, []string{"department:75"}, []string{"site:PAR-11"})
}
