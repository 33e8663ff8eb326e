package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/go-faster/city"

	"globaloffice/model"
	"globaloffice/store"
)

// memStore is an eventStore in memory for the writer's tests, faithful to
// what the writer relies on of ClickHouse (TestStoresAgree runs the same
// calls on both):
//   - every row inserted is kept, as a plain count() sees the tables before
//     merges, so that tests count exactly what was stored;
//   - ExistingKeys answers by (source, id), with a case's newest updated_at
//     and the zero Unix time for the others; RowCount and KeyHashes
//     (cityHash64(source || 0x00 || id)) count every row;
//   - an insert of more than 100 partitions (months) fails, as on current
//     ClickHouse; a contacts batch must be completed with Send, once;
//   - a table can be away (renamed: every query naming it fails, not as bad
//     data), and each operation can be given faults: fail before storing,
//     store and then lose the answer, fail N times then recover, block
//     until released.
type memStore struct {
	mu       sync.Mutex
	contacts []model.Contact
	cases    []model.Case
	surveys  []model.SurveyResponse
	rejects  []store.Reject
	away     map[string]bool
	faults   map[string][]*faultRule // operation → rules, the first applies
	calls    map[string]int          // operation → calls so far
	open     int                     // contact batches not yet sent
	misuse   []string                // batches sent twice, appended to after Send
	// stale is what each InsertCases call was told of older versions'
	// completion months, by case.
	stale []map[store.CaseKey][]int
}

// The operations faults apply to: "insert " or "lookup " (ExistingKeys) or
// "load " (RowCount, KeyHashes) followed by the table's name.
func opInsert(table string) string { return "insert " + table }
func opLookup(table string) string { return "lookup " + table }
func opLoad(table string) string   { return "load " + table }

// fault is what a call does instead of answering at once.
type fault struct {
	err     error           // the call's error; nil: it succeeds (after hold)
	stored  bool            // the rows are stored before the error: the answer was lost
	hold    <-chan struct{} // the call waits until it is closed, or its context ends
	entered chan<- struct{} // gets a value (if there is room) as the call starts waiting
}

type faultRule struct {
	f    fault
	left int // calls it still applies to; < 0: until cleared
}

// errAnswerLost is what a client sees when an insert's answer never comes.
var errAnswerLost = errors.New("read: i/o timeout (the answer was lost)")

func newMemStore() *memStore {
	return &memStore{away: map[string]bool{}, faults: map[string][]*faultRule{}, calls: map[string]int{}}
}

// inject makes the next n calls of op (every call until cleared when n < 0)
// do f, after the rules already given for op.
func (m *memStore) inject(op string, n int, f fault) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.faults[op] = append(m.faults[op], &faultRule{f: f, left: n})
}

// clear drops the faults of op.
func (m *memStore) clear(op string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.faults, op)
}

// setAway renames a table away (every query naming it fails) or back.
func (m *memStore) setAway(table string, away bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.away[table] = away
}

// callsOf is how often op was called.
func (m *memStore) callsOf(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[op]
}

// rows is the number of rows stored in a table.
func (m *memStore) rows(table string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, _ := m.rowsLocked(table)
	return n
}

func (m *memStore) rowsLocked(table string) (int, error) {
	switch table {
	case "contacts":
		return len(m.contacts), nil
	case "cases":
		return len(m.cases), nil
	case "survey_responses":
		return len(m.surveys), nil
	case "ingest_rejects":
		return len(m.rejects), nil
	}
	return 0, fmt.Errorf("unknown table %q", table)
}

// check reports batches left open or misused.
func (m *memStore) check() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.open != 0 || len(m.misuse) > 0 {
		return fmt.Errorf("%d contact batches never sent; misuse: %v", m.open, m.misuse)
	}
	return nil
}

