package indicators

import (
	"fmt"
	"strings"

	"globaloffice/model"
)

// Satisfaction results (top_box, mean_score, nps) carry how many responses
// they counted and how the answers spread over the levels of their scales:
// a top box of 80% reads differently when the others answered 3 or 1.

// Distribution is how many answers each level of one scale got, for the
// indicator's dimension.
type Distribution struct {
	Scale string `json:"scale" enum:"1-4,1-5,0-10"`
	// Counts are the answers at each level, from the scale's lowest (1,
	// or 0 on 0–10).
	Counts []uint64 `json:"counts" doc:"answers at each level of the scale, from its lowest (1, or 0 on 0-10)"`
}

// scored is a satisfaction measure: it reads the scores of one dimension,
// each on its own scale.
type scored interface {
	dimension() string
}

func (m TopBox) dimension() string    { return m.Dimension }
func (m MeanScore) dimension() string { return m.Dimension }
func (m NPS) dimension() string       { return m.Dimension }

// levels lists every (scale, level) in model.Scales order: the slots of
// a distribution as the query returns it.
var levels = func() (out []struct {
	scale model.Scale
	level int
}) {
	for _, sc := range model.Scales {
		lo, hi := sc.Bounds()
		for l := lo; l <= hi; l++ {
			out = append(out, struct {
				scale model.Scale
				level int
			}{sc, l})
		}
	}
	return out
}()

// distributionSQL are the aggregates of a satisfaction measure after its
// value's: the answers per level of each scale (one count per slot of
// levels; no lambda, which 18.16 fails to resolve over a table's
// subquery) and the distinct responses counted.
func distributionSQL() string {
	counts := make([]string, len(levels))
	for i, l := range levels {
		counts[i] = fmt.Sprintf("countIf(sc = '%s' AND s = %d)", l.scale, l.level)
	}
	return "[" + strings.Join(counts, ", ") + "] AS dist, toUInt64(uniqExact(rsrc, rid)) AS resp"
}

// distribution turns the counts of every slot into the scales answered.
func distribution(counts []uint64) []Distribution {
	var out []Distribution
	for i := 0; i < len(levels) && i < len(counts); {
		sc := levels[i].scale
		lo, hi := sc.Bounds()
		n := hi - lo + 1
		if i+n > len(counts) {
			break
		}
		part := counts[i : i+n]
		for _, c := range part {
			if c > 0 {
				out = append(out, Distribution{Scale: string(sc), Counts: append([]uint64(nil), part...)})
				break
			}
		}
		i += n
	}
	return out
}

// distributionColumns is a distribution as the results table holds it:
// parallel arrays of (scale, level, count), every level of each scale
// answered.
type distributionColumns struct {
	scales []string
	levels []int8
	counts []uint64
}

func storedDistribution(ds []Distribution) distributionColumns {
	c := distributionColumns{scales: []string{}, levels: []int8{}, counts: []uint64{}}
	for _, d := range ds {
		lo, _ := model.Scale(d.Scale).Bounds()
		for i, n := range d.Counts {
			c.scales = append(c.scales, d.Scale)
			c.levels = append(c.levels, int8(lo+i))
			c.counts = append(c.counts, n)
		}
	}
	return c
}

func (c distributionColumns) distribution() []Distribution {
	var out []Distribution
	for i, sc := range c.scales {
		if i >= len(c.levels) || i >= len(c.counts) {
			break
		}
		if len(out) == 0 || out[len(out)-1].Scale != sc {
			out = append(out, Distribution{Scale: sc})
		}
		d := &out[len(out)-1]
		lo, _ := model.Scale(sc).Bounds()
		for len(d.Counts) <= int(c.levels[i])-lo {
			d.Counts = append(d.Counts, 0)
		}
		d.Counts[int(c.levels[i])-lo] = c.counts[i]
	}
	return out
}
