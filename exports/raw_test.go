package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"globaloffice/exports"
	"globaloffice/ingest"
)

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

// TestRawExport: contacts streamed into sheets cut at the row limit
// (lowered to 3 here), read back by openpyxl and LibreOffice; survey
// comments only for the sites the caller reads; user references as stored.
func TestRawExport(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// 7 visits: PAR-11 4 on 11 May, PAR-18 3 on 12 May; one on 1 June.
	f.send(t, ingest.KindContacts, contactsHeader+visits("PAR-11", "2026-05-11", 3, 1)+visits("PAR-18", "2026-05-12", 3, 0)+visits("PAR-11", "2026-06-01", 1, 0))
	f.send(t, ingest.KindSurveys, "id,site,channel,survey,mode,answered_at,scale,score_overall,score_recommend,scale_recommend,comment\n"+
		"s1,PAR-11,reception,visit,email,2026-05-11T10:00:00,1-5,5,9,0-10,très bien\ns2,PAR-18,reception,visit,email,2026-05-12T10:00:00,1-5,2,,,trop long\n")

	old := exports.MaxSheetRows
	exports.MaxSheetRows = 3
	t.Cleanup(func() { exports.MaxSheetRows = old })
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var progress []int64
	q := exports.RawQuery{Kind: "contacts", From: day("2026-05-01"), To: day("2026-05-31"), Progress: func(n int64) { progress = append(progress, n) }}
	if err := exports.WriteRawXLSX(ctx, f.db, q, out); err != nil {
		t.Fatal(err)
	}
	out.Close()
	if n, err := exports.CountRaw(ctx, f.db, q); err != nil || n != 7 || len(progress) == 0 || progress[len(progress)-1] != 7 {
		t.Errorf("count %d (%v), progress %v", n, err, progress)
	}
	b := openpyxl(t, path)
	var names []string
	for _, s := range b.Sheets {
		names = append(names, s.Name)
	}
	if strings.Join(names, ",") != "contacts,contacts 2,contacts 3" {
		t.Fatalf("sheets %v", names)
	}
	first := b.sheet(t, "contacts")
	// Ordered by date, site, source, id: PAR-11's four of 11 May first.
	if first.Cells["A1"].Value != "source" || first.Cells["K1"].Value != "user_ref" || first.Cells["B2"].Value != "PAR-11-2026-05-11-0" ||
		first.Cells["E2"].Value != "2026-05-11T07:00:00" || first.Cells["E2"].Format != "yyyy-mm-dd hh:mm:ss" || first.Freeze != "A2" {
		t.Errorf("first sheet: %+v %+v %+v", first.Cells["B2"], first.Cells["E2"], first.Freeze)
	}
	if first.Cells["L1"].Value != "asked_agent" {
		t.Errorf("last column %v, want asked_agent", first.Cells["L1"].Value)
	}
	if ref, _ := first.Cells["K2"].Value.(string); len(ref) < 16 || strings.HasPrefix(ref, "u") {
		t.Errorf("user_ref %q is not the stored pseudonym", ref)
	}
	if third := b.sheet(t, "contacts 3"); third.Cells["B2"].Value != "PAR-18-2026-05-12-2" || third.Cells["B3"].Value != nil {
		t.Errorf("third sheet: %+v", third.Cells)
	}
	lo := libreoffice(t, path, "contacts", "contacts 2")
	if r := lo["contacts 2"]; len(r) != 4 || r[1][1] != "PAR-11-2026-05-11-3" || r[1][4] != "2026-05-11 07:00:00" || r[1][7] != "served" {
		t.Errorf("LibreOffice contacts 2: %q", r)
	}

	// Surveys as CSV: PAR-18's comment blank for a reader of PAR-11 only.
	var buf bytes.Buffer
	sq := exports.RawQuery{Kind: "surveys", From: day("2026-05-01"), To: day("2026-05-31"), Comments: func(site string) bool { return site == "PAR-11" }}
	if err := exports.WriteRawCSV(ctx, f.db, sq, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != "s1" || recs[1][9] != "overall=5; recommend=9 (0-10)" || recs[2][9] != "overall=2" || recs[1][10] != "très bien" || recs[2][10] != "" || recs[1][6] != "2026-05-11T08:00:00Z" {
		t.Errorf("surveys CSV: %q", recs)
	}
	// Sites narrow it.
	buf.Reset()
	sq.Sites, sq.Comments = []string{"PAR-18"}, func(string) bool { return true }
	if err := exports.WriteRawCSV(ctx, f.db, sq, &buf); err != nil {
		t.Fatal(err)
	}
	if recs, _ := csv.NewReader(&buf).ReadAll(); len(recs) != 2 || recs[1][10] != "trop long" {
		t.Errorf("PAR-18 surveys: %q", recs)
	}
}

// TestRawCasesFollowUp: raw cases carry their acknowledgement, announced
// delay (empty when none; 0 is a delay) and paused time.
func TestRawCasesFollowUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.send(t, ingest.KindCases, "id,site,kind,channel,received_at,completed_at,status,updated_at,acknowledged_at,announced_days,paused_seconds\n"+
		"c1,PAR-11,reimbursement,email,2026-05-04T12:00:00,2026-05-08T12:00:00,completed,2026-05-08T12:00:00,2026-05-05T09:00:00,0,3600\n"+
		"c2,PAR-11,reimbursement,email,2026-05-05T12:00:00,,open,2026-05-05T12:00:00,,,\n")
	var buf bytes.Buffer
	if err := exports.WriteRawCSV(ctx, f.db, exports.RawQuery{Kind: "cases", From: day("2026-05-01"), To: day("2026-05-31")}, &buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"acknowledged_at", "announced_days", "paused_seconds"},
		{"2026-05-05T07:00:00Z", "0", "3600"},
		{"", "", "0"},
	}
	if len(recs) != 3 {
		t.Fatalf("cases CSV: %q", recs)
	}
	for i, w := range want {
		if got := recs[i][10:]; strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("cases CSV line %d: %q, want %q", i+1, got, w)
		}
	}
}
