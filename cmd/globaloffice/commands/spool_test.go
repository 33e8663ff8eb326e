package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpoolListRetry: the quarantine is shown with its records, and retry
// puts a segment back under the spool's root, where the next drain adopts
// it; status and list change nothing in the spool.
func TestSpoolListRetry(t *testing.T) {
	c := newCLI(t)
	home := strings.TrimPrefix(c.env[0], "GLOBALOFFICE_HOME=")
	failed := filepath.Join(home, "spool", "failed")
	if err := os.MkdirAll(failed, 0o700); err != nil {
		t.Fatal(err)
	}
	const seg = "1795000000000000000-000001.ndjson"
	if err := os.WriteFile(filepath.Join(failed, seg), []byte("{}\n{}\n{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A segment being written by a live process: never touched by list.
	tmp := filepath.Join(home, "spool", "p-1-1", "x.ndjson.tmp")
	if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := c.run("spool", "list")
	if code != 0 || !strings.Contains(out, "quarantined: 1 segments, 3 records") || !strings.Contains(out, seg) {
		t.Fatalf("spool list: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("spool list touched a temporary file: %v", err)
	}
	if code, out, errs = c.run("spool", "retry", "../../etc/passwd"); code == 0 {
		t.Errorf("retry of a path: %d %q %q", code, out, errs)
	}
	if code, out, errs = c.run("spool", "retry"); code != 0 || !strings.Contains(out, "1 segments put back") {
		t.Fatalf("spool retry: %d %q %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(home, "spool", seg)); err != nil {
		t.Errorf("segment not put back: %v", err)
	}
}
