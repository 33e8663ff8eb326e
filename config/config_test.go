package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func flags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestPrecedence(t *testing.T) {
	// Each layer sets some keys; the expected value of every key is the one
	// from the highest layer that sets it: defaults < file < env < flags.
	cfg, err := Load(Sources{
		File: "testdata/full.yaml",
		Env: []string{
			"GLOBALOFFICE_CLICKHOUSE_DATABASE=from_env",
			"GLOBALOFFICE_CLICKHOUSE_TCP_PORT=39000",
			"GLOBALOFFICE_CLICKHOUSE_USER=env_user",
			"PATH=/usr/bin", // not ours: ignored
		},
		Flags: flags(t, "--clickhouse-tcp-port=49000", "--clickhouse-dial-timeout=2s"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key       string
		got, want any
	}{
		{"home (file)", cfg.Home, "/srv/globaloffice"},
		{"clickhouse.database (env over file)", cfg.ClickHouse.Database, "from_env"},
		{"clickhouse.tcp_port (flag over env over file)", cfg.ClickHouse.TCPPort, 49000},
		{"clickhouse.http_port (file)", cfg.ClickHouse.HTTPPort, 28123},
		{"clickhouse.user (env over default)", cfg.ClickHouse.User, "env_user"},
		{"clickhouse.start_timeout (file duration)", cfg.ClickHouse.StartTimeout, 90 * time.Second},
		{"clickhouse.dial_timeout (flag)", cfg.ClickHouse.DialTimeout, 2 * time.Second},
		{"clickhouse.query_timeout (default)", cfg.ClickHouse.QueryTimeout, 5 * time.Minute},
		{"server.addr (file)", cfg.Server.Addr, "0.0.0.0:9090"},
		{"ClickHouseAddr (local port)", cfg.ClickHouseAddr(), "127.0.0.1:49000"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.key, c.got, c.want)
		}
	}
}

func TestDefaultsNeedNothing(t *testing.T) {
	t.Chdir(t.TempDir()) // no globaloffice.yaml here
	cfg, err := Load(Sources{})
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if want := filepath.Join(wd, "var"); cfg.Home != want {
		t.Errorf("home = %q, want %q (absolute)", cfg.Home, want)
	}
	if cfg.ClickHouseAddr() != "127.0.0.1:19000" || cfg.ClickHouse.Database != "globaloffice" || cfg.Server.Addr != "127.0.0.1:8080" {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestConfigFileFromEnvAndDefaultFile(t *testing.T) {
	abs, _ := filepath.Abs("testdata/full.yaml")
	cfg, err := Load(Sources{Env: []string{"GLOBALOFFICE_CONFIG=" + abs}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClickHouse.Database != "from_file" {
		t.Errorf("GLOBALOFFICE_CONFIG not read: database = %q", cfg.ClickHouse.Database)
	}

	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(DefaultFile, []byte("clickhouse:\n  database: local_file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClickHouse.Database != "local_file" {
		t.Errorf("./globaloffice.yaml not read: database = %q", cfg.ClickHouse.Database)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
		want []string // substrings of the error
	}{
		{"unknown key in file names line and key", Sources{File: "testdata/unknown_key.yaml"}, []string{"testdata/unknown_key.yaml", "[4:3]", `unknown field "tcp_prot"`}},
		{"wrong type in file", Sources{File: "testdata/bad_type.yaml"}, []string{"testdata/bad_type.yaml", "[2:13]"}},
		{"missing file", Sources{File: "testdata/nope.yaml"}, []string{"config file", "nope.yaml"}},
		{"unknown env variable", Sources{Env: []string{"GLOBALOFFICE_CLICKHOUSE_PORT=1"}}, []string{"unknown environment variable GLOBALOFFICE_CLICKHOUSE_PORT", "GLOBALOFFICE_CLICKHOUSE_TCP_PORT"}},
		{"env not an integer", Sources{Env: []string{"GLOBALOFFICE_CLICKHOUSE_TCP_PORT=abc"}}, []string{"GLOBALOFFICE_CLICKHOUSE_TCP_PORT", `"abc" is not an integer`}},
		{"env not a duration", Sources{Env: []string{"GLOBALOFFICE_CLICKHOUSE_DIAL_TIMEOUT=5"}}, []string{"clickhouse.dial_timeout", "not a duration"}},
		{"flag out of range", Sources{Flags: flags(t, "--clickhouse-http-port=70000")}, []string{"clickhouse.http_port: 70000 is not a port"}},
		{"same ports", Sources{Env: []string{"GLOBALOFFICE_CLICKHOUSE_HTTP_PORT=19000"}}, []string{"both 19000"}},
		{"empty database", Sources{Env: []string{"GLOBALOFFICE_CLICKHOUSE_DATABASE="}}, []string{"clickhouse.database: must not be empty"}},
		{"cluster not a name", Sources{Env: []string{"GLOBALOFFICE_CLICKHOUSE_CLUSTER=q-s"}}, []string{`clickhouse.cluster: "q-s": only letters, digits and _`}},
		{"no time for a replica", Sources{Flags: flags(t, "--clickhouse-ddl-timeout=0s")}, []string{"clickhouse.ddl_timeout: 0s must be positive"}},
		{"short pseudonym key", Sources{Env: []string{"GLOBALOFFICE_INGEST_PSEUDONYM_KEY=x"}}, []string{"ingest.pseudonym_key: 1 bytes, at least 32"}},
		{"31-byte pseudonym key", Sources{Env: []string{"GLOBALOFFICE_INGEST_PSEUDONYM_KEY=" + strings.Repeat("k", 31)}}, []string{"ingest.pseudonym_key: 31 bytes"}},
		{"pending calls closed at once", Sources{Env: []string{"GLOBALOFFICE_INGEST_PENDING_CALL_TIMEOUT=30s"}}, []string{"ingest.pending_call_timeout: 30s, at least 1m"}},
		{"survey scale not a pair", Sources{Env: []string{"GLOBALOFFICE_INGEST_SURVEY_SCALES=recommend"}}, []string{`ingest.survey_scales: "recommend": want DIMENSION=SCALE`}},
		{"survey scale of an unknown dimension", Sources{Flags: flags(t, "--ingest-survey-scales=speed=0-10")}, []string{"ingest.survey_scales", "speed is not one of ingest.survey_dimensions"}},
		{"survey scale not a scale", Sources{Env: []string{"GLOBALOFFICE_INGEST_SURVEY_SCALES=recommend=1-7"}}, []string{`"1-7" is not a scale`}},
		{"survey scale given twice", Sources{Env: []string{"GLOBALOFFICE_INGEST_SURVEY_SCALES=recommend=0-10,recommend=1-5"}}, []string{"recommend is given two scales"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.src)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNamesDerivedFromKeys(t *testing.T) {
	keys := Keys()
	envs := EnvNames()
	if len(envs) != len(keys)+1 {
		t.Fatalf("%d env names for %d keys", len(envs), len(keys))
	}
	fs := flags(t)
	for i, k := range keys {
		want := "GLOBALOFFICE_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		if envs[i+1] != want {
			t.Errorf("env for %s = %s, want %s", k, envs[i+1], want)
		}
		flag := strings.NewReplacer(".", "-", "_", "-").Replace(k)
		if fs.Lookup(flag) == nil {
			t.Errorf("no flag --%s for %s", flag, k)
		}
	}
}

func TestFloatSetting(t *testing.T) {
	cfg, err := Load(Sources{Env: []string{"GLOBALOFFICE_SERVER_ANONYMOUS_RATE=2.5"}})
	if err != nil || cfg.Server.AnonymousRate != 2.5 {
		t.Fatalf("%v %v", cfg.Server.AnonymousRate, err)
	}
	if _, err := Load(Sources{Env: []string{"GLOBALOFFICE_SERVER_ANONYMOUS_RATE=fast"}}); err == nil || !strings.Contains(err.Error(), `server.anonymous_rate: "fast" is not a number`) {
		t.Errorf("bad float: %v", err)
	}
}

// TestWriteMasksSecrets: globaloffice config printed the pseudonymisation
// key in clear.
func TestWriteMasksSecrets(t *testing.T) {
	key := strings.Repeat("s3cret", 6)
	cfg, err := Load(Sources{Env: []string{"GLOBALOFFICE_INGEST_PSEUDONYM_KEY=" + key, "GLOBALOFFICE_CLICKHOUSE_PASSWORD=pw-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := cfg.Write(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "s3cret") || strings.Contains(b.String(), "pw-secret") {
		t.Errorf("secrets printed:\n%s", b.String())
	}
	if cfg.Ingest.PseudonymKey != key {
		t.Error("Write changed the settings it printed")
	}
}

// TestScoreScales: ingest.survey_scales fixes recommend on 0–10 by
// default; a file, the environment or a flag replaces the list.
func TestScoreScales(t *testing.T) {
	f := func(src Sources, want map[string]string) {
		t.Helper()
		cfg, err := Load(src)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cfg.Ingest.ScoreScales()
		if err != nil || len(got) != len(want) {
			t.Fatalf("ScoreScales() = %v, %v; want %v", got, err, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
	}
	f(Sources{}, map[string]string{"recommend": "0-10"})
	f(Sources{Env: []string{"GLOBALOFFICE_INGEST_SURVEY_SCALES= recommend = 0-10 , delay=1-4"}}, map[string]string{"recommend": "0-10", "delay": "1-4"})
	f(Sources{Flags: flags(t, "--ingest-survey-scales=")}, map[string]string{})
}
