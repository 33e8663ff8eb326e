package ingest

import (
	"context"
	"time"

	"globaloffice/model"
	"globaloffice/store"
)

// keySource is what the key filter loads from: the hashes of the keys
// stored in a table.
type keySource interface {
	// RowCount is the number of rows of table, before merges collapse
	// replaced versions.
	RowCount(ctx context.Context, table string) (uint64, error)
	// KeyHashes calls fn with keyHash(source, id) of every row of table
	// and returns how many rows there were.
	KeyHashes(ctx context.Context, table string, fn func(uint64)) (int, error)
}

// eventStore is what the writer needs of ClickHouse: *store.DB (through
// dbStore) in production, an in-memory store in the writer's tests. Each
// insert call is one INSERT: the writer keeps it to MaxPartitions months.
type eventStore interface {
	keySource
	// NewContacts starts an insert of contacts ingested at ingestedAt; ctx
	// bounds it until Send.
	NewContacts(ctx context.Context, ingestedAt time.Time) (contactBatch, error)
	// InsertCases writes case versions and their completions; stale
	// gives, by case, the months where a stored or in-flight version was
	// completed (see store.DB.InsertCases).
	InsertCases(ctx context.Context, rows []model.Case, stale map[store.CaseKey][]int, ingestedAt time.Time) error
	// CompletionMonths returns, of ids of one source, the months in which
	// a stored version of each case was completed.
	CompletionMonths(ctx context.Context, source string, ids []string) (map[string][]int, error)
	InsertSurveys(ctx context.Context, rows []model.SurveyResponse, ingestedAt time.Time) error
	InsertRejects(ctx context.Context, rows []store.Reject) error
	// ExistingKeys returns, of ids of one source, those stored in table
	// with their newest version (updated_at for cases, the zero Unix time
	// otherwise).
	ExistingKeys(ctx context.Context, table, source string, ids []string) (map[string]time.Time, error)
}

// contactBatch is one insert of contacts filled over time, each row
// encoded as it is appended. It must be completed with a call to Send: it
// holds a connection until then.
type contactBatch interface {
	Append(c *model.Contact)
	Rows() int
	// Send writes the insert (nothing when no row was appended).
	Send() error
}

// dbStore is a *store.DB as an eventStore: only NewContacts differs from
// the DB's own methods, returning the batch as the interface.
type dbStore struct{ *store.DB }

func (d dbStore) NewContacts(ctx context.Context, ingestedAt time.Time) (contactBatch, error) {
	cb, err := d.NewContactBatch(ctx, ingestedAt)
	if err != nil {
		return nil, err // not a nil *store.ContactBatch in a non-nil interface
	}
	return cb, nil
}

// appendContacts appends the contacts of recs (those kept, or all when
// keep is nil) to b. The batch of a *store.DB is called directly, not
// through the interface: this runs once per contact stored.
func appendContacts(b contactBatch, recs []Record, keep []bool) {
	if cb, ok := b.(*store.ContactBatch); ok {
		for i, r := range recs {
			if keep == nil || keep[i] {
				cb.Append(r.Contact)
			}
		}
		return
	}
	for i, r := range recs {
		if keep == nil || keep[i] {
			b.Append(r.Contact)
		}
	}
}
