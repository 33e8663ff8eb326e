package indicators

import (
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
	if own, subs := s.Selections([]string{"PAR-11"}); own.Sites != nil || subs.Sites != nil || own.Scope != model.ScopeNational || subs.Scope != model.ScopeRegion {
		t.Errorf("national selections %+v %+v", own, subs)
	}
	s, _ = ParseScope("department:75")
	if own, subs := s.Selections([]string{"PAR-11"}); len(own.Sites) != 1 || subs.Scope != model.ScopeSite || own.Scope != model.ScopeDepartment {
		t.Errorf("department selections %+v %+v", own, subs)
	}
}
