package api_test

import (
	"strings"
	"testing"
)

// TestCharterPage: the national charter shows each published commitment
// with the national result of the last closed period, as the engine
// computes it, in French by default and in English on request.
func TestCharterPage(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/", "", "")
	body := string(r.body)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
	}
	// May 2026: 20 of 25 reception visits within 20 minutes nationally
	// (9 + 7 + 4), against a target of 80: met.
	for _, want := range []string{`<html lang="fr">`, "Nous vous recevons en moins de 20 minutes.", "data-indicator=\"reception.wait_20min\">80,0\u00a0%</dd>",
		"✓ Objectif atteint", `id="period">2026-05<`, `href="/methodology?lang=fr#reception.wait_20min"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the charter lacks %q", want)
		}
	}
	if strings.Contains(body, "reception.wait_p90") {
		t.Error("an unpublished indicator is on the public charter")
	}
	en := string(e.do("GET", "/?lang=en", "", "").body)
	for _, want := range []string{`<html lang="en">`, "We receive you within 20 minutes.", "80.0%", "✓ Target met"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English charter lacks %q", want)
		}
	}
	if got := string(e.do("GET", "/", "", "", "Accept-Language", "en-GB,en;q=0.9").body); !strings.Contains(got, `<html lang="en">`) {
		t.Error("Accept-Language: en is not followed")
	}
	if css := e.do("GET", "/static/style.css", "", ""); css.status != 200 || !strings.Contains(string(css.body), "@media print") {
		t.Errorf("stylesheet: %d", css.status)
	}
}

// TestPageNotFound: a browser asking for a page that does not exist gets
// an HTML page; a program (or an API path) gets problem details.
func TestPageNotFound(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/nope", "", "", "Accept", "text/html,application/xhtml+xml")
	if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Page introuvable") {
		t.Errorf("browser: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := e.do("GET", "/nope?lang=en", "", "", "Accept", "text/html"); !strings.Contains(string(r.body), "Page not found") {
		t.Errorf("English: %s", r.body)
	}
	for _, tc := range []struct{ path, accept string }{{"/nope", "application/json"}, {"/api/v1/nope", "text/html"}, {"/opendata/nope", "text/html"}} {
		if r := e.do("GET", tc.path, "", "", "Accept", tc.accept); r.status != 404 || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s (%s): %d %s", tc.path, tc.accept, r.status, r.header.Get("Content-Type"))
		}
	}
}
