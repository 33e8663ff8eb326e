package api_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"globaloffice/indicators"
)

// TestCharterInBrowser: the national charter, in Chromium, shows the
// national results the engine computes for the last closed period, in
// French and in English, and has no serious accessibility violation.
func TestCharterInBrowser(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)
	may, _ := indicators.ParsePeriod("2026-05", today)
	rep, err := e.ref.Results(context.Background(), indicators.Query{Period: may, Selection: indicators.Selection{Scope: "national"}})
	if err != nil {
		t.Fatal(err)
	}
	b.open(e.srv.URL + "/?lang=fr") // Chromium asks for English by default
	if got := b.text("#period"); got != "2026-05" {
		t.Errorf("period %q", got)
	}
	shown := 0
	for _, r := range rep.Results {
		d, _ := e.eng.Catalog.Get(r.Indicator)
		if !d.Published || r.Status == indicators.StatusInsufficientData {
			continue
		}
		// As the page writes it: one decimal, a decimal comma (20 of 25
		// visits within 20 minutes: "80,0 %").
		want := strings.Replace(strconv.FormatFloat(*r.Value, 'f', 1, 64), ".", ",", 1)
		got := strings.ReplaceAll(b.text(`[data-indicator="`+r.Indicator+`"]`), "\u00a0", " ")
		if !strings.HasPrefix(got, want+" ") {
			t.Errorf("%s: the page shows %q, the engine %v", r.Indicator, got, *r.Value)
		}
		shown++
	}
	if shown == 0 {
		t.Fatal("no published result to compare")
	}
	if got := b.text(`#reception\.wait_20min .status`); !strings.Contains(got, "Objectif atteint") {
		t.Errorf("status %q", got)
	}
	b.screenshot("charter-fr")
	b.accessible("charter")
	b.open(e.srv.URL + "/?lang=en")
	if got := b.text("h1"); got != "Our service commitments" {
		t.Errorf("English title %q", got)
	}
	if got := b.text(`#reception\.wait_20min .status`); !strings.Contains(got, "Target met") {
		t.Errorf("English status %q", got)
	}
	b.screenshot("charter-en")
}

// TestSitePageInBrowser: a site's page shows the published figures the
// engine computes for the last closed quarter, prints as exactly one A4
// page (the results poster), and has no serious accessibility violation.
func TestSitePageInBrowser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Close the second quarter of 2026 (April–June): PAR-11's May and June
	// visits, 19 of 20 within 20 minutes.
	q2, _ := indicators.ParsePeriod("2026-Q2", today)
	if _, err := e.eng.Close(ctx, q2, "dg"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.ref.Results(ctx, indicators.Query{Period: q2, Selection: indicators.Selection{Sites: []string{"PAR-11"}, Scope: "site"}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.open(e.srv.URL + "/sites/PAR-11?lang=fr")
	if got := b.text("#site-name"); !strings.Contains(got, "Paris 11") {
		t.Errorf("site name %q", got)
	}
	if got := b.text("#period"); !strings.Contains(got, "2026-Q2") {
		t.Errorf("period %q", got)
	}
	shown := 0
	for _, r := range rep.Results {
		d, _ := e.eng.Catalog.Get(r.Indicator)
		if !d.Published || r.Status == indicators.StatusInsufficientData {
			continue
		}
		want := strings.Replace(strconv.FormatFloat(*r.Value, 'f', 1, 64), ".", ",", 1)
		got := strings.ReplaceAll(b.text(`[data-indicator="`+r.Indicator+`"]`), "\u00a0", " ")
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: the page shows %q, the engine %v", r.Indicator, got, *r.Value)
		}
		shown++
	}
	if shown == 0 {
		t.Fatal("no published result to compare")
	}
	b.screenshot("site-fr")
	b.accessible("site")
	if n := b.pdfPages("site-poster"); n != 1 {
		t.Errorf("the printed poster has %d pages, want 1", n)
	}
	b.open(e.srv.URL + "/sites?lang=fr")
	b.screenshot("sites-fr")
	b.accessible("sites")
	b.open(e.srv.URL + "/methodology?lang=en")
	if got := b.text("h1"); strings.Contains(got, "Méthode") {
		t.Errorf("English methodology title %q", got)
	}
	b.screenshot("methodology-en")
	b.accessible("methodology")
}

// TestScorecardInBrowser: without a session the scorecard leads to the
// login; a director sees every region and, in department 75, PAR-18's
// missed target shown as missed in text and style; a manager only its
// site.
func TestScorecardInBrowser(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)
	login := func(token string) {
		t.Helper()
		b.open(e.srv.URL + "/scorecard?lang=fr")
		if got := eval[string](b, `location.pathname`); got != "/login" {
			t.Fatalf("without a session: at %s, want /login", got)
		}
		b.screenshot("login-fr")
		b.accessible("login")
		if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS("#token"), e.tokens[token]), chromedp.Submit(chromedp.CSS("#token"))); err != nil {
			t.Fatal(err)
		}
		waitPath(t, b, "/scorecard")
	}
	login("director")
	rows := eval[[]string](b, `[...document.querySelectorAll("#scorecard tr[data-scope]")].map(r => r.dataset.scope)`)
	if !slices.Contains(rows, "region:11") || !slices.Contains(rows, "region:44") {
		t.Errorf("a director's national rows: %v", rows)
	}
	b.screenshot("scorecard-national")
	b.accessible("scorecard")
	b.open(e.srv.URL + "/scorecard?lang=fr&period=2026-05&scope=department:75")
	rows = eval[[]string](b, `[...document.querySelectorAll("#scorecard tr[data-scope]")].map(r => r.dataset.scope)`)
	if len(rows) < 2 || !slices.Contains(rows, "site:PAR-18") || !slices.Contains(rows, "site:PAR-11") {
		t.Fatalf("department 75 rows: %v", rows)
	}
	cell := `#scorecard tr[data-scope="site:PAR-18"] td[data-indicator="reception.wait_20min"]`
	if got := b.text(cell); !strings.Contains(got, "70") || !strings.Contains(strings.ToLower(got), "non atteint") {
		t.Errorf("PAR-18's missed cell says %q", got)
	}
	if cls := eval[string](b, `document.querySelector('`+cell+`').className`); !strings.Contains(cls, "missed") {
		t.Errorf("PAR-18's missed cell has class %q", cls)
	}
	b.screenshot("scorecard-department")
	if err := chromedp.Do(b.ctx, chromedp.Submit(chromedp.CSS("#logout"))); err != nil {
		t.Fatal(err)
	}
	waitPath(t, b, "/login") // logging out leads to the login: let that load finish first
	login("manager")
	b.open(e.srv.URL + "/scorecard?lang=fr&period=2026-05&scope=department:75")
	rows = eval[[]string](b, `[...document.querySelectorAll("#scorecard tr[data-scope]")].map(r => r.dataset.scope)`)
	for _, r := range rows {
		if strings.HasPrefix(r, "site:") && r != "site:PAR-11" {
			t.Errorf("a manager of PAR-11 sees %s", r)
		}
	}
	b.open(e.srv.URL + "/scorecard?lang=en&period=2026-05&scope=department:75")
	b.screenshot("scorecard-manager-en")
}

// waitPath waits for the page at path (after a form's redirect).
func waitPath(t *testing.T, b *browser, path string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if p, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.pathname : ""`)); err == nil && p == path {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("never reached %s", path)
}
