// Package api is globaloffice's HTTP server, a gin router.
//
// It serves the REST API under /api/v1 on huma (v1.go), its OpenAPI 3.1
// document generated from the handlers' Go types: sites and the indicator
// catalog (reference.go), results and the scorecard, read through the one
// results entry point, indicators.Engine.Results, with ETag and 304 for
// closed periods (results.go), targets (targets.go), closed periods and
// closing (periods.go) and tokens (tokens.go). Every /api/v1 request is
// authenticated from its bearer token or served as the anonymous public
// (server.go), and what each caller may see or do is asked of package auth.
// The collector endpoints it is handed (ingest's Routes) are registered
// under their own paths behind the same tokens (collectors.go); api imports
// no collector. It also serves /metrics and /healthz, measures request
// durations by route, method and status code, sends security headers,
// limits collector bodies decoded at once and anonymous clients' rate
// (limits.go), and answers RFC 9457 problem details for every error,
// without internal text.
package api
