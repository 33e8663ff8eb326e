package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"globaloffice/indicators"
	"globaloffice/model"
)

// Site is a site as the API shows it.
type Site struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Kind       string `json:"kind" enum:"agency,phone_platform,processing_centre,proximity_point"`
	Region     string `json:"region"`
	Department string `json:"department"`
	Zone       string `json:"zone" doc:"public-holiday calendar zone"`
	Timezone   string `json:"timezone" doc:"IANA time zone; periods are cut in it"`
	Hours      string `json:"hours,omitempty" doc:"opening hours in local time (e.g. mon-fri 08:30-17:00; sat 09:00-12:00), zone holidays closed; absent: none given, open at every hour for the phone pick-up rate"`
}

func siteOut(s model.Site) Site {
	return Site{s.ID, s.Name, string(s.Kind), s.Region, s.Department, string(s.Zone), s.Timezone, s.Hours}
}

type sitesInput struct {
	Page
	Q          string `query:"q" maxLength:"100" doc:"find sites whose id or name contains this (any case)"`
	Region     string `query:"region" maxLength:"20"`
	Department string `query:"department" maxLength:"20"`
}

type sitesOutput struct {
	Body struct {
		Items []Site `json:"items"`
		PageInfo
	}
}

type siteInput struct {
	ID string `path:"id" maxLength:"100"`
}

type siteOutput struct{ Body Site }

// Indicator is a catalog entry as the API shows it: what it measures, its
// public commitment and its method in words, in French and English.
type Indicator struct {
	ID         string              `json:"id"`
	Title      indicators.Text     `json:"title"`
	Commitment *indicators.Text    `json:"commitment,omitempty" doc:"the public wording, for published indicators"`
	Definition indicators.Text     `json:"definition" doc:"how it is computed"`
	Source     string              `json:"source" enum:"contacts,cases,surveys"`
	Filter     map[string][]string `json:"filter"`
	Measure    string              `json:"measure"`
	Unit       string              `json:"unit"`
	Direction  string              `json:"direction" enum:"higher,lower" doc:"which way is better"`
	MinSample  int                 `json:"min_sample" doc:"below it a result is insufficient_data"`
	Published  bool                `json:"published" doc:"shown to the public"`
	Version    int                 `json:"version" doc:"the definition's version, from 1"`
	Since      string              `json:"since,omitempty" doc:"the date the version took effect, YYYY-MM-DD (none: from the beginning); comparisons across it are series breaks"`
}

func indicatorOut(d *indicators.Definition) Indicator {
	out := Indicator{ID: d.ID, Title: d.Title, Source: d.Source, Filter: d.Filter, Measure: d.Measure.Name(), Unit: d.Unit,
		Direction: d.Direction, MinSample: d.MinSample, Published: d.Published, Version: d.Version,
		Definition: indicators.Text{FR: d.Describe(indicators.FR), EN: d.Describe(indicators.EN)}}
	if out.Filter == nil {
		out.Filter = map[string][]string{}
	}
	if !d.Since.IsZero() {
		out.Since = d.Since.Format(time.DateOnly)
	}
	if d.Published {
		c := d.Commitment
		out.Commitment = &c
	}
	return out
}

type indicatorsOutput struct {
	Body struct {
		Items []Indicator `json:"items"`
		PageInfo
	}
}

type indicatorsInput struct {
	Page
}

func (s *Server) registerReference(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "list-sites", Method: http.MethodGet, Path: "/sites", Tags: []string{"reference"},
		Summary: "List sites", Description: "Every site, open to all (sites are public reference data), filtered by text, region or department.",
	}, func(ctx context.Context, in *sitesInput) (*sitesOutput, error) {
		sites, err := s.Engine.Sites(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the sites", err)
		}
		q := strings.ToLower(in.Q)
		var items []Site
		for _, st := range sites {
			if in.Region != "" && st.Region != in.Region || in.Department != "" && st.Department != in.Department {
				continue
			}
			if q != "" && !strings.Contains(strings.ToLower(st.ID+" "+st.Name), q) {
				continue
			}
			items = append(items, siteOut(st))
		}
		out := &sitesOutput{}
		out.Body.Items, out.Body.PageInfo = paginate(items, in.Page)
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-site", Method: http.MethodGet, Path: "/sites/{id}", Tags: []string{"reference"},
		Summary: "Get a site",
	}, func(ctx context.Context, in *siteInput) (*siteOutput, error) {
		sites, err := s.Engine.Sites(ctx)
		if err != nil {
			return nil, s.unavailable(ctx, "reading the sites", err)
		}
		for _, st := range sites {
			if st.ID == in.ID {
				return &siteOutput{Body: siteOut(st)}, nil
			}
		}
		return nil, huma.Error404NotFound("no site " + in.ID)
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-indicators", Method: http.MethodGet, Path: "/indicators", Tags: []string{"reference"},
		Summary:     "List the indicators of the catalog",
		Description: "Titles, public commitments and methods in French and English, in catalog order. The public sees the published indicators only.",
	}, func(ctx context.Context, in *indicatorsInput) (*indicatorsOutput, error) {
		p := principalOf(ctx)
		var items []Indicator
		for _, d := range s.Engine.Catalog.Indicators {
			if p.SeesIndicator(d.Published) {
				items = append(items, indicatorOut(d))
			}
		}
		out := &indicatorsOutput{}
		out.Body.Items, out.Body.PageInfo = paginate(items, in.Page)
		return out, nil
	})
}
