package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"globaloffice/api"
	"globaloffice/ingest"
	"globaloffice/store"
)

// pseudonymKey is the configured key, or a random one generated once into
// home/pseudonym.key so that references stay stable across runs.
func (a *app) pseudonymKey() ([]byte, error) {
	if k := a.cfg.Ingest.PseudonymKey; k != "" {
		return []byte(k), nil
	}
	path := filepath.Join(a.cfg.Home, "pseudonym.key")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		return nil, err
	}
	key := hex.EncodeToString(k[:])
	if err := os.MkdirAll(a.cfg.Home, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	return []byte(key), nil
}

// collectors is the ingest pipeline over the configured database.
type collectors struct {
	db       *store.DB
	writer   *ingest.Writer
	service  *ingest.Service
	reg      *prometheus.Registry
	mappings ingest.MappingSet
}

func (a *app) mappings() (ingest.MappingSet, error) {
	dir := a.cfg.Ingest.MappingsDir
	if dir == "" {
		dir = filepath.Join(a.cfg.Home, "mappings")
	}
	return ingest.LoadMappings(dir)
}

func (c *collectors) Close() {
	c.writer.Close()
	c.db.Close()
}

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
	reg := prometheus.NewRegistry()
	reg.MustRegister(promcollectors.NewGoCollector(), promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}))
	m := ingest.NewMetrics(reg)
	ic := a.cfg.Ingest
	w := ingest.NewWriter(db, spool, ingest.WriterOptions{MaxBatch: ic.BatchRecords, Linger: ic.BatchLinger}, m, slog.New(slog.NewTextHandler(a.stderr, nil)))
	svc := ingest.NewService(db, w, ingest.NewPseudonymizer(key),
		ingest.Lists{Channels: ic.Channels, CaseKinds: ic.CaseKinds, Dimensions: ic.SurveyDimensions},
		ingest.Limits{MaxLineBytes: ic.MaxLineBytes, MaxRecords: ic.MaxRecords}, m)
	maps, err := a.mappings()
	if err != nil {
		w.Close()
		db.Close()
		return nil, err
	}
	svc.SetMappings(maps)
	svc.SetSitesCache(filepath.Join(spool.Dir(), "sites.json"))
	return &collectors{db: db, writer: w, service: svc, reg: reg, mappings: maps}, nil
}

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
			if mb := a.cfg.Server.MemoryLimitMB; mb > 0 && os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(int64(mb) << 20)
			}
			c, err := a.collectors(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			router := api.New(api.Deps{
				Ingest:   ingest.Routes(c.service, ingest.HTTPOptions{MaxBodyBytes: int64(a.cfg.Ingest.MaxBodyBytes), BodyTimeout: a.cfg.Ingest.BodyTimeout}),
				Gatherer: c.reg,
				Registry: c.reg,
				Health:   func(r *http.Request) error { return c.db.Ping(r.Context()) },
			})
			ln, err := net.Listen("tcp", a.cfg.Server.Addr)
			if err != nil {
				return fmt.Errorf("listen %s: %w", a.cfg.Server.Addr, err)
			}
			srv := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
			fmt.Fprintf(a.stdout, "globaloffice: serving on http://%s\n", ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		},
	}
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file until the server stops")
	_ = cmd.Flags().MarkHidden("cpuprofile")
	return cmd
}

