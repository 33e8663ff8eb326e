package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// promtoolPath finds promtool: a test without it is skipped, unless CI is
// set (.ci/run installs Debian's prometheus package), where it fails.
func promtoolPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("promtool is required in CI (Debian package prometheus): %v", err)
		}
		t.Skip("promtool not installed (Debian package prometheus)")
	}
	return p
}

func promtool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(promtoolPath(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestPromtoolCheckConfigAndRules(t *testing.T) {
	out := promtool(t, "check", "config", "prometheus/prometheus.yml")
	if !strings.Contains(out, "1 rule files found") {
		t.Errorf("prometheus.yml should load rules.yml:\n%s", out)
	}
	promtool(t, "check", "rules", "prometheus/rules.yml")
}

// TestPromtoolTestRules runs the rules' unit tests, and checks that every
// alert of rules.yml is expected somewhere in them to fire, and somewhere
// not to.
func TestPromtoolTestRules(t *testing.T) {
	files, err := filepath.Glob("prometheus/tests/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule tests: %v", err)
	}
	promtool(t, append([]string{"test", "rules"}, files...)...)

	rules, err := os.ReadFile("prometheus/rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var tests strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tests.Write(b)
	}
	alerts := 0
	for _, line := range strings.Split(string(rules), "\n") {
		name, ok := strings.CutPrefix(strings.TrimSpace(line), "- alert: ")
		if !ok {
			continue
		}
		alerts++
		fires, quiet := expected(tests.String(), name)
		if !fires {
			t.Errorf("alert %s: no test expects it to fire", name)
		}
		if !quiet {
			t.Errorf("alert %s: no test expects it not to fire", name)
		}
	}
	if alerts == 0 {
		t.Error("rules.yml has no alert")
	}
}

// expected tells whether a test of the tests' text expects alert name to
// fire (an alertname line followed by exp_alerts with items) and whether
// one expects it not to (exp_alerts: []).
func expected(tests, name string) (fires, quiet bool) {
	lines := strings.Split(tests, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "alertname: "+name || i+1 >= len(lines) {
			continue
		}
		switch strings.TrimSpace(lines[i+1]) {
		case "exp_alerts:":
			fires = true
		case "exp_alerts: []":
			quiet = true
		}
	}
	return fires, quiet
}
