package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Options says how to reach ClickHouse.
type Options struct {
	Addr        string // host:port of the native protocol
	Database    string
	User        string
	Password    string
	DialTimeout time.Duration
	ReadTimeout time.Duration
	// Cluster, when set, names the cluster (remote_servers) whose replicas
	// hold the database: DDL goes ON CLUSTER, tables are Replicated (see
	// cluster.go). Addr still names one replica, the only server this
	// process talks to.
	Cluster string
	// DDLTimeout is distributed_ddl_task_timeout for statements ON CLUSTER
	// (0: the server's, 180 s).
	DDLTimeout time.Duration
}

// DB is an open connection pool to one ClickHouse database.
type DB struct {
	conn       driver.Conn
	database   string
	version    Version
	cluster    string
	ddlTimeout time.Duration
	server     string // on a cluster, the replica opened (see MergedParts)
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ValidIdentifier reports whether s can be used unquoted as a database name.
func ValidIdentifier(s string) bool { return identRE.MatchString(s) }

// Open connects to opts.Database, which must exist (see EnsureDatabase), and
// reads the server version once.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	conn, err := connect(ctx, opts, opts.Database)
	if err != nil {
		return nil, err
	}
	sv, err := conn.ServerVersion()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("clickhouse %s: server version: %w", opts.Addr, err)
	}
	db := &DB{conn: conn, database: opts.Database, version: versionOf(sv), cluster: opts.Cluster, ddlTimeout: opts.DDLTimeout}
	if db.cluster != "" {
		if db.server, err = db.readServer(ctx); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return db, nil
}

// check refuses names that cannot be written unquoted in DDL.
func (opts Options) check() error {
	if !ValidIdentifier(opts.Database) {
		return fmt.Errorf("clickhouse database %q: only letters, digits and _ are allowed", opts.Database)
	}
	if opts.Cluster != "" && !ValidIdentifier(opts.Cluster) {
		return fmt.Errorf("clickhouse cluster %q: only letters, digits and _ are allowed", opts.Cluster)
	}
	return nil
}

// databaseDDL runs CREATE or DROP DATABASE, ON CLUSTER on a cluster.
func databaseDDL(ctx context.Context, opts Options, what, stmt string) error {
	if err := opts.check(); err != nil {
		return err
	}
	conn, err := connect(ctx, opts, "default")
	if err != nil {
		return err
	}
	defer conn.Close()
	if opts.Cluster != "" {
		if stmt, err = ClusterDDL(stmt, opts.Cluster, opts.Database); err != nil {
			return err
		}
		sv, err := conn.ServerVersion()
		if err != nil {
			return fmt.Errorf("clickhouse %s: server version: %w", opts.Addr, err)
		}
		ctx = clusterContext(ctx, versionOf(sv), nil, opts.DDLTimeout)
	}
	if err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("clickhouse %s: %s database %s: %w", opts.Addr, what, opts.Database, clusterError(opts.Cluster, err))
	}
	return nil
}

// EnsureDatabase creates opts.Database if it does not exist (on every
// replica of opts.Cluster).
func EnsureDatabase(ctx context.Context, opts Options) error {
	return databaseDDL(ctx, opts, "create", "CREATE DATABASE IF NOT EXISTS "+opts.Database)
}

// DropDatabase drops opts.Database (on every replica of opts.Cluster);
// tests use it to clean up.
func DropDatabase(ctx context.Context, opts Options) error {
	return databaseDDL(ctx, opts, "drop", "DROP DATABASE IF EXISTS "+opts.Database)
}

func connect(ctx context.Context, opts Options, database string) (driver.Conn, error) {
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 5 * time.Second
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = 5 * time.Minute
	}
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol: clickhouse.Native,
		Addr:     []string{opts.Addr},
		Auth: clickhouse.Auth{
			Database: database,
			Username: opts.User,
			Password: opts.Password,
		},
		DialTimeout: opts.DialTimeout,
		ReadTimeout: opts.ReadTimeout,
		Compression: compression(opts.Addr),
	})
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", opts.Addr, err)
	}
	pctx, cancel := context.WithTimeout(ctx, opts.DialTimeout)
	defer cancel()
	if err := conn.Ping(pctx); err != nil {
		conn.Close()
		var ex *clickhouse.Exception
		if errors.As(err, &ex) && ex.Code == 81 {
			return nil, fmt.Errorf("clickhouse %s: database %s does not exist (run globaloffice migrate): %w", opts.Addr, database, err)
		}
		return nil, fmt.Errorf("clickhouse %s: %w", opts.Addr, err)
	}
	return conn, nil
}

// compression is LZ4 over a network, none on the loopback: there it saves
// nothing and costs the client CPU on every inserted row, which the server
// on the same machine then lacks.
func compression(addr string) *clickhouse.Compression {
	host, _, err := net.SplitHostPort(addr)
	if err == nil {
		if host == "localhost" {
			return &clickhouse.Compression{Method: clickhouse.CompressionNone}
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return &clickhouse.Compression{Method: clickhouse.CompressionNone}
		}
	}
	return &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
}

// Conn is the underlying clickhouse-go connection.
func (db *DB) Conn() driver.Conn { return db.conn }

// Database is the name of the database the pool is bound to.
func (db *DB) Database() string { return db.database }

// Version is the server's version, read once at Open.
func (db *DB) Version() Version { return db.version }

// Close releases the pool.
func (db *DB) Close() error { return db.conn.Close() }

// Ping checks that the server answers.
func (db *DB) Ping(ctx context.Context) error { return db.conn.Ping(ctx) }
