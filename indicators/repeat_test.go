package indicators_test

import (
	"testing"

	"globaloffice/indicators"
	"globaloffice/ingest"
)

func TestRepeatContacts(t *testing.T) {
	f := newFixture(t)
	f.send(t, ingest.KindContacts, contactsHeader+
		// U1: served, then a call exactly 7 × 24 h later: a repeat (≤ 7 days).
		"U1a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U1\n"+
		"U1b,PAR-11,phone,2026-05-11T08:00:00Z,,2026-05-11T08:01:00Z,abandoned,U1\n"+
		// U2: served, next contact 7 days and 1 second later: not a repeat.
		"U2a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U2\n"+
		"U2b,PAR-18,phone,2026-05-11T08:00:01Z,,2026-05-11T08:01:00Z,abandoned,U2\n"+
		// U3: served, another contact in the same second: not strictly later.
		"U3a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U3\n"+
		"U3b,PAR-11,phone,2026-05-04T08:00:00Z,,2026-05-04T08:01:00Z,abandoned,U3\n"+
		// Without user_ref: left out.
		"U4a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,\n"+
		// U5: served on 30 May, again on 2 June (after the period): a repeat
		// counted in May; the June contact is abandoned, so not in June's
		// population.
		"U5a,PAR-18,reception,2026-05-30T08:00:00Z,2026-05-30T08:05:00Z,2026-05-30T08:10:00Z,served,U5\n"+
		"U5b,PAR-18,email,2026-06-02T08:00:00Z,,2026-06-02T09:00:00Z,abandoned,U5\n")
	got := f.compute(t, "2026-05", "global.repeat_contact_7d")
	check(t, got, []want{
		// PAR-11: U1a ✓, U2a ✗, U3a ✗ → 1/3; PAR-18: U5a ✓ → 1/1; national 2/4.
		{"global.repeat_contact_7d site:PAR-11", 100.0 / 3, 3, 1, 3, ""},
		{"global.repeat_contact_7d site:PAR-18", 100, 1, 1, 1, ""},
		{"global.repeat_contact_7d national:", 50, 4, 2, 4, ""},
	})
}

func TestRepeatContactsExclude(t *testing.T) {
	f := newFixture(t)
	cat, err := indicators.ParseCatalog("r.yaml", []byte(`indicators:
  - id: repeat.no_email
    title: {fr: a, en: a}
    source: contacts
    filter: {outcome: [served]}
    exclude: {filter: {channel: [email]}}
    measure: repeat_contact
    window_hours: 168
    unit: percent
    direction: lower
`))
	if err != nil {
		t.Fatal(err)
	}
	f.eng.Catalog = cat
	f.send(t, ingest.KindContacts, contactsHeader+
		// U1: served at reception, an e-mail 2 days later: a repeat.
		"U1a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U1\n"+
		"U1b,PAR-11,email,2026-05-06T08:00:00Z,2026-05-06T09:00:00Z,2026-05-06T09:10:00Z,served,U1\n"+
		// U3: served at reception, nothing after: not a repeat.
		"U3a,PAR-11,reception,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U3\n"+
		// U2: a served e-mail (excluded from the population) followed by a call.
		"U2a,PAR-11,email,2026-05-04T08:00:00Z,2026-05-04T08:05:00Z,2026-05-04T08:10:00Z,served,U2\n"+
		"U2b,PAR-11,phone,2026-05-05T08:00:00Z,,2026-05-05T08:01:00Z,abandoned,U2\n")
	// Population U1a, U3a (U1b and U2a are e-mails): 1 repeat of 2 = 50%.
	check(t, f.compute(t, "2026-05", "repeat.no_email"), []want{{"repeat.no_email site:PAR-11", 50, 2, 1, 2, ""}})
}

// TestClosedUnknownIndicator: reading a closed period refuses an unknown
// indicator id as computing does, rather than silently leaving it out (a
// misspelt --indicator would otherwise look like a result-less indicator).
