package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"globaloffice/problem"
)

// Limits protect the server from its callers.
type Limits struct {
	// IngestBodies caps the collector bodies decoded at once, so that
	// many concurrent 64 MiB bodies cannot exhaust memory; the others wait
	// up to IngestWait, then get 503 with Retry-After (0: no cap).
	IngestBodies int
	IngestWait   time.Duration
	// AnonymousRate limits each client address on requests without a
	// token, per second, with bursts of AnonymousBurst (0: no limit).
	AnonymousRate  float64
	AnonymousBurst int
}

// bodySlots is the cap on collector bodies decoded at once.
type bodySlots struct {
	slots chan struct{}
	wait  time.Duration
}

func newBodySlots(n int, wait time.Duration) *bodySlots {
	if n <= 0 {
		return nil
	}
	return &bodySlots{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot, waiting up to the limit; release gives it back.
func (b *bodySlots) acquire(ctx context.Context) (release func(), ok bool) {
	if b == nil {
		return func() {}, true
	}
	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case b.slots <- struct{}{}:
		return func() { <-b.slots }, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// clientLimits holds a token bucket per client address, forgotten after
// ten minutes unused.
type clientLimits struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	clients map[string]*clientLimit
	swept   time.Time
}

type clientLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimits(perSecond float64, burst int) *clientLimits {
	if perSecond <= 0 {
		return nil
	}
	return &clientLimits{rate: rate.Limit(perSecond), burst: max(burst, 1), clients: map[string]*clientLimit{}}
}

func (l *clientLimits) allow(client string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[client]
	if c == nil {
		c = &clientLimit{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[client] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// limitAnonymous answers 429 to a client without a token that goes over
// its rate.
func (s *Server) limitAnonymous(c *gin.Context) {
	if s.anonymous == nil || !principalOf(c.Request.Context()).IsAnonymous() {
		c.Next()
		return
	}
	if !s.anonymous.allow(c.ClientIP(), time.Now()) {
		c.Header("Retry-After", strconv.Itoa(max(1, int(1/float64(s.anonymous.rate)))))
		problem.Write(c.Writer, http.StatusTooManyRequests, "too many requests", "slow down, or use a token")
		c.Abort()
		return
	}
	c.Next()
}
