package indicators

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Measure is what an indicator computes over its population. Each measure
// is one type below holding its own parameters, and each knows how it is
// checked, compiled to SQL, turned into a value and projected over the rest
// of the year: a new measure is one type here and one line in measureKinds.
type Measure interface {
	// Name is the measure's name in the catalog (share, ratio, …).
	Name() string
	// Proportion tells whether the value is a percentage of the
	// population, which carries a Wilson interval.
	Proportion() bool
	// compile builds the query over the given periods.
	compile(b *builder, periods []Period) (Compiled, error)
	// value turns an aggregate with a non-zero denominator into the value
	// in the indicator's unit, with the numerator and denominator where
	// they mean something.
	value(a agg) (v, num, den *float64)
	// pace is the factor from num/den to the value for pooled ratios and
	// means, whose rest of year can be projected (see required); 0 for
	// the others.
	pace() float64
	// describe states the measure in words over the population pop, in
	// French or English (describe.go).
	describe(lang, pop string) string
}

// pooled is a measure aggregated in one pass over its population's rows
// (every measure but repeat_contact): the compiler builds the population
// and the scopes, the measure adds its own columns and aggregate.
type pooled interface {
	Measure
	// reads is the source value the measure reads ("" for none).
	reads() string
	// columns are the measure's own columns and conditions on the
	// population.
	columns(b *builder) (sel, where []string)
	// carried lists those columns as kept through the sites join.
	carried() string
	// aggregate computes num, den and q (Float64) by scope.
	aggregate(b *builder) string
}

// Share is the percentage of the population whose Value is within
// Threshold ("within N" means ≤ N).
type Share struct {
	Value     string
	Threshold float64
}

// Ratio is the percentage of the population matching Numerator.
type Ratio struct{ Numerator Filter }

// Mean is the mean of Value over the population.
type Mean struct{ Value string }

// Quantile is the exact nearest-rank P-quantile of Value: the smallest value
// with at least P of the values at or below it.
type Quantile struct {
	Value string
	P     float64
}

// Count is the number of records of the population.
type Count struct{}

// TopBox is the percentage of responses satisfied on Dimension: 4 or 5 on
// 1–5, 3 or 4 on 1–4, 8 to 10 on 0–10, each score on its own scale.
type TopBox struct{ Dimension string }

// MeanScore is the mean score on Dimension, on one scale.
type MeanScore struct{ Dimension string }

// NPS is the net promoter score on Dimension: % of 9–10 minus % of 0–6,
// scores on 0–10 only (the score's own scale, whatever the response's),
// in points.
type NPS struct{ Dimension string }

// RepeatContact is the percentage of the population's contacts followed by
// another contact of the same user, on any channel, strictly later and at
// most WindowHours after it.
type RepeatContact struct{ WindowHours int }

func (Share) Name() string         { return "share" }
func (Ratio) Name() string         { return "ratio" }
func (Mean) Name() string          { return "mean" }
func (Quantile) Name() string      { return "quantile" }
func (Count) Name() string         { return "count" }
func (TopBox) Name() string        { return "top_box" }
func (MeanScore) Name() string     { return "mean_score" }
func (NPS) Name() string           { return "nps" }
func (RepeatContact) Name() string { return "repeat_contact" }

func (Share) Proportion() bool         { return true }
func (Ratio) Proportion() bool         { return true }
func (Mean) Proportion() bool          { return false }
func (Quantile) Proportion() bool      { return false }
func (Count) Proportion() bool         { return false }
func (TopBox) Proportion() bool        { return true }
func (MeanScore) Proportion() bool     { return false }
func (NPS) Proportion() bool           { return false }
func (RepeatContact) Proportion() bool { return true }

// Values, from the aggregates.

func percent(a agg) (v, num, den *float64) { return ptr(100 * a.num / a.den), ptr(a.num), ptr(a.den) }
func mean(a agg) (v, num, den *float64)    { return ptr(a.num / a.den), ptr(a.num), ptr(a.den) }
func ptr(x float64) *float64               { return &x }

