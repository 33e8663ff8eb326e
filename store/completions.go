package store

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"globaloffice/model"
)

// The case completions table (migration 0004) places each case's
// completion in the partition of its completion month, and each open
// case in partition 197001 (OpenMonth): the back-office backlog at a date
// D reads that partition and the months after D, never the whole history.
// Its entries are derived from the case versions: see InsertCases and
// RebuildCaseCompletions.

// CaseKey is a case's identity.
type CaseKey struct{ Source, ID string }

// Month is a civil month as toYYYYMM writes it (202605).
func Month(d time.Time) int { return d.Year()*100 + int(d.Month()) }

// OpenMonth is the month (toYYYYMM) where open cases are placed: their
// entries carry 1970-01-01 as completion date, a month no period reaches
// (periods start in 2000). An open version is "placed" there in the stale
// logic exactly as a completion is in its month, so that a later version
// takes its open entry out with a superseded entry there.
const OpenMonth = 197001

// EntryMonth is the month (toYYYYMM) of version c's own entry: OpenMonth
// for an open case, the month of its completion for a completed or
// cancelled case with a completion date; none for a case cancelled
// without a date (closed, and counted nowhere).
func EntryMonth(c *model.Case) (int, bool) {
	switch {
	case c.Status == model.CaseOpen:
		return OpenMonth, true
	case c.CompletedDate != nil:
		return Month(*c.CompletedDate), true
	}
	return 0, false
}

// monthStart is the first day of month m (toYYYYMM form), in UTC.
func monthStart(m int) time.Time {
	return time.Date(m/100, time.Month(m%100), 1, 0, 0, 0, 0, time.UTC)
}

// completionColumns writes the entry of version r in the month of date:
// its completion when entry is "completion" (date is then its completion
// date), its being open when entry is "open" (in OpenMonth), a marker
// taking older entries of the month out otherwise ("superseded").
func completionColumns(w *rowWriter, r *model.Case, completedAt, completedDate time.Time, entry string, ingestedAt time.Time) {
	w.str("source").put(r.Source)
	w.str("id").put(r.ID)
	w.str("site").put(r.Site)
	w.str("kind").put(string(r.Kind))
	w.str("channel").put(string(r.Channel))
	w.dateTime("received_at").put(r.ReceivedAt)
	w.date("received_date").put(r.ReceivedDate)
	w.dateTime("completed_at").put(completedAt)
	w.date("completed_date").put(completedDate)
	w.enum("status").put(string(r.Status))
	w.str("user_ref").put(r.UserRef)
	w.dateTime("updated_at").put(r.UpdatedAt)
	w.enum("entry").put(entry)
	w.uint64("version").put(entryVersion(r.UpdatedAt, entry))
	w.dateTime("ingested_at").put(ingestedAt)
	caseFollowUpColumns(w, r)
	w.str("origin_contact_id").put(r.OriginContactID)
	w.str("segment").put(r.Segment)
}

// entryVersion orders entries: by updated_at, and of one version, its
// completion (or open entry) after its superseded entries. FINAL collapses a case across
// all the partitions it reads (ClickHouse merges parts of every selected
// partition together), so a query over several months meets a version's
// completion and its superseded entries at once, and the completion must
// win; an older version's entries lose to both.
func entryVersion(updatedAt time.Time, entry string) uint64 {
	v := uint64(updatedAt.Unix()) * 2
	if entry == "completion" || entry == "open" {
		v++
	}
	return v
}

var completionsTable = newTable("case_completions", "insert case completions", func(w *rowWriter) {
	completionColumns(w, &model.Case{}, time.Time{}, time.Time{}, "completion", time.Time{})
})

// completionEntry is one row of case_completions to write.
type completionEntry struct {
	c     *model.Case
	month int
	entry string
}

