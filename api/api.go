// Package api is globaloffice's HTTP server (gin): the collector endpoints,
// metrics and health now; the indicator API and pages as later issues add
// them. Errors are RFC 9457 problem details.
package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"globaloffice/ingest"
)

// Deps is what the server serves.
type Deps struct {
	Ingest   http.Handler // the collector endpoints (ingest.Handler)
	Gatherer prometheus.Gatherer
	Registry prometheus.Registerer // where HTTP metrics go (nil: none)
	Health   func(*http.Request) error
}

// New builds the router.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	if d.Registry != nil {
		r.Use(requestMetrics(d.Registry))
	}
	r.GET("/healthz", func(c *gin.Context) {
		if d.Health != nil {
			if err := d.Health(c.Request); err != nil {
				ingest.Problem(c.Writer, http.StatusServiceUnavailable, "unhealthy", err.Error())
				return
			}
		}
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	if d.Gatherer != nil {
		r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Gatherer, promhttp.HandlerOpts{})))
	}
	if d.Ingest != nil {
		r.Any("/api/v1/ingest/*rest", gin.WrapH(d.Ingest))
	}
	r.NoRoute(func(c *gin.Context) {
		ingest.Problem(c.Writer, http.StatusNotFound, "not found", "no route "+c.Request.Method+" "+c.Request.URL.Path)
	})
	return r
}

// requestMetrics records request durations by route pattern (bounded), not
// by raw path.
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
		h.WithLabelValues(route, method(c.Request.Method), http.StatusText(c.Writer.Status())).Observe(time.Since(t0).Seconds())
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
