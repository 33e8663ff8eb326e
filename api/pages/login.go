package pages

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"globaloffice/auth"
	"globaloffice/indicators"
)

// cookieName is the session cookie's; it holds a random session id, never
// the token.
const cookieName = "globaloffice_session"

type loginData struct {
	Next  string // where to go once signed in (a local path)
	Error string // why the last attempt failed, in words; "" none
}

// loginForm is GET /login: the form that exchanges a token for a session.
func (p *Pages) loginForm(c *gin.Context) {
	lg := lang(c)
	c.Header("Cache-Control", "no-store")
	p.render(c, http.StatusOK, "login", lg, t(lg, "login.title"), "scorecard", loginData{Next: safeNext(c.Query("next"), lg)})
}

// login is POST /login: a valid token of a role that reads results opens a
// session and goes on to next; anything else shows the form again, saying
// no more than that the token was refused.
func (p *Pages) login(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 8<<10)
	lg := formLang(c)
	next := safeNext(c.PostForm("next"), lg)
	c.Header("Cache-Control", "no-store")
	again := func(status int, msg string) {
		p.render(c, status, "login", lg, t(lg, "login.title"), "scorecard", loginData{Next: next, Error: msg})
	}
	if !sameOrigin(c.Request) {
		again(http.StatusForbidden, t(lg, "login.cross_site"))
		return
	}
	client, now := c.ClientIP(), time.Now()
	if wait, limited := p.fails.limited(client, now); limited {
		c.Header("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		again(http.StatusTooManyRequests, t(lg, "login.too_many"))
		return
	}
	pr, err := p.d.Keyring.Authenticate(c.Request.Context(), strings.TrimSpace(c.PostForm("token")))
	switch {
	case errors.Is(err, auth.ErrUnknownToken), errors.Is(err, auth.ErrRevoked), errors.Is(err, auth.ErrExpired):
		p.fails.failed(client, now)
		again(http.StatusUnauthorized, t(lg, "login.refused"))
		return
	case err != nil:
		p.failed(c, lg, err)
		return
	case !pr.ReadsResults():
		again(http.StatusForbidden, t(lg, "login.not_allowed"))
		return
	}
	id, err := p.sess.open(pr.TokenID)
	if err != nil {
		p.failed(c, lg, err)
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: cookieName, Value: id, Path: "/", MaxAge: int(p.sess.max / time.Second),
		HttpOnly: true, Secure: overTLS(c.Request), SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, next)
}

// logout is POST /logout: the session ends here and in the browser.
func (p *Pages) logout(c *gin.Context) {
	lg := formLang(c)
	c.Header("Cache-Control", "no-store")
	if !sameOrigin(c.Request) {
		p.render(c, http.StatusForbidden, "error", lg, t(lg, "error.title"), "", t(lg, "login.cross_site"))
		return
	}
	if ck, err := c.Request.Cookie(cookieName); err == nil {
		p.sess.close(ck.Value)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: overTLS(c.Request), SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, "/login?lang="+lg)
}

// signedIn is the principal of the request's session, false without a
// live one. The token is checked on every request, so a revoked or
// expired token ends its sessions; an error is the keyring's (the database
// away before any load).
func (p *Pages) signedIn(c *gin.Context) (auth.Principal, bool, error) {
	ck, err := c.Request.Cookie(cookieName)
	if err != nil {
		return auth.Anonymous, false, nil
	}
	id, ok := p.sess.token(ck.Value)
	if !ok {
		return auth.Anonymous, false, nil
	}
	pr, err := p.d.Keyring.ByID(c.Request.Context(), id)
	switch {
	case errors.Is(err, auth.ErrUnknownToken), errors.Is(err, auth.ErrRevoked), errors.Is(err, auth.ErrExpired):
		p.sess.close(ck.Value)
		return auth.Anonymous, false, nil
	case err != nil:
		return auth.Anonymous, false, err
	}
	return pr, true, nil
}

// toLogin sends a visitor without a session to the login, to come back to
// the page asked for, in the same language.
func (p *Pages) toLogin(c *gin.Context, lg string) {
	next := strings.ReplaceAll(url.QueryEscape(c.Request.URL.RequestURI()), "%2F", "/")
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, "/login?next="+next+"&lang="+lg)
}

// formLang is the language of a posted form (its lang field), else as for
// any page.
func formLang(c *gin.Context) string {
	switch l := c.PostForm("lang"); l {
	case indicators.FR, indicators.EN:
		return l
	}
	return lang(c)
}

// safeNext is where to go after the login: a local path only ("/…", not
// "//host" nor "/\host", which browsers take for another site), else the
// scorecard — never an open redirect.
func safeNext(raw, lg string) string {
	home := "/scorecard?lang=" + lg
	if raw == "" || len(raw) > 2000 || !strings.HasPrefix(raw, "/") || strings.HasPrefix(raw, "//") ||
		strings.ContainsRune(raw, '\\') || strings.ContainsFunc(raw, unicode.IsControl) {
		return home
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return raw
}

// crossOrigin refuses cross-site browser POSTs from Sec-Fetch-Site or
// Origin (net/http's CSRF protection).
var crossOrigin = http.NewCrossOriginProtection()

// sameOrigin tells whether a POST comes from this site's own pages: the
// session cookie is SameSite=Strict already; this also refuses a request
// whose Sec-Fetch-Site, Origin or, without either, Referer names another
// site.
func sameOrigin(r *http.Request) bool {
	if crossOrigin.Check(r) != nil {
		return false
	}
	if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
		if ref := r.Header.Get("Referer"); ref != "" {
			u, err := url.Parse(ref)
			return err == nil && u.Host == r.Host
		}
	}
	return true
}

// overTLS tells whether the browser reached us over HTTPS, directly or
// through a proxy that says so: the cookie is then Secure. A client that
// lies in X-Forwarded-Proto only loses its own session.
func overTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
