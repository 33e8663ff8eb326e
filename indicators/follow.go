package indicators

import (
	"fmt"
	"strings"
)

// The measures of contacts followed by other contacts of the same user:
// repeat contacts, and the journeys' first-contact resolution and channel
// switches (journey.go), all from one query shape.

// follow shapes a query of contacts followed by others (see followed).
type follow struct {
	byMotive bool     // followers on the same motive only
	to       []string // followers on these channels only; nil: any
	resolved bool     // count the contacts no follower follows
}

// repeat compiles repeat_contact: the share of the population's contacts
// (with a user reference) followed by another contact of the same user, on
// any channel, strictly later and at most window_hours after it. Followers
// may fall after the period, so each range is read window + 1 days longer.
func (b *builder) repeat(periods []Period, m RepeatContact) (Compiled, error) {
	return b.followed(periods, m.WindowHours, follow{})
}

// followed compiles the measures of contacts followed by others of the
// same user within windowHours (repeat contacts; first-contact resolution
// and channel switches, which follow the user on one motive: see follow).
func (b *builder) followed(periods []Period, windowHours int, f follow) (Compiled, error) {
	d := b.d
	window := int64(windowHours) * 3600
	extend := windowHours/24 + 2
	base := append([]string{"1"}, b.filter(d.Filter)...)
	if ex := d.Exclude; ex != nil {
		cond := b.filter(ex.Filter)
		if ex.Value != "" {
			cond = append(cond, fmt.Sprintf("ifNull((%s) < %s, 0)", valueSQL[ex.Value], b.bind(ex.Below)))
		}
		if len(cond) > 0 {
			base = append(base, "NOT ("+strings.Join(cond, " AND ")+")")
		}
	}
	pk := b.periodKey("arrived_date", periods)
	rng := b.ranges("arrived_date", periods, extend)
	group, keep := "user_ref", "user_ref != ''"
	if f.byMotive {
		group, keep = "user_ref, motive", "user_ref != '' AND motive != ''"
	}
	// fs flags the contacts that may follow (all when any channel may).
	fs, followers := "", "u -> u > t AND u <= t + %s"
	if len(f.to) > 0 {
		fs, followers = ", groupArray(isf) AS fs", "(u, g) -> g = 1 AND u > t AND u <= t + %s"
	}
	var inner string
	if rng.all != "" {
		isf := ""
		if fs != "" {
			isf = ", groupArray(toUInt8(channel IN " + b.set(f.to) + ")) AS fs"
		}
		inner = fmt.Sprintf("SELECT groupArray(toInt64(arrived_at)) AS ts, groupArray(site) AS ss, groupArray(if(%s, %s, 0)) AS ks%s FROM contacts FINAL WHERE %s AND %s GROUP BY %s",
			strings.Join(base, " AND "), pk, isf, keep, rng.all, group)
	} else {
		sel := []string{"user_ref", "toInt64(arrived_at) AS t", "site", fmt.Sprintf("if(%s, %s, 0) AS k", strings.Join(base, " AND "), pk)}
		if f.byMotive {
			sel = append(sel, "motive")
		}
		if fs != "" {
			sel = append(sel, "toUInt8(channel IN "+b.set(f.to)+") AS isf")
		}
		rows := b.read(sel, rng, []string{keep})
		inner = "SELECT groupArray(t) AS ts, groupArray(site) AS ss, groupArray(k) AS ks" + fs + " FROM (" + rows + ") GROUP BY " + group
	}
	exists := fmt.Sprintf("arrayExists("+followers+", ts", b.bind(window))
	if fs != "" {
		exists += ", fs"
	}
	exists += ")"
	if f.resolved {
		exists = "NOT " + exists
	}
	flat := fmt.Sprintf("SELECT k AS pk, site, toUInt8(%s) AS rep FROM (%s) ARRAY JOIN ts AS t, ss AS site, ks AS k WHERE k > 0", exists, inner)
	middle := "SELECT " + scopeCols + ", rep FROM (" + flat + ") " + sitesJoin
	sql := "SELECT pk, rg, dp, site, toUInt64(count()) AS sample, toFloat64(sum(rep)) AS num, toFloat64(count()) AS den, toFloat64(0) AS q FROM (" + middle + ") GROUP BY pk, rg, dp, site WITH ROLLUP"
	return Compiled{SQL: sql, Args: b.args}, nil
}
