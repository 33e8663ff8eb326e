package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"
	_ "time/tzdata" // site time zones must resolve even without system tzdata

	"github.com/spf13/cobra"

	"globaloffice/config"
	"globaloffice/ingest"
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

// app is what every command shares: its streams and the loaded settings.
type app struct {
	env    []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cfg    config.Config
}

// Run runs the command line args with the given environment and streams and
// returns the exit status; main only wires the OS in, so tests drive it with
// buffers.
func Run(ctx context.Context, args, env []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{env: env, stdin: stdin, stdout: stdout, stderr: stderr}
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
		a.sitesCommand(),
		a.configCommand(),
		a.statusCommand(),
		a.serveCommand(),
		a.ingestCommand(),
		a.rejectsCommand(),
		a.mappingsCommand(),
		a.benchCommand(),
		a.demoCommand(),
		a.indicatorsCommand(),
		a.targetsCommand(),
		a.closeCommand(),
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

func (a *app) clickhouseCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clickhouse",
		Short: "Run the local ClickHouse server (start, stop, status)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "start",
		Short: "Start the local ClickHouse unless it runs, and wait until it answers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.localServer().Start(cmd.Context())
			if err != nil {
				return err
			}
			if st.Started {
				fmt.Fprintln(a.stdout, "started", st)
			} else {
				fmt.Fprintln(a.stdout, "already running:", st)
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "stop",
		Short: "Stop the local ClickHouse started by start",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			st, err := a.localServer().Stop(ctx)
			if err != nil {
				return err
			}
			if st.PID != 0 {
				fmt.Fprintf(a.stdout, "clickhouse: stopped pid %d\n", st.PID)
			} else {
				fmt.Fprintln(a.stdout, "clickhouse: was not running")
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "status",
		Short: "Tell whether the local ClickHouse runs and answers (exit 1 if not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.localServer().Status(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, st)
			if !st.Running {
				return errors.New("clickhouse is not running")
			}
			return nil
		},
	})
	return cmd
}

func (a *app) migrateCommand() *cobra.Command {
	var status bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create the database and apply the embedded schema migrations (idempotent)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opts := a.storeOptions()
			if !status {
				if err := store.EnsureDatabase(ctx, opts); err != nil {
					return err
				}
			}
			db, err := store.Open(ctx, opts)
			if err != nil {
				return err
			}
			defer db.Close()
			if !status {
				ran, err := db.Migrate(ctx)
				for _, m := range ran {
					fmt.Fprintf(a.stdout, "applied %04d_%s\n", m.Version, m.Name)
				}
				if err != nil {
					return err
				}
			}
			applied, err := db.Applied(ctx)
			if err != nil {
				return err
			}
			all, err := store.Migrations()
			if err != nil {
				return err
			}
			done := map[uint32]time.Time{}
			for _, m := range applied {
				done[m.Version] = m.AppliedAt
			}
			for _, m := range all {
				if at, ok := done[m.Version]; ok {
					fmt.Fprintf(a.stdout, "%04d_%s\tapplied %s\n", m.Version, m.Name, at.UTC().Format(time.RFC3339))
				} else {
					fmt.Fprintf(a.stdout, "%04d_%s\tpending\n", m.Version, m.Name)
				}
			}
			fmt.Fprintf(a.stdout, "database %s on %s (ClickHouse %s)\n", db.Database(), opts.Addr, db.Version())
			return nil
		},
	}
	cmd.Flags().BoolVar(&status, "status", false, "only list the migrations and whether they are applied")
	return cmd
}

func (a *app) configCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Print the settings in force (defaults < file < GLOBALOFFICE_* < flags)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.cfg.Write(a.stdout)
		},
	}
}

func (a *app) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "What is stored: ClickHouse, schema version, records per table, spool",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := db.SchemaVersion(ctx)
			if err != nil {
				return err
			}
			counts, err := db.TableRows(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "ClickHouse %s at %s, database %s, schema version %d\n", db.Version(), a.cfg.ClickHouseAddr(), db.Database(), v)
			for _, t := range []string{"sites", "contacts", "cases", "survey_responses", "targets", "ingest_rejects"} {
				fmt.Fprintf(a.stdout, "  %-17s %10d\n", t, counts[t])
			}
			if sp, err := ingest.OpenSpool(filepath.Join(a.cfg.Home, "spool")); err == nil {
				n, age := sp.Stats()
				fmt.Fprintf(a.stdout, "  spool: %d segments waiting, oldest %s\n", n, age.Round(time.Second))
			}
			return nil
		},
	}
}
