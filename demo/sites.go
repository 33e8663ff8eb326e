package demo

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"

	"globaloffice/ingest"
	"globaloffice/model"
)

//go:embed sites.csv
var sitesCSV []byte

//go:embed targets.csv
var targetsCSV []byte

// TargetsCSV is the demo's management targets file (demo/targets.csv), in
// the format of globaloffice targets import.
func TargetsCSV() []byte { return bytes.Clone(targetsCSV) }

// Sites parses the sample sites file (demo/sites.csv): 42 sites across 12
// regions, Alsace-Moselle and the five overseas departments.
func Sites() ([]model.Site, error) {
	sites, err := ingest.ReadSites(bytes.NewReader(sitesCSV))
	if err != nil {
		return nil, fmt.Errorf("demo sites.csv: %w", err)
	}
	return sites, nil
}

// site is a model.Site with what the generator draws for it once per run:
// its size, its quality and who answers its users' calls and processes
// their files.
type site struct {
	model.Site
	idx   int
	front bool // agency or proximity point: has users of its own

	weight   float64 // demand relative to an average agency
	waitQ    float64 // wait multiplier: 1 nominal, above 1 slower
	delayQ   float64 // case delay multiplier
	noShow   float64 // share of missed appointments
	satBias  float64 // satisfaction shift on the latent scale
	sched    schedule
	poolSize int64 // users homed here

	agency *site // where a proximity point's users walk in (itself for an agency)
	phone  *site // who answers its users' calls
	proc   *site // who processes its users' files

	// For sites that serve others (phone platforms, processing centres and
	// agencies that do it themselves): the front sites served and their
	// cumulative weights, to draw a caller's or an applicant's home.
	phoneServed, procServed []*site
	phoneCum, procCum       []float64
}

// maxPool bounds the users homed at one site, so user numbers stay unique.
const maxPool = 1_000_000

func buildSites(seed uint64, scale float64, in []model.Site) ([]*site, error) {
	sites := make([]*site, len(in))
	for i, m := range in {
		if !m.Zone.Valid() {
			return nil, fmt.Errorf("site %q: zone %q is not one of %v", m.ID, m.Zone, model.Zones)
		}
		if !m.Kind.Valid() {
			return nil, fmt.Errorf("site %q: kind %q is not one of %v", m.ID, m.Kind, model.SiteKinds)
		}
		if _, err := m.Location(); err != nil {
			return nil, err
		}
		s := &site{Site: m, idx: i, front: m.Kind == model.SiteAgency || m.Kind == model.SiteProximityPoint}
		r := newRand(seed, 1, hashString(m.ID))
		// Sizes: a log-normal spread around 1; proximity points are small.
		s.weight = clamp(lognormal(r, 1, 0.35), 0.45, 2.2)
		if m.Kind == model.SiteProximityPoint {
			s.weight *= 0.35
		}
		// Quality: most sites near nominal, about one in five clearly worse.
		s.waitQ = clamp(lognormal(r, 0.9, 0.25), 0.55, 1.6)
		if chance(r, 0.2) {
			s.waitQ *= 1.55
		}
		s.delayQ = clamp(lognormal(r, 0.95, 0.2), 0.6, 1.5)
		if chance(r, 0.2) {
			s.delayQ *= 1.5
		}
		s.noShow = 0.05 + 0.06*r.Float64()
		s.satBias = 0.25 * r.NormFloat64()
		s.sched = drawSchedule(r, m.Kind)
		sites[i] = s
	}
	// Normalise sizes so that volumes do not depend on the seed: agencies
	// average 1, proximity points 0.35.
	for kind, mean := range map[model.SiteKind]float64{model.SiteAgency: 1, model.SiteProximityPoint: 0.35} {
		var sum float64
		var n int
		for _, s := range sites {
			if s.Kind == kind {
				sum += s.weight
				n++
			}
		}
		for _, s := range sites {
			if s.Kind == kind {
				s.weight *= mean * float64(n) / sum
			}
		}
	}
	for _, s := range sites {
		if s.front {
			s.poolSize = int64(math.Min(maxPool, math.Max(20, math.Round(9000*s.weight*scale))))
		}
	}
	for _, s := range sites {
		if !s.front {
			continue
		}
		s.agency = s
		if s.Kind == model.SiteProximityPoint {
			s.agency = nearest(sites, s, model.SiteAgency)
		}
		s.phone = nearest(sites, s, model.SitePhonePlatform)
		if s.phone == nil {
			s.phone = s.agency
		}
		s.proc = nearest(sites, s, model.SiteProcessingCentre)
		if s.proc == nil {
			s.proc = s.agency
		}
	}
	for _, s := range sites {
		if !s.front {
			continue
		}
		w := s.weight
		if p := s.phone; p != nil {
			p.phoneServed = append(p.phoneServed, s)
			p.phoneCum = append(p.phoneCum, last(p.phoneCum)+w)
		}
		if p := s.proc; p != nil {
			p.procServed = append(p.procServed, s)
			p.procCum = append(p.procCum, last(p.procCum)+w)
		}
	}
	return sites, nil
}

func last(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)-1]
}

// nearest picks the site of kind that serves s: one in the same region, else
// one in the same time zone (the same one for a whole region), else nil.
func nearest(sites []*site, s *site, kind model.SiteKind) *site {
	var region, tz []*site
	for _, c := range sites {
		if c.Kind != kind {
			continue
		}
		if c.Region == s.Region {
			region = append(region, c)
		}
		if c.Timezone == s.Timezone {
			tz = append(tz, c)
		}
	}
	pick := func(list []*site) *site {
		return list[hashString(s.Region)%uint64(len(list))]
	}
	switch {
	case len(region) > 0:
		return pick(region)
	case len(tz) > 0:
		return pick(tz)
	}
	return nil
}

// pickServed draws a served front site from a cumulative weight list.
func pickServed(u float64, served []*site, cum []float64) *site {
	x := u * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return served[i]
		}
	}
	return served[len(served)-1]
}
