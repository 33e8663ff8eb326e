// Package api is globaloffice's HTTP API and server-rendered pages (gin): REST under /api/v1, problem-details errors, the OpenAPI document, the charter and site pages.
//
// The package fills in with the issues that build it; the layout is fixed
// from the start so that dependencies point one way (see README.md).
package api
