package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"globaloffice/api"
	"globaloffice/auth"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/monitor"
	"globaloffice/store"
)

func (a *app) serveCommand() *cobra.Command {
	var cpuProfile string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP server: collectors (/api/v1/ingest/…), /metrics, /healthz",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer func() { pprof.StopCPUProfile(); f.Close() }()
			}
			if limit, ok := a.memoryLimit(); ok {
				debug.SetMemoryLimit(limit)
			}
			c, err := a.collectors(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			sc := a.cfg.Server
			if (sc.TLSCert == "") != (sc.TLSKey == "") {
				return errors.New("server.tls_cert and server.tls_key go together")
			}
			for _, p := range sc.TrustedProxies {
				if net.ParseIP(p) == nil {
					if _, _, err := net.ParseCIDR(p); err != nil {
						return fmt.Errorf("server.trusted_proxies: %q is not an IP address or CIDR", p)
					}
				}
			}
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			eng := indicators.NewEngine(c.db, cat, a.cfg.Indicators.WhitMondayWorked)
			eng.CacheFor = 5 * time.Second
			keys := auth.NewKeyring(c.db.Tokens, 10*time.Second)
			if err := keys.Reload(ctx); err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(a.stderr, nil))
			gauges := monitor.New(eng)
			c.reg.MustRegister(gauges)
			router := api.New(api.Deps{
				Server: &api.Server{Engine: eng, DB: c.db, Keyring: keys, Log: log, Limits: api.Limits{
					IngestBodies: sc.IngestBodies, IngestBodyBytes: int64(a.cfg.Ingest.MaxBodyBytes), IngestWait: sc.IngestWait,
					AnonymousRate: sc.AnonymousRate, AnonymousBurst: sc.AnonymousBurst}},
				Ingest:         ingest.Routes(c.service, ingest.HTTPOptions{MaxBodyBytes: int64(a.cfg.Ingest.MaxBodyBytes), BodyTimeout: a.cfg.Ingest.BodyTimeout}),
				TrustedProxies: sc.TrustedProxies,
				Gatherer:       c.reg,
				Registry:       c.reg,
				Health:         func(r *http.Request) error { return c.db.Ping(r.Context()) },
			})
			ln, err := net.Listen("tcp", a.cfg.Server.Addr)
			if err != nil {
				return fmt.Errorf("listen %s: %w", a.cfg.Server.Addr, err)
			}
			srv := &http.Server{Handler: router, ReadHeaderTimeout: sc.ReadHeaderTimeout, ReadTimeout: sc.ReadTimeout,
				WriteTimeout: sc.WriteTimeout, IdleTimeout: sc.IdleTimeout, MaxHeaderBytes: sc.MaxHeaderBytes,
				ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
			scheme := "http"
			if sc.TLSCert != "" {
				scheme = "https"
			} else if !loopback(ln.Addr()) {
				log.Warn("listening on a non-loopback address without TLS: tokens and figures travel in clear; set server.tls_cert and server.tls_key, or serve behind a reverse proxy that terminates TLS", "addr", ln.Addr().String())
			}
			fmt.Fprintf(a.stdout, "globaloffice: serving on %s://%s\n", scheme, ln.Addr())
			go purgeRejects(ctx, c.db, a.cfg.Ingest.RejectsRetention, time.Hour, log)
			go compactMonths(ctx, c.db, compactSettle, compactEvery, log)
			go closePendingCalls(ctx, c.service, time.Minute, log)
			go gauges.Run(ctx, gaugesEvery, gaugesTimeout, log)
			errc := make(chan error, 1)
			go func() {
				if sc.TLSCert != "" {
					errc <- srv.ServeTLS(ln, sc.TLSCert, sc.TLSKey)
				} else {
					errc <- srv.Serve(ln)
				}
			}()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			// Requests in flight (an ingest body being read) finish, up to
			// the read timeout; then the writer inserts what it holds
			// (c.Close, deferred above).
			sctx, cancel := context.WithTimeout(context.Background(), sc.ReadTimeout+10*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file until the server stops")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
}

// memoryLimit is the soft memory limit serve sets, in bytes: none when
// server.memory_limit_mb is 0 or GOMEMLIMIT is set, since the runtime has
// already applied that one.
func (a *app) memoryLimit() (int64, bool) {
	mb := a.cfg.Server.MemoryLimitMB
	if mb <= 0 || a.getenv("GOMEMLIMIT") != "" {
		return 0, false
	}
	return int64(mb) << 20, true
}

// loopback tells whether a listening address is reachable from this
// machine only.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Months of contacts and survey responses not written to for compactSettle
// are merged into one part, checked every compactEvery: the indicators
// read merged months without FINAL; and the open cases' partition of
// case_completions sheds the superseded entries older than compactSettle
// (see store.DB.Compact).
const (
	compactSettle = 15 * time.Minute
	compactEvery  = 10 * time.Minute
)

// The indicator gauges of /metrics (package monitor) are computed every
// gaugesEvery, not per scrape: a scrape stays cheap whatever the catalog.
// Alert rules wait longer than this before firing.
const (
	gaugesEvery   = 5 * time.Minute
	gaugesTimeout = 2 * time.Minute
)

// compactMonths merges the settled months of contacts and survey responses
// now and then every period, until ctx ends, and resolves the journey
// starts of the completed cases without one (indicators.ResolveJourneyStarts).
func compactMonths(ctx context.Context, db *store.DB, settle, period time.Duration, log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		for _, table := range []string{"contacts", "survey_responses", "case_completions"} {
			qctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
			months, err := db.Compact(qctx, table, settle)
			cancel()
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("merging settled months", "table", table, "err", err)
			case len(months) > 0:
				log.Info("merged settled months", "table", table, "months", months)
			}
		}
		qctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
		st, err := indicators.ResolveJourneyStarts(qctx, db, store.CatchUpMargin, false)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("resolving journey starts", "err", err)
		case st.Resolved > 0:
			log.Info("resolved journey starts", "opening_contacts", st.Resolved, "months", st.Months, "exact_as_of", st.Seen)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeRejects deletes the rejects older than retention now and then every
// period, until ctx ends: ClickHouse 18.16 has no TTL.
func purgeRejects(ctx context.Context, db *store.DB, retention, period time.Duration, log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, time.Minute)
		n, err := db.PurgeRejects(qctx, time.Now().Add(-retention))
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purging old rejects", "err", err)
		case n > 0:
			log.Info("purged old rejects", "rows", n, "retention", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
