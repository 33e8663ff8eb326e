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
// is asked of package auth, as for the API. A comparison across a change
// of an indicator's definition says "series break", never a trend; the
// scorecard's own row gives the spread across its sites.
//
// The scorecard's login (login.go, session.go) trades a token of a role
// that reads results for a random 256-bit session id in an HttpOnly,
// SameSite=Strict cookie; the server keeps the sessions in memory (8 h
// idle, 24 h at most) and asks the auth.Keyring about the token on every
// request, so that revoking it ends its sessions. Posts from another site
// are refused and failed logins are rate-limited per client address.
package pages
