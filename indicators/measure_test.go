package indicators

import (
	"reflect"
	"strings"
	"testing"
)

// TestMeasuresParse: each measure of a catalog entry becomes its own type
// with its parameters.
func TestMeasuresParse(t *testing.T) {
	f := func(source, fields string, want Measure) {
		t.Helper()
		y := "indicators:\n  - id: x\n    title: {fr: a, en: a}\n    source: " + source + "\n    unit: percent\n    direction: higher\n" + fields
		cat, err := ParseCatalog("m.yaml", []byte(y))
		if err != nil {
			t.Errorf("%s: %v", fields, err)
			return
		}
		if got := cat.Indicators[0].Measure; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: measure %#v, want %#v", fields, got, want)
		}
	}
	f("contacts", "    measure: share\n    value: wait_minutes\n    threshold: 20\n", Share{Value: "wait_minutes", Threshold: 20})
	f("contacts", "    measure: ratio\n    numerator: {outcome: [served]}\n", Ratio{Numerator: Filter{"outcome": {"served"}}})
	f("cases", "    measure: mean\n    value: working_days\n", Mean{Value: "working_days"})
	f("contacts", "    measure: quantile\n    value: wait_seconds\n    quantile: 0.9\n", Quantile{Value: "wait_seconds", P: 0.9})
	f("cases", "    measure: count\n", Count{})
	f("surveys", "    measure: top_box\n    dimension: overall\n", TopBox{Dimension: "overall"})
	f("surveys", "    measure: mean_score\n    dimension: overall\n    filter: {scale: [1-5]}\n", MeanScore{Dimension: "overall"})
	f("surveys", "    measure: nps\n    dimension: recommend\n", NPS{Dimension: "recommend"})
	f("contacts", "    measure: repeat_contact\n    window_hours: 168\n", RepeatContact{WindowHours: 168})
	f("cases", "    measure: backlog_share\n    threshold: 10\n", BacklogShare{Threshold: 10})
	f("cases", "    measure: backlog_size\n", BacklogSize{})
	f("cases", "    measure: paused_share\n", PausedShare{})
	f("cases", "    measure: share\n    value: ack_days\n    threshold: 7\n", Share{Value: "ack_days", Threshold: 7})
	f("cases", "    measure: share\n    value: days_over_announced\n    threshold: 0\n", Share{Value: "days_over_announced", Threshold: 0})
	f("cases", "    measure: mean\n    value: calendar_days_net\n", Mean{Value: "calendar_days_net"})
	yearly, _ := ParseSeason("08-25..09-30")
	f("cases", "    measure: backlog_oldest\n    left_out: [\"08-25..09-30\"]\n", BacklogOldest{LeftOut: Seasons{yearly}})
}

// TestMeasureFields: a measure's missing parameter, and a parameter of
// another measure, are errors on the field's line.
func TestMeasureFields(t *testing.T) {
	f := func(source, fields, want string) {
		t.Helper()
		y := "indicators:\n  - id: x\n    title: {fr: a, en: a}\n    source: " + source + "\n    unit: percent\n    direction: higher\n" + fields
		_, err := ParseCatalog("m.yaml", []byte(y))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", fields, err, want)
		}
	}
	f("contacts", "    measure: share\n    value: wait_minutes\n", "m.yaml:2: threshold: required by measure share")
	f("contacts", "    measure: mean\n    value: wait_minutes\n    threshold: 20\n", "m.yaml:9: threshold: only used by measure backlog_share, journey_share, share")
	f("contacts", "    measure: count\n    value: wait_minutes\n", "m.yaml:8: value: only used by measure mean, quantile, share")
	f("contacts", "    measure: ratio\n", "m.yaml:2: numerator: required by measure ratio")
	f("contacts", "    measure: ratio\n    numerator: {colour: [red]}\n", `m.yaml:8: numerator: cannot filter contacts on "colour"`)
	f("contacts", "    measure: top_box\n    dimension: overall\n", "m.yaml:7: measure: top_box needs source surveys")
	f("surveys", "    measure: nps\n", "m.yaml:2: dimension: required by measure nps")
	f("surveys", "    measure: count\n    dimension: overall\n", "m.yaml:8: dimension: only used by measure mean_score, nps, top_box")
	f("cases", "    measure: repeat_contact\n    window_hours: 24\n", "m.yaml:4: source: repeat_contact needs source contacts")
	f("contacts", "    measure: repeat_contact\n", "m.yaml:2: window_hours: required by repeat_contact")
	// Opening hours: contacts only, and not with repeat_contact (its
	// followers are any contact of the user, open or not).
	f("contacts", "    measure: repeat_contact\n    window_hours: 24\n    opening_hours: true\n", "m.yaml:9: opening_hours: only for contacts, with a measure other than repeat_contact")
	f("cases", "    measure: count\n    opening_hours: true\n", "m.yaml:8: opening_hours: only for contacts")
	f("contacts", "    measure: median\n", `m.yaml:7: measure: "median" is not one of backlog_oldest, backlog_share, backlog_size, channel_switch, chasing_per_100, chasing_share, count, first_contact_resolution, journey_handoffs, journey_quantile, journey_share, mean, mean_score, nps, paused_share, quantile, ratio, repeat_contact, share, top_box`)
	f("contacts", "    measure: paused_share\n", "m.yaml:4: source: paused_share needs source cases")
	f("cases", "    measure: paused_share\n    value: calendar_days\n", "m.yaml:8: value: only used by measure mean, quantile, share")
}
