package indicators

import (
	"strings"
	"testing"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// TestMeasuringDate: the last working day of the period in the zone, up to
// today for a period still running.
func TestMeasuringDate(t *testing.T) {
	c := &Compiler{Calendar: calendar.New(calendar.Options{})}
	f := func(period string, z model.Zone, today, want string) {
		t.Helper()
		now, _ := time.Parse(time.DateOnly, today)
		p, err := ParsePeriod(period, now)
		if err != nil {
			t.Fatal(err)
		}
		d, ok := c.measuringDate(z, p, now)
		got := "none"
		if ok {
			got = d.String()
		}
		if got != want {
			t.Errorf("%s in %s as of %s: measured %s, want %s", period, z, today, got, want)
		}
	}
	// Whit Monday 25 May 2026 ends the range: Friday 22 May; Martinique's
	// 22 May holiday too: Thursday 21.
	f("2026-05-11..2026-05-25", model.ZoneMetropole, "2026-11-27", "2026-05-22")
	f("2026-05-11..2026-05-25", model.ZoneMartinique, "2026-11-27", "2026-05-21")
	// Easter Monday: Friday 3 April; Good Friday in Alsace-Moselle: Thursday 2.
	f("2026-Q1", model.ZoneMetropole, "2026-11-27", "2026-03-31")
	f("2026-03-23..2026-04-06", model.ZoneMetropole, "2026-11-27", "2026-04-03")
	f("2026-03-23..2026-04-06", model.ZoneAlsaceMoselle, "2026-11-27", "2026-04-02")
	// January 2026 ends on a Saturday; 2025 on a Wednesday.
	f("2026-01", model.ZoneMetropole, "2026-11-27", "2026-01-30")
	f("2025", model.ZoneReunion, "2026-11-27", "2025-12-31")
	// Running: today if it is a working day, else the last one before.
	f("2026-11", model.ZoneMetropole, "2026-11-27", "2026-11-27")
	f("2026-11", model.ZoneMetropole, "2026-11-29", "2026-11-27")
	f("2026-ytd", model.ZoneMetropole, "2026-11-11", "2026-11-10") // Armistice
	// No working day: a holiday, a weekend day, a period to come.
	f("2026-04-06", model.ZoneMetropole, "2026-11-27", "none")
	f("2026-W48", model.ZoneMetropole, "2026-11-22", "none")
	f("2026-12", model.ZoneMetropole, "2026-11-27", "none")
}

func TestSeasons(t *testing.T) {
	f := func(season, day string, want bool) {
		t.Helper()
		s, err := ParseSeason(season)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := time.Parse(time.DateOnly, day)
		if got := s.contains(d); got != want {
			t.Errorf("%s contains %s: %v, want %v", season, day, got, want)
		}
	}
	f("08-25..09-30", "2026-08-25", true)
	f("08-25..09-30", "2027-09-30", true)
	f("08-25..09-30", "2026-10-01", false)
	f("12-15..01-15", "2026-12-31", true) // over the new year
	f("12-15..01-15", "2027-01-15", true)
	f("12-15..01-15", "2027-01-16", false)
	f("2026-04-01..2026-04-30", "2026-04-30", true)
	f("2026-04-01..2026-04-30", "2027-04-15", false)
	for _, bad := range []string{"08-25", "13-01..12-31", "2026-05-01..2026-04-01", "02-30..03-01"} {
		if _, err := ParseSeason(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestBacklogCatalogErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"indicators:\n  - id: b\n    title: {fr: a, en: a}\n    source: contacts\n    measure: backlog_size\n    unit: count\n    direction: lower\n", "b.yaml:4: source: backlog_size needs source cases"},
		{"indicators:\n  - id: b\n    title: {fr: a, en: a}\n    source: cases\n    measure: backlog_share\n    unit: percent\n    direction: higher\n", "b.yaml:2: threshold: required by measure backlog_share"},
		{"indicators:\n  - id: b\n    title: {fr: a, en: a}\n    source: cases\n    measure: backlog_size\n    left_out: [\"08-25..09-31\"]\n    unit: count\n    direction: lower\n", `b.yaml:6: left_out[0]: "08-25..09-31": not two days MM-DD`},
		{"indicators:\n  - id: b\n    title: {fr: a, en: a}\n    source: cases\n    measure: share\n    value: working_days\n    threshold: 2\n    left_out: [\"08-25..09-30\"]\n    unit: percent\n    direction: higher\n", "b.yaml:8: left_out: only used by measure backlog_oldest, backlog_share, backlog_size"},
		{"indicators:\n  - id: b\n    title: {fr: a, en: a}\n    source: cases\n    measure: backlog_oldest\n    exclude: {value: working_days, below: 1}\n    unit: working_days\n    direction: lower\n", "exclude.value: backlog_oldest excludes by filter only"},
	} {
		if _, err := ParseCatalog("b.yaml", []byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}
