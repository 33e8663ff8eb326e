package api_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// cookieClient is a client that keeps its cookies, as a browser does, and does
// not follow redirects, so that a test sees each answer.
type cookieClient struct {
	e *env
	c *http.Client
}

func (e *env) client() *cookieClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &cookieClient{e, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes a request with the client's cookies; headers are name,
// value pairs.
func (b *cookieClient) send(method, path string, form url.Values, headers ...string) response {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, out}
}

func (b *cookieClient) get(path string, headers ...string) response {
	b.e.t.Helper()
	return b.send("GET", path, nil, headers...)
}

// login posts a token of the fixture by name (or a raw secret) as the
// login form does.
func (b *cookieClient) login(token, next string, headers ...string) response {
	b.e.t.Helper()
	secret, ok := b.e.tokens[token]
	if !ok {
		secret = token
	}
	return b.send("POST", "/login", url.Values{"token": {secret}, "next": {next}}, headers...)
}

// sessionCookie is the session cookie an answer sets.
func sessionCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, line := range r.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == "globaloffice_session" {
			return c
		}
	}
	return nil
}

// row is the HTML of a scorecard row, "" when absent.
func row(body, scope string) string {
	_, rest, ok := strings.Cut(body, `<tr data-scope="`+scope+`"`)
	if !ok {
		return ""
	}
	end := strings.Index(rest, "</tr>")
	return rest[:end]
}

// cell is the HTML of a row's cell for an indicator, from its class to its
// end, "" when absent.
func cell(row, indicator string) string {
	before, rest, ok := strings.Cut(row, `" data-indicator="`+indicator+`">`)
	if !ok {
		return ""
	}
	class := before[strings.LastIndex(before, `<td class="`)+len(`<td class="`):]
	return class + "|" + rest[:strings.Index(rest, "</td>")]
}

