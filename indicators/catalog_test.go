package indicators

import (
	"os"
	"strings"
	"testing"
)

func TestDefaultCatalog(t *testing.T) {
	cat, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"reception.wait_20min", "reception.wait_p90", "phone.pickup_rate", "phone.asa", "appointment.no_show_rate",
		"email.reply_2wd", "mail.reply_15wd", "reimbursement.within_7d", "reimbursement.mean_days", "allowance.within_30d",
		"registration.within_5d", "satisfaction.overall", "satisfaction.nps", "global.repeat_contact_7d",
		"backlog.allowance.within_10wd", "backlog.allowance.size", "backlog.allowance.oldest", "backlog.registration.within_5wd"} {
		if _, ok := cat.Get(id); !ok {
			t.Errorf("default catalog lacks %s", id)
		}
	}
}

func TestCatalogErrorsNameFileLineField(t *testing.T) {
	b, err := os.ReadFile("testdata/bad_catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseCatalog("bad.yaml", b)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`bad.yaml:5: filter: cannot filter contacts on "colour"`,
		`bad.yaml:7: value: "wait_hours" is not a value of contacts`,
		`bad.yaml:12: id: duplicate id "a.share"`,
		`bad.yaml:14: source: "letters" is not contacts, cases or surveys`,
		`bad.yaml:23: quantile: must be between 0 and 1`,
		`bad.yaml:18: commitment: a published indicator needs its public wording`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, tc := range []struct{ yaml, want string }{
		{"indicators:\n  - id: m\n    title: {fr: a, en: a}\n    source: surveys\n    measure: mean_score\n    dimension: overall\n    unit: score\n    direction: higher\n", "m.yaml:2: filter: mean_score needs a filter on one scale"},
		{"indicators:\n  - id: q\n    title: {fr: a, en: a}\n    source: contacts\n    measure: count\n    quantile: 0.5\n    unit: count\n    direction: higher\n", "m.yaml:6: quantile: only used by measure journey_quantile, quantile"},
	} {
		if _, err := ParseCatalog("m.yaml", []byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	_, err = ParseCatalog("typo.yaml", []byte("indicators:\n  - id: x\n    treshold: 3\n"))
	if err == nil || !strings.Contains(err.Error(), `[3:5] unknown field "treshold"`) {
		t.Errorf("unknown key: %v", err)
	}
}

func FuzzParseCatalog(f *testing.F) {
	f.Add(string(DefaultCatalogYAML()))
	b, _ := os.ReadFile("testdata/bad_catalog.yaml")
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, in string) {
		cat, err := ParseCatalog("f.yaml", []byte(in))
		if err == nil && len(cat.Indicators) == 0 {
			t.Fatal("valid catalog without indicators")
		}
	})
}
