package ingest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
)

// Pseudonymizer replaces user references with a keyed hash (HMAC-SHA256,
// 128 bits in hex): the raw identifier is never stored, and the same person
// gets the same reference on every channel as long as the key is kept.
type Pseudonymizer struct{ pool sync.Pool }

// NewPseudonymizer returns a Pseudonymizer with the given secret key.
func NewPseudonymizer(key []byte) *Pseudonymizer {
	k := bytes.Clone(key)
	p := &Pseudonymizer{}
	p.pool.New = func() any { return hmac.New(sha256.New, k) }
	return p
}

// Ref pseudonymises one reference; empty stays empty.
func (p *Pseudonymizer) Ref(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	m := p.pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(raw))
	var sum [sha256.Size]byte
	out := hex.EncodeToString(m.Sum(sum[:0])[:16])
	p.pool.Put(m)
	return out
}
