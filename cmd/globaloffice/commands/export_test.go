package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// exportCLI is a database with the demo sites and LYO-03's reception
// visits of 12 May 2026: 9 of 12 within 20 minutes (75%), users u0…u11.
func exportCLI(t *testing.T) (cli, string) {
	t.Helper()
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	contacts := filepath.Join(dir, "c.csv")
	var b strings.Builder
	b.WriteString("id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n")
	for i := range 12 {
		ans := "09:05:00"
		if i >= 9 {
			ans = "09:45:00"
		}
		fmt.Fprintf(&b, "T%d,qms,LYO-03,reception,2026-05-12T09:00:00,2026-05-12T%s,2026-05-12T09:50:00,served,,u%d,\n", i, ans, i)
	}
	if err := os.WriteFile(contacts, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := c.run("ingest", "contacts", contacts); code != exitOK {
		t.Fatalf("ingest: %d %s %s", code, out, stderr)
	}
	return c, dir
}

func TestExportAgency(t *testing.T) {
	c, dir := exportCLI(t)
	out := filepath.Join(dir, "lyon.xlsx")
	if code, _, stderr := c.run("export", "agency", "--site", "LYO-03", "--period", "2026-05", "-o", out); code != exitOK {
		t.Fatalf("export agency: %s", stderr)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	a, _ := x.GetCellValue("Summary", "A2")
	v, _ := x.GetCellValue("Summary", "E2", excelize.Options{RawCellValue: true})
	if a != "reception.wait_20min" || v != "0.75" {
		t.Errorf("summary A2 %q E2 %q", a, v)
	}
	if code, _, stderr := c.run("export", "agency", "--site", "NOPE", "--period", "2026-05", "-o", filepath.Join(dir, "x.xlsx")); code != exitFailure || !strings.Contains(stderr, `unknown site "NOPE"`) {
		t.Errorf("unknown site: %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.xlsx")); !os.IsNotExist(err) {
		t.Errorf("a failed export left a file: %v", err)
	}
}

func TestExportDirector(t *testing.T) {
	c, dir := exportCLI(t)
	out := filepath.Join(dir, "rhone.xlsx")
	if code, _, stderr := c.run("export", "director", "--scope", "department:69", "--period", "2026-05", "-o", out); code != exitOK {
		t.Fatalf("export director: %s", stderr)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// The department's row, then its sites: LYO-03's 9 of 12 (75%) is
	// its only data, so the department shows the same.
	got := map[string]string{}
	for _, ref := range []string{"A2", "B2", "E2", "D1", "E1"} {
		got[ref], _ = x.GetCellValue("Overview", ref, excelize.Options{RawCellValue: true})
	}
	if got["A2"] != "department" || got["B2"] != "69" || got["E2"] != "0.75" || got["D1"] != "Missed" || got["E1"] != "reception.wait_20min" {
		t.Errorf("overview: %v", got)
	}
	if rows, _ := x.GetRows("Rankings"); len(rows) < 2 || rows[1][0] != "reception.wait_20min" || rows[1][4] != "LYO-03" || rows[1][2] != "1" {
		t.Errorf("rankings: %q", rows[:min(len(rows), 2)])
	}
	for _, bad := range [][]string{{"--scope", "region:00"}, {"--scope", "site:LYO-03"}} {
		args := append([]string{"export", "director", "--period", "2026-05", "-o", filepath.Join(dir, "x.xlsx")}, bad...)
		if code, _, stderr := c.run(args...); code != exitFailure || !strings.Contains(stderr, bad[1]) {
			t.Errorf("%v: %d %s", bad, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.xlsx")); !os.IsNotExist(err) {
		t.Errorf("a failed export left a file: %v", err)
	}
}

func TestExportOpenData(t *testing.T) {
	c, dir := exportCLI(t)
	if code, _, stderr := c.run("close", "--period", "2026-05"); code != exitOK {
		t.Fatal(stderr)
	}
	out := filepath.Join(dir, "od")
	code, stdout, stderr := c.run("export", "opendata", "-o", out, "--base-url", "https://qos.example.fr")
	if code != exitOK {
		t.Fatalf("export opendata: %s", stderr)
	}
	// LYO-03 9 of 12 (75%), and its department, region and the nation the
	// same: 4 rows of reception.wait_20min.
	if !strings.Contains(stdout, "4 rows") {
		t.Errorf("stdout %q", stdout)
	}
	for _, name := range []string{"results.csv", "results.json", "schema.json", "datapackage.json"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %v", name, err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "results.csv"))
	if !strings.Contains(string(b), "site,LYO-03,") || !strings.Contains(string(b), ",75,9,12,12,") {
		t.Errorf("results.csv:\n%s", b)
	}
}

func TestExportRaw(t *testing.T) {
	c, dir := exportCLI(t)
	out := filepath.Join(dir, "contacts.csv")
	if code, _, stderr := c.run("export", "raw", "contacts", "--from", "2026-05-01", "--to", "2026-05-31", "--site", "LYO-03", "-o", out); code != exitOK {
		t.Fatalf("export raw: %s", stderr)
	}
	b, _ := os.ReadFile(out)
	if n := strings.Count(string(b), "\n"); n != 13 || strings.Contains(string(b), ",u1\n") {
		t.Errorf("%d lines (want a header and 12), user refs pseudonymised:\n%s", n, b)
	}
	if code, _, stderr := c.run("export", "raw", "contacts", "--from", "2026-05-01", "--to", "2026-05-31", "-o", filepath.Join(dir, "x.txt")); code != exitFailure || !strings.Contains(stderr, "want FILE.xlsx or FILE.csv") {
		t.Errorf("bad extension: %d %s", code, stderr)
	}
}