// contains checks that s holds each of wants, as written in the HTML or
// as text once unescaped (apostrophes are &#39; there).
func contains(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) && !strings.Contains(html.UnescapeString(s), w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// TestScorecardLogin: the scorecard needs a session; the login exchanges
// a results-reading token for a random session id in an HttpOnly,
// SameSite=Strict cookie, refuses any other token without saying why, and
// goes back only to a local path.
func TestScorecardLogin(t *testing.T) {
	e := newEnv(t)
	b := e.client()

	// No session: to the login, coming back to the same page and language.
	r := b.get("/scorecard?period=2026-05&lang=en")
	if r.status != 303 || r.header.Get("Location") != "/login?next=/scorecard%3Fperiod%3D2026-05%26lang%3Den&lang=en" {
		t.Fatalf("no session: %d %q", r.status, r.header.Get("Location"))
	}
	r = b.get(r.header.Get("Location"))
	if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login form: %d %q", r.status, r.header.Get("Cache-Control"))
	}
	contains(t, "the login form", string(r.body), `<form id="login" method="post" action="/login"`, `<input id="token" name="token" type="password"`,
		`<label for="token">Access token</label>`, `name="next" value="/scorecard?period=2026-05&amp;lang=en"`, `<html lang="en">`)

	// Refused tokens: the form again, 401, the same words whatever the
	// reason, and no cookie.
	var refusal string
	for _, tok := range []string{"gof_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "not a token", "revoked", "expired", ""} {
		r := b.login(tok, "")
		if r.status != 401 || sessionCookie(t, r) != nil {
			t.Fatalf("token %q: %d, cookie %v", tok, r.status, sessionCookie(t, r))
		}
		body := string(r.body)
		contains(t, "a refusal", body, `<form id="login"`, "Ce jeton n'est pas accepté.")
		_, msg, _ := strings.Cut(body, `id="login-error"`)
		msg, _, _ = strings.Cut(msg, "</p>")
		if refusal == "" {
			refusal = msg
		} else if msg != refusal {
			t.Errorf("token %q: refused with %q, others with %q", tok, msg, refusal)
		}
	}
	// A collector's token is valid but opens nothing here.
	if r := b.login("collector", ""); r.status != 403 || sessionCookie(t, r) != nil || !strings.Contains(string(r.body), "ne donne pas accès au tableau de bord") {
		t.Fatalf("collector: %d %s", r.status, r.body)
	}
	if r := b.get("/scorecard"); r.status != 303 {
		t.Fatalf("after a refused login: %d", r.status)
	}

	// The director's token: a session cookie, never the token.
	r = b.login("director", "/scorecard?period=2026-05&lang=en")
	ck := sessionCookie(t, r)
	if r.status != 303 || r.header.Get("Location") != "/scorecard?period=2026-05&lang=en" || ck == nil {
		t.Fatalf("director: %d %q %v", r.status, r.header.Get("Location"), ck)
	}
	// 32 random bytes in unpadded base64url; valid for the 24 h maximum.
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure || len(ck.Value) != 43 ||
		strings.Contains(ck.Value, e.tokens["director"][4:]) || ck.MaxAge != 24*3600 {
		t.Errorf("cookie %+v", ck)
	}
	if r := b.get("/scorecard?period=2026-05&lang=en"); r.status != 200 || !strings.Contains(string(r.body), `<table id="scorecard"`) {
		t.Fatalf("signed in: %d", r.status)
	}
	// Over TLS (here as a proxy says it), the cookie is Secure too.
	if ck := sessionCookie(t, e.client().login("director", "", "X-Forwarded-Proto", "https")); ck == nil || !ck.Secure {
		t.Errorf("over TLS: %+v", ck)
	}

	// Logout ends the session in the server, not only in the cookieClient.
	r = b.send("POST", "/logout", url.Values{"lang": {"en"}})
	if r.status != 303 || r.header.Get("Location") != "/login?lang=en" {
		t.Fatalf("logout: %d %q", r.status, r.header.Get("Location"))
	}
	if gone := sessionCookie(t, r); gone == nil || gone.MaxAge >= 0 {
		t.Errorf("logout leaves the cookie: %+v", gone)
	}
	if r := b.get("/scorecard"); r.status != 303 {
		t.Errorf("after logout: %d", r.status)
	}
	if r := e.client().get("/scorecard", "Cookie", "globaloffice_session="+ck.Value); r.status != 303 {
		t.Errorf("the old session id still opens the scorecard: %d", r.status)
	}

	// Only a local path is followed after the login: never another site.
	for _, tc := range []struct{ next, want string }{
		{"//evil.example/x", "/scorecard?lang=fr"},
		{"https://evil.example/", "/scorecard?lang=fr"},
		{`/\evil.example`, "/scorecard?lang=fr"},
		{"/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"}, // escaped: a local path
		{"scorecard", "/scorecard?lang=fr"},
		{"", "/scorecard?lang=fr"},
		{"/scorecard?scope=region:11&lang=en", "/scorecard?scope=region:11&lang=en"},
	} {
		if r := e.client().login("director", tc.next); r.status != 303 || r.header.Get("Location") != tc.want {
			t.Errorf("next %q: %d %q, want %q", tc.next, r.status, r.header.Get("Location"), tc.want)
		}
	}
	if r := e.client().get("/login?next=//evil.example"); !strings.Contains(string(r.body), `name="next" value="/scorecard?lang=fr"`) {
		t.Errorf("the form keeps a foreign next")
	}

	// Cross-site POSTs are refused, whichever header tells it.
	for _, h := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Referer", "https://evil.example/page"}, {"Origin", "null"}} {
		if r := e.client().login("director", "", h...); r.status != 403 || sessionCookie(t, r) != nil {
			t.Errorf("login with %v: %d", h, r.status)
		}
	}
	if r := e.client().login("director", "", "Origin", e.srv.URL, "Sec-Fetch-Site", "same-origin"); r.status != 303 {
		t.Errorf("a same-origin login: %d", r.status)
	}
	b = e.client()
	b.login("director", "")
	if r := b.send("POST", "/logout", url.Values{}, "Sec-Fetch-Site", "cross-site"); r.status != 403 {
		t.Errorf("cross-site logout: %d", r.status)
	}
	if r := b.get("/scorecard"); r.status != 200 {
		t.Errorf("a refused logout ended the session: %d", r.status)
	}
}

