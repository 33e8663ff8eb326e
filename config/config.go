package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/spf13/pflag"

	"globaloffice/model"
)

// Config is every setting of globaloffice.
type Config struct {
	// Home is the data folder: the local ClickHouse, the ingest spool, logs.
	Home       string     `yaml:"home" desc:"data folder (local ClickHouse, spool, logs)"`
	ClickHouse ClickHouse `yaml:"clickhouse"`
	Server     Server     `yaml:"server"`
	Ingest     Ingest     `yaml:"ingest"`
	Indicators Indicators `yaml:"indicators"`
	Grafana    Grafana    `yaml:"grafana"`
}

// Grafana configures the read-only ClickHouse user the dashboards query
// ClickHouse as.
type Grafana struct {
	User     string `yaml:"user" desc:"read-only ClickHouse user of the Grafana data source (the local server's users.xml has it; globaloffice grafana user creates it on a current server)"`
	Password string `yaml:"password" desc:"password of the read-only ClickHouse user (empty: none, only for a server listening on localhost)"`
}

// Indicators configures the indicator engine.
type Indicators struct {
	Catalog          string `yaml:"catalog" desc:"indicator catalog file (empty: the embedded default catalog)"`
	WhitMondayWorked bool   `yaml:"whit_monday_worked" desc:"count Whit Monday as a working day (journée de solidarité)"`
}

// Ingest configures the collectors.
type Ingest struct {
	// PseudonymKey is the secret of the keyed hash that replaces user
	// references; empty means a random key kept in home/pseudonym.key.
	PseudonymKey     string        `yaml:"pseudonym_key" desc:"secret key for pseudonymising user_ref, at least 32 bytes (empty: generated into home/pseudonym.key); changing it changes every user_ref"`
	MappingsDir      string        `yaml:"mappings_dir" desc:"folder of user mapping files (*.yaml); empty: home/mappings"`
	Channels         []string      `yaml:"channels" desc:"accepted channels, comma-separated"`
	CaseKinds        []string      `yaml:"case_kinds" desc:"accepted case kinds, comma-separated"`
	SurveyDimensions []string      `yaml:"survey_dimensions" desc:"accepted survey score dimensions, comma-separated"`
	Segments         []string      `yaml:"segments" desc:"accepted user segments of contacts and cases (coarse groups such as priority_public), comma-separated; empty: records may not carry one"`
	MaxBodyBytes     int           `yaml:"max_body_bytes" desc:"largest request body of the collector endpoints"`
	MaxLineBytes     int           `yaml:"max_line_bytes" desc:"longest CSV or NDJSON line"`
	MaxRecords       int           `yaml:"max_records" desc:"most records in one request"`
	BodyTimeout      time.Duration `yaml:"body_timeout" desc:"time allowed to receive one request body"`
	BatchRecords     int           `yaml:"batch_records" desc:"records per ClickHouse insert"`
	BatchLinger      time.Duration `yaml:"batch_linger" desc:"how long to wait to group small requests into one insert"`
	// SurveyScales fix a dimension's scale whatever the response's: real
	// questionnaires ask "overall" on 1–5 and "recommend" on 0–10.
	SurveyScales []string `yaml:"survey_scales" desc:"dimensions asked on a fixed scale, DIMENSION=SCALE comma-separated (recommend=0-10); a record's scale_<dimension> must agree"`
	// RejectsRetention bounds how long refused records (whose raw text may
	// hold caller numbers) are kept: the server deletes older ones hourly.
	RejectsRetention time.Duration `yaml:"rejects_retention" desc:"how long refused records and their raw text are kept (the server deletes older ones every hour)"`
	// MaxClockSkew is how far ahead of the server's clock a case's
	// updated_at may be: a version dated in the future would mask every
	// genuine version sent after it.
	MaxClockSkew time.Duration `yaml:"max_clock_skew" desc:"how far in the future a case's updated_at may be (clock skew between systems)"`
	// SpoolMaxBytes caps what one process keeps in the spool: past it,
	// records are refused (503, Retry-After) rather than acknowledged.
	SpoolMaxBytes int `yaml:"spool_max_bytes" desc:"most bytes one process keeps in the spool while ClickHouse is away (0: the disk is the limit); past it, collector requests get 503"`
	// PendingCallTimeout is how long an Asterisk call split across
	// exports waits for its other part, from the first part's receipt,
	// before it is closed as not answered: daily exports bring the rest a
	// day later, and a second day covers one failed nightly transfer.
	PendingCallTimeout time.Duration `yaml:"pending_call_timeout" desc:"how long an Asterisk call split across exports waits for its other part before it is closed as not answered"`
}

