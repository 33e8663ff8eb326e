package ingest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Pseudonymizer replaces user references with a keyed hash (HMAC-SHA256,
// 128 bits in hex): the raw identifier is never stored, and the same person
// gets the same reference on every channel as long as the key is kept.
type Pseudonymizer struct{ pool sync.Pool }

// hasher is one HMAC with room for its input and sum, reused through the
// pool: passed to the hash.Hash interface, a local buffer would escape, and
// Ref runs once a record.
type hasher struct {
	mac hash.Hash
	in  []byte
	sum [sha256.Size]byte
}

// NewPseudonymizer returns a Pseudonymizer with the given secret key.
func NewPseudonymizer(key []byte) *Pseudonymizer {
	k := bytes.Clone(key)
	p := &Pseudonymizer{}
	p.pool.New = func() any { return &hasher{mac: hmac.New(sha256.New, k)} }
	return p
}

// Ref pseudonymises one reference; empty stays empty.
func (p *Pseudonymizer) Ref(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	h := p.pool.Get().(*hasher)
	h.mac.Reset()
	h.in = append(h.in[:0], raw...)
	h.mac.Write(h.in)
	var out [32]byte
	hex.Encode(out[:], h.mac.Sum(h.sum[:0])[:16])
	if cap(h.in) > 1<<10 {
		h.in = nil // a reference refused as too long: not kept in the pool
	}
	p.pool.Put(h)
	return string(out[:])
}

// MinKeyBytes is the shortest pseudonymisation key accepted: a short key
// lets anyone who has the table test candidate numbers (a dictionary of
// phone numbers is small) against the stored references.
const MinKeyBytes = 32

// LoadOrCreateKey reads the key file at path, or creates it with 32 random
// bytes (64 hex characters) when it does not exist. A file that exists but
// holds less than MinKeyBytes is an error, never replaced: a new key would
// change every reference, and a user's contacts before and after would no
// longer be linked. The file is written under a temporary name, fsynced,
// and linked to its name (which fails if another process made it first:
// that key is then read), and its folder fsynced.
func LoadOrCreateKey(path string) ([]byte, error) {
	for range 2 {
		b, err := os.ReadFile(path)
		if err == nil {
			k := bytes.TrimSpace(b)
			if len(k) < MinKeyBytes {
				return nil, fmt.Errorf("pseudonym key %s: %d bytes, fewer than %d: restore the key file from a backup (a new key would change every user_ref), or remove it knowingly to start a new key", path, len(k), MinKeyBytes)
			}
			return k, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pseudonym key: %w", err)
		}
		if err := createKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("pseudonym key %s: created but not readable", path)
}

func createKey(path string) error {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("pseudonym key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pseudonym key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".pseudonym-*.tmp") // O_EXCL, mode 0600
	if err != nil {
		return fmt.Errorf("pseudonym key: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(hex.EncodeToString(raw[:]) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(f.Name(), path) // exclusive: fails if the key exists
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("pseudonym key: %w", err)
	}
	return nil
}
