package ingest

import (
	"testing"
	"time"

	"globaloffice/store"
)

// For the tests of package ingest_test.

// NewTestDB is newTestDB: a migrated ClickHouse database of the test's own,
// the test skipped under -short.
func NewTestDB(t testing.TB) *store.DB { return newTestDB(t) }

// SkipShort skips a test that needs a ClickHouse server under -short.
func SkipShort(t testing.TB) { needClickHouse(t) }

// ProxiedDB is the test's database behind a cutProxy (see proxiedDB), and
// the proxy's switch: cut(true) drops the connections and leaves new ones
// unanswered, cut(false) forwards again.
func ProxiedDB(t *testing.T, dialTimeout time.Duration) (db *store.DB, cut func(bool)) {
	_, proxy, db := proxiedDB(t, dialTimeout)
	return db, proxy.setCut
}
