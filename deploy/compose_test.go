package deploy_test

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"globaloffice/config"
)

// compose is the part of docker-compose.yml the tests read.
type compose struct {
	Name     string
	Env      map[string]string `yaml:"x-globaloffice-env"` // the globaloffice services' environment
	Services map[string]service
	Volumes  map[string]any
}

type service struct {
	Image string
	Build *struct {
		Context    string
		Dockerfile string
	}
	Command     []string
	Environment map[string]string
	Volumes     []string
	Ports       []string
	DependsOn   any `yaml:"depends_on"`
	Ulimits     map[string]any
	Healthcheck *struct {
		Test              []string
		Interval, Timeout string
		Retries           int
	}
	Restart string
}

var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// readCompose reads docker-compose.yml as compose would with no .env
// file: ${VAR:-default} is its default, and every variable must have one
// so that the stack starts as it is.
func readCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	text := interpolation.ReplaceAllStringFunc(string(b), func(m string) string {
		sub := interpolation.FindStringSubmatch(m)
		if sub[2] == "" {
			t.Errorf("docker-compose.yml: %s has no default", m)
		}
		return sub[3]
	})
	text = strings.ReplaceAll(text, "$$", "$")
	var c compose
	if err := yaml.UnmarshalWithOptions([]byte(text), &c, yaml.Strict()); err != nil {
		// Strict: a key this test does not know is a key it does not check.
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for _, name := range []string{"clickhouse", "migrate", "globaloffice", "prometheus", "grafana"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("docker-compose.yml: no service %s", name)
		}
	}
	return c
}

// globalofficeConfig is the configuration a service of the globaloffice
// image runs with: the Dockerfile's ENV, then the service's environment.
func globalofficeConfig(t *testing.T, s service) config.Config {
	t.Helper()
	var env []string
	for k, v := range dockerfile(t).env {
		env = append(env, k+"="+v)
	}
	for k, v := range s.Environment {
		env = append(env, k+"="+v)
	}
	known := config.EnvNames()
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, config.EnvPrefix) && !slices.Contains(known, k) {
			t.Errorf("%s is not a configuration variable (known: %s)", k, strings.Join(known, ", "))
		}
	}
	cfg, err := config.Load(config.Sources{Env: env})
	if err != nil {
		t.Fatalf("the globaloffice environment: %v", err)
	}
	return cfg
}

// TestComposeMounts: every file or folder a service mounts exists, every
// named volume is declared, every dependency is a service.
func TestComposeMounts(t *testing.T) {
	c := readCompose(t)
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			parts := strings.Split(v, ":")
			if len(parts) < 2 || len(parts) > 3 || (len(parts) == 3 && parts[2] != "ro" && parts[2] != "rw") {
				t.Errorf("%s: volume %q: want SOURCE:TARGET[:ro]", name, v)
				continue
			}
			src := parts[0]
			if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") {
				if _, ok := c.Volumes[src]; !ok {
					t.Errorf("%s: named volume %s is not declared", name, src)
				}
				continue
			}
			path := filepath.Clean(src) // relative to deploy/, as compose reads it
			if strings.HasPrefix(filepath.ToSlash(path), "../grafana/provisioning") {
				grafanaProvisioning(t, path)
				continue
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s mounts %s: %v", name, src, err)
			}
		}
		for _, dep := range dependencies(s.DependsOn) {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("%s depends on %s, which is no service", name, dep)
			}
		}
		if s.Build != nil {
			if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
				t.Errorf("%s builds from %s: %v", name, s.Build.Dockerfile, err)
			}
		}
	}
	if got := c.Services["grafana"].Volumes; !slices.Contains(got, "../grafana/provisioning:/etc/grafana/provisioning:ro") {
		t.Errorf("grafana does not mount the provisioning: %v", got)
	}
}

