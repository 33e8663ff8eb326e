package api_test

import (
	"context"
	"html"
	"strings"
	"testing"

	"globaloffice/indicators"
)

// TestMethodologyPage: /methodology defines every indicator the public may
// see from the catalog, anchored by its id, states the rules with this
// year's public holidays of each zone, and lists every revision of every
// closed period; in English on request.
func TestMethodologyPage(t *testing.T) {
	e := newEnv(t)
	// May 2026 closed again by another: revision 2. Both closings happen
	// at the fixture's now, 27 November 2026 12:00 UTC.
	may, _ := indicators.ParsePeriod("2026-05", today)
	if _, err := e.eng.Close(context.Background(), may, "ops (tok_1)"); err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		t.Helper()
		r := e.do("GET", path, "", "")
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
		if strings.Contains(string(r.body), " style=") {
			t.Errorf("%s: a style attribute, which the CSP forbids", path)
		}
		return html.UnescapeString(string(r.body))
	}
	has := func(page, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", page, w)
			}
		}
	}

	fr := get("/methodology")
	for _, d := range e.ref.Catalog.Indicators {
		anchored := strings.Contains(fr, `id="`+d.ID+`"`)
		if anchored != d.Published {
			t.Errorf("%s (published %v): anchored %v", d.ID, d.Published, anchored)
		}
		if d.Published {
			has("/methodology", fr, d.Describe(indicators.FR), d.Title.FR, d.Commitment.FR)
		}
	}
	has("/methodology", fr, `<html lang="fr">`,
		// reception.wait_20min in words, worked from the catalog.
		"Part des contacts (canal reception; issue served ou transferred) dont l'attente avant réponse est d'au plus 20 minutes. Chaque contact compte dans la période de son arrivée, à la date locale du site. Publié à partir de 10 observations.",
		`<article class="definition" id="reception.wait_20min" aria-labelledby="reception.wait_20min-title">`,
		"<dd>Accueil</dd>", "<dd>pourcentage</dd>", "<dd>plus haut, mieux c'est</dd>", "<dd>10 observations</dd>",
		// The rules.
		"reçue un vendredi et traitée le mardi suivant a pris 2 jours ouvrés", "inférieur ou égal à N", "méthode de Wilson", "⌈0,9 × n⌉",
		"heure locale de chaque site", "nouvelle révision",
		// 2026's holidays: 3 April 2026 is a Friday (1 January a Thursday),
		// 25 May a Monday, 27 May a Wednesday.
		`<h3 id="holidays-h">Jours fériés 2026</h3>`,
		"<tr><td>vendredi 03/04/2026</td><th scope=\"row\">Vendredi saint</th><td>Alsace-Moselle</td></tr>",
		"<tr><td>lundi 25/05/2026</td><th scope=\"row\">Lundi de Pentecôte</th><td>toutes les zones</td></tr>",
		"<tr><td>mercredi 27/05/2026</td><th scope=\"row\">Abolition de l'esclavage</th><td>Guadeloupe</td></tr>",
		"<tr><td>samedi 26/12/2026</td><th scope=\"row\">Saint-Étienne</th><td>Alsace-Moselle</td></tr>",
		// The history: May's two revisions of 41 indicators × 8 scopes
		// (the nation, regions 11 and 44, departments 75 and 67, three
		// sites) = 328 results each.
		`<tr><th scope="row">2026-05</th><td>01/05/2026</td><td>31/05/2026</td><td class="num">1</td><td>27/11/2026 12:00 UTC</td><td>dg</td><td class="num">328</td></tr>`,
		`<tr><th scope="row">2026-05</th><td>01/05/2026</td><td>31/05/2026</td><td class="num">2</td><td>27/11/2026 12:00 UTC</td><td>ops (tok_1)</td><td class="num">328</td></tr>`,
		`<caption>Chaque révision de chaque période close</caption>`, `<th scope="col">Révision</th>`)
	if n := strings.Count(fr, `<tr><th scope="row">2026-05</th>`); n != 2 {
		t.Errorf("%d rows of May's revisions, want 2", n)
	}
	if strings.Contains(fr, "Lundi de Pentecôte est travaillé") {
		t.Error("Whit Monday said worked, but the engine's calendar keeps it a holiday")
	}
	// The charter links each commitment to its definition here.
	if charter := get("/"); !strings.Contains(charter, `href="/methodology?lang=fr#reception.wait_20min"`) {
		t.Error("the charter no longer links to the definition")
	}

	en := get("/methodology?lang=en")
	for _, d := range e.ref.Catalog.Indicators {
		if d.Published {
			has("/methodology?lang=en", en, d.Describe(indicators.EN), d.Title.EN)
		}
	}
	has("/methodology?lang=en", en, `<html lang="en">`,
		"Share of contacts (channel reception; outcome served or transferred) whose wait before answer is at most 20 minutes. Each contact counts in the period of its arrival, by the site's local date. Published from 10 observations.",
		"received on a Friday and handled the next Tuesday took 2 working days", "Public holidays in 2026",
		"<tr><td>Friday 3 Apr 2026</td><th scope=\"row\">Good Friday</th><td>Alsace-Moselle</td></tr>",
		"<tr><td>Monday 25 May 2026</td><th scope=\"row\">Whit Monday</th><td>every zone</td></tr>",
		"<td>27 Nov 2026 12:00 UTC</td><td>ops (tok_1)</td>", "Closing history", "<dd>Reception</dd>", "<dd>higher</dd>")
	for _, fr := range []string{"Méthode", "Jours fériés", "toutes les zones", "Vendredi saint", "Historique", "Période", "Révision", "Accueil", "pourcentage", "vendredi", "Publié"} {
		if strings.Contains(en, fr) {
			t.Errorf("the English methodology says %q", fr)
		}
	}
}