func (Share) value(a agg) (v, num, den *float64)         { return percent(a) }
func (Ratio) value(a agg) (v, num, den *float64)         { return percent(a) }
func (Mean) value(a agg) (v, num, den *float64)          { return mean(a) }
func (Quantile) value(a agg) (v, num, den *float64)      { return ptr(a.q), nil, nil }
func (Count) value(a agg) (v, num, den *float64)         { return ptr(a.den), nil, nil }
func (TopBox) value(a agg) (v, num, den *float64)        { return percent(a) }
func (MeanScore) value(a agg) (v, num, den *float64)     { return mean(a) }
func (NPS) value(a agg) (v, num, den *float64)           { return percent(a) }
func (RepeatContact) value(a agg) (v, num, den *float64) { return percent(a) }

func (Share) pace() float64         { return 100 }
func (Ratio) pace() float64         { return 100 }
func (Mean) pace() float64          { return 1 }
func (Quantile) pace() float64      { return 0 }
func (Count) pace() float64         { return 0 }
func (TopBox) pace() float64        { return 100 }
func (MeanScore) pace() float64     { return 1 }
func (NPS) pace() float64           { return 0 }
func (RepeatContact) pace() float64 { return 100 }

// SQL: every pooled measure goes through builder.simple; repeat_contact
// has a query of its own.

func (m Share) compile(b *builder, ps []Period) (Compiled, error)     { return b.simple(ps, m) }
func (m Ratio) compile(b *builder, ps []Period) (Compiled, error)     { return b.simple(ps, m) }
func (m Mean) compile(b *builder, ps []Period) (Compiled, error)      { return b.simple(ps, m) }
func (m Quantile) compile(b *builder, ps []Period) (Compiled, error)  { return b.simple(ps, m) }
func (m Count) compile(b *builder, ps []Period) (Compiled, error)     { return b.simple(ps, m) }
func (m TopBox) compile(b *builder, ps []Period) (Compiled, error)    { return b.simple(ps, m) }
func (m MeanScore) compile(b *builder, ps []Period) (Compiled, error) { return b.simple(ps, m) }
func (m NPS) compile(b *builder, ps []Period) (Compiled, error)       { return b.simple(ps, m) }
func (m RepeatContact) compile(b *builder, ps []Period) (Compiled, error) {
	return b.repeat(ps, m)
}

func (m Share) reads() string    { return m.Value }
func (Ratio) reads() string      { return "" }
func (m Mean) reads() string     { return m.Value }
func (m Quantile) reads() string { return m.Value }
func (Count) reads() string      { return "" }
func (TopBox) reads() string     { return "" }
func (MeanScore) reads() string  { return "" }
func (NPS) reads() string        { return "" }

func (Share) columns(*builder) (sel, where []string) { return nil, nil }
func (m Ratio) columns(b *builder) (sel, where []string) {
	return []string{"toUInt8(" + strings.Join(b.filter(m.Numerator), " AND ") + ") AS isnum"}, nil
}
func (Mean) columns(*builder) (sel, where []string)     { return nil, nil }
func (Quantile) columns(*builder) (sel, where []string) { return nil, nil }
func (Count) columns(*builder) (sel, where []string)    { return nil, nil }
func (m TopBox) columns(b *builder) (sel, where []string) {
	return scoreColumns(b, m.Dimension)
}
func (m MeanScore) columns(b *builder) (sel, where []string) {
	return scoreColumns(b, m.Dimension)
}
func (m NPS) columns(b *builder) (sel, where []string) {
	sel, where = scoreColumns(b, m.Dimension)
	return sel, append(where, scoreScale(b, m.Dimension)+" = '0-10'")
}

