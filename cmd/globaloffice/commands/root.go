package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	_ "time/tzdata" // site time zones must resolve even without system tzdata

	"github.com/spf13/cobra"

	"globaloffice/config"
	"globaloffice/indicators"
	"globaloffice/store"
	"globaloffice/store/chserver"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1
	exitPartial = 2 // some records were refused, the rest stored
)

// partialError makes Run exit with exitPartial.
type partialError struct{ msg string }

func (e partialError) Error() string { return e.msg }

// app is what every command shares: Run's environment, its output streams
// and the loaded settings.
type app struct {
	env    []string
	stdout io.Writer
	stderr io.Writer
	cfg    config.Config
}

// Run runs the command line args with the given environment and streams and
// returns the exit status; main only wires the OS in, so tests drive it with
// buffers.
func Run(ctx context.Context, args, env []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{env: env, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "globaloffice:", err)
	var pe partialError
	if errors.As(err, &pe) {
		return exitPartial
	}
	return exitFailure
}

// rootCommand is the one place the commands are registered; each is built by
// its own file.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "globaloffice",
		Short:         "Quality of service of a public service, on every channel, against its commitments",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			file, _ := cmd.Flags().GetString("config")
			cfg, err := config.Load(config.Sources{File: file, Env: a.env, Flags: cmd.Flags()})
			if err != nil {
				return err
			}
			a.cfg = cfg
			return nil
		},
	}
	config.RegisterFlags(root.PersistentFlags())
	root.AddCommand(
		a.clickhouseCommand(),
		a.migrateCommand(),
		a.rebuildCommand(),
		a.sitesCommand(),
		a.configCommand(),
		a.statusCommand(),
		a.serveCommand(),
		a.ingestCommand(),
		a.rejectsCommand(),
		a.spoolCommand(),
		a.mappingsCommand(),
		a.benchCommand(),
		a.demoCommand(),
		a.indicatorsCommand(),
		a.targetsCommand(),
		a.closeCommand(),
		a.tokensCommand(),
		a.exportCommand(),
		a.grafanaCommand(),
	)
	return root
}

// localServer is the local ClickHouse of the configured home.
func (a *app) localServer() chserver.Server {
	return chserver.Server{
		Dir:          filepath.Join(a.cfg.Home, "clickhouse"),
		Binary:       a.cfg.ClickHouse.ServerPath,
		TCPPort:      a.cfg.ClickHouse.TCPPort,
		HTTPPort:     a.cfg.ClickHouse.HTTPPort,
		StartTimeout: a.cfg.ClickHouse.StartTimeout,
		// Grafana's read-only user: the local server is the project's.
		ReadOnlyUser:     a.cfg.Grafana.User,
		ReadOnlyPassword: a.cfg.Grafana.Password,
	}
}

func (a *app) storeOptions() store.Options {
	c := a.cfg.ClickHouse
	return store.Options{
		Addr:        a.cfg.ClickHouseAddr(),
		Database:    c.Database,
		User:        c.User,
		Password:    c.Password,
		DialTimeout: c.DialTimeout,
		ReadTimeout: c.QueryTimeout,
		Cluster:     c.Cluster,
		DDLTimeout:  c.DDLTimeout,
	}
}

// openDB opens the configured database and checks that its schema is
// current, so that a command never runs against a half-made database.
func (a *app) openDB(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, a.storeOptions())
	if err != nil {
		return nil, err
	}
	ms, err := store.Migrations()
	if err != nil {
		db.Close()
		return nil, err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if want := ms[len(ms)-1].Version; v < want {
		db.Close()
		return nil, fmt.Errorf("database %s is at schema version %d, this binary needs %d: run globaloffice migrate", a.cfg.ClickHouse.Database, v, want)
	}
	return db, nil
}

func (a *app) catalog() (*indicators.Catalog, error) {
	return indicators.LoadCatalog(a.cfg.Indicators.Catalog)
}

// engine opens the database and the catalog; close releases the database.
func (a *app) engine(ctx context.Context) (eng *indicators.Engine, close func(), err error) {
	cat, err := a.catalog()
	if err != nil {
		return nil, nil, err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	return indicators.NewEngine(db, cat, a.cfg.Indicators.WhitMondayWorked), func() { db.Close() }, nil
}

// who is --by, or the user running the command ($USER of Run's
// environment): targets and closings record who made them.
func (a *app) who(by string) string {
	if by != "" {
		return by
	}
	if u := a.getenv("USER"); u != "" {
		return u
	}
	return "cli"
}

// getenv is the value of key in Run's environment, the last one when it is
// repeated (as config.Load reads it). Commands read no variable from the
// process itself, so that tests drive every one through Run.
func (a *app) getenv(key string) string {
	v := ""
	for _, kv := range a.env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}
