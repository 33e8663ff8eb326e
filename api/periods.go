package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"globaloffice/indicators"
)

type periodsOutput struct {
	Body struct {
		Items []indicators.ClosedPeriod `json:"items"`
		PageInfo
	}
}

type periodsInput struct {
	Page
}

type closeInput struct {
	Period string `path:"period" maxLength:"40" doc:"the period to close, e.g. 2026-Q2 or 2026-06-r12; not a year to date"`
}

type closeOutput struct {
	Body struct {
		Period     string                `json:"period"`
		Provenance indicators.Provenance `json:"provenance"`
		Results    int                   `json:"results" doc:"results frozen"`
	}
}

func (s *Server) registerPeriods(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-periods", Method: http.MethodGet, Path: "/periods", Tags: []string{"periods"},
		Summary: "Closed periods and their revisions", Description: "The latest-starting first.",
	}, func(ctx context.Context, in *periodsInput) (*periodsOutput, error) {
		ps, err := s.Engine.ClosedPeriods(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the closed periods", err)
		}
		out := &periodsOutput{}
		out.Body.Items, out.Body.PageInfo = paginate(ps, in.Page)
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "close-period", Method: http.MethodPost, Path: "/periods/{period}/close", Tags: []string{"periods"},
		Summary:     "Close a period",
		Description: "Freezes every result of the period as a new revision, recorded with who closed it; closing again makes revision n+1.",
	}, func(ctx context.Context, in *closeInput) (*closeOutput, error) {
		p := principalOf(ctx)
		if err := need(p, p.Steers(), "closing a period"); err != nil {
			return nil, err
		}
		per, err := indicators.ParsePeriod(in.Period, s.now())
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error(), &huma.ErrorDetail{Location: "path.period", Value: in.Period})
		}
		if per.Kind == "ytd" {
			return nil, huma.Error422UnprocessableEntity("a year-to-date period moves every day; close a day, week, month, quarter, year, twelve rolling months or date range")
		}
		rep, err := s.Engine.Close(ctx, per, p.Who())
		if err != nil {
			return nil, s.unavailable(ctx, "closing "+per.Name, err)
		}
		out := &closeOutput{}
		out.Body.Period, out.Body.Provenance, out.Body.Results = per.Name, rep.Provenance, len(rep.Results)
		return out, nil
	})
}
