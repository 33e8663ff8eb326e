package chcluster_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"globaloffice/cmd/globaloffice/commands"
	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chcluster"
)

// One cluster of two replicas serves every test of the package, each test
// in a database of its own: starting one takes a few seconds. Tests that
// stop a replica or ZooKeeper start it again before they end.
var shared struct {
	sync.Mutex
	c   *chcluster.Cluster
	err error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.c != nil && template.name != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := store.DropDatabase(ctx, shared.c.Options(0, template.name)); err != nil {
			fmt.Fprintln(os.Stderr, "drop the template database:", err)
		}
		cancel()
	}
	if shared.c != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := shared.c.Stop(ctx)
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, "stop cluster:", err)
			code = 1
		} else if code == 0 {
			os.RemoveAll(shared.c.Dir)
		}
	}
	os.Exit(code)
}

// cluster is the package's cluster, started on first use; without what it
// needs, the test fails when CI is set and is skipped otherwise.
func cluster(t *testing.T) *chcluster.Cluster {
	t.Helper()
	if err := chcluster.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (CI is set, so this fails)", err)
		}
		t.Skipf("%v; make test-cluster needs them", err)
	}
	shared.Lock()
	defer shared.Unlock()
	if shared.c == nil && shared.err == nil {
		shared.err = func() error {
			dir, err := os.MkdirTemp("", "chcluster-")
			if err != nil {
				return err
			}
			ports, err := chcluster.FreePorts(2)
			if err != nil {
				return err
			}
			c, err := chcluster.New(dir, 2, ports)
			if err != nil {
				return err
			}
			for i := range c.Replicas {
				c.Replicas[i].ReadOnlyUser = "grafana" // as clickhouse start writes it
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			t0 := time.Now()
			if err := c.Start(ctx); err != nil {
				_ = c.Stop(context.Background())
				return err
			}
			t.Logf("cluster started in %s: ZooKeeper %s, replicas %s and %s", time.Since(t0).Round(time.Millisecond), c.ZooKeeper.Addr(), c.Addr(0), c.Addr(1))
			shared.c = c
			return nil
		}()
	}
	if shared.err != nil {
		t.Fatalf("start cluster: %v", shared.err)
	}
	// A test that failed with a replica or ZooKeeper stopped leaves it so.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, serving := shared.c.ZooKeeper.Running(); !serving {
		if err := shared.c.ZooKeeper.Start(ctx); err != nil {
			t.Fatalf("start ZooKeeper again: %v", err)
		}
	}
	for i, r := range shared.c.Replicas {
		if st, err := r.Status(ctx); err != nil || !st.Running {
			if err := shared.c.StartReplica(ctx, i); err != nil {
				t.Fatalf("start r%d again: %v", i+1, err)
			}
		}
	}
	return shared.c
}

// A migration ON CLUSTER takes about 25 s on 18.16 (each of its 40-odd
// statements waits for both replicas, an ALTER for the table's leader), so
// the schema is migrated once, into the template database that
// TestMigrateEveryTable checks, and the other tests get a copy of it:
// each table created ON CLUSTER like the template's, at a ZooKeeper path
// of the new database (about 2 s).
var template struct {
	sync.Mutex
	name string
}

