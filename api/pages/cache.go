package pages

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Public pages are alike for every visitor: a page is rendered at most once
// per Engine.CacheFor for each URL and language, and served from memory in
// between (closed figures do not change; a closing by this server shows at
// once, one by another process within CacheFor, as in the engine). Without
// CacheFor nothing is kept.
type pageCache struct {
	mu      sync.Mutex
	entries map[string]cachedPage
}

type cachedPage struct {
	header   http.Header
	body     []byte
	at       time.Time
	closings uint64 // the engine's closings when rendered
}

// maxCachedPages bounds the cache (a page is ~10–30 KB).
const maxCachedPages = 2000

// cached serves h through the page cache.
func (p *Pages) cached(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		ttl := p.d.Engine.CacheFor
		if ttl <= 0 || c.Request.Method != http.MethodGet {
			h(c)
			return
		}
		key := cacheKey(c)
		p.cache.mu.Lock()
		e, ok := p.cache.entries[key]
		p.cache.mu.Unlock()
		if ok && time.Since(e.at) < ttl && e.closings == p.d.Engine.Closings() {
			for k, v := range e.header {
				c.Writer.Header()[k] = v
			}
			c.Data(http.StatusOK, e.header.Get("Content-Type"), e.body)
			return
		}
		closings := p.d.Engine.Closings()
		w := &capture{ResponseWriter: c.Writer, status: http.StatusOK}
		c.Writer = w
		h(c)
		c.Writer = w.ResponseWriter
		if w.status == http.StatusOK {
			p.cache.mu.Lock()
			if p.cache.entries == nil || len(p.cache.entries) >= maxCachedPages {
				p.cache.entries = map[string]cachedPage{}
			}
			p.cache.entries[key] = cachedPage{header: c.Writer.Header().Clone(), body: bytes.Clone(w.buf.Bytes()), at: time.Now(), closings: closings}
			p.cache.mu.Unlock()
		}
		c.Writer.WriteHeader(w.status)
		_, _ = c.Writer.Write(w.buf.Bytes())
	}
}

// cacheKey is the page's path, its query in a stable order without lang,
// and its language.
func cacheKey(c *gin.Context) string {
	q := c.Request.URL.Query()
	q.Del("lang")
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(lang(c))
	b.WriteString(" ")
	b.WriteString(c.Request.URL.Path)
	for _, k := range keys {
		for _, v := range q[k] {
			b.WriteString("&" + k + "=" + v)
		}
	}
	return b.String()
}

// capture holds a page's answer so that it can be kept.
type capture struct {
	gin.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (w *capture) WriteHeader(code int)              { w.status = code }
func (w *capture) WriteHeaderNow()                   {}
func (w *capture) Write(b []byte) (int, error)       { return w.buf.Write(b) }
func (w *capture) WriteString(s string) (int, error) { return w.buf.WriteString(s) }
func (w *capture) Status() int                       { return w.status }
func (w *capture) Written() bool                     { return w.buf.Len() > 0 }
func (w *capture) Size() int                         { return w.buf.Len() }
