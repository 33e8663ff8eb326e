// Package indicators is the indicator engine: the catalog of the charter's
// commitments and management indicators, its compiler to ClickHouse SQL,
// periods, targets, evaluation against targets and the closing of periods.
package indicators

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Text is a wording in French and English.
type Text struct {
	FR string `yaml:"fr"`
	EN string `yaml:"en"`
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
	ID         string `yaml:"id"`
	Title      Text   `yaml:"title"`
	Commitment Text   `yaml:"commitment"` // the public wording, for published indicators
	Source     string `yaml:"source"`     // contacts, cases or surveys
	Filter     Filter `yaml:"filter"`     // the population
	// Measure is share (of the population whose Value is within
	// Threshold), ratio (Numerator ÷ population), mean, quantile (exact,
	// nearest rank), count, top_box (satisfied share), mean_score, nps, or
	// repeat_contact.
	Measure   string     `yaml:"measure"`
	Value     string     `yaml:"value"`     // share, mean, quantile: a value of the source
	Threshold *float64   `yaml:"threshold"` // share: "within Threshold" means ≤ Threshold
	Numerator Filter     `yaml:"numerator"` // ratio
	Exclude   *Exclusion `yaml:"exclude"`   // drops records from the population
	Quantile  float64    `yaml:"quantile"`  // quantile: p in (0, 1)
	Dimension string     `yaml:"dimension"` // top_box, mean_score, nps: the score dimension
	WindowH   int        `yaml:"window_hours"`
	Unit      string     `yaml:"unit"`      // percent, minutes, seconds, days, working_days, points, score, count
	Direction string     `yaml:"direction"` // higher or lower is better
	MinSample int        `yaml:"min_sample"`
	Published bool       `yaml:"published"`
}

// IsProportion tells whether the value is a share of a population, which
// carries a Wilson interval.
func (d *Definition) IsProportion() bool {
	switch d.Measure {
	case "share", "ratio", "top_box", "repeat_contact":
		return true
	}
	return false
}

// Catalog is a validated list of definitions.
type Catalog struct {
	Indicators []*Definition `yaml:"indicators"`
	byID       map[string]*Definition
}

// Get returns a definition by id.
func (c *Catalog) Get(id string) (*Definition, bool) {
	d, ok := c.byID[id]
	return d, ok
}

// IDs lists the indicator ids in catalog order.
func (c *Catalog) IDs() []string {
	out := make([]string, len(c.Indicators))
	for i, d := range c.Indicators {
		out[i] = d.ID
	}
	return out
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
		"contacts": {"channel": "channel", "outcome": "toString(outcome)", "motive": "motive", "team": "team", "source": "toString(source)"},
		"cases":    {"kind": "kind", "channel": "channel", "source": "toString(source)"},
		"surveys":  {"channel": "channel", "survey": "survey", "mode": "toString(mode)", "scale": "toString(scale)", "source": "toString(source)"},
	}
	valueFields = map[string]map[string]bool{
		"contacts": {"wait_seconds": true, "wait_minutes": true, "abandon_seconds": true, "handling_seconds": true},
		"cases":    {"calendar_days": true, "working_days": true},
		"surveys":  {},
	}
	measures   = map[string]bool{"share": true, "ratio": true, "mean": true, "quantile": true, "count": true, "top_box": true, "mean_score": true, "nps": true, "repeat_contact": true}
	units      = map[string]bool{"percent": true, "minutes": true, "seconds": true, "days": true, "working_days": true, "points": true, "score": true, "count": true}
	directions = map[string]bool{"higher": true, "lower": true}
)

// catalogError is one problem, with where it is.
type catalogError struct {
	path  string // YAML path, e.g. $.indicators[3].measure
	field string
	msg   string
}

