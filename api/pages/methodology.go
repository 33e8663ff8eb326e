package pages

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"globaloffice/auth"
	"globaloffice/calendar"
	"globaloffice/model"
)

// methodIndicator is one indicator's definition, in words.
type methodIndicator struct {
	ID, Title, Commitment, Definition string
	Unit, Direction, Channel          string
	MinSample                         string
}

// holidayRow is one public holiday of the year and the zones that keep it.
type holidayRow struct {
	Date, Name, Zones string
}

// historyRow is one revision of a closed period.
type historyRow struct {
	Period, From, To   string
	Revision           int
	ClosedAt, ClosedBy string
	Results            string
}

type methodData struct {
	Indicators       []methodIndicator
	HolidaysTitle    string
	Holidays         []holidayRow
	WhitMondayWorked bool
	History          []historyRow
}

// methodology is /methodology: each indicator the public may see, defined
// from the catalog (anchored by its id, which the charter links to), the
// rules every figure follows, this year's public holidays of each zone,
// and every revision of every closed period.
func (p *Pages) methodology(c *gin.Context) {
	lg := lang(c)
	cps, err := p.d.Engine.ClosedPeriods(c.Request.Context())
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	year := p.d.Now().Year()
	cal := calendar.New(calendar.Options{})
	if cp := p.d.Engine.Compiler; cp != nil && cp.Calendar != nil {
		cal = cp.Calendar // the one the figures are computed with
	}
	data := methodData{HolidaysTitle: strings.ReplaceAll(t(lg, "rules.holidays.h"), "{year}", strconv.Itoa(year)), Holidays: holidayRows(lg, cal, year)}
	for _, d := range p.d.Engine.Catalog.Indicators {
		if !auth.Anonymous.SeesIndicator(d.Published) {
			continue
		}
		data.Indicators = append(data.Indicators, methodIndicator{
			ID: d.ID, Title: d.Title.In(lg), Commitment: d.Commitment.In(lg), Definition: d.Describe(lg),
			Unit: t(lg, "unit."+d.Unit), Direction: t(lg, "direction."+d.Direction), Channel: channelName(lg, d.Channel()),
			MinSample: number(lg, float64(d.MinSample), 0),
		})
	}
	// Whit Monday is a holiday unless the service works it: the calendar
	// the engine computes with says which.
	data.WhitMondayWorked = !slices.ContainsFunc(cal.Holidays(model.ZoneMetropole, year), func(h calendar.Holiday) bool {
		return strings.Contains(h.Name, "Pentecôte")
	})
	for _, cp := range cps {
		for _, r := range cp.Revisions {
			data.History = append(data.History, historyRow{
				Period: cp.Period, From: isoDateIn(lg, cp.From), To: isoDateIn(lg, cp.To), Revision: r.Revision,
				ClosedAt: timeIn(lg, r.ClosedAt), ClosedBy: r.ClosedBy, Results: number(lg, float64(r.Results), 0),
			})
		}
	}
	publicPage(c)
	p.render(c, http.StatusOK, "methodology", lg, t(lg, "methodology.title"), "methodology", data)
}

// holidayRows are the public holidays of year in every zone, one row per
// day and name, with the zones that keep it ("every zone" for the national
// days).
func holidayRows(lg string, cal *calendar.Calendar, year int) []holidayRow {
	type key struct {
		date calendar.Date
		name string
	}
	zones := map[key][]model.Zone{}
	var keys []key
	for _, z := range model.Zones {
		for _, h := range cal.Holidays(z, year) {
			k := key{h.Date, h.Name}
			if _, ok := zones[k]; !ok {
				keys = append(keys, k)
			}
			zones[k] = append(zones[k], z)
		}
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		if a.date != b.date {
			return int(a.date - b.date)
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]holidayRow, 0, len(keys))
	for _, k := range keys {
		row := holidayRow{Date: dayIn(lg, k.date.Time()), Name: holidayName(lg, k.name), Zones: t(lg, "holidays.all_zones")}
		if zs := zones[k]; len(zs) < len(model.Zones) {
			names := make([]string, len(zs))
			for i, z := range zs {
				names[i] = t(lg, "zone."+string(z))
			}
			row.Zones = strings.Join(names, ", ")
		}
		out = append(out, row)
	}
	return out
}

// holidayName is a holiday's name in lang: the calendar names them in
// French; two holidays on one day are "A / B".
func holidayName(lg, name string) string {
	parts := strings.Split(name, " / ")
	for i, n := range parts {
		if _, ok := messages["holiday."+n]; ok {
			parts[i] = t(lg, "holiday."+n)
		}
	}
	return strings.Join(parts, " / ")
}

// dayIn is a date with its weekday: "lundi 06/04/2026", "Monday 6 Apr
// 2026".
func dayIn(lg string, d time.Time) string {
	return t(lg, "weekday."+d.Weekday().String()) + " " + dateIn(lg, d)
}

// isoDateIn is a YYYY-MM-DD date for people.
func isoDateIn(lg, s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return dateIn(lg, d)
}

// timeIn is an instant for people, in UTC and saying so.
func timeIn(lg string, at time.Time) string {
	if at.IsZero() {
		return t(lg, "none")
	}
	at = at.UTC()
	return dateIn(lg, at) + " " + at.Format("15:04") + " UTC"
}
