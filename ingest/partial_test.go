package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"globaloffice/model"
)

// TestBodyFailingHalfWayTellsWhatWasStored: a body larger than one insert
// (max_records 100,000 > batch_records 50,000) is stored in several; when
// a later one failed (ClickHouse and the spool both), the answer was a bare
// 503 although part of the body was stored. It now says exactly what: here
// the first insert of 10 stored 10 contacts (one body record is a reject,
// stored with them), the second failed.
func TestBodyFailingHalfWayTellsWhatWasStored(t *testing.T) {
	db := newTestDB(t)
	if err := db.UpsertSites(t.Context(), []model.Site{{ID: "PAR-11", Name: "Paris", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"}}); err != nil {
		t.Fatal(err)
	}
	ms := newMemStore()
	sp, err := OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := newWriter(ms, sp, WriterOptions{MaxBatch: 11, Linger: time.Millisecond, DrainEvery: time.Hour}, nil, nil)
	t.Cleanup(w.Close)
	waitFilter(t, w)
	afterFirstDrain(t, w)
	svc := NewService(db, w, NewPseudonymizer([]byte(strings.Repeat("k", 32))), Lists{Channels: []string{"phone"}}, Limits{MaxLineBytes: 4096, MaxRecords: 100}, nil)
	srv := httptest.NewServer(Handler(svc, HTTPOptions{}))
	t.Cleanup(srv.Close)

	ms.inject(opInsert("contacts"), 1, fault{})                                       // the first insert passes
	ms.inject(opInsert("contacts"), -1, fault{err: errors.New("connection refused")}) // then ClickHouse is away
	if err := os.RemoveAll(sp.Dir()); err != nil {                                    // and the spool cannot be written
		t.Fatal(err)
	}
	var body strings.Builder
	for i := 0; i < 25; i++ {
		site := "PAR-11"
		if i == 3 {
			site = "NOPE" // a reject, in the first submission (records 0–10)
		}
		fmt.Fprintf(&body, `{"id":"H%02d","source":"s","site":%q,"channel":"phone","arrived_at":"2026-05-14T09:%02d:00Z","outcome":"abandoned"}`+"\n", i, site, i)
	}
	resp, err := http.Post(srv.URL+"/api/v1/ingest/contacts", "application/x-ndjson", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct {
		Accepted      int    `json:"accepted"`
		Duplicates    int    `json:"duplicates"`
		RejectsStored int    `json:"rejects_stored"`
		Received      int    `json:"received"`
		Detail        string `json:"detail"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("status %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if stored := ms.rows("contacts"); p.Accepted != stored || stored != 10 || p.RejectsStored != ms.rows("ingest_rejects") || p.RejectsStored != 1 || p.Received != 25 {
		t.Errorf("answer %+v; stored %d contacts and %d rejects; want the answer to say 10 and 1 of 25", p, stored, ms.rows("ingest_rejects"))
	}
	if !strings.Contains(p.Detail, "10 records were stored") {
		t.Errorf("detail %q", p.Detail)
	}
}