// ParseCatalog decodes and validates a catalog; every error names the file,
// the line and the field.
func ParseCatalog(name string, b []byte) (*Catalog, error) {
	var c Catalog
	if err := yaml.UnmarshalWithOptions(b, &c, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return nil, fmt.Errorf("catalog %s: %s", name, yaml.FormatError(err, false, true))
	}
	var errs []catalogError
	add := func(i int, field, format string, args ...any) {
		p := fmt.Sprintf("$.indicators[%d]", i)
		if field != "" {
			p += "." + field
		}
		errs = append(errs, catalogError{path: p, field: field, msg: fmt.Sprintf(format, args...)})
	}
	if len(c.Indicators) == 0 {
		errs = append(errs, catalogError{path: "$", msg: "no indicators"})
	}
	c.byID = map[string]*Definition{}
	for i, d := range c.Indicators {
		if d == nil {
			add(i, "", "empty definition")
			continue
		}
		if d.ID == "" {
			add(i, "id", "required")
		} else if _, dup := c.byID[d.ID]; dup {
			add(i, "id", "duplicate id %q", d.ID)
		} else {
			c.byID[d.ID] = d
		}
		if d.Title.FR == "" || d.Title.EN == "" {
			add(i, "title", "fr and en are required")
		}
		if d.Published && (d.Commitment.FR == "" || d.Commitment.EN == "") {
			add(i, "commitment", "a published indicator needs its public wording in fr and en")
		}
		fields, ok := filterFields[d.Source]
		if !ok {
			add(i, "source", "%q is not contacts, cases or surveys", d.Source)
			continue
		}
		checkFilter := func(field string, f Filter) {
			for k, vals := range f {
				if _, ok := fields[k]; !ok {
					add(i, field, "cannot filter %s on %q (known: %s)", d.Source, k, keysOf(fields))
				}
				if len(vals) == 0 {
					add(i, field+"."+k, "empty list")
				}
			}
		}
		checkFilter("filter", d.Filter)
		if !measures[d.Measure] {
			add(i, "measure", "%q is not one of %s", d.Measure, keysOf(measures))
		}
		needValue := d.Measure == "share" || d.Measure == "mean" || d.Measure == "quantile"
		switch {
		case needValue && !valueFields[d.Source][d.Value]:
			add(i, "value", "%q is not a value of %s (known: %s)", d.Value, d.Source, keysOf(valueFields[d.Source]))
		case !needValue && d.Value != "":
			add(i, "value", "not used by measure %s", d.Measure)
		}
		if (d.Measure == "share") != (d.Threshold != nil) {
			add(i, "threshold", "a threshold is required by share and only by share")
		}
		if (d.Measure == "ratio") != (len(d.Numerator) > 0) {
			add(i, "numerator", "a numerator is required by ratio and only by ratio")
		}
		checkFilter("numerator", d.Numerator)
		if d.Exclude != nil {
			checkFilter("exclude.filter", d.Exclude.Filter)
			if d.Exclude.Value != "" && !valueFields[d.Source][d.Exclude.Value] {
				add(i, "exclude.value", "%q is not a value of %s", d.Exclude.Value, d.Source)
			}
		}
		if d.Measure == "quantile" && (d.Quantile <= 0 || d.Quantile >= 1) {
			add(i, "quantile", "must be between 0 and 1 (e.g. 0.9)")
		}
		if d.Measure != "quantile" && d.Quantile != 0 {
			add(i, "quantile", "only used by measure quantile")
		}
		if ex := d.Exclude; ex != nil && ex.Value == "" && ex.Below != 0 {
			add(i, "exclude.below", "needs exclude.value")
		}
		if d.Measure == "mean_score" && len(d.Filter["scale"]) != 1 {
			add(i, "filter", "mean_score needs a filter on one scale (a mean of 1–4, 1–5 and 0–10 answers means nothing)")
		}
		sat := d.Measure == "top_box" || d.Measure == "mean_score" || d.Measure == "nps"
		if sat && d.Source != "surveys" {
			add(i, "measure", "%s needs source surveys", d.Measure)
		}
		if sat != (d.Dimension != "") {
			add(i, "dimension", "a dimension is required by top_box, mean_score and nps, and only by them")
		}
		if d.Measure == "repeat_contact" {
			if d.Source != "contacts" {
				add(i, "source", "repeat_contact needs source contacts")
			}
			if d.WindowH <= 0 {
				add(i, "window_hours", "required by repeat_contact (e.g. 168)")
			}
		} else if d.WindowH != 0 {
			add(i, "window_hours", "only used by repeat_contact")
		}
		if !units[d.Unit] {
			add(i, "unit", "%q is not one of %s", d.Unit, keysOf(units))
		}
		if !directions[d.Direction] {
			add(i, "direction", "%q is not higher or lower", d.Direction)
		}
		if d.MinSample < 0 {
			add(i, "min_sample", "must not be negative")
		}
	}
	if len(errs) > 0 {
		return nil, positioned(name, b, errs)
	}
	return &c, nil
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

func keysOf[V any](m map[string]V) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
