package indicators

import (
	"strings"
	"testing"
	"time"
)

// entry is a valid catalog entry, with extra lines appended.
func entry(extra string) string {
	return "indicators:\n  - id: a.share\n    title: {fr: a, en: a}\n    source: contacts\n    measure: count\n    unit: count\n    direction: higher\n" + extra
}

func TestCatalogVersion(t *testing.T) {
	ok := func(extra string, version int, since string) {
		t.Helper()
		cat, err := ParseCatalog("v.yaml", []byte(entry(extra)))
		if err != nil {
			t.Fatalf("%q: %v", extra, err)
		}
		d := cat.Indicators[0]
		if d.Version != version || sinceText(d.Since) != since {
			t.Errorf("%q: version %d since %q, want %d %q", extra, d.Version, sinceText(d.Since), version, since)
		}
	}
	ok("", 1, "") // version 1 from the beginning by default
	ok("    version: 1\n", 1, "")
	ok("    version: 2\n    since: 2026-01-01\n", 2, "2026-01-01") // an unquoted YAML date
	ok("    version: 3\n    since: \"2025-07-01\"\n", 3, "2025-07-01")
	bad := func(extra, want string) {
		t.Helper()
		_, err := ParseCatalog("v.yaml", []byte(entry(extra)))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", extra, err, want)
		}
	}
	bad("    version: 2\n", "v.yaml:8: version: version 2 needs since: the date it took effect")
	bad("    since: 2026-01-01\n", "v.yaml:8: since: version 1 is the first definition")
	bad("    version: 2\n    since: 2026-13-01\n", `v.yaml:9: since: "2026-13-01" is not a date YYYY-MM-DD`)
	bad("    version: 2\n    since: 1999-12-31\n", `v.yaml:9: since: "1999-12-31" is not a date`)
	bad("    version: -1\n", "v.yaml:8: version: must be 1 or more")
}

func TestBreaks(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f := func(version int, since, period, other string, want bool) {
		t.Helper()
		d := &Definition{Version: version}
		if since != "" {
			d.Since, _ = time.Parse(time.DateOnly, since)
		}
		p, err := ParsePeriod(period, now)
		if err != nil {
			t.Fatal(err)
		}
		var q Period
		switch other {
		case "previous":
			q = p.Previous()
		case "last_year":
			q = p.LastYear()
		default:
			q, _ = ParsePeriod(other, now)
		}
		if got := d.Breaks(p, q); got != want {
			t.Errorf("version %d since %q: %s vs %s (%s) break %v, want %v", version, since, period, other, q, got, want)
		}
	}
	// Version 2 from 1 January 2026.
	f(2, "2026-01-01", "2026-01", "previous", true)  // December 2025: version 1
	f(2, "2026-01-01", "2026-01", "last_year", true) // January 2025
	f(2, "2026-01-01", "2026-02", "previous", false) // January 2026: version 2 as well
	f(2, "2026-01-01", "2026-02", "last_year", true)
	f(2, "2026-01-01", "2026", "previous", true) // 2025 vs 2026
	f(2, "2026-01-01", "2027", "previous", false)
	f(2, "2026-01-01", "2025-12", "previous", false) // both under version 1
	f(2, "2026-01-01", "2025", "last_year", false)
	f(2, "2026-01-01", "2026-Q1", "previous", true)
	f(2, "2026-01-01", "2026-01-01", "previous", true) // 31 December 2025
	f(2, "2026-01-01", "2026-01-02", "previous", false)
	// 2026-W01 runs from 29 December 2025: under both versions, so a break
	// with anything, W02 included.
	f(2, "2026-01-01", "2026-W01", "previous", true)
	f(2, "2026-01-01", "2026-W02", "previous", true)
	f(2, "2026-01-01", "2026-W03", "previous", false)
	// Version 3 from 1 March 2026: the first quarter is under both.
	f(3, "2026-03-01", "2026-Q2", "previous", true)
	f(3, "2026-03-01", "2026-Q3", "previous", false)
	f(3, "2026-03-01", "2026-03-01..2026-03-31", "previous", true) // February
	f(3, "2026-03-01", "2026-03-01..2026-03-31", "2026-04-01..2026-04-30", false)
	// Version 1 never breaks.
	f(1, "", "2026-01", "previous", false)
	f(0, "", "2026", "last_year", false)
}
