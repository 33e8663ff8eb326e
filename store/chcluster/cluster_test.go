package chcluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"globaloffice/auth"
	"globaloffice/demo"
	"globaloffice/indicators"
	"globaloffice/ingest"
	"globaloffice/model"
	"globaloffice/store"
	"globaloffice/store/chtest"
)

// column is one column of a table as system.columns describes it.
type column struct{ Name, Type, Default string }

// schema reads the tables of database on db's server: engine and columns.
func schema(t *testing.T, db *store.DB) (engines map[string]string, columns map[string][]column) {
	t.Helper()
	ctx := context.Background()
	engines, columns = map[string]string{}, map[string][]column{}
	rows, err := db.Conn().Query(ctx, `SELECT name, engine FROM system.tables WHERE database = currentDatabase()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			t.Fatal(err)
		}
		engines[name] = engine
	}
	rows.Close()
	rows, err = db.Conn().Query(ctx, `SELECT table, name, type, default_expression FROM system.columns WHERE database = currentDatabase()`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var c column
		if err := rows.Scan(&table, &c.Name, &c.Type, &c.Default); err != nil {
			t.Fatal(err)
		}
		columns[table] = append(columns[table], c)
	}
	return engines, columns
}

// Migrating through one replica creates every table of the single-server
// schema on both replicas, Replicated, at a ZooKeeper path holding the
// database's name, with the same columns in the same order; migrating
// again, through either replica, applies nothing.
func TestMigrateEveryTable(t *testing.T) {
	c := cluster(t)
	single := chtest.New(t)
	wantEngines, wantColumns := schema(t, single)
	if len(wantEngines) != 12 {
		t.Fatalf("the single-server schema has %d tables, want 12: %v", len(wantEngines), wantEngines)
	}
	name := migratedTemplate(t, c)
	r1, r2 := c.Open(t, 0, name), c.Open(t, 1, name)
	for i, db := range []*store.DB{r1, r2} {
		engines, columns := schema(t, db)
		for table, engine := range wantEngines {
			if got := engines[table]; got != "Replicated"+engine {
				t.Errorf("r%d: %s: engine %q, want Replicated%s", i+1, table, got, engine)
			}
			if fmt.Sprint(columns[table]) != fmt.Sprint(wantColumns[table]) {
				t.Errorf("r%d: %s: columns\n%v\nwant\n%v", i+1, table, columns[table], wantColumns[table])
			}
		}
		if len(engines) != len(wantEngines) {
			t.Errorf("r%d: %d tables, want %d: %v", i+1, len(engines), len(wantEngines), engines)
		}
		rows, err := db.Conn().Query(context.Background(), `SELECT table, zookeeper_path FROM system.replicas WHERE database = currentDatabase()`)
		if err != nil {
			t.Fatal(err)
		}
		paths := 0
		for rows.Next() {
			var table, path string
			if err := rows.Scan(&table, &path); err != nil {
				t.Fatal(err)
			}
			if want := "/clickhouse/tables/01/" + name + "/" + table; path != want {
				t.Errorf("r%d: %s at %s, want %s", i+1, table, path, want)
			}
			paths++
		}
		rows.Close()
		if paths != len(wantEngines) {
			t.Errorf("r%d: %d replicated tables, want %d", i+1, paths, len(wantEngines))
		}
		ran, err := db.Migrate(context.Background())
		if err != nil || len(ran) != 0 {
			t.Errorf("r%d: migrating again applied %v (%v), want nothing", i+1, ran, err)
		}
	}
}

// A replica down during a migration: the migration fails and says why;
// once the replica is back, running it again completes it on both.
func TestMigrateReplicaDown(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	name := c.Database(t)
	if err := c.StopReplica(ctx, 1); err != nil {
		t.Fatal(err)
	}
	opts := c.Options(0, name)
	opts.DDLTimeout = 2 * time.Second
	db, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Now()
	_, err = db.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "a replica did not answer within clickhouse.ddl_timeout") {
		t.Errorf("migrate with r2 down: %v, want the replica named as the cause", err)
	}
	took := time.Since(t0)
	t.Logf("migrate with r2 down failed after %s: %v", took.Round(time.Millisecond), err)
	if err != nil && (took < opts.DDLTimeout || !strings.Contains(err.Error(), "(=2)")) {
		t.Errorf("gave up after %s, want clickhouse.ddl_timeout, %s, sent as 2", took, opts.DDLTimeout)
	}
	if err := c.StartReplica(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r1, r2 := c.Open(t, 0, name), c.Open(t, 1, name)
	ran, err := r1.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate again with r2 back: %v", err)
	}
	all, _ := store.Migrations()
	if len(ran) != len(all) {
		t.Errorf("applied %d migrations, want %d", len(ran), len(all))
	}
	e1, _ := schema(t, r1)
	e2, _ := schema(t, r2)
	if len(e1) != 12 || fmt.Sprint(e1) != fmt.Sprint(e2) {
		t.Errorf("tables on r1 %v, on r2 %v", e1, e2)
	}
}

// Records ingested through replica 1's collectors reach replica 2; every
// figure of the default catalog is the same read on either replica, before
// and after the months are merged (the other replica ends merged too), and
// while a replica lags behind on merges; a period closed on r1 reads
// closed on r2; a token created on r1 opens r2.
func TestIngestOnOneReplicaReadOnTheOther(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	_, r1, r2 := migrated(t, c)
	accepted := loadDemo(t, r1)
	n := sameCounts(t, r1, r2)
	for kind, table := range map[ingest.Kind]string{ingest.KindContacts: "contacts", ingest.KindCases: "cases", ingest.KindSurveys: "survey_responses"} {
		if n[table] != uint64(accepted[kind]) || accepted[kind] == 0 {
			t.Errorf("%s: %d rows, %d accepted", table, n[table], accepted[kind])
		}
	}
	if n["ingest_rejects"] == 0 || n["sites"] != 42 {
		t.Errorf("rejects %d (the demo has bad records), sites %d (want 42)", n["ingest_rejects"], n["sites"])
	}
	live1, _ := results(t, r1, "2026-01", true)
	live2, _ := results(t, r2, "2026-01", true)
	sameResults(t, "2026-01 live, r1 and r2", live1, live2)

	// One replica lags: its merges of contacts stopped (the one that is
	// not the table's leader: OPTIMIZE goes to the leader), the other
	// merges every month. The one reads merged parts, the lagging one
	// reads with FINAL, and both give the same figures.
	dbs := []*store.DB{r1, r2}
	lag := 1
	var leads bool
	if err := r2.Conn().QueryRow(ctx, `SELECT is_leader = 1 FROM system.replicas WHERE database = currentDatabase() AND table = 'contacts'`).Scan(&leads); err != nil {
		t.Fatal(err)
	}
	if leads {
		lag = 0
	}
	ahead, behind := dbs[1-lag], dbs[lag]
	if err := behind.Conn().Exec(ctx, "SYSTEM STOP MERGES contacts"); err != nil {
		t.Fatal(err)
	}
	merged := map[string]map[int]bool{}
	for _, table := range []string{"contacts", "survey_responses", "case_completions"} {
		// As on a single server, an OPTIMIZE may merge nothing (a merge of
		// some of the parts under way): compaction runs again until done.
		eventually(t, 30*time.Second, table+" merged", func() error {
			if _, err := ahead.Compact(ctx, table, 0); err != nil {
				return fmt.Errorf("compact: %w", err)
			}
			m, err := ahead.MergedMonths(ctx, table)
			if err != nil {
				return err
			}
			if !m[202601] || !m[202602] {
				return fmt.Errorf("%v, want 202601 and 202602 merged", m)
			}
			merged[table] = m
			return nil
		})
	}
	m2, err := behind.MergedMonths(ctx, "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if m2[202601] {
		t.Errorf("contacts on the lagging replica: %v, want 202601 not merged", m2)
	}
	lagA, _ := results(t, ahead, "2026-01", true)
	lagB, _ := results(t, behind, "2026-01", true)
	sameResults(t, "2026-01 live, one replica merged and one lagging", lagA, lagB)
	sameResults(t, "2026-01 live, before and after merging", live1, lagA)
	if err := behind.Conn().Exec(ctx, "SYSTEM START MERGES contacts"); err != nil {
		t.Fatal(err)
	}
	for table, want := range merged {
		eventually(t, 30*time.Second, table+" merged on both replicas", func() error {
			m, err := behind.MergedMonths(ctx, table)
			if err != nil {
				return err
			}
			if fmt.Sprint(m) != fmt.Sprint(want) {
				return fmt.Errorf("%v, the other %v", m, want)
			}
			return nil
		})
	}
	after, _ := results(t, behind, "2026-01", true)
	sameResults(t, "2026-01 live, both merged", live1, after)

	// A period closed on r1 reads closed, the same, on r2.
	cat, err := indicators.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := indicators.ParsePeriod("2026-01", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	if _, err := indicators.NewEngine(r1, cat, false).Close(ctx, p, "cluster-test"); err != nil {
		t.Fatal(err)
	}
	closed1, prov1 := results(t, r1, "2026-01", false)
	if n := sameCounts(t, r1, r2)["results"]; n == 0 {
		t.Fatal("no results stored by the closing")
	}
	closed2, prov2 := results(t, r2, "2026-01", false)
	if !prov1.Closed || prov1.Revision != 1 || prov2 != prov1 {
		t.Errorf("provenance on r1 %+v, on r2 %+v, want closed, revision 1, the same", prov1, prov2)
	}
	sameResults(t, "2026-01 closed, r1 and r2", closed1, closed2)
	sameResults(t, "2026-01 closed and live", figures(t, live1), figures(t, closed1))

	// Grafana's read-only user, which each replica's users.xml holds on
	// 18.x, reads the figures on r2 and cannot write.
	ro := c.Options(1, r2.Database())
	ro.User = "grafana"
	gdb, err := store.Open(ctx, ro)
	if err != nil {
		t.Fatalf("the read-only user on r2: %v", err)
	}
	defer gdb.Close()
	var closedRows uint64
	if err := gdb.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM results").Scan(&closedRows); err != nil || closedRows == 0 {
		t.Errorf("the read-only user reads %d results on r2 (%v)", closedRows, err)
	}
	if err := gdb.InsertRejects(ctx, []store.Reject{{RejectedAt: time.Now(), Kind: "contacts", Reason: "x"}}); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("the read-only user wrote on r2: %v", err)
	}

	// A token created on r1 opens r2.
	tok, secret, err := auth.NewToken("cluster", model.RoleDirector, nil, nil, "cluster-test", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := r1.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	ring := auth.NewKeyring(r2.Tokens, time.Millisecond)
	eventually(t, 30*time.Second, "the token on r2", func() error {
		if err := ring.Reload(ctx); err != nil {
			return err
		}
		p, err := ring.Authenticate(ctx, secret)
		if err == nil && p.Role != model.RoleDirector {
			return fmt.Errorf("role %s", p.Role)
		}
		return err
	})
}

// Replica 2 killed (SIGKILL) while replica 1 takes records: every ingest
// succeeds, nothing is lost, and r2 catches up once restarted.
func TestReplicaKilledDuringIngest(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	_, r1, r2 := migrated(t, c)
	sites := loadSites(t, r1)
	files := demoFiles(t, sites)[ingest.KindContacts]
	svc, _ := collectors(t, r1, ingest.WriterOptions{})
	killed := make(chan error, 1)
	accepted := 0
	for i, p := range files {
		if i == 1 {
			// The first file is stored: kill r2 while the next go in.
			go func() { killed <- c.Kill(ctx, 1) }()
		}
		res, err := ingestFile(ctx, svc, ingest.KindContacts, p)
		if err != nil {
			t.Fatalf("ingest %s with r2 killed: %v", p, err)
		}
		if res.Spooled != 0 {
			t.Errorf("%s: %d records spooled: r1 should have taken them", p, res.Spooled)
		}
		accepted += res.Accepted
	}
	if err := <-killed; err != nil {
		t.Fatal(err)
	}
	// With r2 down, compaction on r1 merges r1's months and returns
	// (OPTIMIZE alone would wait for r2 for good). OPTIMIZE goes to the
	// table's leader: once r2's ZooKeeper session has expired, r1 leads.
	eventually(t, 30*time.Second, "r1 leading contacts", func() error {
		var leads bool
		if err := r1.Conn().QueryRow(ctx, `SELECT is_leader = 1 FROM system.replicas WHERE database = currentDatabase() AND table = 'contacts'`).Scan(&leads); err != nil || !leads {
			return fmt.Errorf("leader: %v %v", leads, err)
		}
		return nil
	})
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := r1.Compact(cctx, "contacts", 0); err != nil {
		t.Fatalf("compact with r2 down: %v", err)
	}
	if m, err := r1.MergedMonths(ctx, "contacts"); err != nil || !m[202601] || !m[202602] {
		t.Errorf("contacts on r1 compacted with r2 down: %v %v, want 202601 and 202602 merged", m, err)
	}
	t0 := time.Now()
	if err := c.StartReplica(ctx, 1); err != nil {
		t.Fatal(err)
	}
	n := sameCounts(t, r1, r2)
	t.Logf("r2 caught up %s after its restart began", time.Since(t0).Round(time.Millisecond))
	if n["contacts"] != uint64(accepted) || accepted == 0 {
		t.Errorf("%d contacts stored, %d accepted", n["contacts"], accepted)
	}
}

// ZooKeeper stopped: replicated tables are read-only, so inserts fail;
// the collectors keep the records in their spool (none lost), reads go on
// working on both replicas, and the records land once ZooKeeper is back.
func TestZooKeeperDown(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	_, r1, r2 := migrated(t, c)
	sites := loadSites(t, r1)
	files := demoFiles(t, sites)[ingest.KindContacts]
	svc, sp := collectors(t, r1, ingest.WriterOptions{DrainEvery: 200 * time.Millisecond})
	sameCounts(t, r1, r2) // the sites on both
	if err := c.ZooKeeper.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	zkBack := false
	defer func() {
		if !zkBack {
			_ = c.ZooKeeper.Start(ctx)
		}
	}()
	res, err := ingestFile(ctx, svc, ingest.KindContacts, files[0])
	if err != nil {
		t.Fatalf("ingest with ZooKeeper down: %v", err)
	}
	if res.Accepted == 0 || res.Spooled != res.Accepted {
		t.Fatalf("ZooKeeper down: %d accepted, %d spooled; want every accepted record spooled", res.Accepted, res.Spooled)
	}
	// An insert of its own fails too (the table is read-only, Code 242,
	// once the replica has seen its session go).
	if err := r1.InsertRejects(ctx, []store.Reject{{RejectedAt: time.Now(), Kind: "contacts", Origin: "zk-down", Reason: "x"}}); err == nil {
		t.Error("an insert with ZooKeeper down succeeded")
	} else {
		t.Logf("an insert with ZooKeeper down: %v", err)
	}
	for i, db := range []*store.DB{r1, r2} {
		var n, sitesN uint64
		if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM contacts").Scan(&n); err != nil {
			t.Errorf("r%d: reading with ZooKeeper down: %v", i+1, err)
		}
		if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM sites FINAL").Scan(&sitesN); err != nil || n != 0 || sitesN != 42 {
			t.Errorf("r%d with ZooKeeper down: %d contacts (want 0), %d sites (want 42), %v", i+1, n, sitesN, err)
		}
	}
	if err := c.ZooKeeper.Start(ctx); err != nil {
		t.Fatal(err)
	}
	zkBack = true
	t0 := time.Now()
	eventually(t, 60*time.Second, "the spooled records stored on both replicas", func() error {
		for i, db := range []*store.DB{r1, r2} {
			var n uint64
			if err := db.Conn().QueryRow(ctx, "SELECT toUInt64(count()) FROM contacts").Scan(&n); err != nil {
				return err
			}
			if n != uint64(res.Accepted) {
				return fmt.Errorf("r%d: %d contacts, %d accepted", i+1, n, res.Accepted)
			}
		}
		if names, err := sp.Segments(); err != nil || len(names) != 0 {
			return fmt.Errorf("spool: %v %v", names, err)
		}
		return nil
	})
	t.Logf("stored %s after ZooKeeper was back", time.Since(t0).Round(time.Millisecond))
}

// The same rejects inserted twice are stored twice, as on a single
// server, although a replicated table drops a repeated block: the plain
// insert below shows it does here.
func TestRepeatedRejectsKept(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	_, r1, r2 := migrated(t, c)
	at := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	rows := []store.Reject{
		{RejectedAt: at, Kind: "contacts", Source: "qms", Origin: "file:day.csv", Line: 2, Field: "site", Reason: "unknown site", Raw: "x,NOPE"},
		{RejectedAt: at, Kind: "contacts", Source: "qms", Origin: "file:day.csv", Line: 3, Field: "arrived_at", Reason: "not a time", Raw: "y,PAR-11"},
	}
	plain := func() {
		b, err := r1.Conn().PrepareBatch(ctx, `INSERT INTO ingest_rejects (rejected_at, kind, source, origin, line, field, reason, raw)`)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Append(at.Add(-time.Hour), "cases", "crm", "control", uint32(1), "id", "missing", ""); err != nil {
			t.Fatal(err)
		}
		if err := b.Send(); err != nil {
			t.Fatal(err)
		}
	}
	plain()
	plain()
	for range 2 {
		if err := r1.InsertRejects(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	// The same bad file sent twice through the collectors, at once (most
	// likely in the same second, when the blocks are equal).
	loadSites(t, r1)
	svc, _ := collectors(t, r1, ingest.WriterOptions{})
	bad := "id,source,site,channel,arrived_at,answered_at,ended_at,outcome\n" +
		"c1,qms,NOPE,reception,2026-01-05T09:00:00Z,,2026-01-05T09:10:00Z,abandoned\n" +
		"c2,qms,PAR-11,reception,2026-01-05T09:00:00Z,,2026-01-05T08:10:00Z,abandoned\n"
	for range 2 {
		res, err := svc.Ingest(ctx, ingest.KindContacts, ingest.FormatCSV, strings.NewReader(bad), ingest.Options{Origin: "file:bad.csv"})
		if err != nil || res.Rejected != 2 {
			t.Fatalf("bad file: %+v, %v; want 2 rejected", res, err)
		}
	}
	// 1 control row (the repeat dropped), 2 × 2 rejects, 2 × 2 from the file.
	eventually(t, 30*time.Second, "every reject on both replicas", func() error {
		for i, db := range []*store.DB{r1, r2} {
			var control, kept, file uint64
			if err := db.Conn().QueryRow(ctx, `SELECT toUInt64(countIf(origin = 'control')), toUInt64(countIf(origin = 'file:day.csv')), toUInt64(countIf(origin = 'file:bad.csv')) FROM ingest_rejects`).Scan(&control, &kept, &file); err != nil {
				return err
			}
			if control != 1 || kept != 4 || file != 4 {
				return fmt.Errorf("r%d: control %d (want 1: a replicated table drops a repeated block), rejects %d (want 4), from the file %d (want 4)", i+1, control, kept, file)
			}
		}
		return nil
	})
}

// The rebuild of case_completions on a cluster: its new table has a
// ZooKeeper path of its own, the swap and the drop reach both replicas,
// the entries are the same as before, and a second rebuild works too.
func TestRebuildCaseCompletions(t *testing.T) {
	c := cluster(t)
	ctx := context.Background()
	name, r1, r2 := migrated(t, c)
	loadDemo(t, r1)
	const fingerprint = `SELECT toUInt64(count()), toUInt64(sum(cityHash64(source, id, toString(entry), version, toString(completed_date), toString(status))))
  FROM case_completions FINAL WHERE entry != 'superseded'`
	type print struct{ n, sum uint64 }
	read := func(db *store.DB) (print, error) {
		var p print
		err := db.Conn().QueryRow(ctx, fingerprint).Scan(&p.n, &p.sum)
		return p, err
	}
	sameCounts(t, r1, r2)
	before, err := read(r1)
	if err != nil || before.n == 0 {
		t.Fatalf("case completions before: %+v %v", before, err)
	}
	path := func(db *store.DB) string {
		var p string
		if err := db.Conn().QueryRow(ctx, `SELECT zookeeper_path FROM system.replicas WHERE database = currentDatabase() AND table = 'case_completions'`).Scan(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	paths := map[string]bool{path(r1): true}
	for round := 1; round <= 2; round++ {
		if _, err := r1.RebuildCaseCompletions(ctx, store.CatchUpMargin); err != nil {
			t.Fatalf("rebuild %d: %v", round, err)
		}
		p1, p2 := path(r1), path(r2)
		if p1 != p2 || paths[p1] || !strings.HasPrefix(p1, "/clickhouse/tables/01/"+name+"/case_completions_") {
			t.Errorf("rebuild %d: case_completions at %s on r1, %s on r2; want one new path of the database (earlier: %v)", round, p1, p2, paths)
		}
		paths[p1] = true
		eventually(t, 30*time.Second, "the rebuilt entries on both replicas", func() error {
			for i, db := range []*store.DB{r1, r2} {
				p, err := read(db)
				if err != nil {
					return err
				}
				if p != before {
					return fmt.Errorf("r%d: %+v, before %+v", i+1, p, before)
				}
			}
			return nil
		})
		for i, db := range []*store.DB{r1, r2} {
			var n uint64
			if err := db.Conn().QueryRow(ctx, `SELECT toUInt64(count()) FROM system.tables WHERE database = currentDatabase() AND name LIKE 'case_completions_%'`).Scan(&n); err != nil || n != 0 {
				t.Errorf("rebuild %d: r%d keeps %d working tables (%v)", round, i+1, n, err)
			}
		}
	}
	// The replaced tables' ZooKeeper nodes went with them: only the live
	// table's path is left of the three.
	var left []string
	rows, err := r1.Conn().Query(ctx, `SELECT name FROM system.zookeeper WHERE path = ? AND name LIKE 'case_completions%'`, "/clickhouse/tables/01/"+name)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		left = append(left, n)
	}
	rows.Close()
	if live := path(r1); len(left) != 1 || !strings.HasSuffix(live, "/"+left[0]) {
		t.Errorf("ZooKeeper keeps %v under the database, want only the live table's (%s)", left, live)
	}
}

// loadSites stores the 42 sample sites on db's replica and returns them.
func loadSites(t *testing.T, db *store.DB) []model.Site {
	t.Helper()
	sites, err := demo.Sites()
	if err != nil {
		t.Fatalf("demo sites: %v", err)
	}
	if err := db.UpsertSites(context.Background(), sites); err != nil {
		t.Fatal(err)
	}
	return sites
}
