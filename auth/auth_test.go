package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"globaloffice/model"
)

func TestNewToken(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 500, time.UTC)
	tok, secret, err := NewToken("dg", model.RoleDirector, nil, nil, "ops", now, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// gof_ + 52 base32 characters of 256 bits; the hash is the SHA-256.
	if !strings.HasPrefix(secret, "gof_") || len(secret) != 4+52 || tok.Hash != Hash(secret) || len(tok.Hash) != 64 {
		t.Errorf("secret %q hash %q", secret, tok.Hash)
	}
	if strings.Contains(tok.Hash, secret[4:]) || !strings.HasPrefix(tok.ID, "tk_") || len(tok.ID) != 13 {
		t.Errorf("id %q", tok.ID)
	}
	if !tok.CreatedAt.Equal(now.Truncate(time.Second)) || !tok.ExpiresAt.Equal(tok.CreatedAt.Add(24*time.Hour)) || tok.CreatedBy != "ops" {
		t.Errorf("token %+v", tok)
	}
	other, secret2, _ := NewToken("dg", model.RoleDirector, nil, nil, "ops", now, 0)
	if secret2 == secret || other.ID == tok.ID || !other.ExpiresAt.IsZero() {
		t.Errorf("two tokens alike, or an expiry without --expires: %+v", other)
	}
	for _, tc := range []struct {
		role           model.Role
		sites, sources []string
		ttl            time.Duration
		want           string
	}{
		{"root", nil, nil, 0, `role "root"`},
		{model.RoleManager, nil, nil, 0, "at least one --site"},
		{model.RoleDirector, nil, []string{"qms"}, 0, "--source limits collector tokens only"},
		{model.RoleAdmin, []string{"PAR-11"}, nil, 0, "--site limits manager and collector tokens only"},
		{model.RoleCollector, nil, nil, -time.Hour, "must not be negative"},
	} {
		if _, _, err := NewToken("x", tc.role, tc.sites, tc.sources, "ops", now, tc.ttl); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v %v: error %v, want %q", tc.role, tc.sites, tc.sources, err, tc.want)
		}
	}
}

func TestActive(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	f := func(tok model.Token, at time.Time, want error) {
		t.Helper()
		if err := Active(tok, at); !errors.Is(err, want) {
			t.Errorf("%+v at %s: %v, want %v", tok, at, err, want)
		}
	}
	f(model.Token{}, t0, nil)
	f(model.Token{ExpiresAt: t0}, t0.Add(-time.Second), nil)
	f(model.Token{ExpiresAt: t0}, t0, ErrExpired) // expires at that second
	f(model.Token{RevokedAt: t0}, t0.Add(-time.Hour), ErrRevoked)
	f(model.Token{RevokedAt: t0, ExpiresAt: t0}, t0, ErrRevoked)
}

