package chserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// The read-only user of users.xml reads and sets session settings, and
// cannot write or change the schema; a wrong password is refused.
func TestReadOnlyUser(t *testing.T) {
	s := testServer(t)
	s.ReadOnlyUser, s.ReadOnlyPassword = "grafana", `p<w>&"d`
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	open := func(user, pw string) clickhouse.Conn {
		c, err := clickhouse.Open(&clickhouse.Options{Addr: []string{s.addr()}, Auth: clickhouse.Auth{Username: user, Password: pw}, DialTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	admin := open("default", "")
	if err := admin.Exec(ctx, "CREATE TABLE default.t (x UInt8) ENGINE = Memory"); err != nil {
		t.Fatal(err)
	}
	ro := open("grafana", `p<w>&"d`)
	var n uint64
	sctx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_execution_time": 30}))
	if err := ro.QueryRow(sctx, "SELECT toUInt64(count()) FROM default.t").Scan(&n); err != nil || n != 0 {
		t.Fatalf("read as grafana: %d, %v", n, err)
	}
	for _, q := range []string{"INSERT INTO default.t (x) SELECT 1", "CREATE TABLE default.u (x UInt8) ENGINE = Memory", "DROP TABLE default.t"} {
		err := ro.Exec(ctx, q)
		var ex *clickhouse.Exception
		// 164: READONLY
		if !errors.As(err, &ex) || ex.Code != 164 {
			t.Errorf("%s as grafana: %v, want code 164 (readonly)", q, err)
		}
	}
	if err := open("grafana", "wrong").Ping(ctx); err == nil || !strings.Contains(err.Error(), "assword") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestReadOnlyUserName(t *testing.T) {
	s := Server{Dir: t.TempDir(), ReadOnlyUser: "graf<ana>"}
	if err := s.writeConfig(); err == nil {
		t.Fatal("a name that is not an XML element was accepted")
	}
}
