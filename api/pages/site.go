package pages

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"globaloffice/indicators"
	"globaloffice/model"
)

// siteItem is one published commitment on a site's page.
type siteItem struct {
	ID, Title, Commitment      string
	Value, Target, Sample      string
	Status, StatusText         string
	Chart                      chart
	ChartCaption, ChartSummary string
}

// channelGroup is the commitments of one channel.
type channelGroup struct {
	ID, Name string
	Items    []siteItem
}

type siteData struct {
	Site        siteRow
	Closed      bool // a quarter is closed: the figures below are its own
	Period      string
	From, To    string
	PublishedAt string
	Revision    int
	Groups      []channelGroup
}

// chartQuarters is how many quarters a commitment's chart shows.
const chartQuarters = 4

// site is /sites/{id}: the site's published results for the last closed
// quarter, grouped by channel, each with its last four quarters drawn;
// printed, the results poster of the site's reception hall.
func (p *Pages) site(c *gin.Context) {
	lg := lang(c)
	ctx := c.Request.Context()
	all, err := p.d.Engine.Sites(ctx)
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	i := slices.IndexFunc(all, func(s model.Site) bool { return s.ID == c.Param("id") })
	if i < 0 {
		p.render(c, http.StatusNotFound, "error", lg, t(lg, "notfound.title"), "sites", strings.ReplaceAll(t(lg, "notfound.site"), "{id}", c.Param("id")))
		return
	}
	site := all[i]
	data := siteData{Site: rowOf(lg, site)}
	quarters, closed, err := p.lastQuarters(ctx)
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	if len(quarters) > 0 {
		if err := p.siteResults(ctx, lg, site, quarters, closed, &data); err != nil {
			p.failed(c, lg, err)
			return
		}
	}
	publicPage(c)
	p.render(c, http.StatusOK, "site", lg, site.Name, "sites", data)
}

// lastQuarters are the last closed quarter and the three before it, oldest
// first, with which of them are closed (one that is not has no public
// figures); none when no quarter is closed.
func (p *Pages) lastQuarters(ctx context.Context) ([]indicators.Period, map[string]bool, error) {
	cps, err := p.d.Engine.ClosedPeriods(ctx)
	if err != nil {
		return nil, nil, err
	}
	closed := map[string]bool{}
	var last indicators.Period
	for _, cp := range cps {
		per, err := indicators.ParsePeriod(cp.Period, p.d.Now())
		if err != nil || per.Kind != "quarter" {
			continue
		}
		closed[per.Name] = true
		if last.Name == "" || per.From.After(last.From) {
			last = per
		}
	}
	if last.Name == "" {
		return nil, closed, nil
	}
	qs := make([]indicators.Period, chartQuarters)
	qs[chartQuarters-1] = last
	for i := chartQuarters - 2; i >= 0; i-- {
		qs[i] = qs[i+1].Previous()
	}
	return qs, closed, nil
}

