package ingest_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"globaloffice/ingest"
	"globaloffice/model"
)

func postFile(t *testing.T, e *env, kind, mapping, ctype, path string) (int, ingest.Result, map[string]any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return e.post(t, kind+"?mapping="+mapping, ctype, string(b))
}

func TestMappings(t *testing.T) {
	db := ingest.NewTestDB(t)
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

	t.Run("asterisk queue_log", func(t *testing.T) {
		status, res, problem := postFile(t, e, "contacts", "asterisk-queue-log", "text/plain", "testdata/queue_log")
		if status != 200 {
			t.Fatalf("status %d %v", status, problem)
		}
		// 4 complete calls on known queues; refused: the unknown queue
		// (line 13) and the garbage line (17); pending (issue 14): the
		// call still waiting (line 15) and the end without ENTERQUEUE
		// (line 16), each the part of a call split across exports.
		if res.Received != 8 || res.Accepted != 4 || res.Rejected != 2 || res.Pending != 2 {
			t.Fatalf("%+v", res)
		}
		wantRejects := map[int]string{13: "site", 17: ""}
		for _, r := range res.Rejects {
			if f, ok := wantRejects[r.Line]; !ok || f != r.Field {
				t.Errorf("unexpected reject %+v", r)
			}
		}
		// Both are the mapping's source's, including the one refused
		// before the mapping could apply (it had no source at all).
		if n := e.count(t, "SELECT count() FROM ingest_rejects WHERE kind = 'contacts' AND source = 'asterisk'"); n != 2 {
			t.Errorf("%d rejects stored with source asterisk, want 2", n)
		}
		if n := e.count(t, "SELECT count() FROM pending_calls FINAL WHERE source = 'asterisk' AND state = 'open' AND callid IN ('1778746000.18', '1778745850.19')"); n != 2 {
			t.Errorf("%d pending parts, want 2", n)
		}
		// Call .11: waited 42 s, answered, completed by the caller.
		checks := []struct{ q string }{
			{"SELECT count() FROM contacts WHERE id = '1778745700.11' AND source = 'asterisk' AND channel = 'phone' AND site = 'PF-IDF' AND outcome = 'served' AND toUInt32(answered_at) - toUInt32(arrived_at) = 42 AND toUInt32(ended_at) = 1778745990"},
			{"SELECT count() FROM contacts WHERE id = '1778745710.13' AND outcome = 'abandoned' AND answered_at IS NULL AND toUInt32(ended_at) - toUInt32(arrived_at) = 3"},
			{"SELECT count() FROM contacts WHERE id = '1778745720.14' AND outcome = 'overflow' AND site = 'PF-ARA' AND team = 'support-lyon'"},
			{"SELECT count() FROM contacts WHERE id = '1778745800.15' AND outcome = 'served' AND toUInt32(answered_at) = 1778745810"},
			// The same caller on two calls has one pseudonym, not the number.
			{"SELECT toUInt64(uniqExact(user_ref) = 1 AND min(user_ref) != '0601020304') FROM contacts WHERE id IN ('1778745700.11', '1778745800.15')"},
		}
		for _, c := range checks {
			if n := e.count(t, c.q); n != 1 {
				t.Errorf("%s: %d", c.q, n)
			}
		}
	})

	t.Run("queue-management tickets", func(t *testing.T) {
		status, res, problem := postFile(t, e, "contacts", "qms-tickets", "text/csv", "testdata/qms_tickets.csv")
		if status != 200 || res.Accepted != 3 || res.Rejected != 1 {
			t.Fatalf("status %d %+v %v", status, res, problem)
		}
		if r := res.Rejects[0]; r.Line != 5 || r.Field != "arrived_at" || !strings.Contains(r.Reason, "does not match the time layout") {
			t.Errorf("reject %+v", r)
		}
		// 14/05/2026 09:00:00 in Paris (UTC+2) is 07:00:00Z; SERVI → served, ABSENT → no_show.
		// The id is branch/local date/ticket.
		if n := e.count(t, "SELECT count() FROM contacts WHERE source = 'qms' AND id = 'PAR-11/2026-05-14/A001' AND channel = 'reception' AND outcome = 'served' AND arrived_at = toDateTime('2026-05-14 07:00:00', 'UTC') AND motive = 'inscription' AND team = 'G3'"); n != 1 {
			t.Error("A001 not stored as expected")
		}
		if n := e.count(t, "SELECT count() FROM contacts WHERE source = 'qms' AND id = 'PAR-11/2026-05-14/A003' AND outcome = 'no_show'"); n != 1 {
			t.Error("A003 not a no_show")
		}
	})

	// Ticket numbers restart every morning at every branch: two days of
	// A001 at two branches are four tickets (before: 2 stored, 2
	// "duplicates"). The local date is the ticket's, as the export writes
	// it: 23:30 on the 14th in Paris is the 14th (21:30Z).
	t.Run("tickets restarting every day", func(t *testing.T) {
		body := "ticket;branch;service;ticket_time;call_time;end_time;outcome;counter\n" +
			"A001;PAR-11;inscription;14/05/2026 23:30:00;;;ABSENT;\n" +
			"A001;PAR-11;inscription;15/05/2026 09:00:00;;;ABSENT;\n" +
			"A001;PF-IDF;inscription;14/05/2026 09:00:00;;;ABSENT;\n" +
			"A001;PF-IDF;inscription;15/05/2026 09:00:00;;;ABSENT;\n"
		status, res, problem := e.post(t, "contacts?mapping=qms-tickets&source=qms-days", "text/csv", body)
		if status != 200 || res.Accepted != 4 || res.Duplicates != 0 || res.Rejected != 0 {
			t.Fatalf("status %d %+v %v", status, res, problem)
		}
		if n := e.count(t, "SELECT count() FROM contacts WHERE source = 'qms-days' AND id IN ('PAR-11/2026-05-14/A001', 'PAR-11/2026-05-15/A001', 'PF-IDF/2026-05-14/A001', 'PF-IDF/2026-05-15/A001')"); n != 4 {
			t.Errorf("%d of the 4 tickets stored", n)
		}
		// Sent again: duplicates.
		if _, res, _ := e.post(t, "contacts?mapping=qms-tickets&source=qms-days", "text/csv", body); res.Accepted != 0 || res.Duplicates != 4 {
			t.Errorf("sent again: %+v", res)
		}
	})

	// LimeSurvey numbers responses from 1 in every survey: the sender's
	// source tells two exports apart; unused questions are listed once,
	// and a response never submitted is skipped and counted.
	t.Run("two LimeSurvey exports", func(t *testing.T) {
		export := func(comment string) string {
			return "id,submitdate,lastpage,startlanguage,seed,SITE,CANAL,CONTACT,SATGLOB,ACCUEIL,CLARTE,DELAI,COMMENT,Q7,Q8SQ001\n" +
				"1,2026-05-14 10:00:00,3,fr,1,PAR-11,ACC,,A4,,,," + comment + ",A1,Y\n" +
				"2,2026-05-14 11:00:00,3,fr,2,PAR-11,TEL,,A5,,,,,A2,N\n" +
				"3,,1,fr,3,PAR-11,TEL,,,,,,,,\n"
		}
		for _, source := range []string{"ls-accueil", "ls-telephone"} {
			status, res, problem := e.post(t, "surveys?mapping=limesurvey&source="+source, "text/csv", export(source))
			if status != 200 || res.Accepted != 2 || res.Rejected != 0 || res.Incomplete != 1 || res.Received != 3 {
				t.Fatalf("%s: status %d %+v %v", source, status, res, problem)
			}
			if got := strings.Join(res.IgnoredColumns, ","); got != "Q7,Q8SQ001" {
				t.Errorf("%s: ignored columns %q, want Q7,Q8SQ001", source, got)
			}
		}
		if n := e.count(t, "SELECT count() FROM survey_responses WHERE id IN ('1', '2') AND source IN ('ls-accueil', 'ls-telephone')"); n != 4 {
			t.Errorf("%d of the 4 responses stored under their own sources", n)
		}
		if n := e.count(t, "SELECT count() FROM survey_responses WHERE id = '1' AND source = 'ls-telephone' AND comment = 'ls-telephone'"); n != 1 {
			t.Error("the second export's response 1 is not its own")
		}
	})

	t.Run("limesurvey", func(t *testing.T) {
		status, res, problem := postFile(t, e, "surveys", "limesurvey", "text/csv", "testdata/limesurvey.csv")
		if status != 200 || res.Accepted != 2 || res.Rejected != 1 {
			t.Fatalf("status %d %+v %v", status, res, problem)
		}
		if r := res.Rejects[0]; r.Line != 4 || r.Field != "score_overall" {
			t.Errorf("reject %+v", r)
		}
		// The reject keeps the row as sent, not the mapped fields put back
		// under the export's column names (which left it mostly empty).
		var raw string
		if err := db.Conn().QueryRow(t.Context(), "SELECT raw FROM ingest_rejects WHERE kind = 'surveys' AND line = 4").Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if want := "3,2026-05-14 12:00:00,3,fr,789,PAR-11,ACC,,A7,A5,,,"; raw != want {
			t.Errorf("reject raw %q, want %q", raw, want)
		}
		if n := e.count(t, "SELECT count() FROM survey_responses WHERE source = 'limesurvey' AND id = '1' AND channel = 'reception' AND scale = '1-5' AND scores[indexOf(dimensions, 'overall')] = 4 AND scores[indexOf(dimensions, 'delay')] = 3 AND contact_id = 'A001' AND mode = 'web'"); n != 1 {
			t.Error("response 1 not stored as expected")
		}
		if n := e.count(t, "SELECT count() FROM survey_responses WHERE id = '2' AND length(scores) = 2"); n != 1 {
			t.Error("response 2 must have exactly the 2 answered dimensions")
		}
	})

	t.Run("wrong mapping", func(t *testing.T) {
		if status, _, _ := e.post(t, "contacts?mapping=nope", "text/csv", "a\n1\n"); status != http.StatusBadRequest {
			t.Errorf("unknown mapping: status %d", status)
		}
		if status, _, _ := e.post(t, "cases?mapping=limesurvey", "text/csv", "a\n1\n"); status != http.StatusBadRequest {
			t.Errorf("mapping of another kind: status %d", status)
		}
	})
}

func TestParseMappingErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown key", "name: x\nkind: contacts\ncolumnz: {}\n", `[3:1] unknown field "columnz"`},
		{"id_from part", "name: x\nkind: contacts\nid_from: [branch, \"date(t\"]\n", `id_from[1]: "date(t": a column, or date(COLUMN)`},
		{"id_from date of unix times", "name: x\nkind: contacts\ntime_layout: unix\nid_from: [date(t)]\n", "id_from[0]: date(t) needs a time_layout with a date"},
		{"id renamed and built", "name: x\nkind: contacts\nid_from: [a, b]\ncolumns: {ticket: id}\n", "columns.ticket: renamed to id, which id_from builds"},
		{"id constant and built", "name: x\nkind: contacts\nid_from: [a]\nconstants: {id: x}\n", "constants.id: id_from builds the id"},
		{"skip_when_empty", "name: x\nkind: surveys\nskip_when_empty: [\" \"]\n", "skip_when_empty[0]: empty column name"},
		{"bad kind", "name: x\nkind: letters\n", "kind: unknown record kind"},
		{"bad target", "name: x\nkind: contacts\ncolumns: {a: arrival}\n", `columns.a: "arrival" is not a contacts field`},
		{"bad decoder", "name: x\nkind: contacts\ndecoder: cisco\n", `unknown decoder "cisco"`},
		{"no name", "kind: contacts\n", "name: required"},
		{"bad delimiter", "name: x\nkind: contacts\ndelimiter: ';;'\n", "must be one character"},
	}
	for _, tt := range tests {
		_, err := ingest.ParseMapping("m.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "m.yaml") {
			t.Errorf("%s: error %v, want it to name m.yaml and say %q", tt.name, err, tt.want)
		}
	}
}