// completionEntries derives the entries of a batch of versions: for each
// case, its newest version in the batch (the others are superseded by it)
// adds its own entry (its completion, if it has one; its being open, in
// OpenMonth, if it is open) and a superseded entry in every other month
// where a version of the case had its entry: an older version of the
// batch, or one stored (stale, by key: toYYYYMM months, OpenMonth for an
// open version).
func completionEntries(rows []model.Case, stale map[CaseKey][]int) []completionEntry {
	head := make(map[CaseKey]int, len(rows))
	months := map[CaseKey]map[int]bool{}
	addMonth := func(k CaseKey, m int) {
		if months[k] == nil {
			months[k] = map[int]bool{}
		}
		months[k][m] = true
	}
	var order []CaseKey
	for i := range rows {
		r := &rows[i]
		k := CaseKey{r.Source, r.ID}
		h, seen := head[k]
		if !seen {
			order = append(order, k)
			for _, m := range stale[k] {
				addMonth(k, m)
			}
		}
		if !seen || r.UpdatedAt.After(rows[h].UpdatedAt) {
			head[k] = i
		}
		if m, ok := EntryMonth(r); ok {
			addMonth(k, m)
		}
	}
	var out []completionEntry
	for _, k := range order {
		h := &rows[head[k]]
		own, ok := EntryMonth(h)
		switch {
		case !ok:
			own = 0
		case own == OpenMonth:
			out = append(out, completionEntry{h, own, "open"})
		default:
			out = append(out, completionEntry{h, own, "completion"})
		}
		var other []int
		for m := range months[k] {
			if m != own {
				other = append(other, m)
			}
		}
		sort.Ints(other)
		for _, m := range other {
			out = append(out, completionEntry{h, m, "superseded"})
		}
	}
	return out
}

