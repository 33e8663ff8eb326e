package indicators

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The measures of contacts followed by other contacts of the same user:
// repeat contacts, and the journeys' first-contact resolution and channel
// switches (journey.go), all from one query shape. Each groups every
// contact of its periods by user — the costly part, about 0.4 s a month
// at 1.2 M users — so the engine computes the whole family in one query
// (CompileFollowed): one grouping by user, each contact with its motive
// (by user and motive when all are on one motive), one flag per
// definition.

// follow shapes a query of contacts followed by others (see followed).
type follow struct {
	windowHours int
	byMotive    bool     // followers on the same motive only
	to          []string // followers on these channels only; nil: any
	resolved    bool     // count the contacts no follower follows
}

// followShape is the shape of m when it is a measure of the family.
func followShape(m Measure) (follow, bool) {
	switch m := m.(type) {
	case RepeatContact:
		return follow{windowHours: m.WindowHours}, true
	case FirstContactResolution:
		return follow{windowHours: m.WindowHours, byMotive: true, resolved: true}, true
	case ChannelSwitch:
		return follow{windowHours: m.WindowHours, byMotive: true, to: m.To}, true
	}
	return follow{}, false
}

// repeat compiles repeat_contact: the share of the population's contacts
// (with a user reference) followed by another contact of the same user, on
// any channel, strictly later and at most window_hours after it. Followers
// may fall after the period, so each range is read window + 1 days longer.
func (b *builder) repeat(periods []Period, m RepeatContact) (Compiled, error) {
	return b.followed([]*Definition{b.d}, periods, false)
}

// maxPacked is the most definitions CompileFollowed and CompileJourneys
// take: their period keys are packed a byte each in a UInt64.
const maxPacked = 8

// CompileFollowed compiles the measures of the family (followShape) of
// defs together over the same periods: the rows of every compiled query,
// each led by ix UInt8, the 1-based index of its definition in defs.
func (c *Compiler) CompileFollowed(defs []*Definition, periods []Period, merged Parts, today time.Time) (Compiled, error) {
	if len(defs) == 0 || len(defs) > maxPacked {
		return Compiled{}, fmt.Errorf("followed measures: %d definitions", len(defs))
	}
	for _, d := range defs {
		if _, ok := followShape(d.Measure); !ok || d.Source != "contacts" {
			return Compiled{}, fmt.Errorf("indicator %s: not a measure of contacts followed by others", d.ID)
		}
	}
	b, err := c.builder(defs[0], periods, merged, today)
	if err != nil {
		return Compiled{}, err
	}
	return b.followed(defs, periods, true)
}

