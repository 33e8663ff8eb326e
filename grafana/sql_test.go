package grafana

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// loadDemo loads two months of demo data (January and February 2026)
// through the collectors, closes January, and closes February twice (the
// panels must read the latest revision).
func loadDemo(t *testing.T, db *store.DB, cat *indicators.Catalog) *indicators.Engine {
	t.Helper()
	ctx := context.Background()
	sites, err := demo.Sites()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertSites(ctx, sites); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := demo.Generate(ctx, dir, demo.Options{Seed: 15, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Scale: 0.05, Sites: sites, BadRate: -1}); err != nil {
		t.Fatal(err)
	}
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, ingest.WriterOptions{}, nil, nil)
	defer w.Close()
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("grafana")), ingest.Lists{
		Channels:   []string{"reception", "appointment", "phone", "video", "email", "mail", "online", "proximity"},
		CaseKinds:  []string{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"},
		Dimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend", "information", "accessibility"},
		Segments:   model.DefaultSegments,
	}, ingest.DefaultLimits, nil)
	for _, k := range []struct {
		kind   ingest.Kind
		format ingest.Format
		glob   string
	}{{ingest.KindContacts, ingest.FormatCSV, "contacts/*.csv"}, {ingest.KindCases, ingest.FormatNDJSON, "cases/*.ndjson"}, {ingest.KindSurveys, ingest.FormatCSV, "surveys/*.csv"}} {
		files, _ := filepath.Glob(filepath.Join(dir, k.glob))
		if len(files) == 0 {
			t.Fatalf("no demo files %s", k.glob)
		}
		sort.Strings(files)
		for _, p := range files {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = svc.Ingest(ctx, k.kind, k.format, f, ingest.Options{Origin: "file:" + p})
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
	}
	e := indicators.NewEngine(db, cat, false)
	for _, name := range []string{"2026-01", "2026-02", "2026-02"} {
		p, err := indicators.ParsePeriod(name, time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Close(ctx, p, "grafana-test"); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// run expands a query as Grafana and the plugin do and runs it as the
// read-only profile would (readonly = 2), returning its column names and
// rows.
func run(ctx context.Context, db *store.DB, sql string, v vars, from, to time.Time, interval time.Duration) ([]string, [][]any, error) {
	s, err := interpolate(sql, v)
	if err != nil {
		return nil, nil, err
	}
	if s, err = expand(s, from, to, interval); err != nil {
		return nil, nil, err
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"readonly": 2}))
	rows, err := db.Conn().Query(ctx, s)
	if err != nil {
		return nil, nil, fmt.Errorf("%w\n%s", err, s)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(rows.ColumnTypes()))
		for i, ct := range rows.ColumnTypes() {
			vals[i] = newScanValue(ct.ScanType())
		}
		if err := rows.Scan(vals...); err != nil {
			return nil, nil, fmt.Errorf("scan: %w\n%s", err, s)
		}
		out = append(out, vals)
	}
	return rows.Columns(), out, rows.Err()
}

// Every query of the dashboards (panels and variables) runs on the real
// schema with demo data, for All and for chosen values of each variable,
// and returns the columns its panel reads.
func TestQueriesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("loads demo data")
	}
	ctx := context.Background()
	cat := defaultCatalog(t)
	db := chtest.New(t)
	e := loadDemo(t, db, cat)
	_, queries, err := Dashboards(cat)
	if err != nil {
		t.Fatal(err)
	}
	const site, region = "PAR-11", "11"
	var regionOK bool
	if err := db.Conn().QueryRow(ctx, "SELECT toString(region) = ? FROM sites FINAL WHERE id = ?", region, site).Scan(&regionOK); err != nil || !regionOK {
		t.Fatalf("demo site %s is not in region %s (%v)", site, region, err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 2, 28, 23, 59, 59, 0, time.UTC)
	choices := []vars{
		{"region": "$__all", "site": "$__all", "channel": "$__all"},
		{"region": region, "site": "$__all", "channel": "$__all"},
		{"region": region, "site": site, "channel": "$__all"},
		{"region": region, "site": site, "channel": "phone"},
		{"region": "$__all", "site": "$__all", "channel": "reception"},
	}
	for _, q := range queries {
		for _, v := range choices {
			for _, iv := range []time.Duration{30 * time.Minute, 3 * 24 * time.Hour} {
				cols, _, err := run(ctx, db, q.SQL, v, from, to, iv)
				if err != nil {
					t.Errorf("%s/%s %v: %v", q.Dashboard, q.Panel, v, err)
					continue
				}
				if !slices.Equal(cols, q.Columns) {
					t.Errorf("%s/%s: columns %v, want %v", q.Dashboard, q.Panel, cols, q.Columns)
				}
			}
		}
	}
	checkFigures(ctx, t, db, e, cat)
}
