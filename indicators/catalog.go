package indicators

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Text is a wording in French and English.
type Text struct {
	FR string `yaml:"fr" json:"fr"`
	EN string `yaml:"en" json:"en"`
}

// In is the wording in a language: French for FR, English otherwise.
func (t Text) In(lang string) string {
	if lang == FR {
		return t.FR
	}
	return t.EN
}

// Filter keeps the records whose field has one of the listed values
// (field → values); fields come from the source's fixed list.
type Filter map[string][]string

// Exclusion drops records from the population: those matching Filter and,
// when Value is set, whose value is below Below (e.g. calls abandoned after
// waiting less than 5 s are not offered calls).
type Exclusion struct {
	Filter Filter  `yaml:"filter"`
	Value  string  `yaml:"value"`
	Below  float64 `yaml:"below"`
}

// Definition is one indicator of the catalog.
type Definition struct {
	ID         string
	Title      Text
	Commitment Text   // the public wording, for published indicators
	Source     string // contacts, cases or surveys
	Filter     Filter // the population
	Exclude    *Exclusion
	Measure    Measure
	Unit       string // percent, minutes, seconds, days, working_days, points, score, count
	Direction  string // higher or lower is better
	MinSample  int
	Published  bool
	// OpeningHours keeps only the contacts that arrived while their site
	// was open (its opening hours, local time; its zone's public holidays
	// closed all day); a site without hours is always open.
	OpeningHours bool
	// Version numbers the definition, from 1; it took effect on Since
	// (zero: from the beginning, as version 1 always is). The periods
	// ending before Since were measured under an earlier version, so a
	// comparison across Since is a series break (see version.go).
	Version int
	Since   time.Time
}

// IsProportion tells whether the value is a share of a population, which
// carries a Wilson interval.
func (d *Definition) IsProportion() bool { return d.Measure.Proportion() }

// Catalog is a validated list of definitions.
type Catalog struct {
	Indicators []*Definition
	byID       map[string]*Definition
}

// Get returns a definition by id.
func (c *Catalog) Get(id string) (*Definition, bool) {
	d, ok := c.byID[id]
	return d, ok
}

//go:embed catalog.yaml
var defaultCatalog []byte

// DefaultCatalog is the embedded catalog of the charter's commitments.
func DefaultCatalog() (*Catalog, error) {
	return ParseCatalog("catalog.yaml (embedded)", defaultCatalog)
}

// DefaultCatalogYAML is the embedded catalog's text.
func DefaultCatalogYAML() []byte { return bytes.Clone(defaultCatalog) }

