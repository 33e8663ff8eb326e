package chcluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"globaloffice/store"
)

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
