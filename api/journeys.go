package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"globaloffice/indicators"
	"globaloffice/model"
)

type journeysInput struct {
	Period string   `query:"period" required:"true" maxLength:"40" doc:"as for /results: the journeys whose case was received in it"`
	Motive string   `query:"motive" maxLength:"256" doc:"only journeys on this motive (the opening contact's)"`
	Scope  string   `query:"scope" default:"national" maxLength:"60" doc:"national, region:CODE or department:CODE: the cases of its sites"`
	Site   []string `query:"site,explode" maxItems:"200" doc:"only these sites (repeatable), within the scope"`
}

type journeysOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         indicators.JourneyReport
}

func (s *Server) registerJourneys(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "get-journeys", Method: http.MethodGet, Path: "/journeys", Tags: []string{"results"},
		Summary: "Journeys of a period by path",
		Description: "The cases received in the period that name the contact that opened them, counted by path: the front-office channels the user " +
			"went through on the motive before the case, the case, the contacts chasing it while open, and how it ended. Live, for directors " +
			"(and managers, over their sites); counts only, never a user.",
	}, func(ctx context.Context, in *journeysInput) (*journeysOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.ReadsLive(), "journeys"); err != nil {
			return nil, err
		}
		per, err := indicators.ParsePeriod(in.Period, s.now())
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "query.period", Value: in.Period})
		}
		sc, err := indicators.ParseScope(in.Scope)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "query.scope", Value: in.Scope})
		}
		sites, err := s.Engine.Sites(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the sites", err)
		}
		asked := map[string]bool{}
		for _, id := range in.Site {
			asked[id] = true
			if p.Role == model.RoleManager && !p.ReadsSite(id) {
				return nil, huma.Error403Forbidden("site " + id + " is not among this token's sites")
			}
		}
		// The sites read: the scope's, narrowed to those asked, and for a
		// manager to its own.
		var within []string
		for _, st := range sites {
			if sc.Holds(st) && (len(asked) == 0 || asked[st.ID]) && (p.Role != model.RoleManager || p.ReadsSite(st.ID)) {
				within = append(within, st.ID)
				delete(asked, st.ID)
			}
		}
		for id := range asked {
			return nil, huma.Error422UnprocessableEntity("site " + id + " is not a site of " + in.Scope)
		}
		if len(within) == 0 {
			return nil, huma.Error404NotFound("no site in " + in.Scope)
		}
		q := indicators.JourneyQuery{Period: per, Motive: in.Motive}
		if sc.Kind != model.ScopeNational || len(in.Site) > 0 || p.Role == model.RoleManager {
			q.Sites = within
		}
		rep, err := s.Engine.Journeys(ctx, q)
		if err != nil {
			return nil, s.unavailable(ctx, "computing journeys", err)
		}
		return &journeysOutput{CacheControl: "no-store", Body: rep}, nil
	})
}