// ClickHouse says where the database is and how to run the local one.
type ClickHouse struct {
	Addr         string        `yaml:"addr" desc:"ClickHouse native-protocol host:port (empty: the local server on tcp_port)"`
	Database     string        `yaml:"database" desc:"ClickHouse database"`
	User         string        `yaml:"user" desc:"ClickHouse user"`
	Password     string        `yaml:"password" desc:"ClickHouse password"`
	ServerPath   string        `yaml:"server_path" desc:"clickhouse-server binary for the local server (empty: search PATH)"`
	TCPPort      int           `yaml:"tcp_port" desc:"native port of the local server"`
	HTTPPort     int           `yaml:"http_port" desc:"HTTP port of the local server"`
	StartTimeout time.Duration `yaml:"start_timeout" desc:"how long to wait for the local server to answer"`
	DialTimeout  time.Duration `yaml:"dial_timeout" desc:"ClickHouse connection timeout"`
	QueryTimeout time.Duration `yaml:"query_timeout" desc:"ClickHouse read timeout per query"`
	// Cluster names a cluster of the server's remote_servers: the schema is
	// then created ON CLUSTER with Replicated engines (one shard, its
	// replicas, ZooKeeper). addr still names one replica: a process reads
	// and writes through that one server (see the README, Replicated
	// cluster).
	Cluster string `yaml:"cluster" desc:"ClickHouse cluster (remote_servers) to create the schema on, ON CLUSTER with Replicated engines; empty: a single server"`
	// DDLTimeout bounds how long a statement ON CLUSTER waits for every
	// replica (distributed_ddl_task_timeout); a replica still down then
	// applies it when it is back.
	DDLTimeout time.Duration `yaml:"ddl_timeout" desc:"how long a statement ON CLUSTER waits for every replica (distributed_ddl_task_timeout) before failing"`
}

// Server is the HTTP server.
type Server struct {
	Addr string `yaml:"addr" desc:"HTTP listen address"`
	// MemoryLimitMB is a soft limit for the Go runtime (debug.SetMemoryLimit):
	// under heavy ingest the heap would otherwise grow to twice what is
	// live before each collection.
	MemoryLimitMB int `yaml:"memory_limit_mb" desc:"soft memory limit of the server in MiB: the garbage collector works harder near it (0: none; GOMEMLIMIT wins when set)"`
	// TLS: both set, the server speaks HTTPS; otherwise put it behind a
	// reverse proxy that does (see the README).
	TLSCert string `yaml:"tls_cert" desc:"TLS certificate file (PEM); with tls_key the server speaks HTTPS"`
	TLSKey  string `yaml:"tls_key" desc:"TLS private key file (PEM)"`
	// Timeouts. The read timeout covers a whole request, body included, so
	// it is longer than ingest.body_timeout; long answers (exports) set
	// their own deadline per request.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout" desc:"time allowed to receive a request's headers"`
	ReadTimeout       time.Duration `yaml:"read_timeout" desc:"time allowed to receive a whole request, body included"`
	WriteTimeout      time.Duration `yaml:"write_timeout" desc:"time allowed to send an answer (long downloads set their own)"`
	IdleTimeout       time.Duration `yaml:"idle_timeout" desc:"how long an idle keep-alive connection stays open"`
	MaxHeaderBytes    int           `yaml:"max_header_bytes" desc:"largest request header"`
	// IngestBodies caps the collector bodies being decoded at once, in
	// bytes: this many bodies of ingest.max_body_bytes, each body counting
	// its length (at least 256 KiB); the others wait up to IngestWait, then
	// get 503 with Retry-After.
	IngestBodies int           `yaml:"ingest_bodies" desc:"collector bodies of max_body_bytes decoded at once, small bodies counting their size (others wait, then 503)"`
	IngestWait   time.Duration `yaml:"ingest_wait" desc:"how long a collector request waits for a free slot before 503"`
	// AnonymousRate limits each client address on requests without a
	// token, per second, with bursts of AnonymousBurst.
	AnonymousRate float64 `yaml:"anonymous_rate" desc:"requests per second per client address without a token (0: no limit)"`
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; without them the client is the connection's address, so
	// that a client cannot dodge its rate limit with a forged header.
	TrustedProxies []string `yaml:"trusted_proxies" desc:"reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed"`
	AnonymousBurst int      `yaml:"anonymous_burst" desc:"burst allowed above anonymous_rate"`
}

