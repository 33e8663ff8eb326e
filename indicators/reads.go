package indicators

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The reads of a source's table: the rows of the periods, from the parts of
// merged months without FINAL and from the other months with FINAL (see
// CompileMerged), and a measure's read of another source than its own.

// from runs read with the builder reading source (its table, its merged
// months) instead of the definition's.
func (b *builder) from(source string, read func() string) string {
	d, merged := b.d, b.merged
	defer func() { b.d, b.merged = d, merged }()
	other := *d
	other.Source = source
	b.d, b.merged = &other, nil
	if !b.c.Raw {
		b.merged = b.c.Merged[source]
	}
	return read()
}

// periodWhere renders the condition on the date column: in one of the
// periods, each range's end widened by extendDays (repeat contacts'
// followers may fall after the period).
func (b *builder) periodWhere(col string, periods []Period, extendDays int) string {
	var parts []string
	for _, p := range periods {
		parts = append(parts, fmt.Sprintf("(%s >= toDate(%s) AND %s <= toDate(%s))", col, b.bind(p.From.Format(time.DateOnly)), col, b.bind(p.To.AddDate(0, 0, extendDays).Format(time.DateOnly))))
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// rangeCond is the condition on the date column of a read: every
// partition with FINAL (all), or the months merged into one part (clean,
// read without FINAL from their parts, parts: a bound set of names) and
// the others (dirty), each "" when it has none.
type rangeCond struct{ all, clean, dirty, parts string }

// ranges binds the condition placing rows in the periods, each range's end
// widened by extendDays: split at month boundaries into merged months and
// the others when some month of the ranges is merged.
func (b *builder) ranges(col string, periods []Period, extendDays int) rangeCond {
	type span struct{ from, to time.Time }
	var clean, dirty []span
	var names []string
	// Case completions are read by whole months: a superseded entry is
	// dated the 1st of its month, and FINAL only collapses the rows of the
	// parts the condition selects — a day's range would leave out a part
	// holding only the superseded entry, and the completion it takes out
	// would count. The partition key of the periods (pk) stays exact.
	wholeMonths := b.d.Source == "cases" && !b.c.Raw
	seen := map[time.Time]bool{}
	for _, p := range periods {
		to := p.To.AddDate(0, 0, extendDays)
		for from := p.From; !from.After(to); {
			next := time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			end := next.AddDate(0, 0, -1)
			if wholeMonths {
				from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
				if seen[from] {
					from = next
					continue
				}
				seen[from] = true
			} else if to.Before(end) {
				end = to
			}
			switch part, stored := b.merged[from.Year()*100+int(from.Month())]; {
			case part != "":
				clean = append(clean, span{from, end})
				if !slices.Contains(names, part) {
					names = append(names, part)
				}
			case stored || b.merged == nil:
				dirty = append(dirty, span{from, end})
			}
			// A month with no rows is not read: ClickHouse 18.16 cannot
			// unite a read of no part with another ("Cannot convert column
			// … because it is non constant in source stream but must be
			// constant in result").
			from = next
		}
	}
	render := func(spans []span) string {
		if len(spans) == 0 {
			return ""
		}
		var parts []string
		for _, s := range spans {
			parts = append(parts, fmt.Sprintf("(%s >= toDate(%s) AND %s <= toDate(%s))", col, b.bind(s.from.Format(time.DateOnly)), col, b.bind(s.to.Format(time.DateOnly))))
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	if len(clean) == 0 {
		if wholeMonths {
			if len(dirty) == 0 {
				return rangeCond{all: "0"} // no month of the periods holds a row
			}
			return rangeCond{all: render(dirty)}
		}
		return rangeCond{all: b.periodWhere(col, periods, extendDays)}
	}
	return rangeCond{clean: render(clean), dirty: render(dirty), parts: b.set(names)}
}

// read renders the SELECT of sel from the source's table, its rows in r
// that meet rest: with FINAL, except in merged months. When there are both,
// the two halves, united by UNION ALL, select only the table's columns
// that sel uses, and sel is computed above them: ClickHouse 18.16 fails to
// unite selects computing `x IN (…)` ("Cannot convert column … because it
// is non constant in source stream but must be constant in result"). Bound
// names may repeat in the text: each occurrence takes the same value.
func (b *builder) read(sel []string, r rangeCond, rest []string) string {
	where := func(cond string) string { return " WHERE " + strings.Join(append([]string{cond}, rest...), " AND ") }
	head := "SELECT " + strings.Join(sel, ", ") + " FROM " + b.table()
	switch {
	case r.all != "":
		return head + " FINAL" + where(r.all)
	case r.dirty == "":
		return head + where("_part IN "+r.parts+" AND "+r.clean)
	}
	var cols []string
	used := strings.Join(sel, " ")
	for _, c := range tableColumns[b.table()] {
		if columnWord[c].MatchString(used) {
			cols = append(cols, c)
		}
	}
	branch := "SELECT " + strings.Join(cols, ", ") + " FROM " + b.table()
	return "SELECT " + strings.Join(sel, ", ") + " FROM (" + branch + where("_part IN "+r.parts+" AND "+r.clean) + " UNION ALL " + branch + " FINAL" + where(r.dirty) + ")"
}

// tableColumns are the columns of the tables read in halves (see read).
var tableColumns = map[string][]string{
	"contacts": {"source", "id", "site", "channel", "arrived_at", "arrived_date", "answered_at", "ended_at", "outcome", "motive", "user_ref", "team", "asked_agent",
		"case_id", "segment"},
	"case_completions": {"source", "id", "site", "kind", "channel", "received_at", "received_date", "completed_at", "completed_date", "status", "user_ref", "entry",
		"acknowledged_date", "announced_days", "paused_seconds", "origin_contact_id", "segment"},
	"survey_responses": {"source", "id", "site", "channel", "survey", "mode", "answered_at", "answered_date", "contact_id", "scale", "dimensions", "scores", "scales"},
}

// columnWord finds a column's name as a word of an expression.
var columnWord = func() map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, cols := range tableColumns {
		for _, c := range cols {
			out[c] = regexp.MustCompile(`\b` + c + `\b`)
		}
	}
	return out
}()