// TestScorecardRevokedToken: revoking a token ends its sessions at the
// next request.
func TestScorecardRevokedToken(t *testing.T) {
	e := newEnv(t)
	var created struct {
		Token struct {
			ID string `json:"id"`
		} `json:"token"`
		Secret string `json:"secret"`
	}
	r := e.do("POST", "/api/v1/tokens", "admin", `{"role":"director","name":"session test"}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r.decode(t, &created)
	b := e.client()
	if r := b.login(created.Secret, ""); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	r = b.get("/scorecard")
	if r.status != 200 {
		t.Fatalf("before revoking: %d", r.status)
	}
	contains(t, "the session bar", string(r.body), "session test ("+created.Token.ID+")", `<form id="logout" method="post" action="/logout">`)
	if r := e.do("DELETE", "/api/v1/tokens/"+created.Token.ID, "admin", ""); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := b.get("/scorecard"); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/login?next=/scorecard") {
		t.Fatalf("after revoking: %d %q", r.status, r.header.Get("Location"))
	}
}

// TestScorecardLoginRate: ten failed logins from an address, then one
// every 6 s: the eleventh waits, even with a good token.
func TestScorecardLoginRate(t *testing.T) {
	e := newEnv(t)
	b := e.client()
	for i := range 10 {
		if r := b.login("gof_nope", ""); r.status != 401 {
			t.Fatalf("failure %d: %d", i+1, r.status)
		}
	}
	r := b.login("director", "")
	if r.status != 429 || r.header.Get("Retry-After") == "" || sessionCookie(t, r) != nil || !strings.Contains(html.UnescapeString(string(r.body)), "Trop d'essais") {
		t.Fatalf("eleventh: %d %q", r.status, r.header.Get("Retry-After"))
	}
}

// TestScorecardDirector: a director sees every scope, drills down from
// the nation to a department, and reads each cell's value, status in words
// and symbol, interval, trend and, for a year to date, what the rest of
// the year needs; live periods say they are provisional.
func TestScorecardDirector(t *testing.T) {
	e := newEnv(t)
	b := e.client()
	b.login("director", "")

	// No period: the last closed one, May 2026; the nation's row, then its
	// regions. May: 9 + 7 + 4 = 20 of 25 within 20 minutes = 80.0%, met
	// against 80 (≥).
	r := b.get("/scorecard")
	body := string(r.body)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, body)
	}
	contains(t, "the national scorecard", body, `<table id="scorecard"`, "<caption", `<th scope="col" data-indicator="reception.wait_20min">`,
		`<tr data-scope="national" class="own">`, `<tr data-scope="region:11">`, `<tr data-scope="region:44">`,
		`<a href="/scorecard?scope=region:11&amp;period=2026-05&amp;lang=fr">Région 11</a>`, `<option value="2026-05" selected>`,
		`<option value="2026-11">`, `<option value="2026-ytd">`, "✓ Période close le", `<form id="period-form"`)
	if c := cell(row(body, "national"), "reception.wait_20min"); !strings.HasPrefix(c, "cell met|") || !strings.Contains(c, "80,0\u00a0%") || !strings.Contains(c, "✓ Objectif atteint") {
		t.Errorf("national cell: %s", c)
	}
	if strings.Contains(body, "provisoire)</caption>") || strings.Contains(body, `class="provenance provisional"`) {
		t.Error("a closed period is marked provisional")
	}

	// Department 75: its own row, then PAR-18 (7 of 10 = 70.0%, missed
	// against the national 80; Wilson 95%: 39.7–89.2) before PAR-11 (9 of
	// 10 = 90.0%, met; 59.6–98.2). The department pools 16 of 20 = 80.0%.
	r = b.get("/scorecard?scope=department:75&period=2026-05")
	body = string(r.body)
	own, p18, p11 := strings.Index(body, `data-scope="department:75"`), strings.Index(body, `data-scope="site:PAR-18"`), strings.Index(body, `data-scope="site:PAR-11"`)
	if own < 0 || p18 < own || p11 < p18 {
		t.Fatalf("rows in order department, PAR-18, PAR-11: %d %d %d\n%s", own, p18, p11, body)
	}
	f := func(scope, want string, parts ...string) {
		t.Helper()
		c := cell(row(body, scope), "reception.wait_20min")
		if !strings.HasPrefix(c, want+"|") {
			t.Errorf("%s: class of %q, want %q", scope, c, want)
		}
		contains(t, scope, c, parts...)
	}
	f("site:PAR-18", "cell missed", "70,0\u00a0%", "✗ Objectif non atteint", "Objectif 80,0\u00a0%", "IC 95 % : 39,7–89,2\u00a0%")
	f("site:PAR-11", "cell met", "90,0\u00a0%", "✓ Objectif atteint", "IC 95 % : 59,6–98,2\u00a0%")
	f("department:75", "cell met", "80,0\u00a0%", "✓ Objectif atteint", "IC 95 % : 58,4–91,9\u00a0%")
	// Its spread: PAR-11 90 and PAR-18 70, both with 10 visits; nearest
	// rank p10 ⌈0.2⌉ = 1st, median ⌈1⌉ = 1st, p90 ⌈1.8⌉ = 2nd; PAR-18
	// missed. Sites' own cells have none.
	f("department:75", "cell met", "Sites à échantillon suffisant : 2 — min 70,0\u00a0% · 10e centile 70,0\u00a0% · médiane 70,0\u00a0% · 90e centile 90,0\u00a0% · max 90,0\u00a0% ; 1 hors objectif")
	if strings.Contains(row(body, "site:PAR-18"), `class="spread"`) {
		t.Error("a site's cell shows a spread")
	}
	contains(t, "PAR-18's row", row(body, "site:PAR-18"), "1 objectif non atteint", `<a href="/sites/PAR-18?lang=fr">Paris 18 (PAR-18)</a>`)
	contains(t, "the breadcrumb", body, `<a href="/scorecard?scope=national&amp;period=2026-05&amp;lang=fr">National</a>`,
		`<a href="/scorecard?scope=region:11&amp;period=2026-05&amp;lang=fr">Région 11</a>`, `<span aria-current="page">Département 75</span>`)
	if strings.Contains(body, "STR-67") {
		t.Error("department 75 shows Strasbourg")
	}

	// June is not closed: live and provisional. PAR-11: 10 of 10 = 100.0%,
	// up from 90.0% in May, better; PAR-18 has no June visit.
	r = b.get("/scorecard?scope=department:75&period=2026-06")
	body = string(r.body)
	contains(t, "a live period", body, `id="provenance" class="provenance provisional"`, "⚠ Chiffres provisoires", "— 2026-06 (provisoire)</caption>",
		`<optgroup label="Période demandée">`)
	f("site:PAR-11", "cell met", "100,0\u00a0%", "↑ en hausse (mieux) · avant : 90,0\u00a0%")
	f("site:PAR-18", "cell none", "· Données insuffisantes")

	// Year to date (1 January – 27 November 2026: 331 days, 34 left), with
	// the national target of 80 for the year; the rest of the year's
	// population is projected as R = D × 34 / 331:
	// - the nation: N = 30 of D = 35 (85.7%), R = 3.595; the rest must reach
	//   (80 × 38.595 − 3000) / 3.595 = 24.4%;
	// - PAR-18: 7 of 10, R = 1.027: (80 × 11.027 − 700) / 1.027 = 172.5%,
	//   beyond 100: out of reach;
	// - PAR-11: 19 of 20, R = 2.054: (80 × 22.054 − 1900) / 2.054 = −66.0:
	//   already secured.
	r = b.get("/scorecard?period=2026-ytd")
	body = string(r.body)
	contains(t, "the year to date", body, "(provisoire)</caption>", `<option value="2026-ytd" selected>`)
	if c := cell(row(body, "national"), "reception.wait_20min"); !strings.Contains(c, "85,7\u00a0%") || !strings.Contains(html.UnescapeString(c), "Reste de l'année : au moins 24,4\u00a0%") {
		t.Errorf("national year to date: %s", c)
	}
	body = string(b.get("/scorecard?period=2026-ytd&scope=department:75").body)
	f("site:PAR-18", "cell missed", "Reste de l'année : objectif hors d'atteinte")
	f("site:PAR-11", "cell met", "95,0\u00a0%", "Reste de l'année : objectif déjà assuré")

	// Twelve rolling months ending June 2026 (July 2025 – June 2026): PAR-11
	// 9 of 10 in May and 10 of 10 in June = 19 of 20 = 95.0%, up from 90.0%
	// over the twelve months ending May (its previous point); the picker
	// offers the twelve months ending this month.
	body = string(b.get("/scorecard?scope=department:75&period=2026-06-r12").body)
	contains(t, "twelve rolling months", body, "— 2026-06-r12 (provisoire)</caption>", `<option value="2026-11-r12">2026-11-r12 — 12 mois glissants (provisoire)</option>`)
	f("site:PAR-11", "cell met", "95,0\u00a0%", "↑ en hausse (mieux) · avant : 90,0\u00a0%")

	// English labels, by ?lang=en or Accept-Language.
	body = string(b.get("/scorecard?scope=department:75&period=2026-05&lang=en").body)
	contains(t, "the English scorecard", body, `<html lang="en">`, "<h1>Scorecard</h1>", "✓ Period closed on", "Sign out",
		`<span aria-current="page">Department 75</span>`, "1 target missed")
	f("site:PAR-18", "cell missed", "70.0%", "✗ Target missed", "95% CI: 39.7–89.2%")
	if got := string(b.get("/scorecard", "Accept-Language", "en-GB,en;q=0.8").body); !strings.Contains(got, `<html lang="en">`) {
		t.Error("Accept-Language: en is not followed")
	}

	// Malformed periods and scopes say so; a scope without sites is a 404.
	for _, tc := range []struct {
		q    string
		code int
		want string
	}{
		{"period=2026-13", 400, "Période inconnue"},
		{"period=2026-05&scope=site:PAR-11", 400, "Périmètre inconnu"},
		{"period=2026-05&scope=region:99", 404, "Aucun site dans ce périmètre"},
	} {
		if r := b.get("/scorecard?" + tc.q); r.status != tc.code || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("%s: %d, want %d %q", tc.q, r.status, tc.code, tc.want)
		}
	}
}

// TestScorecardManager: a manager of PAR-11 sees its site's row and the
// scopes above it as the public sees them, never another site.
func TestScorecardManager(t *testing.T) {
	e := newEnv(t)
	b := e.client()
	if r := b.login("manager", ""); r.status != 303 {
		t.Fatalf("login: %d", r.status)
	}
	for _, q := range []string{"", "?scope=region:11", "?scope=department:75", "?scope=region:44", "?scope=department:67", "?scope=department:75&period=2026-06", "?period=2026-ytd"} {
		r := b.get("/scorecard" + q)
		body := string(r.body)
		if r.status != 200 {
			t.Fatalf("%s: %d", q, r.status)
		}
		for _, never := range []string{"PAR-18", "Paris 18", "STR-67", "Strasbourg", `data-scope="region:44"`, `data-scope="department:67"`} {
			if strings.Contains(body, never) {
				t.Errorf("%s: a manager of PAR-11 sees %q", q, never)
			}
		}
	}
	// Department 75 in May: the department as the public sees it (published
	// and closed: 16 of 20 = 80.0%), then PAR-11 only (9 of 10 = 90.0%),
	// with its unpublished indicators too.
	body := string(b.get("/scorecard?scope=department:75&period=2026-05").body)
	contains(t, "the manager's department", body, "responsable de site · PAR-11")
	if c := cell(row(body, "department:75"), "reception.wait_20min"); !strings.Contains(c, "80,0\u00a0%") {
		t.Errorf("department 75: %s", c)
	}
	if c := cell(row(body, "site:PAR-11"), "reception.wait_20min"); !strings.HasPrefix(c, "cell met|") || !strings.Contains(c, "90,0\u00a0%") {
		t.Errorf("PAR-11: %s", c)
	}
	if c := cell(row(body, "site:PAR-11"), "reception.wait_p90"); c == "" {
		t.Error("the manager does not see its site's unpublished indicator")
	}
	if c := cell(row(body, "department:75"), "reception.wait_p90"); !strings.HasPrefix(c, "cell none|") || strings.Contains(c, "min") {
		t.Errorf("the manager sees the department's unpublished indicator: %s", c)
	}
	// Live June: the department's figures are not the public's (not
	// closed), so only PAR-11's row.
	body = string(b.get("/scorecard?scope=department:75&period=2026-06").body)
	if row(body, "department:75") != "" || !strings.Contains(cell(row(body, "site:PAR-11"), "reception.wait_20min"), "100,0\u00a0%") {
		t.Errorf("live June for a manager:\n%s", body)
	}
}
