// Package chtest gives a test its own freshly migrated warehouse database on
// the ClickHouse server named by KRAMAR_CLICKHOUSE_DSN.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kramar/kramar/loaders/clickhouse"
	"github.com/kramar/kramar/loaders/clickhouse/chlocal"
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
	dsn := dsnOf(t, "kramar_test_"+randomSuffix(t))

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

// Relayed opens w's database through a new proxy; the warehouse is closed
// when the test ends.
func Relayed(t testing.TB, w *clickhouse.Warehouse) (*Proxy, *clickhouse.Warehouse) {
	t.Helper()
	p, dsn := NewProxy(t, DSNOf(t, w))
	relay, err := clickhouse.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { relay.Close() })
	return p, relay
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
	return dsnOf(t, w.Database())
}

// dsnOf is the DSN of database on the server in KRAMAR_CLICKHOUSE_DSN.
func dsnOf(t testing.TB, database string) string {
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
	u.Path = "/" + database
	return u.String()
}

// Cluster is a local ClickHouse cluster of the test's own: a ZooKeeper and
// shards × replicas servers, each stopped by its PID when the test ends,
// even when it fails.
type Cluster struct {
	*chlocal.Cluster
	t        testing.TB
	database string
}

// NewCluster starts a cluster in the test's temporary folder (ClickHouse
// and ZooKeeper must be installed; .ci/run installs both).
func NewCluster(t testing.TB, shards, replicas int) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := chlocal.StartCluster(ctx, chlocal.Options{Dir: t.TempDir()}, shards, replicas)
	if err != nil {
		t.Fatalf("start a local cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return &Cluster{Cluster: c, t: t, database: "kramar_test_" + randomSuffix(t)}
}

// DSN is the test database on every server of the cluster, or on the
// given ones (by their position in shard order).
func (c *Cluster) DSN(servers ...int) string {
	var all []string
	for _, shard := range c.Servers {
		for _, s := range shard {
			all = append(all, s.Addr())
		}
	}
	pick := all
	if len(servers) > 0 {
		pick = nil
		for _, i := range servers {
			pick = append(pick, all[i])
		}
	}
	return "clickhouse://" + strings.Join(pick, ",") + "/" + c.database
}

// Open connects to the test database on the cluster through the given
// servers (all when none), unmigrated; it closes with the test.
func (c *Cluster) Open(servers ...int) *clickhouse.Warehouse {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w, err := clickhouse.Open(ctx, c.DSN(servers...), clickhouse.OnCluster(chlocal.ClusterName))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { w.Close() })
	return w
}