// do runs one call of op on table: save stores its rows (or reads its
// answer) under the lock, unless a fault says otherwise.
func (m *memStore) do(ctx context.Context, op, table string, save func()) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	m.mu.Lock()
	m.calls[op]++
	if m.away[table] {
		m.mu.Unlock()
		return fmt.Errorf("%s: %w", op, &clickhouse.Exception{Code: 60, Name: "DB::Exception", Message: "Table " + table + " doesn't exist."})
	}
	var f *fault
	if rules := m.faults[op]; len(rules) > 0 {
		r := rules[0]
		f = &r.f
		if r.left > 0 {
			if r.left--; r.left == 0 {
				m.faults[op] = rules[1:]
			}
		}
	}
	if f == nil || f.stored {
		save()
	}
	m.mu.Unlock()
	if f == nil {
		return nil
	}
	if f.entered != nil {
		select {
		case f.entered <- struct{}{}:
		default:
		}
	}
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
	}
	if f.err != nil {
		return fmt.Errorf("%s: %w", op, f.err)
	}
	if !f.stored {
		m.mu.Lock()
		save()
		m.mu.Unlock()
	}
	return nil
}

// maxPartitions is current ClickHouse's max_partitions_per_insert_block.
const maxPartitions = 100

func tooManyPartitions(months map[int]bool) error {
	if len(months) <= maxPartitions {
		return nil
	}
	return &clickhouse.Exception{Code: 252, Name: "DB::Exception", Message: fmt.Sprintf("Too many partitions for single INSERT block (more than %d)", maxPartitions)}
}

