package ingest_test

import (
	"fmt"
	"strings"
	"testing"

	"globaloffice/ingest"
)

// TestFilesStreamPastMaxRecords: the file CLI (Chunk > 0) stopped at
// max_records ("more than 100000 records in one body: split it") although
// files of any size are streamed; the limit is for HTTP bodies only.
func TestFilesStreamPastMaxRecords(t *testing.T) {
	e := newEnv(t, ingest.NewTestDB(t), t.TempDir(), ingest.Limits{MaxLineBytes: 4096, MaxRecords: 10})
	var b strings.Builder
	b.WriteString(contactHeader)
	for i := 0; i < 25; i++ {
		fmt.Fprintf(&b, "F%d,qms,PAR-11,reception,2026-05-14T09:%02d:00,,,abandoned,,,\n", i, i)
	}
	res, err := e.svc.Ingest(t.Context(), ingest.KindContacts, ingest.FormatCSV, strings.NewReader(b.String()), ingest.Options{Origin: "file:big.csv", Chunk: 4})
	if err != nil || res.Received != 25 || res.Accepted != 25 {
		t.Fatalf("file of 25 records with max_records 10: %+v, %v; want 25 received and accepted", res, err)
	}
	if n := e.count(t, "SELECT count() FROM contacts"); n != 25 {
		t.Errorf("%d contacts stored, want 25", n)
	}
	// Over HTTP the same body is still refused whole.
	if status, _, _ := e.post(t, "contacts", "text/csv", b.String()); status != 413 {
		t.Errorf("HTTP body of 25 records: status %d, want 413", status)
	}
}
