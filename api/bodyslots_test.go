package api

import (
	"context"
	"testing"
	"time"
)

// TestBodyCharge: a collector body counts its announced length against the
// cap, at least minBodyCharge (256 KiB = 262,144 bytes) and at most the
// largest body; one of unknown length counts as the largest.
func TestBodyCharge(t *testing.T) {
	f := func(maxBody, contentLength, want int64) {
		t.Helper()
		b := newBodySlots(4, maxBody, time.Second)
		if got := b.bodyCharge(contentLength); got != want {
			t.Errorf("largest %d, length %d: charge %d, want %d", maxBody, contentLength, got, want)
		}
	}
	const mib = 1 << 20
	f(64*mib, -1, 64*mib)      // chunked: may be the largest
	f(64*mib, 0, 262_144)      // empty (refused later) still costs a request
	f(64*mib, 12_000, 262_144) // 50 contacts
	f(64*mib, 3*mib, 3*mib)    // its length
	f(64*mib, 100*mib, 64*mib) // refused with 413 after, counted as the largest
	f(100_000, 10, 100_000)    // a largest body under the floor: every body counts as one
	f(0, 5*mib, 1)             // no byte size: bodies are counted
	f(0, -1, 1)
}

// TestBodySlotsBytes: with 4 bodies of 64 MiB (256 MiB), 1,024 small bodies
// (256 KiB each) are read at once and the 1,025th waits; a body of unknown
// length waiting is served before small ones that come after it, once 64 MiB
// are free; a waiter that gives up takes nothing.
func TestBodySlotsBytes(t *testing.T) {
	const mib = 1 << 20
	ctx := context.Background()
	b := newBodySlots(4, 64*mib, 5*time.Second)
	// soon is a request that gives up after 50 ms.
	soon := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	used := func() (int64, int) {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.used, len(b.waiters)
	}
	var releases []func()
	for i := range 1024 {
		release, ok := b.acquire(ctx, 12_000)
		if !ok {
			t.Fatalf("small body %d refused", i+1)
		}
		releases = append(releases, release)
	}
	if _, ok := b.acquire(soon(), 12_000); ok {
		t.Fatal("small body 1,025 taken: the cap is 1,024 of them")
	}
	if u, w := used(); u != 256*mib || w != 0 {
		t.Fatalf("after a waiter gave up: used %d, %d waiters; want 268,435,456 and 0", u, w)
	}
	// 255 small bodies end: 255 × 256 KiB = 63.75 MiB free, short of the
	// 64 MiB of a body of unknown length, which waits; a small body coming
	// after it, though it fits, waits behind it.
	for _, release := range releases[:255] {
		release()
	}
	releases = releases[255:]
	large := make(chan bool, 1)
	go func() {
		_, ok := b.acquire(ctx, -1)
		large <- ok
	}()
	for _, w := used(); w == 0; _, w = used() {
		time.Sleep(time.Millisecond)
	}
	if _, ok := b.acquire(soon(), 12_000); ok {
		t.Error("a small body passed the large one waiting before it")
	}
	releases[0]() // 64 MiB free: the large body's turn
	select {
	case ok := <-large:
		if !ok {
			t.Error("the large body was refused")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the large body was not served once 64 MiB were free")
	}
	if u, _ := used(); u != 256*mib {
		t.Errorf("used %d, want 268,435,456 (768 small bodies and the large one)", u)
	}
	// A cancelled request gives up at once and takes nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := b.acquire(cctx, 12_000); ok {
		t.Error("a cancelled request was served")
	}
	if u, w := used(); u != 256*mib || w != 0 {
		t.Errorf("after a cancelled request: used %d, %d waiters", u, w)
	}
}
