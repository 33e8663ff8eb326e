package pages

import (
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"globaloffice/model"
)

// siteRow is one site in a list.
type siteRow struct {
	ID, Name, Kind, Department, Region string
}

type sitesData struct {
	Q       string
	Caption string
	Empty   string // said when nothing matches
	Sites   []siteRow
}

// maxQuery bounds the search text: a longer one is cut, not refused.
const maxQuery = 100

// sites is /sites: a search form (?q=) and the matching sites, each linked
// to its results page; without q, every site.
func (p *Pages) sites(c *gin.Context) {
	lg := lang(c)
	all, err := p.d.Engine.Sites(c.Request.Context())
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	q := strings.TrimSpace(c.Query("q"))
	if r := []rune(q); len(r) > maxQuery {
		q = string(r[:maxQuery])
	}
	m := newMatcher(q)
	data := sitesData{Q: q}
	for _, s := range all {
		if m.matches(s) {
			data.Sites = append(data.Sites, rowOf(lg, s))
		}
	}
	slices.SortStableFunc(data.Sites, func(a, b siteRow) int { return strings.Compare(fold(a.Name), fold(b.Name)) })
	switch {
	case q == "":
		data.Caption = t(lg, "sites.all") + " (" + number(lg, float64(len(data.Sites)), 0) + ")"
	case len(data.Sites) == 0:
		data.Empty = strings.ReplaceAll(t(lg, "sites.none"), "{q}", q)
	default:
		data.Caption = strings.ReplaceAll(t(lg, "sites.found"), "{q}", q) + " (" + number(lg, float64(len(data.Sites)), 0) + ")"
	}
	publicPage(c)
	p.render(c, http.StatusOK, "sites", lg, t(lg, "sites.title"), "sites", data)
}

// publicPage marks an answer that any cache may keep for five minutes, per
// language: the language may come from Accept-Language.
func publicPage(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Vary", "Accept-Language")
}

// rowOf is a site as the lists show it.
func rowOf(lg string, s model.Site) siteRow {
	return siteRow{ID: s.ID, Name: s.Name, Kind: kindName(lg, s.Kind), Department: departmentName(s.Department), Region: regionName(s.Region)}
}

// kindName is a site kind in words.
func kindName(lg string, k model.SiteKind) string {
	if _, ok := messages["kind."+string(k)]; ok {
		return t(lg, "kind."+string(k))
	}
	return string(k)
}

// matcher finds sites by what people type: a department or region code
// alone ("67", "2A", "11") matches that department or region; otherwise
// every word must appear in the site's id, name, department name or region
// name, whatever the case, accents and punctuation ("bas rhin" finds
// Bas-Rhin, "creteil" Créteil).
type matcher struct {
	code  string
	words []string
}

func newMatcher(q string) matcher {
	return matcher{code: strings.ToUpper(strings.TrimSpace(q)), words: strings.Fields(fold(q))}
}

func (m matcher) matches(s model.Site) bool {
	if m.code == "" {
		return true
	}
	if m.code == s.Department || m.code == s.Region {
		return true
	}
	hay := fold(s.ID + " " + s.Name + " " + departmentNames[s.Department] + " " + regionNames[s.Region])
	for _, w := range m.words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return len(m.words) > 0
}

// foldRunes are the accented letters of French (and a few neighbours)
// without their accents.
var foldRunes = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a", 'ç': "c",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o", 'ù': "u", 'û': "u", 'ü': "u", 'ú': "u",
	'ÿ': "y", 'ñ': "n", 'œ': "oe", 'æ': "ae",
}

// fold is s in lower case without accents, every run of other than letters
// and digits one space: "Saint-Denis de La Réunion" → "saint denis de la
// reunion".
func fold(s string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		switch f, ok := foldRunes[r]; {
		case ok:
			b.WriteString(f)
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case !space:
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
