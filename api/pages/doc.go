// Package pages serves the server-rendered pages: the national charter
// (/), the sites and each site's results poster (/sites, /sites/{id}), the
// director's scorecard (/scorecard, behind a login that exchanges a token
// for a session cookie) and the methodology (/methodology).
//
// Pages are html/template with one embedded stylesheet, no script, no
// external font: readable and usable without JavaScript. French by
// default, English with ?lang=en or Accept-Language. Every text of an
// indicator (title, commitment, definition) comes from the catalog, so a
// new indicator appears on every page; every figure comes from the one
// results entry point, indicators.Engine.Results, and what a visitor may see
// is asked of package auth, as for the API.
package pages
