package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gin-gonic/gin"

	"globaloffice/auth"
	"globaloffice/exports"
	"globaloffice/indicators"
	"globaloffice/problem"
)

// exportWriteTime bounds writing one export: longer than the server's
// write timeout (3 min), which a large raw export may outlast.
const exportWriteTime = 30 * time.Minute

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// registerExports mounts the workbooks under /api/v1 (behind the tokens):
// plain gin handlers, since they stream files rather than JSON, documented
// in the OpenAPI document by hand.
func (s *Server) registerExports(api huma.API, v1 *gin.RouterGroup) {
	v1.GET("/exports/agency.xlsx", s.agencyExport)
	documentExport(api, "/exports/agency.xlsx", "export-agency", "A site's workbook",
		"The site's results of the period against targets (summary with status colours), its breakdown by day (month) or week (quarter, year) "+
			"per channel, the headline indicators over 12 months with charts, and the method. Managers of the site, directors, admins.",
		[]*huma.Param{
			{Name: "site", In: "query", Required: true, Schema: &huma.Schema{Type: "string"}},
			{Name: "period", In: "query", Required: true, Schema: &huma.Schema{Type: "string"}, Description: "as for /results"},
		})
	v1.GET("/exports/director.xlsx", s.directorExport)
	documentExport(api, "/exports/director.xlsx", "export-director", "A scope's director workbook",
		"The scope's own row and its sub-scopes (the regions of the nation, the departments of a region, the sites of a department) × the indicators, "+
			"coloured by status; a sheet per indicator family with target, status and sample; the sub-scopes ranked on each published indicator. Directors and admins.",
		[]*huma.Param{
			{Name: "scope", In: "query", Schema: &huma.Schema{Type: "string", Default: "national"}, Description: "national, region:CODE or department:CODE"},
			{Name: "period", In: "query", Required: true, Schema: &huma.Schema{Type: "string"}, Description: "as for /results"},
		})
	for _, ext := range []string{"xlsx", "csv"} {
		v1.GET("/exports/raw."+ext, s.rawExport(ext))
		documentExport(api, "/exports/raw."+ext, "export-raw-"+ext, "Raw records ("+ext+")",
			"Contacts (by arrival date), cases (by reception date) or survey responses (by answer date) between two local dates, streamed; "+
				"xlsx sheets are cut at Excel's row limit. User references are pseudonymised; survey comments only for the site's managers, directors and admins. "+
				"Managers: their sites only.",
			[]*huma.Param{
				{Name: "kind", In: "query", Required: true, Schema: &huma.Schema{Type: "string", Enum: []any{"contacts", "cases", "surveys"}}},
				{Name: "from", In: "query", Required: true, Schema: &huma.Schema{Type: "string", Format: "date"}},
				{Name: "to", In: "query", Required: true, Schema: &huma.Schema{Type: "string", Format: "date"}},
				{Name: "site", In: "query", Explode: ptr(true), Schema: &huma.Schema{Type: "array", Items: &huma.Schema{Type: "string"}}},
			})
	}
}

// documentExport adds a file route to the OpenAPI document.
func documentExport(api huma.API, rel, id, summary, desc string, params []*huma.Param) {
	problemJSON := map[string]*huma.MediaType{"application/problem+json": {}}
	op := &huma.Operation{Method: http.MethodGet, Path: rel, OperationID: id, Summary: summary, Description: desc, Tags: []string{"exports"}, Parameters: params,
		Responses: map[string]*huma.Response{"200": {Description: "the file, as an attachment", Content: map[string]*huma.MediaType{xlsxType: {}, "text/csv": {}}}}}
	for _, code := range []string{"401", "403", "404", "422", "503"} {
		op.Responses[code] = &huma.Response{Description: http.StatusText(atoi(code)), Content: problemJSON}
	}
	api.OpenAPI().AddOperation(op)
}

// exportQuery reads a route's query parameters, refusing unknown ones as
// the rest of the API does (422).
func exportQuery(c *gin.Context, known ...string) (url.Values, bool) {
	q := c.Request.URL.Query()
	for k := range q {
		ok := false
		for _, n := range known {
			ok = ok || k == n
		}
		if !ok {
			problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", "unknown query parameter "+k)
			return nil, false
		}
	}
	return q, true
}

// allow answers 401 to the public and 403 to a token that may not, and
// tells whether to go on.
func allow(c *gin.Context, p auth.Principal, allowed bool, what string) bool {
	if allowed {
		return true
	}
	status, detail := http.StatusForbidden, what+" is not allowed for this token"
	if p.IsAnonymous() {
		c.Header("WWW-Authenticate", `Bearer realm="globaloffice"`)
		status, detail = http.StatusUnauthorized, what+" needs a token"
	}
	problem.Write(c.Writer, status, http.StatusText(status), detail)
	return false
}

