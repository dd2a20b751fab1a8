// Package chtest gives a test its own freshly migrated warehouse database on
// the ClickHouse server named by KRAMAR_CLICKHOUSE_DSN.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
)

// DSNEnv names the variable holding the test server's DSN.
const DSNEnv = "KRAMAR_CLICKHOUSE_DSN"

// New connects to the server in KRAMAR_CLICKHOUSE_DSN, creates a database
// kramar_test_<random>, migrates it and returns a Warehouse on it. The
// database is dropped when the test ends, unless it failed (so it can be
// inspected).
func New(t testing.TB) *clickhouse.Warehouse {
	t.Helper()
	w, _ := NewWithDSN(t)
	return w
}

// NewWithDSN is New that also returns the DSN of the test database, for
// code that opens its own connection.
func NewWithDSN(t testing.TB) (*clickhouse.Warehouse, string) {
	t.Helper()
	base := os.Getenv(DSNEnv)
	if base == "" {
		t.Fatalf("%s is not set: run tests via `make test`, which starts ClickHouse", DSNEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		// The parse error quotes the DSN, password included.
		t.Fatalf("%s does not parse as a URL", DSNEnv)
	}
	u.Path = "/kramar_test_" + randomSuffix(t)
	dsn := u.String()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := clickhouse.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open test warehouse: %v", err)
	}
	if _, err := w.Migrate(ctx); err != nil {
		w.Close()
		t.Fatalf("migrate test warehouse: %v", err)
	}
	t.Cleanup(func() {
		defer w.Close()
		if t.Failed() {
			t.Logf("kept database %s for inspection", w.Database())
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := w.DropDatabase(ctx); err != nil {
			t.Error(err)
		}
	})
	return w, dsn
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// DSNOf is the DSN of w's database on the test server.
func DSNOf(t testing.TB, w *clickhouse.Warehouse) string {
	t.Helper()
	u, err := url.Parse(os.Getenv(DSNEnv))
	if err != nil {
		t.Fatalf("%s does not parse as a URL", DSNEnv)
	}
	u.Path = "/" + w.Database()
	return u.String()
}
