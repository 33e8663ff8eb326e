package auth

import (
	"context"
	"errors"
	"slices"

	"globaloffice/model"
)

// Errors of authentication; each is a 401.
var (
	ErrUnknownToken = errors.New("unknown token")
	ErrRevoked      = errors.New("token revoked")
	ErrExpired      = errors.New("token expired")
)

// Principal is who makes a request.
type Principal struct {
	TokenID string     // empty: the anonymous public
	Name    string     // the token's name
	Role    model.Role // empty: the anonymous public
	Sites   []string   // manager: its sites; collector: where it may write (empty: anywhere)
	Sources []string   // collector: what it may write as (empty: any source)
}

// Anonymous is the public.
var Anonymous = Principal{}

// PrincipalOf is the principal of a token.
func PrincipalOf(t model.Token) Principal {
	return Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, Sites: t.Sites, Sources: t.Sources}
}

// IsAnonymous tells whether the caller has no token.
func (p Principal) IsAnonymous() bool { return p.Role == "" }

// Who names the caller for records of who did what (targets, closings).
func (p Principal) Who() string {
	if p.IsAnonymous() {
		return "anonymous"
	}
	if p.Name != "" {
		return p.Name + " (" + p.TokenID + ")"
	}
	return p.TokenID
}

// ReadsAll tells whether the caller reads every site, every indicator and
// live figures: admins and directors.
func (p Principal) ReadsAll() bool {
	return p.Role == model.RoleAdmin || p.Role == model.RoleDirector
}

// ReadsResults tells whether the caller may read results at all (the
// public reads published, closed ones; collectors none).
func (p Principal) ReadsResults() bool { return p.Role != model.RoleCollector }

// ReadsLive tells whether the caller may read live figures of a period:
// anyone with a results-reading token (managers: of their sites).
func (p Principal) ReadsLive() bool { return !p.IsAnonymous() && p.ReadsResults() }

// ReadsSite tells whether the caller may read a site's own figures and
// personal data (survey comments): every site for admins and directors,
// their sites for managers.
func (p Principal) ReadsSite(id string) bool {
	switch p.Role {
	case model.RoleAdmin, model.RoleDirector:
		return true
	case model.RoleManager:
		return slices.Contains(p.Sites, id)
	}
	return false
}

// SeesResult tells whether a result of a scope is visible to the caller:
// anonymous callers see only published indicators of closed periods with
// enough sample; managers all of their sites' results, no other site's, and
// the public's view of departments, regions and the nation; admins and
// directors everything.
func (p Principal) SeesResult(scope model.ScopeKind, scopeID string, published, closed, enoughSample bool) bool {
	switch {
	case p.ReadsAll():
		return true
	case p.Role == model.RoleManager && scope == model.ScopeSite:
		return p.ReadsSite(scopeID)
	case p.Role == model.RoleCollector:
		return false
	}
	return published && closed && enoughSample
}

// SeesIndicator tells whether an indicator's definition is listed to the
// caller: the public sees the published ones.
func (p Principal) SeesIndicator(published bool) bool {
	return published || (!p.IsAnonymous() && p.Role != model.RoleCollector)
}

// Writes tells whether the caller may send records at all.
func (p Principal) Writes() bool {
	return p.Role == model.RoleAdmin || p.Role == model.RoleCollector
}

// MayWrite tells whether the caller may send a record of a source for a
// site: a collector limited to sources or sites may not write for others.
func (p Principal) MayWrite(source, site string) bool {
	switch p.Role {
	case model.RoleAdmin:
		return true
	case model.RoleCollector:
		return (len(p.Sources) == 0 || slices.Contains(p.Sources, source)) &&
			(len(p.Sites) == 0 || slices.Contains(p.Sites, site))
	}
	return false
}

// Refuses names the field, "source" or "site", for which the caller may not
// send a record, or "" when it may (see MayWrite).
func (p Principal) Refuses(source, site string) string {
	switch {
	case p.MayWrite(source, site):
		return ""
	case p.Role == model.RoleCollector && len(p.Sources) > 0 && !slices.Contains(p.Sources, source):
		return "source"
	case p.Role == model.RoleCollector:
		return "site"
	}
	return "source"
}

// ReadsRejects tells whether the caller may list refused records (whose
// raw text may hold personal data): admins all, collectors their own,
// without the raw text (ReadsRawRejects).
func (p Principal) ReadsRejects() bool {
	return p.Role == model.RoleAdmin || p.Role == model.RoleCollector
}

// ReadsRawRejects tells whether the caller may read the raw text of
// refused records, which keeps what the record held as sent (caller
// numbers of calls still in progress, user references before
// pseudonymisation): admins only. Collectors list their rejects without it.
func (p Principal) ReadsRawRejects() bool { return p.Role == model.RoleAdmin }

// ReadsReject tells whether one refused record, of a source, is the
// caller's to read.
func (p Principal) ReadsReject(source string) bool {
	switch p.Role {
	case model.RoleAdmin:
		return true
	case model.RoleCollector:
		return len(p.Sources) == 0 || slices.Contains(p.Sources, source)
	}
	return false
}

// ReadsTargets tells whether the caller may read management targets and
// their history: not the public, not collectors.
func (p Principal) ReadsTargets() bool { return p.ReadsLive() }

// Steers tells whether the caller may set targets and close periods.
func (p Principal) Steers() bool { return p.ReadsAll() }

// ManagesTokens tells whether the caller may list, create and revoke
// tokens.
func (p Principal) ManagesTokens() bool { return p.Role == model.RoleAdmin }

type principalKey struct{}

// NewContext returns ctx carrying the caller, as the API's authentication
// sets it for every handler (the collectors' included).
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext is the caller of a request, and false when none was set
// (the command line, tests of handlers without the router).
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
