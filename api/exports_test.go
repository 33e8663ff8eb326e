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

// TestOpenDataRoutes: anyone reads the open data, which holds nothing
// unpublished, open or under the minimum sample; closed answers are
// cached and revalidated by ETag.
func TestOpenDataRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/opendata/results.csv", "", "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || r.header.Get("Cache-Control") != "public, max-age=300" || r.header.Get("ETag") == "" {
		t.Fatalf("results.csv: %d %v %s", r.status, r.header, r.body)
	}
	// May: PAR-11 9/10, PAR-18 7/10 (site rows), national and region 11,
	// department 75 16/20 (STR-67's 4/5 is under the minimum sample, so are
	// its department and region, though the nation pools all 20/25); June
	// is not closed; reception.wait_p90 is not published.
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	var keys []string
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		keys = append(keys, f[0]+" "+f[3]+":"+f[4]+" "+f[9]+" "+f[13])
	}
	want := "2026-05 national: reception.wait_20min 80|2026-05 region:11 reception.wait_20min 80|2026-05 department:75 reception.wait_20min 80|" +
		"2026-05 site:PAR-11 reception.wait_20min 90|2026-05 site:PAR-18 reception.wait_20min 70"
	if got := strings.Join(keys, "|"); got != want {
		t.Errorf("rows:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(r.body), "http://"+strings.TrimPrefix(e.srv.URL, "http://")+"/api/v1/indicators#reception.wait_20min") {
		t.Errorf("no method link: %s", lines[1])
	}
	if again := e.do("GET", "/opendata/results.csv", "", "", "If-None-Match", r.header.Get("ETag")); again.status != 304 {
		t.Errorf("revalidation: %d", again.status)
	}
	j := e.do("GET", "/opendata/results.json?site=PAR-18", "", "")
	var rows []map[string]any
	j.decode(t, &rows)
	if len(rows) != 1 || rows[0]["site_id"] != "PAR-18" || rows[0]["met"] != false || rows[0]["value"] != 70.0 {
		t.Errorf("results.json?site=PAR-18: %s", j.body)
	}
	if r := e.do("GET", "/opendata/results.csv?period=2026-06", "", ""); r.status != 200 || strings.Count(string(r.body), "\n") != 1 {
		t.Errorf("an open period: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/opendata/results.csv?colour=red", "", ""); r.status != 422 {
		t.Errorf("unknown parameter: %d", r.status)
	}
	for doc, want := range map[string]string{"/opendata/schema.json": `"primaryKey"`, "/opendata/datapackage.json": `"results.csv"`} {
		if r := e.do("GET", doc, "", ""); r.status != 200 || !strings.Contains(string(r.body), want) {
			t.Errorf("%s: %d %s", doc, r.status, r.body)
		}
	}
}

// TestRawExportAccess: raw records for tokens that read results, managers
// their sites only; survey comments only where the caller reads the site.
func TestRawExportAccess(t *testing.T) {
	e := newEnv(t)
	f := func(token, query string, want int) response {
		t.Helper()
		r := e.do("GET", "/api/v1/exports/raw.csv?"+query, token, "")
		if r.status != want {
			t.Fatalf("%s as %q: %d, want %d: %s", query, token, r.status, want, r.body)
		}
		return r
	}
	may := "kind=contacts&from=2026-05-01&to=2026-05-31"
	// May: PAR-11 10 visits, PAR-18 10, STR-67 5 (a header line first).
	if r := f("director", may, 200); strings.Count(string(r.body), "\n") != 26 {
		t.Errorf("director: %d lines", strings.Count(string(r.body), "\n"))
	}
	if r := f("manager", may, 200); strings.Count(string(r.body), "\n") != 11 || strings.Contains(string(r.body), "PAR-18") {
		t.Errorf("manager: %s", r.body)
	}
	f("manager", may+"&site=PAR-18", 403)
	f("", may, 401)
	f("collector", may, 403)
	f("director", "kind=tickets&from=2026-05-01&to=2026-05-31", 422)
	if r := e.do("GET", "/api/v1/exports/raw.xlsx?"+may, "admin", ""); r.status != 200 || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx: %d %s", r.status, r.header.Get("Content-Type"))
	}
}

// TestDirectorExportAccess: directors and admins export any scope;
// managers and collectors are refused, the public asked for a token.
func TestDirectorExportAccess(t *testing.T) {
	e := newEnv(t)
	f := func(token, query string, want int, cells map[string]string) {
		t.Helper()
		r := e.do("GET", "/api/v1/exports/director.xlsx?"+query, token, "")
		if r.status != want {
			t.Fatalf("%s as %q: %d, want %d: %s", query, token, r.status, want, r.body)
		}
		if want != 200 {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s as %q: %s", query, token, r.header.Get("Content-Type"))
			}
			return
		}
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="director-`) || !strings.HasSuffix(cd, `-2026-05.xlsx"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		for ref, w := range cells {
			sheet, c, _ := strings.Cut(ref, "!")
			if v, _ := x.GetCellValue(sheet, c, excelize.Options{RawCellValue: true}); v != w {
				t.Errorf("%s as %q: %s %q, want %q", query, token, ref, v, w)
			}
		}
	}
	// May 2026 (closed): the nation 20/25 (80%); region 11 16/20 (80%,
	// met), region 44 4/5 (under the minimum sample): ranked 1, unranked.
	national := map[string]string{"Overview!A2": "national", "Overview!E2": "0.8", "Overview!B3": "11", "Overview!E3": "0.8", "Overview!B4": "44",
		"Rankings!E2": "11", "Rankings!C2": "1", "Rankings!E3": "44", "Rankings!C3": "", "Rankings!I3": "insufficient_data"}
	f("director", "period=2026-05", 200, national)
	f("admin", "scope=national&period=2026-05", 200, national)
	// Department 75: PAR-18 (7/10, missed) before PAR-11 (9/10, met).
	f("director", "scope=department:75&period=2026-05", 200, map[string]string{"Overview!B2": "75", "Overview!B3": "PAR-18", "Overview!E3": "0.7", "Overview!B4": "PAR-11",
		"Rankings!E2": "PAR-11", "Rankings!E3": "PAR-18", "Rankings!C3": "2"})
	f("manager", "period=2026-05", 403, nil)
	f("manager", "scope=department:75&period=2026-05", 403, nil)
	f("collector", "period=2026-05", 403, nil)
	f("", "period=2026-05", 401, nil)
	f("revoked", "period=2026-05", 401, nil)
	f("director", "scope=region:99&period=2026-05", 404, nil)
	f("director", "scope=site:PAR-11&period=2026-05", 422, nil)
	f("director", "period=May", 422, nil)
	f("director", "scope=national", 422, nil)
	f("director", "period=2026-05&colour=red", 422, nil)
}
