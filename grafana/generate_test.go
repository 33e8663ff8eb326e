package grafana

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"globaloffice/indicators"
)

var update = flag.Bool("update", false, "rewrite the committed dashboards")

// committed is the dashboards folder of the repository, as seen from here.
const committed = "provisioning/dashboards"

func defaultCatalog(t *testing.T) *indicators.Catalog {
	t.Helper()
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// The committed dashboards are what grafana generate writes from the
// default catalog: a catalog change without a regeneration fails here.
func TestCommittedDashboardsAreGenerated(t *testing.T) {
	cat := defaultCatalog(t)
	if *update {
		if _, err := Generate(cat, committed); err != nil {
			t.Fatal(err)
		}
	}
	stale, err := Stale(cat, committed)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("%s differ from the catalog's dashboards: run go run ./cmd/globaloffice grafana generate (or go test ./grafana -run Committed -update)", strings.Join(stale, ", "))
	}
}

// Stale notices an edited, a missing and an up-to-date dashboard.
func TestStale(t *testing.T) {
	cat := defaultCatalog(t)
	dir := t.TempDir()
	if _, err := Generate(cat, dir); err != nil {
		t.Fatal(err)
	}
	if s, err := Stale(cat, dir); err != nil || len(s) != 0 {
		t.Fatalf("fresh: %v, %v", s, err)
	}
	p := filepath.Join(dir, "globaloffice-site.json")
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(b, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "globaloffice-ingest.json")); err != nil {
		t.Fatal(err)
	}
	s, err := Stale(cat, dir)
	if want := []string{"globaloffice-site.json", "globaloffice-ingest.json"}; err != nil || !slices.Equal(s, want) {
		t.Fatalf("got %v, %v; want %v", s, err, want)
	}
}

// panelJSON is the part of a dashboard the tests read.
type panelJSON struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Datasource  struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Datasource struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		RawSQL     string `json:"rawSql"`
		Expr       string `json:"expr"`
		EditorType string `json:"editorType"`
		Format     *int   `json:"format"`
	} `json:"targets"`
}

type dashboardJSON struct {
	UID        string      `json:"uid"`
	Timezone   string      `json:"timezone"`
	Panels     []panelJSON `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      string `json:"query"`
			IncludeAll bool   `json:"includeAll"`
			AllValue   string `json:"allValue"`
		} `json:"list"`
	} `json:"templating"`
}

func readDashboards(t *testing.T, cat *indicators.Catalog) map[string]dashboardJSON {
	t.Helper()
	files, _, err := Dashboards(cat)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]dashboardJSON{}
	for _, f := range files {
		var d dashboardJSON
		if err := json.Unmarshal(f.JSON, &d); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[d.UID] = d
	}
	return out
}

// Every indicator has its panel on the site dashboard with its definition
// as description, every published one its regions on the overview, and
// every ClickHouse target is a SQL-editor query the SQL tests run.
func TestDashboardsFollowTheCatalog(t *testing.T) {
	cat := defaultCatalog(t)
	ds := readDashboards(t, cat)
	_, queries, err := Dashboards(cat)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, q := range queries {
		known[q.SQL] = true
	}
	site := map[string]panelJSON{}
	for _, p := range ds["globaloffice-site"].Panels {
		site[p.Title] = p
	}
	over := map[string]bool{}
	for _, p := range ds["globaloffice-overview"].Panels {
		over[p.Title] = true
	}
	pub := 0
	for _, d := range cat.Indicators {
		p, ok := site[d.Title.In("en")]
		if !ok {
			t.Errorf("%s: no panel on the site dashboard", d.ID)
			continue
		}
		if !strings.Contains(p.Description, d.Describe("en")) {
			t.Errorf("%s: description %q lacks the definition", d.ID, p.Description)
		}
		if d.Published {
			pub++
			if !over[d.Title.In("en")+": by region"] {
				t.Errorf("%s: published but not on the overview", d.ID)
			}
		}
	}
	if want := 1 + pub; len(ds["globaloffice-overview"].Panels) != want {
		t.Errorf("overview has %d panels, want %d", len(ds["globaloffice-overview"].Panels), want)
	}
	for uid, d := range ds {
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				switch tg.Datasource.Type {
				case PluginID:
					if tg.Datasource.UID != ClickHouseUID || tg.EditorType != "sql" || tg.Format == nil || !known[tg.RawSQL] {
						t.Errorf("%s/%s: target %+v", uid, p.Title, tg)
					}
					if strings.Contains(tg.RawSQL, "$__timeInterval") {
						t.Errorf("%s/%s: $__timeInterval expands to toStartOfInterval, which 18.16 lacks", uid, p.Title)
					}
				case "prometheus":
					if tg.Datasource.UID != PrometheusUID || tg.Expr == "" {
						t.Errorf("%s/%s: target %+v", uid, p.Title, tg)
					}
				default:
					t.Errorf("%s/%s: target of data source %q", uid, p.Title, tg.Datasource.Type)
				}
			}
		}
		for _, v := range d.Templating.List {
			if v.Type == "query" && v.Name != "source" && !known[v.Query] {
				t.Errorf("%s: variable %s's query is not tested", uid, v.Name)
			}
			if !v.IncludeAll || v.AllValue == "" {
				t.Errorf("%s: variable %s without a custom All", uid, v.Name)
			}
		}
	}
	if tz := ds["globaloffice-site"].Timezone; tz != "utc" {
		t.Errorf("site dashboard in %q: local dates must be drawn in utc", tz)
	}
}
