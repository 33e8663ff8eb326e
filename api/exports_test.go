package api_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestAgencyExportAccess: managers export their own sites only; directors
// and admins any; the public and collectors none.
func TestAgencyExportAccess(t *testing.T) {
	e := newEnv(t)
	f := func(token, query string, want int) {
		t.Helper()
		r := e.do("GET", "/api/v1/exports/agency.xlsx?"+query, token, "")
		if r.status != want {
			t.Fatalf("%s as %q: %d, want %d: %s", query, token, r.status, want, r.body)
		}
		if want != 200 {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s as %q: %s", query, token, r.header.Get("Content-Type"))
			}
			return
		}
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") || !strings.HasSuffix(cd, `.xlsx"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		// May 2026, PAR-11: 9 of 10 visits within 20 minutes.
		a, _ := x.GetCellValue("Summary", "A2")
		v, _ := x.GetCellValue("Summary", "E2", excelize.Options{RawCellValue: true})
		if a != "reception.wait_20min" || v != "0.9" {
			t.Errorf("%s as %q: summary A2 %q E2 %q", query, token, a, v)
		}
	}
	f("manager", "site=PAR-11&period=2026-05", 200)
	f("director", "site=PAR-11&period=2026-05", 200)
	f("admin", "site=PAR-11&period=2026-05", 200)
	f("manager", "site=PAR-18&period=2026-05", 403)
	f("manager-str", "site=PAR-11&period=2026-05", 403)
	f("collector", "site=PAR-11&period=2026-05", 403)
	f("", "site=PAR-11&period=2026-05", 401)
	f("revoked", "site=PAR-11&period=2026-05", 401)
	f("director", "site=NOPE&period=2026-05", 404)
	f("director", "site=PAR-11&period=May", 422)
	f("director", "site=PAR-11", 422)
	f("director", "site=PAR-11&period=2026-05&colour=red", 422)
}
