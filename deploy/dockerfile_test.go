package deploy_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// dockerfileInfo is what the tests read of ../Dockerfile: per stage its
// base image, and of the last stage its ENV, EXPOSE and USER.
type dockerfileInfo struct {
	bases  []string
	copies [][]string // sources of COPY without --from, relative to the context
	env    map[string]string
	expose []string
	user   string
	runs   []string
}

func dockerfile(t *testing.T) dockerfileInfo {
	t.Helper()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := dockerfileInfo{env: map[string]string{}}
	text := strings.ReplaceAll(string(b), "\\\n", " ") // continuation lines
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		args := f[1:]
		switch strings.ToUpper(f[0]) {
		case "FROM":
			d.bases = append(d.bases, args[0])
			d.env, d.expose, d.user = map[string]string{}, nil, ""
		case "COPY":
			var srcs []string
			from := false
			for _, a := range args[:len(args)-1] {
				if strings.HasPrefix(a, "--from=") {
					from = true
				}
				if !strings.HasPrefix(a, "--") {
					srcs = append(srcs, a)
				}
			}
			if !from {
				d.copies = append(d.copies, srcs)
			}
		case "ENV":
			for _, kv := range args {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("Dockerfile: ENV %s: want KEY=value", kv)
				}
				d.env[k] = v
			}
		case "EXPOSE":
			d.expose = append(d.expose, args...)
		case "USER":
			d.user = args[0]
		case "RUN":
			d.runs = append(d.runs, strings.Join(args, " "))
		}
	}
	return d
}

// TestDockerfile: two stages, the builder on go.mod's Go release, every
// COPY source present, a static build, a non-root user.
func TestDockerfile(t *testing.T) {
	d := dockerfile(t)
	if len(d.bases) != 2 {
		t.Fatalf("Dockerfile stages: %v, want a build and a run stage", d.bases)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	if want := "golang:" + string(m[1]); !strings.HasPrefix(d.bases[0], want) {
		t.Errorf("build stage FROM %s, want %s (go.mod)", d.bases[0], want)
	}
	if len(d.copies) == 0 {
		t.Error("the build stage copies nothing")
	}
	for _, srcs := range d.copies {
		for _, s := range srcs {
			if _, err := os.Stat(filepath.Join("..", s)); err != nil {
				t.Errorf("COPY %s: %v", s, err)
			}
		}
	}
	static := false
	for _, r := range d.runs {
		static = static || (strings.Contains(r, "CGO_ENABLED=0") && strings.Contains(r, "go build") && strings.Contains(r, "./cmd/globaloffice"))
	}
	if !static {
		t.Errorf("no RUN builds ./cmd/globaloffice with CGO_ENABLED=0: %q", d.runs)
	}
	uid, _, _ := strings.Cut(d.user, ":")
	if uid == "" || uid == "0" || uid == "root" {
		t.Errorf("the image runs as %q, want a non-root user", d.user)
	}
	if d.env["GLOBALOFFICE_HOME"] == "" {
		t.Error("the image sets no GLOBALOFFICE_HOME")
	}
}

// TestStaticBinary builds the binary as the Dockerfile does and checks it
// needs no dynamic loader, so that it runs on distroless/static.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole binary")
	}
	bin := filepath.Join(t.TempDir(), "globaloffice")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/globaloffice")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (%v)", p.Type)
		}
	}
}
