package api

import (
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humagin"
	"github.com/gin-gonic/gin"
)

// Version is the API's version in its OpenAPI document.
const Version = "1.0.0"

func init() {
	// Clients never see the text of an internal error: a 5xx says what
	// failed in the problem's title and no more (the server logs it).
	newError := huma.NewError
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		if status >= 500 {
			errs = nil
		}
		return newError(status, msg, errs...)
	}
}

// registerV1 mounts the REST API under /api/v1 on r, behind authenticate,
// with its OpenAPI 3.1 document at /api/v1/openapi.json generated from the
// Go types of the operations.
func (s *Server) registerV1(r *gin.Engine) (huma.API, *gin.RouterGroup) {
	s.bodies = newBodySlots(s.Limits.IngestBodies, s.Limits.IngestBodyBytes, s.Limits.IngestWait)
	s.anonymous = newClientLimits(s.Limits.AnonymousRate, s.Limits.AnonymousBurst)
	g := r.Group("/api/v1", s.authenticate, s.limitAnonymous)
	cfg := huma.DefaultConfig("globaloffice", Version)
	cfg.CreateHooks = nil // no $schema link in every body
	cfg.DocsPath = ""     // the docs page loads scripts from a CDN
	cfg.SchemasPath = ""
	cfg.OpenAPIPath = "/openapi"
	cfg.RejectUnknownQueryParameters = true
	cfg.Info.Description = "Quality of service of a public service on every channel, against its public commitments and its management targets. " +
		"Errors are RFC 9457 problem details. Send Authorization: Bearer TOKEN; without one, only published results of closed periods are shown."
	cfg.Servers = []*huma.Server{{URL: "/api/v1"}}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "a token from globaloffice tokens create or POST /tokens"},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}, {}}
	api := humagin.NewWithGroup(r, g, cfg)
	s.registerReference(api)
	s.registerResults(api)
	s.registerJourneys(api)
	s.registerTargets(api)
	s.registerPeriods(api)
	s.registerTokens(api)
	return api, g
}