// scoreColumns reads the score s of a dimension and its own scale sc, of
// the responses that have it, and the response's key (rsrc, rid) for the
// respondents.
func scoreColumns(b *builder, dimension string) (sel, where []string) {
	sel = []string{"toInt64(arrayElement(scores, indexOf(dimensions, " + b.bind(dimension) + "))) AS s", scoreScale(b, dimension) + " AS sc", "source AS rsrc", "id AS rid"}
	where = []string{"has(dimensions, " + b.bind(dimension) + ")"}
	return sel, where
}

// scoreScale is the scale of a dimension's score: its own (scales, where
// responses stored before hold the response's scale); ” for a response
// without that score (an Enum8 has no value for the missing element, and
// a condition is evaluated on every row, has(dimensions, …) or not).
func scoreScale(b *builder, dimension string) string {
	return "arrayElement(arrayMap(v -> toString(v), scales), indexOf(dimensions, " + b.bind(dimension) + "))"
}

func (Share) carried() string     { return "" }
func (Ratio) carried() string     { return "isnum" }
func (Mean) carried() string      { return "" }
func (Quantile) carried() string  { return "" }
func (Count) carried() string     { return "" }
func (TopBox) carried() string    { return "s, sc, rsrc, rid" }
func (MeanScore) carried() string { return "s, sc, rsrc, rid" }
func (NPS) carried() string       { return "s, sc, rsrc, rid" }

func (m Share) aggregate(b *builder) string {
	return fmt.Sprintf("toFloat64(countIf(v <= %s)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q", b.bind(m.Threshold))
}
func (Ratio) aggregate(*builder) string {
	return "toFloat64(sum(isnum)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q"
}
func (Mean) aggregate(*builder) string {
	return "toFloat64(sum(v)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q"
}

// aggregate of a quantile is exact nearest rank: the ⌈p·n⌉-th value in
// ascending order (see quantileSQL).
func (m Quantile) aggregate(b *builder) string {
	return "toFloat64(0) AS num, toFloat64(count()) AS den, " + quantileSQL(m.P, "toFloat64(v)", "") + " AS q"
}

// quantileSQL is the SQL of the exact nearest-rank p-quantile of the
// values x (Float64) of a group's rows, those where cond holds when cond
// is not empty: the ⌈p·n⌉-th value in ascending order, 0 when there is
// none. p is taken in millionths (at least 1, so that the rank is at least
// 1 for any p > 0).
//
// ClickHouse's quantileExact(l) is the value at 0-based index ⌊l·n⌋ of the
// ascending values (found by nth_element, not a whole sort: a month's
// pooled contacts query 0.77 → 0.41 s of CPU against sorting the rollup's
// arrays). Over -x with l = 1 - p that index is ⌊n - p·n⌋ = n - ⌈p·n⌉: the
// ⌈p·n⌉-th value of x in ascending order. The level is written as the
// smallest double not below 1 - p (quantileLevel), so that l·n never falls
// under an integer it should reach; above one it is at least a millionth
// short of the next, far more than the double's error for any n under 2³¹.
func quantileSQL(p float64, x, cond string) string {
	level := quantileLevel(max(1, int64(p*1e6+0.5)))
	if cond == "" {
		return fmt.Sprintf("toFloat64(if(count() = 0, 0, 0 - quantileExact(%s)(-%s)))", level, x)
	}
	return fmt.Sprintf("toFloat64(if(countIf(%s) = 0, 0, 0 - quantileExactIf(%s)(-%s, %s)))", cond, level, x, cond)
}

// quantileLevel renders the smallest double not below 1 - p/10⁶ (p in
// millionths, 1 ≤ p ≤ 10⁶), as a literal: ClickHouse takes an aggregate's
// parameters as literals only.
func quantileLevel(p int64) string {
	want := big.NewRat(1e6-p, 1e6)
	l := float64(1e6-p) / 1e6
	for new(big.Rat).SetFloat64(l).Cmp(want) < 0 {
		l = math.Nextafter(l, 2)
	}
	return strconv.FormatFloat(l, 'g', -1, 64)
}