// LoadCatalog reads a catalog file, or the embedded one when path is empty.
func LoadCatalog(path string) (*Catalog, error) {
	if path == "" {
		return DefaultCatalog()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return ParseCatalog(path, b)
}

// The fixed vocabulary the compiler knows: filterable fields and values of
// each source. Identifiers in SQL come only from here.
var (
	filterFields = map[string]map[string]string{
		"contacts": {"channel": "channel", "outcome": "toString(outcome)", "motive": "motive", "team": "team", "source": "toString(source)",
			"asked_agent": "if(asked_agent = 1, 'true', 'false')", "segment": "segment"},
		"cases":   {"kind": "kind", "channel": "channel", "source": "toString(source)", "segment": "segment"},
		"surveys": {"channel": "channel", "survey": "survey", "mode": "toString(mode)", "scale": "toString(scale)", "source": "toString(source)"},
	}
	valueFields = map[string]map[string]bool{
		"contacts": {"wait_seconds": true, "wait_minutes": true, "abandon_seconds": true, "handling_seconds": true},
		"cases":    {"calendar_days": true, "working_days": true, "calendar_days_net": true, "ack_days": true, "days_over_announced": true},
		"surveys":  {},
	}
	units      = map[string]bool{"percent": true, "minutes": true, "seconds": true, "days": true, "working_days": true, "points": true, "score": true, "count": true, "per_100": true, "handoffs": true}
	directions = map[string]bool{"higher": true, "lower": true}
)

// spec is one entry of a catalog file as written: the measure's parameters
// are flat fields, of which each measure takes its own (measureKinds).
type spec struct {
	ID         string     `yaml:"id"`
	Title      Text       `yaml:"title"`
	Commitment Text       `yaml:"commitment"`
	Source     string     `yaml:"source"`
	Filter     Filter     `yaml:"filter"`
	Measure    string     `yaml:"measure"`
	Value      string     `yaml:"value"`
	Threshold  *float64   `yaml:"threshold"`
	Numerator  Filter     `yaml:"numerator"`
	Exclude    *Exclusion `yaml:"exclude"`
	Quantile   float64    `yaml:"quantile"`
	Dimension  string     `yaml:"dimension"`
	WindowH    int        `yaml:"window_hours"`
	ToChannels []string   `yaml:"to_channels"`
	LeftOut    []string   `yaml:"left_out"`
	Unit       string     `yaml:"unit"`
	Direction  string     `yaml:"direction"`
	MinSample  int        `yaml:"min_sample"`
	Published  bool       `yaml:"published"`
	Version    int        `yaml:"version"`
	Since      string     `yaml:"since"`
	OpenHours  bool       `yaml:"opening_hours"`
}

// set tells which of the optional measure fields an entry sets.
func (s *spec) set() map[string]bool {
	return map[string]bool{"value": s.Value != "", "threshold": s.Threshold != nil, "numerator": len(s.Numerator) > 0,
		"quantile": s.Quantile != 0, "dimension": s.Dimension != "", "window_hours": s.WindowH != 0, "left_out": len(s.LeftOut) > 0,
		"to_channels": len(s.ToChannels) > 0}
}

// catalogError is one problem, with where it is.
type catalogError struct {
	path  string // YAML path, e.g. $.indicators[3].measure
	field string
	msg   string
}

// checker collects the problems of one catalog entry.
type checker struct {
	i    int
	errs *[]catalogError
}

func (c *checker) add(field, format string, args ...any) {
	p := fmt.Sprintf("$.indicators[%d]", c.i)
	if field != "" {
		p += "." + field
	}
	*c.errs = append(*c.errs, catalogError{path: p, field: field, msg: fmt.Sprintf(format, args...)})
}

// filter checks that a filter names fields of the source, each with values.
func (c *checker) filter(s *spec, field string, f Filter) {
	fields := filterFields[s.Source]
	for k, vals := range f {
		if _, ok := fields[k]; !ok {
			c.add(field, "cannot filter %s on %q (known: %s)", s.Source, k, keysOf(fields))
		}
		if len(vals) == 0 {
			c.add(field+"."+k, "empty list")
		}
	}
}

// ParseCatalog decodes and validates a catalog; every error names the file,
// the line and the field.
func ParseCatalog(name string, b []byte) (*Catalog, error) {
	var file struct {
		Indicators []*spec `yaml:"indicators"`
	}
	if err := yaml.UnmarshalWithOptions(b, &file, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return nil, fmt.Errorf("catalog %s: %s", name, yaml.FormatError(err, false, true))
	}
	var errs []catalogError
	if len(file.Indicators) == 0 {
		errs = append(errs, catalogError{path: "$", msg: "no indicators"})
	}
	c := &Catalog{byID: map[string]*Definition{}}
	for i, s := range file.Indicators {
		ck := &checker{i: i, errs: &errs}
		if s == nil {
			ck.add("", "empty definition")
			continue
		}
		_, dup := c.byID[s.ID]
		switch {
		case s.ID == "":
			ck.add("id", "required")
		case dup:
			ck.add("id", "duplicate id %q", s.ID)
		}
		if d := ck.definition(s); d != nil {
			if s.ID != "" && !dup {
				c.byID[s.ID] = d
			}
			c.Indicators = append(c.Indicators, d)
		}
	}
	if len(errs) > 0 {
		return nil, positioned(name, b, errs)
	}
	return c, nil
}

// definition checks one entry and makes its definition (nil when its
// source is unknown: nothing else can be checked).
func (c *checker) definition(s *spec) *Definition {
	if s.Title.FR == "" || s.Title.EN == "" {
		c.add("title", "fr and en are required")
	}
	if s.Published && (s.Commitment.FR == "" || s.Commitment.EN == "") {
		c.add("commitment", "a published indicator needs its public wording in fr and en")
	}
	if _, ok := filterFields[s.Source]; !ok {
		c.add("source", "%q is not contacts, cases or surveys", s.Source)
		return nil
	}
	c.filter(s, "filter", s.Filter)
	d := &Definition{ID: s.ID, Title: s.Title, Commitment: s.Commitment, Source: s.Source, Filter: s.Filter, Exclude: s.Exclude,
		Unit: s.Unit, Direction: s.Direction, MinSample: s.MinSample, Published: s.Published, OpeningHours: s.OpenHours}
	d.Version, d.Since = c.version(s)
	kind, ok := measureKinds[s.Measure]
	if ok {
		d.Measure = kind.make(s, c)
		set := s.set()
		for _, f := range kind.uses {
			delete(set, f)
		}
		for _, f := range sortedKeys(set) {
			if set[f] {
				c.add(f, "only used by measure %s", usersOf(f))
			}
		}
	} else {
		c.add("measure", "%q is not one of %s", s.Measure, keysOf(measureKinds))
	}
	if ex := s.Exclude; ex != nil {
		c.filter(s, "exclude.filter", ex.Filter)
		if ex.Value != "" && !valueFields[s.Source][ex.Value] {
			c.add("exclude.value", "%q is not a value of %s", ex.Value, s.Source)
		}
		if ex.Value == "" && ex.Below != 0 {
			c.add("exclude.below", "needs exclude.value")
		}
	}
	if s.OpenHours {
		if _, pooled := d.Measure.(pooled); s.Source != "contacts" || !pooled {
			c.add("opening_hours", "only for contacts, with a measure other than repeat_contact")
		}
	}
	if !units[s.Unit] {
		c.add("unit", "%q is not one of %s", s.Unit, keysOf(units))
	}
	if !directions[s.Direction] {
		c.add("direction", "%q is not higher or lower", s.Direction)
	}
	if s.MinSample < 0 {
		c.add("min_sample", "must not be negative")
	}
	return d
}

// version checks an entry's version and the date it took effect: version
// 1 (the default) is from the beginning; a later one needs its since.
func (c *checker) version(s *spec) (int, time.Time) {
	v := s.Version
	switch {
	case v == 0:
		v = 1
	case v < 0:
		c.add("version", "must be 1 or more")
		v = 1
	}
	if s.Since == "" {
		if v > 1 {
			c.add("version", "version %d needs since: the date it took effect (YYYY-MM-DD)", v)
		}
		return v, time.Time{}
	}
	if v == 1 {
		c.add("since", "version 1 is the first definition, in force from the beginning: a since needs version 2 or more")
		return v, time.Time{}
	}
	since, err := time.Parse(time.DateOnly, s.Since)
	if err != nil || since.Year() < 2000 || since.Year() > 2100 {
		c.add("since", "%q is not a date YYYY-MM-DD between 2000 and 2100", s.Since)
		return v, time.Time{}
	}
	return v, since
}

// usersOf names the measures that take an optional field.
func usersOf(field string) string {
	var out []string
	for _, name := range sortedKeys(measureKinds) {
		for _, f := range measureKinds[name].uses {
			if f == field {
				out = append(out, name)
			}
		}
	}
	return strings.Join(out, ", ")
}

// positioned turns path errors into "file:line: field: message" lines.
func positioned(name string, b []byte, errs []catalogError) error {
	file, perr := parser.ParseBytes(b, 0)
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		line := 0
		if perr == nil {
			// The field itself, else the indicator it belongs to.
			for _, p := range []string{e.path, e.path[:max(strings.LastIndex(e.path, "]")+1, 1)]} {
				if yp, err := yaml.PathString(p); err == nil {
					if n, err := yp.FilterFile(file); err == nil && n != nil {
						line = n.GetToken().Position.Line
						break
					}
				}
			}
		}
		field := e.field
		if field == "" {
			field = "indicator"
		}
		lines = append(lines, fmt.Sprintf("%s:%d: %s: %s", name, line, field, e.msg))
	}
	return fmt.Errorf("catalog %s: %d error(s):\n%s", name, len(errs), strings.Join(lines, "\n"))
}

func keysOf[V any](m map[string]V) string { return strings.Join(sortedKeys(m), ", ") }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
