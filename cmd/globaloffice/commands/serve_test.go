package commands

import (
	"testing"

	"globaloffice/config"
)

// TestMemoryLimit: serve sets server.memory_limit_mb as the soft limit unless
// it is 0 or GOMEMLIMIT is set in Run's environment; the process's own
// GOMEMLIMIT does not count (in the binary, main passes os.Environ()).
func TestMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	f := func(mb int, env []string, want int64, wantOK bool) {
		t.Helper()
		a := &app{env: env, cfg: config.Config{Server: config.Server{MemoryLimitMB: mb}}}
		if got, ok := a.memoryLimit(); got != want || ok != wantOK {
			t.Errorf("memory_limit_mb %d, env %q: %d %v, want %d %v", mb, env, got, ok, want, wantOK)
		}
	}
	f(170, nil, 178_257_920, true) // 170 × 1,048,576
	f(170, []string{"GOMEMLIMIT=512MiB"}, 0, false)
	f(170, []string{"GOMEMLIMIT="}, 178_257_920, true) // empty is unset, as the runtime reads it
	f(0, nil, 0, false)
}