// migratedTemplate is the template database, migrated through replica 1
// on first use; it is dropped with the cluster.
func migratedTemplate(t *testing.T, c *chcluster.Cluster) string {
	t.Helper()
	template.Lock()
	defer template.Unlock()
	if template.name != "" {
		return template.name
	}
	name := "cluster_template"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := store.EnsureDatabase(ctx, c.Options(0, name)); err != nil {
		t.Fatalf("create the template database: %v", err)
	}
	// Through the command line, as an operator would: the settings reach
	// the store from the environment.
	t0 := time.Now()
	var stdout, stderr bytes.Buffer
	env := []string{"GLOBALOFFICE_HOME=" + t.TempDir(), "GLOBALOFFICE_CLICKHOUSE_ADDR=" + c.Addr(0), "GLOBALOFFICE_CLICKHOUSE_DATABASE=" + name,
		"GLOBALOFFICE_CLICKHOUSE_CLUSTER=" + chcluster.Name, "GLOBALOFFICE_CLICKHOUSE_DDL_TIMEOUT=20s"}
	if code := commands.Run(ctx, []string{"migrate"}, env, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("globaloffice migrate on the cluster: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	t.Logf("globaloffice migrate on the cluster in %s", time.Since(t0).Round(time.Millisecond))
	if !strings.Contains(stdout.String(), "applied 0010_journeys") {
		t.Fatalf("globaloffice migrate: %s", stdout.String())
	}
	template.name = name
	return name
}

var reEnginePath = regexp.MustCompile(`^(Replicated\w*MergeTree\(')[^']*'`)

// migrated is a new database of the test's own with the migrated schema
// (a copy of the template's), open on both replicas.
func migrated(t *testing.T, c *chcluster.Cluster) (name string, r1, r2 *store.DB) {
	t.Helper()
	tmpl := migratedTemplate(t, c)
	name = c.Database(t)
	r1, r2 = c.Open(t, 0, name), c.Open(t, 1, name)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rows, err := r1.Conn().Query(ctx, `SELECT name, engine_full FROM system.tables WHERE database = ? ORDER BY name`, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for rows.Next() {
		var table, engine string
		if err := rows.Scan(&table, &engine); err != nil {
			t.Fatal(err)
		}
		m := reEnginePath.FindStringSubmatchIndex(engine)
		if m == nil {
			t.Fatalf("template %s: engine %s", table, engine)
		}
		engine = engine[:m[3]] + store.ReplicaPath(name, table) + "'" + engine[m[1]:]
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s.%s ON CLUSTER %s AS %s.%s ENGINE = %s", name, table, chcluster.Name, tmpl, table, engine))
	}
	rows.Close()
	stmts = append(stmts, fmt.Sprintf("INSERT INTO %s.schema_migrations SELECT * FROM %s.schema_migrations", name, tmpl))
	for _, q := range stmts {
		if err := r1.Conn().Exec(ctx, q); err != nil {
			t.Fatalf("copy the template: %s: %v", q, err)
		}
	}
	return name, r1, r2
}

// eventually polls check every 50 ms until it returns nil, failing the
// test with its last error after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not after %s: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dataTables are the tables whose rows the tests count on both replicas.
var dataTables = []string{"sites", "contacts", "cases", "survey_responses", "case_completions", "ingest_rejects", "results", "tokens", "targets", "pending_calls", "schema_migrations"}

// counts are the rows of each data table on db's replica.
func counts(ctx context.Context, db *store.DB) (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, table := range dataTables {
		var n uint64
		if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM "+table).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s on %s: %w", table, db.Server(), err)
		}
		out[table] = n
	}
	return out, nil
}

// sameCounts waits until both replicas hold as many rows in every table,
// and returns them.
func sameCounts(t *testing.T, r1, r2 *store.DB) map[string]uint64 {
	t.Helper()
	var c1 map[string]uint64
	eventually(t, 30*time.Second, "the same rows on both replicas", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if c1, err = counts(ctx, r1); err != nil {
			return err
		}
		c2, err := counts(ctx, r2)
		if err != nil {
			return err
		}
		for _, table := range dataTables {
			if c1[table] != c2[table] {
				return fmt.Errorf("%s: %d rows on r1, %d on r2", table, c1[table], c2[table])
			}
		}
		return nil
	})
	return c1
}

// lists are the demo's vocabularies, as the default configuration has them.
var lists = ingest.Lists{
	Channels:   []string{"reception", "appointment", "phone", "video", "email", "mail", "online", "proximity"},
	CaseKinds:  []string{"reimbursement", "allowance_payment", "registration", "claim", "email_reply", "mail_reply", "complaint", "sick_pay"},
	Dimensions: []string{"overall", "courtesy", "clarity", "delay", "recommend", "information", "accessibility"},
	Segments:   model.DefaultSegments,
}

// collectors is the ingest service over db, with a spool in a temporary
// folder, closed when the test ends.
func collectors(t *testing.T, db *store.DB, opts ingest.WriterOptions) (*ingest.Service, *ingest.Spool) {
	t.Helper()
	sp, err := ingest.OpenSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := ingest.NewWriter(db, sp, opts, nil, nil)
	t.Cleanup(func() { w.Close(); sp.Close() })
	return ingest.NewService(db, w, ingest.NewPseudonymizer([]byte("cluster-test-key-cluster-test-key")), lists, ingest.DefaultLimits, nil), sp
}

