package api

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"globaloffice/problem"
)

// Deps is what the server serves.
type Deps struct {
	Ingest   []problem.Route // the collector endpoints (ingest.Routes)
	Gatherer prometheus.Gatherer
	Registry prometheus.Registerer // where HTTP metrics go (nil: none)
	Health   func(*http.Request) error
}

// New builds the router.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// A collector path with a stray slash answers the 404 below, not a
	// redirect that a client would follow with its body.
	r.RedirectTrailingSlash = false
	r.Use(gin.Recovery())
	if d.Registry != nil {
		r.Use(requestMetrics(d.Registry))
	}
	r.GET("/healthz", func(c *gin.Context) {
		if d.Health != nil {
			if err := d.Health(c.Request); err != nil {
				problem.Write(c.Writer, http.StatusServiceUnavailable, "unhealthy", err.Error())
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	if d.Gatherer != nil {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Gatherer, promhttp.HandlerOpts{})))
	}
	for _, rt := range d.Ingest {
		h := gin.WrapH(rt.Handler)
		r.Handle(rt.Method, rt.Path, h)
		if rt.Method == http.MethodGet {
			r.Handle(http.MethodHead, rt.Path, h) // as net/http's mux does
		}
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
