package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestLoadOrCreateKey: a short or empty key file was silently replaced by
// a new key (changing every user_ref); it is now refused. A missing one is
// created once, even by processes starting together, 0600, and read back
// the same.
func TestLoadOrCreateKey(t *testing.T) {
	f := func(content string, wantErr string) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "pseudonym.key")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		k, err := LoadOrCreateKey(path)
		if wantErr == "" {
			if err != nil || string(k) != strings.TrimSpace(content) {
				t.Errorf("key file %q: %q, %v", content, k, err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("key file %q: %q, %v; want an error with %q", content, k, err, wantErr)
		}
		if b, _ := os.ReadFile(path); string(b) != content {
			t.Errorf("key file %q replaced by %q", content, b)
		}
	}
	f("", "0 bytes, fewer than 32")
	f("\n", "0 bytes, fewer than 32")
	f("short\n", "5 bytes, fewer than 32")
	f(strings.Repeat("a", 32)+"\n", "")

	path := filepath.Join(t.TempDir(), "home", "pseudonym.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if string(k) != string(keys[0]) || len(k) != 64 {
			t.Fatalf("processes starting together got different keys: %q, %q", keys[0], k)
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", st, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".pseudonym-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestPseudonymizerRef: a reference is the first 128 bits of its
// HMAC-SHA256 under the key, in hex (the expected values from Python's
// hmac module), trimmed first; the same on every call, whatever ran before
// on the pooled hashers.
func TestPseudonymizerRef(t *testing.T) {
	p := NewPseudonymizer([]byte("bench-key"))
	f := func(raw, want string) {
		t.Helper()
		for range 3 {
			if got := p.Ref(raw); got != want {
				t.Fatalf("Ref(%q) = %q, want %q", raw, got, want)
			}
		}
	}
	f("U0001234", "bc408caca3276f868875ea8b4751b344")
	f("  U0001234 ", "bc408caca3276f868875ea8b4751b344")
	f("+33 1 23 45 67 89", "a8b02d2dea7065112910efc38d4b4da8")
	f("U0001234", "bc408caca3276f868875ea8b4751b344")
	f("", "")
	f("   ", "")
}
