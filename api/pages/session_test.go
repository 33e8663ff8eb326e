package pages

import (
	"testing"
	"time"
)

// TestSessions: a session lives 8 h without a request and 24 h at most,
// and ends when closed; ids are 256 random bits, never reused.
func TestSessions(t *testing.T) {
	clock := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	s := newSessions()
	s.now = func() time.Time { return clock }
	a, err := s.open("tk_a")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.open("tk_b")
	if len(a) != sessionIDLen || a == b {
		t.Fatalf("ids %q %q", a, b)
	}
	f := func(id, want string, ok bool) {
		t.Helper()
		if got, gotOK := s.token(id); got != want || gotOK != ok {
			t.Fatalf("at %s, %q: %q %v, want %q %v", clock.Format("15:04"), id, got, gotOK, want, ok)
		}
	}
	f(a, "tk_a", true)
	f(b, "tk_b", true)
	f("x", "", false)
	other := "A"
	if a[42] == 'A' {
		other = "Q"
	}
	f(a[:42]+other, "", false) // one character off
	// 08:00 → 15:59: a is used every 7 h 59, so it stays; b, unused for
	// 8 h, ends.
	clock = clock.Add(7*time.Hour + 59*time.Minute)
	f(a, "tk_a", true)
	clock = clock.Add(time.Minute)
	f(b, "", false)
	// Kept alive, a still ends 24 h after the login: 08:00 the next day.
	for range 2 {
		clock = clock.Add(7 * time.Hour)
		f(a, "tk_a", true) // 23:00, then 06:00
	}
	clock = clock.Add(2 * time.Hour)
	f(a, "", false)
	// Closed: at once.
	c, _ := s.open("tk_c")
	f(c, "tk_c", true)
	s.close(c)
	f(c, "", false)
	// Run-out sessions are swept when another opens.
	s.mu.Lock()
	s.byKey[[32]byte{1}] = &session{tokenID: "tk_old", created: clock.Add(-25 * time.Hour), seen: clock}
	s.mu.Unlock()
	clock = clock.Add(2 * time.Minute)
	s.open("tk_d")
	s.mu.Lock()
	n := len(s.byKey)
	s.mu.Unlock()
	if n != 1 {
		t.Errorf("%d sessions kept, want tk_d's only", n)
	}
}

// TestFailures: ten failures in a row, then one every 6 s.
func TestFailures(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	f := newFailures()
	for i := range 10 {
		if _, limited := f.limited("10.0.0.1", now); limited {
			t.Fatalf("limited after %d failures", i)
		}
		f.failed("10.0.0.1", now)
	}
	wait, limited := f.limited("10.0.0.1", now)
	if !limited || wait != 6*time.Second {
		t.Fatalf("after 10 failures: %v %v, want 6s", limited, wait)
	}
	if _, limited := f.limited("10.0.0.2", now); limited {
		t.Fatal("another address is limited")
	}
	if wait, limited := f.limited("10.0.0.1", now.Add(4*time.Second)); !limited || wait != 2*time.Second {
		t.Fatalf("4 s later: %v %v, want 2s", limited, wait)
	}
	if _, limited := f.limited("10.0.0.1", now.Add(6*time.Second)); limited {
		t.Fatal("still limited 6 s later")
	}
}

// TestSafeNext: only a local path is followed after the login.
func TestSafeNext(t *testing.T) {
	f := func(raw, want string) {
		t.Helper()
		if got := safeNext(raw, "en"); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", raw, got, want)
		}
	}
	home := "/scorecard?lang=en"
	f("", home)
	f("/scorecard?scope=department:75&period=2026-05", "/scorecard?scope=department:75&period=2026-05")
	f("/", "/")
	f("//evil.example", home)
	f("///evil.example", home)
	f(`/\evil.example`, home)
	f("https://evil.example/scorecard", home)
	f("javascript:alert(1)", home)
	f("scorecard", home)
	f("/scorecard\r\nSet-Cookie: x=1", home)
	f("/scorecard\x00", home)
}
