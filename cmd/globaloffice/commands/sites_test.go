package commands

import (
	"strings"
	"testing"
)

// TestSitesImportAndList: a file with errors imports nothing and names every
// faulty line; the demo sites import whole.
func TestSitesImportAndList(t *testing.T) {
	c := newCLI(t)
	if code, out, stderr := c.run("migrate"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
	}

	bad := repoFile("ingest", "testdata", "sites_bad.csv")
	code, _, stderr := c.run("sites", "import", bad)
	if code != exitFailure {
		t.Errorf("import of a bad file: exit %d, want %d", code, exitFailure)
	}
	for _, want := range []string{
		bad + ":line 3: zone:",
		bad + ":line 4: timezone:",
		bad + ":line 5: id: duplicate id",
		"7 error(s), nothing imported",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, out, _ := c.run("sites", "list", "--format", "csv")
	if code != exitOK || out != strings.Join([]string{"id,name,kind,region,department,zone,timezone,hours", ""}, "\n") {
		t.Errorf("after a refused import the sites must be empty: exit %d\n%s", code, out)
	}

	code, out, stderr = c.run("sites", "import", repoFile("demo", "sites.csv"))
	if code != exitOK || !strings.Contains(out, "imported 42 sites") {
		t.Fatalf("import demo sites: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = c.run("sites", "list")
	if code != exitOK || !strings.Contains(out, "MAM-976") || !strings.Contains(out, "42 sites") {
		t.Errorf("sites list: exit %d\n%s", code, out)
	}
	// Opening hours come back as imported (a site without them, empty).
	code, out, _ = c.run("sites", "list", "--format", "csv")
	if code != exitOK || !strings.Contains(out, "\nPF-IDF,Plateforme téléphonique Île-de-France,phone_platform,11,93,metropole,Europe/Paris,mon-fri 08:30-17:30\n") ||
		!strings.Contains(out, "\nCT-IDF,Centre de traitement Île-de-France,processing_centre,11,94,metropole,Europe/Paris,\n") {
		t.Errorf("sites list --format csv: exit %d\n%s", code, out)
	}
}
