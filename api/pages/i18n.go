package pages

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"globaloffice/indicators"
)

// lang is the page's language: ?lang=fr|en, else the first of French or
// English in Accept-Language, else French.
func lang(c *gin.Context) string {
	switch q := c.Query("lang"); q {
	case indicators.FR, indicators.EN:
		return q
	}
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.SplitN(tag, "-", 2)[0]) {
		case "fr":
			return indicators.FR
		case "en":
			return indicators.EN
		}
	}
	return indicators.FR
}

// messages are the pages' own words, [fr, en]; a page's text that is not
// an indicator's comes from here.
var messages = map[string][2]string{
	"service":                  {"Qualité de service", "Quality of service"},
	"skip":                     {"Aller au contenu", "Skip to content"},
	"nav.charter":              {"Nos engagements", "Our commitments"},
	"nav.sites":                {"Les sites", "Sites"},
	"nav.methodology":          {"Méthode", "Methodology"},
	"nav.scorecard":            {"Tableau de bord", "Scorecard"},
	"lang.other":               {"English", "Français"},
	"charter.title":            {"Nos engagements de service", "Our service commitments"},
	"charter.intro":            {"Les résultats nationaux de la dernière période close, pour chacun de nos engagements publics.", "The national results of the last closed period, for each of our public commitments."},
	"charter.none":             {"Aucune période n'est encore close : les résultats seront publiés à la clôture de la première.", "No period is closed yet: results are published once the first one is."},
	"period":                   {"Période", "Period"},
	"published":                {"Publié le", "Published on"},
	"revision":                 {"révision", "revision"},
	"result":                   {"Résultat", "Result"},
	"target":                   {"Objectif", "Target"},
	"status":                   {"Statut", "Status"},
	"sample":                   {"Échantillon", "Sample"},
	"previous":                 {"Période précédente", "Previous period"},
	"last_year":                {"Il y a un an", "A year earlier"},
	"method":                   {"Méthode", "Method"},
	"how":                      {"Comment c'est mesuré", "How it is measured"},
	"commitment":               {"Engagement", "Commitment"},
	"status.met":               {"✓ Objectif atteint", "✓ Target met"},
	"status.missed":            {"✗ Objectif non atteint", "✗ Target missed"},
	"status.insufficient_data": {"· Données insuffisantes", "· Not enough data"},
	"status.no_target":         {"– Pas d'objectif", "– No target"},
	"trend.up":                 {"en hausse", "up"},
	"trend.down":               {"en baisse", "down"},
	"trend.same":               {"stable", "unchanged"},
	"trend.better":             {"mieux", "better"},
	"trend.worse":              {"moins bien", "worse"},
	"none":                     {"—", "—"},
	"observations":             {"observations", "observations"},
	"error.title":              {"Indisponible", "Unavailable"},
	"error.unavailable":        {"Les résultats ne peuvent pas être lus pour le moment. Réessayez dans quelques instants.", "The results cannot be read right now. Try again in a moment."},
	"footer":                   {"Résultats publiés des périodes closes. Les chiffres d'une période close ne changent plus, sauf nouvelle révision datée.", "Published results of closed periods. A closed period's figures no longer change, except by a new, dated revision."},
}

// t is the message key in lang.
func t(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == indicators.EN {
		return m[1]
	}
	return m[0]
}

// number formats a value for people: a decimal comma in French, digits as
// the unit wants them.
func number(lang string, v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if lang == indicators.FR {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// units are the units' short forms, [fr, en].
var units = map[string][2]string{
	"percent":      {"%", "%"},
	"minutes":      {"min", "min"},
	"seconds":      {"s", "s"},
	"days":         {"j", "days"},
	"working_days": {"j ouvrés", "working days"},
	"points":       {"pts", "pts"},
	"score":        {"", ""},
	"count":        {"", ""},
}

// value formats a value in an indicator's unit: "85,3 %", "12 min".
func value(lang, unit string, v *float64) string {
	if v == nil {
		return t(lang, "none")
	}
	digits := 1
	if unit == "count" {
		digits = 0
	}
	u := units[unit][0]
	if lang == indicators.EN {
		u = units[unit][1]
	}
	s := number(lang, *v, digits)
	switch {
	case u == "":
		return s
	case u == "%" && lang == indicators.EN:
		return s + "%"
	}
	return s + "\u00a0" + u
}
