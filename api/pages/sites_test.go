package pages

import (
	"testing"

	"globaloffice/model"
)

func TestFold(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
	f("Saint-Denis de La Réunion", "saint denis de la reunion")
	f("  Île-de-France ", "ile de france")
	f("Provence-Alpes-Côte d'Azur", "provence alpes cote d azur")
	f("CRÉTEIL", "creteil")
	f("Œuvre", "oeuvre")
	f("PAR-11", "par 11")
	f("--", "")
}

// TestMatcher: a code alone finds its department or region; words find
// the id, name, department or region name, all of them.
func TestMatcher(t *testing.T) {
	str := model.Site{ID: "STR-67", Name: "Strasbourg", Department: "67", Region: "44"}
	cre := model.Site{ID: "CRE-94", Name: "Créteil", Department: "94", Region: "11"}
	par := model.Site{ID: "PAR-18", Name: "Paris 18e - La Chapelle", Department: "75", Region: "11"}
	cor := model.Site{ID: "AJA-2A", Name: "Ajaccio", Department: "2A", Region: "94"}
	f := func(q string, s model.Site, want bool) {
		t.Helper()
		if got := newMatcher(q).matches(s); got != want {
			t.Errorf("%q matches %s: %v, want %v", q, s.ID, got, want)
		}
	}
	f("", str, true)
	f("67", str, true)
	f("44", str, true)        // region code
	f("grand est", str, true) // region name
	f("BAS-RHIN", str, true)  // department name
	f("strasbourg 67", str, true)
	f("strasbourg lyon", str, false)
	f("creteil", cre, true)
	f("val de marne", cre, true)
	f("11", par, true)        // Île-de-France
	f("paris 11", par, false) // both words, and 11 is not in its words
	f("chapelle", par, true)
	f("2a", cor, true) // Corse-du-Sud, whatever the case
	f("corse", cor, true)
	f(" - ", str, false) // no word
}
