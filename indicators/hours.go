package indicators

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Opening hours (the phone plan's "during the site's opening hours"): a
// contact counts when it arrived while its site was open, in the site's
// local time. The sites table holds each site's hours as week seconds from
// Monday 00:00 (open_from[i] ≤ w < open_to[i]), written when the sites are
// imported, and the query reads them through the sites join it makes
// anyway: no table or join of its own, a few array comparisons per row.
// The local time of day needs the site's time zone, which ClickHouse takes
// only as a constant: one multiIf branch per time zone of the sites
// (Compiler.Timezones), a handful. The local weekday is that of
// arrived_date, the local date stored at ingest. The zone's public
// holidays within the periods, closed all day, are literal lists per zone
// as in the working days. A site without hours (empty arrays) is open at
// every hour, holidays included: a sites file without hours keeps every
// call counted rather than none.

// weekSecond is the middle query's column w: the contact's arrival in its
// site's week, local seconds from Monday 00:00 (ta arrived_at, ad
// arrived_date, tz the site's time zone).
func (b *builder) weekSecond() string {
	zones := slices.Clone(b.c.Timezones)
	slices.Sort(zones)
	zones = slices.Compact(zones)
	// A site's zone missing from the list (a site added since the list
	// was read) is read in UTC.
	clock := "toHour(ta) * 3600 + toMinute(ta) * 60"
	if len(zones) > 0 {
		var branches []string
		for _, z := range zones {
			p := b.bind(z)
			branches = append(branches, fmt.Sprintf("tz = %s, toHour(ta, %s) * 3600 + toMinute(ta, %s) * 60", p, p, p))
		}
		clock = "multiIf(" + strings.Join(branches, ", ") + ", " + clock + ")"
	}
	return fmt.Sprintf("(toInt64(toDayOfWeek(ad)) - 1) * 86400 + %s + toSecond(ta)", clock)
}

// openHours is the middle query's column open: 1 when the contact arrived
// while its site was open — no hours, or not a holiday of its zone and
// within one of its openings (w from weekSecond). Within an opening means
// more openings start at or before w than end at or before w (they are
// sorted and do not overlap); each count is the place of w + 1 among them,
// sorted (indexOf finds its first copy). No lambda: on 18.16 a lambda
// reading a column of the joined query loses it once the query is a
// subquery ("Unknown identifier").
func (b *builder) openHours(periods []Period) string {
	const at = "toUInt32(w + 1)"
	count := func(col string) string {
		return fmt.Sprintf("indexOf(arraySort(arrayPushBack(%s, %s)), %s)", col, at, at)
	}
	return fmt.Sprintf("toUInt8(empty(open_from) OR (NOT has(%s, toInt64(ad)) AND %s > %s))", b.periodHolidays(periods), count("open_from"), count("open_to"))
}

// periodHolidays renders multiIf(zone = …, [day numbers], …) of every
// public holiday of each zone within the periods (whatever its weekday: a
// Saturday holiday closes a Saturday opening). Each list starts with day 0
// (1970-01-01, never an arrival) so that none is empty.
func (b *builder) periodHolidays(periods []Period) string {
	in := func(d calendar.Date) bool {
		for _, p := range periods {
			if d >= calendar.DateFromTime(p.From) && d <= calendar.DateFromTime(p.To) {
				return true
			}
		}
		return false
	}
	from, to := periods[0].From.Year(), periods[0].To.Year()
	for _, p := range periods {
		from, to = min(from, p.From.Year()), max(to, p.To.Year())
	}
	return byZone(func(_ int, z model.Zone) string {
		days := []string{"0"}
		for _, h := range b.c.Calendar.HolidayDates(z, from, to) {
			if in(h) {
				days = append(days, strconv.Itoa(int(h)))
			}
		}
		return "[" + strings.Join(days, ",") + "]"
	})
}
