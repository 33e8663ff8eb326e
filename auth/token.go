package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"globaloffice/model"
)

// secretPrefix marks globaloffice tokens, so that a leaked one is easy to
// recognise (secret scanners, logs).
const secretPrefix = "gof_"

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken makes a token and its secret, which the caller shows once: only
// the hash is kept. The id is public (lists, revocation).
func NewToken(name string, role model.Role, sites, sources []string, by string, now time.Time, ttl time.Duration) (model.Token, string, error) {
	if !role.Valid() {
		return model.Token{}, "", fmt.Errorf("role %q: want admin, director, manager or collector", role)
	}
	if role == model.RoleManager && len(sites) == 0 {
		return model.Token{}, "", fmt.Errorf("a manager token needs at least one --site")
	}
	if len(sources) > 0 && role != model.RoleCollector {
		return model.Token{}, "", fmt.Errorf("--source limits collector tokens only")
	}
	if len(sites) > 0 && role != model.RoleManager && role != model.RoleCollector {
		return model.Token{}, "", fmt.Errorf("--site limits manager and collector tokens only")
	}
	if ttl < 0 {
		return model.Token{}, "", fmt.Errorf("expiry %s: must not be negative", ttl)
	}
	var id [5]byte
	var secret [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		return model.Token{}, "", fmt.Errorf("token id: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return model.Token{}, "", fmt.Errorf("token secret: %w", err)
	}
	s := secretPrefix + strings.ToLower(b32.EncodeToString(secret[:]))
	t := model.Token{
		ID:        "tk_" + hex.EncodeToString(id[:]),
		Name:      name,
		Role:      role,
		Sites:     sites,
		Sources:   sources,
		Hash:      Hash(s),
		CreatedAt: now.UTC().Truncate(time.Second),
		CreatedBy: by,
	}
	if ttl > 0 {
		t.ExpiresAt = t.CreatedAt.Add(ttl)
	}
	return t, s, nil
}

// Hash is the stored form of a secret: hex SHA-256. Secrets are 256 random
// bits, so a fast hash is enough (there is nothing to guess).
func Hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Active tells whether a token is valid at now: neither revoked nor
// expired.
func Active(t model.Token, now time.Time) error {
	switch {
	case !t.RevokedAt.IsZero():
		return ErrRevoked
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return ErrExpired
	}
	return nil
}

// ParseLifetime reads a token's lifetime: a number of days (90d) or a Go
// duration (12h); empty is never (0).
func ParseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("lifetime %q: want a positive lifetime such as 90d or 12h", s)
}
