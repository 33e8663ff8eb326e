package api_test

import (
	"context"
	"html"
	"slices"
	"strconv"
	"strings"
	"testing"

	"globaloffice/indicators"
	"globaloffice/model"
)

// TestSitesSearch: /sites finds sites by name, department (code or name)
// and region, whatever the case and accents, and links each to its page.
func TestSitesSearch(t *testing.T) {
	e := newEnv(t)
	f := func(q string, want ...string) {
		t.Helper()
		r := e.do("GET", "/sites?q="+q, "", "")
		body := string(r.body)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("q=%s: %d %s", q, r.status, r.header.Get("Content-Type"))
		}
		for _, s := range fixtureSites {
			link := `href="/sites/` + s.ID + `?lang=fr"`
			if has, wanted := strings.Contains(body, link), slices.Contains(want, s.ID); has != wanted {
				t.Errorf("q=%s: %s listed %v, want %v", q, s.ID, has, wanted)
			}
		}
		if len(want) == 0 && !strings.Contains(body, "Aucun site ne correspond") {
			t.Errorf("q=%s: no word that nothing matches", q)
		}
	}
	f("", "PAR-11", "PAR-18", "STR-67")
	f("strasbourg", "STR-67")
	f("PARIS%2011", "PAR-11")                   // every word, not the region code 11 of Paris 18
	f("par-18", "PAR-18")                       // the id
	f("75", "PAR-11", "PAR-18")                 // department code
	f("bas%20rhin", "STR-67")                   // department name (67), without its hyphen
	f("%C3%8Ele-de-France", "PAR-11", "PAR-18") // region name, with its accent
	f("ile%20de%20france", "PAR-11", "PAR-18")  // and without
	f("44", "STR-67")                           // region code (Grand Est)
	f("lyon")

	body := string(e.do("GET", "/sites", "", "").body)
	for _, want := range []string{`<form role="search"`, `<input type="search" name="q" id="q"`, `<label for="q">`, `<caption>Tous les sites (3)</caption>`,
		`<th scope="row"><a href="/sites/STR-67?lang=fr">Strasbourg</a></th><td>STR-67</td><td>Agence</td><td>Bas-Rhin (67)</td><td>Grand Est</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/sites lacks %q", want)
		}
	}
	// What was typed is shown back, escaped.
	if got := string(e.do("GET", "/sites?q=%3Cb%3Ex", "", "").body); !strings.Contains(got, "&lt;b&gt;x") || strings.Contains(got, "<b>x") {
		t.Error("the search text is not escaped")
	}
	en := string(e.do("GET", "/sites?lang=en&q=paris", "", "").body)
	for _, want := range []string{`<html lang="en">`, "Find a site", "Sites matching “paris” (2)", "Agency", "Department"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English /sites lacks %q", want)
		}
	}
	for _, fr := range []string{"Trouver", "Rechercher", "Agence", "Département", "Région"} {
		if strings.Contains(en, fr) {
			t.Errorf("the English /sites says %q", fr)
		}
	}
}

// TestSitePage: a site's page shows what the public may see of the site's
// results for the last closed quarter, as the engine computes them, with
// the last four quarters drawn; before any quarter is closed it says so,
// and an unknown site is a 404 page.
func TestSitePage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := e.do("GET", "/sites/PAR-11", "", "")
	if body := html.UnescapeString(string(r.body)); r.status != 200 || !strings.Contains(body, `<h1 id="site-name">Paris 11</h1>`) ||
		!strings.Contains(body, "Aucun trimestre n'est encore clos") || strings.Contains(body, `id="period"`) {
		t.Fatalf("before any closed quarter: %d\n%s", r.status, body)
	}

	// February: PAR-11 8 of 10 within 20 minutes. Q1 and Q2 closed.
	e.send("contacts", "test", contactsHeader+reception("PAR-11", "2026-02-10", 8, 2))
	var q2 indicators.Period
	for _, name := range []string{"2026-Q1", "2026-Q2"} {
		q, _ := indicators.ParsePeriod(name, today)
		if _, err := e.eng.Close(ctx, q, "dg"); err != nil { // by the server, which shows it at once
			t.Fatal(err)
		}
		q2 = q
	}

	page := func(path string) string {
		t.Helper()
		r := e.do("GET", path, "", "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
		if r.header.Get("Cache-Control") != "public, max-age=300" || r.header.Get("Vary") != "Accept-Language" {
			t.Errorf("%s: Cache-Control %q, Vary %q", path, r.header.Get("Cache-Control"), r.header.Get("Vary"))
		}
		body := string(r.body)
		if strings.Contains(body, " style=") {
			t.Errorf("%s: a style attribute, which the CSP forbids", path)
		}
		if strings.Contains(body, "reception.wait_p90") {
			t.Errorf("%s: an unpublished indicator is shown", path)
		}
		return html.UnescapeString(body) // "n&#39;est" reads "n'est"
	}
	has := func(page, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", page, w)
			}
		}
	}

	// PAR-11, Q2: May 9 of 10 and June 10 of 10 within 20 minutes = 19/20
	// = 95.0%, target 80: met; Q1 8/10 = 80.0%, met.
	par11 := page("/sites/PAR-11")
	has("PAR-11", par11, `<h1 id="site-name">Paris 11</h1>`, `id="period">2026-Q2<`, "(01/04/2026 – 30/06/2026)", "Publié le 27/11/2026, révision 1",
		`data-indicator="reception.wait_20min">95,0`+"\u00a0%<", `<td class="status">✓ Objectif atteint</td>`, `<td class="sample num">20</td>`,
		`<h2 id="channel-reception">Accueil</h2>`, `<h2 id="channel-back_office">Traitement des dossiers</h2>`, `<h2 id="channel-all">Tous canaux</h2>`,
		`<caption class="visually-hidden">Accueil — Période 2026-Q2</caption>`, `<th scope="col" class="c-commitment">Engagement</th>`,
		"Agence · Département Paris (75) · Région Île-de-France",
		// The chart: the four quarters in words, then the bars on 0–100
		// over y 62 (zero) to 18: 80 → y 62 − 0.8 × 44 = 26.8, 95 → 20.2;
		// quarter slots of 50 units, bars 30 wide from 10 in, the value 3
		// above the bar, the target 4 in from each side of its slot.
		`role="img" aria-label="Nous vous recevons en moins de 20 minutes. — Quatre derniers trimestres : T3 2025 : période non close ; T4 2025 : période non close ; T1 2026 : 80,0`+"\u00a0"+`% (objectif 80,0`+"\u00a0"+`% : atteint) ; T2 2026 : 95,0`+"\u00a0"+`% (objectif 80,0`+"\u00a0"+`% : atteint)."`,
		`<rect class="bar met" x="110" y="26.8" width="30" height="35.2"/><text class="figure" x="125" y="23.8" text-anchor="middle">80,0</text>`,
		`<rect class="bar met" x="160" y="20.2" width="30" height="41.8"/>`, `<line class="target" x1="104" x2="146" y1="26.8" y2="26.8"/>`,
		`<text class="label" x="25" y="77" text-anchor="middle">T3</text><text class="label" x="25" y="91" text-anchor="middle">2025</text>`)
	// Every figure the public may see is the engine's.
	rep, err := e.ref.Results(ctx, indicators.Query{Period: q2, Selection: indicators.Selection{Sites: []string{"PAR-11"}, Scope: model.ScopeSite}})
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	for _, r := range rep.Results {
		d, _ := e.ref.Catalog.Get(r.Indicator)
		if !d.Published || r.Status == indicators.StatusInsufficientData || r.Value == nil {
			if strings.Contains(par11, `data-indicator="`+r.Indicator+`">`) && !strings.Contains(par11, `data-indicator="`+r.Indicator+`">—<`) {
				t.Errorf("%s: a figure the public may not see", r.Indicator)
			}
			continue
		}
		shown++
		has("PAR-11", par11, `data-indicator="`+r.Indicator+`">`+strings.Replace(strconv.FormatFloat(*r.Value, 'f', 1, 64), ".", ",", 1)+"\u00a0%<")
	}
	if shown != 1 { // only the reception has data
		t.Errorf("%d figures shown, want 1", shown)
	}

	// PAR-18, Q2: 7 of 10 = 70.0%, below 80: missed; nothing in Q1.
	par18 := page("/sites/PAR-18")
	has("PAR-18", par18, `data-indicator="reception.wait_20min">70,0`+"\u00a0%<", `<td class="status">✗ Objectif non atteint</td>`,
		`<tr class="missed">`, "T1 2026 : non publié ; T2 2026 : 70,0", `<rect class="bar missed" x="160" y="31.2" width="30" height="30.8"/>`)

	// STR-67, Q2: 4 of 5 visits, below the minimum sample of 10: no figure.
	str := page("/sites/STR-67")
	has("STR-67", str, `data-indicator="reception.wait_20min">—<`, `<td class="status">· Données insuffisantes</td>`, "T2 2026 : non publié.")
	if strings.Contains(str, "80,0") {
		t.Error("STR-67 shows the 80.0% of a sample below the minimum")
	}

	// English.
	en := page("/sites/PAR-11?lang=en")
	has("PAR-11 in English", en, `<html lang="en">`, `data-indicator="reception.wait_20min">95.0%<`, "✓ Target met", "Published on 27 Nov 2026, revision 1",
		"Q2 2026: 95.0% (target 80.0%: met)", `<h2 id="channel-reception">Reception</h2>`, "Agency · Department Paris (75) · Region Île-de-France")
	for _, fr := range []string{"Objectif", "Période", "Échantillon", "Accueil", "Publié le", "Quatre derniers", "Comment c'est mesuré", "Chercher un autre site", "Nous vous recevons", "trimestre", "Agence"} {
		if strings.Contains(en, fr) {
			t.Errorf("the English page says %q", fr)
		}
	}

	// Unknown site.
	r = e.do("GET", "/sites/NOPE-00", "", "")
	if body := string(r.body); r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Site introuvable") || !strings.Contains(body, "« NOPE-00 »") {
		t.Errorf("unknown site: %d %s\n%s", r.status, r.header.Get("Content-Type"), body)
	}
}