func TestPrincipalRules(t *testing.T) {
	admin := Principal{TokenID: "a", Role: model.RoleAdmin}
	director := Principal{TokenID: "d", Role: model.RoleDirector}
	manager := Principal{TokenID: "m", Role: model.RoleManager, Sites: []string{"PAR-11", "PAR-18"}}
	collector := Principal{TokenID: "c", Role: model.RoleCollector, Sources: []string{"qms"}, Sites: []string{"PAR-11"}}
	anyCollector := Principal{TokenID: "c2", Role: model.RoleCollector}
	type row struct {
		readsAll, live, site11, site67, targets bool
		steers, tokens, writes, rejects         bool
	}
	for _, r := range []struct {
		name string
		p    Principal
		want row
	}{
		{"admin", admin, row{true, true, true, true, true, true, true, true, true}},
		{"director", director, row{true, true, true, true, true, true, false, false, false}},
		{"manager", manager, row{false, true, true, false, true, false, false, false, false}},
		{"collector", collector, row{false, false, false, false, false, false, false, true, true}},
		{"anonymous", Anonymous, row{false, false, false, false, false, false, false, false, false}},
	} {
		got := row{r.p.ReadsAll(), r.p.ReadsLive(), r.p.ReadsSite("PAR-11"), r.p.ReadsSite("STR-67"), r.p.ReadsTargets(),
			r.p.Steers(), r.p.ManagesTokens(), r.p.Writes(), r.p.ReadsRejects()}
		if got != r.want {
			t.Errorf("%s:\n got %+v\nwant %+v", r.name, got, r.want)
		}
	}
	// Results: (scope, id, published, closed, enough sample) → seen by
	// director, manager of PAR-11/PAR-18, collector, anonymous.
	for _, tc := range []struct {
		scope                          model.ScopeKind
		id                             string
		published, closed, enough      bool
		director, manager, coll, anony bool
	}{
		{model.ScopeNational, "", true, true, true, true, true, false, true},
		{model.ScopeNational, "", true, false, true, true, false, false, false},    // live
		{model.ScopeNational, "", false, true, true, true, false, false, false},    // not published
		{model.ScopeNational, "", true, true, false, true, false, false, false},    // small sample
		{model.ScopeSite, "PAR-11", false, false, false, true, true, false, false}, // the manager's own site
		{model.ScopeSite, "STR-67", false, false, true, true, false, false, false},
		{model.ScopeSite, "STR-67", true, true, true, true, false, false, true}, // public, but another site than the manager's
		{model.ScopeDepartment, "75", false, true, true, true, false, false, false},
	} {
		got := [4]bool{director.SeesResult(tc.scope, tc.id, tc.published, tc.closed, tc.enough), manager.SeesResult(tc.scope, tc.id, tc.published, tc.closed, tc.enough),
			collector.SeesResult(tc.scope, tc.id, tc.published, tc.closed, tc.enough), Anonymous.SeesResult(tc.scope, tc.id, tc.published, tc.closed, tc.enough)}
		if want := [4]bool{tc.director, tc.manager, tc.coll, tc.anony}; got != want {
			t.Errorf("%s:%s published %v closed %v enough %v: seen by director/manager/collector/public %v, want %v", tc.scope, tc.id, tc.published, tc.closed, tc.enough, got, want)
		}
	}
	for _, tc := range []struct {
		p            Principal
		source, site string
		want         bool
	}{
		{admin, "any", "STR-67", true},
		{collector, "qms", "PAR-11", true},
		{collector, "qms", "PAR-18", false}, // another site
		{collector, "acd", "PAR-11", false}, // another source
		{anyCollector, "acd", "STR-67", true},
		{director, "qms", "PAR-11", false},
		{manager, "qms", "PAR-11", false},
		{Anonymous, "qms", "PAR-11", false},
	} {
		if got := tc.p.MayWrite(tc.source, tc.site); got != tc.want {
			t.Errorf("%s MayWrite(%s, %s) = %v, want %v", tc.p.Role, tc.source, tc.site, got, tc.want)
		}
	}
	if !collector.ReadsReject("qms") || collector.ReadsReject("acd") || !anyCollector.ReadsReject("acd") || !admin.ReadsReject("acd") || director.ReadsReject("qms") {
		t.Error("rejects: a collector reads its own sources' rejects only, an admin all, others none")
	}
	if Anonymous.SeesIndicator(false) || !Anonymous.SeesIndicator(true) || !manager.SeesIndicator(false) || collector.SeesIndicator(false) {
		t.Error("indicators: the public sees the published ones only")
	}
}