func (a *app) ingestCommand() *cobra.Command {
	var format, source, mappingName string
	cmd := &cobra.Command{
		Use:   "ingest contacts|cases|surveys PATH...",
		Short: "Ingest files or folders of records (exit 0: all accepted, 2: some rejected, 1: failure)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := ingest.ParseKind(args[0])
			if err != nil {
				return err
			}
			files, err := listFiles(args[1:], mappingName != "")
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return fmt.Errorf("no files to ingest in %s (folders are searched for .csv, .ndjson, .jsonl and .json files; with --mapping, for every file)", strings.Join(args[1:], ", "))
			}
			ctx := cmd.Context()
			c, err := a.collectors(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			var mapping *ingest.Mapping
			if mappingName != "" {
				if mapping, err = c.mappings.Get(mappingName); err != nil {
					return err
				}
			}
			var total ingest.Result
			var bar *mpb.Bar
			var progress *mpb.Progress
			if isTerminal(a.stderr) {
				progress = mpb.New(mpb.WithOutput(a.stderr), mpb.WithWidth(40))
				bar = progress.AddBar(int64(len(files)),
					mpb.PrependDecorators(decor.Name("ingest "+string(kind)+" "), decor.CountersNoUnit("%d/%d files")),
					mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
			}
			for _, path := range files {
				fm := ingest.Format(format)
				if fm == "" && mapping != nil {
					fm = mapping.Format
					if mapping.Decoder != "" {
						fm = ingest.Format(mapping.Decoder) // reads the file whatever its name
					}
				}
				if fm == "" {
					fm, err = formatOf(path)
					if err != nil {
						return err
					}
				}
				res, err := a.ingestFile(ctx, c.service, kind, fm, source, path, mapping)
				if err != nil {
					if progress != nil {
						bar.Abort(false)
						progress.Wait()
					}
					return fmt.Errorf("%s: %w", path, err)
				}
				shown := 0
				for _, r := range res.Rejects {
					if shown == maxShownRejects {
						fmt.Fprintf(a.stderr, "%s: … and %d more rejects (globaloffice rejects list)\n", path, res.Rejected-shown)
						break
					}
					shown++
					where := fmt.Sprintf("record %d", r.Index+1)
					if r.Line > 0 {
						where = fmt.Sprintf("line %d", r.Line)
					}
					field := ""
					if r.Field != "" {
						field = r.Field + ": "
					}
					fmt.Fprintf(a.stderr, "%s:%s: %s%s\n", path, where, field, r.Reason)
				}
				total.Received += res.Received
				total.Accepted += res.Accepted
				total.Duplicates += res.Duplicates
				total.Rejected += res.Rejected
				total.Spooled += res.Spooled
				if bar != nil {
					bar.Increment()
				}
			}
			if progress != nil {
				progress.Wait()
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "%s\tfiles\treceived\taccepted\tduplicates\trejected\tspooled\n", kind)
			fmt.Fprintf(tw, "\t%d\t%d\t%d\t%d\t%d\t%d\n", len(files), total.Received, total.Accepted, total.Duplicates, total.Rejected, total.Spooled)
			_ = tw.Flush()
			if total.Rejected > 0 {
				return partialError{fmt.Sprintf("%d of %d records rejected (the rest stored); see globaloffice rejects list", total.Rejected, total.Received)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "csv, ndjson or json (default: from the file extension)")
	cmd.Flags().StringVar(&source, "source", "", "source system for records that do not name one")
	cmd.Flags().StringVar(&mappingName, "mapping", "", "mapping for a foreign export (see globaloffice mappings)")
	return cmd
}

// maxShownRejects bounds the rejects printed per file; all are stored.
const maxShownRejects = 5

func (a *app) ingestFile(ctx context.Context, svc *ingest.Service, kind ingest.Kind, format ingest.Format, source, path string, mapping *ingest.Mapping) (ingest.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return ingest.Result{}, err
	}
	defer f.Close()
	return svc.Ingest(ctx, kind, format, f, ingest.Options{Source: source, Origin: "file:" + path, Chunk: 50_000, Mapping: mapping})
}

func formatOf(path string) (ingest.Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return ingest.FormatCSV, nil
	case ".ndjson", ".jsonl":
		return ingest.FormatNDJSON, nil
	case ".json":
		return ingest.FormatJSON, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension: use --format csv|ndjson|json", path)
}

// listFiles expands folders into their .csv/.ndjson/.jsonl/.json files (or
// every file, for a mapping: a queue_log has no extension), sorted.
func listFiles(paths []string, all bool) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				if _, ferr := formatOf(path); ferr == nil || all && !strings.HasPrefix(d.Name(), ".") {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func (a *app) mappingsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "mappings",
		Short: "List the mappings for foreign exports (built-in and home/mappings/*.yaml)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := a.mappings()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tDESCRIPTION")
			for _, n := range set.Names() {
				m := set[n]
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, m.Kind, m.Description)
			}
			return tw.Flush()
		},
	}
}

func (a *app) rejectsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "rejects", Short: "Records the collectors refused"}
	var kind, source string
	var limit int
	var since time.Duration
	list := &cobra.Command{
		Use:   "list",
		Short: "List the newest rejects with line, field, reason and raw record",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.openDB(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			f := store.RejectFilter{Kind: kind, Source: source, Limit: limit}
			if since > 0 {
				f.Since = time.Now().Add(-since)
			}
			rs, err := db.ListRejects(cmd.Context(), f)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REJECTED_AT\tKIND\tSOURCE\tORIGIN\tLINE\tFIELD\tREASON\tRAW")
			for _, r := range rs {
				raw := r.Raw
				if len(raw) > 120 {
					raw = raw[:117] + "..."
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.RejectedAt.UTC().Format(time.RFC3339), r.Kind, r.Source, r.Origin, r.Line, r.Field, r.Reason, raw)
			}
			_ = tw.Flush()
			fmt.Fprintf(a.stdout, "%d rejects\n", len(rs))
			return nil
		},
	}
	list.Flags().StringVar(&kind, "kind", "", "contacts, cases or surveys")
	list.Flags().StringVar(&source, "source", "", "source system")
	list.Flags().IntVar(&limit, "limit", 100, "at most this many")
	list.Flags().DurationVar(&since, "since", 0, "only the last DURATION (e.g. 24h)")
	cmd.AddCommand(list)
	return cmd
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
