package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"globaloffice/demo"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
)

// IngestOptions configure the ingest benchmark.
type IngestOptions struct {
	Records int // contacts to send (default 1,000,000)
	PerBody int // records per HTTP request (default 10,000)
	Workers int // concurrent HTTP clients (default 4)
	// SmallPerBody and SmallWorkers shape a third run, NDJSON in small
	// requests from many clients, as many sites' collectors send (0: none).
	SmallPerBody int
	SmallWorkers int
	Binary       string // the globaloffice binary that serves (default: this executable)
	Client       string // clickhouse-client binary (default: from PATH)
	Store        store.Options
	WorkDir      string
	CPUProfile   string // profile the server into CPUProfile.<run: ndjson, csv, small>
	// ClickHousePIDFile is the pid file of a local ClickHouse server, to
	// report its CPU time per run (empty: not reported).
	ClickHousePIDFile string
	Log               io.Writer
}

// IngestResult is one measured run.
type IngestResult struct {
	Method    string
	Records   int
	Clients   int // concurrent HTTP clients (0 for clickhouse-client)
	PerBody   int // records per request
	Inserts   int // ClickHouse inserts that stored the contacts (0: unknown)
	Seconds   float64
	PeakRSSMB float64 // of the globaloffice server; 0 for clickhouse-client
	// CPU seconds used during the run by the ClickHouse server (negative:
	// unknown) and by the globaloffice server (or clickhouse-client).
	ClickHouseCPU, ClientCPU float64
	// SenderCPU is the CPU seconds this process spent sending the HTTP
	// requests (on the same 2 cores; 0 for clickhouse-client).
	SenderCPU float64
}

// Rate is records per second.
func (r IngestResult) Rate() float64 { return float64(r.Records) / r.Seconds }

// Ingest runs clickhouse-client's insert of the records, then globaloffice's
// collectors over HTTP with NDJSON and with CSV bodies, and with small NDJSON
// bodies from many clients, each into an empty database of its own.
func Ingest(ctx context.Context, o IngestOptions) ([]IngestResult, error) {
	if o.Records <= 0 {
		o.Records = 1_000_000
	}
	if o.PerBody <= 0 {
		o.PerBody = 10_000
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		o.Binary = exe
	}
	if o.Client == "" {
		p, err := exec.LookPath("clickhouse-client")
		if err != nil {
			return nil, fmt.Errorf("clickhouse-client not found: it is the baseline (apt-get install clickhouse-client)")
		}
		o.Client = p
	}
	if err := os.MkdirAll(o.WorkDir, 0o755); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}

	sites, err := demo.Sites()
	if err != nil {
		return nil, err
	}
	logf("generating %d realistic contacts with the demo generator…", o.Records)
	rows, err := contacts(ctx, o, sites)
	if err != nil {
		return nil, err
	}
	logf("%d contacts ready", len(rows))

	// The same records, three ways: clickhouse-client's TSV (already in
	// UTC and pseudonymised: what ClickHouse stores), and our NDJSON and
	// CSV bodies as source systems send them.
	tsv, ndjsonBodies, csvBodies, err := encode(rows, sites, o.PerBody)
	if err != nil {
		return nil, err
	}
	// The generated maps are not needed any more: this process sends the
	// requests on the same cores as the server, its collections should not
	// mark a million maps.
	n := len(rows)
	rows = nil
	runtime.GC()

	var results []IngestResult
	baseline := o.Store
	baseline.Database = o.Store.Database + "_client"
	if err := freshDB(ctx, baseline); err != nil {
		return nil, err
	}
	defer store.DropDatabase(context.Background(), baseline)
	tsvPath := filepath.Join(o.WorkDir, "contacts.tsv")
	if err := os.WriteFile(tsvPath, tsv, 0o644); err != nil {
		return nil, err
	}
	logf("clickhouse-client INSERT … FORMAT TSV…")
	host, port, _ := net.SplitHostPort(o.Store.Addr)
	ch0 := o.clickhouseCPU()
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, o.Client, "--host", host, "--port", port, "--database", baseline.Database,
		"--query", "INSERT INTO contacts (source, id, site, channel, arrived_at, arrived_date, answered_at, ended_at, outcome, motive, user_ref, team, ingested_at) FORMAT TSV")
	f, err := os.Open(tsvPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdin = f
	out, err := cmd.CombinedOutput()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("clickhouse-client: %v: %s", err, out)
	}
	secs := time.Since(t0).Seconds()
	client := -1.0
	if st := cmd.ProcessState; st != nil {
		client = (st.UserTime() + st.SystemTime()).Seconds()
	}
	results = append(results, IngestResult{Method: "clickhouse-client TSV", Records: n, Seconds: secs,
		ClickHouseCPU: o.clickhouseCPU() - ch0, ClientCPU: client})
	if err := checkCount(ctx, baseline, n); err != nil {
		return nil, err
	}

	runs := []httpRun{
		{name: "globaloffice HTTP NDJSON", ctype: "application/x-ndjson", label: "ndjson", bodies: ndjsonBodies, workers: o.Workers, perBody: o.PerBody},
		{name: "globaloffice HTTP CSV", ctype: "text/csv", label: "csv", bodies: csvBodies, workers: o.Workers, perBody: o.PerBody},
	}
	if o.SmallPerBody > 0 && o.SmallWorkers > 0 {
		runs = append(runs, httpRun{name: "globaloffice HTTP NDJSON", ctype: "application/x-ndjson", label: "small",
			bodies: splitLines(ndjsonBodies, o.SmallPerBody), workers: o.SmallWorkers, perBody: o.SmallPerBody})
	}
	for _, run := range runs {
		logf("%s, %d clients × %d records a request…", run.name, run.workers, run.perBody)
		opts := o.Store
		opts.Database = o.Store.Database + "_" + run.label
		r, err := serveAndPost(ctx, o, opts, sites, run)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", run.name, err)
		}
		r.Method, r.Clients, r.PerBody = run.name, run.workers, run.perBody
		results = append(results, r)
		if err := checkCount(ctx, opts, n); err != nil {
			return nil, fmt.Errorf("%s: %w", run.name, err)
		}
		_ = store.DropDatabase(context.Background(), opts)
	}
	return results, nil
}

