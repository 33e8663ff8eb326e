package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"globaloffice/calendar"
	"globaloffice/model"
)

// Default rates of deliberately invalid and re-sent records.
const (
	DefaultBadRate = 0.0005
	DefaultDupRate = 0.002
)

// Options says what to generate.
type Options struct {
	// Seed selects the data set: the same seed and options give the same
	// bytes.
	Seed int64
	// From and To are civil dates (only their year, month and day are read,
	// in each site's local time): data cover [From, To).
	From, To time.Time
	// Scale multiplies every volume; 1 (the default when 0) is about 500,000
	// contacts, 150,000 cases and 40,000 survey responses a year over the 42
	// sample sites.
	Scale float64
	// Sites to generate for; nil means the sample sites (Sites).
	Sites []model.Site
	// BadRate is the share of records deliberately invalid (an extra invalid
	// record after that many good ones): 0 means DefaultBadRate, negative
	// means none.
	BadRate float64
	// DupRate is the share of records re-sent, as exact copies, in a later
	// month's file: 0 means DefaultDupRate, negative means none.
	DupRate float64
	// Progress, when set, is called after each month is written, from the
	// goroutine that called Generate.
	Progress func(Progress)
	// Workers is the number of goroutines generating; 0 means GOMAXPROCS.
	// The output does not depend on it.
	Workers int
	// Calendar gives the public holidays; nil means calendar.New with
	// default options.
	Calendar *calendar.Calendar
}

// Progress reports a finished month.
type Progress struct {
	Month       string // YYYY-MM
	MonthsDone  int
	MonthsTotal int
	Records     int64 // lines written so far, headers excluded
}

// Summary counts what Generate wrote.
type Summary struct {
	Contacts        int64 // valid contacts, each once
	Cases           int64 // distinct cases
	CaseVersions    int64 // valid case lines (open, intermediate, closing)
	SurveyResponses int64 // valid survey responses, each once
	Bad             int64 // deliberately invalid records, all files
	Duplicates      int64 // exact copies re-sent, all files
	// Files are the files written, sorted, as paths under dir.
	Files []string
}

// Records is the number of lines written, headers excluded.
func (s Summary) Records() int64 {
	return s.Contacts + s.CaseVersions + s.SurveyResponses + s.Bad + s.Duplicates
}

func (s *Summary) add(c counts) {
	s.Contacts += c.contacts
	s.Cases += c.cases
	s.CaseVersions += c.caseVersions
	s.SurveyResponses += c.surveys
	s.Bad += c.bad
	s.Duplicates += c.dups
}

type counts struct {
	contacts, cases, caseVersions, surveys, bad, dups int64
}

// ErrOptions is wrapped by the errors of invalid options.
var ErrOptions = errors.New("demo: invalid options")

// generator holds what every unit of work shares; it is read-only once
// built.
type generator struct {
	seed    uint64
	scale   float64
	badRate float64
	dupRate float64
	cal     *calendar.Calendar
	sites   []*site
	locs    []*time.Location

	from, to         calendar.Date
	fromWall, toWall int64 // local wall-clock seconds at From and To
	m0               int   // year×12 + month−1 of the first month
	months           int
}

func newGenerator(opts Options) (*generator, error) {
	if opts.From.IsZero() || opts.To.IsZero() {
		return nil, fmt.Errorf("%w: From and To are required", ErrOptions)
	}
	g := &generator{
		seed:    uint64(opts.Seed),
		scale:   opts.Scale,
		badRate: rate(opts.BadRate, DefaultBadRate),
		dupRate: rate(opts.DupRate, DefaultDupRate),
		cal:     opts.Calendar,
		from:    calendar.DateFromTime(opts.From),
		to:      calendar.DateFromTime(opts.To),
	}
	if g.scale == 0 {
		g.scale = 1
	}
	if g.scale < 0 || math.IsNaN(g.scale) || math.IsInf(g.scale, 0) {
		return nil, fmt.Errorf("%w: scale %v", ErrOptions, opts.Scale)
	}
	if g.badRate > 0.5 || g.dupRate > 0.5 {
		return nil, fmt.Errorf("%w: bad rate %v and duplicate rate %v must be at most 0.5", ErrOptions, opts.BadRate, opts.DupRate)
	}
	if g.to <= g.from {
		return nil, fmt.Errorf("%w: To %s is not after From %s", ErrOptions, g.to, g.from)
	}
	if g.from.Year() < 1971 || g.to.Year() > 9999 {
		return nil, fmt.Errorf("%w: dates %s to %s out of range", ErrOptions, g.from, g.to)
	}
	if g.cal == nil {
		g.cal = calendar.New(calendar.Options{})
	}
	in := opts.Sites
	if in == nil {
		var err error
		if in, err = Sites(); err != nil {
			return nil, err
		}
	}
	var err error
	if g.sites, err = buildSites(g.seed, g.scale, in); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	g.locs = make([]*time.Location, len(g.sites))
	for i, s := range g.sites {
		if g.locs[i], err = calendar.Location(s.Timezone); err != nil {
			return nil, fmt.Errorf("%w: site %q: %w", ErrOptions, s.ID, err)
		}
	}
	g.fromWall, g.toWall = int64(g.from)*86400, int64(g.to)*86400
	fy, fm, _ := g.from.Civil()
	ty, tm, _ := (g.to - 1).Civil()
	g.m0 = fy*12 + int(fm) - 1
	g.months = ty*12 + int(tm) - 1 - g.m0 + 1
	if n := int64(g.months) * int64(len(g.sites)); n*idsPerChunk >= 1e12 {
		return nil, fmt.Errorf("%w: %d months × %d sites is too many for 12-digit ids", ErrOptions, g.months, len(g.sites))
	}
	return g, nil
}

func rate(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// monthIndex returns the index in the range of the month of local wall-clock
// seconds wall.
func (g *generator) monthIndex(wall int64) int {
	y, m, _ := civil(wall / 86400)
	return int(y)*12 + int(m) - 1 - g.m0
}

// monthName returns YYYY-MM of month index i.
func (g *generator) monthName(i int) string {
	n := g.m0 + i
	return fmt.Sprintf("%04d-%02d", n/12, n%12+1)
}

// monthDates returns the dates of month i that fall in [From, To).
func (g *generator) monthDates(i int) (first, end calendar.Date) {
	n := g.m0 + i
	first = calendar.DateOf(n/12, time.Month(n%12+1), 1)
	end = calendar.DateOf(n/12, time.Month(n%12+2), 1)
	return max(first, g.from), min(end, g.to)
}

// Generate writes the demo files under dir (created if needed; files of the
// same names are replaced) and returns what it wrote. Each file is written
// under a temporary name and renamed when complete, so a collector watching
// dir never reads half a file.
func Generate(ctx context.Context, dir string, opts Options) (Summary, error) {
	g, err := newGenerator(opts)
	if err != nil {
		return Summary{}, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	w, err := newWriter(dir)
	if err != nil {
		return Summary{}, err
	}
	sum, err := g.run(ctx, w, workers, opts.Progress)
	if err != nil {
		w.abort()
		return Summary{}, fmt.Errorf("demo: generating into %s: %w", dir, err)
	}
	sum.Files = w.files()
	return sum, nil
}
