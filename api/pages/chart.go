package pages

import (
	"math"
	"strconv"
	"strings"
)

// A site's commitment over its last quarters is drawn as a small inline
// SVG, server-side: bars for the values, a short line for each quarter's
// target, the quarter under each bar. The CSP forbids style attributes,
// so colours come from classes in the stylesheet. The chart is an image
// for assistive technology, whose label lists every value in words.

// chartPoint is one quarter of a chart, as computed.
type chartPoint struct {
	Label  string   // "T2 2026": the quarter, then the year under it
	Value  *float64 // nil: nothing published
	Text   string   // the value as written above its bar
	Target *float64
	Status string // indicators.Status*, for the bar's class
}

// chart is a drawn chart: coordinates as text, ready for the template.
type chart struct {
	Label    string // every value in words, for assistive technology
	Width    int
	Height   int
	Baseline string // y of the zero line
	Bars     []chartBar
}

type chartBar struct {
	X, Y, W, H     string // the bar, when HasValue
	HasValue       bool
	Text, TextY    string // the value, written above the bar
	Class          string // met, missed, none
	TX1, TX2, TY   string // the target segment, when HasTarget
	HasTarget      bool
	LabelX, LabelY string
	Label, Year    string // "T2", "2026"
	YearY          string
	EmptyY         string // where "—" is written when there is no value
}

// Chart geometry, in SVG user units.
const (
	chartW      = 200
	chartH      = 94
	chartTop    = 18.0 // room for the value above the highest bar
	chartBottom = 62.0
	chartLabelY = 77.0
	chartYearY  = 91.0
)

// drawChart lays out points: percent values on 0–100, other units from
// the lowest of zero and the values and targets to 15% above the highest,
// so that a negative net promoter score goes below the zero line.
func drawChart(label, unit string, pts []chartPoint) chart {
	lo, hi := 0.0, 100.0
	if unit != "percent" {
		hi = 0
		for _, p := range pts {
			for _, v := range []*float64{p.Value, p.Target} {
				if v != nil {
					lo, hi = math.Min(lo, *v), math.Max(hi, *v)
				}
			}
		}
		if hi > 0 {
			hi *= 1.15
		}
		if hi-lo < 1e-9 {
			hi = lo + 1
		}
	}
	y := func(v float64) float64 {
		v = math.Max(lo, math.Min(hi, v))
		return chartBottom - (v-lo)/(hi-lo)*(chartBottom-chartTop)
	}
	y0 := y(0)
	c := chart{Label: label, Width: chartW, Height: chartH, Baseline: coord(y0)}
	slot := float64(chartW) / float64(max(len(pts), 1))
	for i, p := range pts {
		x := float64(i) * slot
		b := chartBar{LabelX: coord(x + slot/2), LabelY: coord(chartLabelY), YearY: coord(chartYearY), EmptyY: coord(y0 - 3), Class: statusClass(p.Status)}
		b.Label, b.Year, _ = strings.Cut(p.Label, " ")
		if p.Value != nil {
			top, bottom := math.Min(y(*p.Value), y0), math.Max(y(*p.Value), y0)
			if bottom-top < 1 { // a zero still shows
				top = bottom - 1
			}
			b.HasValue = true
			b.X, b.W = coord(x+slot*0.2), coord(slot*0.6)
			b.Y, b.H = coord(top), coord(bottom-top)
			b.Text, b.TextY = p.Text, coord(top-3)
		}
		if p.Target != nil {
			b.HasTarget = true
			b.TX1, b.TX2, b.TY = coord(x+slot*0.08), coord(x+slot*0.92), coord(y(*p.Target))
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// coord writes a coordinate with one decimal, no trailing ".0".
func coord(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}