// grafanaProvisioning checks the mounted provisioning folder (written by
// grafana generate): its dashboards folder, and every variable its YAML
// files read ($VAR or ${VAR}) set in the grafana service.
func grafanaProvisioning(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("grafana mounts %s: %v", dir, err)
		return
	}
	if fi, err := os.Stat(filepath.Join(dir, "dashboards")); err != nil || !fi.IsDir() {
		t.Errorf("%s has no dashboards folder: %v", dir, err)
	}
	env := readCompose(t).Services["grafana"].Environment
	ref := regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			if _, ok := env[m[1]]; !ok && !strings.HasPrefix(m[1], "__") { // $__… are Grafana macros
				t.Errorf("%s reads $%s, which the grafana service does not set", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func dependencies(v any) []string {
	var out []string
	switch d := v.(type) {
	case []any:
		for _, s := range d {
			out = append(out, s.(string))
		}
	case map[string]any:
		for s := range d {
			out = append(out, s)
		}
	}
	return out
}

// TestComposeAgreesWithConfig: the globaloffice services' environment is
// made of known configuration variables that load, and the addresses,
// ports, database and users agree across the services and Prometheus.
func TestComposeAgreesWithConfig(t *testing.T) {
	c := readCompose(t)
	srv, mig := c.Services["globaloffice"], c.Services["migrate"]
	if !maps(srv.Environment, mig.Environment) {
		t.Errorf("migrate and globaloffice do not share their environment:\n%v\n%v", mig.Environment, srv.Environment)
	}
	if srv.Image != mig.Image || !slices.Equal(mig.Command, []string{"migrate"}) || !slices.Equal(srv.Command, []string{"serve"}) {
		t.Errorf("migrate (%s %v) and globaloffice (%s %v): want one image, migrate then serve", mig.Image, mig.Command, srv.Image, srv.Command)
	}
	cfg := globalofficeConfig(t, srv)

	// The server listens on all interfaces of its container, on the port
	// published and scraped.
	host, port, err := net.SplitHostPort(cfg.Server.Addr)
	if err != nil || (host != "0.0.0.0" && host != "") {
		t.Errorf("server.addr %q: want 0.0.0.0:PORT in a container", cfg.Server.Addr)
	}
	if !publishes(srv.Ports, port) {
		t.Errorf("globaloffice publishes %v, not its server.addr port %s", srv.Ports, port)
	}
	targets := scrapeTargets(t)
	if !slices.Contains(targets, "globaloffice:"+port) {
		t.Errorf("prometheus.yml scrapes %v, not globaloffice:%s", targets, port)
	}
	if d := dockerfile(t); !slices.Contains(d.expose, port) {
		t.Errorf("the Dockerfile exposes %v, not %s", d.expose, port)
	}

	// ClickHouse: its native port, its database and user.
	ch := c.Services["clickhouse"].Environment
	if cfg.ClickHouse.Addr != "clickhouse:9000" {
		t.Errorf("clickhouse.addr %q: want the clickhouse service's native port, clickhouse:9000", cfg.ClickHouse.Addr)
	}
	for _, p := range [][3]string{
		{"clickhouse.database", cfg.ClickHouse.Database, ch["CLICKHOUSE_DB"]},
		{"clickhouse.user", cfg.ClickHouse.User, ch["CLICKHOUSE_USER"]},
		{"clickhouse.password", cfg.ClickHouse.Password, ch["CLICKHOUSE_PASSWORD"]},
	} {
		if p[1] == "" || p[1] != p[2] {
			t.Errorf("%s %q, the ClickHouse container's %q", p[0], p[1], p[2])
		}
	}

	// Grafana reads the same database over the native protocol, as the
	// read-only user the ClickHouse container creates.
	gf := c.Services["grafana"].Environment
	if !strings.Contains(gf["GF_INSTALL_PLUGINS"], "grafana-clickhouse-datasource") {
		t.Errorf("GF_INSTALL_PLUGINS %q lacks grafana-clickhouse-datasource", gf["GF_INSTALL_PLUGINS"])
	}
	for _, p := range [][3]string{
		// The data source file names port 9000 (native protocol).
		{"GRAFANA_CLICKHOUSE_HOST:9000", gf["GRAFANA_CLICKHOUSE_HOST"] + ":9000", cfg.ClickHouse.Addr},
		{"GLOBALOFFICE_CLICKHOUSE_DATABASE", gf["GLOBALOFFICE_CLICKHOUSE_DATABASE"], cfg.ClickHouse.Database},
		{"GLOBALOFFICE_GRAFANA_USER", gf["GLOBALOFFICE_GRAFANA_USER"], ch["GRAFANA_CLICKHOUSE_USER"]},
		{"GLOBALOFFICE_GRAFANA_PASSWORD", gf["GLOBALOFFICE_GRAFANA_PASSWORD"], ch["GRAFANA_CLICKHOUSE_PASSWORD"]},
	} {
		if p[1] == "" || p[1] != p[2] {
			t.Errorf("grafana's %s %q, want %q", p[0], p[1], p[2])
		}
	}
	if gf["GLOBALOFFICE_GRAFANA_USER"] == cfg.ClickHouse.User {
		t.Error("Grafana must not use globaloffice's ClickHouse user, which writes")
	}
	if u := gf["GRAFANA_PROMETHEUS_URL"]; u != "http://prometheus:9090" || !publishes(c.Services["prometheus"].Ports, "9090") {
		t.Errorf("GRAFANA_PROMETHEUS_URL %q, prometheus publishes %v", u, c.Services["prometheus"].Ports)
	}

	// Prometheus reads its configuration and, beside it, the rule files
	// it names.
	pm := c.Services["prometheus"].Volumes
	if !slices.Contains(pm, "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro") {
		t.Errorf("prometheus does not mount prometheus.yml at /etc/prometheus: %v", pm)
	}
	for _, f := range promConfig(t).RuleFiles {
		if !slices.Contains(pm, "./prometheus/"+f+":/etc/prometheus/"+f+":ro") {
			t.Errorf("prometheus.yml reads %s, which prometheus does not mount beside it: %v", f, pm)
		}
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// publishes tells whether ports maps container port p ("HOST:CONTAINER").
func publishes(ports []string, p string) bool {
	for _, s := range ports {
		if i := strings.LastIndex(s, ":"); i >= 0 && s[i+1:] == p {
			return true
		}
	}
	return false
}

type promYAML struct {
	Global        map[string]any
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

func promConfig(t *testing.T) promYAML {
	t.Helper()
	b, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var p promYAML
	if err := yaml.UnmarshalWithOptions(b, &p, yaml.Strict()); err != nil {
		t.Fatalf("prometheus.yml: %v", err)
	}
	return p
}

// scrapeTargets are the targets of the globaloffice job, on /metrics.
func scrapeTargets(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, sc := range promConfig(t).ScrapeConfigs {
		if sc.JobName != "globaloffice" {
			continue
		}
		if sc.MetricsPath != "/metrics" {
			t.Errorf("job globaloffice scrapes %q, not /metrics", sc.MetricsPath)
		}
		for _, s := range sc.StaticConfigs {
			out = append(out, s.Targets...)
		}
	}
	return out
}