// Default returns the settings used when nothing is configured: everything
// local, under ./var.
func Default() Config {
	return Config{
		Home:    "var",
		Grafana: Grafana{User: "grafana"},
		ClickHouse: ClickHouse{
			Database:     "globaloffice",
			User:         "default",
			TCPPort:      19000,
			HTTPPort:     18123,
			StartTimeout: 60 * time.Second,
			DialTimeout:  5 * time.Second,
			QueryTimeout: 5 * time.Minute,
			DDLTimeout:   3 * time.Minute,
		},
		Server: Server{Addr: "127.0.0.1:8080", MemoryLimitMB: 170,
			ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 3 * time.Minute, WriteTimeout: 3 * time.Minute, IdleTimeout: 2 * time.Minute,
			MaxHeaderBytes: 64 << 10, IngestBodies: 4, IngestWait: 10 * time.Second, AnonymousRate: 20, AnonymousBurst: 40},
		Ingest: Ingest{
			Channels:         []string{"reception", "appointment", "phone", "video", "email", "mail", "online", "proximity"},
			CaseKinds:        []string{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"},
			SurveyDimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend", "information", "accessibility"},
			Segments:         slices.Clone(model.DefaultSegments),
			SurveyScales:     []string{"recommend=0-10"},
			MaxBodyBytes:     64 << 20,
			MaxLineBytes:     1 << 20,
			MaxRecords:       100_000,
			BodyTimeout:      2 * time.Minute,
			BatchRecords:     50_000,
			BatchLinger:      20 * time.Millisecond,
			RejectsRetention: 30 * 24 * time.Hour,
			MaxClockSkew:     10 * time.Minute,
			// ingest.DefaultPendingCallTimeout
			PendingCallTimeout: 48 * time.Hour,
		},
	}
}

// ClickHouseAddr is the address to connect to: the configured one, or the
// local server's.
func (c Config) ClickHouseAddr() string {
	if c.ClickHouse.Addr != "" {
		return c.ClickHouse.Addr
	}
	return fmt.Sprintf("127.0.0.1:%d", c.ClickHouse.TCPPort)
}

// identRE is a name ClickHouse takes unquoted (as store.ValidIdentifier;
// config does not import store).
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// EnvPrefix starts every environment variable globaloffice reads.
const EnvPrefix = "GLOBALOFFICE_"

// EnvConfigFile names the configuration file when --config is not given.
const EnvConfigFile = EnvPrefix + "CONFIG"

// DefaultFile is read, when it exists, if neither --config nor
// GLOBALOFFICE_CONFIG names a file.
const DefaultFile = "globaloffice.yaml"

// Sources are the inputs of Load.
type Sources struct {
	// File is the YAML file named by --config; empty means GLOBALOFFICE_CONFIG,
	// then DefaultFile if it exists.
	File string
	// Env is the environment as "KEY=value" strings (os.Environ()).
	Env []string
	// Flags holds the flags registered by RegisterFlags; only the ones set on
	// the command line override.
	Flags *pflag.FlagSet
}

// Load layers defaults, file, environment and flags, then checks the result.
func Load(src Sources) (Config, error) {
	cfg := Default()
	env := map[string]string{}
	for _, kv := range src.Env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) {
			env[k] = v
		}
	}

	file := src.File
	explicit := file != ""
	if !explicit {
		file = env[EnvConfigFile]
		explicit = file != ""
	}
	if !explicit {
		if _, err := os.Stat(DefaultFile); err == nil {
			file = DefaultFile
		}
	}
	if file != "" {
		if err := loadFile(file, &cfg); err != nil {
			return Config{}, err
		}
	}

	fields := leaves(&cfg)
	byEnv := map[string]leaf{}
	for _, f := range fields {
		byEnv[f.envName()] = f
	}
	var unknown []string
	for k, v := range env {
		if k == EnvConfigFile {
			continue
		}
		f, ok := byEnv[k]
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		if err := f.set(v); err != nil {
			return Config{}, fmt.Errorf("environment %s: %w", k, err)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Config{}, fmt.Errorf("unknown environment variable %s (known: %s)", strings.Join(unknown, ", "), strings.Join(EnvNames(), ", "))
	}

	if src.Flags != nil {
		for _, f := range fields {
			fl := src.Flags.Lookup(f.flagName())
			if fl == nil || !fl.Changed {
				continue
			}
			if err := f.set(fl.Value.String()); err != nil {
				return Config{}, fmt.Errorf("flag --%s: %w", f.flagName(), err)
			}
		}
	}

	if err := cfg.check(); err != nil {
		return Config{}, err
	}
	home, err := filepath.Abs(cfg.Home)
	if err != nil {
		return Config{}, fmt.Errorf("home %q: %w", cfg.Home, err)
	}
	cfg.Home = home
	return cfg, nil
}

