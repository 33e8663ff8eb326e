package grafana

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/prometheus/client_golang/prometheus"

	"globaloffice/config"
	"globaloffice/ingest"
)

// The data sources file provisions the uids the dashboards use, the
// ClickHouse plugin over the native protocol as the read-only user, and
// takes from the environment only globaloffice's own settings or the
// GRAFANA_ ones the deployment sets.
func TestDatasourcesProvisioning(t *testing.T) {
	b, err := os.ReadFile("provisioning/datasources/globaloffice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			UID            string         `yaml:"uid"`
			Type           string         `yaml:"type"`
			URL            string         `yaml:"url"`
			JSONData       map[string]any `yaml:"jsonData"`
			SecureJSONData map[string]any `yaml:"secureJsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	byUID := map[string]int{}
	for i, d := range f.Datasources {
		byUID[d.UID] = i
	}
	ch, ok := byUID[ClickHouseUID]
	if !ok || f.Datasources[ch].Type != PluginID {
		t.Fatalf("no %s data source of type %s: %+v", ClickHouseUID, PluginID, f.Datasources)
	}
	j := f.Datasources[ch].JSONData
	want := map[string]any{"protocol": "native", "username": "${GLOBALOFFICE_GRAFANA_USER}", "defaultDatabase": "${GLOBALOFFICE_CLICKHOUSE_DATABASE}"}
	for k, v := range want {
		if j[k] != v {
			t.Errorf("clickhouse jsonData.%s = %v, want %v", k, j[k], v)
		}
	}
	if f.Datasources[ch].SecureJSONData["password"] != "${GLOBALOFFICE_GRAFANA_PASSWORD}" {
		t.Errorf("clickhouse password: %v", f.Datasources[ch].SecureJSONData)
	}
	if p, ok := byUID[PrometheusUID]; !ok || f.Datasources[p].Type != "prometheus" || f.Datasources[p].URL == "" {
		t.Errorf("no prometheus data source %s", PrometheusUID)
	}
	known := config.EnvNames()
	for _, m := range regexp.MustCompile(`\$\{(\w+)\}`).FindAllStringSubmatch(string(b), -1) {
		if strings.HasPrefix(m[1], config.EnvPrefix) && !slices.Contains(known, m[1]) {
			t.Errorf("%s is not a globaloffice setting", m[1])
		} else if !strings.HasPrefix(m[1], config.EnvPrefix) && !strings.HasPrefix(m[1], "GRAFANA_") {
			t.Errorf("%s: environment variables are GLOBALOFFICE_ settings or GRAFANA_", m[1])
		}
	}
}

func TestDashboardsProvider(t *testing.T) {
	b, err := os.ReadFile("provisioning/dashboards/globaloffice.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Providers) != 1 || f.Providers[0].Type != "file" || !strings.HasSuffix(f.Providers[0].Options.Path, "/provisioning/dashboards") {
		t.Errorf("providers: %+v", f.Providers)
	}
}

// collected records the collectors registered with it.
type collected struct{ cs []prometheus.Collector }

func (c *collected) Register(x prometheus.Collector) error { c.cs = append(c.cs, x); return nil }
func (c *collected) MustRegister(xs ...prometheus.Collector) {
	c.cs = append(c.cs, xs...)
}
func (c *collected) Unregister(prometheus.Collector) bool { return false }

// The ingest health panels read series the collectors export (histograms
// through their _bucket, _sum and _count).
func TestIngestPanelsReadExportedMetrics(t *testing.T) {
	var reg collected
	ingest.NewMetrics(&reg)
	names := map[string]bool{}
	fq := regexp.MustCompile(`fqName: "(\w+)"`)
	for _, c := range reg.cs {
		ch := make(chan *prometheus.Desc, 16)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			n := fq.FindStringSubmatch(d.String())[1]
			for _, s := range []string{"", "_bucket", "_sum", "_count"} {
				names[n+s] = true
			}
		}
	}
	if !names["globaloffice_ingest_records_total"] {
		t.Fatalf("metric names not read: %v", names)
	}
	series := regexp.MustCompile(`globaloffice_\w+`)
	for _, p := range IngestPanels {
		for _, e := range p.Exprs {
			for _, n := range series.FindAllString(e.Expr, -1) {
				if !names[n] {
					t.Errorf("%s: %s is not exported by ingest", p.Title, n)
				}
			}
		}
	}
}

func TestUserStatements(t *testing.T) {
	got, err := UserStatements("grafana", "p'w", "globaloffice", "")
	want := []string{
		`CREATE USER IF NOT EXISTS grafana IDENTIFIED BY 'p\'w' SETTINGS readonly = 2`,
		`ALTER USER grafana IDENTIFIED BY 'p\'w' SETTINGS readonly = 2`,
		`GRANT SELECT ON globaloffice.* TO grafana`,
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("got %q, %v", got, err)
	}
	got, err = UserStatements("grafana", "pw", "globaloffice", "qos")
	want = []string{
		`CREATE USER IF NOT EXISTS grafana ON CLUSTER qos IDENTIFIED BY 'pw' SETTINGS readonly = 2`,
		`ALTER USER grafana ON CLUSTER qos IDENTIFIED BY 'pw' SETTINGS readonly = 2`,
		`GRANT ON CLUSTER qos SELECT ON globaloffice.* TO grafana`,
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("on a cluster: got %q, %v", got, err)
	}
	for _, bad := range [][3]string{{"gra fana", "db", ""}, {"grafana", "db; DROP", ""}, {"grafana", "db", "q os"}} {
		if _, err := UserStatements(bad[0], "", bad[1], bad[2]); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
