package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/model"
)

// Target is a management target as the API shows it.
type Target struct {
	Indicator string    `json:"indicator"`
	Scope     string    `json:"scope" doc:"national, region:CODE, department:CODE or site:ID"`
	Year      int       `json:"year"`
	Target    float64   `json:"target" doc:"in the indicator's unit (85 for 85%)"`
	SetBy     string    `json:"set_by"`
	SetAt     time.Time `json:"set_at"`
}

func scopeName(kind model.ScopeKind, id string) string {
	if kind == model.ScopeNational {
		return "national"
	}
	return string(kind) + ":" + id
}

func targetOut(t model.Target) Target {
	return Target{t.Indicator, scopeName(t.Scope, t.ScopeID), t.Year, t.Value, t.SetBy, t.SetAt.UTC()}
}

// targetSeen tells whether a target concerns the caller: every one for
// admins and directors; for a manager, those of its sites and of the
// departments, regions and nation above them (the ones its sites inherit).
func targetSeen(p auth.Principal, t model.Target, sites []model.Site) bool {
	if p.ReadsAll() {
		return true
	}
	for _, st := range sites {
		if !p.ReadsSite(st.ID) {
			continue
		}
		switch t.Scope {
		case model.ScopeNational:
			return true
		case model.ScopeRegion:
			if st.Region == t.ScopeID {
				return true
			}
		case model.ScopeDepartment:
			if st.Department == t.ScopeID {
				return true
			}
		case model.ScopeSite:
			if st.ID == t.ScopeID {
				return true
			}
		}
	}
	return false
}

type targetsInput struct {
	Page
	Indicator string `query:"indicator" maxLength:"100"`
	Year      int    `query:"year" minimum:"0" maximum:"2100" doc:"only this year (0: all)"`
}

type targetsOutput struct {
	Body struct {
		Items []Target `json:"items"`
		PageInfo
	}
}

// TargetRow is one target to set, as in the CSV import.
type TargetRow struct {
	Indicator string  `json:"indicator" minLength:"1" maxLength:"100"`
	Scope     string  `json:"scope" minLength:"1" maxLength:"120" doc:"national, region:CODE, department:CODE or site:ID"`
	Year      int     `json:"year" minimum:"2000" maximum:"2100"`
	Target    float64 `json:"target" doc:"in the indicator's unit (85 for 85%): 0 to 100 for a percentage (a fraction such as 0.8 is refused), -100 to 100 for an NPS in points, the answers' scale for a score, 0 or more for durations and counts; force to set another"`
}

type putTargetsInput struct {
	Force bool `query:"force" doc:"set targets outside their unit's range (or fractions on percentages) as given; they are refused otherwise"`
	Body  struct {
		Targets []TargetRow `json:"targets" minItems:"1" maxItems:"10000"`
	}
}

type putTargetsOutput struct {
	Body struct {
		Imported int       `json:"imported"`
		SetBy    string    `json:"set_by"`
		SetAt    time.Time `json:"set_at"`
	}
}

type historyInput struct {
	Page
	Indicator string `query:"indicator" required:"true" maxLength:"100"`
}

func (s *Server) registerTargets(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-targets", Method: http.MethodGet, Path: "/targets", Tags: []string{"targets"},
		Summary: "Targets in force", Description: "The current target of each indicator, scope and year. Directors and admins see all; managers those their sites inherit.",
	}, func(ctx context.Context, in *targetsInput) (*targetsOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.ReadsTargets(), "reading targets"); err != nil {
			return nil, err
		}
		ts, err := indicators.CurrentTargets(ctx, s.DB)
		if err != nil {
			return nil, s.unavailable(ctx, "reading targets", err)
		}
		items, err := s.visibleTargets(ctx, p, ts, func(t model.Target) bool {
			return (in.Indicator == "" || t.Indicator == in.Indicator) && (in.Year == 0 || t.Year == in.Year)
		})
		if err != nil {
			return nil, err
		}
		out := &targetsOutput{}
		out.Body.Items, out.Body.PageInfo = paginate(items, in.Page)
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "put-targets", Method: http.MethodPut, Path: "/targets", Tags: []string{"targets"},
		Summary:     "Set targets",
		Description: "The same rows as the CSV import, all or nothing: one bad row and none is set, every bad row named. Earlier values stay in the history. A target that cannot mean what it says in its indicator's unit (0.8 on a percentage: did you mean 80?; 120 %; a negative duration) is refused unless force=true.",
	}, func(ctx context.Context, in *putTargetsInput) (*putTargetsOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.Steers(), "setting targets"); err != nil {
			return nil, err
		}
		sites, err := s.Engine.Sites(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the sites", err)
		}
		rows := make([]indicators.TargetRow, len(in.Body.Targets))
		for i, r := range in.Body.Targets {
			rows[i] = indicators.TargetRow{Line: i, Indicator: r.Indicator, Scope: r.Scope, Year: strconv.Itoa(r.Year), Target: strconv.FormatFloat(r.Target, 'g', -1, 64)}
		}
		at := s.now().UTC().Truncate(time.Second)
		ts, err := indicators.CheckTargets(rows, s.Engine.Catalog, sites, p.Who(), at, in.Force)
		if err != nil {
			return nil, rowErrors(err)
		}
		if err := indicators.SaveTargets(ctx, s.DB, ts); err != nil {
			return nil, s.unavailable(ctx, "saving targets", err)
		}
		out := &putTargetsOutput{}
		out.Body.Imported, out.Body.SetBy, out.Body.SetAt = len(ts), p.Who(), at
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-targets-history", Method: http.MethodGet, Path: "/targets/history", Tags: []string{"targets"},
		Summary: "Every value an indicator's targets had", Description: "Newest first, with who set each and when.",
	}, func(ctx context.Context, in *historyInput) (*targetsOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.ReadsTargets(), "reading targets"); err != nil {
			return nil, err
		}
		if _, ok := s.Engine.Catalog.Get(in.Indicator); !ok {
			return nil, huma.Error404NotFound("no indicator " + in.Indicator)
		}
		ts, err := indicators.TargetHistory(ctx, s.DB, in.Indicator)
		if err != nil {
			return nil, s.unavailable(ctx, "reading targets", err)
		}
		items, err := s.visibleTargets(ctx, p, ts, func(model.Target) bool { return true })
		if err != nil {
			return nil, err
		}
		out := &targetsOutput{}
		out.Body.Items, out.Body.PageInfo = paginate(items, in.Page)
		return out, nil
	})
}

func (s *Server) visibleTargets(ctx context.Context, p auth.Principal, ts []model.Target, keep func(model.Target) bool) ([]Target, error) {
	sites, err := s.Engine.Sites(ctx)
	if err != nil {
		return nil, s.unavailable(ctx, "reading the sites", err)
	}
	var out []Target
	for _, t := range ts {
		if keep(t) && targetSeen(p, t, sites) {
			out = append(out, targetOut(t))
		}
	}
	return out, nil
}

// rowErrors turns refused target rows into a 422 naming each row and field.
func rowErrors(err error) error {
	var details []error
	var te indicators.TargetError
	for _, e := range flatten(err) {
		if errors.As(e, &te) {
			msg := te.Reason
			if te.Range {
				msg += " (force=true sets it as given)"
			}
			details = append(details, &huma.ErrorDetail{Message: msg, Location: fmt.Sprintf("body.targets[%d].%s", te.Line, te.Field)})
		} else {
			details = append(details, &huma.ErrorDetail{Message: e.Error(), Location: "body.targets"})
		}
	}
	return huma.Error422UnprocessableEntity("no target was set: fix every row named", details...)
}

// flatten lists the errors joined in err.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
