package api_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

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
