package exports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// Sites of the fixture: two in Paris (department 75, region 11), one in
// Strasbourg (department 67, region 44).
var fixtureSites = []model.Site{
	{ID: "PAR-11", Name: "Paris 11 & Bastille", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "PAR-18", Name: "Paris 18", Kind: model.SiteAgency, Region: "11", Department: "75", Zone: model.ZoneMetropole, Timezone: "Europe/Paris"},
	{ID: "STR-67", Name: "Strasbourg", Kind: model.SiteAgency, Region: "44", Department: "67", Zone: model.ZoneAlsaceMoselle, Timezone: "Europe/Paris"},
}

var today = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type fixture struct {
	db  *store.DB
	svc *ingest.Service
	eng *indicators.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.UpsertSites(ctx, fixtureSites); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{DrainEvery: time.Hour}, nil, nil)
	t.Cleanup(w.Close)
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("k")), ingest.Lists{
		Channels: []string{"reception", "phone", "email"}, CaseKinds: []string{"reimbursement"}, Dimensions: []string{"overall", "recommend"},
		Segments: model.DefaultSegments,
	}, ingest.DefaultLimits, nil)
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	eng := indicators.NewEngine(db, cat, false)
	eng.Now = func() time.Time { return today }
	return &fixture{db: db, svc: svc, eng: eng}
}

func (f *fixture) send(t *testing.T, kind ingest.Kind, csv string) {
	t.Helper()
	res, err := f.svc.Ingest(context.Background(), kind, ingest.FormatCSV, strings.NewReader(csv), ingest.Options{Source: "test"})
	if err != nil || res.Rejected > 0 {
		t.Fatalf("ingest %s: %v %+v", kind, err, res.Rejects)
	}
}

func (f *fixture) target(t *testing.T, csv string) {
	t.Helper()
	ts, err := indicators.ReadTargets(strings.NewReader("indicator,scope,year,target\n"+csv), f.eng.Catalog, fixtureSites, "dg", today, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := indicators.SaveTargets(context.Background(), f.db, ts); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) close(t *testing.T, period string) {
	t.Helper()
	p, _ := indicators.ParsePeriod(period, today)
	if _, err := f.eng.Close(context.Background(), p, "dg"); err != nil {
		t.Fatal(err)
	}
}

const contactsHeader = "id,site,channel,arrived_at,answered_at,ended_at,outcome,user_ref\n"

// visits writes within visits waiting 10 min and beyond waiting 30 min at
// site on day, by user u<i>.
func visits(site, day string, within, beyond int) string {
	var b strings.Builder
	for i := range within + beyond {
		ans := "09:10:00"
		if i >= within {
			ans = "09:30:00"
		}
		fmt.Fprintf(&b, "%s-%s-%d,%s,reception,%sT09:00:00,%sT%s,%sT09:40:00,served,u%d\n", site, day, i, site, day, day, ans, day, i)
	}
	return b.String()
}

// book is a workbook as openpyxl reads it (testdata/read_xlsx.py).
type book struct {
	Sheets []sheet `json:"sheets"`
}

type sheet struct {
	Name  string `json:"name"`
	Cells map[string]struct {
		Value  any    `json:"value"`
		Format string `json:"format"`
		Type   string `json:"type"`
		Fill   string `json:"fill"`
	} `json:"cells"`
	Conditional []struct {
		Range   string   `json:"range"`
		Type    string   `json:"type"`
		Formula []string `json:"formula"`
		Fill    string   `json:"fill"`
	} `json:"conditional"`
	Charts []struct {
		Type   string `json:"type"`
		Series []struct {
			Values, Categories, Name string
		} `json:"series"`
	} `json:"charts"`
	Tables      map[string]string `json:"tables"`
	Freeze      string            `json:"freeze"`
	Autofilter  string            `json:"autofilter"`
	Orientation string            `json:"orientation"`
	Paper       any               `json:"paper"`
	FitWidth    any               `json:"fit_width"`
	FitToPage   bool              `json:"fit_to_page"`
	Header      []string          `json:"header"`
	Footer      []string          `json:"footer"`
}

func (b book) sheet(t *testing.T, name string) sheet {
	t.Helper()
	for _, s := range b.Sheets {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no sheet %q", name)
	return sheet{}
}

// tool finds a reader: missing, a test fails when CI is set and is
// skipped otherwise.
func tool(t *testing.T, path, what string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s missing (%s): .ci/run installs it", what, path)
		}
		t.Skipf("%s missing (%s): apt-get install libreoffice-calc python3-openpyxl", what, path)
	}
	return path
}

// openpyxl reads a workbook with Debian's python3-openpyxl.
func openpyxl(t *testing.T, path string) book {
	t.Helper()
	py := tool(t, "/usr/bin/python3", "python3")
	if err := exec.Command(py, "-c", "import openpyxl").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3-openpyxl missing: .ci/run installs it")
		}
		t.Skip("python3-openpyxl missing")
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(py, "testdata/read_xlsx.py", path)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("openpyxl %s: %v: %s", path, err, errb.String())
	}
	var b book
	if err := json.Unmarshal(out.Bytes(), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// libreoffice converts every sheet of a workbook to CSV with LibreOffice
// headless (values as shown, so number formats are applied) and returns
// the rows by sheet name.
func libreoffice(t *testing.T, path string, sheets ...string) map[string][][]string {
	t.Helper()
	soffice := tool(t, "/usr/bin/soffice", "LibreOffice (libreoffice-calc)")
	dir := t.TempDir()
	// Filter options: comma, quote, UTF-8, from line 1, …, sheet -1 = every
	// sheet, one file each (NAME-SHEET.csv).
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to",
		"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", "--outdir", dir, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v: %s", err, out)
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	out := map[string][][]string{}
	for _, s := range sheets {
		b, err := os.ReadFile(filepath.Join(dir, base+"-"+s+".csv"))
		if err != nil {
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Fatalf("sheet %s: %v (files: %v)", s, err, names)
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("sheet %s: %v", s, err)
		}
		out[s] = rows
	}
	return out
}
