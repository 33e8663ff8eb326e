package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"globaloffice/problem"
)

// collector serves a collector route for the callers allowed to: records
// are written by admins and collector tokens, rejects read by admins and
// collectors.
func (s *Server) collector(rt problem.Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principalOf(c.Request.Context())
		allowed, what := p.Writes(), "sending records"
		if rt.Method != http.MethodPost {
			allowed, what = p.ReadsRejects(), "reading rejects"
		}
		if !allowed {
			status, detail := http.StatusForbidden, what+" is not allowed for this token"
			if p.IsAnonymous() {
				c.Header("WWW-Authenticate", `Bearer realm="globaloffice"`)
				status, detail = http.StatusUnauthorized, what+" needs a token"
			}
			problem.Write(c.Writer, status, http.StatusText(status), detail)
			return
		}
		if rt.Method == http.MethodPost {
			release, ok := s.bodies.acquire(c.Request.Context(), c.Request.ContentLength)
			if !ok {
				c.Header("Retry-After", "5")
				problem.Write(c.Writer, http.StatusServiceUnavailable, "busy", "too many bodies are being received at once: send again shortly")
				return
			}
			defer release()
		}
		// The collectors read the caller from the request's context: a
		// collector token writes only for its sources and sites and reads
		// only its own rejects.
		rt.Handler.ServeHTTP(c.Writer, c.Request)
	}
}
