package ingest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
)

// asteriskEnv is an env whose sites include the phone platforms of the
// built-in asterisk-queue-log mapping (support-paris → PF-IDF,
// support-lyon → PF-ARA).
func asteriskEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := newEnv(t, db, t.TempDir())
	if err := db.UpsertSites(t.Context(), []model.Site{
		{ID: "PF-IDF", Name: "Plateforme IDF", Kind: model.SitePhonePlatform, Region: "11", Department: "93", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
		{ID: "PF-ARA", Name: "Plateforme ARA", Kind: model.SitePhonePlatform, Region: "84", Department: "69", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	}); err != nil {
		t.Fatal(err)
	}
	set, err := ingest.LoadMappings("")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.SetMappings(set)
	return e
}

func (e *env) postLog(t *testing.T, query, body string) ingest.Result {
	t.Helper()
	status, res, problem := e.post(t, "contacts?mapping=asterisk-queue-log"+query, "text/plain", body)
	if status != 200 {
		t.Fatalf("status %d %v", status, problem)
	}
	return res
}

// counts is what an answer says, in the order received, accepted,
// duplicates, rejected, pending.
func counts(r ingest.Result) [5]int {
	return [5]int{r.Received, r.Accepted, r.Duplicates, r.Rejected, r.Pending}
}

// A call across midnight in Paris, split by the daily rotation: it
// enters the queue at 23:59:00 (21:59:00Z, 1778795940), is answered 30 s
// later, and the caller hangs up at 00:05:00 (+360 s) the next day.
const (
	day1 = "1778795940|c7.1|support-paris|NONE|ENTERQUEUE||0601020304|1\n" +
		"1778795970|c7.1|support-paris|SIP/agent-2|CONNECT|30|c7.2|2\n"
	day2 = "1778796300|c7.1|support-paris|SIP/agent-2|COMPLETECALLER|30|330|1\n" +
		// and a whole call of the same caller on day 2, for the pseudonym
		"1778830000|c8.1|support-paris|NONE|ENTERQUEUE||0601020304|1\n" +
		"1778830010|c8.1|support-paris|NONE|ABANDON|1|1|10\n"
)

func TestCallSplitAcrossExports(t *testing.T) {
	db := ingest.NewTestDB(t)
	a := asteriskEnv(t, db)
	if got := counts(a.postLog(t, "", day1)); got != [5]int{1, 0, 0, 0, 1} {
		t.Fatalf("day 1: %v, want 1 received, 1 pending", got)
	}
	if n := a.count(t, "SELECT count() FROM contacts"); n != 0 {
		t.Fatalf("%d contacts after day 1, want none", n)
	}
	// The raw caller id is never stored, not even in a pending part.
	if n := a.count(t, "SELECT count() FROM pending_calls WHERE position(lines, '0601020304') > 0"); n != 0 {
		t.Error("a pending part holds the raw caller id")
	}

	// The server restarts between the two files: a new service, writer
	// and spool on the same database.
	a.w.Close()
	b := asteriskEnv(t, db)
	if got := counts(b.postLog(t, "", day2)); got != [5]int{2, 2, 0, 0, 0} {
		t.Fatalf("day 2: %v, want 2 received, 2 accepted", got)
	}
	checks := []string{
		// Once, served, with the times of both files: arrived 21:59:00Z
		// (the local date is the 14th), answered 30 s later, ended at
		// 22:05:00Z.
		"SELECT count() FROM contacts FINAL WHERE source = 'asterisk' AND id = 'c7.1' AND site = 'PF-IDF' AND team = 'support-paris' AND channel = 'phone' AND outcome = 'served'" +
			" AND arrived_at = toDateTime('2026-05-14 21:59:00', 'UTC') AND arrived_date = toDate('2026-05-14')" +
			" AND answered_at = toDateTime('2026-05-14 21:59:30', 'UTC') AND ended_at = toDateTime('2026-05-14 22:05:00', 'UTC')",
		// The same pseudonym as the whole call of the same caller.
		"SELECT toUInt64(uniqExact(user_ref) = 1 AND count() = 2 AND min(user_ref) != '' AND min(user_ref) != '0601020304') FROM contacts WHERE id IN ('c7.1', 'c8.1')",
		"SELECT toUInt64(countIf(state = 'resolved') = 2 AND count() = 2) FROM pending_calls FINAL WHERE callid = 'c7.1'",
	}
	for _, q := range checks {
		if n := b.count(t, q); n != 1 {
			t.Errorf("%s: %d, want 1", q, n)
		}
	}

	// The same second file twice, and the first one again: nothing
	// doubles, nothing becomes pending again.
	if got := counts(b.postLog(t, "", day2)); got != [5]int{2, 0, 2, 0, 0} {
		t.Errorf("day 2 again: %v, want 2 duplicates", got)
	}
	if got := counts(b.postLog(t, "", day1)); got != [5]int{1, 0, 1, 0, 0} {
		t.Errorf("day 1 again: %v, want 1 duplicate", got)
	}
	if n := b.count(t, "SELECT count() FROM contacts FINAL WHERE id = 'c7.1'"); n != 1 {
		t.Errorf("%d contacts c7.1, want 1", n)
	}
	if n := b.count(t, "SELECT count() FROM pending_calls FINAL WHERE state = 'open'"); n != 0 {
		t.Errorf("%d parts still open", n)
	}
}

// TestPendingCallsPerSource: two sources with the same call id stay apart.
func TestPendingCallsPerSource(t *testing.T) {
	e := asteriskEnv(t, ingest.NewTestDB(t))
	// Source ast-b's call c7.1 enters at 22:00:00Z, 60 s after a's, and
	// is abandoned 25 s later.
	dayB1 := "1778796000|c7.1|support-lyon|NONE|ENTERQUEUE||0700000000|1\n"
	dayB2 := "1778796025|c7.1|support-lyon|NONE|ABANDON|1|1|25\n"
	for _, s := range []struct{ source, body string }{{"ast-a", day1}, {"ast-b", dayB1}} {
		if got := counts(e.postLog(t, "&source="+s.source, s.body)); got != [5]int{1, 0, 0, 0, 1} {
			t.Fatalf("%s day 1: %v", s.source, got)
		}
	}
	// a's end does not complete b's call.
	if got := counts(e.postLog(t, "&source=ast-a", day2)); got != [5]int{2, 2, 0, 0, 0} {
		t.Fatalf("ast-a day 2: %v", got)
	}
	if n := e.count(t, "SELECT count() FROM pending_calls FINAL WHERE source = 'ast-b' AND state = 'open'"); n != 1 {
		t.Errorf("ast-b: %d open parts, want 1", n)
	}
	if got := counts(e.postLog(t, "&source=ast-b", dayB2)); got != [5]int{1, 1, 0, 0, 0} {
		t.Fatalf("ast-b day 2: %v", got)
	}
	checks := []string{
		"SELECT count() FROM contacts FINAL WHERE source = 'ast-a' AND id = 'c7.1' AND site = 'PF-IDF' AND outcome = 'served' AND toUInt32(ended_at) = 1778796300",
		"SELECT count() FROM contacts FINAL WHERE source = 'ast-b' AND id = 'c7.1' AND site = 'PF-ARA' AND outcome = 'abandoned' AND answered_at IS NULL AND toUInt32(ended_at) - toUInt32(arrived_at) = 25",
	}
	for _, q := range checks {
		if n := e.count(t, q); n != 1 {
			t.Errorf("%s: %d, want 1", q, n)
		}
	}
}

// TestPendingCallsClosed: a call whose end never comes is closed once its
// first part has waited longer than the timeout, by the next request for
// its source (which tells it) or by ClosePending (the server's sweep).
func TestPendingCallsClosed(t *testing.T) {
	e := asteriskEnv(t, ingest.NewTestDB(t))
	t0 := time.Date(2026, 5, 15, 6, 0, 0, 0, time.UTC)
	now := t0
	var mu sync.Mutex
	e.svc.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	e.svc.SetPendingCallTimeout(48 * time.Hour)

	// c7.1 entered and was answered (day1); c9 is the end of a call whose
	// ENTERQUEUE never comes; c11 was waiting, and is sent whole in an
	// export of the whole day; c10, sent an hour later, under another
	// source.
	c11 := "1778796150|c11|support-paris|NONE|ENTERQUEUE||0601020304|1\n"
	if got := counts(e.postLog(t, "", day1+"1778796100|c9|support-paris|SIP/agent-2|COMPLETECALLER|5|100|1\n"+c11)); got != [5]int{3, 0, 0, 0, 3} {
		t.Fatalf("first file: %v", got)
	}
	if got := counts(e.postLog(t, "&source=asterisk", "1778796000|c12|support-paris|NONE|ENTERQUEUE||0601020304|1\n"+c11+
		"1778796160|c11|support-paris|NONE|ABANDON|1|1|10\n1778796001|c12|support-paris|NONE|ABANDON|1|1|1\n")); got != [5]int{2, 2, 0, 0, 0} {
		t.Fatalf("the whole day: %v", got)
	}
	setNow(t0.Add(time.Hour))
	if got := counts(e.postLog(t, "&source=other", "1778796200|c10|support-lyon|NONE|ENTERQUEUE||0700000000|1\n")); got != [5]int{1, 0, 0, 0, 1} {
		t.Fatalf("other source: %v", got)
	}
	// Exactly 48 h: not longer than the timeout, nothing closed.
	setNow(t0.Add(48 * time.Hour))
	whole := "1778830000|c8.1|support-paris|NONE|ENTERQUEUE||0601020304|1\n1778830010|c8.1|support-paris|NONE|ABANDON|1|1|10\n"
	if res := e.postLog(t, "", whole); len(res.Closed) != 0 || res.Accepted != 1 {
		t.Fatalf("at 48 h: %+v", res)
	}
	// One second more: the next request for the source closes its two
	// calls, not the other source's.
	setNow(t0.Add(48*time.Hour + time.Second))
	res := e.postLog(t, "", whole)
	if counts(res) != [5]int{1, 0, 1, 0, 0} || len(res.Closed) != 2 {
		t.Fatalf("at 48 h 1 s: %+v", res)
	}
	reason := "no end event within 48h0m0s of its first part (received 2026-05-15T06:00:00Z): closed as not answered"
	want := []ingest.ClosedCall{
		{Source: "asterisk", CallID: "c7.1", Contact: true, Reason: reason},
		{Source: "asterisk", CallID: "c9", Contact: false, Reason: "no ENTERQUEUE within 48h0m0s of its first part (received 2026-05-15T06:00:00Z): closed without a contact (its arrival is unknown)"},
	}
	if fmt.Sprint(res.Closed) != fmt.Sprint(want) {
		t.Errorf("closed %+v\nwant   %+v", res.Closed, want)
	}
	checks := []string{
		// Not answered (its CONNECT is not kept without an end), arrival
		// from its ENTERQUEUE, no end.
		"SELECT count() FROM contacts FINAL WHERE source = 'asterisk' AND id = 'c7.1' AND outcome = 'abandoned' AND site = 'PF-IDF' AND channel = 'phone'" +
			" AND arrived_at = toDateTime('2026-05-14 21:59:00', 'UTC') AND answered_at IS NULL AND ended_at IS NULL AND user_ref != ''",
		"SELECT count() FROM ingest_rejects WHERE source = 'asterisk' AND field = 'callid' AND origin = 'pending-calls:closed' AND position(reason, 'no ENTERQUEUE within 48h0m0s') > 0",
		"SELECT toUInt64(count() = 3 AND countIf(state = 'closed' AND reason != '' AND closed_at = toDateTime('2026-05-17 06:00:01', 'UTC')) = 2) FROM pending_calls FINAL WHERE source = 'asterisk'",
		"SELECT count() FROM pending_calls FINAL WHERE source = 'other' AND state = 'open'",
		"SELECT count() FROM pending_calls FINAL WHERE source = 'asterisk' AND callid = 'c11' AND state = 'resolved'",
		"SELECT count() FROM contacts FINAL WHERE source = 'asterisk' AND id = 'c11' AND outcome = 'abandoned' AND toUInt32(ended_at) = 1778796160",
	}
	for _, q := range checks {
		if n := e.count(t, q); n != 1 {
			t.Errorf("%s: %d, want 1", q, n)
		}
	}

	// The end of c7.1 comes too late: a reject that says why, and the
	// contact stays as closed.
	res = e.postLog(t, "", day2)
	if counts(res) != [5]int{2, 0, 1, 1, 0} || len(res.Rejects) != 1 || res.Rejects[0].ID != "c7.1" || res.Rejects[0].Field != "callid" ||
		res.Rejects[0].Reason != "call c7.1 was closed as not answered at 2026-05-17T06:00:01Z ("+reason+"); this part came too late" {
		t.Errorf("late end: %+v", res)
	}
	if n := e.count(t, "SELECT count() FROM contacts FINAL WHERE id = 'c7.1' AND outcome = 'abandoned'"); n != 1 {
		t.Error("the closed contact changed")
	}

	// The server's sweep closes every source: c10 waited 48 h from
	// 07:00:00Z, so at 07:00:01 two days later.
	setNow(t0.Add(49*time.Hour + time.Second))
	closed, err := e.svc.ClosePending(t.Context(), "")
	if err != nil || len(closed) != 1 || closed[0].Source != "other" || closed[0].CallID != "c10" || !closed[0].Contact {
		t.Fatalf("sweep: %+v %v", closed, err)
	}
	if n := e.count(t, "SELECT count() FROM contacts FINAL WHERE source = 'other' AND id = 'c10' AND site = 'PF-ARA' AND outcome = 'abandoned' AND toUInt32(arrived_at) = 1778796200"); n != 1 {
		t.Error("c10 not closed as abandoned")
	}
	if closed, err := e.svc.ClosePending(t.Context(), ""); err != nil || len(closed) != 0 {
		t.Errorf("second sweep: %+v %v", closed, err)
	}
}

// TestPendingCallHalvesAtOnce: the two halves of calls sent at the same
// time, by two requests each, make each call once.
func TestPendingCallHalvesAtOnce(t *testing.T) {
	e := asteriskEnv(t, ingest.NewTestDB(t))
	const calls = 12
	var wg sync.WaitGroup
	results := make(chan ingest.Result, 2*calls)
	for i := range calls {
		at := 1778795940 + 100*i
		head := fmt.Sprintf("%d|k%d|support-paris|NONE|ENTERQUEUE||06%08d|1\n%d|k%d|support-paris|SIP/a|CONNECT|5|x|1\n", at, i, i, at+5, i)
		tail := fmt.Sprintf("%d|k%d|support-paris|SIP/a|COMPLETEAGENT|5|60|1\n", at+65, i)
		for _, body := range []string{head, tail} {
			wg.Go(func() {
				status, res, problem := e.post(t, "contacts?mapping=asterisk-queue-log", "text/plain", body)
				if status != 200 {
					t.Errorf("status %d %v", status, problem)
				}
				results <- res
			})
		}
	}
	wg.Wait()
	close(results)
	var sum [5]int
	for r := range results {
		for i, n := range counts(r) {
			sum[i] += n
		}
	}
	// 24 bodies of one partial call each; each call is accepted by the
	// request that joined it (or by both, the second then a duplicate).
	if sum[0] != 2*calls || sum[1] != calls || sum[3] != 0 || sum[1]+sum[2]+sum[4] != 2*calls {
		t.Errorf("received, accepted, duplicates, rejected, pending: %v", sum)
	}
	// Answered from the spool (requests at the same time): the flusher
	// inserts them within a fraction of a second.
	stored := "SELECT uniqExact(id) FROM contacts WHERE startsWith(id, 'k') AND outcome = 'served' AND toUInt32(assumeNotNull(ended_at)) - toUInt32(arrived_at) = 65"
	for deadline := time.Now().Add(10 * time.Second); e.count(t, stored) != calls && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := e.count(t, stored); n != calls {
		t.Errorf("%d of %d calls stored, served, 65 s long", n, calls)
	}
	if n := e.count(t, "SELECT count() FROM contacts FINAL WHERE startsWith(id, 'k')"); n != calls {
		t.Errorf("%d contacts, want %d", n, calls)
	}
	if n := e.count(t, "SELECT count() FROM pending_calls FINAL WHERE state = 'open'"); n != 0 {
		t.Errorf("%d parts still open", n)
	}
}

// TestPendingCallsWhileClickHouseAway: the parts of split calls are kept
// in ClickHouse only, so a body holding one is refused whole while it is
// away (nothing acknowledged, nothing lost), and stored once when sent
// again.
func TestPendingCallsWhileClickHouseAway(t *testing.T) {
	db, cut := ingest.ProxiedDB(t, time.Second)
	e := asteriskEnv(t, db)
	whole := "1778830000|c8.1|support-paris|NONE|ENTERQUEUE||0601020304|1\n1778830010|c8.1|support-paris|NONE|ABANDON|1|1|10\n"
	if got := counts(e.postLog(t, "", whole)); got != [5]int{1, 1, 0, 0, 0} {
		t.Fatalf("before: %v", got)
	}
	cut(true)
	body := day1 + "1778830100|c8.3|support-lyon|NONE|ENTERQUEUE||0700000000|1\n1778830110|c8.3|support-lyon|NONE|EXITEMPTY|1|1|10\n"
	status, _, problem := e.post(t, "contacts?mapping=asterisk-queue-log", "text/plain", body)
	if detail, _ := problem["detail"].(string); status != 503 || !strings.Contains(detail, "calls split across exports") || !strings.Contains(detail, "nothing of this body was stored") {
		t.Fatalf("while away: status %d %v", status, problem)
	}
	cut(false)
	if got := counts(e.postLog(t, "", body)); got != [5]int{2, 1, 0, 0, 1} {
		t.Fatalf("sent again: %v", got)
	}
	if got := counts(e.postLog(t, "", day2)); got != [5]int{2, 1, 1, 0, 0} {
		t.Fatalf("day 2: %v (c8.1 a duplicate)", got)
	}
	if n := e.count(t, "SELECT count() FROM contacts FINAL WHERE id IN ('c7.1', 'c8.1', 'c8.3')"); n != 3 {
		t.Errorf("%d contacts, want 3", n)
	}
}

// TestPendingCallsPermit: a caller keeps parts only where it may send
// records (a part closed later becomes a contact with no caller to check).
func TestPendingCallsPermit(t *testing.T) {
	e := asteriskEnv(t, ingest.NewTestDB(t))
	set, err := ingest.LoadMappings("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := set.Get("asterisk-queue-log")
	if err != nil {
		t.Fatal(err)
	}
	onlyIDF := func(source, site string) string {
		if site != "PF-IDF" {
			return "site"
		}
		return ""
	}
	body := day1 + "1778796000|c13|support-lyon|NONE|ENTERQUEUE||0700000000|1\n"
	res, err := e.svc.Ingest(t.Context(), ingest.KindContacts, "", strings.NewReader(body), ingest.Options{Mapping: m, Permit: onlyIDF, Origin: "test"})
	if err != nil || counts(res) != [5]int{2, 0, 0, 1, 1} || res.Rejects[0].ID != "c13" || res.Rejects[0].Field != "site" || res.Rejects[0].Reason != ingest.ReasonNotAllowed {
		t.Fatalf("%+v %v", res, err)
	}
	if n := e.count(t, "SELECT count() FROM pending_calls FINAL WHERE callid = 'c13'"); n != 0 {
		t.Error("the part of a call not allowed was kept")
	}
}