// siteResults fills data with the site's results: one Results call per
// closed quarter, the site's scope only, what the public may see of it.
func (p *Pages) siteResults(ctx context.Context, lg string, site model.Site, quarters []indicators.Period, closed map[string]bool, data *siteData) error {
	cat := p.d.Engine.Catalog
	shown := make([]map[string]indicators.Result, len(quarters)) // by indicator, per quarter
	computed := map[string]bool{}                                // indicators with a result in the last quarter
	last := len(quarters) - 1
	for i, q := range quarters {
		shown[i] = map[string]indicators.Result{}
		if !closed[q.Name] {
			continue
		}
		rep, err := p.d.Engine.Results(ctx, indicators.Query{Period: q, Selection: indicators.Selection{Sites: []string{site.ID}, Scope: model.ScopeSite}})
		if err != nil {
			return err
		}
		for _, r := range publicOnly(cat, rep) {
			shown[i][r.Indicator] = r
		}
		if i == last {
			for _, r := range rep.Results {
				computed[r.Indicator] = true
			}
			q := quarters[last]
			data.Closed, data.Period, data.From, data.To = true, q.Name, dateIn(lg, q.From), dateIn(lg, q.To)
			data.PublishedAt, data.Revision = dateIn(lg, rep.Provenance.ClosedAt), rep.Provenance.Revision
		}
	}
	groups := map[string]*channelGroup{}
	for _, d := range cat.Indicators {
		if !d.Published {
			continue
		}
		it := siteItem{ID: d.ID, Title: d.Title.In(lg), Commitment: d.Commitment.In(lg), Value: t(lg, "none"), Target: t(lg, "none"), Sample: t(lg, "none"),
			Status: "none", StatusText: t(lg, "status.insufficient_data")}
		if !computed[d.ID] {
			it.StatusText = t(lg, "status.no_result")
		}
		if r, ok := shown[last][d.ID]; ok {
			it.Value, it.Target, it.Sample = value(lg, d.Unit, r.Value), value(lg, d.Unit, r.Target), number(lg, float64(r.Sample), 0)
			it.Status, it.StatusText = statusClass(r.Status), t(lg, "status."+r.Status)
		}
		pts := make([]chartPoint, len(quarters))
		words := make([]string, len(quarters))
		for i, q := range quarters {
			pts[i] = chartPoint{Label: quarterLabel(lg, q)}
			words[i] = pts[i].Label + t(lg, "colon")
			r, ok := shown[i][d.ID]
			switch {
			case !closed[q.Name]:
				words[i] += t(lg, "chart.not_closed")
				continue
			case !ok:
				words[i] += t(lg, "chart.not_published")
				continue
			}
			pts[i].Value, pts[i].Target, pts[i].Status = r.Value, r.Target, r.Status
			if r.Value != nil {
				pts[i].Text = number(lg, *r.Value, 1)
			}
			words[i] += value(lg, d.Unit, r.Value)
			if r.Target != nil {
				words[i] += " (" + t(lg, "chart.target") + " " + value(lg, d.Unit, r.Target)
				if r.Status == indicators.StatusMet || r.Status == indicators.StatusMissed {
					words[i] += t(lg, "colon") + t(lg, "chart."+r.Status)
				}
				words[i] += ")"
			}
		}
		it.ChartCaption = t(lg, "site.trend")
		it.ChartSummary = strings.Join(words, t(lg, "sep"))
		it.Chart = drawChart(it.Commitment+" — "+it.ChartCaption+t(lg, "colon")+it.ChartSummary+".", d.Unit, pts)
		ch := d.Channel()
		g, ok := groups[ch]
		if !ok {
			g = &channelGroup{ID: "channel-" + channelID(ch), Name: channelName(lg, ch)}
			groups[ch] = g
		}
		g.Items = append(g.Items, it)
	}
	for _, ch := range channelOrder(groups) {
		data.Groups = append(data.Groups, *groups[ch])
	}
	return nil
}

// knownChannels is the order of the channels on a site's page; others
// follow by name, and commitments across channels come last.
var knownChannels = []string{"reception", "phone", "appointment", "email", "mail", "back_office"}

func channelOrder[V any](groups map[string]V) []string {
	var out, other []string
	for _, ch := range knownChannels {
		if _, ok := groups[ch]; ok {
			out = append(out, ch)
		}
	}
	for ch := range groups {
		if ch != "" && !slices.Contains(knownChannels, ch) {
			other = append(other, ch)
		}
	}
	slices.Sort(other)
	out = append(out, other...)
	if _, ok := groups[""]; ok {
		out = append(out, "")
	}
	return out
}

// channelID is a channel in an element id ("all" for every channel).
func channelID(ch string) string {
	if ch == "" {
		return "all"
	}
	return ch
}

// channelName is a channel in words; a channel the pages have no words for
// is shown by its name.
func channelName(lg, ch string) string {
	key := "channel." + channelID(ch)
	if _, ok := messages[key]; ok {
		return t(lg, key)
	}
	return ch
}

// quarterLabel is "T2 2026" in French, "Q2 2026" in English.
func quarterLabel(lg string, q indicators.Period) string {
	return t(lg, "quarter.abbr") + strconv.Itoa((int(q.From.Month())+2)/3) + " " + strconv.Itoa(q.From.Year())
}