func (Count) aggregate(*builder) string {
	return "toFloat64(count()) AS num, toFloat64(count()) AS den, toFloat64(0) AS q"
}
func (TopBox) aggregate(*builder) string {
	return "toFloat64(countIf(s >= multiIf(sc = '1-5', 4, sc = '1-4', 3, 8))) AS num, toFloat64(count()) AS den, toFloat64(0) AS q, " + distributionSQL()
}
func (MeanScore) aggregate(*builder) string {
	return "toFloat64(sum(s)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q, " + distributionSQL()
}
func (NPS) aggregate(*builder) string {
	return "toFloat64(countIf(s >= 9)) - toFloat64(countIf(s <= 6)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q, " + distributionSQL()
}

// measureKinds makes each measure from a catalog entry. uses lists the
// optional fields of the entry the measure takes; setting another one is
// an error.
var measureKinds = map[string]struct {
	uses []string
	make func(s *spec, c *checker) Measure
}{
	"share": {[]string{"value", "threshold"}, func(s *spec, c *checker) Measure {
		m := Share{Value: c.value(s)}
		if s.Threshold == nil {
			c.add("threshold", "required by measure share")
		} else {
			m.Threshold = *s.Threshold
		}
		return m
	}},
	"ratio": {[]string{"numerator"}, func(s *spec, c *checker) Measure {
		if len(s.Numerator) == 0 {
			c.add("numerator", "required by measure ratio")
		}
		c.filter(s, "numerator", s.Numerator)
		return Ratio{Numerator: s.Numerator}
	}},
	"mean": {[]string{"value"}, func(s *spec, c *checker) Measure { return Mean{Value: c.value(s)} }},
	"quantile": {[]string{"value", "quantile"}, func(s *spec, c *checker) Measure {
		if s.Quantile <= 0 || s.Quantile >= 1 {
			c.add("quantile", "must be between 0 and 1 (e.g. 0.9)")
		}
		return Quantile{Value: c.value(s), P: s.Quantile}
	}},
	"count": {nil, func(*spec, *checker) Measure { return Count{} }},
	"top_box": {[]string{"dimension"}, func(s *spec, c *checker) Measure {
		return TopBox{Dimension: c.dimension(s)}
	}},
	"mean_score": {[]string{"dimension"}, func(s *spec, c *checker) Measure {
		if len(s.Filter["scale"]) != 1 {
			c.add("filter", "mean_score needs a filter on one scale (a mean of 1–4, 1–5 and 0–10 answers means nothing)")
		}
		return MeanScore{Dimension: c.dimension(s)}
	}},
	"nps": {[]string{"dimension"}, func(s *spec, c *checker) Measure { return NPS{Dimension: c.dimension(s)} }},
	"repeat_contact": {[]string{"window_hours"}, func(s *spec, c *checker) Measure {
		if s.Source != "contacts" {
			c.add("source", "repeat_contact needs source contacts")
		}
		if s.WindowH <= 0 {
			c.add("window_hours", "required by repeat_contact (e.g. 168)")
		}
		return RepeatContact{WindowHours: s.WindowH}
	}},
	"first_contact_resolution": {[]string{"window_hours"}, func(s *spec, c *checker) Measure {
		c.contactsWindow(s)
		return FirstContactResolution{WindowHours: s.WindowH}
	}},
	"channel_switch": {[]string{"window_hours", "to_channels"}, func(s *spec, c *checker) Measure {
		c.contactsWindow(s)
		if len(s.ToChannels) == 0 {
			c.add("to_channels", "required by channel_switch (the channels users switch to, e.g. [reception])")
		}
		return ChannelSwitch{WindowHours: s.WindowH, To: s.ToChannels}
	}},
	"chasing_share": {nil, func(s *spec, c *checker) Measure {
		if s.Source != "contacts" {
			c.add("source", "chasing_share needs source contacts")
		}
		return ChasingShare{}
	}},
	"chasing_per_100": {nil, func(s *spec, c *checker) Measure {
		if s.Source != "cases" {
			c.add("source", "chasing_per_100 needs source cases (the open cases chased)")
		}
		if s.Exclude != nil && s.Exclude.Value != "" {
			c.add("exclude.value", "chasing_per_100 excludes by filter only")
		}
		return ChasingRate{}
	}},
	"journey_share": {[]string{"threshold"}, func(s *spec, c *checker) Measure {
		c.journey(s)
		m := JourneyShare{}
		if s.Threshold == nil {
			c.add("threshold", "required by measure journey_share (calendar days)")
		} else {
			m.Threshold = *s.Threshold
		}
		return m
	}},
	"journey_handoffs": {nil, func(s *spec, c *checker) Measure {
		c.journey(s)
		return JourneyHandOffs{}
	}},
	"journey_quantile": {[]string{"quantile"}, func(s *spec, c *checker) Measure {
		c.journey(s)
		if s.Quantile <= 0 || s.Quantile >= 1 {
			c.add("quantile", "must be between 0 and 1 (e.g. 0.5)")
		}
		return JourneyQuantile{P: s.Quantile}
	}},
	"backlog_share": {[]string{"threshold", "left_out"}, func(s *spec, c *checker) Measure {
		m := BacklogShare{LeftOut: c.backlog(s)}
		if s.Threshold == nil {
			c.add("threshold", "required by measure backlog_share (working days)")
		} else {
			m.Threshold = *s.Threshold
		}
		return m
	}},
	"backlog_size":   {[]string{"left_out"}, func(s *spec, c *checker) Measure { return BacklogSize{LeftOut: c.backlog(s)} }},
	"backlog_oldest": {[]string{"left_out"}, func(s *spec, c *checker) Measure { return BacklogOldest{LeftOut: c.backlog(s)} }},
	"paused_share": {nil, func(s *spec, c *checker) Measure {
		if s.Source != "cases" {
			c.add("source", "paused_share needs source cases")
		}
		return PausedShare{}
	}},
}

