package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The migrator is ours rather than goose's or golang-migrate's: both record
// versions with INSERT … VALUES, which hangs on ClickHouse 18.16, and neither
// knows that 18.x needs a setting for LowCardinality DDL. It applies each
// embedded NNNN_name.sql file once, in order, and records it in
// schema_migrations. Statements are idempotent (IF NOT EXISTS), so a
// migration interrupted halfway is simply applied again; 18.16 has no ADD
// COLUMN IF NOT EXISTS, so an ALTER TABLE t ADD COLUMN c (one column per
// statement) is skipped when system.columns already has c.

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema step.
type Migration struct {
	Version    uint32
	Name       string
	Statements []string
}

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	seen := map[uint32]string{}
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil || v == 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		if prev, dup := seen[uint32(v)]; dup {
			return nil, fmt.Errorf("migration %s: version %d already used by %s", name, v, prev)
		}
		seen[uint32(v)] = name
		b, err := migrationFS.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: uint32(v), Name: rest, Statements: splitSQL(string(b))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// splitSQL cuts a file into statements at lines ending with ';', dropping
// comment lines.
func splitSQL(src string) []string {
	var stmts []string
	var cur []string
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur = append(cur, line)
		if strings.HasSuffix(t, ";") {
			s := strings.TrimSuffix(strings.TrimSpace(strings.Join(cur, "\n")), ";")
			stmts = append(stmts, s)
			cur = nil
		}
	}
	if s := strings.TrimSpace(strings.Join(cur, "\n")); s != "" {
		stmts = append(stmts, s)
	}
	return stmts
}

// AppliedMigration is a row of schema_migrations.
type AppliedMigration struct {
	Version   uint32
	Name      string
	AppliedAt time.Time
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    applied_at DateTime('UTC')
) ENGINE = MergeTree ORDER BY version`

// Applied lists the migrations recorded in the database.
func (db *DB) Applied(ctx context.Context) ([]AppliedMigration, error) {
	if err := db.ensureMigrationsTable(ctx); err != nil {
		return nil, err
	}
	rows, err := db.conn.Query(ctx, `SELECT version, any(name), min(applied_at) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var out []AppliedMigration
	for rows.Next() {
		var a AppliedMigration
		if err := rows.Scan(&a.Version, &a.Name, &a.AppliedAt); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ensureMigrationsTable creates schema_migrations. On a cluster it first
// looks whether the table exists: every command reads the schema version,
// and a statement ON CLUSTER would make each wait for a replica that is
// down.
func (db *DB) ensureMigrationsTable(ctx context.Context) error {
	if db.cluster != "" {
		var n uint8
		if err := db.conn.QueryRow(ctx, `EXISTS TABLE schema_migrations`).Scan(&n); err != nil {
			return fmt.Errorf("schema_migrations: %w", err)
		}
		if n == 1 {
			return nil
		}
	}
	if err := db.ddl(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

// syncMigrations, on a cluster, lets this replica fetch the migrations
// recorded through another one (SYSTEM SYNC REPLICA), so that a migrate
// run through it right after does not apply them again.
func (db *DB) syncMigrations(ctx context.Context) error {
	if db.cluster == "" {
		return nil
	}
	var n uint8
	if err := db.conn.QueryRow(ctx, `EXISTS TABLE schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	if n == 0 {
		return nil
	}
	if err := db.conn.Exec(ctx, `SYSTEM SYNC REPLICA schema_migrations`); err != nil {
		return fmt.Errorf("schema_migrations: sync replica: %w", err)
	}
	return nil
}

// fillAfter fills what a migration creates from the data already stored,
// after the statements of every migration to apply (the fill writes the
// columns the code knows) and before the migration is recorded: if the
// fill fails, the migration runs again.
var fillAfter = map[uint32]func(context.Context, *DB) error{
	4: func(ctx context.Context, db *DB) error {
		if db.cluster != "" {
			// A new database has no cases: on a cluster, the rebuild's
			// five statements ON CLUSTER would give the table another
			// ZooKeeper path for nothing.
			var n uint64
			if err := db.conn.QueryRow(ctx, `SELECT toUInt64(count()) FROM cases`).Scan(&n); err != nil {
				return fmt.Errorf("cases: %w", err)
			}
			if n == 0 {
				return nil
			}
		}
		_, err := db.RebuildCaseCompletions(ctx, CatchUpMargin)
		return err
	},
}

// Migrate applies every embedded migration not yet recorded and returns the
// ones it applied. Running it again applies nothing.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	if err := db.syncMigrations(ctx); err != nil {
		return nil, err
	}
	applied, err := db.Applied(ctx)
	if err != nil {
		return nil, err
	}
	done := map[uint32]bool{}
	for _, a := range applied {
		done[a.Version] = true
	}
	var ran, filling []Migration
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		for i, stmt := range m.Statements {
			has, err := db.addsExistingColumn(ctx, stmt)
			if err != nil {
				return ran, fmt.Errorf("migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
			if has {
				continue
			}
			if err := db.ddl(ctx, stmt); err != nil {
				return ran, fmt.Errorf("migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if fillAfter[m.Version] != nil {
			filling = append(filling, m)
			continue
		}
		if err := db.record(ctx, m); err != nil {
			return ran, err
		}
		ran = append(ran, m)
	}
	// Fills run once every statement has: they write with the code's
	// columns, which later migrations may add.
	for _, m := range filling {
		if err := fillAfter[m.Version](ctx, db); err != nil {
			return ran, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if err := db.record(ctx, m); err != nil {
			return ran, err
		}
		ran = append(ran, m)
	}
	sort.Slice(ran, func(i, j int) bool { return ran[i].Version < ran[j].Version })
	return ran, nil
}

// record notes m as applied.
func (db *DB) record(ctx context.Context, m Migration) error {
	if err := db.conn.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) SELECT toUInt32(?), ?, now()`, m.Version, m.Name); err != nil {
		return fmt.Errorf("migration %04d_%s: record: %w", m.Version, m.Name, err)
	}
	return nil
}

// reAddColumn reads the table and column of an ALTER TABLE … ADD COLUMN
// statement that adds one column.
var reAddColumn = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)\s`)

// reAddColumns finds each ADD COLUMN of a statement.
var reAddColumns = regexp.MustCompile(`(?i)\bADD\s+COLUMN\b`)

// addsExistingColumn tells whether stmt adds one column that the table
// already has (a migration that stopped after it).
func (db *DB) addsExistingColumn(ctx context.Context, stmt string) (bool, error) {
	m := reAddColumn.FindStringSubmatch(stmt)
	if m == nil || len(reAddColumns.FindAllStringIndex(stmt, 2)) > 1 {
		return false, nil
	}
	return db.hasColumn(ctx, m[1], m[2])
}

// hasColumn tells whether table has column col.
func (db *DB) hasColumn(ctx context.Context, table, col string) (bool, error) {
	var n uint64
	if err := db.conn.QueryRow(ctx, `SELECT toUInt64(count()) FROM system.columns WHERE database = ? AND table = ? AND name = ?`, db.database, table, col).Scan(&n); err != nil {
		return false, fmt.Errorf("columns of %s: %w", table, err)
	}
	return n > 0, nil
}

// SchemaVersion is the highest applied migration, 0 on an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (uint32, error) {
	applied, err := db.Applied(ctx)
	if err != nil {
		return 0, err
	}
	if len(applied) == 0 {
		return 0, nil
	}
	return applied[len(applied)-1].Version, nil
}