// demoFiles writes January and February 2026 of demo data (with its
// deliberately bad records) and returns its files by kind, in order.
func demoFiles(t *testing.T, sites []model.Site) map[ingest.Kind][]string {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Generate(context.Background(), dir, demo.Options{Seed: 21, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Scale: 0.05, Sites: sites}); err != nil {
		t.Fatal(err)
	}
	out := map[ingest.Kind][]string{}
	for kind, glob := range map[ingest.Kind]string{ingest.KindContacts: "contacts/*.csv", ingest.KindCases: "cases/*.ndjson", ingest.KindSurveys: "surveys/*.csv"} {
		files, _ := filepath.Glob(filepath.Join(dir, glob))
		if len(files) == 0 {
			t.Fatalf("no demo files %s", glob)
		}
		sort.Strings(files)
		out[kind] = files
	}
	return out
}

// formats are the demo files' formats.
var formats = map[ingest.Kind]ingest.Format{ingest.KindContacts: ingest.FormatCSV, ingest.KindCases: ingest.FormatNDJSON, ingest.KindSurveys: ingest.FormatCSV}

// ingestFile sends one file through the service, as the file collector
// does, and returns its result.
func ingestFile(ctx context.Context, svc *ingest.Service, kind ingest.Kind, path string) (ingest.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return ingest.Result{}, err
	}
	defer f.Close()
	return svc.Ingest(ctx, kind, formats[kind], f, ingest.Options{Origin: "file:" + filepath.Base(path), Chunk: 50_000})
}

// loadDemo loads the sites and the demo files through the collectors on
// db's replica and returns the accepted records by kind.
func loadDemo(t *testing.T, db *store.DB) map[ingest.Kind]int {
	t.Helper()
	ctx := context.Background()
	sites := loadSites(t, db)
	svc, _ := collectors(t, db, ingest.WriterOptions{})
	accepted := map[ingest.Kind]int{}
	files := demoFiles(t, sites)
	for _, kind := range []ingest.Kind{ingest.KindContacts, ingest.KindCases, ingest.KindSurveys} {
		for _, p := range files[kind] {
			res, err := ingestFile(ctx, svc, kind, p)
			if err != nil {
				t.Fatalf("ingest %s: %v", p, err)
			}
			accepted[kind] += res.Accepted
		}
	}
	return accepted
}

// results are the figures of the default catalog for period on db's
// replica, as JSON (every field of every result: compared whole).
func results(t *testing.T, db *store.DB, period string, live bool) (string, indicators.Provenance) {
	t.Helper()
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, err := indicators.ParsePeriod(period, time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := indicators.NewEngine(db, cat, false).Results(context.Background(), indicators.Query{Period: p, Live: live})
	if err != nil {
		t.Fatalf("results %s on %s: %v", period, db.Server(), err)
	}
	if len(rep.Results) == 0 {
		t.Fatalf("results %s on %s: none", period, db.Server())
	}
	b, err := json.Marshal(rep.Results)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), rep.Provenance
}

// figures are results (JSON) without what a closing adds to each
// (revision, closed_at): the figures themselves.
func figures(t *testing.T, results string) string {
	t.Helper()
	var rs []map[string]any
	if err := json.Unmarshal([]byte(results), &rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		delete(r, "revision")
		delete(r, "closed_at")
	}
	b, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameResults fails the test at the first result that differs.
func sameResults(t *testing.T, what, a, b string) {
	t.Helper()
	if a == b {
		return
	}
	var ra, rb []json.RawMessage
	_ = json.Unmarshal([]byte(a), &ra)
	_ = json.Unmarshal([]byte(b), &rb)
	for i := range min(len(ra), len(rb)) {
		if string(ra[i]) != string(rb[i]) {
			t.Fatalf("%s: result %d differs:\n%s\n%s", what, i, ra[i], rb[i])
		}
	}
	t.Fatalf("%s: %d results against %d", what, len(ra), len(rb))
}
