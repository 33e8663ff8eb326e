package indicators

import "fmt"

// Issue 14 items 3 and 4: acknowledgement of receipt, the delay announced
// to the user, and the time a case waited on the user or a third party.
// All are measured, like every case delay, on completed cases in the
// period of their completion, in calendar days between local dates.
//
// Values of cases (valueSQL):
//
//   - calendar_days_net: calendar_days less the whole days of paused time
//     (paused_seconds ÷ 86,400, rounded down), at least 0. The pause is a
//     duration without dates, so it is taken off in whole days only (a
//     pause of 36 h takes 1 day off): net never credits the service with
//     part of a day it still held the case. Working days have no net
//     form for the same reason — which weekdays the pause covered is not
//     known.
//   - ack_days: calendar days from receipt to the acknowledgement of
//     receipt — or to the answer, when it came first or no
//     acknowledgement was sent: an answer tells the user the request
//     arrived. Electronic requests (channel online or email) are held to
//     7 days, postal ones (channel mail) to 14 (Services Publics+, as
//     quoted in issue 14: "days", not "working days" — the programme
//     says "jours ouvrés" where it means working days).
//   - days_over_announced: calendar days beyond the delay announced to
//     the user (calendar_days − announced_days); a share within 0 is the
//     share answered within the delay announced. A case without an
//     announced delay has no value, so it is not in the population.

// PausedShare is the share of the completed cases' elapsed time (received
// to completed, in seconds) spent waiting on the user or a third party,
// pooled: Σ paused ÷ Σ elapsed, in percent. Its own measure rather than a
// field of every delay's result: it then computes at every scope, period
// and compile path like any indicator, gets its own targets and history,
// and reaches the API, exports and open data with no new field. Not a
// proportion of cases, so no Wilson interval.
type PausedShare struct{}

func (PausedShare) Name() string     { return "paused_share" }
func (PausedShare) Proportion() bool { return false }
func (PausedShare) pace() float64    { return 0 }
func (PausedShare) reads() string    { return "" }
func (PausedShare) carried() string  { return "ps, el" }

func (PausedShare) value(a agg) (v, num, den *float64) { return percent(a) }

func (m PausedShare) compile(b *builder, ps []Period) (Compiled, error) { return b.simple(ps, m) }

func (PausedShare) columns(*builder) (sel, where []string) {
	return []string{"toInt64(paused_seconds) AS ps", "toInt64(assumeNotNull(completed_at)) - toInt64(received_at) AS el"}, nil
}

func (PausedShare) aggregate(*builder) string {
	return "toFloat64(sum(ps)) AS num, toFloat64(sum(el)) AS den, toFloat64(0) AS q"
}

func (PausedShare) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part du temps écoulé entre réception et clôture des %s passée à attendre l'usager ou un tiers (somme des attentes ÷ somme des délais, en secondes), en %%.", pop)
	}
	return fmt.Sprintf("Share of the time from receipt to completion of %s spent waiting on the user or a third party (total waits ÷ total elapsed time, in seconds), in percent.", pop)
}
