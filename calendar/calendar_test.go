package calendar

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the machine's tzdata

	"globaloffice/model"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Worked out by hand. Easter 2026 is Sunday 5 April: Good Friday 3 April,
// Easter Monday 6 April, Ascension (Easter+39) Thursday 14 May, Whit Monday
// (Easter+50) 25 May. Easter 2027 is Sunday 28 March: Good Friday 26 March,
// Easter Monday 29 March, Ascension Thursday 6 May, Whit Monday 17 May.
var national = map[int][]string{
	2026: {"2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25", "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25"},
	2027: {"2027-01-01", "2027-03-29", "2027-05-01", "2027-05-06", "2027-05-08", "2027-05-17", "2027-07-14", "2027-08-15", "2027-11-01", "2027-11-11", "2027-12-25"},
}

var extras = map[model.Zone]map[int][]string{
	model.ZoneMetropole:     {2026: nil, 2027: nil},
	model.ZoneAlsaceMoselle: {2026: {"2026-04-03", "2026-12-26"}, 2027: {"2027-03-26", "2027-12-26"}},
	model.ZoneMayotte:       {2026: {"2026-04-27"}, 2027: {"2027-04-27"}},
	model.ZoneMartinique:    {2026: {"2026-05-22"}, 2027: {"2027-05-22"}},
	model.ZoneGuadeloupe:    {2026: {"2026-05-27"}, 2027: {"2027-05-27"}},
	model.ZoneGuyane:        {2026: {"2026-06-10"}, 2027: {"2027-06-10"}},
	model.ZoneReunion:       {2026: {"2026-12-20"}, 2027: {"2027-12-20"}},
}

func TestHolidaysEveryZone(t *testing.T) {
	c := New(Options{})
	if len(extras) != len(model.Zones) {
		t.Fatalf("the table covers %d zones, model has %d", len(extras), len(model.Zones))
	}
	for zone, byYear := range extras {
		for year, extra := range byYear {
			want := slices.Concat(national[year], extra)
			slices.Sort(want)
			var got []string
			for _, h := range c.Holidays(zone, year) {
				if h.Name == "" {
					t.Errorf("%s %s: holiday without a name", zone, h.Date)
				}
				got = append(got, h.Date.String())
			}
			if !slices.Equal(got, want) {
				t.Errorf("Holidays(%s, %d)\n got %v\nwant %v", zone, year, got, want)
			}
			var dates []string
			for _, x := range c.HolidayDates(zone, year, year) {
				dates = append(dates, x.String())
			}
			if !slices.Equal(dates, want) {
				t.Errorf("HolidayDates(%s, %d) = %v, want %v", zone, year, dates, want)
			}
			for _, s := range want {
				if ok, name := c.IsHoliday(zone, d(s)); !ok || name == "" {
					t.Errorf("IsHoliday(%s, %s) = %v, %q; want true and a name", zone, s, ok, name)
				}
				if c.IsWorkingDay(zone, d(s)) {
					t.Errorf("IsWorkingDay(%s, %s) = true on a holiday", zone, s)
				}
			}
		}
	}
}

func TestHolidayNames(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		zone model.Zone
		date string
		name string
	}{
		{model.ZoneMetropole, "2026-05-25", "Lundi de Pentecôte"},
		{model.ZoneMetropole, "2026-07-14", "Fête Nationale"},
		{model.ZoneAlsaceMoselle, "2026-04-03", "Vendredi saint"},
		{model.ZoneAlsaceMoselle, "2025-12-26", "Saint-Étienne"},
		{model.ZoneReunion, "2026-12-20", "Abolition de l'esclavage"},
		{model.ZoneMetropole, "2008-05-01", "Fête du Travail / Ascension"}, // Easter 2008 was 23 March
		{model.ZoneMetropole, "1985-05-08", "Fête de la Victoire"},         // before the tables: slow path
	}
	for _, tt := range tests {
		ok, name := c.IsHoliday(tt.zone, d(tt.date))
		if !ok || name != tt.name {
			t.Errorf("IsHoliday(%s, %s) = %v, %q; want true, %q", tt.zone, tt.date, ok, name, tt.name)
		}
	}
	if ok, _ := c.IsHoliday(model.ZoneMetropole, d("2025-12-26")); ok {
		t.Error("26 December is a holiday in metropole")
	}
}

