package pages

import (
	"strings"
	"testing"
)

// TestStylesheetBalanced: every block of the stylesheet is closed (a lost
// brace silently drops every rule after it).
func TestStylesheetBalanced(t *testing.T) {
	b, err := staticFS.ReadFile("static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	depth := 0
	for i, line := range strings.Split(string(b), "\n") {
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth < 0 {
			t.Fatalf("line %d closes a block that is not open", i+1)
		}
		if depth > 0 && strings.HasPrefix(line, "/* ----") {
			t.Errorf("line %d: a section starts inside an open block", i+1)
		}
	}
	if depth != 0 {
		t.Errorf("%d block(s) left open", depth)
	}
}