func loadFile(path string, cfg *Config) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	if err := yaml.UnmarshalWithOptions(b, cfg, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return fmt.Errorf("config file %s: %s", path, yaml.FormatError(err, false, true))
	}
	return nil
}

func (c Config) check() error {
	var errs []error
	if c.Home == "" {
		errs = append(errs, errors.New("home: must not be empty"))
	}
	if c.ClickHouse.Database == "" {
		errs = append(errs, errors.New("clickhouse.database: must not be empty"))
	}
	for key, p := range map[string]int{"clickhouse.tcp_port": c.ClickHouse.TCPPort, "clickhouse.http_port": c.ClickHouse.HTTPPort} {
		if p <= 0 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s: %d is not a port", key, p))
		}
	}
	if c.ClickHouse.TCPPort == c.ClickHouse.HTTPPort {
		errs = append(errs, fmt.Errorf("clickhouse.tcp_port and clickhouse.http_port are both %d", c.ClickHouse.TCPPort))
	}
	if c.ClickHouse.Cluster != "" && !identRE.MatchString(c.ClickHouse.Cluster) {
		errs = append(errs, fmt.Errorf("clickhouse.cluster: %q: only letters, digits and _ are allowed", c.ClickHouse.Cluster))
	}
	for key, d := range map[string]time.Duration{"clickhouse.start_timeout": c.ClickHouse.StartTimeout, "clickhouse.dial_timeout": c.ClickHouse.DialTimeout, "clickhouse.query_timeout": c.ClickHouse.QueryTimeout,
		"clickhouse.ddl_timeout": c.ClickHouse.DDLTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: %s must be positive", key, d))
		}
	}
	for key, list := range map[string][]string{"ingest.channels": c.Ingest.Channels, "ingest.case_kinds": c.Ingest.CaseKinds, "ingest.survey_dimensions": c.Ingest.SurveyDimensions} {
		if len(list) == 0 {
			errs = append(errs, fmt.Errorf("%s: must not be empty", key))
		}
	}
	if _, err := c.Ingest.ScoreScales(); err != nil {
		errs = append(errs, err)
	}
	for key, n := range map[string]int{"ingest.max_body_bytes": c.Ingest.MaxBodyBytes, "ingest.max_line_bytes": c.Ingest.MaxLineBytes, "ingest.max_records": c.Ingest.MaxRecords, "ingest.batch_records": c.Ingest.BatchRecords} {
		if n <= 0 {
			errs = append(errs, fmt.Errorf("%s: %d must be positive", key, n))
		}
	}
	// As ingest.MinKeyBytes (config does not import ingest).
	if k := c.Ingest.PseudonymKey; k != "" && len(k) < 32 {
		errs = append(errs, fmt.Errorf("ingest.pseudonym_key: %d bytes, at least 32 are needed (a short key makes user references guessable by dictionary); leave it empty to use home/pseudonym.key", len(k)))
	}
	if c.Server.MemoryLimitMB < 0 {
		errs = append(errs, fmt.Errorf("server.memory_limit_mb: %d must be 0 (none) or positive", c.Server.MemoryLimitMB))
	}
	if c.Ingest.BodyTimeout <= 0 || c.Ingest.BatchLinger <= 0 {
		errs = append(errs, errors.New("ingest.body_timeout and ingest.batch_linger must be positive"))
	}
	if c.Ingest.RejectsRetention < time.Hour {
		errs = append(errs, fmt.Errorf("ingest.rejects_retention: %s, at least 1h", c.Ingest.RejectsRetention))
	}
	if c.Ingest.SpoolMaxBytes < 0 {
		errs = append(errs, fmt.Errorf("ingest.spool_max_bytes: %d must be 0 (no cap) or positive", c.Ingest.SpoolMaxBytes))
	}
	if c.Ingest.MaxClockSkew < 0 {
		errs = append(errs, fmt.Errorf("ingest.max_clock_skew: %s must not be negative", c.Ingest.MaxClockSkew))
	}
	if c.Ingest.PendingCallTimeout < time.Minute {
		errs = append(errs, fmt.Errorf("ingest.pending_call_timeout: %s, at least 1m", c.Ingest.PendingCallTimeout))
	}
	return errors.Join(errs...)
}

