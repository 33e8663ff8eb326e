package indicators

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Definitions in words, generated from the typed definition so that the
// method a page, an export or the API shows is always the one computed.

// Languages of the wordings.
const (
	FR = "fr"
	EN = "en"
)

// words holds the vocabulary of the generated definitions: [fr, en].
var words = map[string][2]string{
	"contacts": {"contacts", "contacts"},
	"cases":    {"dossiers", "cases"},
	"surveys":  {"réponses aux enquêtes", "survey responses"},

	"channel": {"canal", "channel"},
	"outcome": {"issue", "outcome"},
	"motive":  {"motif", "motive"},
	"team":    {"équipe", "team"},
	"source":  {"source", "source"},

	"asked_agent": {"demande d'un conseiller", "asked for an agent"},
	"kind":        {"type", "kind"},
	"survey":      {"enquête", "survey"},
	"mode":        {"mode", "mode"},
	"scale":       {"échelle", "scale"},

	"place.contacts": {"Chaque contact compte dans la période de son arrivée", "Each contact counts in the period of its arrival"},
	"place.cases":    {"Chaque dossier terminé compte dans la période de sa clôture", "Each completed case counts in the period of its completion"},
	"place.surveys":  {"Chaque réponse compte dans la période où elle a été donnée", "Each response counts in the period it was given"},
}

// values names each value of the fixed vocabulary: the French noun with
// its article, the English noun, and the unit in both.
var values = map[string][4]string{
	"wait_seconds":     {"l'attente avant réponse", "wait before answer", "secondes", "seconds"},
	"wait_minutes":     {"l'attente avant réponse", "wait before answer", "minutes", "minutes"},
	"abandon_seconds":  {"l'attente avant abandon", "wait before hanging up", "secondes", "seconds"},
	"handling_seconds": {"la durée de traitement", "handling time", "secondes", "seconds"},
	"calendar_days":    {"le délai", "delay", "jours calendaires", "calendar days"},
	"working_days":     {"le délai", "delay", "jours ouvrés (hors week-ends et jours fériés de la zone du site)", "working days (weekends and the site's public holidays excluded)"},
	"calendar_days_net": {"le délai hors attente de l'usager ou d'un tiers (jours entiers d'attente déduits)", "delay net of time waiting on the user or a third party (whole days of waiting taken off)",
		"jours calendaires", "calendar days"},
	"ack_days": {"le délai d'accusé de réception (jusqu'à l'accusé, ou jusqu'à la réponse si elle est venue avant)", "acknowledgement delay (to the acknowledgement of receipt, or to the answer if it came first)",
		"jours calendaires", "calendar days"},
	"days_over_announced": {"le dépassement du délai annoncé à l'usager (dossiers avec un délai annoncé)", "overrun of the delay announced to the user (cases with an announced delay)",
		"jours calendaires", "calendar days"},
}

// valueWords names a value: its noun and its unit.
func valueWords(lang, v string) (noun, unit string) {
	w := values[v]
	if lang == FR {
		return w[0], w[2]
	}
	return w[1], w[3]
}

// deFR is "de" before a French noun with its article: du, de la, de l'.
func deFR(noun string) string {
	if rest, ok := strings.CutPrefix(noun, "le "); ok {
		return "du " + rest
	}
	return "de " + noun
}

// ordinal is 90th, 1st, 2nd, 3rd, 11th…
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

func word(lang, key string) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	if lang == FR {
		return w[0]
	}
	return w[1]
}

// Describe states how the indicator is computed, in French (FR) or English
// (any other lang).
func (d *Definition) Describe(lang string) string {
	pop := d.population(lang)
	var b strings.Builder
	b.WriteString(d.Measure.describe(lang, pop))
	if ex := d.Exclude; ex != nil {
		cond := describeFilter(lang, ex.Filter)
		if ex.Value != "" {
			if cond != "" {
				cond += map[bool]string{true: " et ", false: " and "}[lang == FR]
			}
			noun, unit := valueWords(lang, ex.Value)
			if lang == FR {
				cond += fmt.Sprintf("dont %s est de moins de %s %s", noun, num(ex.Below), unit)
			} else {
				cond += fmt.Sprintf("whose %s is under %s %s", noun, num(ex.Below), unit)
			}
		}
		if lang == FR {
			fmt.Fprintf(&b, " Sont exclus les %s : %s.", word(lang, d.Source), cond)
		} else {
			fmt.Fprintf(&b, " Excluded: %s with %s.", word(lang, d.Source), cond)
		}
	}
	if d.OpeningHours {
		if lang == FR {
			b.WriteString(" Seuls comptent les contacts arrivés pendant les heures d'ouverture du site, à l'heure locale (jours fériés de sa zone fermés ; un site sans horaires est toujours ouvert).")
		} else {
			b.WriteString(" Only contacts that arrived during the site's opening hours count, in local time (its zone's public holidays closed; a site without hours is always open).")
		}
	}
	place := word(lang, "place."+d.Source)
	if st, ok := d.Measure.(stock); ok {
		place = st.place(lang)
	}
	if lang == FR {
		fmt.Fprintf(&b, " %s, à la date locale du site.", place)
		if d.MinSample > 0 {
			fmt.Fprintf(&b, " Publié à partir de %d observations.", d.MinSample)
		}
	} else {
		fmt.Fprintf(&b, " %s, by the site's local date.", place)
		if d.MinSample > 0 {
			fmt.Fprintf(&b, " Published from %d observations.", d.MinSample)
		}
	}
	return b.String()
}