// contactsWindow checks the source and window of a measure following
// contacts.
func (c *checker) contactsWindow(s *spec) {
	if s.Source != "contacts" {
		c.add("source", "%s needs source contacts", s.Measure)
	}
	if s.WindowH <= 0 {
		c.add("window_hours", "required by %s (e.g. 168)", s.Measure)
	}
}

// journey checks a journey measure's source and exclusion.
func (c *checker) journey(s *spec) {
	if s.Source != "cases" {
		c.add("source", "%s needs source cases (the completed cases that end the journeys)", s.Measure)
	}
	if s.Exclude != nil && s.Exclude.Value != "" {
		c.add("exclude.value", "%s excludes by filter only", s.Measure)
	}
}

// backlog checks a backlog measure's source and exclusion and reads its
// seasons.
func (c *checker) backlog(s *spec) Seasons {
	if s.Source != "cases" {
		c.add("source", "%s needs source cases", s.Measure)
	}
	if s.Exclude != nil && s.Exclude.Value != "" {
		c.add("exclude.value", "%s excludes by filter only (delays are of completed cases)", s.Measure)
	}
	var out Seasons
	for i, text := range s.LeftOut {
		season, err := ParseSeason(text)
		if err != nil {
			c.add(fmt.Sprintf("left_out[%d]", i), "%v", err)
			continue
		}
		out = append(out, season)
	}
	return out
}

// value checks the value a measure reads.
func (c *checker) value(s *spec) string {
	if !valueFields[s.Source][s.Value] {
		c.add("value", "%q is not a value of %s (known: %s)", s.Value, s.Source, keysOf(valueFields[s.Source]))
	}
	return s.Value
}

// dimension checks the score dimension of a satisfaction measure.
func (c *checker) dimension(s *spec) string {
	if s.Source != "surveys" {
		c.add("measure", "%s needs source surveys", s.Measure)
	}
	if s.Dimension == "" {
		c.add("dimension", "required by measure %s", s.Measure)
	}
	return s.Dimension
}
