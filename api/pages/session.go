package pages

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Session lifetimes: a session ends after sessionIdle without a request or
// sessionMax after the login, whichever comes first, and with its token.
const (
	sessionIdle = 8 * time.Hour
	sessionMax  = 24 * time.Hour
)

// sessions maps random session ids to the token that opened them, in
// memory: the cookie never holds the token, and a restart logs everyone
// out. Ids are kept by their SHA-256 so that a lookup's timing tells
// nothing about stored ids.
type sessions struct {
	idle, max time.Duration
	now       func() time.Time

	mu    sync.Mutex
	byKey map[[sha256.Size]byte]*session
	swept time.Time
}

type session struct {
	tokenID       string
	created, seen time.Time
}

func newSessions() *sessions {
	return &sessions{idle: sessionIdle, max: sessionMax, now: time.Now, byKey: map[[sha256.Size]byte]*session{}}
}

// sessionIDLen is the length of an id: 32 random bytes (256 bits) in
// unpadded base64url.
const sessionIDLen = 43

// open starts a session for a token and returns its id, for the cookie.
func (s *sessions) open(tokenID string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("session id: %w", err)
	}
	id := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.swept) > time.Minute {
		for k, v := range s.byKey {
			if s.over(v, now) {
				delete(s.byKey, k)
			}
		}
		s.swept = now
	}
	s.byKey[sha256.Sum256([]byte(id))] = &session{tokenID: tokenID, created: now, seen: now}
	return id, nil
}

// over tells whether a session has run out at now.
func (s *sessions) over(v *session, now time.Time) bool {
	return now.Sub(v.seen) >= s.idle || now.Sub(v.created) >= s.max
}

// token is the id of the token behind a live session, and false for an
// unknown or run-out one (which is forgotten). Each lookup keeps the
// session alive for another idle period.
func (s *sessions) token(id string) (string, bool) {
	if len(id) != sessionIDLen {
		return "", false
	}
	k := sha256.Sum256([]byte(id))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byKey[k]
	if !ok {
		return "", false
	}
	if s.over(v, now) {
		delete(s.byKey, k)
		return "", false
	}
	v.seen = now
	return v.tokenID, true
}

// close ends a session (logout, or its token no longer valid).
func (s *sessions) close(id string) {
	k := sha256.Sum256([]byte(id))
	s.mu.Lock()
	delete(s.byKey, k)
	s.mu.Unlock()
}

// failures limits failed logins per client address: a few in a row, then
// one every loginEvery, so that tokens cannot be tried quickly (they are
// 256 random bits anyway). Addresses are forgotten after ten minutes.
type failures struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*failureLimit
	swept   time.Time
}

type failureLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

const (
	loginEvery = 6 * time.Second
	loginBurst = 10
)

func newFailures() *failures {
	return &failures{every: loginEvery, burst: loginBurst, clients: map[string]*failureLimit{}}
}

// limited tells whether a client must wait before trying again, and how
// long.
func (f *failures) limited(client string, now time.Time) (time.Duration, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.clients[client]
	if c == nil {
		return 0, false
	}
	left := c.lim.TokensAt(now)
	if left >= 1 {
		return 0, false
	}
	return time.Duration((1 - left) * float64(f.every)), true
}

// failed counts a failed login of a client.
func (f *failures) failed(client string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.swept) > time.Minute {
		for k, c := range f.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(f.clients, k)
			}
		}
		f.swept = now
	}
	c := f.clients[client]
	if c == nil {
		c = &failureLimit{lim: rate.NewLimiter(rate.Every(f.every), f.burst)}
		f.clients[client] = c
	}
	c.seen = now
	c.lim.AllowN(now, 1)
}
