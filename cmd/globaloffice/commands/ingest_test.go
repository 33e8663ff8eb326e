package commands

import (
	"strings"
	"testing"
)

// TestIngestFileWithDecoderMapping: a mapping with a decoder of its own
// (Asterisk's queue_log, a file without extension) reads the file with that
// decoder; the format was asked for from the file's extension instead.
func TestIngestFileWithDecoderMapping(t *testing.T) {
	c := newCLI(t)
	if code, out, stderr := c.run("migrate"); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := c.run("sites", "import", repoFile("demo", "sites.csv")); code != exitOK {
		t.Fatalf("sites import: exit %d\n%s%s", code, out, stderr)
	}
	log := repoFile("ingest", "testdata", "queue_log")
	code, out, stderr := c.run("ingest", "contacts", "--mapping", "asterisk-queue-log", log)
	// 4 calls stored; 4 refused (see ingest's TestMappings): exit 2.
	if code != exitPartial || !strings.Contains(stderr, log+":line 15: callid:") {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitPartial, out, stderr)
	}
	if f := strings.Fields(strings.Split(out, "\n")[1]); len(f) != 6 || f[1] != "8" || f[2] != "4" || f[4] != "4" {
		t.Errorf("summary %q: want 1 file, 8 received, 4 accepted, 4 rejected", out)
	}
}