// httpRun is one run of the collectors over HTTP.
type httpRun struct {
	name, ctype string
	label       string // its database and profile suffix
	bodies      [][]byte
	workers     int
	perBody     int
}

// splitLines cuts NDJSON bodies into bodies of at most n lines each,
// sharing their bytes.
func splitLines(bodies [][]byte, n int) [][]byte {
	var out [][]byte
	for _, b := range bodies {
		for len(b) > 0 {
			end, lines := 0, 0
			for lines < n && end < len(b) {
				i := bytes.IndexByte(b[end:], '\n')
				if i < 0 {
					end = len(b)
				} else {
					end += i + 1
				}
				lines++
			}
			out = append(out, b[:end:end])
			b = b[end:]
		}
	}
	return out
}

// contacts generates valid contacts with the demo generator (no bad or
// duplicate records) and reads back the first n.
func contacts(ctx context.Context, o IngestOptions, sites []model.Site) ([]map[string]string, error) {
	dir := filepath.Join(o.WorkDir, "demo")
	_ = os.RemoveAll(dir)
	// About 500,000 contacts a year at scale 1: one quarter at the scale
	// that gives n, plus a margin.
	scale := float64(o.Records) / 125_000 * 1.1
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(ctx, dir, demo.Options{Seed: 7, From: from, To: from.AddDate(0, 3, 0), Scale: scale, Sites: sites, BadRate: -1, DupRate: -1}); err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "contacts", "*.csv"))
	sort.Strings(files)
	var rows []map[string]string
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		err = ingest.Decode(f, ingest.FormatCSV, ingest.Limits{MaxRecords: 1 << 30}, func(r ingest.RawRecord) error {
			if r.Err == nil && len(rows) < o.Records {
				rows = append(rows, r.Map()) // a copy: the decoder reuses its values
			}
			return nil
		})
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	_ = os.RemoveAll(dir)
	if len(rows) < o.Records {
		return nil, fmt.Errorf("the generator gave %d contacts, %d wanted", len(rows), o.Records)
	}
	return rows, nil
}

var contactCols = []string{"id", "source", "site", "channel", "arrived_at", "answered_at", "ended_at", "outcome", "motive", "user_ref", "team"}

func encode(rows []map[string]string, sites []model.Site, perBody int) (tsv []byte, nd, cs [][]byte, err error) {
	ref, err := ingest.NewReference(sites, ingest.Lists{Channels: strings.Split("reception,appointment,phone,video,email,mail,online,proximity", ","), Segments: model.DefaultSegments})
	if err != nil {
		return nil, nil, nil, err
	}
	v := &ingest.Validator{Ref: ref, Pseudo: ingest.NewPseudonymizer([]byte("bench"))}
	var t bytes.Buffer
	now := time.Now().UTC().Format("2006-01-02 15:04:05")
	ts := func(p *time.Time) string {
		if p == nil {
			return `\N`
		}
		return p.UTC().Format("2006-01-02 15:04:05")
	}
	for i, r := range rows {
		c, errs := v.Contact(ingest.RawRecord{Fields: r}, "")
		if len(errs) > 0 {
			return nil, nil, nil, fmt.Errorf("generated contact %d invalid: %v", i, errs)
		}
		fmt.Fprintf(&t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Source, c.ID, c.Site, c.Channel,
			c.ArrivedAt.UTC().Format("2006-01-02 15:04:05"), c.ArrivedDate.Format("2006-01-02"), ts(c.AnsweredAt), ts(c.EndedAt), c.Outcome, c.Motive, c.UserRef, c.Team, now)
	}
	for start := 0; start < len(rows); start += perBody {
		end := min(start+perBody, len(rows))
		var nb, cb bytes.Buffer
		w := csv.NewWriter(&cb)
		_ = w.Write(contactCols)
		rec := make([]string, len(contactCols))
		for _, r := range rows[start:end] {
			obj := make(map[string]string, len(contactCols))
			for i, c := range contactCols {
				rec[i] = r[c]
				if r[c] != "" {
					obj[c] = r[c]
				}
			}
			_ = w.Write(rec)
			b, _ := json.Marshal(obj)
			nb.Write(b)
			nb.WriteByte('\n')
		}
		w.Flush()
		nd = append(nd, nb.Bytes())
		cs = append(cs, cb.Bytes())
	}
	return t.Bytes(), nd, cs, nil
}

