package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// grafana generate --out writes the three dashboards, the same bytes as the
// committed ones (the default catalog).
func TestGrafanaGenerate(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Join(t.TempDir(), "dashboards")
	code, out, stderr := c.run("grafana", "generate", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	for _, name := range []string{"globaloffice-overview.json", "globaloffice-site.json", "globaloffice-ingest.json"} {
		p := filepath.Join(dir, name)
		if !strings.Contains(out, p+"\n") {
			t.Errorf("output lacks %s:\n%s", p, out)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(repoFile("grafana", "provisioning", "dashboards", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the committed one", name)
		}
	}
}

// On ClickHouse 18 (the test server) grafana user creates nothing and says
// where the user comes from.
func TestGrafanaUserOn18(t *testing.T) {
	c := newCLI(t)
	if code, out, stderr := c.run("migrate"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr := c.run("grafana", "user")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if !strings.HasPrefix(out, "ClickHouse 18.") || !strings.Contains(out, `"grafana" comes from users.xml`) {
		t.Errorf("output:\n%s", out)
	}
}
