package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTargetsImportRange: a target of 0.8 on a percentage is refused with
// the file, line, field and the hint, and how to force it; --force imports
// it, and the history shows who set it.
func TestTargetsImportRange(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatal(stderr)
	}
	file := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(file, []byte("indicator,scope,year,target\nreception.wait_20min,national,2026,0.8\nreception.wait_p90,national,2026,15\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := c.run("targets", "import", file, "--by", "dg")
	want := file + ":line 2: target: 0.8 looks like a fraction, but reception.wait_20min is in percent (0 to 100): did you mean 80?\n" +
		file + ": --force imports the targets refused for their unit's range as they are\n"
	if code != exitFailure || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "nothing imported") || out != "" {
		t.Fatalf("0.8 %%: %d %q %q, want %q", code, out, stderr, want)
	}
	if code, out, _ := c.run("targets", "history", "--indicator", "reception.wait_p90"); code != exitOK || strings.Contains(out, "15") {
		t.Fatalf("a refused file imported something: %s", out)
	}
	if code, out, stderr := c.run("targets", "import", file, "--by", "dg", "--force"); code != exitOK || !strings.Contains(out, "imported 2 targets") {
		t.Fatalf("--force: %d %s %s", code, out, stderr)
	}
	code, out, _ = c.run("targets", "history", "--indicator", "reception.wait_20min")
	if f := strings.Fields(strings.SplitN(out, "\n", 3)[1]); code != exitOK || len(f) != 6 || f[0] != "reception.wait_20min" || f[1] != "national" || f[2] != "2026" || f[3] != "0.8" || f[4] != "dg" {
		t.Errorf("history: %d %s", code, out) // the national scope has no ID: six columns
	}
}