func freshDB(ctx context.Context, opts store.Options) error {
	if err := store.DropDatabase(ctx, opts); err != nil {
		return err
	}
	if err := store.EnsureDatabase(ctx, opts); err != nil {
		return err
	}
	db, err := store.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Migrate(ctx)
	return err
}

func checkCount(ctx context.Context, opts store.Options, want int) error {
	db, err := store.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	var n uint64
	if err := db.Conn().QueryRow(ctx, "SELECT count() FROM contacts").Scan(&n); err != nil {
		return err
	}
	if int(n) != want {
		return fmt.Errorf("%d contacts stored, %d sent", n, want)
	}
	return nil
}

// clickhouseCPU is the CPU time of the local ClickHouse server so far, in
// seconds; -1e9 when unknown (so that a difference stays negative).
func (o IngestOptions) clickhouseCPU() float64 {
	if o.ClickHousePIDFile == "" {
		return -1e9
	}
	b, err := os.ReadFile(o.ClickHousePIDFile)
	if err != nil {
		return -1e9
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1e9
	}
	return processCPU(pid)
}

// processCPU is a process's user and system CPU time in seconds, from
// /proc/PID/stat (clock ticks of 1/100 s, Linux's USER_HZ); -1e9 when
// unknown.
func processCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1e9
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: utime and stime are the 14th and 15th fields.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1e9
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1e9
	}
	u, err1 := strconv.ParseFloat(f[11], 64)
	st, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return -1e9
	}
	return (u + st) / 100
}

// peakRSS reads VmHWM, the peak resident set, of a process.
func peakRSS(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("no VmHWM")
}

// WriteIngestReport prints the runs and their ratio to the baseline.
func WriteIngestReport(w io.Writer, rs []IngestResult) {
	if len(rs) == 0 {
		return
	}
	base := rs[0].Rate()
	fmt.Fprintf(w, "%-26s %7s %11s %10s %8s %12s %8s %10s %14s %17s %14s %12s\n", "method", "clients", "per request", "records", "seconds", "records/s", "ratio", "peak RSS", "client µs/rec", "ClickHouse µs/rec", "sender µs/rec", "rows/insert")
	perRecord := func(cpu float64, n int) string {
		if cpu < 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", cpu*1e6/float64(n))
	}
	shape := func(n int) string {
		if n == 0 {
			return "-"
		}
		return strconv.Itoa(n)
	}
	for _, r := range rs {
		rss := "-"
		if r.PeakRSSMB > 0 {
			rss = fmt.Sprintf("%.0f MB", r.PeakRSSMB)
		}
		rows := "-"
		if r.Inserts > 0 {
			rows = strconv.Itoa(r.Records / r.Inserts)
		}
		sender := "-"
		if r.Clients > 0 {
			sender = perRecord(r.SenderCPU, r.Records)
		}
		fmt.Fprintf(w, "%-26s %7s %11s %10d %8.2f %12.0f %8.2f %10s %14s %17s %14s %12s\n", r.Method, shape(r.Clients), shape(r.PerBody), r.Records, r.Seconds, r.Rate(), r.Rate()/base, rss,
			perRecord(r.ClientCPU, r.Records), perRecord(r.ClickHouseCPU, r.Records), sender, rows)
	}
	fmt.Fprintln(w, "ratio = records/s ÷ clickhouse-client's records/s in this run; goals: ≥ 0.5 in large requests, ≥ 0.4 in small ones, the server's peak RSS under 200 MB")
	fmt.Fprintln(w, "client µs/rec = CPU of clickhouse-client or of the globaloffice server per record; ClickHouse µs/rec = the ClickHouse server's CPU per record during the run; sender µs/rec = this process's, sending the requests; rows/insert = the contacts' mean insert (globaloffice's metrics)")
}
