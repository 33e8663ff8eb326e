package pages

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"globaloffice/indicators"
	"globaloffice/model"
)

// charterItem is one published commitment on the national charter.
type charterItem struct {
	ID, Title, Commitment        string
	Value, Target, Sample        string
	Status, StatusText           string
	Previous, LastYear           string
	TrendPrevious, TrendLastYear string
}

type charterData struct {
	Period      string
	From, To    string
	PublishedAt string
	Revision    int
	Items       []charterItem
}

// charter is / : each published commitment with its latest closed national
// result, target, status in words, trend and sample, and a link to its
// method.
func (p *Pages) charter(c *gin.Context) {
	lg := lang(c)
	ctx := c.Request.Context()
	per, _, ok, err := p.latestClosed(ctx, "")
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	data := charterData{}
	if ok {
		rep, err := p.d.Engine.Results(ctx, indicators.Query{Period: per, Selection: indicators.Selection{Scope: model.ScopeNational}})
		if err != nil {
			p.failed(c, lg, err)
			return
		}
		data = charterData{Period: per.Name, From: dateIn(lg, per.From), To: dateIn(lg, per.To), PublishedAt: dateIn(lg, rep.Provenance.ClosedAt), Revision: rep.Provenance.Revision}
		shown := map[string]indicators.Result{}
		for _, r := range publicOnly(p.d.Engine.Catalog, rep) {
			shown[r.Indicator] = r
		}
		for _, d := range p.d.Engine.Catalog.Indicators {
			if !d.Published {
				continue
			}
			it := charterItem{ID: d.ID, Title: d.Title.In(lg), Commitment: d.Commitment.In(lg), Value: t(lg, "none"), Target: t(lg, "none"), Sample: "0",
				Status: "none", StatusText: t(lg, "status.insufficient_data"), Previous: t(lg, "none"), LastYear: t(lg, "none"),
				TrendPrevious: t(lg, "none"), TrendLastYear: t(lg, "none")}
			if r, ok := shown[d.ID]; ok {
				it.Value, it.Target, it.Sample = value(lg, d.Unit, r.Value), value(lg, d.Unit, r.Target), number(lg, float64(r.Sample), 0)
				it.Status, it.StatusText = statusClass(r.Status), t(lg, "status."+r.Status)
				it.Previous, it.LastYear = value(lg, d.Unit, r.Previous), value(lg, d.Unit, r.LastYear)
				it.TrendPrevious, it.TrendLastYear = trend(lg, d, r.Value, r.Previous), trend(lg, d, r.Value, r.LastYear)
				if r.PreviousBreak {
					it.TrendPrevious = breakText(lg, r)
				}
				if r.LastYearBreak {
					it.TrendLastYear = breakText(lg, r)
				}
			}
			data.Items = append(data.Items, it)
		}
	}
	c.Header("Cache-Control", "public, max-age=300")
	p.render(c, http.StatusOK, "charter", lg, t(lg, "charter.title"), "charter", data)
}

// dateIn writes a date for people: 28/11/2026 in French, 28 Nov 2026 in
// English.
func dateIn(lang string, d time.Time) string {
	if d.IsZero() {
		return ""
	}
	if lang == indicators.EN {
		return d.Format("2 Jan 2006")
	}
	return d.Format("02/01/2006")
}
