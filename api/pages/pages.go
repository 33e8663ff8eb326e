package pages

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"globaloffice/auth"
	"globaloffice/indicators"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps is what the pages read.
type Deps struct {
	Engine  *indicators.Engine // with CacheFor set: closed figures from memory
	Keyring *auth.Keyring
	Log     *slog.Logger
	Now     func() time.Time
}

// Pages serves the pages.
type Pages struct {
	d     Deps
	pages map[string]*template.Template
	cache pageCache // public pages, rendered once per CacheFor
	sess  *sessions // the scorecard's logins
	fails *failures // failed logins by client address
}

// Register mounts the pages and their stylesheet on r.
func Register(r gin.IRouter, d Deps) *Pages {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	p := &Pages{d: d, pages: parse()}
	static, _ := fs.Sub(staticFS, "static")
	r.GET("/static/*file", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		c.FileFromFS(c.Param("file"), http.FS(static))
	})
	r.GET("/", p.cached(p.charter))
	r.GET("/sites", p.cached(p.sites))
	r.GET("/sites/:id", p.cached(p.site))
	r.GET("/methodology", p.cached(p.methodology))
	p.registerScorecard(r)
	return p
}

// NotFound answers a page that does not exist with an HTML page, for a
// browser (the API's paths answer problem details instead).
func (p *Pages) NotFound(c *gin.Context) {
	lg := lang(c)
	p.render(c, http.StatusNotFound, "error", lg, t(lg, "notfound.page.title"), "", t(lg, "notfound.page"))
}

// parse reads each page's template with the layout.
func parse() map[string]*template.Template {
	funcs := template.FuncMap{"t": t, "value": value, "number": number}
	out := map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		out[n[len("templates/"):len(n)-len(".html")]] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return out
}

// page is what every page's template gets.
type page struct {
	Lang    string
	Title   string
	Nav     string // the active section
	Path    string // the page's path and query without lang, for the language switch
	OtherLg string
	Data    any
}

// render writes a page, or a plain error page when the template fails.
func (p *Pages) render(c *gin.Context, status int, name, lang, title, nav string, data any) {
	other := indicators.EN
	if lang == indicators.EN {
		other = indicators.FR
	}
	q := c.Request.URL.Query()
	q.Del("lang")
	path := c.Request.URL.Path
	if enc := q.Encode(); enc != "" {
		path += "?" + enc + "&"
	} else {
		path += "?"
	}
	var b bytes.Buffer
	if err := p.pages[name].Execute(&b, page{Lang: lang, Title: title, Nav: nav, Path: path, OtherLg: other, Data: data}); err != nil {
		p.d.Log.Error("render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("the page could not be shown"))
		return
	}
	c.Header("Content-Language", lang)
	if c.Writer.Header().Get("Vary") == "" {
		c.Header("Vary", "Accept-Language") // the language may come from it
	}
	c.Data(status, "text/html; charset=utf-8", b.Bytes())
}

// failed shows a page that says the figures cannot be read now (the error
// is logged, never shown).
func (p *Pages) failed(c *gin.Context, lang string, err error) {
	p.d.Log.Error("page", "path", c.Request.URL.Path, "err", err)
	c.Header("Retry-After", "5")
	p.render(c, http.StatusServiceUnavailable, "error", lang, t(lang, "error.title"), "", t(lang, "error.unavailable"))
}

// latestClosed is the latest-ending closed period of a kind ("" any), and
// false when none is closed.
func (p *Pages) latestClosed(ctx context.Context, kind string) (indicators.Period, indicators.ClosedPeriod, bool, error) {
	ps, err := p.d.Engine.ClosedPeriods(ctx)
	if err != nil {
		return indicators.Period{}, indicators.ClosedPeriod{}, false, err
	}
	var best indicators.Period
	var bestCP indicators.ClosedPeriod
	found := false
	for _, cp := range ps {
		per, err := indicators.ParsePeriod(cp.Period, p.d.Now())
		if err != nil || kind != "" && per.Kind != kind {
			continue
		}
		// By default a calendar period: a closed range or twelve rolling
		// months are chosen only by name.
		if kind == "" && (per.Kind == "range" || per.Kind == "rolling12") {
			continue
		}
		if !found || per.To.After(best.To) || per.To.Equal(best.To) && per.From.Before(best.From) {
			best, bestCP, found = per, cp, true
		}
	}
	return best, bestCP, found, nil
}

// statusClass is the CSS class of a status; the text says it too (never
// colour alone).
func statusClass(s string) string {
	switch s {
	case indicators.StatusMet:
		return "met"
	case indicators.StatusMissed:
		return "missed"
	}
	return "none"
}

// trend compares a value with an earlier one for a reader: up, down or
// unchanged, and whether that is better given the direction.
func trend(lang string, d *indicators.Definition, v, before *float64) string {
	if v == nil || before == nil {
		return t(lang, "none")
	}
	diff := *v - *before
	switch {
	case diff > 0.05:
		w := "trend.worse"
		if d.Direction == "higher" {
			w = "trend.better"
		}
		return t(lang, "trend.up") + " (" + t(lang, w) + ")"
	case diff < -0.05:
		w := "trend.better"
		if d.Direction == "higher" {
			w = "trend.worse"
		}
		return t(lang, "trend.down") + " (" + t(lang, w) + ")"
	}
	return t(lang, "trend.same")
}

// breakText says that a comparison crosses a change of the indicator's
// definition, so that no trend is read into it.
func breakText(lang string, r indicators.Result) string {
	since := r.VersionSince
	if d, err := time.Parse(time.DateOnly, since); err == nil {
		since = dateIn(lang, d)
	}
	return fmt.Sprintf(t(lang, "sc.break"), r.Version, since)
}

// publicOnly is what the public may see of a report, leaving the report
// whole (its caller reads all of it too).
func publicOnly(cat *indicators.Catalog, rep indicators.Report) []indicators.Result {
	rep.Results = slices.Clone(rep.Results)
	rep.Keep(cat, auth.Anonymous.SeesResult)
	return rep.Results
}
