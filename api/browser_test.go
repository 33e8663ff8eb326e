package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's Chromium (installed by .ci/run) with
// chromedp against the real server of newEnv. Without Chromium they fail
// when CI is set and are skipped otherwise, as the ClickHouse tests are.

// chromiumPath is the Chromium binary: $CHROMIUM, else the Debian path.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// browser is one headless Chromium tab of a test.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium for the browser tests (CI is set, so this fails): apt-get install chromium")
		}
		t.Skip("no Chromium: apt-get install chromium")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

func (b *browser) open(url string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		b.t.Fatalf("open %s: %v", url, err)
	}
}

// text is the visible text of the first element matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// artefacts is where the browser tests leave screenshots and PDFs for
// people to look at: $GLOBALOFFICE_TEST_ARTEFACTS, else var/test-artefacts
// at the top of the repository.
func artefacts(t *testing.T) string {
	dir := os.Getenv("GLOBALOFFICE_TEST_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join("..", "var", "test-artefacts")
	}
	dir = filepath.Join(dir, "pages")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the whole page as artefacts/pages/<name>.png.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artefacts(b.t), name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// pdfPages prints the page on A4 as the browser's print dialog would
// (the page's own @page size, backgrounds), saves the PDF as an artefact,
// and counts its pages.
func (b *browser) pdfPages(name string) int {
	b.t.Helper()
	pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		b.t.Fatalf("print %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artefacts(b.t), name+".pdf"), pdf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return len(pdfPage.FindAll(pdf, -1))
}

// pdfPage matches a page object of a PDF (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page\b[^s]`)

// axe-core, fetched with npm at test time into var/test-cache (never
// committed), once per test binary.
var (
	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

func axeSource(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		dir, err := filepath.Abs(filepath.Join("..", "var", "test-cache", "axe"))
		if err != nil {
			axeErr = err
			return
		}
		file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
		if _, err := os.Stat(file); err != nil {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				axeErr = err
				return
			}
			out, err := exec.Command("npm", "install", "--prefix", dir, "--no-audit", "--no-fund", "--silent", "axe-core@4").CombinedOutput()
			if err != nil {
				axeErr = fmt.Errorf("npm install axe-core: %v: %s", err, out)
				return
			}
		}
		b, err := os.ReadFile(file)
		axeJS, axeErr = string(b), err
	})
	if axeErr != nil {
		t.Fatalf("axe-core: %v", axeErr)
	}
	return axeJS
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Description string `json:"description"`
	Nodes       []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// accessible runs axe-core in the page and fails on any serious or
// critical violation.
func (b *browser) accessible(name string) {
	b.t.Helper()
	src := axeSource(b.t)
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](src+";true")); err != nil {
		b.t.Fatalf("load axe-core in %s: %v", name, err)
	}
	raw := eval[string](b, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%s: accessibility (%s) %s: %s, at %v", name, v.Impact, v.ID, v.Description, v.Nodes)
		}
	}
}
