package auth

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"globaloffice/model"
)

// Keyring holds the stored tokens in memory by hash, so that checking a
// bearer token costs no query. It reloads them every Refresh (revocations
// made by another process take effect within it), and at most once a
// second on an unknown token (one created since).
type Keyring struct {
	load    func(context.Context) ([]model.Token, error)
	refresh time.Duration
	now     func() time.Time

	mu       sync.RWMutex
	byHash   map[string]model.Token
	loadedAt time.Time
	tried    time.Time // last load on a miss
}

// NewKeyring makes a keyring over a loader of every stored token.
func NewKeyring(load func(context.Context) ([]model.Token, error), refresh time.Duration) *Keyring {
	if refresh <= 0 {
		refresh = 10 * time.Second
	}
	return &Keyring{load: load, refresh: refresh, now: time.Now}
}

// Reload reads every token again.
func (k *Keyring) Reload(ctx context.Context) error {
	ts, err := k.load(ctx)
	if err != nil {
		return fmt.Errorf("load tokens: %w", err)
	}
	m := make(map[string]model.Token, len(ts))
	for _, t := range ts {
		m[t.Hash] = t
	}
	k.mu.Lock()
	k.byHash, k.loadedAt = m, k.now()
	k.mu.Unlock()
	return nil
}

// Put records a token created or revoked by this process at once.
func (k *Keyring) Put(t model.Token) {
	k.mu.Lock()
	if k.byHash == nil {
		k.byHash = map[string]model.Token{}
	}
	k.byHash[t.Hash] = t
	k.mu.Unlock()
}

// Authenticate finds the principal of a bearer secret: ErrUnknownToken,
// ErrRevoked or ErrExpired when it has none.
func (k *Keyring) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(secret, secretPrefix) {
		return Anonymous, ErrUnknownToken
	}
	h := Hash(secret)
	now := k.now()
	k.mu.RLock()
	t, ok := k.byHash[h]
	stale := now.Sub(k.loadedAt) >= k.refresh
	retry := !ok && now.Sub(k.tried) >= time.Second
	k.mu.RUnlock()
	if stale || retry {
		if !stale {
			k.mu.Lock()
			k.tried = now
			k.mu.Unlock()
		}
		if err := k.reloadOrKeep(ctx, now); err != nil {
			return Anonymous, err
		}
		k.mu.RLock()
		t, ok = k.byHash[h]
		k.mu.RUnlock()
	}
	if !ok {
		return Anonymous, ErrUnknownToken
	}
	if err := Active(t, now); err != nil {
		return Anonymous, err
	}
	return PrincipalOf(t), nil
}

// ByID finds the principal of a token by its public id, for a session
// opened with it (the pages' login): ErrUnknownToken, ErrRevoked or
// ErrExpired when it has none, so that revoking a token ends its sessions.
// It reloads stale tokens as Authenticate does, but not on a miss: a
// session's token was known when it was opened.
func (k *Keyring) ByID(ctx context.Context, id string) (Principal, error) {
	now := k.now()
	k.mu.RLock()
	stale := now.Sub(k.loadedAt) >= k.refresh
	k.mu.RUnlock()
	if stale {
		if err := k.reloadOrKeep(ctx, now); err != nil {
			return Anonymous, err
		}
	}
	var t model.Token
	ok := false
	k.mu.RLock()
	for _, c := range k.byHash { // tokens are few: a scan costs less than a second index to keep
		if c.ID == id {
			t, ok = c, true
			break
		}
	}
	k.mu.RUnlock()
	if !ok || id == "" {
		return Anonymous, ErrUnknownToken
	}
	if err := Active(t, now); err != nil {
		return Anonymous, err
	}
	return PrincipalOf(t), nil
}

// reloadOrKeep reloads the tokens; when that fails after a first load, it
// keeps serving the tokens known so far and lets the next request try again
// within a second. It fails only when no token was ever loaded.
func (k *Keyring) reloadOrKeep(ctx context.Context, now time.Time) error {
	err := k.Reload(ctx)
	if err == nil || !k.loaded() {
		return err
	}
	k.mu.Lock()
	k.loadedAt = now.Add(-k.refresh + time.Second)
	k.mu.Unlock()
	return nil
}

func (k *Keyring) loaded() bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.byHash != nil
}