// writeCompletions inserts entries, at most maxPartitions months an
// insert.
func (db *DB) writeCompletions(ctx context.Context, entries []completionEntry, ingestedAt time.Time) error {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].month < entries[j].month })
	for start := 0; start < len(entries); {
		end, months := start, 0
		for end < len(entries) {
			if end == start || entries[end].month != entries[end-1].month {
				if months == maxPartitions {
					break
				}
				months++
			}
			end++
		}
		ins, err := newInsert(ctx, db, completionsTable)
		if err != nil {
			return err
		}
		for _, e := range entries[start:end] {
			at, date := monthStart(e.month), monthStart(e.month)
			if e.entry == "completion" {
				at, date = *e.c.CompletedAt, *e.c.CompletedDate
			}
			completionColumns(ins.row(), e.c, at, date, e.entry, ingestedAt)
		}
		if err := ins.send(); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// maxPartitions is current ClickHouse's limit of partitions an insert
// block may touch (max_partitions_per_insert_block).
const maxPartitions = 100

// CompletionMonths returns, for the given ids of one source, the months
// (toYYYYMM) in which a stored version of the case has its entry (see
// EntryMonth: OpenMonth for an open version): where a newer version must
// take an entry out.
func (db *DB) CompletionMonths(ctx context.Context, source string, ids []string) (map[string][]int, error) {
	const q = `SELECT id, groupUniqArray(if(status = 'open', toUInt32(197001), toUInt32(toYYYYMM(assumeNotNull(completed_date))))) FROM cases
  WHERE source = ? AND id IN ? AND (status = 'open' OR isNotNull(completed_date)) GROUP BY id`
	out := make(map[string][]int)
	err := db.lookupIDs(ctx, q, source, ids, func(rows driver.Rows) error {
		var id string
		var ms []uint32
		if err := rows.Scan(&id, &ms); err != nil {
			return err
		}
		for _, m := range ms {
			out[id] = append(out[id], int(m))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("completion months of cases: %w", err)
	}
	return out, nil
}

// staleMonths looks up the completion months of every case of rows.
func (db *DB) staleMonths(ctx context.Context, rows []model.Case) (map[CaseKey][]int, error) {
	bySource := map[string][]string{}
	seen := map[CaseKey]bool{}
	for _, r := range rows {
		if k := (CaseKey{r.Source, r.ID}); !seen[k] {
			seen[k] = true
			bySource[r.Source] = append(bySource[r.Source], r.ID)
		}
	}
	stale := map[CaseKey][]int{}
	for source, ids := range bySource {
		sort.Strings(ids)
		months, err := db.CompletionMonths(ctx, source, ids)
		if err != nil {
			return nil, err
		}
		for id, ms := range months {
			stale[CaseKey{source, id}] = ms
		}
	}
	return stale, nil
}

// RebuildStats says what a rebuild wrote.
type RebuildStats struct {
	Completions uint64 // entries in case_completions after the rebuild
	// CaughtUp is the number of cases with a version ingested since Since
	// (the start, less a margin for inserts under way), whose entries were
	// written again after the new table replaced the old one.
	CaughtUp int
	Since    time.Time
}

// completionsSelect selects, from cases FINAL (each case's newest version,
// exactly as the raw path reads them), the completion entries of the
// months in [from, to].
const completionsSelect = `SELECT source, id, site, kind, channel, received_at, received_date,
    assumeNotNull(completed_at), assumeNotNull(completed_date), status, user_ref, updated_at,
    'completion', toUInt64(updated_at) * 2 + 1, now(), ` + followUpColumns + `, origin_contact_id, segment
  FROM cases FINAL
  WHERE isNotNull(completed_date) AND isNotNull(completed_at)
    AND toUInt32(toYYYYMM(assumeNotNull(completed_date))) BETWEEN ? AND ?`

// openSelect selects, from cases FINAL, the open entries (in OpenMonth) of
// the cases whose newest version is open.
const openSelect = `SELECT source, id, site, kind, channel, received_at, received_date,
    toDateTime(0, 'UTC'), toDate(0), status, user_ref, updated_at,
    'open', toUInt64(updated_at) * 2 + 1, now(), ` + followUpColumns + `, origin_contact_id, segment
  FROM cases FINAL
  WHERE status = 'open'`

const completionsColumns = `(source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, entry, version, ingested_at, ` + followUpColumns + `, origin_contact_id, segment)`

// followUpColumns are the columns of migration 0006, the same in cases
// and case_completions.
const followUpColumns = `acknowledged_at, acknowledged_date, announced_days, paused_seconds`

// RebuildCaseCompletions builds case_completions again from the cases
// table, for a schema change or a repair: into a new table, which then
// replaces the old one, so that readers never see it half built. Cases
// written while it runs (their versions ingested since it started, less
// margin for inserts under way: CatchUpMargin) get their entries written
// again at the end, from all their stored versions.
func (db *DB) RebuildCaseCompletions(ctx context.Context, margin time.Duration) (RebuildStats, error) {
	var st RebuildStats
	var started time.Time
	if err := db.conn.QueryRow(ctx, `SELECT now()`).Scan(&started); err != nil {
		return st, fmt.Errorf("rebuild: %w", err)
	}
	if err := db.ddl(ctx, `DROP TABLE IF EXISTS case_completions_rebuild`); err != nil {
		return st, fmt.Errorf("rebuild: drop case_completions_rebuild: %w", err)
	}
	if err := db.createRebuildTable(ctx); err != nil {
		return st, err
	}
	months, err := db.completedMonths(ctx)
	if err != nil {
		return st, err
	}
	for i := 0; i < len(months); i += maxPartitions {
		last := months[min(i+maxPartitions, len(months))-1]
		q := `INSERT INTO case_completions_rebuild ` + completionsColumns + ` ` + completionsSelect
		if err := db.conn.Exec(ctx, q, uint32(months[i]), uint32(last)); err != nil {
			return st, fmt.Errorf("rebuild: months %d–%d: %w", months[i], last, err)
		}
	}
	if err := db.conn.Exec(ctx, `INSERT INTO case_completions_rebuild `+completionsColumns+` `+openSelect); err != nil {
		return st, fmt.Errorf("rebuild: open cases: %w", err)
	}
	for _, q := range []string{
		`DROP TABLE IF EXISTS case_completions_replaced`,
		`RENAME TABLE case_completions TO case_completions_replaced, case_completions_rebuild TO case_completions`,
		`DROP TABLE case_completions_replaced`,
	} {
		if err := db.ddl(ctx, q); err != nil {
			return st, fmt.Errorf("rebuild: %s: %w", q, err)
		}
	}
	st.Since = started.Add(-margin)
	n, err := db.catchUp(ctx, st.Since)
	if err != nil {
		return st, err
	}
	st.CaughtUp = n
	if err := db.conn.QueryRow(ctx, `SELECT count() FROM case_completions`).Scan(&st.Completions); err != nil {
		return st, fmt.Errorf("rebuild: count: %w", err)
	}
	return st, nil
}

// createRebuildTable creates case_completions_rebuild like
// case_completions. On a cluster the new table needs a ZooKeeper path of
// its own, so its engine is case_completions' with another path: one per
// rebuild, since after the swap the live table keeps the path it was
// built at (a RENAME leaves ZooKeeper alone).
func (db *DB) createRebuildTable(ctx context.Context) error {
	if db.cluster == "" {
		q := `CREATE TABLE case_completions_rebuild AS case_completions`
		if err := db.conn.Exec(db.ddlContext(ctx), q); err != nil {
			return fmt.Errorf("rebuild: %s: %w", q, err)
		}
		return nil
	}
	var engine string
	if err := db.conn.QueryRow(ctx, `SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'case_completions'`).Scan(&engine); err != nil {
		return fmt.Errorf("rebuild: engine of case_completions: %w", err)
	}
	path := ReplicaPath(db.database, fmt.Sprintf("case_completions_%d", time.Now().UnixNano()))
	engine, err := withReplicaPath(engine, path)
	if err != nil {
		return fmt.Errorf("rebuild: case_completions: %w", err)
	}
	q := fmt.Sprintf("CREATE TABLE %[1]s.case_completions_rebuild ON CLUSTER %[2]s AS %[1]s.case_completions ENGINE = %[3]s", db.database, db.cluster, engine)
	if err := db.conn.Exec(db.ddlContext(ctx), q); err != nil {
		return fmt.Errorf("rebuild: create case_completions_rebuild: %w", clusterError(db.cluster, err))
	}
	return nil
}

// reReplicaPath is the first argument of a Replicated engine, its
// ZooKeeper path.
var reReplicaPath = regexp.MustCompile(`^(Replicated\w*MergeTree\s*\(\s*)'[^']*'`)

// withReplicaPath is a Replicated engine (system.tables' engine_full) at
// path instead of its own.
func withReplicaPath(engine, path string) (string, error) {
	m := reReplicaPath.FindStringSubmatchIndex(engine)
	if m == nil {
		return "", fmt.Errorf("engine %.60q is not Replicated", engine)
	}
	return engine[:m[3]] + "'" + path + "'" + engine[m[1]:], nil
}

// CatchUpMargin covers the inserts under way when a rebuild starts: a
// unit's versions carry the time its insert began, and an insert is
// bounded by ingest's insert timeout (a minute by default).
const CatchUpMargin = 10 * time.Minute

// completedMonths lists the months in which some stored case version was
// completed, in order.
func (db *DB) completedMonths(ctx context.Context) ([]int, error) {
	rows, err := db.conn.Query(ctx, `SELECT DISTINCT toUInt32(toYYYYMM(assumeNotNull(completed_date))) AS m FROM cases WHERE isNotNull(completed_date) ORDER BY m`)
	if err != nil {
		return nil, fmt.Errorf("rebuild: months: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var m uint32
		if err := rows.Scan(&m); err != nil {
			return nil, fmt.Errorf("rebuild: months: %w", err)
		}
		out = append(out, int(m))
	}
	return out, rows.Err()
}

// catchUp writes again the entries of the cases with a version ingested
// since since: each case's newest stored version, superseding every other
// month where one of its versions had its entry.
func (db *DB) catchUp(ctx context.Context, since time.Time) (int, error) {
	rows, err := db.conn.Query(ctx, `SELECT source, id, site, toString(kind), toString(channel), received_at, received_date, completed_at, completed_date, toString(status), user_ref, updated_at, `+followUpColumns+`, origin_contact_id, toString(segment)
  FROM cases WHERE (source, id) IN (SELECT source, id FROM cases WHERE ingested_at >= ?)`, since)
	if err != nil {
		return 0, fmt.Errorf("rebuild: catch up: %w", err)
	}
	defer rows.Close()
	var versions []model.Case
	for rows.Next() {
		var c model.Case
		var kind, channel, status string
		if err := rows.Scan(&c.Source, &c.ID, &c.Site, &kind, &channel, &c.ReceivedAt, &c.ReceivedDate, &c.CompletedAt, &c.CompletedDate, &status, &c.UserRef, &c.UpdatedAt,
			&c.AcknowledgedAt, &c.AcknowledgedDate, &c.AnnouncedDays, &c.PausedSeconds, &c.OriginContactID, &c.Segment); err != nil {
			return 0, fmt.Errorf("rebuild: catch up: %w", err)
		}
		c.Kind, c.Channel, c.Status = model.CaseKind(kind), model.Channel(channel), model.CaseStatus(status)
		versions = append(versions, c)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("rebuild: catch up: %w", err)
	}
	entries := completionEntries(versions, nil)
	keys := map[CaseKey]bool{}
	for _, e := range entries {
		keys[CaseKey{e.c.Source, e.c.ID}] = true
	}
	if err := db.writeCompletions(ctx, entries, time.Now().UTC().Truncate(time.Second)); err != nil {
		return 0, fmt.Errorf("rebuild: catch up: %w", err)
	}
	return len(keys), nil
}