func FuzzMappingApply(f *testing.F) {
	set, err := ingest.LoadMappings("")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("qms-tickets", "ticket_time", "14/05/2026 09:00:00")
	f.Add("limesurvey", "SATGLOB", "A4")
	f.Add("asterisk-queue-log", "site", "support-paris")
	f.Fuzz(func(t *testing.T, name, key, value string) {
		m, err := set.Get(name)
		if err != nil {
			return
		}
		out, ferr := m.Apply(map[string]string{key: value, "id": "1"}, "", nil)
		if (out == nil) == (ferr == nil) {
			t.Fatalf("exactly one of fields and error: %v %v", out, ferr)
		}
		if ferr == nil && out["source"] == "" {
			t.Fatal("constants not applied")
		}
	})
}

// TestApplySenderSource: the sender's source replaces the mapping's
// constant, and a source column of the export still wins over both.
func TestApplySenderSource(t *testing.T) {
	set, err := ingest.LoadMappings("")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := set.Get("limesurvey")
	f := func(in map[string]string, sender, want string) {
		t.Helper()
		out, ferr := m.Apply(in, sender, nil)
		if ferr != nil || out["source"] != want {
			t.Errorf("Apply(%v, %q): source %q (%v), want %q", in, sender, out["source"], ferr, want)
		}
	}
	f(map[string]string{"id": "1"}, "", "limesurvey")
	f(map[string]string{"id": "1"}, "ls-accueil", "ls-accueil")
	f(map[string]string{"id": "1", "source": "own"}, "ls-accueil", "own")
}