func monthOf(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

func (m *memStore) NewContacts(ctx context.Context, ingestedAt time.Time) (contactBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("insert contacts: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.away["contacts"] { // PrepareBatch reads the table's columns
		return nil, fmt.Errorf("insert contacts: %w", &clickhouse.Exception{Code: 60, Name: "DB::Exception", Message: "Table contacts doesn't exist."})
	}
	m.open++
	return &memContacts{m: m, ctx: ctx}, nil
}

// memContacts is a memStore's contacts batch.
type memContacts struct {
	m    *memStore
	ctx  context.Context
	rows []model.Contact
	sent bool
}

func (b *memContacts) Append(c *model.Contact) {
	if b.sent {
		b.m.mu.Lock()
		b.m.misuse = append(b.m.misuse, "append after send")
		b.m.mu.Unlock()
	}
	b.rows = append(b.rows, *c)
}

func (b *memContacts) Rows() int { return len(b.rows) }

func (b *memContacts) Send() error {
	b.m.mu.Lock()
	if b.sent {
		b.m.misuse = append(b.m.misuse, "sent twice")
		b.m.mu.Unlock()
		return errors.New("insert contacts: batch already sent")
	}
	b.sent = true
	b.m.open--
	b.m.mu.Unlock()
	if len(b.rows) == 0 {
		return nil // like store.ContactBatch: no insert at all
	}
	months := map[int]bool{}
	for _, c := range b.rows {
		months[monthOf(c.ArrivedDate)] = true
	}
	if err := tooManyPartitions(months); err != nil {
		return fmt.Errorf("insert contacts: %w", err)
	}
	return b.m.do(b.ctx, opInsert("contacts"), "contacts", func() { b.m.contacts = append(b.m.contacts, b.rows...) })
}

func (m *memStore) InsertCases(ctx context.Context, rows []model.Case, stale map[store.CaseKey][]int, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	rows = append([]model.Case(nil), rows...)
	m.mu.Lock()
	m.stale = append(m.stale, stale)
	m.mu.Unlock()
	return m.do(ctx, opInsert("cases"), "cases", func() { m.cases = append(m.cases, rows...) })
}

func (m *memStore) InsertSurveys(ctx context.Context, rows []model.SurveyResponse, ingestedAt time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	months := map[int]bool{}
	for _, s := range rows {
		months[monthOf(s.AnsweredDate)] = true
	}
	if err := tooManyPartitions(months); err != nil {
		return fmt.Errorf("insert survey responses: %w", err)
	}
	rows = append([]model.SurveyResponse(nil), rows...)
	return m.do(ctx, opInsert("survey_responses"), "survey_responses", func() { m.surveys = append(m.surveys, rows...) })
}

func (m *memStore) InsertRejects(ctx context.Context, rows []store.Reject) error {
	if len(rows) == 0 {
		return nil
	}
	months := map[int]bool{}
	for _, r := range rows {
		months[monthOf(r.RejectedAt)] = true
	}
	if err := tooManyPartitions(months); err != nil {
		return fmt.Errorf("insert rejects: %w", err)
	}
	rows = append([]store.Reject(nil), rows...)
	return m.do(ctx, opInsert("ingest_rejects"), "ingest_rejects", func() { m.rejects = append(m.rejects, rows...) })
}

// memKey is a stored row's key and version.
type memKey struct {
	source, id string
	version    time.Time
}

// keysLocked lists the keys of a table's rows, one per row.
func (m *memStore) keysLocked(table string) ([]memKey, error) {
	var keys []memKey
	switch table {
	case "contacts":
		for _, c := range m.contacts {
			keys = append(keys, memKey{c.Source, c.ID, time.Unix(0, 0).UTC()})
		}
	case "cases":
		for _, c := range m.cases {
			keys = append(keys, memKey{c.Source, c.ID, c.UpdatedAt.UTC()})
		}
	case "survey_responses":
		for _, s := range m.surveys {
			keys = append(keys, memKey{s.Source, s.ID, time.Unix(0, 0).UTC()})
		}
	default:
		return nil, fmt.Errorf("unknown table %q", table)
	}
	return keys, nil
}

func (m *memStore) ExistingKeys(ctx context.Context, table, source string, ids []string) (map[string]time.Time, error) {
	asked := map[string]bool{}
	for _, id := range ids {
		asked[id] = true
	}
	out := map[string]time.Time{}
	var kerr error
	err := m.do(ctx, opLookup(table), table, func() {
		keys, err := m.keysLocked(table)
		kerr = err
		for _, k := range keys {
			if k.source != source || !asked[k.id] {
				continue
			}
			if v, ok := out[k.id]; !ok || k.version.After(v) {
				out[k.id] = k.version
			}
		}
	})
	if err == nil {
		err = kerr
	}
	if err != nil {
		return nil, fmt.Errorf("existing %s keys: %w", table, err)
	}
	return out, nil
}

// CompletionMonths is store.DB's: the months in which a stored version of
// each case has its entry (store.EntryMonth).
func (m *memStore) CompletionMonths(ctx context.Context, source string, ids []string) (map[string][]int, error) {
	asked := map[string]bool{}
	for _, id := range ids {
		asked[id] = true
	}
	out := map[string][]int{}
	err := m.do(ctx, opLookup("cases"), "cases", func() {
		for _, c := range m.cases {
			if m, ok := store.EntryMonth(&c); c.Source == source && asked[c.ID] && ok {
				out[c.ID] = append(out[c.ID], m)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("completion months of cases: %w", err)
	}
	return out, nil
}

func (m *memStore) RowCount(ctx context.Context, table string) (uint64, error) {
	var n int
	var nerr error
	err := m.do(ctx, opLoad(table), table, func() { n, nerr = m.rowsLocked(table) })
	if err == nil {
		err = nerr
	}
	if err != nil {
		return 0, fmt.Errorf("row count of %s: %w", table, err)
	}
	return uint64(n), nil
}

func (m *memStore) KeyHashes(ctx context.Context, table string, fn func(uint64)) (int, error) {
	var keys []memKey
	var kerr error
	err := m.do(ctx, opLoad(table), table, func() { keys, kerr = m.keysLocked(table) })
	if err == nil {
		err = kerr
	}
	if err != nil {
		return 0, fmt.Errorf("key hashes of %s: %w", table, err)
	}
	for _, k := range keys { // outside the lock, as rows stream from ClickHouse
		fn(city.CH64([]byte(k.source + "\x00" + k.id)))
	}
	return len(keys), nil
}

// TestStoresAgree: the in-memory store answers the writer's calls as
// ClickHouse does. (Not compared: its limit of 100 partitions per insert,
// which is current ClickHouse's and which 18.16 does not have.)
func TestStoresAgree(t *testing.T) {
	eachStore(t, func(t *testing.T, ts *testStore) {
		ctx := t.Context()
		at := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
		day := func(d int) time.Time { return time.Date(2026, 5, d, 8, 0, 0, 0, time.UTC) }
		contact := func(source, id string) *model.Contact {
			return &model.Contact{Source: source, ID: id, Site: "PAR-11", Channel: "phone", ArrivedAt: at, ArrivedDate: at.Truncate(24 * time.Hour), Outcome: model.OutcomeAbandoned}
		}
		cb, err := ts.db.NewContacts(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		// The store dedupes nothing: (s, C1) twice is two rows.
		for _, c := range []*model.Contact{contact("s", "C1"), contact("s", "C2"), contact("s", "C1"), contact("o", "C1")} {
			cb.Append(c)
		}
		if cb.Rows() != 4 {
			t.Errorf("batch of %d rows, want 4", cb.Rows())
		}
		if err := cb.Send(); err != nil {
			t.Fatal(err)
		}
		if empty, err := ts.db.NewContacts(ctx, at); err != nil || empty.Send() != nil {
			t.Fatalf("an empty batch: %v", err)
		}
		caseAt := func(id string, d int) model.Case {
			return model.Case{Source: "s", ID: id, Site: "PAR-11", Kind: "reimbursement", Channel: "mail", ReceivedAt: day(1), ReceivedDate: day(1).Truncate(24 * time.Hour), Status: model.CaseStatus("open"), UpdatedAt: day(d)}
		}
		if err := ts.db.InsertCases(ctx, []model.Case{caseAt("K1", 1), caseAt("K1", 9), caseAt("K1", 5), caseAt("K2", 3)}, nil, at); err != nil {
			t.Fatal(err)
		}
		survey := model.SurveyResponse{Source: "s", ID: "R1", Site: "PAR-11", Channel: "phone", Survey: "post", Mode: model.SurveyMode("sms"), AnsweredAt: at, AnsweredDate: at.Truncate(24 * time.Hour), Scale: model.Scale("1-5"), Scores: map[string]int{"overall": 4}}
		if err := ts.db.InsertSurveys(ctx, []model.SurveyResponse{survey}, at); err != nil {
			t.Fatal(err)
		}
		if err := ts.db.InsertRejects(ctx, []store.Reject{{RejectedAt: at, Kind: "contacts", Source: "s", Line: 2, Field: "id", Reason: "required", Raw: "{}"}}); err != nil {
			t.Fatal(err)
		}
		for table, want := range map[string]uint64{"contacts": 4, "cases": 4, "survey_responses": 1, "ingest_rejects": 1} {
			if n, err := ts.db.RowCount(ctx, table); err != nil || n != want {
				t.Errorf("RowCount(%s) = %d, %v; want %d", table, n, err, want)
			}
		}
		epoch := time.Unix(0, 0)
		for _, tc := range []struct {
			table, source string
			ids           []string
			want          map[string]time.Time
		}{
			{"contacts", "s", []string{"C1", "C3"}, map[string]time.Time{"C1": epoch}},
			{"contacts", "o", []string{"C1", "C2"}, map[string]time.Time{"C1": epoch}},
			{"cases", "s", []string{"K1", "K2", "K9"}, map[string]time.Time{"K1": day(9), "K2": day(3)}}, // the newest version
			{"survey_responses", "s", []string{"R1"}, map[string]time.Time{"R1": epoch}},
			{"survey_responses", "o", []string{"R1"}, map[string]time.Time{}},
		} {
			got, err := ts.db.ExistingKeys(ctx, tc.table, tc.source, tc.ids)
			ok := err == nil && len(got) == len(tc.want)
			for id, v := range tc.want {
				ok = ok && got[id].Equal(v)
			}
			if !ok {
				t.Errorf("ExistingKeys(%s, %s, %v) = %v, %v; want %v", tc.table, tc.source, tc.ids, got, err, tc.want)
			}
		}
		hashes := map[uint64]int{}
		n, err := ts.db.KeyHashes(ctx, "contacts", func(h uint64) { hashes[h]++ })
		want := map[uint64]int{keyHash("s", "C1"): 2, keyHash("s", "C2"): 1, keyHash("o", "C1"): 1}
		if err != nil || n != 4 || !maps.Equal(hashes, want) {
			t.Errorf("KeyHashes(contacts) = %v, %d, %v; want %v", hashes, n, err, want)
		}
		if _, err := ts.db.ExistingKeys(ctx, "sites", "s", []string{"x"}); err == nil {
			t.Error("ExistingKeys of sites: no error")
		}
	})
}
