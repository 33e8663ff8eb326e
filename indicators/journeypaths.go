package indicators

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// JourneyQuery asks for the paths of the journeys of a period: the cases
// received in it that name the contact that opened them.
type JourneyQuery struct {
	Period Period
	Motive string   // only journeys on this motive (the opening contact's); "" for all
	Sites  []string // only cases of these sites; empty: every site
}

// JourneyPath is one path and how many journeys took it. Steps are the
// front-office channels the user went through on the motive before the
// case (consecutive repeats once), "case:CHANNEL" (the case, by the
// channel it came in on), the channels of the contacts about the case
// while it was open, and how it ended: completed, cancelled or open.
type JourneyPath struct {
	Steps []string `json:"steps"`
	Count int      `json:"count"`
}

// JourneyReport counts the journeys of a period by path.
type JourneyReport struct {
	Period   string `json:"period"`
	Motive   string `json:"motive,omitempty"`
	Journeys int    `json:"journeys"`
	// HandOffs is the mean number of distinct front-office channels
	// before the case (see JourneyHandOffs); Chased the journeys with a
	// contact about the case while it was open.
	HandOffs float64       `json:"mean_handoffs"`
	Chased   int           `json:"chased"`
	Paths    []JourneyPath `json:"paths"`
	// Other counts the journeys of the paths beyond MaxJourneyPaths.
	Other int `json:"other"`
}

// MaxJourneyPaths bounds the paths listed, the most taken first.
const MaxJourneyPaths = 50

// Journeys counts the journeys of q.Period by path: the counts only, never
// a user (the user references stay in the query).
func (e *Engine) Journeys(ctx context.Context, q JourneyQuery) (JourneyReport, error) {
	rep := JourneyReport{Period: q.Period.Name, Motive: q.Motive, Paths: []JourneyPath{}}
	// Named parameters: the case read appears several times in the text,
	// each occurrence taking the same values.
	args := []any{clickhouse.Named("from", q.Period.From.Format(time.DateOnly)), clickhouse.Named("to", q.Period.To.Format(time.DateOnly))}
	where := []string{"origin_contact_id != ''", "received_date >= toDate(@from)", "received_date <= toDate(@to)"}
	if len(q.Sites) > 0 {
		sites := make([]any, len(q.Sites))
		for i, s := range q.Sites {
			sites[i] = s
		}
		args = append(args, clickhouse.Named("sites", clickhouse.GroupSet{Value: sites}))
		where = append(where, "site IN @sites")
	}
	cases := "SELECT id, site, channel AS cch, toString(status) AS st, toInt64(received_at) AS ra, " +
		"if(isNull(completed_at), toInt64(0), toInt64(assumeNotNull(completed_at))) AS ca, origin_contact_id AS oc FROM cases FINAL WHERE " + strings.Join(where, " AND ")
	ids := "(SELECT oc FROM (" + cases + "))"
	origins := openingContacts(ids, "argMax(channel, ingested_at) AS och")
	if q.Motive != "" {
		origins += " HAVING om = @motive"
		args = append(args, clickhouse.Named("motive", q.Motive))
	}
	// The user's contacts on the motive in the lookback before the
	// opening one, with their times to order them.
	before := "SELECT oc, groupArray(a) AS bt, groupArray(ch) AS bc FROM (" + openingContacts(ids) + ") ALL INNER JOIN (" +
		userContacts(ids, "", "channel AS ch") + ") USING um WHERE " + inLookback + " GROUP BY oc"
	// The contacts about the case.
	about := "SELECT case_id AS id, groupArray(toInt64(arrived_at)) AS at, groupArray(channel) AS ac FROM contacts WHERE case_id IN (SELECT id FROM (" + cases + ")) GROUP BY case_id"
	sql := "SELECT st, cch, och, bt, bc, ra, ca, at, ac FROM (" +
		"SELECT id, st, cch, och, bt, bc, ra, ca FROM (" +
		"SELECT id, oc, st, cch, ra, ca, och, oa FROM (" + cases + ") ANY INNER JOIN (" + origins + ") USING oc" +
		") ANY LEFT JOIN (" + before + ") USING oc" +
		") ANY LEFT JOIN (" + about + ") USING id"
	rows, err := e.DB.Conn().Query(ctx, sql, args...)
	if err != nil {
		return rep, fmt.Errorf("journeys: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	var handOffs int
	for rows.Next() {
		var st, cch, och string
		var bt, at []int64
		var bc, ac []string
		var ra, ca int64
		if err := rows.Scan(&st, &cch, &och, &bt, &bc, &ra, &ca, &at, &ac); err != nil {
			return rep, fmt.Errorf("journeys: %w", err)
		}
		before := ordered(bt, bc, 0, 1<<62)
		if len(before) == 0 {
			before = []string{och} // no user reference: the opening contact alone
		}
		distinct := map[string]bool{}
		for _, c := range before {
			distinct[c] = true
		}
		handOffs += len(distinct)
		end := ca
		if end == 0 {
			end = 1 << 62
		}
		chasing := ordered(at, ac, ra, end)
		if len(chasing) > 0 {
			rep.Chased++
		}
		steps := append(compress(before), "case:"+cch)
		steps = append(steps, compress(chasing)...)
		steps = append(steps, st)
		counts[strings.Join(steps, "\x00")]++
		rep.Journeys++
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("journeys: %w", err)
	}
	if rep.Journeys > 0 {
		rep.HandOffs = float64(handOffs) / float64(rep.Journeys)
	}
	for k, n := range counts {
		rep.Paths = append(rep.Paths, JourneyPath{Steps: strings.Split(k, "\x00"), Count: n})
	}
	sort.Slice(rep.Paths, func(i, j int) bool {
		a, b := rep.Paths[i], rep.Paths[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return strings.Join(a.Steps, " ") < strings.Join(b.Steps, " ")
	})
	if len(rep.Paths) > MaxJourneyPaths {
		for _, p := range rep.Paths[MaxJourneyPaths:] {
			rep.Other += p.Count
		}
		rep.Paths = rep.Paths[:MaxJourneyPaths]
	}
	return rep, nil
}

// ordered gives the channels of the contacts with times in [from, to), in
// time order.
func ordered(times []int64, channels []string, from, to int64) []string {
	idx := make([]int, 0, len(times))
	for i, t := range times {
		if t >= from && t < to && i < len(channels) {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return times[idx[a]] < times[idx[b]] })
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = channels[k]
	}
	return out
}

// compress keeps one of consecutive equal steps.
func compress(steps []string) []string {
	var out []string
	for _, s := range steps {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}
