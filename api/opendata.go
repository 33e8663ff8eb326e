package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"globaloffice/exports"
	"globaloffice/problem"
)

// registerOpenData serves the open data outside /api/v1, to anyone: only
// published results of closed periods with enough sample, which the
// public may see anyway. Closed results do not change, so answers carry a
// public Cache-Control and an ETag of the revisions they hold (304 on
// If-None-Match); the engine keeps closed revisions in memory.
func (s *Server) registerOpenData(r *gin.Engine) {
	g := r.Group("/opendata", s.limitAnonymous)
	g.GET("/results.csv", s.openData("text/csv; charset=utf-8", exports.WriteOpenCSV))
	g.GET("/results.json", s.openData("application/json", exports.WriteOpenJSON))
	g.GET("/schema.json", func(c *gin.Context) { s.openDoc(c, exports.OpenSchema()) })
	g.GET("/datapackage.json", func(c *gin.Context) { s.openDoc(c, exports.DataPackage()) })
}

func (s *Server) openDoc(c *gin.Context, v any) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Header("Content-Type", "application/json")
	if err := exports.WriteJSON(c.Writer, v); err != nil {
		s.logger().Warn("open data document", "err", err)
	}
}

func (s *Server) openData(contentType string, write func(w io.Writer, rows []exports.OpenRow) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		q, ok := exportQuery(c, "period", "indicator", "site")
		if !ok {
			return
		}
		ctx := c.Request.Context()
		closed, err := s.Engine.ClosedPeriods(ctx)
		if err != nil {
			s.failed(c, "open data", err)
			return
		}
		f := exports.OpenFilter{Period: q.Get("period"), Indicator: q.Get("indicator"), Site: q.Get("site")}
		// The ETag: the filter and every period's latest revision.
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", c.FullPath(), f.Period, f.Indicator, f.Site)
		for _, p := range closed {
			fmt.Fprintf(h, "\x00%s:%d", p.Period, p.Revisions[len(p.Revisions)-1].Revision)
		}
		etag := `"od-` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
		c.Header("ETag", etag)
		c.Header("Cache-Control", "public, max-age=300")
		for _, m := range strings.Split(c.GetHeader("If-None-Match"), ",") {
			if strings.TrimPrefix(strings.TrimSpace(m), "W/") == etag {
				c.Status(http.StatusNotModified)
				return
			}
		}
		rows, err := exports.LoadOpenData(ctx, s.Engine, f, baseURL(c.Request))
		if err != nil {
			c.Header("ETag", "")
			c.Header("Cache-Control", "no-store")
			s.failed(c, "open data", err)
			return
		}
		var buf bytes.Buffer // a few megabytes at most: the whole answer or a problem
		if err := write(&buf, rows); err != nil {
			problem.Write(c.Writer, http.StatusInternalServerError, "internal error", "the open data could not be written")
			return
		}
		c.Data(http.StatusOK, contentType, buf.Bytes())
	}
}

// baseURL is the server's address as the client reached it, for links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
