package indicators

import (
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	cat, err := DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	f := func(id, lang, want string) {
		t.Helper()
		d, _ := cat.Get(id)
		if got := d.Describe(lang); got != want {
			t.Errorf("%s (%s):\n got %s\nwant %s", id, lang, got, want)
		}
	}
	f("reception.wait_20min", EN, "Share of contacts (channel reception; outcome served or transferred) whose wait before answer is at most 20 minutes. Each contact counts in the period of its arrival, by the site's local date. Published from 10 observations.")
	f("reception.wait_20min", FR, "Part des contacts (canal reception; issue served ou transferred) dont l'attente avant réponse est d'au plus 20 minutes. Chaque contact compte dans la période de son arrivée, à la date locale du site. Publié à partir de 10 observations.")
	f("phone.pickup_rate", EN, "Share of contacts (asked for an agent true; channel phone; outcome served or transferred or abandoned or redirected or overflow) that also have outcome served or transferred. Excluded: contacts with outcome abandoned and whose wait before hanging up is under 5 seconds. Only contacts that arrived during the site's opening hours count, in local time (its zone's public holidays closed; a site without hours is always open). Each contact counts in the period of its arrival, by the site's local date. Published from 30 observations.")
	f("reception.wait_p90", EN, "90th percentile of the wait before answer of contacts (channel reception; outcome served or transferred), in minutes: the smallest value that at least 90% of observations do not exceed (exact rank, no approximation). Each contact counts in the period of its arrival, by the site's local date. Published from 10 observations.")
	f("reimbursement.mean_days", FR, "Moyenne du délai des dossiers (type reimbursement), en jours calendaires. Chaque dossier terminé compte dans la période de sa clôture, à la date locale du site. Publié à partir de 30 observations.")
	// Every indicator reads in both languages, without a formatting slip.
	for _, d := range cat.Indicators {
		for _, lang := range []string{FR, EN} {
			if got := d.Describe(lang); len(got) < 60 || strings.Contains(got, "%!") || strings.Contains(got, "  ") {
				t.Errorf("%s (%s): %q", d.ID, lang, got)
			}
		}
	}
	for _, o := range []struct {
		n    int
		want string
	}{{1, "1st"}, {2, "2nd"}, {3, "3rd"}, {11, "11th"}, {12, "12th"}, {13, "13th"}, {21, "21st"}, {90, "90th"}, {99, "99th"}} {
		if got := ordinal(o.n); got != o.want {
			t.Errorf("ordinal(%d) = %s, want %s", o.n, got, o.want)
		}
	}
}

func TestChannel(t *testing.T) {
	cat, _ := DefaultCatalog()
	for id, want := range map[string]string{
		"reception.wait_20min": "reception", "phone.pickup_rate": "phone", "email.reply_2wd": "email", "mail.reply_15wd": "mail",
		"reimbursement.within_7d": "back_office", "satisfaction.overall": "", "satisfaction.overall.phone": "phone", "global.repeat_contact_7d": "",
	} {
		d, _ := cat.Get(id)
		if got := d.Channel(); got != want {
			t.Errorf("%s: channel %q, want %q", id, got, want)
		}
	}
}
