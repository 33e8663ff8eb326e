package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// The inserts build their columns in the native format; these tests check
// that the rows stored are those clickhouse-go's Append stores.

// testContacts are n contacts with every case InsertContacts must keep:
// NULL answer and end times, empty motive and team, every outcome, more
// than 256 sites (2-byte LowCardinality keys), more than 16 motives (the
// hashed dictionary), non-ASCII text.
func testContacts(n int) []model.Contact {
	day := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	motives := []string{"", "paiement", "attestation", "réclamation", "changement_situation"}
	for i := range 20 {
		motives = append(motives, fmt.Sprintf("motif-%d", i))
	}
	out := make([]model.Contact, n)
	for i := range out {
		arrived := day.Add(time.Duration(i) * 37 * time.Second)
		c := model.Contact{
			Source:      []string{"acd", "kiosk", "rdv"}[i%3],
			ID:          fmt.Sprintf("A-%012d", i),
			Site:        fmt.Sprintf("S-%03d", (i/7)%300),
			Channel:     model.DefaultChannels[i%len(model.DefaultChannels)],
			ArrivedAt:   arrived,
			ArrivedDate: arrived.Truncate(24 * time.Hour),
			Outcome:     model.Outcomes[i%len(model.Outcomes)],
			Motive:      motives[i%len(motives)],
			Team:        []string{"", "plateau-A", "plateau-B"}[i%3],
			Segment:     []string{"", "assisted", "priority_public", "first_request"}[i%4],
		}
		if i%5 == 1 {
			c.CaseID = fmt.Sprintf("D-%06d", i/5)
		}
		if i%4 != 0 {
			c.UserRef = fmt.Sprintf("%032x", i*7919)
		}
		if i%10 != 0 {
			t := arrived.Add(time.Duration(i%600) * time.Second)
			c.AnsweredAt = &t
		}
		if i%13 != 0 {
			t := arrived.Add(time.Duration(600+i%900) * time.Second)
			c.EndedAt = &t
		}
		out[i] = c
	}
	return out
}

// appendContacts inserts as the previous InsertContacts did, with Append.
func appendContacts(ctx context.Context, db *store.DB, table string, rows []model.Contact, ingestedAt time.Time) error {
	b, err := db.Conn().PrepareBatch(ctx, `INSERT INTO `+table+` (source, id, site, channel, arrived_at, arrived_date, answered_at, ended_at, outcome, motive, user_ref, team, ingested_at, case_id, segment)`)
	if err != nil {
		return err
	}
	n := len(rows)
	source, id, site, channel := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	arrived, arrivedDate, answered, ended := make([]time.Time, n), make([]time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	outcome, motive, user, team := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ingested, caseID, segment := make([]time.Time, n), make([]string, n), make([]string, n)
	for i, r := range rows {
		source[i], id[i], site[i], channel[i] = r.Source, r.ID, r.Site, string(r.Channel)
		caseID[i], segment[i] = r.CaseID, r.Segment
		arrived[i], arrivedDate[i], answered[i], ended[i] = r.ArrivedAt, r.ArrivedDate, r.AnsweredAt, r.EndedAt
		outcome[i], motive[i], user[i], team[i] = string(r.Outcome), r.Motive, r.UserRef, r.Team
		ingested[i] = ingestedAt
	}
	for i, col := range []any{source, id, site, channel, arrived, arrivedDate, answered, ended, outcome, motive, user, team, ingested, caseID, segment} {
		if err := b.Column(i).Append(col); err != nil {
			_ = b.Abort()
			return err
		}
	}
	return b.Send()
}

// appendRows inserts rows with the row Append the previous InsertCases and
// InsertSurveys used.
func appendRows(ctx context.Context, db *store.DB, insert string, rows [][]any) error {
	b, err := db.Conn().PrepareBatch(ctx, insert)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := b.Append(r...); err != nil {
			_ = b.Abort()
			return err
		}
	}
	return b.Send()
}

