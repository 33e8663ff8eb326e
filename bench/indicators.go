package bench

import (
	"bufio"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"globaloffice/calendar"
	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"

	"golang.org/x/sync/errgroup"
)

//go:embed handwritten/*.sql
var handwritten embed.FS

// IndicatorOptions configure the indicator benchmark.
type IndicatorOptions struct {
	Contacts int // at least this many contacts in the data set (default 10,000,000)
	Year     int // the year generated (default last year)
	Reuse    bool
	Client   string
	Store    store.Options
	WorkDir  string
	Log      io.Writer
}

// Indicators loads (or reuses) a data set of o.Contacts demo contacts with
// their cases and surveys, then times the engine computing the whole default
// catalog at every scope for one month and for one year, against the
// hand-written SQL of bench/handwritten run by clickhouse-client, each
// twice, keeping the faster.
func Indicators(ctx context.Context, o IndicatorOptions) (IndicatorReport, error) {
	if o.Contacts <= 0 {
		o.Contacts = 10_000_000
	}
	if o.Year == 0 {
		o.Year = time.Now().Year() - 1
	}
	if o.Client == "" {
		p, err := exec.LookPath("clickhouse-client")
		if err != nil {
			return IndicatorReport{}, fmt.Errorf("clickhouse-client not found: it runs the baseline")
		}
		o.Client = p
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	n, err := contactCount(ctx, o.Store)
	if err != nil || !o.Reuse || n < uint64(o.Contacts) {
		logf("loading %d contacts of %d with their cases and surveys (once: --reuse keeps them)…", o.Contacts, o.Year)
		if err := load(ctx, o, logf); err != nil {
			return IndicatorReport{}, err
		}
		if n, err = contactCount(ctx, o.Store); err != nil {
			return IndicatorReport{}, err
		}
	}
	logf("%d contacts in %s", n, o.Store.Database)
	db, err := store.Open(ctx, o.Store)
	if err != nil {
		return IndicatorReport{}, err
	}
	defer db.Close()
	if err := prepareStructures(ctx, db, logf); err != nil {
		return IndicatorReport{}, err
	}
	return measure(ctx, o, db, n, logf)
}

func contactCount(ctx context.Context, opts store.Options) (uint64, error) {
	db, err := store.Open(ctx, opts)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	return db.RowCount(ctx, "contacts")
}

// handwrittenIDs are the indicators with hand-written SQL.
func handwrittenIDs() []string {
	files, _ := fs.Glob(handwritten, "handwritten/*.sql")
	ids := make([]string, 0, len(files))
	for _, f := range files {
		ids = append(ids, strings.TrimSuffix(path.Base(f), ".sql"))
	}
	sort.Strings(ids)
	return ids
}

// runHandwritten runs every hand-written query for p, its previous period
// and last year's, in two clickhouse-clients at once, and returns the wall
// time.
// Contacts and responses are read as the engine reads them: without FINAL
// when every month the periods touch (repeat contacts' followers
// included) is merged into one part, with FINAL otherwise.
func runHandwritten(ctx context.Context, o IndicatorOptions, db *store.DB, p indicators.Period) (time.Duration, error) {
	files, _ := fs.Glob(handwritten, "handwritten/*.sql")
	sort.Strings(files)
	ps := []indicators.Period{p, p.Previous(), p.LastYear()}
	repl := []string{"{holidays}", holidayArrays(p.To.Year() + 1)}
	for _, table := range []string{"contacts", "survey_responses", "case_completions"} {
		from, err := readAs(ctx, db, table, ps)
		if err != nil {
			return 0, err
		}
		repl = append(repl, "{"+table+"}", from)
	}
	for i, q := range ps {
		n := strconv.Itoa(i + 1)
		repl = append(repl, "{p"+n+"from}", q.From.Format(time.DateOnly), "{p"+n+"to}", q.To.Format(time.DateOnly),
			"{p"+n+"to8}", q.To.AddDate(0, 0, 9).Format(time.DateOnly))
	}
	r := strings.NewReplacer(repl...)
	// Two clients at once, each with every other query, as the engine
	// runs two queries at once (indicators.Engine.Parallel).
	var halves [2]strings.Builder
	for i, f := range files {
		b, _ := handwritten.ReadFile(f)
		halves[i%2].WriteString(r.Replace(strings.TrimSpace(string(b))))
		halves[i%2].WriteString(";\n")
	}
	host, port := splitAddr(o.Store.Addr)
	g, gctx := errgroup.WithContext(ctx)
	t0 := time.Now()
	for _, h := range halves {
		g.Go(func() error {
			cmd := exec.CommandContext(gctx, o.Client, "--host", host, "--port", port, "--database", o.Store.Database, "--multiquery", "--format", "Null")
			cmd.Stdin = strings.NewReader(h.String())
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("hand-written SQL: %v: %s", err, out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

func splitAddr(addr string) (string, string) {
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}

// holidayArrays is the zones' weekday holidays as day numbers, 2000 to toYear.
func holidayArrays(toYear int) string {
	c := calendar.New(calendar.Options{})
	list := func(z model.Zone) string {
		var days []string
		for _, h := range c.HolidayDates(z, 2000, toYear) {
			if wd := h.Weekday(); wd != time.Saturday && wd != time.Sunday {
				days = append(days, strconv.Itoa(int(h)))
			}
		}
		return "[" + strings.Join(days, ",") + "]"
	}
	var parts []string
	for _, z := range model.Zones[1:] {
		parts = append(parts, fmt.Sprintf("zone = '%s', %s", z, list(z)))
	}
	return "multiIf(" + strings.Join(parts, ", ") + ", " + list(model.ZoneMetropole) + ")"
}

// load generates a year of demo data and inserts it with clickhouse-client,
// each record validated (for its local dates and pseudonym) on the way: the
// benchmark is about computing, not ingesting.
func load(ctx context.Context, o IndicatorOptions, logf func(string, ...any)) error {
	if err := freshDB(ctx, o.Store); err != nil {
		return err
	}
	db, err := store.Open(ctx, o.Store)
	if err != nil {
		return err
	}
	sites, err := demo.Sites()
	if err == nil {
		err = db.UpsertSites(ctx, sites)
	}
	db.Close()
	if err != nil {
		return err
	}
	dir := filepath.Join(o.WorkDir, "indicators-data")
	_ = os.RemoveAll(dir)
	defer os.RemoveAll(dir)
	from := time.Date(o.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	sum, err := demo.Generate(ctx, dir, demo.Options{Seed: 11, From: from, To: from.AddDate(1, 0, 0), Scale: float64(o.Contacts) / 480_000, Sites: sites, BadRate: -1, DupRate: -1})
	if err != nil {
		return err
	}
	logf("generated %d contacts, %d case versions, %d survey responses", sum.Contacts, sum.CaseVersions, sum.SurveyResponses)
	ref, err := ingest.NewReference(sites, ingest.Lists{
		Channels:   []string{"reception", "appointment", "phone", "video", "email", "mail", "online", "proximity"},
		CaseKinds:  []string{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"},
		Dimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend"},
		Segments:   model.DefaultSegments,
	})
	if err != nil {
		return err
	}
	v := &ingest.Validator{Ref: ref, Pseudo: ingest.NewPseudonymizer([]byte("bench"))}
	now := time.Now().UTC().Format("2006-01-02 15:04:05")
	for _, k := range []struct {
		kind   ingest.Kind
		dir    string
		format ingest.Format
		query  string
	}{
		{ingest.KindContacts, "contacts", ingest.FormatCSV, "INSERT INTO contacts (source, id, site, channel, arrived_at, arrived_date, answered_at, ended_at, outcome, motive, user_ref, team, ingested_at, asked_agent, case_id, segment) FORMAT TSV"},
		{ingest.KindCases, "cases", ingest.FormatNDJSON, "INSERT INTO cases (source, id, site, kind, channel, received_at, received_date, completed_at, completed_date, status, user_ref, updated_at, ingested_at, acknowledged_at, acknowledged_date, announced_days, paused_seconds, origin_contact_id, segment) FORMAT TSV"},
		{ingest.KindSurveys, "surveys", ingest.FormatCSV, "INSERT INTO survey_responses (source, id, site, channel, survey, mode, answered_at, answered_date, contact_id, scale, dimensions, scores, comment, ingested_at) FORMAT TSV"},
	} {
		files, _ := filepath.Glob(filepath.Join(dir, k.dir, "*"))
		sort.Strings(files)
		for _, path := range files {
			if err := loadFile(ctx, o, v, k.kind, k.format, k.query, path, now); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		}
		logf("loaded %s", k.dir)
	}
	return nil
}

func loadFile(ctx context.Context, o IndicatorOptions, v *ingest.Validator, kind ingest.Kind, format ingest.Format, query, path, now string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	host, port := splitAddr(o.Store.Addr)
	cmd := exec.CommandContext(ctx, o.Client, "--host", host, "--port", port, "--database", o.Store.Database, "--query", query)
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }
	tsp := func(t *time.Time) string {
		if t == nil {
			return `\N`
		}
		return ts(*t)
	}
	dp := func(t *time.Time) string {
		if t == nil {
			return `\N`
		}
		return t.Format(time.DateOnly)
	}
	derr := ingest.Decode(f, format, ingest.Limits{MaxRecords: 1 << 30}, func(r ingest.RawRecord) error {
		if r.Err != nil {
			return fmt.Errorf("line %d: %v", r.Line, r.Err)
		}
		switch kind {
		case ingest.KindContacts:
			c, errs := v.Contact(r, "")
			if len(errs) > 0 {
				return fmt.Errorf("line %d: %v", r.Line, errs)
			}
			asked := 0
			if c.AgentAsked() {
				asked = 1
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", tsv(c.Source), tsv(c.ID), tsv(c.Site), c.Channel, ts(c.ArrivedAt), c.ArrivedDate.Format(time.DateOnly),
				tsp(c.AnsweredAt), tsp(c.EndedAt), c.Outcome, tsv(c.Motive), c.UserRef, tsv(c.Team), now, asked, tsv(c.CaseID), c.Segment)
		case ingest.KindCases:
			c, errs := v.Case(r, "")
			if len(errs) > 0 {
				return fmt.Errorf("line %d: %v", r.Line, errs)
			}
			announced := `\N`
			if c.AnnouncedDays != nil {
				announced = strconv.FormatUint(uint64(*c.AnnouncedDays), 10)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", tsv(c.Source), tsv(c.ID), tsv(c.Site), c.Kind, c.Channel, ts(c.ReceivedAt), c.ReceivedDate.Format(time.DateOnly),
				tsp(c.CompletedAt), dp(c.CompletedDate), c.Status, c.UserRef, ts(c.UpdatedAt), now, tsp(c.AcknowledgedAt), dp(c.AcknowledgedDate), announced, c.PausedSeconds, tsv(c.OriginContactID), c.Segment)
		case ingest.KindSurveys:
			s, errs := v.Survey(r, "")
			if len(errs) > 0 {
				return fmt.Errorf("line %d: %v", r.Line, errs)
			}
			dims := make([]string, 0, len(s.Scores))
			for d := range s.Scores {
				dims = append(dims, d)
			}
			sort.Strings(dims)
			qd, sc := make([]string, len(dims)), make([]string, len(dims))
			for i, d := range dims {
				qd[i], sc[i] = "'"+d+"'", strconv.Itoa(s.Scores[d])
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t[%s]\t[%s]\t%s\t%s\n", tsv(s.Source), tsv(s.ID), tsv(s.Site), s.Channel, tsv(s.Survey), s.Mode, ts(s.AnsweredAt), s.AnsweredDate.Format(time.DateOnly),
				tsv(s.ContactID), s.Scale, strings.Join(qd, ","), strings.Join(sc, ","), tsv(s.Comment), now)
		}
		return nil
	})
	if err := w.Flush(); err != nil && derr == nil {
		derr = err
	}
	in.Close()
	werr := cmd.Wait()
	if derr != nil {
		return derr
	}
	if werr != nil {
		return fmt.Errorf("clickhouse-client: %v: %s", werr, stderr.String())
	}
	return nil
}

var tsvEscape = strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\n", "\\n", "\r", "\\r")

func tsv(s string) string { return tsvEscape.Replace(s) }
