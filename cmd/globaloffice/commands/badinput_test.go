package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputCLI: the command line's bad inputs, each with its exit code
// and error (the HTTP ones are api's TestBadInputCampaign).
func TestBadInputCLI(t *testing.T) {
	c := newCLI(t)
	if code, _, stderr := c.run("migrate"); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "id,source,site,channel,arrived_at,answered_at,ended_at,outcome,motive,user_ref,team\n"
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"unknown kind", []string{"ingest", "widgets", file("w.csv", header)}, exitFailure, `unknown record kind "widgets"`},
		{"missing file", []string{"ingest", "contacts", filepath.Join(dir, "nope.csv")}, exitFailure, "no such file"},
		{"no extension", []string{"ingest", "contacts", file("noext", header)}, exitFailure, "cannot tell the format"},
		{"binary file", []string{"ingest", "contacts", file("bin.ndjson", "\x00\x01\x02\n")}, exitFailure, "binary data"},
		{"semicolon CSV", []string{"ingest", "contacts", file("semi.csv", "id;source;site\n1;qms;PAR-11\n")}, exitFailure, "needs a mapping whose delimiter is ';'"},
		{"unknown mapping", []string{"ingest", "contacts", "--mapping", "../../etc/passwd", file("m.csv", header)}, exitFailure, "unknown mapping"},
		{"a bad record among good", []string{"ingest", "contacts", file("one.csv", header+"A1,qms,PAR-11,phone,2026-05-14T09:00:00Z,,,abandoned,,,\nA2,qms,NOPE,phone,2026-05-14T09:00:00Z,,,abandoned,,,\n")}, exitPartial, `site: unknown site "NOPE"`},
		{"SQL-looking period", []string{"indicators", "compute", "--period", "'; DROP TABLE results; --"}, exitFailure, "period"},
		{"month 13", []string{"close", "--period", "2026-13"}, exitFailure, "2026-13"},
		{"unknown scope", []string{"indicators", "compute", "--period", "2026-05", "--scope", "planet"}, exitFailure, "planet"},
		{"short pseudonym key", []string{"--ingest-pseudonym-key", "x", "status"}, exitFailure, "at least 32"},
		{"negative spool cap", []string{"--ingest-spool-max-bytes", "-1", "status"}, exitFailure, "ingest.spool_max_bytes"},
		{"retry a path", []string{"spool", "retry", "../../etc/passwd"}, exitFailure, "not a segment name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := c.run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d; stderr %q does not contain %q (stdout %q)", code, tt.code, stderr, tt.want, out)
			}
		})
	}
}