// dump returns every row of table as text, in key order, with the enums'
// numbers and NULLs spelled out.
func dump(ctx context.Context, t *testing.T, db *store.DB, table string) []string {
	t.Helper()
	cols, err := db.Conn().Query(ctx, `SELECT name, type FROM system.columns WHERE database = ? AND table = ? ORDER BY name`, db.Database(), table)
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for cols.Next() {
		var name, typ string
		if err := cols.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		exprs = append(exprs, fmt.Sprintf(`ifNull(toString(%s), 'NULL')`, name))
		if strings.HasPrefix(typ, "Enum8") {
			exprs = append(exprs, fmt.Sprintf(`toString(toInt8(%s))`, name))
		}
	}
	cols.Close()
	rows, err := db.Conn().Query(ctx, `SELECT concat(`+strings.Join(exprs, `, '|', `)+`) FROM `+table+` ORDER BY source, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameRows checks that table and table_ref hold the same n rows, and that
// every string of must appears in them.
func sameRows(ctx context.Context, t *testing.T, db *store.DB, table string, n int, must ...string) {
	t.Helper()
	got, want := dump(ctx, t, db, table), dump(ctx, t, db, table+"_ref")
	if len(got) != n || len(want) != n {
		t.Fatalf("%s: %d rows stored, %d by Append; want %d", table, len(got), len(want), n)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s row %d:\n got %q\nwant %q", table, i, got[i], want[i])
		}
	}
	all := strings.Join(got, "\n")
	for _, s := range must {
		if !strings.Contains(all, s) {
			t.Errorf("%s: no row contains %q", table, s)
		}
	}
}

func refTable(ctx context.Context, t *testing.T, db *store.DB, table string) {
	t.Helper()
	if err := db.Conn().Exec(store.DDLContext(ctx, db), `CREATE TABLE `+table+`_ref AS `+table); err != nil {
		t.Fatal(err)
	}
}

func TestInsertContactsStoresWhatAppendStores(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refTable(ctx, t, db, "contacts")
	rows := testContacts(5000)
	now := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	// Two inserts at once, each with its own pooled buffers.
	errs := make(chan error, 2)
	for _, part := range [][]model.Contact{rows[:2000], rows[2000:]} {
		go func() { errs <- db.InsertContacts(ctx, part, now) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := appendContacts(ctx, db, "contacts_ref", rows, now); err != nil {
		t.Fatal(err)
	}
	sameRows(ctx, t, db, "contacts", len(rows), "|NULL|", "||", "S-299", "réclamation", "motif-19", "no_show|3", "|D-000001|", "|first_request|")
}

func TestInsertContactsUnknownOutcome(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows := testContacts(3)
	rows[2].Outcome = "lost"
	err := db.InsertContacts(ctx, rows, time.Now())
	if err == nil || !strings.Contains(err.Error(), `"lost"`) {
		t.Fatalf("insert with an unknown outcome: %v; want an error naming it", err)
	}
	if n, err := db.RowCount(ctx, "contacts"); err != nil || n != 0 {
		t.Errorf("%d rows stored, %v; want none", n, err)
	}
	if err := db.InsertContacts(ctx, rows[:2], time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestInsertCasesStoresWhatAppendStores(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refTable(ctx, t, db, "cases")
	day := time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)
	now := day.AddDate(0, 3, 0)
	rows := make([]model.Case, 3000)
	ref := make([][]any, len(rows))
	for i := range rows {
		received := day.Add(time.Duration(i) * 613 * time.Second)
		r := model.Case{
			Source: []string{"ged", "mail"}[i%2], ID: fmt.Sprintf("D-%08d", i), Site: fmt.Sprintf("S-%03d", i%280),
			Kind: model.DefaultCaseKinds[i%len(model.DefaultCaseKinds)], Channel: model.DefaultChannels[i%len(model.DefaultChannels)],
			ReceivedAt: received, ReceivedDate: received.Truncate(24 * time.Hour),
			Status: model.CaseStatuses[i%len(model.CaseStatuses)], UserRef: fmt.Sprintf("%x", i), UpdatedAt: received.Add(time.Hour),
			Segment: []string{"", "assisted"}[i%2],
		}
		if i%3 == 0 {
			r.OriginContactID = fmt.Sprintf("A-%012d", i)
		}
		if r.Status != model.CaseOpen {
			done := received.Add(time.Duration(i%20) * 24 * time.Hour)
			date := done.Truncate(24 * time.Hour)
			r.CompletedAt, r.CompletedDate = &done, &date
		}
		// Every third case acknowledged, every fifth with an announced
		// delay (0 included: it is not NULL), every seventh paused.
		if i%3 == 0 {
			ack := received.Add(time.Duration(i%5) * time.Hour)
			date := ack.Truncate(24 * time.Hour)
			r.AcknowledgedAt, r.AcknowledgedDate = &ack, &date
		}
		if i%5 == 0 {
			days := uint32(i % 30)
			r.AnnouncedDays = &days
		}
		if i%7 == 0 {
			r.PausedSeconds = uint32(i * 11)
		}
		rows[i] = r
		ref[i] = []any{r.Source, r.ID, r.Site, string(r.Kind), string(r.Channel), r.ReceivedAt, r.ReceivedDate, r.CompletedAt, r.CompletedDate, string(r.Status), r.UserRef, r.UpdatedAt, now,
			r.AcknowledgedAt, r.AcknowledgedDate, r.AnnouncedDays, r.PausedSeconds, r.OriginContactID, r.Segment}
	}
	if err := db.InsertCases(ctx, rows, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := appendRows(ctx, db, `INSERT INTO cases_ref (source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, ingested_at, acknowledged_at, acknowledged_date, announced_days, paused_seconds, origin_contact_id, segment)`, ref); err != nil {
		t.Fatal(err)
	}
	// Columns in name order: acknowledged_at, acknowledged_date,
	// announced_days, channel…, kind, origin_contact_id, paused_seconds…
	sameRows(ctx, t, db, "cases", len(rows), "|NULL|NULL|", "|open|1|", "cancelled|3", "S-279",
		"2025-02-03 00:00:00|2025-02-03|0|reception|", "NULL|NULL|10|phone|", "|complaint||154|", "|A-000000000003|", "|assisted|")
}

func TestInsertSurveysStoresWhatAppendStores(t *testing.T) {
	db := chtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refTable(ctx, t, db, "survey_responses")
	day := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	now := day.AddDate(0, 2, 0)
	rows := make([]model.SurveyResponse, 2000)
	ref := make([][]any, len(rows))
	for i := range rows {
		answered := day.Add(time.Duration(i) * 977 * time.Second)
		r := model.SurveyResponse{
			Source: "survey", ID: fmt.Sprintf("Q-%06d", i), Site: fmt.Sprintf("S-%02d", i%40), Channel: model.DefaultChannels[i%len(model.DefaultChannels)],
			Survey: []string{"satisfaction", "accueil"}[i%2], Mode: model.SurveyModes[i%len(model.SurveyModes)],
			AnsweredAt: answered, AnsweredDate: answered.Truncate(24 * time.Hour), Scale: model.Scales[i%len(model.Scales)],
			Scores: map[string]int{}, Comment: []string{"", "très bien", "line\nbreak\t'quote'"}[i%3],
		}
		if i%5 != 0 {
			r.ContactID = fmt.Sprintf("A-%012d", i)
		}
		for d := range i % 4 {
			r.Scores[[]string{"global", "delai", "accueil"}[d%3]+fmt.Sprint(d/3)] = (i + d) % 11
		}
		if i%4 == 3 && i%3 == 0 {
			// A score on a scale of its own (mixed questionnaires).
			r.Scales = map[string]model.Scale{"delai0": model.Scale0to10}
		}
		rows[i] = r
		dims := make([]string, 0, len(r.Scores))
		for d := range r.Scores {
			dims = append(dims, d)
		}
		sort.Strings(dims)
		scores := make([]uint8, len(dims))
		scales := make([]string, len(dims))
		for k, d := range dims {
			scores[k] = uint8(r.Scores[d])
			scales[k] = string(r.Scale)
			if sc, ok := r.Scales[d]; ok {
				scales[k] = string(sc)
			}
		}
		ref[i] = []any{r.Source, r.ID, r.Site, string(r.Channel), r.Survey, string(r.Mode), r.AnsweredAt, r.AnsweredDate, r.ContactID, string(r.Scale), dims, scores, r.Comment, now, scales}
	}
	if err := db.InsertSurveys(ctx, rows, now); err != nil {
		t.Fatal(err)
	}
	if err := appendRows(ctx, db, `INSERT INTO survey_responses_ref (source, id, site, channel, survey, mode, answered_at, answered_date, contact_id, scale, dimensions, scores, comment, ingested_at, scales)`, ref); err != nil {
		t.Fatal(err)
	}
	sameRows(ctx, t, db, "survey_responses", len(rows), "|[]|", "|[5,4,3]|", "['accueil0','delai0','global0']", "très bien", "mystery_shopper|6", "['1-4','0-10','1-4']")
}

// TestScalesDefaultToTheResponses: a response stored without scales (before
// migration 0008, or by an older writer) reads the response's scale for
// every score, so that the indicators read old rows as before.
func TestScalesDefaultToTheResponses(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	at := time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)
	if err := appendRows(ctx, db, `INSERT INTO survey_responses (source, id, site, channel, survey, mode, answered_at, answered_date, contact_id, scale, dimensions, scores, comment, ingested_at)`,
		[][]any{{"s", "OLD", "PAR-11", "reception", "nps", "sms", at, at.Truncate(24 * time.Hour), "", "0-10", []string{"overall", "recommend"}, []uint8{8, 9}, "", at}}); err != nil {
		t.Fatal(err)
	}
	if err := db.InsertSurveys(ctx, []model.SurveyResponse{{Source: "s", ID: "NEW", Site: "PAR-11", Channel: "reception", Survey: "post", Mode: model.ModeEmail,
		AnsweredAt: at, AnsweredDate: at.Truncate(24 * time.Hour), Scale: model.Scale1to5, Scores: map[string]int{"overall": 4, "recommend": 9},
		Scales: map[string]model.Scale{"recommend": model.Scale0to10}}}, at); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"OLD": "0-10,0-10", "NEW": "1-5,0-10"} {
		var got string
		if err := db.Conn().QueryRow(ctx, "SELECT arrayStringConcat(arrayMap(v -> toString(v), scales), ',') FROM survey_responses FINAL WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: scales %s, want %s", id, got, want)
		}
	}
}

// BenchmarkInsertContacts inserts 40,000 contacts a call, an ingest batch,
// as InsertContacts does and with clickhouse-go's Append. Besides wall time
// it reports this process's CPU a row and, when CLICKHOUSE_PID names the
// server's process, the server's.
func BenchmarkInsertContacts(b *testing.B) {
	db := chtest.New(b)
	ctx := context.Background()
	rows := testContacts(40_000)
	now := time.Now().UTC().Truncate(time.Second)
	server, _ := strconv.Atoi(os.Getenv("CLICKHOUSE_PID"))
	for _, m := range []struct {
		name   string
		insert func() error
	}{
		{"native", func() error { return db.InsertContacts(ctx, rows, now) }},
		{"Append", func() error { return appendContacts(ctx, db, "contacts", rows, now) }},
	} {
		b.Run(m.name, func(b *testing.B) {
			own, srv := ownCPU(), serverCPU(b, server)
			for b.Loop() {
				if err := m.insert(); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(b.N * len(rows))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/row")
			b.ReportMetric(float64(ownCPU()-own)/n, "cpu-ns/row")
			if server > 0 {
				b.ReportMetric(float64(serverCPU(b, server)-srv)/n, "server-cpu-ns/row")
			}
		})
	}
}

// ownCPU is this process's user and system CPU time, in nanoseconds.
func ownCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// serverCPU is the user and system CPU time of process pid, in nanoseconds
// (0 for no pid).
func serverCPU(b *testing.B, pid int) int64 {
	if pid <= 0 {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// utime and stime are fields 14 and 15, after the parenthesised name.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return (utime + stime) * int64(time.Second) / 100 // USER_HZ
}
