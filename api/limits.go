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
	// up to IngestWait, then get 503 with Retry-After (0: no cap). With
	// IngestBodyBytes set, the cap is IngestBodies of the largest bodies'
	// worth of bytes, each body counting its announced length (see
	// bodyCharge): many small bodies of collectors sending at once then
	// decode together, as a few large ones do, in about as much memory.
	IngestBodies    int
	IngestBodyBytes int64 // the largest collector body (ingest.max_body_bytes)
	IngestWait      time.Duration
	// AnonymousRate limits each client address on requests without a
	// token, per second, with bursts of AnonymousBurst (0: no limit).
	AnonymousRate  float64
	AnonymousBurst int
}

// minBodyCharge is the least a collector body counts against the cap: a
// request costs memory besides its body (its connection's buffers, its
// goroutine, the decoder's read buffer), so even tiny bodies are bounded
// in number (by default 1,024 at once).
const minBodyCharge = 256 << 10

// bodySlots is the cap on collector bodies decoded at once: a weighted
// semaphore, first come first served, so that a large body waiting is not
// passed over forever by small ones.
type bodySlots struct {
	size    int64
	maxBody int64 // 0: every body counts 1
	wait    time.Duration
	mu      sync.Mutex
	used    int64
	waiters []*bodyWaiter
}

type bodyWaiter struct {
	n     int64
	ready chan struct{} // closed once the waiter holds its charge
}

func newBodySlots(n int, maxBody int64, wait time.Duration) *bodySlots {
	if n <= 0 {
		return nil
	}
	if maxBody <= 0 {
		return &bodySlots{size: int64(n), wait: wait}
	}
	return &bodySlots{size: int64(n) * maxBody, maxBody: maxBody, wait: wait}
}

// bodyCharge is what a request counts against the cap: its announced
// length, at least minBodyCharge and at most the largest body; a body of
// unknown length (chunked) counts as the largest, since it may be.
func (b *bodySlots) bodyCharge(contentLength int64) int64 {
	if b.maxBody == 0 {
		return 1
	}
	if contentLength < 0 {
		return b.maxBody
	}
	return min(b.maxBody, max(contentLength, minBodyCharge))
}

// acquire takes a request's charge, waiting up to the limit; release gives
// it back.
func (b *bodySlots) acquire(ctx context.Context, contentLength int64) (release func(), ok bool) {
	if b == nil {
		return func() {}, true
	}
	n := b.bodyCharge(contentLength)
	release = func() { b.release(n) }
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.size {
		b.used += n
		b.mu.Unlock()
		return release, true
	}
	w := &bodyWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case <-w.ready:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // given its charge as it gave up: hand it on
		b.used -= n
	default:
		for i, x := range b.waiters {
			if x == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
	}
	b.wake()
	return nil, false
}

func (b *bodySlots) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.wake()
}

// wake gives waiters their charge in order while they fit; the first that
// does not fit holds the others back.
func (b *bodySlots) wake() {
	for len(b.waiters) > 0 && b.used+b.waiters[0].n <= b.size {
		w := b.waiters[0]
		b.waiters = b.waiters[1:]
		b.used += w.n
		close(w.ready)
	}
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
