package indicators

import (
	"context"
	"errors"
	"fmt"

	"globaloffice/model"
)

// Selection narrows a report.
type Selection struct {
	Indicators []string        // ids; empty: the whole catalog
	Scope      model.ScopeKind // empty: every scope
	Sites      []string        // only these sites and the scopes above them; empty: every site
	// By breaks each indicator down by the values of a field of its
	// records (Breakdowns): one result per value met in the period, each
	// computed live over the records with that value. Indicators whose
	// source lacks the field are left out.
	By string
}

// Breakdowns are the fields results can be broken down by, with the
// sources that carry them: the user's segment, and the motive of
// contacts (the channel mix of each motive).
var Breakdowns = map[string][]string{
	"segment": {"contacts", "cases"},
	"motive":  {"contacts"},
}

// SelectionError is a selection that names what does not exist: an
// unknown indicator, scope kind or site.
type SelectionError struct{ msg string }

func (e *SelectionError) Error() string { return e.msg }

func selectionErr(format string, args ...any) error {
	return &SelectionError{fmt.Sprintf(format, args...)}
}

// ErrNoRevision is asking for a revision a period does not have.
var ErrNoRevision = errors.New("no such revision")

// selection is a Selection checked against the catalog and the sites, and
// the one place that decides which results it keeps, live or closed.
type selection struct {
	Selection
	defs  []*Definition
	ids   map[string]bool
	sites map[string]model.Site
	// in holds the scopes of the selected sites: the sites, their
	// departments and regions (nil: every scope).
	in map[scopeKey]bool
}

// resolve checks a selection: every indicator id in the catalog, the scope
// kind known, the site existing.
func (e *Engine) resolve(ctx context.Context, sel Selection) (*selection, error) {
	s := &selection{Selection: sel, ids: map[string]bool{}}
	if len(sel.Indicators) == 0 {
		s.defs = e.Catalog.Indicators
	}
	for _, id := range sel.Indicators {
		d, ok := e.Catalog.Get(id)
		if !ok {
			return nil, selectionErr("unknown indicator %q (see globaloffice indicators list)", id)
		}
		s.defs = append(s.defs, d)
	}
	for _, d := range s.defs {
		s.ids[d.ID] = true
	}
	if sel.By != "" {
		if _, ok := Breakdowns[sel.By]; !ok {
			return nil, selectionErr("cannot break results down by %q: want segment or motive", sel.By)
		}
	}
	if sel.Scope != "" && !sel.Scope.Valid() {
		return nil, selectionErr("unknown scope %q: want site, department, region or national", sel.Scope)
	}
	sites, err := e.Sites(ctx)
	if err != nil {
		return nil, err
	}
	s.sites = make(map[string]model.Site, len(sites))
	for _, site := range sites {
		s.sites[site.ID] = site
	}
	if len(sel.Sites) > 0 {
		s.in = map[scopeKey]bool{{model.ScopeNational, ""}: true}
	}
	for _, id := range sel.Sites {
		site, ok := s.sites[id]
		if !ok {
			return nil, selectionErr("unknown site %q (see globaloffice sites list)", id)
		}
		s.in[scopeKey{model.ScopeSite, site.ID}] = true
		s.in[scopeKey{model.ScopeDepartment, site.Department}] = true
		s.in[scopeKey{model.ScopeRegion, site.Region}] = true
	}
	return s, nil
}

// keepScope tells whether results of scope k are selected: of the selected
// kind, and with sites, those sites and the departments, regions and nation
// they are in.
func (s *selection) keepScope(k scopeKey) bool {
	if s.Scope != "" && k.kind != s.Scope {
		return false
	}
	return s.in == nil || s.in[k]
}

// keep tells whether a result is selected.
func (s *selection) keep(r *Result) bool {
	return s.ids[r.Indicator] && s.keepScope(scopeKey{r.Scope, r.ScopeID})
}

// compiler is c knowing the sites' time zones, which opening hours are
// read in: a copy, as the engine's compiler is shared by concurrent
// computations.
func (s *selection) compiler(c *Compiler) *Compiler {
	cc := *c
	cc.Timezones = make([]string, 0, len(s.sites))
	for _, site := range s.sites {
		cc.Timezones = append(cc.Timezones, site.Timezone)
	}
	return &cc
}

// breaks tells whether d can be broken down by the selection's field.
func (s *selection) breaks(d *Definition) bool {
	for _, src := range Breakdowns[s.By] {
		if d.Source == src {
			return true
		}
	}
	return false
}
