package calendar

import (
	"fmt"
	"sync"
	"time"
)

// Date is a civil date (a day in a calendar, with no time and no zone), held
// as the number of days since 1970-01-01, which is Date 0. Arithmetic is plain
// integer arithmetic: d+1 is the next day and e-d the number of days from d to
// e. Dates convert to and from time.Time at midnight UTC (Time, DateOf), and
// an instant becomes a Date only through a time zone (LocalDate), because
// delays are counted on the dates of the site's local time.
type Date int32

// DateOf returns the date year-month-day. Out-of-range values are normalised
// as time.Date does: DateOf(2026, 2, 29) is 2026-03-01.
func DateOf(year int, month time.Month, day int) Date {
	// Normalise the month first, then count the days from the civil date
	// (Howard Hinnant's days_from_civil), then add the day offset.
	y := int64(year)
	m := int64(month) - 1
	y += floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12 + 1
	return Date(daysFromCivil(y, m, 1) + int64(day) - 1)
}

// DateFromTime returns the civil date of t as shown in t's own location. Use
// LocalDate to get the date of an instant in a site's time zone.
func DateFromTime(t time.Time) Date {
	y, m, d := t.Date()
	return DateOf(y, m, d)
}

// LocalDate returns the civil date that the instant t falls on in loc, for
// instance the date of a UTC timestamp in a site's time zone:
// 2026-05-31T22:30:00Z is 2026-06-01 in Europe/Paris but 2026-05-31 in
// America/Cayenne.
func LocalDate(t time.Time, loc *time.Location) Date {
	return DateFromTime(t.In(loc))
}

var locations sync.Map // IANA name → *time.Location

// LocalDateIn is LocalDate for a time zone given by its IANA name (a site's
// Timezone). Loaded zones are cached, so it is cheap to call once per record.
func LocalDateIn(t time.Time, tz string) (Date, error) {
	loc, err := Location(tz)
	if err != nil {
		return 0, err
	}
	return LocalDate(t, loc), nil
}

// Location loads the IANA time zone tz once and caches it. "" and "Local"
// are refused: a site's dates must not depend on the machine.
func Location(tz string) (*time.Location, error) {
	if l, ok := locations.Load(tz); ok {
		return l.(*time.Location), nil
	}
	if tz == "" || tz == "Local" {
		return nil, fmt.Errorf("time zone %q: an IANA name such as Europe/Paris is required", tz)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", tz, err)
	}
	locations.Store(tz, loc)
	return loc, nil
}

// ParseDate parses a date written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("date %q: %w", s, err)
	}
	return DateFromTime(t), nil
}

// Civil returns the year, month and day of d.
func (d Date) Civil() (year int, month time.Month, day int) {
	y, m, dd := civilFromDays(int64(d))
	return int(y), time.Month(m), int(dd)
}

// Year returns the year of d.
func (d Date) Year() int {
	y, _, _ := d.Civil()
	return y
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday((int64(d)%7 + 7 + 4) % 7)
}

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time {
	return time.Unix(int64(d)*86400, 0).UTC()
}

// In returns the instant at which d starts in loc (local midnight, or the
// first instant of the day when a daylight-saving change skips midnight).
func (d Date) In(loc *time.Location) time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// String writes d as YYYY-MM-DD.
func (d Date) String() string {
	return string(d.AppendText(nil))
}

// AppendText appends d written YYYY-MM-DD to b.
func (d Date) AppendText(b []byte) []byte {
	y, m, dd := civilFromDays(int64(d))
	if y < 0 || y > 9999 {
		return fmt.Appendf(b, "%d-%02d-%02d", y, m, dd)
	}
	return append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-',
		byte('0'+dd/10), byte('0'+dd%10))
}

// MarshalText writes d as YYYY-MM-DD (JSON, YAML, CSV).
func (d Date) MarshalText() ([]byte, error) { return d.AppendText(nil), nil }

// UnmarshalText reads a date written YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// CalendarDaysBetween returns completed − received in days: 0 on the same
// day, 1 the next day, negative when completed is before received.
func CalendarDaysBetween(received, completed Date) int {
	return int(completed - received)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// daysFromCivil is Howard Hinnant's algorithm: the number of days from
// 1970-01-01 to y-m-d in the proleptic Gregorian calendar (m in 1..12).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
