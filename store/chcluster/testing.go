package chcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"globaloffice/store"
)

// ForTest starts a cluster of n replicas in a temporary folder and stops
// it when the test ends. Without java, ZooKeeper or clickhouse-server the
// test fails when CI is set and is skipped otherwise.
func ForTest(t testing.TB, n int) *Cluster {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (CI is set, so this fails)", err)
		}
		t.Skipf("%v; make test-cluster needs them", err)
	}
	// Not t.TempDir: a server still writing while the test cleans up
	// would fail the removal; the folder goes once the cluster is stopped.
	dir, err := os.MkdirTemp("", "chcluster-")
	if err != nil {
		t.Fatal(err)
	}
	ports, err := FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(dir, n, ports)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Errorf("stop cluster: %v", err)
			return
		}
		if !t.Failed() {
			os.RemoveAll(dir)
		} else {
			t.Logf("cluster folder kept: %s", dir)
		}
	}
	if err := c.Start(ctx); err != nil {
		stop()
		t.Fatalf("start cluster: %v", err)
	}
	t.Cleanup(stop)
	return c
}

// Options are the options of database on replica i.
func (c *Cluster) Options(i int, database string) store.Options {
	return store.Options{
		Addr: c.Addr(i), Database: database, User: "default",
		DialTimeout: 3 * time.Second, ReadTimeout: 2 * time.Minute,
		Cluster: Name, DDLTimeout: 20 * time.Second,
	}
}

// Database creates a database of the test's own on every replica, drops
// it when the test ends, and returns its name.
func (c *Cluster) Database(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "cluster_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := store.EnsureDatabase(ctx, c.Options(0, name)); err != nil {
		t.Fatalf("create database on the cluster: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := store.DropDatabase(ctx, c.Options(0, name)); err != nil {
			t.Errorf("drop database on the cluster: %v", err)
		}
	})
	return name
}

// Open opens database on replica i, closed when the test ends.
func (c *Cluster) Open(t testing.TB, i int, database string) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, c.Options(i, database))
	if err != nil {
		t.Fatalf("open %s on r%d: %v", database, i+1, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