func TestWhitMondayWorked(t *testing.T) {
	def, solidarity := New(Options{}), New(Options{WhitMondayWorked: true})
	for _, s := range []string{"2026-05-25", "2027-05-17"} {
		if def.IsWorkingDay(model.ZoneMetropole, d(s)) {
			t.Errorf("default: %s is a working day", s)
		}
		if !solidarity.IsWorkingDay(model.ZoneMetropole, d(s)) {
			t.Errorf("WhitMondayWorked: %s is not a working day", s)
		}
		if ok, _ := solidarity.IsHoliday(model.ZoneAlsaceMoselle, d(s)); ok {
			t.Errorf("WhitMondayWorked: %s is a holiday", s)
		}
	}
	if n := len(solidarity.Holidays(model.ZoneMetropole, 2026)); n != 10 {
		t.Errorf("WhitMondayWorked: %d holidays in 2026, want 10", n)
	}
	// Friday 22 May to Tuesday 26 May 2026: Tuesday only, or Monday and Tuesday.
	if n := def.WorkingDaysBetween(model.ZoneMetropole, d("2026-05-22"), d("2026-05-26")); n != 1 {
		t.Errorf("default: %d working days, want 1", n)
	}
	if n := solidarity.WorkingDaysBetween(model.ZoneMetropole, d("2026-05-22"), d("2026-05-26")); n != 2 {
		t.Errorf("WhitMondayWorked: %d working days, want 2", n)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		name                string
		zone                model.Zone
		received, completed string
		want                int
	}{
		{"same day", model.ZoneMetropole, "2026-03-10", "2026-03-10", 0},
		{"same Saturday", model.ZoneMetropole, "2026-03-07", "2026-03-07", 0},
		{"next day", model.ZoneMetropole, "2026-03-10", "2026-03-11", 1},
		{"Friday to Tuesday", model.ZoneMetropole, "2026-03-06", "2026-03-10", 2},
		{"Saturday to Monday", model.ZoneMetropole, "2026-03-07", "2026-03-09", 1},
		{"Friday to Sunday", model.ZoneMetropole, "2026-03-06", "2026-03-08", 0},
		{"two full weeks", model.ZoneMetropole, "2026-03-02", "2026-03-16", 10},
		// (30 Apr, 15 May]: 1 May Fri off, 4–7 May (4), 8 May Fri off,
		// 11–13 May (3), 14 May Ascension off, 15 May (1).
		{"1 and 8 May 2026", model.ZoneMetropole, "2026-04-30", "2026-05-15", 8},
		{"1 and 8 May 2026, Alsace", model.ZoneAlsaceMoselle, "2026-04-30", "2026-05-15", 8},
		// (24 Dec, 29 Dec] 2025: 25 Thu off everywhere, 26 Fri off in
		// Alsace-Moselle only, 27–28 weekend, 29 Mon.
		{"Christmas 2025 metropole", model.ZoneMetropole, "2025-12-24", "2025-12-29", 2},
		{"Christmas 2025 Alsace-Moselle", model.ZoneAlsaceMoselle, "2025-12-24", "2025-12-29", 1},
		// (Fri 17 Dec, Tue 21 Dec] 2027: 20 Dec is a Monday.
		{"20 Dec 2027 metropole", model.ZoneMetropole, "2027-12-17", "2027-12-21", 2},
		{"20 Dec 2027 Réunion", model.ZoneReunion, "2027-12-17", "2027-12-21", 1},
		// 20 Dec 2024 is a Friday: (Thu 19, Mon 23].
		{"20 Dec 2024 metropole", model.ZoneMetropole, "2024-12-19", "2024-12-23", 2},
		{"20 Dec 2024 Réunion", model.ZoneReunion, "2024-12-19", "2024-12-23", 1},
		// 20 Dec 2026 is a Sunday: no difference.
		{"20 Dec 2026 Réunion", model.ZoneReunion, "2026-12-18", "2026-12-21", 1},
		// Easter 2026 in Alsace-Moselle: (Thu 2 Apr, Tue 7 Apr]: 3 Good
		// Friday, 6 Easter Monday off → Tue 7 only; metropole adds Fri 3.
		{"Easter 2026 Alsace-Moselle", model.ZoneAlsaceMoselle, "2026-04-02", "2026-04-07", 1},
		{"Easter 2026 metropole", model.ZoneMetropole, "2026-04-02", "2026-04-07", 2},
		{"Guyane 10 June 2026", model.ZoneGuyane, "2026-06-09", "2026-06-11", 1},
		{"Mayotte 27 April 2026", model.ZoneMayotte, "2026-04-24", "2026-04-28", 1},
		{"completed before received", model.ZoneMetropole, "2026-03-10", "2026-03-06", -2},
		// Working days in 2026 (LIBRARIES.md: 252 national): (31 Dec 2025, 31 Dec 2026].
		{"year 2026", model.ZoneMetropole, "2025-12-31", "2026-12-31", 252},
		{"year 2026 Alsace-Moselle", model.ZoneAlsaceMoselle, "2025-12-31", "2026-12-31", 251},
		// Outside the tables: the slow path. (Fri 5 Jan 1979, Tue 9 Jan].
		{"1979 Friday to Tuesday", model.ZoneMetropole, "1979-01-05", "1979-01-09", 2},
		{"2150 across 1 Jan", model.ZoneMetropole, "2149-12-31", "2150-01-02", 1}, // 1 Jan 2150 is a Thursday
		{"across the table start", model.ZoneMetropole, "1989-12-29", "1990-01-02", 1},
	}
	for _, tt := range tests {
		got := c.WorkingDaysBetween(tt.zone, d(tt.received), d(tt.completed))
		if got != tt.want {
			t.Errorf("%s: WorkingDaysBetween(%s, %s, %s) = %d, want %d", tt.name, tt.zone, tt.received, tt.completed, got, tt.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		zone model.Zone
		from string
		n    int
		want string
	}{
		{model.ZoneMetropole, "2026-03-06", 1, "2026-03-09"},
		// After Thu 30 Apr 2026: Mon 4, Tue 5, Wed 6, Thu 7, then Fri 8 is
		// off, so the fifth is Mon 11 May (Fri 1 May off too).
		{model.ZoneMetropole, "2026-04-30", 5, "2026-05-11"},
		{model.ZoneMetropole, "2026-12-24", 1, "2026-12-28"},
		{model.ZoneAlsaceMoselle, "2025-12-24", 1, "2025-12-29"},
		{model.ZoneMetropole, "2026-03-06", 0, "2026-03-06"},
	}
	for _, tt := range tests {
		got := c.AddWorkingDays(tt.zone, d(tt.from), tt.n)
		if got.String() != tt.want {
			t.Errorf("AddWorkingDays(%s, %s, %d) = %s, want %s", tt.zone, tt.from, tt.n, got, tt.want)
		}
		if tt.n > 0 {
			if back := c.WorkingDaysBetween(tt.zone, d(tt.from), got); back != tt.n {
				t.Errorf("WorkingDaysBetween after AddWorkingDays(%s, %d) = %d", tt.from, tt.n, back)
			}
		}
	}
	if got := c.NextWorkingDay(model.ZoneMetropole, d("2026-05-01")); got.String() != "2026-05-04" {
		t.Errorf("NextWorkingDay(1 May 2026) = %s, want 2026-05-04", got)
	}
}

func TestCalendarDaysBetween(t *testing.T) {
	tests := []struct {
		received, completed string
		want                int
	}{
		{"2026-03-10", "2026-03-10", 0},
		{"2026-03-06", "2026-03-10", 4},
		{"2026-02-28", "2026-03-01", 1},
		{"2028-02-28", "2028-03-01", 2}, // leap year
		{"2025-12-31", "2026-12-31", 365},
		{"2026-03-10", "2026-03-06", -4},
	}
	for _, tt := range tests {
		if got := CalendarDaysBetween(d(tt.received), d(tt.completed)); got != tt.want {
			t.Errorf("CalendarDaysBetween(%s, %s) = %d, want %d", tt.received, tt.completed, got, tt.want)
		}
	}
}

func TestLocalDate(t *testing.T) {
	tests := []struct {
		instant string
		tz      string
		want    string
	}{
		{"2026-05-31T22:30:00Z", "Europe/Paris", "2026-06-01"}, // CEST, UTC+2: 00:30
		{"2026-05-31T22:30:00Z", "America/Cayenne", "2026-05-31"},
		{"2026-05-31T22:30:00Z", "Indian/Reunion", "2026-06-01"},
		{"2026-05-31T21:59:59Z", "Europe/Paris", "2026-05-31"},
		{"2026-05-31T22:00:00Z", "Europe/Paris", "2026-06-01"},
		{"2026-01-15T22:59:59Z", "Europe/Paris", "2026-01-15"}, // CET, UTC+1
		{"2026-01-15T23:00:00Z", "Europe/Paris", "2026-01-16"},
		{"2026-06-01T02:59:59Z", "America/Cayenne", "2026-05-31"}, // UTC-3
		{"2026-06-01T03:00:00Z", "America/Cayenne", "2026-06-01"},
		{"2026-06-01T03:59:59Z", "America/Martinique", "2026-05-31"}, // UTC-4
		{"2026-05-31T20:00:00Z", "Indian/Reunion", "2026-06-01"},     // UTC+4
		{"2026-05-31T20:59:59Z", "Indian/Mayotte", "2026-05-31"},     // UTC+3
		{"2026-12-31T23:30:00Z", "UTC", "2026-12-31"},
	}
	for _, tt := range tests {
		instant, err := time.Parse(time.RFC3339, tt.instant)
		if err != nil {
			t.Fatal(err)
		}
		got, err := LocalDateIn(instant, tt.tz)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != tt.want {
			t.Errorf("LocalDateIn(%s, %s) = %s, want %s", tt.instant, tt.tz, got, tt.want)
		}
		loc, _ := time.LoadLocation(tt.tz)
		if got2 := LocalDate(instant, loc); got2 != got {
			t.Errorf("LocalDate(%s, %s) = %s, LocalDateIn gave %s", tt.instant, tt.tz, got2, got)
		}
	}
	for _, bad := range []string{"", "Local", "Europe/Lyon"} {
		if _, err := LocalDateIn(time.Now(), bad); err == nil {
			t.Errorf("LocalDateIn(%q) gave no error", bad)
		}
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		y     int
		m     time.Month
		day   int
		want  string
		wd    time.Weekday
		epoch int
	}{
		{1970, 1, 1, "1970-01-01", time.Thursday, 0},
		{1969, 12, 31, "1969-12-31", time.Wednesday, -1},
		{2000, 2, 29, "2000-02-29", time.Tuesday, 11016},
		{2026, 1, 1, "2026-01-01", time.Thursday, 20454},
		{2026, 2, 29, "2026-03-01", time.Sunday, 20513}, // normalised like time.Date
		{2026, 13, 1, "2027-01-01", time.Friday, 20819},
		{2026, 0, 1, "2025-12-01", time.Monday, 20423},
	}
	for _, tt := range tests {
		got := DateOf(tt.y, tt.m, tt.day)
		if got.String() != tt.want || got.Weekday() != tt.wd || int(got) != tt.epoch {
			t.Errorf("DateOf(%d, %d, %d) = %s (%s, %d), want %s (%s, %d)", tt.y, tt.m, tt.day, got, got.Weekday(), int(got), tt.want, tt.wd, tt.epoch)
		}
		if back := DateFromTime(got.Time()); back != got {
			t.Errorf("DateFromTime(%s.Time()) = %s", got, back)
		}
	}
	// Every day of 1900–2200 round-trips through time.Time.
	for x := DateOf(1900, 1, 1); x < DateOf(2200, 1, 1); x++ {
		tm := x.Time()
		y, m, dd := x.Civil()
		if ty, tmm, td := tm.Date(); ty != y || tmm != m || td != dd || tm.Weekday() != x.Weekday() {
			t.Fatalf("day %d: Civil %d-%d-%d %s, time says %s", x, y, m, dd, x.Weekday(), tm)
		}
	}
	var v Date
	if err := v.UnmarshalText([]byte("2026-05-14")); err != nil || v != DateOf(2026, 5, 14) {
		t.Errorf("UnmarshalText = %s, %v", v, err)
	}
	if err := v.UnmarshalText([]byte("14/05/2026")); err == nil {
		t.Error("UnmarshalText accepted 14/05/2026")
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	if got := DateOf(2026, 3, 29).In(paris); got.Format(time.RFC3339) != "2026-03-29T00:00:00+01:00" {
		t.Errorf("In(Paris) = %s", got.Format(time.RFC3339))
	}
}

// The fast path and the slow path agree on every day of 2024–2028 for every
// zone.
func TestTablesMatchRules(t *testing.T) {
	c := New(Options{})
	for _, zone := range model.Zones {
		hol := map[Date]bool{}
		for _, x := range c.HolidayDates(zone, 2023, 2029) {
			hol[x] = true
		}
		n := 0
		from := DateOf(2024, 1, 1)
		for x := from; x < DateOf(2029, 1, 1); x++ {
			wd := x.Weekday()
			want := wd != time.Saturday && wd != time.Sunday && !hol[x]
			if got := c.IsWorkingDay(zone, x); got != want {
				t.Fatalf("%s %s: IsWorkingDay = %v, want %v", zone, x, got, want)
			}
			if want {
				n++
			}
			if got := c.WorkingDaysBetween(zone, from-1, x); got != n {
				t.Fatalf("%s: WorkingDaysBetween(%s, %s) = %d, want %d", zone, from-1, x, got, n)
			}
		}
	}
}

func BenchmarkWorkingDaysBetween(b *testing.B) {
	c := New(Options{})
	from := DateOf(2026, 1, 1)
	b.ResetTimer()
	s := 0
	for i := 0; b.Loop(); i++ {
		r := from + Date(i%700)
		s += c.WorkingDaysBetween(model.ZoneReunion, r, r+Date(i%45))
	}
	_ = s
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		New(Options{})
	}
}