// Write prints the settings as YAML, the password masked.
func (c Config) Write(w io.Writer) error {
	if c.ClickHouse.Password != "" {
		c.ClickHouse.Password = "********"
	}
	if c.Ingest.PseudonymKey != "" {
		c.Ingest.PseudonymKey = "********"
	}
	b, err := yaml.MarshalWithOptions(c, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// ScoreScales reads ingest.survey_scales: the fixed scale of each
// dimension named, which must be one of ingest.survey_dimensions.
func (i Ingest) ScoreScales() (map[string]string, error) {
	out := make(map[string]string, len(i.SurveyScales))
	for _, pair := range i.SurveyScales {
		dim, scale, ok := strings.Cut(strings.TrimSpace(pair), "=")
		dim, scale = strings.TrimSpace(dim), strings.TrimSpace(scale)
		switch {
		case !ok || dim == "":
			return nil, fmt.Errorf("ingest.survey_scales: %q: want DIMENSION=SCALE, such as recommend=0-10", pair)
		case !slices.Contains(i.SurveyDimensions, dim):
			return nil, fmt.Errorf("ingest.survey_scales: %q: %s is not one of ingest.survey_dimensions", pair, dim)
		case !model.Scale(scale).Valid():
			return nil, fmt.Errorf("ingest.survey_scales: %q: %q is not a scale (1-4, 1-5, 0-10)", pair, scale)
		case out[dim] != "" && out[dim] != scale:
			return nil, fmt.Errorf("ingest.survey_scales: %s is given two scales, %s and %s", dim, out[dim], scale)
		}
		out[dim] = scale
	}
	return out, nil
}
