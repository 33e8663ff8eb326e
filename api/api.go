package api

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"globaloffice/api/pages"
	"globaloffice/problem"
)

// Deps is what the server serves.
type Deps struct {
	Server   *Server         // the REST API under /api/v1, and who may call what
	Ingest   []problem.Route // the collector endpoints (ingest.Routes), under /api/v1 too
	Gatherer prometheus.Gatherer
	Registry prometheus.Registerer // where HTTP metrics go (nil: none)
	Health   func(*http.Request) error
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (rate limits are per client); none by default.
	TrustedProxies []string
}

// New builds the router: the REST API and the collectors under /api/v1
// behind the bearer tokens, /metrics and /healthz open (they hold no
// personal data), problem details for everything else.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// A collector path with a stray slash answers the 404 below, not a
	// redirect that a client would follow with its body.
	r.RedirectTrailingSlash = false
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		panic("trusted proxies: " + err.Error()) // checked by serve before
	}
	r.Use(recovery(d.Server), securityHeaders)
	if d.Registry != nil {
		r.Use(requestMetrics(d.Registry))
	}
	r.GET("/healthz", func(c *gin.Context) {
		if d.Health != nil {
			if err := d.Health(c.Request); err != nil {
				d.Server.logger().Warn("health check", "err", err)
				problem.Write(c.Writer, http.StatusServiceUnavailable, "unhealthy", "the database does not answer")
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	if d.Gatherer != nil {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Gatherer, promhttp.HandlerOpts{})))
	}
	pg := pages.Register(r, pages.Deps{Engine: d.Server.Engine, Keyring: d.Server.Keyring, Log: d.Server.logger(), Now: d.Server.Now})
	api, v1 := d.Server.registerV1(r)
	d.Server.registerExports(api, v1)
	d.Server.registerOpenData(r)
	for _, rt := range d.Ingest {
		rel, ok := strings.CutPrefix(rt.Path, v1.BasePath())
		if !ok {
			panic("collector route " + rt.Path + " is not under " + v1.BasePath())
		}
		h := d.Server.collector(rt)
		v1.Handle(rt.Method, rel, h)
		if rt.Method == http.MethodGet {
			v1.Handle(http.MethodHead, rel, h) // as net/http's mux does
		}
		documentCollector(api, rt.Method, rel)
	}
	dirs := collectorDirs(d.Ingest)
	r.NoRoute(func(c *gin.Context) {
		p := c.Request.URL.Path
		for _, dir := range dirs {
			if p == dir || strings.HasPrefix(p, dir+"/") {
				problem.NotFound(c.Writer, "no such collector", d.Ingest)
				return
			}
		}
		// A browser asking for a page that does not exist gets a page.
		if c.Request.Method == http.MethodGet && !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/opendata/") &&
			strings.Contains(c.GetHeader("Accept"), "text/html") {
			pg.NotFound(c)
			return
		}
		problem.Write(c.Writer, http.StatusNotFound, "not found", "no route "+c.Request.Method+" "+p)
	})
	return r
}

// collectorDirs are the folders of the collectors' paths
// (/api/v1/ingest): a request there that matches no collector, by path or
// method, is told which ones there are.
func collectorDirs(routes []problem.Route) []string {
	var dirs []string
	for _, rt := range routes {
		if dir := path.Dir(rt.Path); dir != "/" && !slices.Contains(dirs, dir) {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// recovery answers a panic with a 500 problem that names nothing internal,
// and logs it.
func recovery(s *Server) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		s.logger().Error("panic serving a request", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", err)
		problem.Write(c.Writer, http.StatusInternalServerError, "internal error", "the request could not be served")
		c.Abort()
	})
}

// securityHeaders are sent with every answer: no sniffing, no framing, no
// referrer, and nothing loaded from elsewhere.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	if c.Request.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	c.Next()
}

// requestMetrics records request durations by route pattern (bounded), not
// by raw path; the code label is the numeric status, as Prometheus' own
// instrumentation has it.
func requestMetrics(reg prometheus.Registerer) gin.HandlerFunc {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "globaloffice_http_request_duration_seconds",
		Help:    "HTTP request durations by route and status code.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "code"})
	reg.MustRegister(h)
	return func(c *gin.Context) {
		t0 := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		h.WithLabelValues(route, method(c.Request.Method), strconv.Itoa(c.Writer.Status())).Observe(time.Since(t0).Seconds())
	}
}

// method bounds the method label: any other verb is "other".
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions:
		return m
	}
	return "other"
}

// documentCollector adds a collector route, served by ingest rather than
// huma, to the OpenAPI document.
func documentCollector(api huma.API, method, rel string) {
	op := &huma.Operation{Method: method, Path: rel, Tags: []string{"collectors"}, Responses: map[string]*huma.Response{}}
	problemJSON := map[string]*huma.MediaType{"application/problem+json": {}}
	switch {
	case method == http.MethodPost:
		kind := path.Base(rel)
		op.OperationID = "ingest-" + kind
		op.Summary = "Send " + kind
		op.Description = "Records as application/json (one object or an array), application/x-ndjson or text/csv (header row; ?mapping=NAME for a foreign export). " +
			"Valid records are stored, each invalid one reported with its line, field and reason. Collector tokens write only for their sources and sites; " +
			"a record for another is a reject, reason \"not allowed for this token\"."
		op.Parameters = []*huma.Param{
			{Name: "source", In: "query", Description: "the source system, for records that do not name it", Schema: &huma.Schema{Type: "string"}},
			{Name: "mapping", In: "query", Description: "a mapping for a foreign export (globaloffice mappings)", Schema: &huma.Schema{Type: "string"}},
		}
		op.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/json": {}, "application/x-ndjson": {}, "text/csv": {}, "text/plain": {},
		}}
		op.Responses["200"] = &huma.Response{Description: "received, accepted, duplicates, rejected, spooled, and the rejects (line or index, id, field, reason)",
			Content: map[string]*huma.MediaType{"application/json": {}}}
		for _, code := range []string{"400", "401", "403", "408", "413", "415", "503"} {
			op.Responses[code] = &huma.Response{Description: http.StatusText(atoi(code)), Content: problemJSON}
		}
	default:
		op.OperationID = "list-rejects"
		op.Summary = "Refused records"
		op.Description = "With their line, field, reason and raw text (which may hold personal data): admins see all, collector tokens their own sources'."
		op.Parameters = []*huma.Param{
			{Name: "kind", In: "query", Schema: &huma.Schema{Type: "string", Enum: []any{"contacts", "cases", "surveys"}}},
			{Name: "source", In: "query", Schema: &huma.Schema{Type: "string"}},
			{Name: "since", In: "query", Description: "RFC 3339", Schema: &huma.Schema{Type: "string", Format: "date-time"}},
			{Name: "limit", In: "query", Schema: &huma.Schema{Type: "integer", Minimum: ptr(1.0), Maximum: ptr(10000.0)}},
		}
		op.Responses["200"] = &huma.Response{Description: "the rejects, newest first", Content: map[string]*huma.MediaType{"application/json": {}}}
		for _, code := range []string{"400", "401", "403", "503"} {
			op.Responses[code] = &huma.Response{Description: http.StatusText(atoi(code)), Content: problemJSON}
		}
	}
	api.OpenAPI().AddOperation(op)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func ptr[T any](v T) *T { return &v }
