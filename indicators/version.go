package indicators

import "time"

// Definition versions and series breaks. A definition that changes (a new
// threshold, population or source) starts a new series: its figures are
// not comparable with those measured under the earlier one. The catalog
// gives each indicator its version and the date that version took effect
// (since); the periods ending before since were measured under an earlier
// version, those starting on or after it under the current one, and a
// period across since under both. A comparison — previous period, last
// year, the points of a series — between periods of different versions, or
// with a period under both, is flagged as a break instead of compared.

// era is the definition a period was measured under, as seen from a
// version and its effective date: that version, the one before it, or
// both (mixed).
type era struct {
	version int
	mixed   bool
}

// eraOf places period p against version v in force from since (zero:
// from the beginning).
func eraOf(v int, since time.Time, p Period) era {
	v = max(v, 1)
	switch {
	case since.IsZero() || !p.From.Before(since):
		return era{version: v}
	case p.To.Before(since):
		return era{version: v - 1}
	}
	return era{version: v, mixed: true}
}

// breaks tells whether two periods' figures are not comparable: measured
// under different versions, or one of them under two.
func breaks(a, b era) bool { return a.mixed || b.mixed || a.version != b.version }

// versionOf is a definition's version, 1 when unset.
func (d *Definition) versionOf() int { return max(d.Version, 1) }

// Breaks tells whether comparing the figures of periods a and b of this
// definition crosses a change of definition.
func (d *Definition) Breaks(a, b Period) bool {
	return breaks(eraOf(d.versionOf(), d.Since, a), eraOf(d.versionOf(), d.Since, b))
}

// sinceText is an effective date as results carry it: YYYY-MM-DD, empty
// for from the beginning.
func sinceText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// eraOfResult places a result's period against the version it was
// computed with (a closed revision keeps its own).
func eraOfResult(r *Result, p Period) era {
	var since time.Time
	if r.VersionSince != "" {
		since, _ = time.Parse(time.DateOnly, r.VersionSince)
	}
	return eraOf(r.Version, since, p)
}
