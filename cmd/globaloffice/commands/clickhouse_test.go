package commands

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestClickhouseStatusWhenStopped(t *testing.T) {
	env := []string{"GLOBALOFFICE_HOME=" + t.TempDir(), "GLOBALOFFICE_CLICKHOUSE_TCP_PORT=1", "GLOBALOFFICE_CLICKHOUSE_HTTP_PORT=2"}
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"clickhouse", "status"}, env, nil, &out, &errb)
	if code != exitFailure || !strings.Contains(out.String(), "not running") {
		t.Errorf("status of a stopped server: exit %d, %q %q", code, out.String(), errb.String())
	}
	out.Reset()
	code = Run(context.Background(), []string{"clickhouse", "stop"}, env, nil, &out, &errb)
	if code != exitOK || !strings.Contains(out.String(), "was not running") {
		t.Errorf("stop of a stopped server: exit %d, %q", code, out.String())
	}
}
