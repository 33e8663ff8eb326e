package ingest

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"globaloffice/store"
	"globaloffice/store/chtest"
)

// cutProxy forwards TCP to ClickHouse until cut; then it drops the open
// connections and accepts new ones without ever answering, like a server
// whose host went away (connections time out rather than being refused).
type cutProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
	// armed: once a connection has sent an INSERT query and more than
	// muteAfter bytes after it (the insert's data), the server's answers on
	// it are dropped: the insert is stored but the client never hears so.
	armed     bool
	muteAfter int
	// delay holds every answer of the server this long: a slow ClickHouse
	// (set by the fault tests).
	delay time.Duration
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln}
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			cut := p.cut
			p.mu.Unlock()
			if cut {
				continue // never answered
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, s)
			p.mu.Unlock()
			var sent atomic.Int64
			var muted, inserting atomic.Bool
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						p.mu.Lock()
						if p.armed && inserting.Load() && sent.Add(int64(n)) > int64(p.muteAfter) {
							muted.Store(true)
						}
						if p.armed && bytes.Contains(buf[:n], []byte("INSERT INTO")) {
							inserting.Store(true)
						}
						p.mu.Unlock()
						if _, werr := s.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				s.Close()
			}()
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := s.Read(buf)
					p.mu.Lock()
					delay := p.delay
					p.mu.Unlock()
					if n > 0 && delay > 0 {
						time.Sleep(delay)
					}
					if n > 0 && !muted.Load() {
						if _, werr := c.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				c.Close()
			}()
		}
	}()
	return p
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// arm mutes the answers to the inserts sent from now on, once more than
// muteAfter bytes of their data went through; disarm stops it.
func (p *cutProxy) arm(muteAfter int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed, p.muteAfter = true, muteAfter
}

func (p *cutProxy) disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = false
}

// proxiedDB opens the test's database through a cutProxy (dialTimeout 0:
// the default), and the same database directly.
func proxiedDB(t *testing.T, dialTimeout time.Duration) (direct *store.DB, proxy *cutProxy, db *store.DB) {
	t.Helper()
	direct = newTestDB(t) // creates the database (chtest.New names its own)
	opts := chtest.Options(t)
	opts.Database = direct.Database()
	proxy = newCutProxy(t, opts.Addr)
	opts.Addr = proxy.ln.Addr().String()
	if dialTimeout > 0 {
		opts.DialTimeout = dialTimeout
	}
	db, err := store.Open(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return direct, proxy, db
}
