package commands

import (
	"context"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"

	"globaloffice/config"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
)

// collectors is the ingest pipeline over the configured database.
type collectors struct {
	db       *store.DB
	writer   *ingest.Writer
	spool    *ingest.Spool
	service  *ingest.Service
	reg      *prometheus.Registry
	mappings ingest.MappingSet
}

// collectors opens the database (schema checked), the spool and the
// mappings, and starts the batching writer: what serve and ingest share.
func (a *app) collectors(ctx context.Context) (*collectors, error) {
	db, err := a.openDB(ctx)
	if err != nil {
		return nil, err
	}
	key, err := a.pseudonymKey()
	if err != nil {
		db.Close()
		return nil, err
	}
	spool, err := ingest.OpenSpool(filepath.Join(a.cfg.Home, "spool"))
	if err != nil {
		db.Close()
		return nil, err
	}

	spool.SetMaxBytes(int64(a.cfg.Ingest.SpoolMaxBytes))
	reg := prometheus.NewRegistry()
	reg.MustRegister(promcollectors.NewGoCollector(), promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}))
	m := ingest.NewMetrics(reg)
	ic := a.cfg.Ingest
	w := ingest.NewWriter(db, spool, ingest.WriterOptions{MaxBatch: ic.BatchRecords, Linger: ic.BatchLinger}, m, slog.New(slog.NewTextHandler(a.stderr, nil)))
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer(key), listsOf(ic),
		ingest.Limits{MaxLineBytes: ic.MaxLineBytes, MaxRecords: ic.MaxRecords}, m)
	maps, err := a.mappings()
	if err != nil {
		w.Close()
		spool.Close()
		db.Close()
		return nil, err
	}
	svc.SetMappings(maps)
	svc.SetMaxClockSkew(ic.MaxClockSkew)
	svc.SetPendingCallTimeout(ic.PendingCallTimeout)
	svc.SetSitesCache(filepath.Join(spool.Root(), "sites.json"))
	return &collectors{db: db, writer: w, spool: spool, service: svc, reg: reg, mappings: maps}, nil
}

func (c *collectors) Close() {
	c.writer.Close()
	c.spool.Close() // its folder: removed when empty, else adopted by the next process
	c.db.Close()
}

// mappings are the built-in mappings and those of ingest.mappings_dir
// (default home/mappings).
func (a *app) mappings() (ingest.MappingSet, error) {
	dir := a.cfg.Ingest.MappingsDir
	if dir == "" {
		dir = filepath.Join(a.cfg.Home, "mappings")
	}
	return ingest.LoadMappings(dir)
}

// pseudonymKey is the configured key (config refuses one shorter than
// ingest.MinKeyBytes), or the one generated once into home/pseudonym.key
// so that references stay stable across runs.
func (a *app) pseudonymKey() ([]byte, error) {
	if k := a.cfg.Ingest.PseudonymKey; k != "" {
		return []byte(k), nil
	}
	return ingest.LoadOrCreateKey(filepath.Join(a.cfg.Home, "pseudonym.key"))
}

// closePendingCalls closes, now and then every period until ctx ends, the
// Asterisk calls of every source split across exports whose other part
// has not come within ingest.pending_call_timeout, so that they are closed
// even when their source sends nothing more (a request for a source closes
// its own first).
func closePendingCalls(ctx context.Context, svc *ingest.Service, period time.Duration, log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, time.Minute)
		closed, err := svc.ClosePending(qctx, "")
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Error("closing pending calls", "err", err)
		}
		for _, c := range closed {
			log.Info("closed pending call", "source", c.Source, "callid", c.CallID, "contact", c.Contact, "reason", c.Reason)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// listsOf are the configured vocabularies of the collectors (the config
// was validated when loaded, survey_scales included).
func listsOf(ic config.Ingest) ingest.Lists {
	l := ingest.Lists{Channels: ic.Channels, CaseKinds: ic.CaseKinds, Dimensions: ic.SurveyDimensions, Segments: ic.Segments}
	scales, _ := ic.ScoreScales()
	for dim, sc := range scales {
		if l.Scales == nil {
			l.Scales = map[string]model.Scale{}
		}
		l.Scales[dim] = model.Scale(sc)
	}
	return l
}
