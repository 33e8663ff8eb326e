package indicators

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The measures of contacts followed by others go together, those on one
// motive first, then the journey measures, at most maxPacked a query and
// first; then the pooled measures of each source (CompilePooled), but
// satisfaction, and the backlog measures of one population and seasons
// (CompileBacklogs); every other measure alone, in order.
func TestBatches(t *testing.T) {
	var defs []*Definition
	add := func(id string, m Measure, source string) {
		defs = append(defs, &Definition{ID: id, Measure: m, Source: source})
	}
	add("share", Share{Threshold: 20}, "contacts")
	for _, id := range []string{"r1", "r2", "r3", "r4", "r5"} {
		add(id, RepeatContact{WindowHours: 168}, "contacts")
	}
	add("fcr", FirstContactResolution{WindowHours: 168}, "contacts")
	add("switch", ChannelSwitch{WindowHours: 168, To: []string{"reception"}}, "contacts")
	add("mean", Mean{}, "cases")
	add("handoffs", JourneyHandOffs{}, "cases")
	add("median", JourneyQuantile{P: 0.5}, "cases")
	add("r6", RepeatContact{WindowHours: 24}, "contacts")
	add("r7", RepeatContact{WindowHours: 24}, "contacts")
	add("r8", RepeatContact{WindowHours: 24}, "contacts")
	add("r9", RepeatContact{WindowHours: 24}, "contacts")
	add("ratio", Ratio{}, "contacts")
	add("top", TopBox{}, "surveys")
	add("hours", Share{Threshold: 20}, "contacts")
	defs[len(defs)-1].OpeningHours = true
	add("b1", BacklogShare{Threshold: 10}, "cases")
	add("b2", BacklogSize{}, "cases")
	add("b3", BacklogOldest{}, "cases")
	add("b4", BacklogSize{LeftOut: Seasons{{Text: "08-25..09-30"}}}, "cases")
	add("b5", BacklogOldest{}, "cases")
	defs[len(defs)-5].Filter = Filter{"kind": {"allowance"}}
	defs[len(defs)-4].Filter = Filter{"kind": {"allowance"}}
	defs[len(defs)-3].Filter = Filter{"kind": {"registration"}}
	defs[len(defs)-2].Filter = Filter{"kind": {"allowance"}}
	defs[len(defs)-1].Filter = Filter{"kind": {"allowance"}}
	var got [][]string
	for _, b := range batches(defs) {
		var ids []string
		for _, d := range b {
			ids = append(ids, d.ID)
		}
		got = append(got, ids)
	}
	want := [][]string{
		{"fcr", "switch", "r1", "r2", "r3", "r4", "r5", "r6"},
		{"r7", "r8", "r9"},
		{"handoffs", "median"},
		{"share", "ratio"},
		{"mean"},
		{"b1", "b2", "b5"},
		{"b3"},
		{"b4"},
		{"top"},
		{"hours"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches: %v, want %v", got, want)
	}
}

// Followed measures read at most followedDays of periods a query: runs of
// periods in order, a longer one alone.
func TestFollowedChunks(t *testing.T) {
	span := func(from time.Time, days int) Period {
		return Period{From: from, To: from.AddDate(0, 0, days-1)}
	}
	jan := date(2025, time.January, 1)
	ps := []Period{span(jan, 31), span(jan.AddDate(0, 1, 0), 28), span(jan.AddDate(0, 2, 0), 31), span(jan.AddDate(0, 3, 0), 30), span(jan.AddDate(1, 0, 0), 365), span(jan.AddDate(2, 0, 0), 7)}
	var got []int
	for _, c := range followedChunks(ps) {
		got = append(got, len(c))
	}
	// 31 + 28 + 31 = 90 ≤ 100, + 30 > 100; 30 alone (+ 365 > 100); 365 alone; 7.
	if want := []int{3, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("chunk sizes %v, want %v", got, want)
	}
}

// Backlog definitions share a query only with the same population: the
// key tells filters, exclusions and seasons apart, whatever their text.
func TestBacklogKey(t *testing.T) {
	key := func(f Filter, ex *Exclusion, m Measure) string {
		k, ok := backlogKey(&Definition{Source: "cases", Filter: f, Exclude: ex, Measure: m})
		if !ok {
			t.Fatalf("%v: not a backlog", m)
		}
		return k
	}
	same := key(Filter{"kind": {"a"}, "site": {"x"}}, nil, BacklogSize{})
	if k := key(Filter{"site": {"x"}, "kind": {"a"}}, nil, BacklogShare{Threshold: 3}); k != same {
		t.Errorf("same population, other measure: %s and %s", k, same)
	}
	for name, k := range map[string]string{
		"one value with a space, two values": key(Filter{"kind": {"a b"}}, nil, BacklogSize{}) + " / " + key(Filter{"kind": {"a", "b"}}, nil, BacklogSize{}),
		"exclusions":                         key(nil, &Exclusion{Filter: Filter{"site": {"x] y"}}}, BacklogSize{}) + " / " + key(nil, &Exclusion{Filter: Filter{"site": {"x", "y"}}}, BacklogSize{}),
		"seasons":                            key(nil, nil, BacklogSize{LeftOut: Seasons{{Text: "08-25..09-30"}}}) + " / " + key(nil, nil, BacklogSize{}),
	} {
		if a, b, _ := strings.Cut(k, " / "); a == b {
			t.Errorf("%s: one key %s", name, a)
		}
	}
}
