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