func TestKeyring(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	dir, dirSecret, _ := NewToken("dg", model.RoleDirector, nil, nil, "ops", now, time.Hour)
	mgr, mgrSecret, _ := NewToken("paris", model.RoleManager, []string{"PAR-11"}, nil, "ops", now, 0)
	stored := []model.Token{dir}
	loads := 0
	var fail error
	k := NewKeyring(func(context.Context) ([]model.Token, error) {
		loads++
		return append([]model.Token(nil), stored...), fail
	}, 10*time.Second)
	clock := now
	k.now = func() time.Time { return clock }
	ctx := context.Background()

	p, err := k.Authenticate(ctx, dirSecret)
	if err != nil || p.Role != model.RoleDirector || p.TokenID != dir.ID || loads != 1 {
		t.Fatalf("director: %+v %v after %d loads", p, err, loads)
	}
	// A token created since is found by reloading on the miss, at most
	// once a second.
	if _, err := k.Authenticate(ctx, "gof_nope"); !errors.Is(err, ErrUnknownToken) || loads != 2 {
		t.Fatalf("unknown: %v after %d loads", err, loads)
	}
	stored = append(stored, mgr)
	if _, err := k.Authenticate(ctx, mgrSecret); !errors.Is(err, ErrUnknownToken) || loads != 2 {
		t.Fatalf("within the second: %v after %d loads", err, loads)
	}
	clock = clock.Add(time.Second)
	if p, err := k.Authenticate(ctx, mgrSecret); err != nil || p.Role != model.RoleManager || p.Sites[0] != "PAR-11" || loads != 3 {
		t.Fatalf("manager: %+v %v after %d loads", p, err, loads)
	}
	// Not a globaloffice secret: refused without a load.
	if _, err := k.Authenticate(ctx, "Basic xyz"); !errors.Is(err, ErrUnknownToken) || loads != 3 {
		t.Fatalf("foreign secret: %v after %d loads", err, loads)
	}
	// Revoked elsewhere: seen at the next refresh.
	stored[1].RevokedAt = clock
	if _, err := k.Authenticate(ctx, mgrSecret); err != nil {
		t.Fatalf("before the refresh: %v", err)
	}
	clock = clock.Add(10 * time.Second)
	if _, err := k.Authenticate(ctx, mgrSecret); !errors.Is(err, ErrRevoked) {
		t.Fatalf("after the refresh: %v", err)
	}
	// Revoked here: at once.
	revoked := dir
	revoked.RevokedAt = clock
	k.Put(revoked)
	if _, err := k.Authenticate(ctx, dirSecret); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked here: %v", err)
	}
	// Expired.
	k.Put(dir)
	clock = now.Add(time.Hour)
	fail = errors.New("clickhouse away")
	if _, err := k.Authenticate(ctx, dirSecret); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired, with the database away: %v", err)
	}
	// Never loaded and the database away: an error, not anonymous access.
	k2 := NewKeyring(func(context.Context) ([]model.Token, error) { return nil, errors.New("clickhouse away") }, time.Second)
	if _, err := k2.Authenticate(ctx, dirSecret); err == nil || errors.Is(err, ErrUnknownToken) {
		t.Fatalf("never loaded: %v", err)
	}
}

// TestKeyringByID: a session finds its token by id, and loses it when the
// token is revoked (here at once, elsewhere at the next refresh) or
// expires.
func TestKeyringByID(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	dir, _, _ := NewToken("dg", model.RoleDirector, nil, nil, "ops", now, time.Hour)
	mgr, _, _ := NewToken("paris", model.RoleManager, []string{"PAR-11"}, nil, "ops", now, 0)
	stored := []model.Token{dir, mgr}
	loads := 0
	var fail error
	k := NewKeyring(func(context.Context) ([]model.Token, error) {
		loads++
		return append([]model.Token(nil), stored...), fail
	}, 10*time.Second)
	clock := now
	k.now = func() time.Time { return clock }
	ctx := context.Background()

	f := func(id string, wantRole model.Role, wantErr error, wantLoads int) {
		t.Helper()
		p, err := k.ByID(ctx, id)
		if !errors.Is(err, wantErr) || p.Role != wantRole || loads != wantLoads {
			t.Fatalf("ByID(%q) = %+v, %v after %d loads; want %q, %v after %d", id, p, err, loads, wantRole, wantErr, wantLoads)
		}
		if err == nil && p.TokenID != id {
			t.Fatalf("ByID(%q) found %s", id, p.TokenID)
		}
	}
	f(dir.ID, model.RoleDirector, nil, 1) // the first call loads
	f(mgr.ID, model.RoleManager, nil, 1)
	f("tk_nope", "", ErrUnknownToken, 1) // a miss does not reload
	f("", "", ErrUnknownToken, 1)
	// Revoked elsewhere: seen at the next refresh, 10 s later.
	stored[1].RevokedAt = clock
	f(mgr.ID, model.RoleManager, nil, 1)
	clock = clock.Add(10 * time.Second)
	f(mgr.ID, "", ErrRevoked, 2)
	// Revoked here: at once.
	revoked := dir
	revoked.RevokedAt = clock
	k.Put(revoked)
	f(dir.ID, "", ErrRevoked, 2)
	// Expired one hour after its creation, even with the database away
	// (the tokens known so far are kept).
	k.Put(dir)
	clock = now.Add(time.Hour)
	fail = errors.New("clickhouse away")
	f(dir.ID, "", ErrExpired, 3)
	// Never loaded and the database away: an error, never a principal.
	k2 := NewKeyring(func(context.Context) ([]model.Token, error) { return nil, errors.New("clickhouse away") }, time.Second)
	if p, err := k2.ByID(ctx, dir.ID); err == nil || errors.Is(err, ErrUnknownToken) || !p.IsAnonymous() {
		t.Fatalf("never loaded: %+v %v", p, err)
	}
}
