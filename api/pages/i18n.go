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
	// The scorecard and its login.
	"login.title":              {"Connexion au tableau de bord", "Sign in to the scorecard"},
	"login.intro":              {"Le tableau de bord est réservé aux directions et aux responsables de site. Collez le jeton qui vous a été remis ; il n'est pas conservé par votre navigateur, seule une session l'est.", "The scorecard is for directors and site managers. Paste the token you were given; your browser keeps only a session, never the token."},
	"login.token":              {"Jeton d'accès", "Access token"},
	"login.token_help":         {"Il commence par « gof_ ».", "It starts with “gof_”."},
	"login.submit":             {"Se connecter", "Sign in"},
	"login.refused":            {"✗ Ce jeton n'est pas accepté. Vérifiez-le ou demandez-en un nouveau.", "✗ This token is not accepted. Check it or ask for a new one."},
	"login.not_allowed":        {"✗ Ce jeton ne donne pas accès au tableau de bord.", "✗ This token does not give access to the scorecard."},
	"login.too_many":           {"✗ Trop d'essais infructueux depuis votre adresse. Réessayez dans une minute.", "✗ Too many failed attempts from your address. Try again in a minute."},
	"login.cross_site":         {"✗ Cette demande ne vient pas de nos pages : elle est refusée.", "✗ This request does not come from our pages: it is refused."},
	"logout":                   {"Se déconnecter", "Sign out"},
	"role.admin":               {"administration", "administrator"},
	"role.director":            {"direction", "director"},
	"role.manager":             {"responsable de site", "site manager"},
	"role.collector":           {"collecteur", "collector"},
	"scope.national":           {"National", "National"},
	"scope.region":             {"Région", "Region"},
	"scope.department":         {"Département", "Department"},
	"scope.site":               {"Site", "Site"},
	"sc.signed_in":             {"Connecté :", "Signed in:"},
	"sc.breadcrumb":            {"Niveau affiché", "Level shown"},
	"sc.show":                  {"Afficher", "Show"},
	"sc.current_periods":       {"En cours (provisoire)", "Current (provisional)"},
	"sc.current_month":         {"mois en cours", "current month"},
	"sc.current_quarter":       {"trimestre en cours", "current quarter"},
	"sc.current_ytd":           {"année à ce jour", "year to date"},
	"sc.closed_periods":        {"Périodes closes", "Closed periods"},
	"sc.closed_choice":         {"%s — close, révision %d", "%s — closed, revision %d"},
	"sc.asked_period":          {"Période demandée", "Period asked for"},
	"sc.provisional":           {"provisoire", "provisional"},
	"sc.live_at":               {"⚠ Chiffres provisoires : période non close, calculés le %s à %s UTC sur les données reçues à ce moment ; ils peuvent encore changer.", "⚠ Provisional figures: the period is not closed; computed on %s at %s UTC from the data received by then, they may still change."},
	"sc.closed_at":             {"✓ Période close le %s (révision %d) : chiffres définitifs.", "✓ Period closed on %s (revision %d): final figures."},
	"sc.scope_col":             {"Périmètre", "Scope"},
	"sc.overall":               {"ensemble", "overall"},
	"sc.missed_none":           {"aucun objectif non atteint", "no target missed"},
	"sc.missed_one":            {"%d objectif non atteint", "%d target missed"},
	"sc.missed_many":           {"%d objectifs non atteints", "%d targets missed"},
	"sc.row_trend":             {"par rapport à la période précédente : %d en mieux, %d en moins bien", "against the previous period: %d better, %d worse"},
	"sc.no_result":             {"pas de résultat", "no result"},
	"sc.ci":                    {"IC 95 % :", "95% CI:"},
	"sc.previous":              {"avant :", "before:"},
	"sc.required":              {"Reste de l'année :", "Rest of the year:"},
	"sc.at_least":              {"au moins", "at least"},
	"sc.at_most":               {"au plus", "at most"},
	"sc.required.out_of_reach": {"objectif hors d'atteinte", "target out of reach"},
	"sc.required.secured":      {"objectif déjà assuré", "target already secured"},
	"sc.help":                  {"Chaque ligne est un périmètre : le niveau affiché d'abord, puis ses subdivisions, celles qui manquent le plus d'objectifs en premier. Suivez un nom pour descendre d'un niveau.", "Each row is a scope: the level shown first, then its subdivisions, those missing the most targets first. Follow a name to go down a level."},
	"sc.empty":                 {"Aucun résultat visible pour ce périmètre et cette période.", "No result to show for this scope and period."},
	"sc.bad_period":            {"Période inconnue : choisissez-en une dans la liste (par exemple 2026-05, 2026-Q2, 2026-ytd).", "Unknown period: choose one from the list (for example 2026-05, 2026-Q2, 2026-ytd)."},
	"sc.bad_scope":             {"Périmètre inconnu : national, region:CODE ou department:CODE.", "Unknown scope: national, region:CODE or department:CODE."},
	"sc.no_scope":              {"Aucun site dans ce périmètre.", "No site in this scope."},
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
