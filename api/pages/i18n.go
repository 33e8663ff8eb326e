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
	"sc.current_rolling12":     {"12 mois glissants", "twelve rolling months"},
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
	"sc.break":                 {"⌇ Rupture de série : définition v%d en vigueur depuis le %s, non comparable", "⌇ Series break: definition v%d in force since %s, not comparable"},
	"sc.spread":                {"Sites à échantillon suffisant : %d — min %s · 10e centile %s · médiane %s · 90e centile %s · max %s ; %s", "Sites with enough sample: %d — min %s · 10th percentile %s · median %s · 90th percentile %s · max %s; %s"},
	"sc.spread_none":           {"Aucun site à échantillon suffisant", "No site with enough sample"},
	"sc.spread_missed_none":    {"aucun hors objectif", "none missed its target"},
	"sc.spread_missed_one":     {"%d hors objectif", "%d missed its target"},
	"sc.spread_missed_many":    {"%d hors objectif", "%d missed their target"},
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

	// The sites, a site's results and the methodology.
	"colon":                            {" : ", ": "},
	"sep":                              {" ; ", "; "},
	"sites.title":                      {"Trouver un site", "Find a site"},
	"sites.intro":                      {"Cherchez un site par son nom, sa ville, son département ou sa région, puis consultez ses résultats publiés.", "Search for a site by name, town, department or region, then see its published results."},
	"sites.q":                          {"Nom, ville, département ou région", "Name, town, department or region"},
	"sites.hint":                       {"Par exemple : Strasbourg, Bas-Rhin, 67 ou Grand Est.", "For example: Strasbourg, Bas-Rhin, 67 or Grand Est."},
	"sites.search":                     {"Rechercher", "Search"},
	"sites.all":                        {"Tous les sites", "All sites"},
	"sites.found":                      {"Sites trouvés pour « {q} »", "Sites matching “{q}”"},
	"sites.none":                       {"Aucun site ne correspond à « {q} ». Essayez un autre nom, un numéro de département ou une région.", "No site matches “{q}”. Try another name, a department number or a region."},
	"site.id":                          {"Code", "Code"},
	"site.name":                        {"Site", "Site"},
	"site.kind":                        {"Type", "Type"},
	"site.department":                  {"Département", "Department"},
	"site.region":                      {"Région", "Region"},
	"site.intro":                       {"Les résultats publiés de ce site pour le dernier trimestre clos, engagement par engagement.", "This site's published results for the last closed quarter, commitment by commitment."},
	"site.none":                        {"Aucun trimestre n'est encore clos : les résultats de ce site seront publiés à la clôture du premier.", "No quarter is closed yet: this site's results are published once the first one is."},
	"site.trend":                       {"Quatre derniers trimestres", "Last four quarters"},
	"site.other":                       {"Chercher un autre site", "Find another site"},
	"site.results":                     {"Résultats", "Results"},
	"kind.agency":                      {"Agence", "Agency"},
	"kind.phone_platform":              {"Plateforme téléphonique", "Phone platform"},
	"kind.processing_centre":           {"Centre de traitement", "Processing centre"},
	"kind.proximity_point":             {"Point de proximité", "Proximity point"},
	"channel.reception":                {"Accueil", "Reception"},
	"channel.phone":                    {"Téléphone", "Phone"},
	"channel.appointment":              {"Rendez-vous", "Appointments"},
	"channel.email":                    {"Courriels", "E-mail"},
	"channel.mail":                     {"Courriers", "Letters"},
	"channel.back_office":              {"Traitement des dossiers", "Case processing"},
	"channel.all":                      {"Tous canaux", "All channels"},
	"quarter.abbr":                     {"T", "Q"},
	"chart.target":                     {"objectif", "target"},
	"chart.met":                        {"atteint", "met"},
	"chart.missed":                     {"non atteint", "missed"},
	"chart.not_closed":                 {"période non close", "period not closed"},
	"chart.not_published":              {"non publié", "not published"},
	"status.no_result":                 {"· Pas de résultat pour cette période", "· No result for this period"},
	"notfound.page.title":              {"Page introuvable", "Page not found"},
	"notfound.page":                    {"Cette page n'existe pas. Les engagements, les sites et la méthode sont dans le menu.", "There is no such page. The commitments, the sites and the methodology are in the menu."},
	"notfound.title":                   {"Site introuvable", "Site not found"},
	"notfound.site":                    {"Aucun site n'a le code « {id} ». Cherchez-le sur la page des sites.", "No site has the code “{id}”. Look for it on the sites page."},
	"methodology.title":                {"Méthode", "Methodology"},
	"toc":                              {"Sur cette page", "On this page"},
	"methodology.intro":                {"Comment chaque résultat est calculé, les règles que tous suivent et l'historique des périodes closes.", "How each result is computed, the rules they all follow, and the history of closed periods."},
	"methodology.indicators":           {"Les indicateurs", "The indicators"},
	"methodology.definition":           {"Définition", "Definition"},
	"methodology.unit":                 {"Unité", "Unit"},
	"methodology.direction":            {"Sens", "Better when"},
	"methodology.channel":              {"Canal", "Channel"},
	"methodology.min_sample":           {"Publié à partir de", "Published from"},
	"direction.higher":                 {"plus haut, mieux c'est", "higher"},
	"direction.lower":                  {"plus bas, mieux c'est", "lower"},
	"unit.percent":                     {"pourcentage", "percent"},
	"unit.minutes":                     {"minutes", "minutes"},
	"unit.seconds":                     {"secondes", "seconds"},
	"unit.days":                        {"jours calendaires", "calendar days"},
	"unit.working_days":                {"jours ouvrés", "working days"},
	"unit.points":                      {"points", "points"},
	"unit.score":                       {"note", "score"},
	"unit.count":                       {"nombre", "count"},
	"unit.per_100":                     {"pour 100 dossiers en cours", "per 100 open cases"},
	"unit.handoffs":                    {"passages de relais", "hand-offs"},
	"methodology.rules":                {"Les règles", "The rules"},
	"rules.periods.h":                  {"Périodes", "Periods"},
	"rules.periods":                    {"Les périodes (jour, semaine, mois, trimestre, année) sont découpées à l'heure locale de chaque site : une visite à 23 h 30 le 31 mars à Pointe-à-Pitre compte en mars, même s'il est déjà le 1er avril à Paris. Un contact compte dans la période de son arrivée, un dossier dans celle de sa clôture, une réponse d'enquête dans celle où elle a été donnée.", "Periods (day, week, month, quarter, year) are cut in each site's local time: a visit at 11:30 pm on 31 March in Pointe-à-Pitre counts in March, even though it is already 1 April in Paris. A contact counts in the period it arrived in, a case in the period it was completed in, a survey response in the period it was given in."},
	"rules.scopes":                     {"Les résultats d'un département, d'une région ou du pays regroupent tous les événements de leurs sites : ce n'est jamais une moyenne des résultats des sites.", "A department's, a region's or the nation's result pools all the events of its sites: it is never an average of the sites' results."},
	"rules.within.h":                   {"« En N au plus »", "“Within N”"},
	"rules.within":                     {"« En N au plus » signifie inférieur ou égal à N : une attente de 20 minutes pile tient l'engagement de 20 minutes, une attente de 20 minutes et 1 seconde ne le tient pas.", "“Within N” means N or less: a wait of exactly 20 minutes meets the 20-minute commitment, a wait of 20 minutes and 1 second does not."},
	"rules.working_days.h":             {"Jours ouvrés", "Working days"},
	"rules.working_days":               {"Un jour ouvré est un jour du lundi au vendredi qui n'est pas un jour férié de la zone du site. Un délai en jours ouvrés compte les jours ouvrés qui suivent le jour de réception, jusqu'au jour de réponse inclus : une demande reçue un vendredi et traitée le mardi suivant a pris 2 jours ouvrés (le lundi et le mardi) ; traitée le jour même, 0. Un délai en jours calendaires est le nombre de jours entre les deux dates.", "A working day is a day from Monday to Friday that is not a public holiday in the site's zone. A delay in working days counts the working days after the day of receipt, up to and including the day of the reply: a request received on a Friday and handled the next Tuesday took 2 working days (Monday and Tuesday); handled the same day, 0. A delay in calendar days is the number of days between the two dates."},
	"rules.holidays.h":                 {"Jours fériés {year}", "Public holidays in {year}"},
	"rules.holidays":                   {"Les jours fériés de chaque zone : les onze jours nationaux, plus le Vendredi saint et la Saint-Étienne en Alsace-Moselle et la commémoration de l'abolition de l'esclavage dans chaque département d'outre-mer.", "The public holidays of each zone: the eleven national days, plus Good Friday and St Stephen's Day in Alsace-Moselle and the commemoration of the abolition of slavery in each overseas department."},
	"rules.whit_monday_worked":         {"Le lundi de Pentecôte est travaillé (journée de solidarité) : il compte comme un jour ouvré.", "Whit Monday is worked (solidarity day): it counts as a working day."},
	"holidays.date":                    {"Date", "Date"},
	"holidays.name":                    {"Jour férié", "Holiday"},
	"holidays.zones":                   {"Zones", "Zones"},
	"holidays.all_zones":               {"toutes les zones", "every zone"},
	"rules.sample.h":                   {"Échantillon minimum", "Minimum sample"},
	"rules.sample":                     {"Un résultat n'est publié que s'il repose sur assez d'observations : le minimum de chaque indicateur est donné dans sa définition. En dessous, la page indique « données insuffisantes » plutôt qu'un chiffre trop fragile.", "A result is published only when it rests on enough observations: each indicator's minimum is given in its definition. Below it, the page says “not enough data” rather than show a fragile figure."},
	"rules.interval.h":                 {"Marge d'incertitude", "Margin of uncertainty"},
	"rules.interval":                   {"Pour les parts (en %), un intervalle de confiance à 95 % est calculé par la méthode de Wilson : la plage où se trouve la vraie valeur avec une confiance de 95 %, compte tenu du nombre d'observations. Il est d'autant plus étroit que l'échantillon est grand.", "For shares (in %), a 95% confidence interval is computed with the Wilson score method: the range holding the true value with 95% confidence, given the number of observations. The larger the sample, the narrower it is."},
	"rules.quantile.h":                 {"Centiles", "Percentiles"},
	"rules.quantile":                   {"Un centile est calculé exactement, sur toutes les observations, sans approximation : le 90e centile est la plus petite valeur telle qu'au moins 90 % des observations lui sont inférieures ou égales (la ⌈0,9 × n⌉-ième valeur dans l'ordre croissant).", "A percentile is computed exactly, over every observation, with no approximation: the 90th percentile is the smallest value that at least 90% of the observations do not exceed (the ⌈0.9 × n⌉-th value in ascending order)."},
	"rules.status.h":                   {"Objectif atteint ou non", "Target met or missed"},
	"rules.status":                     {"L'objectif est atteint quand le résultat est au moins égal à l'objectif, ou au plus égal quand une valeur plus basse est meilleure (un délai, un taux d'absence). Le statut est toujours écrit en toutes lettres, avec un symbole : ✓ atteint, ✗ non atteint, · données insuffisantes, – pas d'objectif.", "The target is met when the result is at least the target, or at most the target when lower is better (a delay, a no-show rate). The status is always written out, with a symbol: ✓ met, ✗ missed, · not enough data, – no target."},
	"rules.closing.h":                  {"Clôture et révisions", "Closing and revisions"},
	"rules.closing":                    {"À la fin d'une période, la direction la clôt : tous les résultats sont calculés et figés, avec la date et l'auteur de la clôture. Les pages publiques ne montrent que des périodes closes, et leurs chiffres ne changent plus. Si des données arrivent en retard ou sont corrigées, la période peut être close à nouveau : c'est une nouvelle révision, datée ; les pages montrent la dernière et les précédentes restent enregistrées.", "At the end of a period, management closes it: every result is computed and frozen, with the date and who closed it. Public pages show closed periods only, and their figures no longer change. When data arrives late or is corrected, the period may be closed again: that is a new, dated revision; the pages show the latest and the earlier ones stay on record."},
	"history.title":                    {"Historique des clôtures", "Closing history"},
	"history.caption":                  {"Chaque révision de chaque période close", "Every revision of every closed period"},
	"history.period":                   {"Période", "Period"},
	"history.from":                     {"Du", "From"},
	"history.to":                       {"Au", "To"},
	"history.revision":                 {"Révision", "Revision"},
	"history.closed_at":                {"Close le", "Closed on"},
	"history.closed_by":                {"Par", "By"},
	"history.results":                  {"Résultats figés", "Frozen results"},
	"history.none":                     {"Aucune période n'est encore close.", "No period is closed yet."},
	"zone.metropole":                   {"France métropolitaine", "Metropolitan France"},
	"zone.alsace_moselle":              {"Alsace-Moselle", "Alsace-Moselle"},
	"zone.guadeloupe":                  {"Guadeloupe", "Guadeloupe"},
	"zone.martinique":                  {"Martinique", "Martinique"},
	"zone.guyane":                      {"Guyane", "French Guiana"},
	"zone.reunion":                     {"La Réunion", "Réunion"},
	"zone.mayotte":                     {"Mayotte", "Mayotte"},
	"holiday.Nouvel an":                {"Nouvel an", "New Year's Day"},
	"holiday.Vendredi saint":           {"Vendredi saint", "Good Friday"},
	"holiday.Lundi de Pâques":          {"Lundi de Pâques", "Easter Monday"},
	"holiday.Fête du Travail":          {"Fête du Travail", "Labour Day"},
	"holiday.Fête de la Victoire":      {"Fête de la Victoire", "Victory in Europe Day"},
	"holiday.Ascension":                {"Ascension", "Ascension Day"},
	"holiday.Lundi de Pentecôte":       {"Lundi de Pentecôte", "Whit Monday"},
	"holiday.Abolition de l'esclavage": {"Abolition de l'esclavage", "Abolition of slavery"},
	"holiday.Fête Nationale":           {"Fête nationale", "Bastille Day"},
	"holiday.Assomption":               {"Assomption", "Assumption Day"},
	"holiday.Toussaint":                {"Toussaint", "All Saints' Day"},
	"holiday.Armistice de 1918":        {"Armistice de 1918", "Armistice Day"},
	"holiday.Noël":                     {"Noël", "Christmas Day"},
	"holiday.Saint-Étienne":            {"Saint-Étienne", "St Stephen's Day"},
	"weekday.Monday":                   {"lundi", "Monday"},
	"weekday.Tuesday":                  {"mardi", "Tuesday"},
	"weekday.Wednesday":                {"mercredi", "Wednesday"},
	"weekday.Thursday":                 {"jeudi", "Thursday"},
	"weekday.Friday":                   {"vendredi", "Friday"},
	"weekday.Saturday":                 {"samedi", "Saturday"},
	"weekday.Sunday":                   {"dimanche", "Sunday"},
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
	"per_100":      {"/100", "/100"},
	"handoffs":     {"", ""},
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