// population names the records an indicator counts: "contacts (channel
// reception; outcome served)".
func (d *Definition) population(lang string) string {
	p := word(lang, d.Source)
	if f := describeFilter(lang, d.Filter); f != "" {
		p += " (" + f + ")"
	}
	return p
}

// describeFilter renders a filter as "channel reception or phone; outcome
// served", fields in a stable order.
func describeFilter(lang string, f Filter) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	or := map[bool]string{true: " ou ", false: " or "}[lang == FR]
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = word(lang, k) + " " + strings.Join(f[k], or)
	}
	return strings.Join(parts, "; ")
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (m Share) describe(lang, pop string) string {
	noun, unit := valueWords(lang, m.Value)
	if lang == FR {
		return fmt.Sprintf("Part des %s dont %s est d'au plus %s %s.", pop, noun, num(m.Threshold), unit)
	}
	return fmt.Sprintf("Share of %s whose %s is at most %s %s.", pop, noun, num(m.Threshold), unit)
}

func (m Ratio) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s qui ont aussi : %s.", pop, describeFilter(lang, m.Numerator))
	}
	return fmt.Sprintf("Share of %s that also have %s.", pop, describeFilter(lang, m.Numerator))
}

func (m Mean) describe(lang, pop string) string {
	noun, unit := valueWords(lang, m.Value)
	if lang == FR {
		return fmt.Sprintf("Moyenne %s des %s, en %s.", deFR(noun), pop, unit)
	}
	return fmt.Sprintf("Mean %s of %s, in %s.", noun, pop, unit)
}

func (m Quantile) describe(lang, pop string) string {
	noun, unit := valueWords(lang, m.Value)
	pct := int(m.P*100 + 0.5)
	if lang == FR {
		return fmt.Sprintf("%de centile %s des %s, en %s : la plus petite valeur dont au moins %d %% des observations sont au plus égales (rang exact, sans approximation).", pct, deFR(noun), pop, unit, pct)
	}
	return fmt.Sprintf("%s percentile of the %s of %s, in %s: the smallest value that at least %d%% of observations do not exceed (exact rank, no approximation).", ordinal(pct), noun, pop, unit, pct)
}

func (Count) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Nombre de %s.", pop)
	}
	return fmt.Sprintf("Number of %s.", pop)
}

func (m TopBox) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s satisfaites sur « %s » : 4 ou 5 sur 5, 3 ou 4 sur 4, 8 à 10 sur 10, chaque note sur sa propre échelle.", pop, m.Dimension)
	}
	return fmt.Sprintf("Share of %s satisfied on %q: 4 or 5 of 5, 3 or 4 of 4, 8 to 10 of 10, each score on its own scale.", pop, m.Dimension)
}

func (m MeanScore) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Note moyenne sur « %s » des %s.", m.Dimension, pop)
	}
	return fmt.Sprintf("Mean score on %q of %s.", m.Dimension, pop)
}

func (m NPS) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Score net de recommandation sur « %s » : part des notes 9 et 10 moins part des notes 0 à 6, en points, sur les %s dont cette note est donnée de 0 à 10 (quelle que soit l'échelle des autres questions).", m.Dimension, pop)
	}
	return fmt.Sprintf("Net promoter score on %q: the share of 9 and 10 minus the share of 0 to 6, in points, over %s whose score on it is on the 0–10 scale (whatever the other questions' scale).", m.Dimension, pop)
}

func (m RepeatContact) describe(lang, pop string) string {
	if lang == FR {
		return fmt.Sprintf("Part des %s suivis d'un autre contact du même usager, sur tout canal, dans les %d heures.", pop, m.WindowHours)
	}
	return fmt.Sprintf("Share of %s followed by another contact of the same user, on any channel, within %d hours.", pop, m.WindowHours)
}

// Channel is the channel an indicator measures: its filter's one channel;
// for cases, the channel the reply goes out on (e-mail, mail) or the back
// office; "" for an indicator across channels.
func (d *Definition) Channel() string {
	if ch := d.Filter["channel"]; len(ch) == 1 {
		return ch[0]
	}
	if d.Source == "cases" {
		switch k := d.Filter["kind"]; {
		case len(k) == 1 && k[0] == "email_reply":
			return "email"
		case len(k) == 1 && k[0] == "mail_reply":
			return "mail"
		}
		return "back_office"
	}
	return ""
}
