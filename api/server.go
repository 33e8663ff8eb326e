package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gin-gonic/gin"

	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/problem"
	"globaloffice/store"
)

// Server is what the REST API reads and writes.
type Server struct {
	Engine  *indicators.Engine // with CacheFor set: closed results are served from memory
	DB      *store.DB
	Keyring *auth.Keyring
	Log     *slog.Logger
	Now     func() time.Time
	Limits  Limits

	bodies    *bodySlots
	anonymous *clientLimits
}

// principalOf is the caller of a request, set by authenticate (the
// public when none is).
func principalOf(ctx context.Context) auth.Principal {
	p, _ := auth.FromContext(ctx)
	return p
}

// authenticate finds the caller from the bearer token, or the anonymous
// public without one. A token that is malformed, unknown, revoked or
// expired is a 401: it never falls back to the public's view.
func (s *Server) authenticate(c *gin.Context) {
	p := auth.Anonymous
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			c.Header("WWW-Authenticate", `Bearer realm="globaloffice"`)
			problem.Write(c.Writer, http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer TOKEN (globaloffice tokens create)")
			c.Abort()
			return
		}
		var err error
		p, err = s.Keyring.Authenticate(c.Request.Context(), secret)
		switch {
		case errors.Is(err, auth.ErrUnknownToken), errors.Is(err, auth.ErrRevoked), errors.Is(err, auth.ErrExpired):
			c.Header("WWW-Authenticate", `Bearer realm="globaloffice", error="invalid_token"`)
			problem.Write(c.Writer, http.StatusUnauthorized, "unauthorized", err.Error())
			c.Abort()
			return
		case err != nil:
			s.logger().Error("check token", "err", err)
			c.Header("Retry-After", "5")
			problem.Write(c.Writer, http.StatusServiceUnavailable, "unavailable", "tokens cannot be checked right now; try again")
			c.Abort()
			return
		}
	}
	c.Request = c.Request.WithContext(auth.NewContext(c.Request.Context(), p))
	c.Next()
}

func (s *Server) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// need lets a caller through when allowed: otherwise 401 for the public
// (a token would help), 403 for a token that may not.
func need(p auth.Principal, allowed bool, what string) error {
	switch {
	case allowed:
		return nil
	case p.IsAnonymous():
		return huma.ErrorWithHeaders(huma.Error401Unauthorized(what+" needs a token"), http.Header{"WWW-Authenticate": {`Bearer realm="globaloffice"`}})
	}
	return huma.Error403Forbidden(what + " is not allowed for this token")
}

// unavailable logs an internal error and answers 503 without its text:
// clients never see internal errors.
func (s *Server) unavailable(ctx context.Context, what string, err error) error {
	s.logger().ErrorContext(ctx, what, "err", err)
	return huma.ErrorWithHeaders(huma.Error503ServiceUnavailable(what+" is not possible right now; try again"), http.Header{"Retry-After": {"5"}})
}

// Page bounds a list: page numbers from 1, at most 1,000 items a page.
type Page struct {
	Page  int `query:"page" minimum:"1" default:"1" doc:"page number, from 1"`
	Limit int `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"items per page"`
}

// PageInfo tells where a page is in its list.
type PageInfo struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total" doc:"items in the whole list"`
}

// paginate cuts one page out of a list.
func paginate[T any](items []T, p Page) ([]T, PageInfo) {
	info := PageInfo{Page: max(p.Page, 1), Limit: max(p.Limit, 1), Total: len(items)}
	from := min((info.Page-1)*info.Limit, len(items))
	to := min(from+info.Limit, len(items))
	out := items[from:to]
	if out == nil {
		out = []T{}
	}
	return out, info
}