// followed compiles the measures of contacts followed by others of the
// same user within each definition's window (repeat contacts; first-contact
// resolution and channel switches, which follow the user on one motive: see
// follow): the contacts of the periods grouped by user, each with one
// period key per definition (0 outside its population), flagged for each
// definition whose population it is in, then counted by definition (the
// leading ix column when withIx), period and scope.
func (b *builder) followed(defs []*Definition, periods []Period, withIx bool) (Compiled, error) {
	shapes := make([]follow, len(defs))
	extend := 0
	onMotive := 0
	for i, d := range defs {
		shapes[i], _ = followShape(d.Measure)
		extend = max(extend, shapes[i].windowHours/24+2)
		if shapes[i].byMotive {
			onMotive++
		}
	}
	// By user and motive when every measure is on one motive: the contacts
	// with no motive are in none of their populations and follow none of
	// their contacts. With others, by user, each contact with its motive
	// (m, ms): one grouping for both kinds.
	mixed := onMotive > 0 && onMotive < len(defs)
	group, keep := "user_ref", []string{"user_ref != ''"}
	if onMotive == len(defs) {
		group, keep = userMotive, append(keep, "motive != ''")
	}
	pk := b.periodKey("arrived_date", periods)
	rng := b.ranges("arrived_date", periods, extend)
	sel := []string{"user_ref", "toInt64(arrived_at) AS t", "site", pk + " AS pk0"}
	if onMotive > 0 {
		sel = append(sel, "motive")
	}
	// Each contact's period keys (≤ 250: 8 bits) packed in one UInt64, a
	// byte per definition: an array of them per contact costs several
	// times the memory in the grouping.
	var keys, unpack, arrays, join, flags, conds []string
	params, args := []string{"u"}, []string{"ts"}
	withMotive := false
	for i, d := range defs {
		f := shapes[i]
		b.d = d
		first := "1"
		if mixed && f.byMotive {
			first = "motive != ''"
		}
		base := append([]string{first}, b.filter(d.Filter)...)
		if ex := d.Exclude; ex != nil {
			cond := b.filter(ex.Filter)
			if ex.Value != "" {
				cond = append(cond, fmt.Sprintf("ifNull((%s) < %s, 0)", valueSQL[ex.Value], b.bind(ex.Below)))
			}
			if len(cond) > 0 {
				base = append(base, "NOT ("+strings.Join(cond, " AND ")+")")
			}
		}
		keys = append(keys, fmt.Sprintf("bitShiftLeft(toUInt64(if(%s, pk0, 0)), %d)", strings.Join(base, " AND "), 8*i))
		unpack = append(unpack, fmt.Sprintf("toUInt8(bitAnd(bitShiftRight(kv, %d), 255))", 8*i))
		// The follower's condition over ts (ms, fs<i>) against the
		// contact's t (m): one bit of each follower's mask (see below),
		// one per distinct condition.
		cond := []string{"u > t", "u <= t + " + strconv.Itoa(3600*f.windowHours)}
		if mixed && f.byMotive {
			cond = append(cond, "mm = m")
			withMotive = true
		}
		if len(f.to) > 0 {
			g := fmt.Sprintf("g%d", i+1)
			sel = append(sel, fmt.Sprintf("toUInt8(channel IN %s) AS is%d", b.set(f.to), i+1))
			arrays = append(arrays, fmt.Sprintf("groupArray(is%d) AS fs%d", i+1, i+1))
			params, args = append(params, g), append(args, fmt.Sprintf("fs%d", i+1))
			cond = append(cond, g+" = 1")
		}
		c := strings.Join(cond, " AND ")
		bit := slices.Index(conds, c)
		if bit < 0 {
			bit, conds = len(conds), append(conds, c)
		}
		exists := fmt.Sprintf("arrayExists(v -> bitAnd(v, %d) != 0, fm)", uint64(1)<<bit)
		if f.resolved {
			exists = "NOT " + exists
		}
		flags = append(flags, "toUInt8("+exists+")")
	}
	// Each follower's mask of the conditions it meets, from one lambda:
	// ClickHouse copies the contact's columns a lambda reads (t, m) to the
	// length of the arrays for each lambda, and three lambdas on a month's
	// contacts took 0.9 s.
	if withMotive {
		params, args = append(params, "mm"), append(args, "ms")
	}
	var bits []string
	for k, c := range conds {
		bits = append(bits, fmt.Sprintf("toUInt64(%s) * %d", c, uint64(1)<<k))
	}
	mask := fmt.Sprintf("arrayMap((%s) -> %s, %s) AS fm", strings.Join(params, ", "), strings.Join(bits, " + "), strings.Join(args, ", "))
	sel = append(sel, strings.Join(keys, " + ")+" AS kv")
	rows := b.read(sel, rng, keep)
	arrays = append([]string{"groupArray(t) AS ts", "groupArray(site) AS ss", "groupArray(kv) AS kss"}, arrays...)
	join = []string{"ts AS t", "ss AS site", "kss AS kv"}
	if mixed {
		arrays = append(arrays, "groupArray(motive) AS ms")
		join = append(join, "ms AS m")
	}
	inner := "SELECT " + strings.Join(arrays, ", ") + " FROM (" + rows + ") GROUP BY " + group
	// One row per contact in some population, its flags a bit each (fb),
	// counted by site, period keys and flags (a few thousand rows for a
	// month's 1.7 M contacts), then one row per definition whose
	// population they are in, the count as a weight. The flags are
	// computed only for those contacts: WHERE comes before the select's
	// expressions.
	var flagBits []string
	for i, f := range flags {
		flagBits = append(flagBits, fmt.Sprintf("%s * %d", f, 1<<i))
	}
	perContact := fmt.Sprintf("SELECT site, kv, %s, toUInt8(%s) AS fb FROM (%s) ARRAY JOIN %s WHERE kv > 0",
		mask, strings.Join(flagBits, " + "), inner, strings.Join(join, ", "))
	counted := "SELECT site, kv, fb, count() AS w FROM (" + perContact + ") GROUP BY site, kv, fb"
	flat := fmt.Sprintf("SELECT ix, k AS pk, site, toUInt8(bitAnd(bitShiftRight(fb, ix - 1), 1)) AS rep, w FROM (SELECT site, [%s] AS ks, fb, w FROM (%s)) ARRAY JOIN arrayEnumerate(ks) AS ix, ks AS k WHERE k > 0",
		strings.Join(unpack, ", "), counted)
	lead := "toUInt8(ix) AS ix, "
	if !withIx {
		lead = ""
	}
	sql, err := rollup(flat, withIx, lead, "toUInt64(sum(w)) AS sample, toFloat64(sum(rep * w)) AS num, toFloat64(sum(w)) AS den, toFloat64(0) AS q")
	return Compiled{SQL: sql, Args: b.args}, err
}