// sendFile streams a file as an attachment with a write deadline of its
// own. Builders fail before their first byte when they can, so that the
// client gets a problem rather than a broken file.
func (s *Server) sendFile(c *gin.Context, name, contentType string, write func(io.Writer) error) {
	if err := http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(exportWriteTime)); err != nil {
		s.logger().Warn("export write deadline", "err", err)
	}
	h := c.Writer.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
	h.Set("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if err := write(c.Writer); err != nil {
		s.logger().ErrorContext(c.Request.Context(), "export "+name, "err", err)
	}
}

// failed answers an error of loading an export's figures.
func (s *Server) failed(c *gin.Context, what string, err error) {
	var se *indicators.SelectionError
	switch {
	case errors.As(err, &se), errors.Is(err, exports.ErrNoScope):
		problem.Write(c.Writer, http.StatusNotFound, "not found", err.Error())
	default:
		s.logger().ErrorContext(c.Request.Context(), what, "err", err)
		c.Header("Retry-After", "5")
		problem.Write(c.Writer, http.StatusServiceUnavailable, "unavailable", what+" is not possible right now; try again")
	}
}

func (s *Server) agencyExport(c *gin.Context) {
	p := principalOf(c.Request.Context())
	q, ok := exportQuery(c, "site", "period")
	if !ok || !allow(c, p, p.ReadsLive(), "a site's workbook") {
		return
	}
	site, period := q.Get("site"), q.Get("period")
	if site == "" || period == "" {
		problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", "site and period are required")
		return
	}
	if !p.ReadsSite(site) {
		problem.Write(c.Writer, http.StatusForbidden, "forbidden", "site "+site+" is not among this token's sites")
		return
	}
	per, err := indicators.ParsePeriod(period, s.now())
	if err != nil {
		problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", err.Error())
		return
	}
	a, err := exports.LoadAgency(c.Request.Context(), s.Engine, site, per)
	if err != nil {
		s.failed(c, "the workbook of "+site, err)
		return
	}
	s.sendFile(c, fmt.Sprintf("agency-%s-%s.xlsx", site, per.Name), xlsxType, a.Write)
}

func (s *Server) directorExport(c *gin.Context) {
	p := principalOf(c.Request.Context())
	q, ok := exportQuery(c, "scope", "period")
	if !ok || !allow(c, p, p.ReadsAll(), "a director workbook") {
		return
	}
	scope, period := q.Get("scope"), q.Get("period")
	if scope == "" {
		scope = "national"
	}
	if period == "" {
		problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", "period is required")
		return
	}
	per, err := indicators.ParsePeriod(period, s.now())
	if err != nil {
		problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", err.Error())
		return
	}
	if _, err := indicators.ParseScope(scope); err != nil {
		problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", err.Error())
		return
	}
	d, err := exports.LoadDirector(c.Request.Context(), s.Engine, scope, per)
	if err != nil {
		s.failed(c, "the workbook of "+scope, err)
		return
	}
	s.sendFile(c, fmt.Sprintf("director-%s-%s.xlsx", strings.ReplaceAll(scope, ":", "-"), per.Name), xlsxType, d.Write)
}

func (s *Server) rawExport(ext string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c.Request.Context())
		q, ok := exportQuery(c, "kind", "from", "to", "site")
		if !ok || !allow(c, p, p.ReadsLive(), "raw records") {
			return
		}
		from, err1 := time.Parse(time.DateOnly, q.Get("from"))
		to, err2 := time.Parse(time.DateOnly, q.Get("to"))
		kind := q.Get("kind")
		if err1 != nil || err2 != nil || to.Before(from) || !slices.Contains(exports.RawKinds, kind) {
			problem.Write(c.Writer, http.StatusUnprocessableEntity, "unprocessable entity", "want kind=contacts|cases|surveys, from and to as YYYY-MM-DD, from ≤ to")
			return
		}
		sites := q["site"]
		for _, id := range sites {
			if !p.ReadsSite(id) {
				problem.Write(c.Writer, http.StatusForbidden, "forbidden", "site "+id+" is not among this token's sites")
				return
			}
		}
		if len(sites) == 0 && !p.ReadsAll() {
			sites = p.Sites // a manager: its sites
		}
		rq := exports.RawQuery{Kind: kind, From: from, To: to, Sites: sites, Comments: p.ReadsSite}
		write, ctype := exports.WriteRawXLSX, xlsxType
		if ext == "csv" {
			write, ctype = exports.WriteRawCSV, "text/csv; charset=utf-8"
		}
		ctx := c.Request.Context()
		s.sendFile(c, fmt.Sprintf("%s-%s-%s.%s", kind, q.Get("from"), q.Get("to"), ext), ctype, func(w io.Writer) error { return write(ctx, s.DB, rq, w) })
	}
}
